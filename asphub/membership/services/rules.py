"""A national network's own membership rules, as its coordinator sets them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.countries.models import Country
from asphub.roles.permissions import Actor, can_decide_membership, require_permission

from ..models import ApplicationQuestion

RULE_FIELDS = (
    "uses_candidate_stage", "candidate_stage_months", "renewal_period_years",
    "minimum_team_size", "minimum_team_teachers", "minimum_team_administration",
)  # fmt: skip
QUESTION_FIELDS = ("text_lv", "text_en", "required", "active", "position")


def country_rules_update(
    *,
    actor: Actor,
    country: Country,
    rules: dict[str, Any],
    questions: list[dict[str, Any]],
) -> Country:
    """Change the candidate stage, renewal period, team rule and the application's extra
    questions (`questions`: rows with an optional "pk" of an existing question; a row without
    text is ignored). Audited with the changed rules and questions before and after."""
    require_permission(
        actor,
        lambda person: can_decide_membership(person, country),
        _("You may not change this country's membership rules."),
    )
    with transaction.atomic():
        stored = Country.objects.select_for_update().get(pk=country.pk)
        before = {name: getattr(stored, name) for name in RULE_FIELDS}
        changed = [name for name in RULE_FIELDS if name in rules and rules[name] != before[name]]
        for name in changed:
            setattr(stored, name, rules[name])
        if changed:
            stored.full_clean(
                exclude=[f.name for f in Country._meta.fields if f.name not in changed]
            )
            stored.save(update_fields=changed)
        existing = {question.pk: question for question in stored.application_questions.all()}
        questions_before = [_question_state(q) for q in existing.values()]
        for row in questions:
            if not (row.get("text_lv") or "").strip():
                continue
            known = existing.get(row["pk"]) if isinstance(row.get("pk"), int) else None
            question = known or ApplicationQuestion(country=stored)
            for name in QUESTION_FIELDS:
                if name in row:
                    setattr(question, name, row[name])
            question.full_clean(exclude=["country"])
            question.save()
        questions_after = [_question_state(q) for q in stored.application_questions.all()]
        if changed or questions_before != questions_after:
            audit_record(
                actor=actor,
                action=AuditAction.COUNTRY_RULES_CHANGED,
                obj=stored,
                country_code=stored.code,
                before={**{name: before[name] for name in changed},
                        **({"questions": questions_before}
                           if questions_before != questions_after else {})},
                after={**{name: rules[name] for name in changed},
                       **({"questions": questions_after}
                          if questions_before != questions_after else {})},
            )  # fmt: skip
    return stored


def _question_state(question: ApplicationQuestion) -> dict[str, Any]:
    return {name: getattr(question, name) for name in QUESTION_FIELDS}
