"""The one permission layer: who may do what, where.

Every view, form, service (and later the API) asks these functions; nothing else decides. Each
check is a plain function of (user, object); the `ACTIONS` table names them so that the
permission-matrix test can try every role against every action. Queryset filters at the bottom
give each person exactly the objects they may see, so a private object outside someone's scope
is simply not found (404) rather than refused (which would reveal that it exists).

A person's roles are read once per request (one query) and kept on the user object; a revoked
role therefore stops working on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from asphub.accounts.models import User
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.selectors import audit_entries
from asphub.countries.models import Country

from .models import Invitation, Role, RoleAssignment, RoleAssignmentQuerySet


class SchoolScope(Protocol):
    """What the permission layer needs of a school (the schools app sits above this one and
    passes its School objects in)."""

    pk: Any
    name: str
    country_id: int
    country: Country
    membership_status: str


class PracticeScope(Protocol):
    """What the permission layer needs of a library item (asphub.practices passes its Practice
    objects in)."""

    pk: Any
    country_id: int
    school_id: int | None
    status: str
    created_by_id: int | None


class ActivityScope(Protocol):
    """What the permission layer needs of a school's activity (asphub.activities passes its
    Activity objects in): the school's country is kept on the activity, so no check queries."""

    pk: Any
    school_id: int
    country_id: int
    visibility: str
    created_by_id: int | None

    @property
    def school(self) -> SchoolScope:
        """Its school, for its membership_status: an activity is shown only while its school
        is in the directory (the activities app reads it with the activity: select_related)."""
        ...


class EventScope(Protocol):
    """What the permission layer needs of a network event (asphub.events passes its
    NetworkEvent objects in)."""

    pk: Any
    country_id: int
    status: str
    visibility: str
    published_at: Any


# The schools that write for the library: those in the network (the directory's public
# statuses, asphub.schools.models.PUBLIC_STATUSES: a test keeps the two the same). A school
# that has withdrawn or was excluded keeps its published items but adds none.
LIBRARY_SCHOOL_STATUSES = frozenset({"candidate", "member", "dormant"})

# A practice's statuses as the permission layer reads them (the practices app defines them).
PRACTICE_EDITABLE = frozenset({"draft", "changes_requested"})
PRACTICE_PUBLIC = frozenset({"published", "archived"})


# Whoever a check is asked about: a signed-in person, an anonymous visitor, or no one.
Visitor = User | AnonymousUser | None
# Who asks for a change: a person (an anonymous visitor may do nothing), or a stand-in such as
# the command line, which is trusted: whoever runs manage.py already controls the server.
Actor = User | AnonymousUser | StandIn | str


def is_command_line(actor: Actor) -> bool:
    return isinstance(actor, str) and actor == StandIn.COMMAND_LINE


def actor_user(actor: Actor) -> User | None:
    """The person acting, for the columns that record who did something (`created_by`); None
    for a stand-in such as the command line."""
    return actor if isinstance(actor, User) else None


def require_permission(actor: Actor, allowed: Callable[[Visitor], bool], refusal: str) -> None:
    """The one guard every service starts with: the command line may act; a person only where
    `allowed(person)` holds; otherwise PermissionDenied with `refusal` (and nothing changes)."""
    if is_command_line(actor):
        return
    if isinstance(actor, str) or not allowed(actor):
        raise PermissionDenied(refusal)


_CACHE_ATTRIBUTE = "_asphub_roles"


@dataclass(frozen=True)
class Roles:
    """The active roles of one person, as sets of school and country ids."""

    administrator: bool = False
    teacher_of: frozenset[int] = field(default_factory=frozenset)
    coordinator_of: frozenset[int] = field(default_factory=frozenset)
    reviewer_in: frozenset[int] = field(default_factory=frozenset)
    national_coordinator_in: frozenset[int] = field(default_factory=frozenset)
    # Countries of the schools above, so that "is this school in my country" needs no query.
    school_country: dict[int, int] = field(default_factory=dict)
    # Which of those schools are in the network now (LIBRARY_SCHOOL_STATUSES): the people of a
    # school that withdrew or was excluded keep their roles (for its records) but not a place
    # in the country's network.
    in_network: frozenset[int] = field(default_factory=frozenset)

    @property
    def schools(self) -> frozenset[int]:
        return self.teacher_of | self.coordinator_of

    @property
    def needs_two_factor(self) -> bool:
        return self.administrator or bool(self.national_coordinator_in)


NO_ROLES = Roles()


