"""The membership lifecycle: every pair of statuses is tried, and only the table's steps go
through; each forbidden role is refused; a refused step changes nothing."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.lifecycle import TRANSITIONS, MembershipAction, allowed_targets
from asphub.schools.models import MembershipChange, MembershipStatus, School
from asphub.schools.services import StatusChangeRefused, school_status_change
from asphub.schools.tests.factories import SchoolFactory

S = MembershipStatus

# The lifecycle of DOMAIN.md, written out pair by pair (a country with a candidate stage).
WITH_CANDIDATE_STAGE = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.REJECTED, S.ENDORSED},
    S.UNDER_REVIEW: {S.CHANGES_REQUESTED, S.REJECTED, S.ENDORSED},
    S.CHANGES_REQUESTED: {S.UNDER_REVIEW},
    S.REJECTED: set(),
    S.ENDORSED: {S.CANDIDATE},
    S.CANDIDATE: {S.MEMBER, S.WITHDRAWN, S.EXCLUDED},
    S.MEMBER: {S.DORMANT, S.WITHDRAWN, S.EXCLUDED},
    S.DORMANT: {S.MEMBER, S.WITHDRAWN, S.EXCLUDED},
    S.WITHDRAWN: set(),
    S.EXCLUDED: set(),
}
# Without a candidate stage an endorsed school becomes a member directly.
WITHOUT_CANDIDATE_STAGE = {**WITH_CANDIDATE_STAGE, S.ENDORSED: {S.MEMBER}}


def _action_to(current: str, target: str) -> MembershipAction | None:
    for action, transition in TRANSITIONS.items():
        if current in transition.sources and transition.target == target:
            return action
    return None


@pytest.mark.parametrize("uses_candidate_stage", [True, False])
def test_the_table_allows_exactly_the_lifecycles_pairs(latvia, uses_candidate_stage):
    latvia.uses_candidate_stage = uses_candidate_stage
    expected = WITH_CANDIDATE_STAGE if uses_candidate_stage else WITHOUT_CANDIDATE_STAGE
    for current in S:
        assert allowed_targets(current, latvia) == expected[current], current


PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_each_pair_of_statuses_is_allowed_or_refused_by_the_service(
    latvia, administrator, current, target
):
    """Every pair, tried through the one writer with every action there is: the step happens
    for the lifecycle's pairs only; any other attempt changes nothing."""
    school = SchoolFactory(country=latvia, membership_status=current)
    allowed = target in WITH_CANDIDATE_STAGE[current]
    for action in MembershipAction:
        transition = TRANSITIONS.get(action)
        if transition is None or transition.target != target:
            continue
        actor = StandIn.APPLICANT if transition.by_applicant else administrator
        if allowed and action == _action_to(current, target):
            change = school_status_change(actor=actor, school=school, action=action, reason="ok")
            school.refresh_from_db()
            assert school.membership_status == target
            assert (change.from_status, change.to_status) == (current, target)
            return
        with pytest.raises(StatusChangeRefused):
            school_status_change(actor=actor, school=school, action=action, reason="ok")
        school.refresh_from_db()
        assert school.membership_status == current
        assert not MembershipChange.objects.filter(school=school).exists()
    assert not allowed, "no action reaches an allowed pair"


def test_a_step_records_history_and_audit_in_one_go(latvia, national_coordinator):
    school = SchoolFactory(country=latvia, membership_status=S.MEMBER)
    school_status_change(
        actor=national_coordinator,
        school=school,
        action=MembershipAction.MARK_DORMANT,
        reason="No activities reported for two years.",
    )
    school.refresh_from_db()
    assert school.membership_status == S.DORMANT
    assert school.status_changed_at is not None
    change = school.history.get()
    assert change.actor == national_coordinator
    assert change.reason == "No activities reported for two years."
    entry = AuditEntry.objects.get(action=AuditAction.MEMBERSHIP_STATUS_CHANGED)
    assert entry.before == {"membership_status": "member"}
    assert entry.after == {"membership_status": "dormant"}
    assert entry.country_code == "LV"


