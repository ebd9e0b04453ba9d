"""Evaluating library items in the workspace: the national coordinator's queues (their countries
only), assigning reviewers, deciding, recommending, archiving, the rubric; the reviewer's pages
(only what is assigned to them); the authors read the reviews once the decision is made; the
dashboard's links."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import StandIn
from asphub.practices.models import PracticeStatus, ReviewAssignment, RubricCriterion
from asphub.practices.selectors import Queue, library_queue, library_queue_counts
from asphub.practices.services import (
    ScoreInput,
    practice_create,
    practice_decide,
    practice_submit,
    review_save,
    reviewer_remove,
    reviewers_assign,
    rubric_for,
)
from asphub.practices.tests.factories import (
    ArchivedPracticeFactory,
    InReviewPracticeFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    SubmittedPracticeFactory,
)
from asphub.roles.models import Role, RoleAssignment
from asphub.roles.services import role_revoke
from asphub.roles.tests.factories import grant, person_with

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "good_practice",
    "title": "Ūdens diena skolā",
    "summary": "Skolēni mēra ūdens patēriņu.",
    "language": "lv",
    "licence": "CC-BY-4.0",
}


@pytest.fixture
def national(national_coordinator):
    """The national coordinator's own browser (tests use `client` for the other people)."""
    enrol_authenticator(national_coordinator)
    browser = Client()
    browser.force_login(national_coordinator)
    return browser


@pytest.fixture
def reviewers(latvia):
    return [
        person_with(Role.REVIEWER, country=latvia, email=f"reviewer{n}@example.org")
        for n in range(3)
    ]


@pytest.fixture
def in_review(coordinator, school, national_coordinator, reviewers):
    practice = practice_create(actor=coordinator, school=school, data=DATA)
    practice_submit(actor=coordinator, practice=practice)
    reviewers_assign(actor=national_coordinator, practice=practice, reviewers=reviewers[:2])
    practice.refresh_from_db()
    return practice


def send_reviews(practice, country):
    scores = {c.pk: ScoreInput(2, "Skaidri mērķi.") for c in rubric_for(country)}
    for assignment in practice.assignments.select_related("reviewer"):
        review_save(
            actor=assignment.reviewer,
            assignment=assignment,
            scores=scores,
            comment="Ieteicams citām skolām.",
            send=True,
        )
    practice.refresh_from_db()


def review_post(criteria, score="2", **extra) -> dict:
    data = {f"score_{c.pk}": score for c in criteria}
    data.update({f"comment_{c.pk}": "Komentārs." for c in criteria})
    data.update(extra)
    return data


# -- the queues -------------------------------------------------------------------------------


def test_the_queue_shows_each_queue_with_its_count(national, latvia, school):
    SubmittedPracticeFactory.create_batch(2, school=school)
    PublishedPracticeFactory(school=school, title="Publicēts darbs")
    ArchivedPracticeFactory(school=school, title="Arhivēts darbs")
    PracticeFactory(school=school, title="Slepens melnraksts")
    response = national.get(reverse("practices:queue", args=["lv"]))
    assert response.status_code == 200
    counts = {key: count for key, _label, count in response.context["queues"]}
    assert counts == {
        "to_assign": 2,
        "waiting_for_reviewers": 0,
        "awaiting_decision": 0,
        "published": 1,
        "archived": 1,
    }
    assert response.context["page"].paginator.count == 2
    published = national.get(reverse("practices:queue", args=["LV"]), {"queue": "published"})
    assert "Publicēts darbs" in published.content.decode()
    # An archived item is not published any more: it has its own queue.
    assert "Arhivēts darbs" not in published.content.decode()
    archived = national.get(reverse("practices:queue", args=["LV"]), {"queue": "archived"})
    assert "Arhivēts darbs" in archived.content.decode()
    for queue in ("to_assign", "waiting_for_reviewers", "awaiting_decision", "published", "x"):
        body = national.get(reverse("practices:queue", args=["LV"]), {"queue": queue})
        assert "Slepens melnraksts" not in body.content.decode()


def test_the_queue_is_only_the_coordinators_countries(client, national, estonia, teacher, latvia):
    assert national.get(reverse("practices:queue", args=["EE"])).status_code == 404
    client.force_login(teacher)
    assert client.get(reverse("practices:queue", args=["LV"])).status_code == 404
    client.force_login(person_with(Role.REVIEWER, country=latvia))
    assert client.get(reverse("practices:queue", args=["LV"])).status_code == 404


