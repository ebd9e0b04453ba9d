"""The applicant's side: start a draft, save each step, e-mail a link to come back, submit,
resubmit after changes were requested. The applicant has no account: whoever holds the
application's link acts (as StandIn.APPLICANT); the views check the link, these functions check
what the application's state allows."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from asphub.audit.models import AuditAction, StandIn
from asphub.audit.services import audit_record
from asphub.core.rate_limits import over_hourly_limit
from asphub.countries.models import Country
from asphub.mail.services import send_templated_mail
from asphub.schools.lifecycle import OPEN_APPLICATION_STATUSES, MembershipAction
from asphub.schools.models import (
    MembershipChange,
    MembershipStatus,
    School,
    TeamMember,
    TeamRole,
)
from asphub.schools.services import school_status_change, unique_school_slug

from ..models import Application, ApplicationQuestion

# Fields the applicant types, step by step (the forms show them in this order).
INSTITUTION_FIELDS = (
    "name", "institution_type", "ownership", "subdivision", "settlement", "registration_number",
    "address", "email", "phone", "website", "social_links",
)  # fmt: skip
PLAN_FIELDS = (
    "time_available", "resources", "reason", "planned_activities", "heard_from",
    "heard_from_other",
)  # fmt: skip
REASON_MAX_WORDS = 100
APPLICATIONS_PER_HOUR = 10
# E-mails with an application's link: per application (per sending address, four times as many).
LINKS_PER_HOUR = 5


def application_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_link(application: Application, token: str, site_url: str = "") -> str:
    base = (site_url or settings.ASPHUB_SITE_URL).rstrip("/")
    with translation.override(application.language):
        return base + reverse("membership:apply_continue", kwargs={"token": token})


def word_count(text: str) -> int:
    """Words as a person counts them: runs of text between spaces that hold a letter or a
    digit ("e-mail" is one word, a lone dash none)."""
    return sum(1 for part in (text or "").split() if any(ch.isalnum() for ch in part))


class TooManyApplications(ValidationError):
    pass


def applications_rate_check(client_key: str) -> None:
    """At most APPLICATIONS_PER_HOUR new applications an hour from one address."""
    limit = getattr(settings, "ASPHUB_APPLICATIONS_PER_HOUR", APPLICATIONS_PER_HOUR)
    if over_hourly_limit("applications", client_key, limit):
        raise TooManyApplications(
            _("Many applications have been started from your network in the last hour. "
              "Try again later, or write to the national coordinator."),
            code="too_many",
        )  # fmt: skip


def _new_reference(country: Country) -> str:
    year = timezone.localdate().year
    for _attempt in range(20):
        reference = f"{country.code}-{year}-{secrets.randbelow(900000) + 100000}"
        if not Application.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no free application reference")


def application_start(
    *, country: Country, language: str, values: dict[str, Any]
) -> tuple[Application, str]:
    """A new draft with the first step's values; returns it and its secret link token."""
    if not country.has_national_network:
        raise ValidationError(_("This country has no national network here."), code="country")
    token = secrets.token_urlsafe(32)
    application = Application(
        country=country,
        reference=_new_reference(country),
        token_hash=application_token_hash(token),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
    )
    _assign(application, values)
    with transaction.atomic():
        application.save()
    return application, token


def is_editable(application: Application) -> bool:
    """A draft, or a submitted application the coordinator has asked to change."""
    if application.is_draft:
        return True
    return (
        application.school is not None
        and application.school.membership_status == MembershipStatus.CHANGES_REQUESTED
    )


def is_link_active(application: Application) -> bool:
    """The applicant's link works until the application is decided (rejected, or endorsed and
    on): then the school's own people take over, with accounts."""
    return application.is_draft or (
        application.school is not None
        and application.school.membership_status in OPEN_APPLICATION_STATUSES
    )


class ApplicationLocked(ValidationError):
    pass