def _signed_in(user: Visitor) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user: Visitor) -> Roles:
    if not _signed_in(user):
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    teacher, coordinator, reviewer, national, in_network = set(), set(), set(), set(), set()
    school_country: dict[int, int] = {}
    administrator = bool(user.is_superuser)
    rows = (
        RoleAssignment.objects.active()
        .filter(user=user)
        .values_list(
            "role", "school_id", "country_id", "school__country_id", "school__membership_status"
        )
    )
    for role, school_id, country_id, school_country_id, school_status in rows:
        if school_status in LIBRARY_SCHOOL_STATUSES:
            in_network.add(school_id)
        if role == Role.ADMINISTRATOR:
            administrator = True
        elif role == Role.TEACHER:
            teacher.add(school_id)
            school_country[school_id] = school_country_id
        elif role == Role.SCHOOL_COORDINATOR:
            coordinator.add(school_id)
            school_country[school_id] = school_country_id
        elif role == Role.REVIEWER:
            reviewer.add(country_id)
        elif role == Role.NATIONAL_COORDINATOR:
            national.add(country_id)
    roles = Roles(
        administrator=administrator,
        teacher_of=frozenset(teacher),
        coordinator_of=frozenset(coordinator),
        reviewer_in=frozenset(reviewer),
        national_coordinator_in=frozenset(national),
        school_country=school_country,
        in_network=frozenset(in_network),
    )
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def forget_roles(user: Visitor) -> None:
    """Drop the roles kept on this user object (after a grant or revoke in the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


# -- checks on a school ---------------------------------------------------------------------


def can_view_school_workspace(user: Visitor, school: SchoolScope) -> bool:
    """The school's team page: its teachers, coordinators and invitations."""
    roles = roles_of(user)
    return (
        roles.administrator
        or school.pk in roles.schools
        or school.country_id in roles.national_coordinator_in
    )


def can_edit_school_profile(user: Visitor, school: SchoolScope) -> bool:
    roles = roles_of(user)
    return (
        roles.administrator
        or school.pk in roles.coordinator_of
        or school.country_id in roles.national_coordinator_in
    )


def can_request_withdrawal(user: Visitor, school: SchoolScope) -> bool:
    """Ask the national coordinator to record the school's withdrawal from the network: the
    school's own coordinator speaks for it (an administrator may, on its behalf); the national
    coordinator records the withdrawal itself instead."""
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.coordinator_of


def can_manage_schools(user: Visitor, country: Country) -> bool:
    """Add, import and change the schools of a country (the national directory)."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_decide_membership(user: Visitor, country: Country) -> bool:
    """Applications and statuses: review, request changes, endorse, reject, record a
    certificate, make candidate or member, mark dormant, record withdrawal or exclusion; also
    the country's membership rules."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_edit_country(user: Visitor, country: Country) -> bool:
    """The country's public details: whom applicants and members contact (its national
    coordinator, e-mail, the National Commission and its website)."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


# -- giving and taking roles ----------------------------------------------------------------


def can_invite(
    user: Visitor, role: str, *, school: SchoolScope | None = None, country: Country | None = None
) -> bool:
    """Who gives which role: a school coordinator their school's teachers; a national
    coordinator their country's school coordinators and reviewers; an administrator any role."""
    roles = roles_of(user)
    if roles.administrator:
        return True
    if role == Role.TEACHER:
        return school is not None and school.pk in roles.coordinator_of
    if role == Role.SCHOOL_COORDINATOR:
        return school is not None and school.country_id in roles.national_coordinator_in
    if role == Role.REVIEWER:
        return country is not None and country.pk in roles.national_coordinator_in
    return False


def can_revoke_role(user: Visitor, assignment: RoleAssignment) -> bool:
    """Taking a role back is allowed to whoever may give it."""
    return can_invite(user, assignment.role, school=assignment.school, country=assignment.country)


def invitable_roles(user: Visitor) -> list[Role]:
    """The roles this person may give somewhere, in the order of the Role choices."""
    roles = roles_of(user)
    if roles.administrator:
        return list(Role)
    allowed: list[Role] = []
    if roles.coordinator_of:
        allowed.append(Role.TEACHER)
    if roles.national_coordinator_in:
        allowed += [Role.SCHOOL_COORDINATOR, Role.REVIEWER]
    return allowed


# -- the country's records --------------------------------------------------------------------


def can_view_audit_log(user: Visitor, country: Country) -> bool:
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_view_any_audit_log(user: Visitor) -> bool:
    roles = roles_of(user)
    return roles.administrator or bool(roles.national_coordinator_in)


# -- the library -----------------------------------------------------------------------------


