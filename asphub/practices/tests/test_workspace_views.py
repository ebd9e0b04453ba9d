"""Developing library items in the workspace: the list of a person's items, the editor (an
error never loses what was typed or uploaded), submitting, deleting a draft, the item's private
page, its versions and their differences, private downloads. Items of other schools are not
found."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.practices.diff import DELETE, EQUAL, INSERT, text_diff
from asphub.practices.forms import PracticeForm
from asphub.practices.models import Practice, PracticeFile, PracticeStatus
from asphub.practices.services import practice_create, practice_submit, practice_update
from asphub.practices.tests.factories import (
    PracticeFactory,
    PracticeFileFactory,
    SubmittedPracticeFactory,
    pdf_bytes,
)
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "good_practice",
    "title": "Ūdens diena skolā",
    "summary": "Skolēni mēra ūdens patēriņu.",
    "body": "## Mērķi\n\nIzprast ūdens vērtību.",
    "language": "lv",
    "licence": "CC-BY-4.0",
}


def form_post(**changes) -> dict:
    """What a browser posts from the editor: the item's fields and an empty links formset."""
    data = {
        **DATA,
        "links-TOTAL_FORMS": "2",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "20",
        "links-0-url": "",
        "links-0-title": "",
        "links-1-url": "",
        "links-1-title": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def signed_in(client, user):
    if Role.NATIONAL_COORDINATOR in set(user.role_assignments.values_list("role", flat=True)):
        enrol_authenticator(user)
    client.force_login(user)
    return client


def codes(form_or_errors, field: str) -> list[str]:
    return [error.code for error in form_or_errors.errors.as_data().get(field, [])]


# -- the list ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("practices:mine"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_reviewer_without_a_school_has_no_items_page(client, latvia):
    signed_in(client, person_with(Role.REVIEWER, country=latvia))
    assert client.get(reverse("practices:mine")).status_code == 403


def test_a_teacher_lists_their_schools_items_only(client, teacher, school, other_school):
    own = PracticeFactory(school=school, title="Mūsu projekts")
    PracticeFactory(school=other_school, title="Kaimiņu projekts")
    response = signed_in(client, teacher).get(reverse("practices:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mūsu projekts" in body and "Kaimiņu projekts" not in body
    assert reverse("practices:item", args=[own.pk]) in body
    assert reverse("practices:create", args=[school.pk]) in body


def test_the_national_coordinator_lists_network_materials(
    client, national_coordinator, latvia, school
):
    practice_create(actor=national_coordinator, country=latvia, data={**DATA, "title": "Tīkla"})
    PracticeFactory(school=school, title="Skolas melnraksts")
    body = signed_in(client, national_coordinator).get(reverse("practices:mine")).content.decode()
    assert "Tīkla" in body and "Skolas melnraksts" not in body


@pytest.mark.parametrize("count", [10, 50])
def test_the_list_takes_the_same_queries_for_10_or_50_items(
    client, teacher, school, count, django_assert_max_num_queries
):
    PracticeFactory.create_batch(count, school=school)
    signed_in(client, teacher)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("practices:mine"))
    assert response.status_code == 200


# -- the editor -------------------------------------------------------------------------------


def test_the_editor_labels_every_field(client, teacher, school):
    response = signed_in(client, teacher).get(reverse("practices:create", args=[school.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    for name in form.fields:
        if name == "seen_version":
            continue
        assert form[name].label, name
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file" name="new_files"' in body
    assert " multiple " in body
    assert "<legend>" in body  # the checkbox groups are fieldsets


def test_another_schools_editor_is_not_found(client, teacher, other_school):
    url = reverse("practices:create", args=[other_school.pk])
    assert signed_in(client, teacher).get(url).status_code == 404


def test_a_teacher_creates_an_item_with_a_file_and_a_link(client, teacher, school):
    post = form_post(
        **{"links-0-url": "https://example.org/plans", "links-0-title": "Stundu plāni"},
        education_levels=["primary", "lower_secondary"],
        age_from="7",
        age_to="12",
    )
    post["new_files"] = [SimpleUploadedFile("Darba lapa.pdf", pdf_bytes())]
    response = signed_in(client, teacher).post(reverse("practices:create", args=[school.pk]), post)
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:item", args=[practice.pk])
    assert practice.school == school and practice.status == PracticeStatus.DRAFT
    assert practice.education_levels == ["primary", "lower_secondary"]
    assert [f.original_name for f in practice.files.all()] == ["Darba lapa.pdf"]
    assert [(link.url, link.title) for link in practice.links.all()] == [
        ("https://example.org/plans", "Stundu plāni")
    ]


def test_an_error_keeps_the_text_and_every_accepted_file(client, teacher, school):
    post = form_post(title="", summary="Mans garais kopsavilkums")
    post["new_files"] = [
        SimpleUploadedFile("plāns.pdf", pdf_bytes()),
        SimpleUploadedFile("programma.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        SimpleUploadedFile("zimejums.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        SimpleUploadedFile("tukss.pdf", b""),
    ]
    url = reverse("practices:create", args=[school.pk])
    response = signed_in(client, teacher).post(url, post)
    assert response.status_code == 200
    assert not Practice.objects.exists()
    form = response.context["form"]
    assert "required" in codes(form, "title")
    assert sorted(codes(form, "new_files")) == ["empty", "unsupported_type", "unsupported_type"]
    body = response.content.decode()
    assert "Mans garais kopsavilkums" in body
    [held] = response.context["held"]
    assert held.original_name == "plāns.pdf" and held.practice is None
    assert f'name="held" value="{held.pk}"' in body
    assert "plāns.pdf" in body
    # The second try sends the held file's id instead of the file.
    again = form_post(summary="Mans garais kopsavilkums", held=[str(held.pk)])
    response = client.post(url, again)
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert list(practice.files.all()) == [held]


def test_someone_elses_held_file_is_never_attached(client, teacher, coordinator, school):
    stranger = person_with(Role.TEACHER, school=school)
    theirs = PracticeFileFactory(practice=None, uploaded_by=stranger)
    signed_in(client, teacher).post(
        reverse("practices:create", args=[school.pk]), form_post(held=[str(theirs.pk)])
    )
    practice = Practice.objects.get()
    assert not practice.files.exists()
    theirs.refresh_from_db()
    assert theirs.practice is None


@pytest.mark.parametrize(
    "name, code",
    [
        ("a\x07b.pdf", "filename_unsafe"),
        ("..\\..\\x.pdf", "filename_unsafe"),
        (".pdf", "filename_empty"),
    ],
)
def test_unsafe_file_names_are_refused_with_their_code(name, code, school):
    upload = SimpleUploadedFile("placeholder.pdf", pdf_bytes())
    upload.name = name  # Django's own upload parser would have shortened it; an import may not
    form = PracticeForm(form_post(), {"new_files": [upload]}, instance=Practice(school=school))
    assert not form.is_valid()
    assert codes(form, "new_files") == [code]
    assert form.checked_attachments == []


def test_script_in_the_text_is_inert_on_the_item_page(client, teacher, school):
    practice = PracticeFactory(
        school=school,
        title="<script>alert(1)</script>",
        body="[klikšķini](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    body = signed_in(client, teacher).get(reverse("practices:item", args=[practice.pk]))
    html = body.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html


def test_a_stale_edit_is_refused_with_the_typed_text_kept(client, teacher, coordinator, school):
    practice = practice_create(actor=coordinator, school=school, data=DATA)
    practice_update(actor=coordinator, practice=practice, data={"title": "Jauns"}, seen_version=1)
    response = signed_in(client, teacher).post(
        reverse("practices:edit", args=[practice.pk]),
        form_post(title="Mans teksts", seen_version="1"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "stale" in codes(form, "__all__")
    body = response.content.decode()
    assert 'value="Mans teksts"' in body
    practice.refresh_from_db()
    assert practice.title == "Jauns"
    # The form now carries the version the person has seen: saving again wins.
    assert form.data["seen_version"] == "2"
    response = client.post(
        reverse("practices:edit", args=[practice.pk]),
        form_post(title="Mans teksts", seen_version="2"),
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "Mans teksts"


def test_files_are_removed_by_their_checkboxes(client, teacher, school):
    practice = PracticeFactory(school=school)
    keep, drop = PracticeFileFactory(practice=practice), PracticeFileFactory(practice=practice)
    response = signed_in(client, teacher).post(
        reverse("practices:edit", args=[practice.pk]),
        form_post(seen_version=str(practice.edit_version), remove_files=[str(drop.pk)]),
    )
    assert response.status_code == 302
    assert list(practice.files.all()) == [keep]
    assert not PracticeFile.objects.filter(pk=drop.pk).exists()


def test_an_item_in_review_cannot_be_edited(client, coordinator, school):
    practice = SubmittedPracticeFactory(school=school)
    response = signed_in(client, coordinator).get(reverse("practices:edit", args=[practice.pk]))
    assert response.status_code == 403


# -- the item, submitting, deleting -----------------------------------------------------------


def test_another_schools_item_is_not_found(client, teacher, other_school):
    practice = SubmittedPracticeFactory(school=other_school)
    signed_in(client, teacher)
    for name in ("practices:item", "practices:edit", "practices:versions"):
        assert client.get(reverse(name, args=[practice.pk])).status_code == 404
    assert client.post(reverse("practices:submit", args=[practice.pk])).status_code == 404
    assert client.post(reverse("practices:delete", args=[practice.pk])).status_code == 404


def test_a_draft_is_not_found_by_the_national_coordinator(client, national_coordinator, school):
    draft = PracticeFactory(school=school)
    submitted = SubmittedPracticeFactory(school=school)
    signed_in(client, national_coordinator)
    assert client.get(reverse("practices:item", args=[draft.pk])).status_code == 404
    assert client.get(reverse("practices:item", args=[submitted.pk])).status_code == 200


def test_a_teacher_may_not_submit_but_the_coordinator_may(
    client, teacher, coordinator, school, national_coordinator
):
    practice = practice_create(actor=teacher, school=school, data=DATA)
    url = reverse("practices:submit", args=[practice.pk])
    assert signed_in(client, teacher).post(url, {"seen_version": "1"}).status_code == 403
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT
    response = signed_in(client, coordinator).post(url, {"seen_version": "1"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED
    assert client.get(url).status_code == 405


def test_a_draft_is_deleted_by_post_only(client, teacher, school):
    practice = PracticeFactory(school=school)
    url = reverse("practices:delete", args=[practice.pk])
    signed_in(client, teacher)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Practice.objects.filter(pk=practice.pk).exists()


# -- versions and files -----------------------------------------------------------------------


def test_the_diff_marks_added_and_removed_words(client, coordinator, school, national_coordinator):
    practice = practice_create(actor=coordinator, school=school, data=DATA)
    practice_submit(actor=coordinator, practice=practice)
    # The second version, as after a request for changes.
    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.CHANGES_REQUESTED)
    practice.refresh_from_db()
    practice_update(
        actor=coordinator,
        practice=practice,
        data={"body": "## Mērķi\n\nIzprast ūdens nozīmi <b>dzīvē</b>."},
        seen_version=None,
    )
    practice.refresh_from_db()
    practice_submit(actor=coordinator, practice=practice)
    signed_in(client, coordinator)
    versions = client.get(reverse("practices:versions", args=[practice.pk]))
    assert reverse("practices:diff", args=[practice.pk, 1, 2]) in versions.content.decode()
    chosen = client.get(reverse("practices:versions", args=[practice.pk]), {"from": 1, "to": 2})
    assert chosen["Location"] == reverse("practices:diff", args=[practice.pk, 1, 2])
    response = client.get(reverse("practices:diff", args=[practice.pk, 1, 2]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<del><span class="visually-hidden">' in html and "vērtību." in html
    assert '<ins><span class="visually-hidden">' in html
    assert "&lt;b&gt;dzīvē&lt;/b&gt;" in html  # the text's markup is shown, never applied
    assert [field.name for field in response.context["changed"]] == ["body"]
    assert client.get(reverse("practices:diff", args=[practice.pk, 1, 9])).status_code == 404


def test_a_file_is_downloaded_by_those_who_may_read_the_item(client, teacher, school, latvia):
    practice = PracticeFactory(school=school)
    stored = PracticeFileFactory(practice=practice, original_name="Pārskats.pdf")
    url = reverse("practices:file", args=[practice.pk, stored.pk])
    assert client.get(url).status_code == 302  # to sign in
    response = signed_in(client, teacher).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''P%C4%81rskats.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    outsider = person_with(Role.TEACHER, school=PracticeFactory().school)
    assert signed_in(client, outsider).get(url).status_code == 404
    reviewer = person_with(Role.REVIEWER, country=latvia)
    assert signed_in(client, reviewer).get(url).status_code == 404


def test_the_text_diff_works_word_by_word_within_changed_lines():
    old = "Pirmā rindkopa paliek.\n\nSkolēni mēra ūdeni katru dienu.\n"
    new = "Pirmā rindkopa paliek.\n\nSkolēni mēra un taupa ūdeni katru nedēļu.\n"
    segments = text_diff(old, new)
    assert segments[0] == (EQUAL, "Pirmā rindkopa paliek.\n\nSkolēni mēra ")
    assert (INSERT, "un taupa ") in segments
    assert (DELETE, "dienu.\n") in segments and (INSERT, "nedēļu.\n") in segments
    # Putting the kept and the added parts together gives the new text, the kept and the
    # removed ones the old text.
    assert "".join(text for op, text in segments if op != DELETE) == new
    assert "".join(text for op, text in segments if op != INSERT) == old
    assert text_diff("same", "same") == [(EQUAL, "same")]
    assert text_diff("", "") == []


def test_the_dashboard_tells_the_school_what_waits_in_its_library(
    client, teacher, coordinator, school
):
    PracticeFactory(school=school, status=PracticeStatus.DRAFT)
    PracticeFactory(school=school, status=PracticeStatus.CHANGES_REQUESTED)
    PracticeFactory(school=school, status=PracticeStatus.PUBLISHED)

    signed_in(client, coordinator)
    for_coordinator = client.get(reverse("dashboard:index")).context["dashboard"]
    signed_in(client, teacher)
    for_teacher = client.get(reverse("dashboard:index")).context["dashboard"]

    [coordinators_school] = for_coordinator.schools
    assert (coordinators_school.library_waiting, coordinators_school.library_sent_back) == (2, 1)
    assert for_coordinator.library_waiting is True
    # A teacher does not submit: only the item sent back for changes waits for them.
    assert for_teacher.library_waiting is True
    assert for_teacher.schools[0].library_sent_back == 1


def test_two_long_unlike_paragraphs_are_compared_quickly_as_whole_blocks():
    old = " ".join(f"vārds{n}" for n in range(5000))
    new = " ".join(f"cits{n}" for n in range(5000))

    segments = text_diff(old, new)

    assert segments == [(DELETE, old), (INSERT, new)]