def _assign(application: Application, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "flagship_interests":
            continue
        setattr(application, name, value)


def application_save(*, application: Application, values: dict[str, Any]) -> Application:
    """Save a step's values on an editable application (whoever holds its link)."""
    with transaction.atomic():
        stored = (
            Application.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=application.pk)
        )
        if not is_editable(stored):
            raise ApplicationLocked(
                _("This application has been submitted and can no longer be changed."),
                code="locked",
            )
        replaced_letter = stored.letter.name if values.get("letter") and stored.letter else ""
        _assign(stored, values)
        stored.save()
        if replaced_letter and replaced_letter != stored.letter.name:
            storage = stored.letter.storage
            transaction.on_commit(lambda: storage.delete(replaced_letter))
        if "flagship_interests" in values:
            stored.flagship_interests.set(values["flagship_interests"])
        if not stored.is_draft:
            audit_record(
                actor=StandIn.APPLICANT,
                action=AuditAction.APPLICATION_CHANGED,
                obj=stored,
                country_code=stored.country.code,
                after={"fields": sorted(values)},
            )
    return stored


def application_rotate_link(
    *, application: Application, site_url: str = "", client_key: str = ""
) -> str:
    """Make a new link (the old one stops working) and e-mail it to the school coordinator
    named on the application (else the institution's address). Returns the new token."""
    to = application.coordinator_email or application.email
    # The link goes to whatever address the form holds: bounded, so that the form cannot be
    # used to send the network's e-mails to anyone, again and again.
    if over_hourly_limit("application-links", str(application.pk), LINKS_PER_HOUR) or (
        client_key and over_hourly_limit("application-links-from", client_key, LINKS_PER_HOUR * 4)
    ):
        raise ValidationError(
            _("Links to this application have been sent several times in the last hour; the "
              "last one still works. Try again later."),
            code="too_many_links",
        )  # fmt: skip
    if not to:
        raise ValidationError(
            _("Give the institution's or the school coordinator's e-mail first: the link is "
              "sent there."),
            code="no_address",
        )  # fmt: skip
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            token_hash=application_token_hash(token)
        )
        application.token_hash = application_token_hash(token)
        send_templated_mail(
            "membership/email/application_link",
            to=to,
            language=application.language,
            context={
                "application": application,
                "link": application_link(application, token, site_url),
                "network": application.country,
            },
        )
    return token


# -- what an application still lacks -----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    step: str
    field: str
    message: str


def team_rule_problems(country: Country, team: list[dict[str, Any]]) -> list[str]:
    """What the team lacks under the country's rule (in Latvia: at least three people, at
    least two teachers and one from the administration)."""
    people = [member for member in team if (member.get("full_name") or "").strip()]
    roles = [member.get("team_role") for member in people]
    problems = []
    if len(people) < country.minimum_team_size:
        problems.append(
            _("The school team needs at least %(count)s people.")
            % {"count": country.minimum_team_size}
        )
    if roles.count(TeamRole.TEACHER) < country.minimum_team_teachers:
        problems.append(
            _("The school team needs at least %(count)s teachers.")
            % {"count": country.minimum_team_teachers}
        )
    if roles.count(TeamRole.ADMINISTRATION) < country.minimum_team_administration:
        problems.append(
            _("The school team needs at least %(count)s people from the administration.")
            % {"count": country.minimum_team_administration}
        )
    return problems