def can_author_practice(user: Visitor, school: SchoolScope) -> bool:
    """Start a practice for the school: its teachers and its coordinator, while the school is
    in the network."""
    if school.membership_status not in LIBRARY_SCHOOL_STATUSES:
        return False
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.schools


def can_author_network_material(user: Visitor, country: Country) -> bool:
    """Network-level materials (no school): the national coordinator."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def _is_practice_author(roles: Roles, practice: PracticeScope) -> bool:
    if practice.school_id is None:
        return practice.country_id in roles.national_coordinator_in
    return practice.school_id in roles.schools


def is_practice_author(user: Visitor, practice: PracticeScope) -> bool:
    """The item's own people: its school's teachers and coordinator; for network materials,
    the country's national coordinator (and administrators)."""
    roles = roles_of(user)
    return roles.administrator or _is_practice_author(roles, practice)


def can_edit_practice(user: Visitor, practice: PracticeScope) -> bool:
    """Change a draft, or a practice the reviewers sent back: its school's teachers and
    coordinator (the national coordinator for network-level materials)."""
    roles = roles_of(user)
    if practice.status not in PRACTICE_EDITABLE:
        return False
    return roles.administrator or _is_practice_author(roles, practice)


def can_submit_practice(user: Visitor, practice: PracticeScope) -> bool:
    """Send a practice for review: the school coordinator speaks for the school (teachers
    draft); the national coordinator for network-level materials."""
    roles = roles_of(user)
    if practice.status not in PRACTICE_EDITABLE:
        return False
    if roles.administrator:
        return True
    if practice.school_id is None:
        return practice.country_id in roles.national_coordinator_in
    return practice.school_id in roles.coordinator_of


def can_view_practice(user: Visitor, practice: PracticeScope) -> bool:
    """Published and archived items are public. Drafts are the school's own; from submission
    on, the national coordinator reads them too (reviewers read what they are assigned: the
    practices app checks the assignment)."""
    if practice.status in PRACTICE_PUBLIC:
        return True
    roles = roles_of(user)
    if roles.administrator or _is_practice_author(roles, practice):
        return True
    return practice.status != "draft" and practice.country_id in roles.national_coordinator_in


def can_manage_library(user: Visitor, country: Country) -> bool:
    """Assign reviewers, decide, mark recommended, archive, edit the country's rubric."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_review_practice(user: Visitor, practice: PracticeScope) -> bool:
    """Whether this person may be a reviewer of this practice at all: a reviewer of its
    country who is neither of its school nor its author. (Reviewing also needs an
    assignment.)"""
    roles = roles_of(user)
    if practice.country_id not in roles.reviewer_in:
        return False
    if practice.school_id is not None and practice.school_id in roles.schools:
        return False
    return user is not None and practice.created_by_id != getattr(user, "pk", None)


# -- partner finding --------------------------------------------------------------------------


def can_manage_partner_search(user: Visitor, school: SchoolScope) -> bool:
    """Mark the school as looking for partners (themes, levels, languages, countries, a note):
    its coordinator, who looks for partner schools (DOMAIN.md), while the school is in the
    network."""
    if school.membership_status not in LIBRARY_SCHOOL_STATUSES:
        return False
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.coordinator_of


def can_contact_partner(user: Visitor) -> bool:
    """Write to a school that looks for partners (through the platform, which hides its
    address): a signed-in person of a school's team or a national coordinator."""
    roles = roles_of(user)
    return roles.administrator or bool(roles.schools) or bool(roles.national_coordinator_in)


# -- activities --------------------------------------------------------------------------------

# An activity's visibility as the permission layer reads it (the activities app defines it).
ACTIVITY_PUBLIC = "public"


def can_record_activity(user: Visitor, school: SchoolScope) -> bool:
    """Record a new activity of the school: its teachers and its coordinator, while the school
    is in the network (LIBRARY_SCHOOL_STATUSES)."""
    if school.membership_status not in LIBRARY_SCHOOL_STATUSES:
        return False
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.schools


def can_edit_activity(user: Visitor, activity: ActivityScope) -> bool:
    """Change an activity and its photos: its school's teachers and coordinator (records stay
    correctable for the annual report, whatever the school's status since)."""
    roles = roles_of(user)
    return roles.administrator or activity.school_id in roles.schools


def can_delete_activity(user: Visitor, activity: ActivityScope) -> bool:
    """Delete an activity: the school coordinator, the teacher who recorded it, and the
    country's national coordinator (who takes down what should not be shown)."""
    roles = roles_of(user)
    if roles.administrator or activity.country_id in roles.national_coordinator_in:
        return True
    if activity.school_id in roles.coordinator_of:
        return True
    return (
        activity.school_id in roles.teacher_of
        and activity.created_by_id is not None
        and activity.created_by_id == getattr(user, "pk", None)
    )


