"""The membership lifecycle as one table: which action moves a school from which statuses to
which (DOMAIN.md). Every status change goes through `school_status_change` (services), which
asks this table; a pair of statuses that no row joins is refused.

    submitted → under review ⇄ changes requested → rejected | endorsed → candidate → member
    ⇄ dormant → withdrawn | excluded

Whether the candidate stage is used is the country's rule: where it is, an endorsed school
becomes a candidate first; where it is not, it becomes a member directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from asphub.countries.models import Country

from .models import MembershipAction, MembershipStatus

S = MembershipStatus


@dataclass(frozen=True)
class Transition:
    action: MembershipAction
    sources: tuple[MembershipStatus, ...]
    target: MembershipStatus
    reason_required: bool = False
    # Whether the applicant (through the application's link) takes this step, rather than
    # the national coordinator.
    by_applicant: bool = False


TRANSITIONS: dict[MembershipAction, Transition] = {
    transition.action: transition
    for transition in (
        Transition(MembershipAction.START_REVIEW, (S.SUBMITTED,), S.UNDER_REVIEW),
        Transition(
            MembershipAction.REQUEST_CHANGES,
            (S.SUBMITTED, S.UNDER_REVIEW),
            S.CHANGES_REQUESTED,
            reason_required=True,
        ),
        Transition(
            MembershipAction.RESUBMIT, (S.CHANGES_REQUESTED,), S.UNDER_REVIEW, by_applicant=True
        ),
        Transition(
            MembershipAction.REJECT, (S.SUBMITTED, S.UNDER_REVIEW), S.REJECTED, reason_required=True
        ),
        Transition(MembershipAction.ENDORSE, (S.SUBMITTED, S.UNDER_REVIEW), S.ENDORSED),
        Transition(MembershipAction.MAKE_CANDIDATE, (S.ENDORSED,), S.CANDIDATE),
        Transition(MembershipAction.MAKE_MEMBER, (S.ENDORSED, S.CANDIDATE), S.MEMBER),
        Transition(MembershipAction.MARK_DORMANT, (S.MEMBER,), S.DORMANT, reason_required=True),
        Transition(MembershipAction.REACTIVATE, (S.DORMANT,), S.MEMBER),
        Transition(
            MembershipAction.RECORD_WITHDRAWAL,
            (S.CANDIDATE, S.MEMBER, S.DORMANT),
            S.WITHDRAWN,
            reason_required=True,
        ),
        Transition(
            MembershipAction.EXCLUDE,
            (S.CANDIDATE, S.MEMBER, S.DORMANT),
            S.EXCLUDED,
            reason_required=True,
        ),
    )
}

# Statuses of an application still being decided (its edit link works in the last one).
OPEN_APPLICATION_STATUSES = (S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED)


def transition_for(
    action: MembershipAction | str, current: str, country: Country
) -> Transition | None:
    """The row that lets `action` move a school of `country` on from `current`, or None."""
    try:
        transition = TRANSITIONS[MembershipAction(action)]
    except (ValueError, KeyError):
        return None
    if current not in transition.sources:
        return None
    if transition.action == MembershipAction.MAKE_CANDIDATE and not country.uses_candidate_stage:
        return None
    if (
        transition.action == MembershipAction.MAKE_MEMBER
        and current == S.ENDORSED
        and country.uses_candidate_stage
    ):
        return None
    return transition


def available_actions(current: str, country: Country) -> list[Transition]:
    """What may be done next to a school in status `current`, in the table's order."""
    return [
        transition
        for action, transition in TRANSITIONS.items()
        if transition_for(action, current, country) is not None
    ]


def allowed_targets(current: str, country: Country) -> set[str]:
    return {transition.target for transition in available_actions(current, country)}
