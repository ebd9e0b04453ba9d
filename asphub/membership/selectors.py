"""Reads for the membership pages: the coordinator's queue, a school's case, the schools to
act on, and the applicant's application by its link."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from asphub.countries.models import Country
from asphub.roles.models import Role, RoleAssignment
from asphub.schools.lifecycle import OPEN_APPLICATION_STATUSES
from asphub.schools.models import MembershipChange, MembershipStatus, School, WithdrawalRequest
from asphub.taxonomy.models import ThematicArea

from .models import Application, ApplicationQuestion
from .services.applications import application_token_hash

S = MembershipStatus
# What the queue shows unless asked otherwise: applications not yet decided, and endorsed
# schools waiting for UNESCO.
QUEUE_STATUSES = (*OPEN_APPLICATION_STATUSES, S.ENDORSED)


def application_by_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return (
        Application.objects.select_related("country", "school", "subdivision")
        .filter(token_hash=application_token_hash(token))
        .first()
    )


def membership_queue(
    countries: QuerySet[Country], *, status: str = "", older_than_days: int | None = None
) -> QuerySet[School]:
    """Schools of these countries by status (the undecided ones by default), oldest status
    first, with their application."""
    schools = School.objects.filter(country__in=countries)
    if status:
        schools = schools.filter(membership_status=status)
    else:
        schools = schools.filter(membership_status__in=QUEUE_STATUSES)
    if older_than_days:
        cutoff = timezone.now() - timedelta(days=older_than_days)
        schools = schools.filter(status_changed_at__lt=cutoff)
    return schools.select_related("country", "subdivision", "application").order_by(
        "status_changed_at", "id"
    )


def membership_history(school: School) -> QuerySet[MembershipChange]:
    return school.history.select_related("actor").order_by("-created_at", "-id")


def _months_ago(today: date, months: int) -> date:
    year, month = divmod(today.month - 1 - months, 12)
    year += today.year
    month += 1
    day = min(today.day, 28)
    return date(year, month, day)


def schools_to_act_on(country: Country) -> QuerySet[School]:
    """The country's schools whose candidate period has run out, whose renewal is due, that
    have no school coordinator or that asked to withdraw; each annotated with which
    (overdue_candidate, renewal_due, has_coordinator, withdrawal_requested). A queryset, so the
    page paginates it."""
    today = timezone.localdate()
    has_coordinator = RoleAssignment.objects.active().filter(
        school=OuterRef("pk"), role=Role.SCHOOL_COORDINATOR
    )
    open_request = WithdrawalRequest.objects.filter(school=OuterRef("pk"), answered_at__isnull=True)
    conditions = Q(
        has_coordinator=False, membership_status__in=(S.CANDIDATE, S.MEMBER, S.DORMANT)
    ) | Q(withdrawal_requested=True)
    overdue: Q | None = None
    if country.uses_candidate_stage and country.candidate_stage_months:
        cutoff = _months_ago(today, country.candidate_stage_months)
        overdue = Q(membership_status=S.CANDIDATE, status_changed_at__date__lt=cutoff)
        conditions |= overdue
    renewal: Q | None = None
    if country.renewal_period_years:
        cutoff = today.replace(year=today.year - country.renewal_period_years)
        renewal = Q(membership_status=S.MEMBER) & (
            Q(certificate_date__lte=cutoff)
            | Q(certificate_date__isnull=True, status_changed_at__date__lte=cutoff)
        )
        conditions |= renewal
    return (
        School.objects.filter(country=country)
        .annotate(
            has_coordinator=Exists(has_coordinator), withdrawal_requested=Exists(open_request)
        )
        .filter(conditions)
        .annotate(
            overdue_candidate=_flag(overdue),
            renewal_due=_flag(renewal),
        )
        .select_related("subdivision")
        .order_by("sort_key", "id")
    )


def _flag(condition: Q | None):
    if condition is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def planned_activities(application: Application) -> list[tuple[str, str]]:
    """The application's planned activities as (thematic area's name, plan), in the areas'
    order; a plan for an area that no longer exists keeps its code as name."""
    planned = dict(application.planned_activities or {})
    named = []
    for area in ThematicArea.objects.filter(slug__in=list(planned)).order_by("position", "slug"):
        named.append((area.name.text if hasattr(area.name, "text") else str(area.name),
                      planned.pop(area.slug)))  # fmt: skip
    return named + sorted(planned.items())


def extra_answers(application: Application) -> list[tuple[str, str]]:
    """The country's own questions the applicant answered, with their answers (a question no
    longer asked keeps its answer)."""
    answers = application.extra_answers or {}
    questions = ApplicationQuestion.objects.filter(country_id=application.country_id).filter(
        pk__in=[int(key) for key in answers if key.isdigit()]
    )
    return [
        (question.text.text, answers[str(question.pk)])
        for question in questions.order_by("position", "id")
        if answers.get(str(question.pk))
    ]