def can_remove_activity_photo(user: Visitor, activity: ActivityScope) -> bool:
    """Take a photo off an activity: its school's teachers and coordinator, and the country's
    national coordinator (a person shown who withdraws consent may ask either)."""
    roles = roles_of(user)
    return (
        roles.administrator
        or activity.school_id in roles.schools
        or activity.country_id in roles.national_coordinator_in
    )


def network_countries(roles: Roles) -> frozenset[int]:
    """The countries in whose network this person holds a role: the countries of their schools
    that are in the network, and the countries they review for or coordinate."""
    schools = frozenset(
        country for school, country in roles.school_country.items() if school in roles.in_network
    )
    return schools | roles.reviewer_in | roles.national_coordinator_in


def can_view_activity(user: Visitor, activity: ActivityScope) -> bool:
    """Public activities are anyone's to read; network-only ones are read by people with a role
    in the activity's country (school roles of its schools, reviewers, the national
    coordinator) and administrators. Either only while its school is listed in the directory
    (LIBRARY_SCHOOL_STATUSES, the directory's public statuses): the activities of a school that
    withdrew or was excluded stay readable by its own people, the country's national
    coordinator and administrators only (as asphub.activities.selectors.activities_visible_to)."""
    roles = roles_of(user)
    if (
        roles.administrator
        or activity.school_id in roles.schools
        or activity.country_id in roles.national_coordinator_in
    ):
        return True
    if activity.school.membership_status not in LIBRARY_SCHOOL_STATUSES:
        return False
    return activity.visibility == ACTIVITY_PUBLIC or activity.country_id in network_countries(roles)


# -- network events --------------------------------------------------------------------------

# An event's status and visibility as the permission layer reads them (asphub.events defines
# them). A cancelled event keeps its page, marked cancelled, if it was ever published.
EVENT_DRAFT = "draft"
EVENT_PUBLIC = "public"


def can_manage_events(user: Visitor, country: Country) -> bool:
    """Create, change, publish and cancel the country's network events, see who registered,
    record attendance: the national coordinator (and administrators)."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_view_event(user: Visitor, event: EventScope) -> bool:
    """A published public event is open to everyone; a network-only one to people with a role
    in its country; a draft (or an event cancelled before it was published) only to those who
    manage the country's events."""
    roles = roles_of(user)
    if roles.administrator or event.country_id in roles.national_coordinator_in:
        return True
    if event.status == EVENT_DRAFT or event.published_at is None:
        return False
    return event.visibility == EVENT_PUBLIC or event.country_id in network_countries(roles)


def can_register_school(user: Visitor, school: SchoolScope) -> bool:
    """Register the school for network events: its school coordinator speaks for it (an
    administrator may, on its behalf), while the school is in the network."""
    if school.membership_status not in LIBRARY_SCHOOL_STATUSES:
        return False
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.coordinator_of


def can_change_school_registration(user: Visitor, school: SchoolScope) -> bool:
    """Change whom the school sends to an event, or cancel its registration: its school
    coordinator (and administrators), whatever the school's status is now."""
    roles = roles_of(user)
    return roles.administrator or school.pk in roles.coordinator_of


def can_view_registrations(user: Visitor, event: EventScope) -> bool:
    """Every school registered for the event, with the names of its participants."""
    roles = roles_of(user)
    return roles.administrator or event.country_id in roles.national_coordinator_in


def can_see_online_link(
    user: Visitor, event: EventScope, confirmed_school_ids: Iterable[Any] = ()
) -> bool:
    """An online event's link goes to the schools with a confirmed place (their people: pass
    the ids of the schools confirmed for the event) and to those who manage the country's
    events; everyone else sees only that the event is online, so that a public page, feed or
    a waiting school's e-mail cannot fill the meeting."""
    roles = roles_of(user)
    if roles.administrator or event.country_id in roles.national_coordinator_in:
        return True
    return bool(roles.schools & set(confirmed_school_ids))


def can_view_school_attendance(user: Visitor, school: SchoolScope) -> bool:
    """The school's attendance at network events: its own people and its country's national
    coordinator, never the public."""
    roles = roles_of(user)
    return (
        roles.administrator
        or school.pk in roles.schools
        or school.country_id in roles.national_coordinator_in
    )


def needs_two_factor(user: Visitor) -> bool:
    return roles_of(user).needs_two_factor