@pytest.mark.parametrize("count", [10, 50])
def test_the_queue_takes_the_same_queries_for_10_or_50_items(
    national, school, count, django_assert_max_num_queries
):
    # In review without reviewers (as made by the factory): waiting to be assigned some.
    InReviewPracticeFactory.create_batch(count, school=school)
    with django_assert_max_num_queries(14):
        response = national.get(reverse("practices:queue", args=["LV"]), {"queue": "to_assign"})
    assert response.context["page"].paginator.count == count


def test_another_countrys_item_is_not_managed(national, foreign_school):
    foreign = SubmittedPracticeFactory(school=foreign_school)
    for name in ("practices:assign", "practices:decide", "practices:archive"):
        assert national.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_a_schools_draft_is_not_found_on_the_coordinators_pages(national, school):
    draft = PracticeFactory(school=school)
    assert national.get(reverse("practices:assign", args=[draft.pk])).status_code == 404


# -- assigning --------------------------------------------------------------------------------


def test_the_coordinator_assigns_two_reviewers(
    national, coordinator, school, reviewers, national_coordinator
):
    practice = practice_create(actor=coordinator, school=school, data=DATA)
    practice_submit(actor=coordinator, practice=practice)
    colleague = person_with(Role.REVIEWER, country=school.country, full_name="Skolas kolēģe")
    grant(colleague, Role.TEACHER, school=school)
    url = reverse("practices:assign", args=[practice.pk])
    page = national.get(url)
    listed = set(page.context["form"].fields["reviewers"].queryset)
    assert listed == set(reviewers) and colleague not in listed
    # The colleague, posted by hand, is not a choice.
    refused = national.post(url, {"reviewers": [reviewers[0].pk, colleague.pk]})
    assert refused.status_code == 200
    assert [e.code for e in refused.context["form"].errors.as_data()["reviewers"]] == [
        "invalid_choice"
    ]
    one = national.post(url, {"reviewers": [reviewers[0].pk]})
    assert [e.code for e in one.context["form"].errors.as_data()["__all__"]] == [
        "too_few_reviewers"
    ]
    assert not ReviewAssignment.objects.exists()
    response = national.post(url, {"reviewers": [reviewers[0].pk, reviewers[1].pk]})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.IN_REVIEW
    assert ReviewAssignment.objects.filter(practice=practice).count() == 2
    assignment = ReviewAssignment.objects.filter(practice=practice).first()
    national.post(url, {"remove": assignment.pk})
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()


def test_teachers_and_reviewers_do_not_assign(client, coordinator, in_review, reviewers):
    url = reverse("practices:assign", args=[in_review.pk])
    for person in (coordinator, reviewers[0]):
        client.force_login(person)
        assert client.get(url).status_code == 404


# -- reviewing --------------------------------------------------------------------------------


def test_a_reviewer_sees_only_what_is_assigned_to_them(client, in_review, reviewers, school):
    other = SubmittedPracticeFactory(school=school, title="Nav piešķirts")
    client.force_login(reviewers[0])
    body = client.get(reverse("practices:reviews")).content.decode()
    assert in_review.title in body and "Nav piešķirts" not in body
    assert client.get(reverse("practices:item", args=[other.pk])).status_code == 404
    theirs = in_review.assignments.get(reviewer=reviewers[1])
    assert client.get(reverse("practices:review", args=[theirs.pk])).status_code == 404
    client.force_login(reviewers[2])
    body = client.get(reverse("practices:reviews")).content.decode()
    assert in_review.title not in body
    assert client.get(reverse("practices:item", args=[in_review.pk])).status_code == 404