def application_problems(application: Application) -> list[Problem]:
    """Everything the applicant must still give before submitting, by step."""
    problems: list[Problem] = []
    required = {
        "institution": ("name", "institution_type", "ownership", "registration_number",
                        "address", "email"),
        "people": ("principal_name", "principal_email", "coordinator_name",
                   "coordinator_position", "coordinator_email"),
        "plans": ("time_available", "reason"),
    }  # fmt: skip
    for step, names in required.items():
        for name in names:
            if not getattr(application, name):
                label = getattr(Application._meta.get_field(name), "verbose_name", name)
                problems.append(
                    Problem(step, name, _("“%(field)s” is missing.") % {"field": label})
                )
    if application.country.subdivisions.exists() and application.subdivision_id is None:
        problems.append(Problem("institution", "subdivision", _("Choose the municipality.")))
    for message in team_rule_problems(application.country, application.team or []):
        problems.append(Problem("people", "team", message))
    if word_count(application.reason) > REASON_MAX_WORDS:
        problems.append(
            Problem(
                "plans",
                "reason",
                _("The reason for joining has %(count)s words; at most %(max)s are allowed.")
                % {"count": word_count(application.reason), "max": REASON_MAX_WORDS},
            )
        )
    answers = application.extra_answers or {}
    for question in ApplicationQuestion.objects.filter(
        country=application.country, active=True, required=True
    ):
        if not (answers.get(str(question.pk)) or "").strip():
            problems.append(
                Problem("confirm", f"question_{question.pk}", _("Answer: %(question)s")
                        % {"question": question.text.text})
            )  # fmt: skip
    if application.consent_at is None:
        problems.append(
            Problem("confirm", "consent", _("Agree to the processing of the data to apply."))
        )
    return problems


# -- submitting ----------------------------------------------------------------------------------


def _possible_duplicates(application: Application, exclude_school: int | None) -> list[dict]:
    """Schools and open applications of the country with the same registration number, or
    the same name in the same municipality."""
    same = Q()
    if application.registration_number.strip():
        same |= Q(registration_number__iexact=application.registration_number.strip())
    same |= Q(name__iexact=application.name.strip(), subdivision_id=application.subdivision_id)
    matches = (
        School.objects.filter(country_id=application.country_id)
        .filter(same)
        .exclude(membership_status=MembershipStatus.REJECTED)
        .exclude(pk__in=[exclude_school] if exclude_school else [])
        .order_by("pk")[:20]
    )
    found = []
    for school in matches:
        why = (
            "registration_number"
            if application.registration_number.strip()
            and school.registration_number.lower()
            == application.registration_number.strip().lower()
            else "name"
        )
        found.append(
            {
                "kind": "application"
                if school.membership_status in OPEN_APPLICATION_STATUSES
                else "school",
                "pk": school.pk,
                "name": school.name,
                "why": why,
            }
        )
    return found


def _school_values(application: Application) -> dict[str, Any]:
    return {
        "name": application.name.strip(),
        "institution_type": application.institution_type,
        "ownership": application.ownership,
        "subdivision_id": application.subdivision_id,
        "settlement": application.settlement,
        "registration_number": application.registration_number.strip(),
        "address": application.address,
        "email": application.email,
        "phone": application.phone,
        "website": application.website,
    }


def _write_team(school: School, team: list[dict[str, Any]]) -> None:
    TeamMember.objects.filter(school=school).delete()
    TeamMember.objects.bulk_create(
        TeamMember(
            school=school,
            full_name=member.get("full_name", "").strip(),
            position=member.get("position", ""),
            team_role=member.get("team_role") or TeamRole.OTHER,
            email=member.get("email", ""),
            order=index,
        )
        for index, member in enumerate(team)
        if (member.get("full_name") or "").strip()
    )