# Every action, by name, with the kind of object it is checked against. The permission-matrix
# test walks this table; a new action added here is tested for every role automatically.
ACTIONS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "school.view_workspace": ("school", can_view_school_workspace),
    "school.edit_profile": ("school", can_edit_school_profile),
    "school.request_withdrawal": ("school", can_request_withdrawal),
    "country.manage_schools": ("country", can_manage_schools),
    "country.edit_contact": ("country", can_edit_country),
    "country.decide_membership": ("country", can_decide_membership),
    "country.view_audit_log": ("country", can_view_audit_log),
    "school.invite_teacher": (
        "school",
        lambda user, school: can_invite(user, Role.TEACHER, school=school),
    ),
    "school.invite_coordinator": (
        "school",
        lambda user, school: can_invite(user, Role.SCHOOL_COORDINATOR, school=school),
    ),
    "country.invite_reviewer": (
        "country",
        lambda user, country: can_invite(user, Role.REVIEWER, country=country),
    ),
    "country.invite_national_coordinator": (
        "country",
        lambda user, country: can_invite(user, Role.NATIONAL_COORDINATOR, country=country),
    ),
    "school.author_practice": ("school", can_author_practice),
    "country.author_network_material": ("country", can_author_network_material),
    "country.manage_library": ("country", can_manage_library),
    "practice.edit": ("practice", can_edit_practice),
    "practice.submit": ("practice", can_submit_practice),
    "practice.view": ("practice", can_view_practice),
    "practice.review": ("practice", can_review_practice),
    "school.record_activity": ("school", can_record_activity),
    "activity.edit": ("activity", can_edit_activity),
    "activity.delete": ("activity", can_delete_activity),
    "activity.remove_photo": ("activity", can_remove_activity_photo),
    "activity.view": ("activity", can_view_activity),
    "country.manage_events": ("country", can_manage_events),
    "event.view": ("event", can_view_event),
    "event.view_registrations": ("event", can_view_registrations),
    "school.register_for_events": ("school", can_register_school),
    "school.change_event_registration": ("school", can_change_school_registration),
    "school.view_event_attendance": ("school", can_view_school_attendance),
    "school.manage_partner_search": ("school", can_manage_partner_search),
    # Not about one school: whoever may write to partners may write to any listed school
    # (the service refuses one's own school).
    "school.contact_partner": ("school", lambda user, school: can_contact_partner(user)),
}


# -- queryset filters -------------------------------------------------------------------------


def workspace_schools(user: Visitor, queryset: QuerySet) -> QuerySet:
    """Of these schools, those whose workspace this person may open."""
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(
        Q(pk__in=roles.schools) | Q(country_id__in=roles.national_coordinator_in)
    )


def coordinated_countries(user: Visitor, queryset: QuerySet | None = None) -> QuerySet:
    """Countries whose network this person coordinates (all of them for administrators)."""
    queryset = Country.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(pk__in=roles.national_coordinator_in)


def visible_events(user: Visitor, queryset: QuerySet) -> QuerySet:
    """Of these network events, those this person may open (as can_view_event)."""
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    shown = ~Q(status=EVENT_DRAFT) & Q(published_at__isnull=False)
    return queryset.filter(
        Q(country_id__in=roles.national_coordinator_in)
        | (shown & (Q(visibility=EVENT_PUBLIC) | Q(country_id__in=network_countries(roles))))
    )


def visible_audit_entries(user: Visitor) -> QuerySet[AuditEntry]:
    """The audit log entries this person may read: their countries' (all for administrators)."""
    roles = roles_of(user)
    if roles.administrator:
        return audit_entries()
    if not roles.national_coordinator_in:
        return audit_entries().none()
    return audit_entries(country_codes=coordinated_countries(user).values_list("code", flat=True))


def manageable_role_assignments(
    user: Visitor, queryset: RoleAssignmentQuerySet | None = None
) -> QuerySet:
    """Active roles this person may take back."""
    queryset = (RoleAssignment.objects.all() if queryset is None else queryset).active()
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(_manageable_scope(roles))


def manageable_invitations(user: Visitor, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Invitation.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(_manageable_scope(roles))


def _manageable_scope(roles: Roles) -> Q:
    return (
        Q(role=Role.TEACHER, school_id__in=roles.coordinator_of)
        | Q(
            role=Role.SCHOOL_COORDINATOR,
            school__country_id__in=roles.national_coordinator_in,
        )
        | Q(role=Role.REVIEWER, country_id__in=roles.national_coordinator_in)
    )
