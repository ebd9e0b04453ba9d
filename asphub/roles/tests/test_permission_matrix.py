"""The permission matrix: every role against every action, where it holds its role and where it
does not, first through the permission layer and then through the pages people actually open.

The expected results are written out here by hand, from what each role is for; they are never
read from the code under test. Setting: Latvia with two schools (A, the actors' own school, and B)
and Estonia with one school (E). The actors are a teacher and a school coordinator of school A, a
reviewer and a national coordinator of Latvia, an administrator, a signed-in person with no role
and an anonymous visitor (and, for the permission layer alone, a superuser, a coordinator whose
role was taken back and a coordinator whose account is deactivated).

The world is built once for the whole module (`world_once`) and every test starts from it
unchanged: whatever a test writes, allowed or not, is rolled back before the next one.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from asphub.accounts.models import User
from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.activities.models import Activity
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.services import audit_record
from asphub.countries.models import CONTACT_FIELDS, Country
from asphub.events.models import EventStatus, EventVisibility, NetworkEvent
from asphub.practices.models import Practice, PracticeStatus
from asphub.roles import permissions
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.services import invitation_create, role_revoke
from asphub.roles.tests.factories import InvitationFactory, grant, person_with
from asphub.schools.models import School
from asphub.schools.tests.factories import CountryFactory, SchoolFactory

pytestmark = pytest.mark.django_db

OWN_SCHOOL = "Ozolu pamatskola"
OTHER_SCHOOL = "Bērzu vidusskola"
FOREIGN_SCHOOL = "Tallinna Kesklinna Kool"
LATVIAN_MARKER = "Marker entry of the Latvian network"
ESTONIAN_MARKER = "Marker entry of the Estonian network"


# -- the world --------------------------------------------------------------------------------


@dataclass
class World:
    schools: dict[str, School]  # "own" (A, Latvia), "other" (B, Latvia), "foreign" (E, Estonia)
    countries: dict[str, Country]  # "own" (Latvia), "foreign" (Estonia)
    actors: dict[str, Any]
    # Roles and open invitations held by other people: what the actors try to take back.
    assignments: dict[str, RoleAssignment]
    invitations: dict[str, Invitation]
    practices: dict[str, Practice]
    activities: dict[str, Activity]
    events: dict[str, NetworkEvent]

    def target(
        self, kind: str, where: str
    ) -> School | Country | Practice | Activity | NetworkEvent:
        if kind == "event":
            return self.events[where]
        if kind == "practice":
            return self.practices[where]
        if kind == "activity":
            return self.activities[where]
        return self.schools[where] if kind == "school" else self.countries[where]


def build_world() -> World:
    latvia = CountryFactory(code="LV", name_lv="Latvija", name_en="Latvia")
    estonia = CountryFactory(code="EE", name_lv="Igaunija", name_en="Estonia")
    own = SchoolFactory(country=latvia, name=OWN_SCHOOL)
    other = SchoolFactory(country=latvia, name=OTHER_SCHOOL)
    foreign = SchoolFactory(country=estonia, name=FOREIGN_SCHOOL)

    former = person_with(Role.SCHOOL_COORDINATOR, school=own, email="former@example.org")
    role_revoke(actor=StandIn.COMMAND_LINE, assignment=RoleAssignment.objects.get(user=former))
    actors: dict[str, Any] = {
        "teacher": person_with(Role.TEACHER, school=own, email="teacher@example.org"),
        "school_coordinator": person_with(
            Role.SCHOOL_COORDINATOR, school=own, email="coordinator@example.org"
        ),
        "reviewer": person_with(Role.REVIEWER, country=latvia, email="reviewer@example.org"),
        "national_coordinator": person_with(
            Role.NATIONAL_COORDINATOR, country=latvia, email="national@example.org"
        ),
        "administrator": person_with(Role.ADMINISTRATOR, email="admin@example.org"),
        "superuser": UserFactory(email="root@example.org", is_superuser=True, is_staff=True),
        "former_school_coordinator": User.objects.get(pk=former.pk),
        "deactivated_school_coordinator": person_with(
            Role.SCHOOL_COORDINATOR, school=own, email="gone@example.org", is_active=False
        ),
        "no_role": UserFactory(email="nobody@example.org"),
        "anonymous": AnonymousUser(),
    }

    def held(key: str, role: Role, **scope: Any) -> RoleAssignment:
        person = UserFactory(
            email=f"{key.replace('_', '-')}@example.org", full_name=f"Target {key}"
        )
        return grant(person, role, **scope)

    # The same targets as held roles and as open invitations.
    targets: dict[str, tuple[Role, dict[str, Any]]] = {
        "teacher_own_school": (Role.TEACHER, {"school": own}),
        "teacher_other_school": (Role.TEACHER, {"school": other}),
        "coordinator_other_school": (Role.SCHOOL_COORDINATOR, {"school": other}),
        "coordinator_foreign_school": (Role.SCHOOL_COORDINATOR, {"school": foreign}),
        "reviewer_own_country": (Role.REVIEWER, {"country": latvia}),
        "reviewer_foreign_country": (Role.REVIEWER, {"country": estonia}),
        "national_coordinator_own_country": (Role.NATIONAL_COORDINATOR, {"country": latvia}),
    }
    assignments = {key: held(key, role, **scope) for key, (role, scope) in targets.items()}

    def invited(key: str, role: Role, **scope: Any) -> Invitation:
        return InvitationFactory(
            email=f"invited-{key.replace('_', '-')}@example.org", role=role, **scope
        )

    invitations = {key: invited(key, role, **scope) for key, (role, scope) in targets.items()}
    audit_record(
        actor=StandIn.COMMAND_LINE, action="test.marker", country_code="LV", note=LATVIAN_MARKER
    )
    audit_record(
        actor=StandIn.COMMAND_LINE, action="test.marker", country_code="EE", note=ESTONIAN_MARKER
    )

    def item(key: str, status: str, school: School | None, country: Country) -> Practice:
        return Practice.objects.create(
            country=country, school=school, title=f"Item {key}", summary="-", status=status
        )

    practices = {
        "own_draft": item("own_draft", PracticeStatus.DRAFT, own, latvia),
        "own_changes": item("own_changes", PracticeStatus.CHANGES_REQUESTED, own, latvia),
        "own_submitted": item("own_submitted", PracticeStatus.IN_REVIEW, own, latvia),
        "own_published": item("own_published", PracticeStatus.PUBLISHED, own, latvia),
        "other_submitted": item("other_submitted", PracticeStatus.SUBMITTED, other, latvia),
        "other_published": item("other_published", PracticeStatus.PUBLISHED, other, latvia),
        "foreign_submitted": item("foreign_submitted", PracticeStatus.SUBMITTED, foreign, estonia),
        "network_draft": item("network_draft", PracticeStatus.DRAFT, None, latvia),
    }

    def activity(key: str, school: School, visibility: str, created_by: Any = None) -> Activity:
        day = datetime.date(2025, 3, 22)
        return Activity.objects.create(
            school=school,
            country=school.country,
            title=f"Activity {key}",
            starts_on=day,
            ends_on=day,
            visibility=visibility,
            created_by=created_by,
        )

    activities = {
        # Recorded by the teacher among the actors (who may delete what they recorded).
        "own_public": activity("own_public", own, "public", created_by=actors["teacher"]),
        "own_network": activity("own_network", own, "network"),
        "other_network": activity("other_network", other, "network"),
        "foreign_public": activity("foreign_public", foreign, "public"),
        "foreign_network": activity("foreign_network", foreign, "network"),
    }

    def event(key: str, country: Country, status: str, visibility: str) -> NetworkEvent:
        starts = datetime.datetime(2030, 5, 4, 10, tzinfo=datetime.UTC)
        return NetworkEvent.objects.create(
            country=country,
            title=f"Event {key}",
            description="-",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            registration_deadline=starts - datetime.timedelta(days=7),
            place="Rīga",
            capacity=10,
            status=status,
            visibility=visibility,
            published_at=None if key.endswith("draft") else starts - datetime.timedelta(days=30),
        )

    published, cancelled, draft = EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.DRAFT
    public, network = EventVisibility.PUBLIC, EventVisibility.NETWORK
    events = {
        "own_public": event("own_public", latvia, published, public),
        "own_network": event("own_network", latvia, published, network),
        "own_draft": event("own_draft", latvia, draft, public),
        # Called off before it was ever published: still nobody else's to see.
        "own_cancelled_draft": event("own_cancelled_draft", latvia, cancelled, public),
        "foreign_network": event("foreign_network", estonia, published, network),
        "foreign_draft": event("foreign_draft", estonia, draft, public),
    }
    return World(
        schools={"own": own, "other": other, "foreign": foreign},
        countries={"own": latvia, "foreign": estonia},
        actors=actors,
        assignments=assignments,
        invitations=invitations,
        practices=practices,
        activities=activities,
        events=events,
    )


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker) -> Iterator[tuple[World, dict[str, list]]]:
    """The world and its rows, built once for the module inside a transaction that is rolled
    back when the module is done. Each test runs in a savepoint inside it (pytest-django's
    `db`), which is rolled back after the test: the allowed writes of one test never reach the
    next. (This needs every test here to be non-transactional: no `transactional_db` or
    `live_server`, whose flush would empty the world.)"""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built, snapshot()
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, db) -> World:
    """The module's world as fresh objects (as Django's setUpTestData gives them): what a test
    changes on them in memory, e.g. by refresh_from_db() after a write, does not reach the
    next test either."""
    built, rows = world_once
    assert snapshot() == rows, "an earlier test left the world changed"
    return copy.deepcopy(built)


def snapshot() -> dict[str, list]:
    """Everything a refused request must leave exactly as it was."""
    return {
        "roles": list(RoleAssignment.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
        "people": list(
            User.objects.order_by("pk").values_list("pk", "email", "is_staff", "is_active")
        ),
    }


# -- (a) the permission layer: every actor x every action x every target ---------------------

MATRIX_ACTORS = (
    "teacher",
    "school_coordinator",
    "reviewer",
    "national_coordinator",
    "administrator",
    "superuser",
    "former_school_coordinator",
    "deactivated_school_coordinator",
    "no_role",
    "anonymous",
)
TARGETS = {
    "school": ("own", "other", "foreign"),
    "country": ("own", "foreign"),
    "practice": (
        "own_draft",
        "own_changes",
        "own_submitted",
        "own_published",
        "other_submitted",
        "other_published",
        "foreign_submitted",
        "network_draft",
    ),
    "activity": ("own_public", "own_network", "other_network", "foreign_public", "foreign_network"),
    "event": (
        "own_public",
        "own_network",
        "own_draft",
        "own_cancelled_draft",
        "foreign_network",
        "foreign_draft",
    ),
}
EVERY_SCHOOL = frozenset(TARGETS["school"])
EVERY_COUNTRY = frozenset(TARGETS["country"])

# action: (kind of target, {actor: targets where it is allowed}). An actor not named is refused
# everywhere. "own" is school A / Latvia, "other" school B (also in Latvia), "foreign" Estonia.
EXPECTED: dict[str, tuple[str, dict[str, frozenset[str]]]] = {
    "school.view_workspace": (
        "school",
        {
            "teacher": frozenset({"own"}),
            "school_coordinator": frozenset({"own"}),
            "national_coordinator": frozenset({"own", "other"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "school.edit_profile": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "national_coordinator": frozenset({"own", "other"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    # Only the school itself asks to leave the network (the national coordinator records it).
    "school.request_withdrawal": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "country.manage_schools": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # Applications and statuses: the country's own national coordinator, and administrators.
    "country.decide_membership": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # The country's contact details: its own national coordinator, and administrators.
    "country.edit_contact": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    "country.view_audit_log": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # Teachers are invited by their school's coordinator (not by the national coordinator).
    "school.invite_teacher": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "school.invite_coordinator": (
        "school",
        {
            "national_coordinator": frozenset({"own", "other"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "country.invite_reviewer": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # Only an administrator makes national coordinators.
    "country.invite_national_coordinator": (
        "country",
        {"administrator": EVERY_COUNTRY, "superuser": EVERY_COUNTRY},
    ),
    # The library: a school's teachers and coordinator write its items ...
    "school.author_practice": (
        "school",
        {
            "teacher": frozenset({"own"}),
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    # ... the national coordinator the network's own materials, and runs the review.
    "country.author_network_material": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    "country.manage_library": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # Drafts and items sent back are changed by their authors only (never in review).
    "practice.edit": (
        "practice",
        {
            "teacher": frozenset({"own_draft", "own_changes"}),
            "school_coordinator": frozenset({"own_draft", "own_changes"}),
            "national_coordinator": frozenset({"network_draft"}),
            "administrator": frozenset({"own_draft", "own_changes", "network_draft"}),
            "superuser": frozenset({"own_draft", "own_changes", "network_draft"}),
        },
    ),
    # The school coordinator speaks for the school; teachers draft.
    "practice.submit": (
        "practice",
        {
            "school_coordinator": frozenset({"own_draft", "own_changes"}),
            "national_coordinator": frozenset({"network_draft"}),
            "administrator": frozenset({"own_draft", "own_changes", "network_draft"}),
            "superuser": frozenset({"own_draft", "own_changes", "network_draft"}),
        },
    ),
    # Published items are public; a school's drafts are its own; from submission on, its
    # country's national coordinator reads them too.
    "practice.view": (
        "practice",
        {
            **{
                actor: frozenset({"own_published", "other_published"})
                for actor in (
                    "reviewer",
                    "former_school_coordinator",
                    "deactivated_school_coordinator",
                    "no_role",
                    "anonymous",
                )
            },
            "teacher": frozenset(
                {"own_draft", "own_changes", "own_submitted", "own_published", "other_published"}
            ),
            "school_coordinator": frozenset(
                {"own_draft", "own_changes", "own_submitted", "own_published", "other_published"}
            ),
            "national_coordinator": frozenset(
                {
                    "own_changes",
                    "own_submitted",
                    "own_published",
                    "other_submitted",
                    "other_published",
                    "network_draft",
                }
            ),
            "administrator": frozenset(TARGETS["practice"]),
            "superuser": frozenset(TARGETS["practice"]),
        },
    ),
    # Who could be assigned as a reviewer: the country's reviewers, never of the item's school.
    "practice.review": (
        "practice",
        {"reviewer": frozenset(TARGETS["practice"]) - {"foreign_submitted"}},
    ),
    # Activities: a school's teachers and coordinator record and change them ...
    "school.record_activity": (
        "school",
        {
            "teacher": frozenset({"own"}),
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "activity.edit": (
        "activity",
        {
            "teacher": frozenset({"own_public", "own_network"}),
            "school_coordinator": frozenset({"own_public", "own_network"}),
            "administrator": frozenset(TARGETS["activity"]),
            "superuser": frozenset(TARGETS["activity"]),
        },
    ),
    # ... a teacher deletes what they recorded, the coordinator any of the school's, and the
    # national coordinator takes down any of the country's ...
    "activity.delete": (
        "activity",
        {
            "teacher": frozenset({"own_public"}),
            "school_coordinator": frozenset({"own_public", "own_network"}),
            "national_coordinator": frozenset({"own_public", "own_network", "other_network"}),
            "administrator": frozenset(TARGETS["activity"]),
            "superuser": frozenset(TARGETS["activity"]),
        },
    ),
    "activity.remove_photo": (
        "activity",
        {
            "teacher": frozenset({"own_public", "own_network"}),
            "school_coordinator": frozenset({"own_public", "own_network"}),
            "national_coordinator": frozenset({"own_public", "own_network", "other_network"}),
            "administrator": frozenset(TARGETS["activity"]),
            "superuser": frozenset(TARGETS["activity"]),
        },
    ),
    # ... public ones are anyone's; network-only ones are read by whoever holds a role in the
    # country's network (a role taken back, or an account closed, reads the public ones only).
    "activity.view": (
        "activity",
        {
            **{
                actor: frozenset({"own_public", "foreign_public"})
                for actor in (
                    "former_school_coordinator",
                    "deactivated_school_coordinator",
                    "no_role",
                    "anonymous",
                )
            },
            **{
                actor: frozenset({"own_public", "own_network", "other_network", "foreign_public"})
                for actor in ("teacher", "school_coordinator", "reviewer", "national_coordinator")
            },
            "administrator": frozenset(TARGETS["activity"]),
            "superuser": frozenset(TARGETS["activity"]),
        },
    ),
    # Partner finding: the school coordinator speaks for the school ...
    "school.manage_partner_search": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    # ... and any school's team or national coordinator may write to a listed school.
    "school.contact_partner": (
        "school",
        {
            "teacher": EVERY_SCHOOL,
            "school_coordinator": EVERY_SCHOOL,
            "national_coordinator": EVERY_SCHOOL,
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    # Network events: the national coordinator runs the country's ...
    "country.manage_events": (
        "country",
        {
            "national_coordinator": frozenset({"own"}),
            "administrator": EVERY_COUNTRY,
            "superuser": EVERY_COUNTRY,
        },
    ),
    # ... a published public event is everyone's to read, a network-only one the country's
    # network's, a draft its managers' only ...
    "event.view": (
        "event",
        {
            **{
                actor: frozenset({"own_public"})
                for actor in (
                    "former_school_coordinator",
                    "deactivated_school_coordinator",
                    "no_role",
                    "anonymous",
                )
            },
            **{
                actor: frozenset({"own_public", "own_network"})
                for actor in ("teacher", "school_coordinator", "reviewer")
            },
            "national_coordinator": frozenset(
                {"own_public", "own_network", "own_draft", "own_cancelled_draft"}
            ),
            "administrator": frozenset(TARGETS["event"]),
            "superuser": frozenset(TARGETS["event"]),
        },
    ),
    "event.view_registrations": (
        "event",
        {
            "national_coordinator": frozenset(
                {"own_public", "own_network", "own_draft", "own_cancelled_draft"}
            ),
            "administrator": frozenset(TARGETS["event"]),
            "superuser": frozenset(TARGETS["event"]),
        },
    ),
    # ... the school coordinator registers the school (teachers do not) ...
    "school.register_for_events": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    "school.change_event_registration": (
        "school",
        {
            "school_coordinator": frozenset({"own"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
    # ... and the school's attendance is its own people's and its national coordinator's.
    "school.view_event_attendance": (
        "school",
        {
            "teacher": frozenset({"own"}),
            "school_coordinator": frozenset({"own"}),
            "national_coordinator": frozenset({"own", "other"}),
            "administrator": EVERY_SCHOOL,
            "superuser": EVERY_SCHOOL,
        },
    ),
}


def _matrix_cases() -> list:
    cases = []
    for action, (kind, _check) in permissions.ACTIONS.items():
        for where in TARGETS[kind]:
            for actor in MATRIX_ACTORS:
                cases.append(pytest.param(actor, action, where, id=f"{actor}-{action}-{where}"))
    return cases


def test_the_expectation_table_names_every_action_with_its_kind_of_target():
    assert set(EXPECTED) == set(permissions.ACTIONS)
    for action, (kind, _check) in permissions.ACTIONS.items():
        assert EXPECTED[action][0] == kind, action


@pytest.mark.parametrize(("actor", "action", "where"), _matrix_cases())
def test_permission_matrix(world, actor, action, where):
    kind, expected_by_actor = EXPECTED[action]
    _kind, check = permissions.ACTIONS[action]
    allowed = where in expected_by_actor.get(actor, frozenset())
    target = world.target(kind, where)
    assert check(world.actors[actor], target) is allowed, (
        f"{actor} {'should' if allowed else 'should not'} be allowed {action} on {where} {kind}"
    )


# What each actor finds through the queryset filters: exactly its own scope, nothing more.
EVERY_TARGET = frozenset(
    {
        "teacher_own_school",
        "teacher_other_school",
        "coordinator_other_school",
        "coordinator_foreign_school",
        "reviewer_own_country",
        "reviewer_foreign_country",
        "national_coordinator_own_country",
    }
)
WORKSPACES = {
    "teacher": {OWN_SCHOOL},
    "school_coordinator": {OWN_SCHOOL},
    "national_coordinator": {OWN_SCHOOL, OTHER_SCHOOL},
    "administrator": {OWN_SCHOOL, OTHER_SCHOOL, FOREIGN_SCHOOL},
    "superuser": {OWN_SCHOOL, OTHER_SCHOOL, FOREIGN_SCHOOL},
}
COUNTRIES = {
    "national_coordinator": {"LV"},
    "administrator": {"LV", "EE"},
    "superuser": {"LV", "EE"},
}
MANAGEABLE = {
    "school_coordinator": {"teacher_own_school"},
    "national_coordinator": {"coordinator_other_school", "reviewer_own_country"},
    "administrator": set(EVERY_TARGET),
    "superuser": set(EVERY_TARGET),
}
AUDIT_MARKERS = {
    "national_coordinator": {LATVIAN_MARKER},
    "administrator": {LATVIAN_MARKER, ESTONIAN_MARKER},
    "superuser": {LATVIAN_MARKER, ESTONIAN_MARKER},
}


@pytest.mark.parametrize("actor", MATRIX_ACTORS)
def test_each_actor_finds_exactly_the_objects_of_its_scope(world, actor):
    user = world.actors[actor]
    schools = set(
        permissions.workspace_schools(user, School.objects.all()).values_list("name", flat=True)
    )
    assert schools == WORKSPACES.get(actor, set())
    countries = set(permissions.coordinated_countries(user).values_list("code", flat=True))
    assert countries == COUNTRIES.get(actor, set())

    expected = MANAGEABLE.get(actor, set())
    roles = set(permissions.manageable_role_assignments(user).values_list("pk", flat=True))
    assert {key for key, a in world.assignments.items() if a.pk in roles} == expected
    invitations = set(permissions.manageable_invitations(user).values_list("pk", flat=True))
    assert {key for key, i in world.invitations.items() if i.pk in invitations} == expected

    notes = set(
        permissions.visible_audit_entries(user)
        .filter(action="test.marker")
        .values_list("note", flat=True)
    )
    assert notes == AUDIT_MARKERS.get(actor, set())


@pytest.mark.parametrize("actor", MATRIX_ACTORS)
def test_the_roles_one_may_take_back_are_the_roles_one_finds(world, actor):
    """The check on one role and the list of roles agree, for every active role there is."""
    user = world.actors[actor]
    listed = set(permissions.manageable_role_assignments(user).values_list("pk", flat=True))
    for assignment in RoleAssignment.objects.filter(revoked_at__isnull=True).select_related(
        "school", "country"
    ):
        assert permissions.can_revoke_role(user, assignment) is (assignment.pk in listed), (
            assignment
        )


def test_a_persons_roles_are_read_with_one_query(world, django_assert_num_queries):
    user = User.objects.get(email="national@example.org")
    with django_assert_num_queries(1):
        for _action, (kind, check) in permissions.ACTIONS.items():
            for where in TARGETS[kind]:
                check(user, world.target(kind, where))


# -- (b) the pages: every actor against every dashboard URL -----------------------------------

DONE = "done"  # the change is made and the person is sent back (302)
INVALID = "invalid"  # the form comes back (200) with an error; nothing is written
SIGN_IN = "sign-in"  # anonymous visitors are sent to the sign-in page
HTTP_ACTORS = (
    "teacher",
    "school_coordinator",
    "reviewer",
    "national_coordinator",
    "administrator",
    "no_role",
    "anonymous",
)
TWO_FACTOR_ACTORS = {"national_coordinator", "administrator"}

# fmt: off
#                     teacher  coord  reviewer  national  admin  no role  anonymous
PAGES = {
    "index":           (200,   200,   200,      200,      200,   200,     SIGN_IN),
    "school_own":      (200,   200,   404,      200,      200,   404,     SIGN_IN),
    "school_other":    (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "school_foreign":  (404,   404,   404,      404,      200,   404,     SIGN_IN),
    "country_own":     (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "country_foreign": (404,   404,   404,      404,      200,   404,     SIGN_IN),
    "contact_own":     (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "contact_foreign": (404,   404,   404,      404,      200,   404,     SIGN_IN),
    "audit_log":       (403,   403,   403,      200,      200,   403,     SIGN_IN),
    "audit_csv":       (403,   403,   403,      200,      200,   403,     SIGN_IN),
    "membership":      (403,   403,   403,      200,      200,   403,     SIGN_IN),
    "case_own":        (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "case_foreign":    (404,   404,   404,      404,      200,   404,     SIGN_IN),
    "act_on_own":      (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "act_on_foreign":  (404,   404,   404,      404,      200,   404,     SIGN_IN),
    "rules_own":       (404,   404,   404,      200,      200,   404,     SIGN_IN),
    "rules_foreign":   (404,   404,   404,      404,      200,   404,     SIGN_IN),
    # The library: a school's drafts are its own; from submission on, the national coordinator
    # reads them; reviewers only what is assigned to them (nothing here).
    # Pages of a role the person does not hold say so (403), as the membership queue does.
    "library_mine":           (200, 200,  403,      200,      200,   403,     SIGN_IN),
    "library_reviews":        (403, 403,  200,      403,      403,   403,     SIGN_IN),
    # The national coordinator sees the school's workspace but writes network materials only.
    "library_new_own":        (200, 200,  404,      403,      200,   404,     SIGN_IN),
    "library_new_other":      (404, 404,  404,      403,      200,   404,     SIGN_IN),
    "library_new_network":    (404, 404,  404,      200,      200,   404,     SIGN_IN),
    "library_new_network_ee": (404, 404,  404,      404,      200,   404,     SIGN_IN),
    "library_own_draft":      (200, 200,  404,      404,      200,   404,     SIGN_IN),
    "library_edit_own_draft": (200, 200,  404,      404,      200,   404,     SIGN_IN),
    "library_other_submitted":(404, 404,  404,      200,      200,   404,     SIGN_IN),
    "library_foreign_item":   (404, 404,  404,      404,      200,   404,     SIGN_IN),
    "library_assign_other":   (404, 404,  404,      200,      200,   404,     SIGN_IN),
    "library_assign_foreign": (404, 404,  404,      404,      200,   404,     SIGN_IN),
    "library_queue_own":      (404, 404,  404,      200,      200,   404,     SIGN_IN),
    "library_queue_foreign":  (404, 404,  404,      404,      200,   404,     SIGN_IN),
    "library_rubric_own":     (404, 404,  404,      200,      200,   404,     SIGN_IN),
    "library_rubric_foreign": (404, 404,  404,      404,      200,   404,     SIGN_IN),
    # Activities: the school's own list and editor as the library's; a network-only activity's
    # page is read by the country's network (a public page: no sign-in, simply not found).
    "activities_own":           (200, 200, 404,     200,      200,   404,     SIGN_IN),
    "activities_other":         (404, 404, 404,     200,      200,   404,     SIGN_IN),
    "activities_foreign":       (404, 404, 404,     404,      200,   404,     SIGN_IN),
    "activities_new_own":       (200, 200, 404,     403,      200,   404,     SIGN_IN),
    "activities_new_other":     (404, 404, 404,     403,      200,   404,     SIGN_IN),
    "activity_edit_own":        (200, 200, 404,     403,      200,   404,     SIGN_IN),
    "activity_own_network":     (200, 200, 200,     200,      200,   404,     404),
    "activity_foreign_network": (404, 404, 404,     404,      200,   404,     404),
    # Network events: the national coordinator's pages (another role: 403 on the list, the
    # events themselves not found); an event's public page as an activity's.
    "events_manage":              (403, 403, 403,   200,      200,   403,     SIGN_IN),
    "events_new_own":             (404, 404, 404,   200,      200,   404,     SIGN_IN),
    "events_new_foreign":         (404, 404, 404,   404,      200,   404,     SIGN_IN),
    "event_manage_own_draft":     (404, 404, 404,   200,      200,   404,     SIGN_IN),
    "event_registrations_foreign":(404, 404, 404,   404,      200,   404,     SIGN_IN),
    "event_own_network":          (200, 200, 200,   200,      200,   404,     404),
    "event_own_draft":            (404, 404, 404,   200,      200,   404,     404),
    "event_foreign_network":      (404, 404, 404,   404,      200,   404,     404),
}

# Taking back a role and withdrawing an invitation: the same rule (whoever may give it).
#                                      teacher  coord  reviewer  national  admin  no role  anonymous
TAKE_BACK = {
    "teacher_own_school":               (404,   DONE,  404,      404,      DONE,  404,     SIGN_IN),
    "teacher_other_school":             (404,   404,   404,      404,      DONE,  404,     SIGN_IN),
    "coordinator_other_school":         (404,   404,   404,      DONE,     DONE,  404,     SIGN_IN),
    "coordinator_foreign_school":       (404,   404,   404,      404,      DONE,  404,     SIGN_IN),
    "reviewer_own_country":             (404,   404,   404,      DONE,     DONE,  404,     SIGN_IN),
    "reviewer_foreign_country":         (404,   404,   404,      404,      DONE,  404,     SIGN_IN),
    "national_coordinator_own_country": (404,   404,   404,      404,      DONE,  404,     SIGN_IN),
}

# (workspace, where, role invited)            teacher  coord    reviewer  national  admin  no role  anonymous
INVITE = {
    ("school", "own", "teacher"):                (403,  DONE,    404,      INVALID,  DONE,  404,     SIGN_IN),
    ("school", "own", "school_coordinator"):     (403,  INVALID, 404,      DONE,     DONE,  404,     SIGN_IN),
    ("school", "other", "teacher"):              (404,  404,     404,      INVALID,  DONE,  404,     SIGN_IN),
    ("school", "other", "school_coordinator"):   (404,  404,     404,      DONE,     DONE,  404,     SIGN_IN),
    ("school", "foreign", "teacher"):            (404,  404,     404,      404,      DONE,  404,     SIGN_IN),
    ("school", "foreign", "school_coordinator"): (404,  404,     404,      404,      DONE,  404,     SIGN_IN),
    ("country", "own", "reviewer"):              (404,  404,     404,      DONE,     DONE,  404,     SIGN_IN),
    ("country", "own", "national_coordinator"):  (404,  404,     404,      INVALID,  DONE,  404,     SIGN_IN),
    ("country", "foreign", "reviewer"):          (404,  404,     404,      404,      DONE,  404,     SIGN_IN),
    ("country", "foreign", "national_coordinator"): (404, 404,   404,      404,      DONE,  404,     SIGN_IN),
}
# fmt: on


def _cases(table: dict) -> list:
    return [
        pytest.param(actor, key, row[column], id=f"{actor}-{key}")
        for key, row in table.items()
        for column, actor in enumerate(HTTP_ACTORS)
    ]


def sign_in(client, world: World, actor: str) -> Any:
    user = world.actors[actor]
    if actor == "anonymous":
        return user
    if actor in TWO_FACTOR_ACTORS:
        enrol_authenticator(user)
    client.force_login(user)
    return user


def page_url(world: World, page: str) -> str:
    urls = {
        "index": lambda: reverse("dashboard:index"),
        "school_own": lambda: reverse("dashboard:school", args=[world.schools["own"].pk]),
        "school_other": lambda: reverse("dashboard:school", args=[world.schools["other"].pk]),
        "school_foreign": lambda: reverse("dashboard:school", args=[world.schools["foreign"].pk]),
        "country_own": lambda: reverse("dashboard:country", args=["LV"]),
        "country_foreign": lambda: reverse("dashboard:country", args=["EE"]),
        "contact_own": lambda: reverse("dashboard:country_contact", args=["LV"]),
        "contact_foreign": lambda: reverse("dashboard:country_contact", args=["EE"]),
        "audit_log": lambda: reverse("audit:log"),
        "audit_csv": lambda: reverse("audit:export_csv"),
        "membership": lambda: reverse("membership:queue"),
        "case_own": lambda: reverse("membership:school", args=[world.schools["own"].pk]),
        "case_foreign": lambda: reverse("membership:school", args=[world.schools["foreign"].pk]),
        "act_on_own": lambda: reverse("membership:act_on", args=["LV"]),
        "act_on_foreign": lambda: reverse("membership:act_on", args=["EE"]),
        "rules_own": lambda: reverse("membership:rules", args=["LV"]),
        "rules_foreign": lambda: reverse("membership:rules", args=["EE"]),
        "library_mine": lambda: reverse("practices:mine"),
        "library_reviews": lambda: reverse("practices:reviews"),
        "library_new_own": lambda: reverse("practices:create", args=[world.schools["own"].pk]),
        "library_new_other": lambda: reverse("practices:create", args=[world.schools["other"].pk]),
        "library_new_network": lambda: reverse("practices:create_network", args=["LV"]),
        "library_new_network_ee": lambda: reverse("practices:create_network", args=["EE"]),
        "library_own_draft": lambda: reverse(
            "practices:item", args=[world.practices["own_draft"].pk]
        ),
        "library_edit_own_draft": lambda: reverse(
            "practices:edit", args=[world.practices["own_draft"].pk]
        ),
        "library_other_submitted": lambda: reverse(
            "practices:item", args=[world.practices["other_submitted"].pk]
        ),
        "library_foreign_item": lambda: reverse(
            "practices:item", args=[world.practices["foreign_submitted"].pk]
        ),
        "library_assign_other": lambda: reverse(
            "practices:assign", args=[world.practices["other_submitted"].pk]
        ),
        "library_assign_foreign": lambda: reverse(
            "practices:assign", args=[world.practices["foreign_submitted"].pk]
        ),
        "library_queue_own": lambda: reverse("practices:queue", args=["LV"]),
        "library_queue_foreign": lambda: reverse("practices:queue", args=["EE"]),
        "library_rubric_own": lambda: reverse("practices:rubric", args=["LV"]),
        "library_rubric_foreign": lambda: reverse("practices:rubric", args=["EE"]),
        "activities_own": lambda: reverse(
            "activities:school_activities", args=[world.schools["own"].pk]
        ),
        "activities_other": lambda: reverse(
            "activities:school_activities", args=[world.schools["other"].pk]
        ),
        "activities_foreign": lambda: reverse(
            "activities:school_activities", args=[world.schools["foreign"].pk]
        ),
        "activities_new_own": lambda: reverse("activities:create", args=[world.schools["own"].pk]),
        "activities_new_other": lambda: reverse(
            "activities:create", args=[world.schools["other"].pk]
        ),
        "activity_edit_own": lambda: reverse(
            "activities:edit", args=[world.activities["own_network"].pk]
        ),
        "activity_own_network": lambda: reverse(
            "activities:detail", args=[world.activities["own_network"].pk]
        ),
        "activity_foreign_network": lambda: reverse(
            "activities:detail", args=[world.activities["foreign_network"].pk]
        ),
        "events_manage": lambda: reverse("events:manage_list"),
        "events_new_own": lambda: reverse("events:create", args=["LV"]),
        "events_new_foreign": lambda: reverse("events:create", args=["EE"]),
        "event_manage_own_draft": lambda: reverse(
            "events:manage", args=[world.events["own_draft"].pk]
        ),
        "event_registrations_foreign": lambda: reverse(
            "events:registrations", args=[world.events["foreign_network"].pk]
        ),
        "event_own_network": lambda: reverse(
            "events:detail", args=[world.events["own_network"].pk]
        ),
        "event_own_draft": lambda: reverse("events:detail", args=[world.events["own_draft"].pk]),
        "event_foreign_network": lambda: reverse(
            "events:detail", args=[world.events["foreign_network"].pk]
        ),
    }
    return urls[page]()


def assert_sent_to_sign_in(response, url: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("actor", "page", "expected"), _cases(PAGES))
def test_dashboard_pages(client, world, actor, page, expected):
    sign_in(client, world, actor)
    url = page_url(world, page)
    before = snapshot()
    response = client.get(url)
    body = body_of(response)
    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == expected
    assert snapshot() == before
    assert FOREIGN_SCHOOL not in body or actor == "administrator"

    if page.startswith("school_"):
        name = world.schools[page.removeprefix("school_")].name
        # A school outside one's scope is not found, and the page does not name it.
        assert (name in body) is (expected == 200)
    if page.startswith(("country_", "contact_")) and expected == 200:
        assert str(world.countries[page.split("_", 1)[1]]) in body
    if page.startswith("audit_") and expected == 200:
        assert LATVIAN_MARKER in body
        assert (ESTONIAN_MARKER in body) is (actor == "administrator")
    if page.startswith("audit_") and expected != 200:
        assert LATVIAN_MARKER not in body


@pytest.mark.parametrize(("actor", "target", "expected"), _cases(TAKE_BACK))
def test_taking_back_a_role(client, world, actor, target, expected):
    user = sign_in(client, world, actor)
    assignment = world.assignments[target]
    url = reverse("roles:revoke_role", args=[assignment.pk])
    before = snapshot()
    response = client.post(url)
    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == (302 if expected == DONE else expected)
    assignment.refresh_from_db()
    if expected == DONE:
        assert response["Location"] == reverse("dashboard:index")
        assert assignment.revoked_at is not None
        assert assignment.revoked_by == user
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.actor) == ("role.revoked", user)
        assert RoleAssignment.objects.count() == len(before["roles"])  # kept, marked revoked
    else:
        assert assignment.revoked_at is None
        assert snapshot() == before
        body = response.content.decode()
        assert assignment.user.email not in body
        assert assignment.user.full_name not in body


@pytest.mark.parametrize(("actor", "target", "expected"), _cases(TAKE_BACK))
def test_withdrawing_an_invitation(client, world, actor, target, expected):
    user = sign_in(client, world, actor)
    invitation = world.invitations[target]
    url = reverse("roles:withdraw_invitation", args=[invitation.pk])
    before = snapshot()
    response = client.post(url)
    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == (302 if expected == DONE else expected)
    invitation.refresh_from_db()
    if expected == DONE:
        assert invitation.revoked_at is not None
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.actor) == ("invitation.withdrawn", user)
    else:
        assert invitation.revoked_at is None
        assert snapshot() == before
        assert invitation.email not in response.content.decode()


# Sending an invitation again: the same rule as withdrawing it.
@pytest.mark.parametrize(("actor", "target", "expected"), _cases(TAKE_BACK))
def test_sending_an_invitation_again(client, world, actor, target, expected):
    user = sign_in(client, world, actor)
    invitation = world.invitations[target]
    url = reverse("roles:resend_invitation", args=[invitation.pk])
    stored = Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk)
    before = snapshot()
    response = client.post(url)
    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    else:
        assert response.status_code == (302 if expected == DONE else expected)
    now = Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk)
    if expected == DONE:
        assert now[0] != stored[0]
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.actor) == ("invitation.resent", user)
    else:
        assert now == stored
        assert snapshot() == before
        assert invitation.email not in response.content.decode()


@pytest.mark.parametrize(("actor", "key", "expected"), _cases(INVITE))
def test_inviting_from_a_workspace(
    client, world, actor, key, expected, django_capture_on_commit_callbacks
):
    kind, where, role = key
    user = sign_in(client, world, actor)
    target = world.target(kind, where)
    if kind == "school":
        url = reverse("dashboard:school", args=[target.pk])
    else:
        url = reverse("dashboard:country", args=[target.code])
    email = "newcomer@example.org"
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": email, "role": role, "language": "en"})

    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    elif expected == DONE:
        assert response.status_code == 302
        assert response["Location"] == url
    else:
        assert response.status_code == (200 if expected == INVALID else expected)

    if expected == DONE:
        invitation = Invitation.objects.get(email=email)
        assert invitation.role == role
        assert invitation.invited_by == user
        assert (invitation.school if kind == "school" else invitation.country) == target
        assert invitation.is_pending
        assert AuditEntry.objects.latest("pk").action == "invitation.created"
        assert [message.to for message in mail.outbox] == [[email]]
        return
    if expected == INVALID:
        assert response.context["form"].errors["role"]
    assert snapshot() == before
    assert mail.outbox == []
    if expected == 404 and kind == "school":
        assert target.name not in response.content.decode()


# Changing a country's contact details (the join page's and footer's contact).
# fmt: off
#                    teacher  coord  reviewer  national  admin  no role  anonymous
EDIT_CONTACT = {
    "own":         (404,   404,   404,      DONE,     DONE,  404,     SIGN_IN),
    "foreign":     (404,   404,   404,      404,      DONE,  404,     SIGN_IN),
}
# fmt: on


def contact_values(country: Country) -> dict:
    return Country.objects.filter(pk=country.pk).values(*CONTACT_FIELDS).get()


@pytest.mark.parametrize(("actor", "where", "expected"), _cases(EDIT_CONTACT))
def test_editing_a_countrys_contact_details(client, world, actor, where, expected):
    user = sign_in(client, world, actor)
    country = world.countries[where]
    url = reverse("dashboard:country_contact", args=[country.code])
    before, stored = snapshot(), contact_values(country)
    response = client.post(
        url,
        {"coordinator_name": "Līga Jaunā", "contact_email": "liga@example.org",
         "commission_website": "https://natcom.example.org/"},
    )  # fmt: skip

    if expected == SIGN_IN:
        assert_sent_to_sign_in(response, url)
    elif expected == DONE:
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard:country", args=[country.code])
    else:
        assert response.status_code == expected
    if expected == DONE:
        assert contact_values(country)["coordinator_name"] == "Līga Jaunā"
        entry = AuditEntry.objects.latest("pk")
        assert (entry.action, entry.actor, entry.country_code) == (
            "country.contact_changed",
            user,
            country.code,
        )
        return
    assert contact_values(country) == stored
    assert snapshot() == before


# -- the same refusals, told as the stories of the issue --------------------------------------


def test_a_reviewer_cannot_act_as_a_coordinator_and_nothing_changes(
    client, world, django_capture_on_commit_callbacks
):
    reviewer = sign_in(client, world, "reviewer")
    school = world.schools["own"]
    teacher_role = world.assignments["teacher_own_school"]
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        invite = client.post(
            reverse("dashboard:school", args=[school.pk]),
            {"email": "someone@example.org", "role": "teacher", "language": "lv"},
        )
    assert invite.status_code == 404
    assert school.name not in invite.content.decode()
    revoke = client.post(reverse("roles:revoke_role", args=[teacher_role.pk]))
    assert revoke.status_code == 404
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export_csv")).status_code == 403

    # The services refuse the reviewer just as firmly.
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=reviewer, email="someone@example.org", role=Role.TEACHER, school=school
        )
    with pytest.raises(PermissionDenied):
        role_revoke(actor=reviewer, assignment=teacher_role)

    assert snapshot() == before
    assert mail.outbox == []
    teacher = teacher_role.user
    client.force_login(teacher)
    assert client.get(reverse("dashboard:school", args=[school.pk])).status_code == 200


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_teacher_opening_another_schools_workspace_finds_nothing(client, world):
    sign_in(client, world, "teacher")
    for where in ("other", "foreign"):
        school = world.schools[where]
        response = client.get(reverse("dashboard:school", args=[school.pk]))
        assert response.status_code == 404
        assert school.name not in response.content.decode()
    # A school that does not exist looks exactly the same.
    missing = client.get(reverse("dashboard:school", args=[999_999]))
    assert missing.status_code == 404
    other_pk = world.schools["other"].pk
    other = client.get(reverse("dashboard:school", args=[other_pk]))
    # The same page, apart from the address itself (in the language links) and the sign-out
    # form's CSRF token (masked afresh on every response).
    page = other.content.decode().replace(f"/schools/{other_pk}/", "/schools/999999/")
    assert without_csrf_token(page) == without_csrf_token(missing.content.decode())


def test_a_national_coordinator_without_an_authenticator_is_sent_to_set_one_up(client, world):
    national = world.actors["national_coordinator"]
    client.force_login(national)
    for url in (
        reverse("dashboard:index"),
        reverse("dashboard:country", args=["LV"]),
        reverse("audit:log"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    enrol_authenticator(national)
    assert client.get(reverse("dashboard:country", args=["LV"])).status_code == 200


def test_a_national_coordinator_cannot_filter_the_log_to_another_country(client, world):
    sign_in(client, world, "national_coordinator")
    for url in (reverse("audit:log"), reverse("audit:export_csv")):
        response = client.get(url, {"country": "EE"})
        assert response.status_code in (200, 400)  # the page shows the error; the CSV refuses
        assert ESTONIAN_MARKER not in body_of(response)


def test_after_taking_back_a_role_one_is_never_sent_to_another_site(client, world):
    sign_in(client, world, "school_coordinator")
    assignment = world.assignments["teacher_own_school"]
    response = client.post(
        reverse("roles:revoke_role", args=[assignment.pk]),
        {"next": "https://elsewhere.example/phish"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:index")
    workspace = reverse("dashboard:school", args=[world.schools["own"].pk])
    invitation = world.invitations["teacher_own_school"]
    response = client.post(
        reverse("roles:withdraw_invitation", args=[invitation.pk]), {"next": workspace}
    )
    assert response["Location"] == workspace