def test_making_a_member_records_the_year_of_joining(latvia, administrator):
    latvia.uses_candidate_stage = False
    latvia.save()
    school = SchoolFactory(country=latvia, membership_status=S.ENDORSED, member_since=None)
    school_status_change(actor=administrator, school=school, action=MembershipAction.MAKE_MEMBER)
    school.refresh_from_db()
    assert school.member_since == school.status_changed_at.year


@pytest.mark.parametrize(
    "action", [MembershipAction.REJECT, MembershipAction.EXCLUDE, MembershipAction.MARK_DORMANT]
)
def test_a_step_that_needs_a_reason_is_refused_without_one(latvia, administrator, action):
    status = S.SUBMITTED if action == MembershipAction.REJECT else S.MEMBER
    school = SchoolFactory(country=latvia, membership_status=status)
    with pytest.raises(StatusChangeRefused) as refused:
        school_status_change(actor=administrator, school=school, action=action, reason="  ")
    assert refused.value.code == "reason"
    school.refresh_from_db()
    assert school.membership_status == status


@pytest.mark.parametrize("role", ["teacher", "coordinator", "reviewer", "foreign_national"])
def test_no_one_but_the_countrys_coordinator_decides(latvia, estonia, school, role):
    people = {
        "teacher": lambda: person_with(Role.TEACHER, school=school),
        "coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=school),
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "foreign_national": lambda: person_with(Role.NATIONAL_COORDINATOR, country=estonia),
    }
    person = people[role]()
    with pytest.raises(PermissionDenied):
        school_status_change(
            actor=person, school=school, action=MembershipAction.MARK_DORMANT, reason="x"
        )
    school.refresh_from_db()
    assert school.membership_status == S.MEMBER
    assert not school.history.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.MEMBERSHIP_STATUS_CHANGED).exists()


def test_the_applicants_step_is_not_a_coordinators(latvia, administrator):
    school = SchoolFactory(country=latvia, membership_status=S.CHANGES_REQUESTED)
    with pytest.raises(PermissionDenied):
        school_status_change(actor=administrator, school=school, action=MembershipAction.RESUBMIT)
    with pytest.raises(PermissionDenied):
        school_status_change(
            actor=StandIn.APPLICANT, school=school, action=MembershipAction.ENDORSE
        )
    school.refresh_from_db()
    assert school.membership_status == S.CHANGES_REQUESTED


def test_a_decision_on_a_status_that_has_moved_on_is_refused(latvia, administrator):
    """Two coordinators looking at the same submitted application: the second decision finds
    the school no longer as they saw it, and is told."""
    school = SchoolFactory(country=latvia, membership_status=S.SUBMITTED)
    seen = school.membership_status
    school_status_change(
        actor=administrator, school=school, action=MembershipAction.ENDORSE, seen_status=seen
    )
    other_view = School.objects.get(pk=school.pk)
    other_view.membership_status = seen  # what the second coordinator's page showed
    with pytest.raises(StatusChangeRefused) as refused:
        school_status_change(
            actor=administrator,
            school=other_view,
            action=MembershipAction.REJECT,
            reason="Not eligible.",
            seen_status=seen,
        )
    assert refused.value.code == "changed_meanwhile"
    assert School.objects.get(pk=school.pk).membership_status == S.ENDORSED
    assert school.history.count() == 1


def test_a_name_already_in_the_network_cannot_be_endorsed_twice(latvia, administrator):
    SchoolFactory(country=latvia, name="Ozolu skola", membership_status=S.MEMBER)
    applicant = SchoolFactory(country=latvia, name="Ozolu skola", membership_status=S.SUBMITTED)
    with pytest.raises(StatusChangeRefused) as refused:
        school_status_change(actor=administrator, school=applicant, action=MembershipAction.ENDORSE)
    assert refused.value.code == "name_taken"
    applicant.refresh_from_db()
    assert applicant.membership_status == S.SUBMITTED


def test_the_command_line_may_take_any_step(latvia):
    school = SchoolFactory(country=latvia, membership_status=S.SUBMITTED)
    school_status_change(
        actor=StandIn.COMMAND_LINE, school=school, action=MembershipAction.START_REVIEW
    )
    assert school.history.get().actor_label == "command line"
