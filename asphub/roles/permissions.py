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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from .models import Role, RoleAssignment

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

    @property
    def schools(self) -> frozenset[int]:
        return self.teacher_of | self.coordinator_of

    @property
    def needs_two_factor(self) -> bool:
        return self.administrator or bool(self.national_coordinator_in)


NO_ROLES = Roles()


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user: Any) -> Roles:
    if not _signed_in(user):
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    teacher, coordinator, reviewer, national = set(), set(), set(), set()
    school_country: dict[int, int] = {}
    administrator = bool(user.is_superuser)
    rows = RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).values_list(
        "role", "school_id", "country_id", "school__country_id"
    )
    for role, school_id, country_id, school_country_id in rows:
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
    )
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def forget_roles(user: Any) -> None:
    """Drop the roles kept on this user object (after a grant or revoke in the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


# -- checks on a school ---------------------------------------------------------------------


def can_view_school_workspace(user: Any, school: Any) -> bool:
    """The school's team page: its teachers, coordinators and invitations."""
    roles = roles_of(user)
    return (
        roles.administrator
        or school.pk in roles.schools
        or school.country_id in roles.national_coordinator_in
    )


def can_edit_school_profile(user: Any, school: Any) -> bool:
    roles = roles_of(user)
    return (
        roles.administrator
        or school.pk in roles.coordinator_of
        or school.country_id in roles.national_coordinator_in
    )


def can_manage_schools(user: Any, country: Any) -> bool:
    """Add, import and change the schools of a country (the national directory)."""
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


# -- giving and taking roles ----------------------------------------------------------------


def can_invite(user: Any, role: str, *, school: Any = None, country: Any = None) -> bool:
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


def can_revoke_role(user: Any, assignment: RoleAssignment) -> bool:
    """Taking a role back is allowed to whoever may give it."""
    return can_invite(user, assignment.role, school=assignment.school, country=assignment.country)


def invitable_roles(user: Any) -> list[Role]:
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


def can_view_audit_log(user: Any, country: Any) -> bool:
    roles = roles_of(user)
    return roles.administrator or country.pk in roles.national_coordinator_in


def can_view_any_audit_log(user: Any) -> bool:
    roles = roles_of(user)
    return roles.administrator or bool(roles.national_coordinator_in)


def needs_two_factor(user: Any) -> bool:
    return roles_of(user).needs_two_factor


# Every action, by name, with the kind of object it is checked against. The permission-matrix
# test walks this table; a new action added here is tested for every role automatically.
ACTIONS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "school.view_workspace": ("school", can_view_school_workspace),
    "school.edit_profile": ("school", can_edit_school_profile),
    "country.manage_schools": ("country", can_manage_schools),
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
}


# -- queryset filters -------------------------------------------------------------------------


def workspace_schools(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Schools whose workspace this person may open."""
    from asphub.schools.models import School

    queryset = School.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(
        Q(pk__in=roles.schools) | Q(country_id__in=roles.national_coordinator_in)
    )


def coordinated_countries(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Countries whose network this person coordinates (all of them for administrators)."""
    from asphub.countries.models import Country

    queryset = Country.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(pk__in=roles.national_coordinator_in)


def visible_audit_entries(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    from asphub.core.models import AuditEntry

    queryset = AuditEntry.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    if not roles.national_coordinator_in:
        return queryset.none()
    codes = coordinated_countries(user).values_list("code", flat=True)
    return queryset.filter(country_code__in=list(codes))


def manageable_role_assignments(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Active roles this person may take back."""
    queryset = RoleAssignment.objects.all() if queryset is None else queryset
    queryset = queryset.filter(revoked_at__isnull=True)
    roles = roles_of(user)
    if roles.administrator:
        return queryset
    return queryset.filter(_manageable_scope(roles))


def manageable_invitations(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    from .models import Invitation

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


__all__ = [
    "ACTIONS",
    "Roles",
    "can_edit_school_profile",
    "can_invite",
    "can_manage_schools",
    "can_revoke_role",
    "can_view_audit_log",
    "can_view_school_workspace",
    "coordinated_countries",
    "forget_roles",
    "invitable_roles",
    "manageable_invitations",
    "manageable_role_assignments",
    "roles_of",
    "visible_audit_entries",
    "workspace_schools",
]