def application_submit(*, application: Application, site_url: str = "") -> Application:
    """Submit a complete draft: the school is created (not public yet) with its first status,
    likely duplicates are noted for the coordinator, and the applicant gets an e-mail with the
    reference number. Submitting twice (a double click) submits once."""
    with transaction.atomic():
        stored = (
            # Only the application's row is locked: its school may not exist yet (an outer
            # join, which PostgreSQL cannot lock).
            Application.objects.select_for_update(of=("self",))
            .select_related("country", "school")
            .get(pk=application.pk)
        )
        if not stored.is_draft:
            return stored
        problems = application_problems(stored)
        if problems:
            raise ValidationError(
                [ValidationError(problem.message, code=problem.field) for problem in problems]
            )
        now = timezone.now()
        values = _school_values(stored)
        school = School.objects.create(
            country=stored.country,
            slug=unique_school_slug(values["name"]),
            membership_status=MembershipStatus.SUBMITTED,
            status_changed_at=now,
            **values,
        )
        _write_team(school, stored.team or [])
        MembershipChange.objects.create(
            school=school,
            action=MembershipAction.SUBMIT,
            to_status=MembershipStatus.SUBMITTED,
            actor_label=StandIn.APPLICANT.value,
            created_at=now,
        )
        stored.school = school
        stored.submitted_at = now
        stored.possible_duplicates = _possible_duplicates(stored, exclude_school=school.pk)
        stored.save(update_fields=["school", "submitted_at", "possible_duplicates", "updated_at"])
        audit_record(
            actor=StandIn.APPLICANT,
            action=AuditAction.APPLICATION_SUBMITTED,
            obj=stored,
            country_code=stored.country.code,
            after={"reference": stored.reference, "school": school.name},
        )
        mail_applicant(stored, "membership/email/application_submitted", site_url=site_url)
        mail_network(stored, "membership/email/application_arrived", site_url=site_url)
    application.submitted_at = stored.submitted_at
    application.school = stored.school
    application.possible_duplicates = stored.possible_duplicates
    return stored


def application_resubmit(*, application: Application, site_url: str = "") -> Application:
    """After changes were requested: the school's record takes the corrected values and the
    application goes back under review."""
    with transaction.atomic():
        stored = (
            # Only the application's row is locked: its school may not exist yet (an outer
            # join, which PostgreSQL cannot lock).
            Application.objects.select_for_update(of=("self",))
            .select_related("country", "school")
            .get(pk=application.pk)
        )
        school = stored.school
        if school is None or school.membership_status != MembershipStatus.CHANGES_REQUESTED:
            raise ApplicationLocked(
                _("This application is not waiting for changes."), code="locked"
            )
        problems = application_problems(stored)
        if problems:
            raise ValidationError(
                [ValidationError(problem.message, code=problem.field) for problem in problems]
            )
        for name, value in _school_values(stored).items():
            setattr(school, name, value)
        school.save()
        _write_team(school, stored.team or [])
        stored.possible_duplicates = _possible_duplicates(stored, exclude_school=school.pk)
        stored.save(update_fields=["possible_duplicates", "updated_at"])
        school_status_change(
            actor=StandIn.APPLICANT, school=school, action=MembershipAction.RESUBMIT
        )
        mail_network(stored, "membership/email/application_resubmitted", site_url=site_url)
    return stored


# -- e-mails -------------------------------------------------------------------------------------


def mail_applicant(
    application: Application, prefix: str, *, site_url: str = "", **context: Any
) -> None:
    """To the school coordinator named on the application, and to the institution."""
    addresses = {application.coordinator_email.lower(), application.email.lower()} - {""}
    for address in sorted(addresses):
        send_templated_mail(
            prefix,
            to=address,
            language=application.language,
            context={
                "application": application,
                "network": application.country,
                "site_url": (site_url or settings.ASPHUB_SITE_URL).rstrip("/"),
                **context,
            },
        )


def mail_network(application: Application, prefix: str, *, site_url: str = "") -> None:
    """To the national network's contact address, in the network's first language."""
    country = application.country
    if not country.contact_email:
        return
    language = (country.languages or [settings.LANGUAGE_CODE])[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    base = (site_url or settings.ASPHUB_SITE_URL).rstrip("/")
    with translation.override(language):
        link = base + reverse("membership:school", kwargs={"pk": application.school_id})
    send_templated_mail(
        prefix,
        to=country.contact_email,
        language=language,
        context={"application": application, "network": country, "link": link},
    )


__all__ = [
    "ApplicationLocked",
    "Problem",
    "TooManyApplications",
    "application_link",
    "application_problems",
    "application_resubmit",
    "application_rotate_link",
    "application_save",
    "application_start",
    "application_submit",
    "application_token_hash",
    "applications_rate_check",
    "is_editable",
    "is_link_active",
    "mail_applicant",
    "mail_network",
    "team_rule_problems",
    "word_count",
]
