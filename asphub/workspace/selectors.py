"""What each signed-in person sees on their dashboard and workspaces: a bounded number of
queries whatever the size of the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from asphub.accounts.models import User
from asphub.accounts.selectors import account_personal_data
from asphub.countries.models import Country
from asphub.practices.selectors import assigned_reviews, library_queue_counts
from asphub.roles.models import Invitation, Role, RoleAssignment, held_now
from asphub.roles.permissions import (
    Roles,
    invitable_roles,
    roles_of,
)
from asphub.roles.selectors import role_personal_data
from asphub.schools.lifecycle import OPEN_APPLICATION_STATUSES
from asphub.schools.models import MembershipStatus, School

WITHOUT_COORDINATOR_SHOWN = 10


@dataclass
class CountryOverview:
    country: Country
    status_counts: list[tuple[str, int]]
    # The first few, in Latvian alphabetical order; all of them are on the schools-to-act-on
    # page, which paginates.
    schools_without_coordinator: list[School]
    without_coordinator_count: int
    open_applications: int
    reviewers: list[RoleAssignment]
    pending_invitations: int
    # The library's queues (asphub.practices.selectors.Queue) and how many wait in each.
    library_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Dashboard:
    roles: Roles
    assignments: list[RoleAssignment]
    schools: list[School] = field(default_factory=list)
    countries: list[CountryOverview] = field(default_factory=list)
    reviewer_countries: list[Country] = field(default_factory=list)
    reviews_to_write: int = 0
    # Whether a library item of the person's schools waits for them (see dashboard_for).
    library_waiting: bool = False
    # For administrators: countries with a national coordinator, and the home country.
    administered_countries: list[Country] = field(default_factory=list)
    can_invite: bool = False


def dashboard_for(user: Any) -> Dashboard:
    roles = roles_of(user)
    assignments = list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("school__country", "country")
        .order_by("role", "school__name")
    )
    dashboard = Dashboard(roles=roles, assignments=assignments)
    dashboard.can_invite = bool(invitable_roles(user))
    if roles.schools:
        dashboard.schools = list(
            School.objects.filter(pk__in=roles.schools)
            .select_related("country")
            .annotate(
                team_size=Count(
                    "roleassignments",
                    filter=held_now("roleassignments__"),
                    distinct=True,
                ),
                # Library items waiting for the school: drafts and items sent back for
                # changes (the coordinator submits them; the authors change them).
                library_waiting=Count(
                    "practices",
                    filter=Q(practices__status__in=["draft", "changes_requested"]),
                    distinct=True,
                ),
                library_sent_back=Count(
                    "practices",
                    filter=Q(practices__status="changes_requested"),
                    distinct=True,
                ),
            )
            .order_by("sort_key")
        )
    # The annotations above, read by name (django-stubs does not know them).
    dashboard.library_waiting = any(
        getattr(school, "library_sent_back", 0)
        or (school.pk in roles.coordinator_of and getattr(school, "library_waiting", 0))
        for school in dashboard.schools
    )
    countries = list(Country.objects.filter(pk__in=roles.national_coordinator_in))
    dashboard.countries = country_overviews(countries)
    for overview in dashboard.countries:
        overview.library_counts = library_queue_counts([overview.country.pk])
    if roles.administrator:
        with_coordinator = (
            RoleAssignment.objects.active()
            .filter(role=Role.NATIONAL_COORDINATOR)
            .values("country_id")
        )
        dashboard.administered_countries = list(
            Country.objects.filter(
                Q(pk__in=with_coordinator) | Q(code=settings.ASPHUB_DEFAULT_COUNTRY)
            ).order_by("code")
        )
    if roles.reviewer_in:
        dashboard.reviewer_countries = list(Country.objects.filter(pk__in=roles.reviewer_in))
        dashboard.reviews_to_write = assigned_reviews(user).count()
    return dashboard


def country_overviews(countries: list[Country]) -> list[CountryOverview]:
    if not countries:
        return []
    ids = [country.pk for country in countries]
    counts: dict[int, list[tuple[str, int]]] = {pk: [] for pk in ids}
    status_labels = dict(School._meta.get_field("membership_status").choices or [])
    for row in (
        School.objects.filter(country_id__in=ids)
        .values("country_id", "membership_status")
        .annotate(n=Count("id"))
        .order_by("country_id", "membership_status")
    ):
        counts[row["country_id"]].append(
            (str(status_labels.get(row["membership_status"], row["membership_status"])), row["n"])
        )
    coordinated_school_ids = (
        RoleAssignment.objects.active()
        .filter(role=Role.SCHOOL_COORDINATOR, school__country_id__in=ids)
        .values("school_id")
    )
    uncoordinated = School.objects.filter(
        membership_status__in=(
            MembershipStatus.CANDIDATE,
            MembershipStatus.MEMBER,
            MembershipStatus.DORMANT,
        )
    ).exclude(pk__in=coordinated_school_ids)
    without_count = dict(
        uncoordinated.filter(country_id__in=ids)
        .values("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    without: dict[int, list[School]] = {
        pk: list(
            uncoordinated.filter(country_id=pk)
            .only("pk", "name", "slug", "country_id", "sort_key")
            .order_by("sort_key")[:WITHOUT_COORDINATOR_SHOWN]
        )
        for pk in ids
    }
    open_applications = dict(
        School.objects.filter(country_id__in=ids, membership_status__in=OPEN_APPLICATION_STATUSES)
        .values("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    reviewers: dict[int, list[RoleAssignment]] = {pk: [] for pk in ids}
    for assignment in (
        RoleAssignment.objects.active()
        .filter(role=Role.REVIEWER, country_id__in=ids)
        .select_related("user")
    ):
        if assignment.country_id is not None:
            reviewers[assignment.country_id].append(assignment)
    pending = dict(
        Invitation.objects.pending()
        .annotate(scope_country=Coalesce("country_id", "school__country_id"))
        .filter(scope_country__in=ids)
        .values("scope_country")
        .annotate(n=Count("id"))
        .values_list("scope_country", "n")
    )
    return [
        CountryOverview(
            country=country,
            status_counts=counts[country.pk],
            schools_without_coordinator=without[country.pk],
            without_coordinator_count=without_count.get(country.pk, 0),
            open_applications=open_applications.get(country.pk, 0),
            reviewers=reviewers[country.pk],
            pending_invitations=pending.get(country.pk, 0),
        )
        for country in countries
    ]


def school_team(school: School) -> tuple[list[RoleAssignment], list[Invitation]]:
    members = list(
        RoleAssignment.objects.active()
        .filter(school=school)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )
    invitations = list(
        Invitation.objects.pending().filter(school=school).select_related("invited_by")
    )
    return members, invitations


def country_team(country: Country) -> tuple[list[RoleAssignment], list[Invitation]]:
    members = list(
        RoleAssignment.objects.active()
        .filter(Q(country=country) | Q(school__country=country))
        .select_related("user", "school")
        .order_by("role", "school__sort_key", "user__full_name", "user__email")
    )
    invitations = list(
        Invitation.objects.pending()
        .filter(Q(country=country) | Q(school__country=country))
        .select_related("invited_by", "school")
    )
    return members, invitations


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about one person, for their own download: each app's
    part, gathered here (the workspace sits above them all)."""
    account = account_personal_data(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": account.pop("account"),
        "email_addresses": account.pop("email_addresses"),
        **role_personal_data(user),
        **account,
    }
