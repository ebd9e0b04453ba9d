"""The library's services: each step's allowed path, every role that may not take it, a refused
step that changes nothing, the audit entries and the e-mails. A reviewer from the author's
school is never assigned and never reviews, whichever way round the roles arrive."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.core.documents import validate_attachment
from asphub.core.edits import StaleEdit
from asphub.practices.models import (
    EDITABLE_STATUSES,
    READABLE_STATUSES,
    PracticeDecision,
    PracticeFile,
    PracticeRevision,
    PracticeStatus,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)
from asphub.practices.services import (
    ScoreInput,
    eligible_reviewers,
    files_hold,
    held_files,
    practice_archive,
    practice_create,
    practice_decide,
    practice_delete_draft,
    practice_set_recommended,
    practice_submit,
    practice_update,
    review_save,
    reviewer_remove,
    reviewers_assign,
    rubric_for,
    rubric_update,
)
from asphub.practices.tests.factories import PublishedPracticeFactory, pdf_bytes
from asphub.roles.models import Role
from asphub.roles.permissions import (
    LIBRARY_SCHOOL_STATUSES,
    PRACTICE_EDITABLE,
    PRACTICE_PUBLIC,
)
from asphub.roles.services import role_revoke
from asphub.roles.tests.factories import grant, person_with
from asphub.schools.models import PUBLIC_STATUSES

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "good_practice",
    "title": "Ūdens diena skolā",
    "summary": "Skolēni mēra ūdens patēriņu.",
    "body": "## Mērķi\n\nIzprast ūdens vērtību.",
    "language": "lv",
    "licence": "CC-BY-4.0",
}


@pytest.fixture
def reviewers(latvia):
    return [
        person_with(Role.REVIEWER, country=latvia, email=f"reviewer{n}@example.org")
        for n in range(3)
    ]


@pytest.fixture
def draft(coordinator, school):
    return practice_create(actor=coordinator, school=school, data=DATA)


@pytest.fixture
def submitted(draft, coordinator, national_coordinator):
    return practice_submit(actor=coordinator, practice=draft)


@pytest.fixture
def in_review(submitted, national_coordinator, reviewers):
    reviewers_assign(actor=national_coordinator, practice=submitted, reviewers=reviewers[:2])
    submitted.refresh_from_db()
    return submitted


def full_scores(country, score=2, comment="Labi."):
    return {criterion.pk: ScoreInput(score, comment) for criterion in rubric_for(country)}


@pytest.fixture
def reviewed(in_review, reviewers, latvia):
    for assignment in in_review.assignments.all():
        review_save(
            actor=assignment.reviewer,
            assignment=assignment,
            scores=full_scores(latvia),
            comment="Derīgs citām skolām.",
            send=True,
        )
    in_review.refresh_from_db()
    return in_review


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def revoke(user, role) -> None:
    role_revoke(
        actor=StandIn.COMMAND_LINE,
        assignment=user.role_assignments.active().get(role=role),
    )


# -- develop ----------------------------------------------------------------------------------


def test_a_teacher_starts_a_draft_of_their_school(teacher, school):
    practice = practice_create(actor=teacher, school=school, data=DATA)
    assert practice.status == PracticeStatus.DRAFT
    assert practice.country_id == school.country_id
    assert practice.created_by == teacher
    assert AuditAction.PRACTICE_CREATED in actions()


@pytest.mark.parametrize("role", ["other_teacher", "national", "reviewer", "anonymous"])
def test_only_the_schools_own_people_start_its_drafts(
    role, school, other_school, latvia, national_coordinator
):
    actor = {
        "other_teacher": lambda: person_with(Role.TEACHER, school=other_school),
        "national": lambda: national_coordinator,
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "anonymous": AnonymousUser,
    }[role]()
    with pytest.raises(PermissionDenied):
        practice_create(actor=actor, school=school, data=DATA)
    assert not school.practices.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.PRACTICE_CREATED).exists()


def test_the_national_coordinator_authors_network_materials(national_coordinator, latvia, teacher):
    material = practice_create(actor=national_coordinator, country=latvia, data=DATA)
    assert material.school is None and material.is_network_material
    with pytest.raises(PermissionDenied):
        practice_create(actor=teacher, country=latvia, data=DATA)


def test_a_stale_edit_is_refused_and_changes_nothing(draft, teacher, coordinator):
    practice_update(
        actor=teacher, practice=draft, data={"title": "Pirmais labojums"}, seen_version=1
    )
    with pytest.raises(StaleEdit) as refused:
        practice_update(
            actor=coordinator, practice=draft, data={"title": "Vecā forma"}, seen_version=1
        )
    assert refused.value.code == "stale"
    draft.refresh_from_db()
    assert draft.title == "Pirmais labojums"
    assert draft.edit_version == 2


def test_an_item_in_review_cannot_be_changed(submitted, coordinator):
    with pytest.raises(PermissionDenied):
        practice_update(
            actor=coordinator, practice=submitted, data={"title": "Cits"}, seen_version=None
        )
    submitted.refresh_from_db()
    assert submitted.title == DATA["title"]


def test_held_files_belong_to_their_uploader_until_attached(teacher, coordinator, draft):
    checked = validate_attachment(SimpleUploadedFile("plāns.pdf", pdf_bytes()))
    [held] = files_hold(actor=teacher, attachments=[checked])
    assert held.practice is None
    assert held_files(coordinator, [held.pk]) == []
    assert held_files(teacher, [held.pk, "x", "../1"]) == [held]
    practice_update(actor=teacher, practice=draft, data={}, seen_version=None, files=[held])
    held.refresh_from_db()
    assert held.practice == draft
    assert held_files(teacher, [held.pk]) == []


def test_a_draft_never_submitted_can_be_deleted(draft, teacher):
    practice_delete_draft(actor=teacher, practice=draft)
    assert AuditAction.PRACTICE_DELETED in actions()
    assert not type(draft).objects.filter(pk=draft.pk).exists()


def test_a_submitted_item_is_never_deleted(submitted, coordinator):
    with pytest.raises(PermissionDenied):
        practice_delete_draft(actor=coordinator, practice=submitted)
    assert type(submitted).objects.filter(pk=submitted.pk).exists()


# -- submit -----------------------------------------------------------------------------------


def test_the_coordinator_submits_and_a_version_is_kept(draft, coordinator, national_coordinator):
    practice = practice_submit(actor=coordinator, practice=draft, seen_version=1)
    assert practice.status == PracticeStatus.SUBMITTED
    assert practice.round == 1
    revision = PracticeRevision.objects.get(practice=practice)
    assert (revision.number, revision.title) == (1, DATA["title"])
    assert AuditAction.PRACTICE_SUBMITTED in actions()
    [message] = [m for m in mail.outbox if national_coordinator.email in m.to]
    assert DATA["title"] in message.subject
    assert f"http://127.0.0.1:8000/dashboard/library/{practice.pk}/reviewers/" in message.body


def test_a_teacher_drafts_but_does_not_submit(draft, teacher):
    with pytest.raises(PermissionDenied):
        practice_submit(actor=teacher, practice=draft)
    draft.refresh_from_db()
    assert draft.status == PracticeStatus.DRAFT
    assert not PracticeRevision.objects.exists()


def test_a_double_click_submits_once(draft, coordinator):
    practice_submit(actor=coordinator, practice=draft, seen_version=1)
    practice_submit(actor=coordinator, practice=draft, seen_version=1)
    assert PracticeRevision.objects.filter(practice=draft).count() == 1
    assert actions().count(AuditAction.PRACTICE_SUBMITTED) == 1


# -- assign -----------------------------------------------------------------------------------


def test_the_national_coordinator_assigns_two_reviewers(submitted, national_coordinator, reviewers):
    created = reviewers_assign(
        actor=national_coordinator, practice=submitted, reviewers=reviewers[:2]
    )
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.IN_REVIEW
    assert {a.reviewer for a in created} == set(reviewers[:2])
    assert AuditAction.PRACTICE_REVIEWERS_ASSIGNED in actions()
    for assignment in created:
        [message] = [m for m in mail.outbox if assignment.reviewer.email in m.to]
        assert f"/dashboard/reviews/{assignment.pk}/" in message.body


def test_one_reviewer_is_not_enough(submitted, national_coordinator, reviewers):
    with pytest.raises(ValidationError) as refused:
        reviewers_assign(actor=national_coordinator, practice=submitted, reviewers=reviewers[:1])
    assert refused.value.code == "too_few_reviewers"
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED
    assert not ReviewAssignment.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "coordinator", "reviewer", "foreign_national"])
def test_only_the_countrys_national_coordinator_assigns(
    who, submitted, reviewers, teacher, coordinator, estonia
):
    actor = {
        "teacher": teacher,
        "coordinator": coordinator,
        "reviewer": reviewers[2],
        "foreign_national": person_with(Role.NATIONAL_COORDINATOR, country=estonia),
    }[who]
    with pytest.raises(PermissionDenied):
        reviewers_assign(actor=actor, practice=submitted, reviewers=reviewers[:2])
    assert not ReviewAssignment.objects.exists()


def test_a_reviewer_of_the_authors_school_is_never_assigned(
    submitted, national_coordinator, reviewers, school
):
    colleague = person_with(Role.REVIEWER, country=submitted.country)
    grant(colleague, Role.TEACHER, school=school)
    assert colleague not in eligible_reviewers(submitted)
    with pytest.raises(ValidationError) as refused:
        reviewers_assign(
            actor=national_coordinator, practice=submitted, reviewers=[colleague, *reviewers[:2]]
        )
    assert refused.value.code == "reviewer_not_allowed"
    assert not ReviewAssignment.objects.exists()


def test_the_author_never_reviews_their_own_item(
    submitted, national_coordinator, reviewers, coordinator, latvia
):
    grant(coordinator, Role.REVIEWER, country=latvia)
    assert coordinator not in eligible_reviewers(submitted)
    with pytest.raises(ValidationError) as refused:
        reviewers_assign(
            actor=national_coordinator, practice=submitted, reviewers=[coordinator, reviewers[0]]
        )
    assert refused.value.code == "reviewer_not_allowed"


def test_the_author_who_left_the_school_still_never_reviews(
    draft, coordinator, teacher, national_coordinator, reviewers, latvia
):
    # The teacher wrote it; they leave the school and become a reviewer.
    practice = practice_create(actor=teacher, school=draft.school, data=DATA)
    practice_submit(actor=coordinator, practice=practice)
    revoke(teacher, Role.TEACHER)
    grant(teacher, Role.REVIEWER, country=latvia)
    with pytest.raises(ValidationError):
        reviewers_assign(
            actor=national_coordinator, practice=practice, reviewers=[teacher, reviewers[0]]
        )


def test_a_reviewer_of_another_country_is_never_assigned(
    submitted, national_coordinator, reviewers, estonia
):
    foreign = person_with(Role.REVIEWER, country=estonia)
    with pytest.raises(ValidationError) as refused:
        reviewers_assign(
            actor=national_coordinator, practice=submitted, reviewers=[foreign, reviewers[0]]
        )
    assert refused.value.code == "reviewer_not_allowed"


def test_a_reviewer_who_joins_the_school_after_assignment_cannot_review(
    in_review, reviewers, school, latvia
):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    grant(reviewers[0], Role.TEACHER, school=school)
    with pytest.raises(PermissionDenied):
        review_save(
            actor=reviewers[0],
            assignment=assignment,
            scores=full_scores(latvia),
            comment="",
            send=True,
        )
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    assert not ReviewScore.objects.exists()


def test_a_reviewer_who_becomes_the_schools_coordinator_cannot_review(
    in_review, reviewers, school, latvia
):
    assignment = in_review.assignments.get(reviewer=reviewers[1])
    grant(reviewers[1], Role.SCHOOL_COORDINATOR, school=school)
    with pytest.raises(PermissionDenied):
        review_save(
            actor=reviewers[1], assignment=assignment, scores={}, comment="draft", send=False
        )
    assignment.refresh_from_db()
    assert assignment.comment == ""


def test_a_reviewer_no_longer_reviewer_cannot_review(in_review, reviewers, latvia):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    revoke(reviewers[0], Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        review_save(actor=reviewers[0], assignment=assignment, scores={}, comment="", send=False)


def test_nobody_else_writes_a_reviewers_review(in_review, reviewers, national_coordinator, latvia):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    for actor in (reviewers[1], reviewers[2], national_coordinator):
        with pytest.raises(PermissionDenied):
            review_save(
                actor=actor,
                assignment=assignment,
                scores=full_scores(latvia),
                comment="",
                send=True,
            )
    assert not ReviewScore.objects.exists()


def test_an_unsent_assignment_can_be_taken_back(in_review, reviewers, national_coordinator):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    reviewer_remove(actor=national_coordinator, assignment=assignment)
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditAction.PRACTICE_REVIEWER_REMOVED in actions()


# -- review -----------------------------------------------------------------------------------


def test_a_review_is_drafted_then_sent(in_review, reviewers, latvia, national_coordinator):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    criteria = rubric_for(latvia)
    review_save(
        actor=reviewers[0],
        assignment=assignment,
        scores={criteria[0].pk: ScoreInput(3, "Ļoti labi.")},
        comment="",
        send=False,
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    with pytest.raises(ValidationError) as refused:
        review_save(actor=reviewers[0], assignment=assignment, scores={}, comment="", send=True)
    assert "criterion_missing" in [error.code for error in refused.value.error_list]
    scores = full_scores(latvia)
    scores[criteria[1].pk] = ScoreInput(None, "Nav piemērojams.")
    review_save(actor=reviewers[0], assignment=assignment, scores=scores, comment="", send=True)
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert ReviewScore.objects.get(assignment=assignment, criterion=criteria[1]).score is None
    assert AuditAction.PRACTICE_REVIEWED in actions()
    # One review of two: the national coordinator is not told yet.
    assert not [m for m in mail.outbox if "every review" in m.body.lower()]


def test_a_score_out_of_range_is_refused(in_review, reviewers, latvia):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    scores = full_scores(latvia, score=4)
    with pytest.raises(ValidationError) as refused:
        review_save(actor=reviewers[0], assignment=assignment, scores=scores, comment="", send=True)
    assert "score_out_of_range" in [error.code for error in refused.value.error_list]
    assert not ReviewScore.objects.exists()


def test_a_sent_review_cannot_change(reviewed, reviewers, latvia):
    assignment = reviewed.assignments.get(reviewer=reviewers[0])
    with pytest.raises(ValidationError) as refused:
        review_save(
            actor=reviewers[0], assignment=assignment, scores={}, comment="Cits", send=False
        )
    assert refused.value.code == "review_closed"


def test_the_last_review_tells_the_national_coordinator(reviewed, national_coordinator):
    messages = [m for m in mail.outbox if national_coordinator.email in m.to]
    assert any(f"/dashboard/library/{reviewed.pk}/decide/" in m.body for m in messages)


# -- decide -----------------------------------------------------------------------------------


def test_a_decision_needs_two_reviews(in_review, national_coordinator):
    with pytest.raises(ValidationError) as refused:
        practice_decide(
            actor=national_coordinator, practice=in_review, decision="publish", message="Labi."
        )
    assert refused.value.code == "reviews_missing"
    in_review.refresh_from_db()
    assert in_review.status == PracticeStatus.IN_REVIEW
    assert not PracticeDecision.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "coordinator", "reviewer"])
def test_only_the_national_coordinator_decides(who, reviewed, teacher, coordinator, reviewers):
    actor = {"teacher": teacher, "coordinator": coordinator, "reviewer": reviewers[0]}[who]
    with pytest.raises(PermissionDenied):
        practice_decide(actor=actor, practice=reviewed, decision="publish", message="Labi.")
    reviewed.refresh_from_db()
    assert reviewed.status == PracticeStatus.IN_REVIEW


def test_changes_requested_reach_the_authors_with_the_reviews(
    reviewed, national_coordinator, coordinator, teacher
):
    practice_decide(
        actor=national_coordinator,
        practice=reviewed,
        decision="request_changes",
        message="Lūdzu, pievienojiet rezultātus.",
        seen_round=1,
    )
    reviewed.refresh_from_db()
    assert reviewed.status == PracticeStatus.CHANGES_REQUESTED
    assert AuditAction.PRACTICE_DECIDED in actions()
    [message] = [m for m in mail.outbox if coordinator.email in m.to and "rezultātus" in m.body]
    assert "Derīgs citām skolām." in message.body  # the reviewers' overall comments
    assert "Labi." in message.body  # a criterion's comment
    assert "Atbilstība UNESCO vērtībām un tēmām: 2" in message.body  # a criterion's score
    assert f"/dashboard/library/{reviewed.pk}/" in message.body
    # Authors do not learn who reviewed.
    assert "reviewer0@example.org" not in message.body


def test_resubmission_keeps_every_version(reviewed, national_coordinator, coordinator):
    practice_decide(
        actor=national_coordinator,
        practice=reviewed,
        decision="request_changes",
        message="Papildiniet.",
    )
    reviewed.refresh_from_db()
    practice_update(
        actor=coordinator,
        practice=reviewed,
        data={"body": "## Mērķi\n\nIzprast ūdens vērtību un to taupīt."},
        seen_version=None,
    )
    practice_submit(actor=coordinator, practice=reviewed)
    reviewed.refresh_from_db()
    assert reviewed.round == 2
    assert list(reviewed.revisions.values_list("number", flat=True)) == [1, 2]
    message = [m for m in mail.outbox if national_coordinator.email in m.to][-1]
    assert f"/dashboard/library/{reviewed.pk}/versions/1/2/" in message.body


def test_a_stale_decision_is_refused(reviewed, national_coordinator):
    with pytest.raises(ValidationError) as refused:
        practice_decide(
            actor=national_coordinator,
            practice=reviewed,
            decision="publish",
            message="Labi.",
            seen_round=0,
        )
    assert refused.value.code == "stale"


def test_publish_then_recommend_and_archive(reviewed, national_coordinator, teacher):
    practice_decide(
        actor=national_coordinator, practice=reviewed, decision="publish", message="Publicēts."
    )
    reviewed.refresh_from_db()
    assert reviewed.status == PracticeStatus.PUBLISHED and reviewed.published_at
    with pytest.raises(PermissionDenied):
        practice_set_recommended(actor=teacher, practice=reviewed, recommended=True)
    practice_set_recommended(actor=national_coordinator, practice=reviewed, recommended=True)
    reviewed.refresh_from_db()
    assert reviewed.recommended
    with pytest.raises(ValidationError) as refused:
        practice_archive(actor=national_coordinator, practice=reviewed, reason="  ")
    assert refused.value.code == "reason_required"
    practice_archive(actor=national_coordinator, practice=reviewed, reason="Novecojis.")
    reviewed.refresh_from_db()
    assert reviewed.status == PracticeStatus.ARCHIVED and not reviewed.recommended
    assert {AuditAction.PRACTICE_RECOMMENDED, AuditAction.PRACTICE_ARCHIVED} <= set(actions())


def test_only_a_published_item_is_recommended_or_archived(submitted, national_coordinator):
    with pytest.raises(ValidationError):
        practice_set_recommended(actor=national_coordinator, practice=submitted, recommended=True)
    with pytest.raises(ValidationError):
        practice_archive(actor=national_coordinator, practice=submitted, reason="Kāpēc ne.")
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED and not submitted.recommended


# -- the rubric -------------------------------------------------------------------------------


def test_the_rubric_starts_from_the_default_and_retires_criteria(latvia, national_coordinator):
    criteria = rubric_for(latvia)
    assert len(criteria) == 6
    rubric_update(
        actor=national_coordinator,
        country=latvia,
        criteria=[{"pk": criteria[0].pk, "active": False}],
    )
    assert len(rubric_for(latvia)) == 5
    assert RubricCriterion.objects.filter(country=latvia).count() == 6
    assert AuditAction.RUBRIC_CHANGED in actions()


def test_a_rubric_cannot_be_emptied(latvia, national_coordinator):
    criteria = rubric_for(latvia)
    with pytest.raises(ValidationError) as refused:
        rubric_update(
            actor=national_coordinator,
            country=latvia,
            criteria=[{"pk": c.pk, "active": False} for c in criteria],
        )
    assert refused.value.code == "empty_rubric"
    assert len(rubric_for(latvia)) == 6


def test_only_the_national_coordinator_edits_the_rubric(latvia, coordinator, estonia):
    for actor in (coordinator, person_with(Role.NATIONAL_COORDINATOR, country=estonia)):
        with pytest.raises(PermissionDenied):
            rubric_update(actor=actor, country=latvia, criteria=[{"name_lv": "X", "name_en": "X"}])


def test_a_published_item_of_the_factory_is_decided_only_once(national_coordinator, school):
    practice = PublishedPracticeFactory(school=school)
    with pytest.raises(ValidationError) as refused:
        practice_decide(
            actor=national_coordinator, practice=practice, decision="decline", message="Nē."
        )
    assert refused.value.code == "not_in_review"


def test_files_hold_refuses_anonymous_uploads():
    checked = validate_attachment(SimpleUploadedFile("a.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):
        files_hold(actor=AnonymousUser(), attachments=[checked])
    assert not PracticeFile.objects.exists()


def test_the_library_writes_for_the_schools_the_directory_lists():
    assert {str(status) for status in PUBLIC_STATUSES} == LIBRARY_SCHOOL_STATUSES


def test_the_permission_layer_reads_the_library_statuses_as_the_models_define_them():
    assert {str(status) for status in EDITABLE_STATUSES} == PRACTICE_EDITABLE
    assert {str(status) for status in READABLE_STATUSES} == PRACTICE_PUBLIC