def test_a_reviewer_drafts_and_sends_a_review(client, in_review, reviewers, latvia):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    url = reverse("practices:review", args=[assignment.pk])
    client.force_login(reviewers[0])
    page = client.get(url)
    assert page.status_code == 200
    criteria = rubric_for(latvia)
    body = page.content.decode()
    assert str(criteria[0].name) in body and 'value="na"' in body
    first = criteria[0]
    response = client.post(url, {f"score_{first.pk}": "3", "comment": "Melnraksts", "save": "1"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.comment == "Melnraksts" and assignment.submitted_at is None
    # Sending with criteria missing: refused, what was typed kept.
    response = client.post(url, {f"score_{first.pk}": "3", "comment": "Vēl nav", "send": "1"})
    assert response.status_code == 200
    assert "criterion_missing" in [
        e.code for e in response.context["form"].errors.as_data()["__all__"]
    ]
    assert "Vēl nav" in response.content.decode()
    # A comment without a score is kept, with the field marked.
    lone = client.post(url, {f"comment_{first.pk}": "Tikai komentārs", "save": "1"})
    assert lone.status_code == 200
    assert [e.code for e in lone.context["form"].errors.as_data()[f"score_{first.pk}"]] == [
        "score_missing"
    ]
    post = review_post(criteria, send="1", comment="Gatavs")
    post[f"score_{criteria[1].pk}"] = "na"
    response = client.post(url, post)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert assignment.scores.get(criterion=criteria[1]).score is None
    # A sent review is closed: shown as it was sent, not changed by a new post.
    client.post(url, review_post(criteria, score="0", send="1"))
    assert assignment.scores.get(criterion=criteria[0]).score == 2
    closed = client.get(url)
    assert closed.status_code == 200 and not closed.context["is_open"]
    assert "Gatavs" in closed.content.decode()


def test_a_score_outside_the_scale_is_refused(client, in_review, reviewers, latvia):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    client.force_login(reviewers[0])
    response = client.post(
        reverse("practices:review", args=[assignment.pk]),
        review_post(rubric_for(latvia), score="7", send="1"),
    )
    assert response.status_code == 200
    assert not assignment.scores.exists()


def test_a_reviewer_who_joins_the_school_loses_the_review(client, in_review, reviewers, school):
    assignment = in_review.assignments.get(reviewer=reviewers[0])
    grant(reviewers[0], Role.TEACHER, school=school)
    client.force_login(reviewers[0])
    url = reverse("practices:review", args=[assignment.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"comment": "x", "save": "1"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.comment == ""


def test_the_authors_school_cannot_open_the_review(client, in_review, coordinator, teacher):
    assignment = in_review.assignments.first()
    for person in (coordinator, teacher):
        client.force_login(person)
        assert client.get(reverse("practices:review", args=[assignment.pk])).status_code == 404


# -- deciding ---------------------------------------------------------------------------------


def test_the_authors_read_the_reviews_only_with_the_decision(
    client, national, in_review, coordinator, latvia
):
    send_reviews(in_review, latvia)
    client.force_login(coordinator)
    before = client.get(reverse("practices:item", args=[in_review.pk])).content.decode()
    assert "Ieteicams citām skolām." not in before
    decide_page = national.get(reverse("practices:decide", args=[in_review.pk]))
    assert "Ieteicams citām skolām." in decide_page.content.decode()
    response = national.post(
        reverse("practices:decide", args=[in_review.pk]),
        {"decision": "request_changes", "message": "Pievienojiet rezultātus.", "seen_round": "1"},
    )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == PracticeStatus.CHANGES_REQUESTED
    client.force_login(coordinator)
    after = client.get(reverse("practices:item", args=[in_review.pk])).content.decode()
    assert "Ieteicams citām skolām." in after and "Pievienojiet rezultātus." in after
    assert "reviewer0@example.org" not in after  # the authors are not told who reviewed


def test_a_decision_without_a_message_keeps_the_item(national, in_review, latvia):
    send_reviews(in_review, latvia)
    response = national.post(
        reverse("practices:decide", args=[in_review.pk]), {"decision": "publish", "message": ""}
    )
    assert response.status_code == 200
    in_review.refresh_from_db()
    assert in_review.status == PracticeStatus.IN_REVIEW


def test_a_decision_before_two_reviews_is_refused(national, in_review):
    response = national.post(
        reverse("practices:decide", args=[in_review.pk]),
        {"decision": "publish", "message": "Labi.", "seen_round": "1"},
    )
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "reviews_missing"
    ]


def test_recommend_and_archive_a_published_item(
    client, national, national_coordinator, in_review, latvia, coordinator
):
    send_reviews(in_review, latvia)
    practice_decide(
        actor=national_coordinator, practice=in_review, decision="publish", message="Labi."
    )
    page = national.get(reverse("practices:item", args=[in_review.pk]))
    assert reverse("practices:archive", args=[in_review.pk]) in page.content.decode()
    url = reverse("practices:recommend", args=[in_review.pk])
    assert national.get(url).status_code == 405
    national.post(url, {"recommended": "on"})
    in_review.refresh_from_db()
    assert in_review.recommended
    archive = reverse("practices:archive", args=[in_review.pk])
    empty = national.post(archive, {"reason": ""})
    assert empty.status_code == 200
    national.post(archive, {"reason": "Aizstāts."})
    in_review.refresh_from_db()
    assert in_review.status == PracticeStatus.ARCHIVED
    client.force_login(coordinator)
    assert client.post(url, {"recommended": "on"}).status_code == 404


# -- the rubric -------------------------------------------------------------------------------


def test_the_coordinator_edits_the_rubric(national, latvia, client, coordinator):
    response = national.get(reverse("practices:rubric", args=["lv"]))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 7  # six default criteria and an empty row
    criteria = list(RubricCriterion.objects.filter(country=latvia).order_by("position", "id"))
    post = {
        "criteria-TOTAL_FORMS": "7",
        "criteria-INITIAL_FORMS": "6",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
    }
    for index, criterion in enumerate(criteria):
        post.update(
            {
                f"criteria-{index}-id": str(criterion.pk),
                f"criteria-{index}-name_lv": criterion.name_lv,
                f"criteria-{index}-name_en": criterion.name_en,
                f"criteria-{index}-position": str(criterion.position),
            }
        )
        if index:
            post[f"criteria-{index}-active"] = "on"
    post.update(
        {
            "criteria-6-name_lv": "Ilgtspēja",
            "criteria-6-name_en": "Sustainability",
            "criteria-6-position": "7",
            "criteria-6-active": "on",
        }
    )
    response = national.post(reverse("practices:rubric", args=["lv"]), post)
    assert response.status_code == 302
    active = [c.name_en for c in rubric_for(latvia)]
    assert criteria[0].name_en not in active and "Sustainability" in active
    client.force_login(coordinator)
    assert client.get(reverse("practices:rubric", args=["lv"])).status_code == 404


# -- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_links_to_the_library(client, national, teacher, in_review, reviewers):
    body = national.get(reverse("dashboard:index")).content.decode()
    assert reverse("practices:queue", args=["LV"]) + "?queue=waiting_for_reviewers" in body
    assert reverse("practices:rubric", args=["LV"]) in body
    client.force_login(teacher)
    body = client.get(reverse("dashboard:index")).content.decode()
    assert reverse("practices:mine") in body
    client.force_login(reviewers[0])
    body = client.get(reverse("dashboard:index")).content.decode()
    assert reverse("practices:reviews") in body
    assert "No practices are assigned to you for review." not in body


def test_a_reviewer_whose_role_is_taken_back_no_longer_reads_the_item(client, in_review, reviewers):
    reviewer = reviewers[0]
    client.force_login(reviewer)
    item = reverse("practices:item", args=[in_review.pk])
    assert client.get(item).status_code == 200

    role_revoke(
        actor=StandIn.COMMAND_LINE,
        assignment=RoleAssignment.objects.get(user=reviewer, role=Role.REVIEWER),
    )

    assert client.get(item).status_code == 404
    assert client.get(reverse("practices:versions", args=[in_review.pk])).status_code == 404
    listed = client.get(reverse("practices:reviews"))
    assert in_review.title not in listed.content.decode()


def test_the_assign_page_marks_a_reviewer_who_may_no_longer_review(national, in_review, reviewers):
    role_revoke(
        actor=StandIn.COMMAND_LINE,
        assignment=RoleAssignment.objects.get(user=reviewers[0], role=Role.REVIEWER),
    )

    page = national.get(reverse("practices:assign", args=[in_review.pk]))

    marks = {a.reviewer_id: a.can_still_review for a in page.context["assignments"]}
    assert marks == {reviewers[0].pk: False, reviewers[1].pk: True}


def test_an_item_that_lost_a_reviewer_waits_to_be_assigned_again(
    national_coordinator, in_review, reviewers, latvia
):
    reviewer_remove(actor=national_coordinator, assignment=in_review.assignments.first())

    counts = library_queue_counts([latvia.pk])
    assert counts[Queue.TO_ASSIGN] == 1
    assert counts[Queue.AWAITING_DECISION] == 0
    assert list(library_queue([latvia.pk], Queue.TO_ASSIGN)) == [in_review]
