"""A school applies without an account, in steps that work without JavaScript; the national
coordinator decides in the workbench; e-mails go out through the queue."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from fpdf import FPDF

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.membership.models import Application, ApplicationNote, ApplicationQuestion
from asphub.roles.models import Invitation, Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus, School
from asphub.schools.tests.factories import SchoolFactory
from asphub.taxonomy.models import ThematicArea

pytestmark = pytest.mark.django_db

S = MembershipStatus


@pytest.fixture
def network(latvia):
    latvia.minimum_team_size = 3
    latvia.minimum_team_teachers = 2
    latvia.minimum_team_administration = 1
    latvia.contact_email = "office@example.lv"
    latvia.save()
    return latvia


def institution(network, **overrides):
    municipality = network.subdivisions.order_by("code").first()
    data = {
        "name": "Jaunā Ozolu pamatskola",
        "institution_type": "basic",
        "ownership": "municipal",
        "subdivision": municipality.pk,
        "settlement": "Ozoli",
        "registration_number": "4312345678",
        "address": "Skolas iela 1, Ozoli",
        "email": "skola@example.lv",
        "phone": "+371 20000000",
        "website": "ozoli.example.lv",
        "social_links": "",
        "nickname": "",
    }
    data.update(overrides)
    return data


def people(**overrides):
    data = {
        "principal_title": "Direktore",
        "principal_name": "Anna Ozola",
        "principal_email": "anna@example.lv",
        "coordinator_name": "Ilze Kalna",
        "coordinator_position": "skolotāja",
        "coordinator_email": "ilze@example.lv",
        "team-TOTAL_FORMS": "5",
        "team-INITIAL_FORMS": "0",
    }
    team = [
        ("Ilze Kalna", "teacher"),
        ("Jānis Bērziņš", "teacher"),
        ("Anna Ozola", "administration"),
    ]
    for index, (name, role) in enumerate(team):
        data[f"team-{index}-full_name"] = name
        data[f"team-{index}-team_role"] = role
    data.update(overrides)
    return data


def plans(**overrides):
    data = {
        "time_available": "Two hours a week for the team.",
        "resources": "A library and a garden.",
        "reason": "We want to teach for peace and sustainability with schools abroad.",
        "heard_from": "another_school",
        "heard_from_other": "",
        "activities_peace-global-citizenship": "A peace week in September.",
    }
    data.update(overrides)
    return data


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Letter")
    return bytes(pdf.output())


def step(name: str) -> str:
    return reverse("membership:apply_step", args=[name])


def apply_until_confirm(client, network):
    response = client.post(reverse("membership:apply_country", args=["LV"]), institution(network))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == step("people")
    assert client.post(step("people"), people())["Location"] == step("plans")
    assert client.post(step("plans"), plans())["Location"] == step("confirm")
    return Application.objects.get()


def test_a_school_applies_in_four_steps_and_gets_its_reference(client, network, loaded_taxonomy):
    application = apply_until_confirm(client, network)
    assert application.is_draft
    assert len(application.team) == 3
    response = client.post(
        step("confirm"),
        {"consent": "on", "submit": "1", "letter": SimpleUploadedFile("l.pdf", pdf_bytes())},
    )
    assert response["Location"] == reverse("membership:apply_status")
    application.refresh_from_db()
    assert not application.is_draft
    school = application.school
    assert school.membership_status == S.SUBMITTED
    assert school.name == "Jaunā Ozolu pamatskola"
    assert not school.is_public
    assert school.team.count() == 3
    assert school.history.get().action == "submit"
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["ilze@example.lv", "office@example.lv", "skola@example.lv"]
    applicant_mail = next(m for m in mail.outbox if m.to == ["ilze@example.lv"])
    assert application.reference in applicant_mail.subject
    assert AuditEntry.objects.filter(action=AuditAction.APPLICATION_SUBMITTED).count() == 1
    status_page = client.get(reverse("membership:apply_status")).content.decode()
    assert application.reference in status_page


def test_submitting_twice_makes_one_application(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    for _attempt in range(2):
        client.post(step("confirm"), {"consent": "on", "submit": "1"})
    assert School.objects.filter(name="Jaunā Ozolu pamatskola").count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.APPLICATION_SUBMITTED).count() == 1


def test_a_step_with_errors_keeps_everything_typed(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    long_reason = " ".join(["vārds"] * 101)
    response = client.post(step("plans"), plans(reason=long_reason, resources="Mūsu dārzs"))
    assert response.status_code == 200
    assert "too_many_words" in {e.code for e in response.context["form"].errors.as_data()["reason"]}
    body = response.content.decode()
    assert "Mūsu dārzs" in body and long_reason in body
    # The stored step is as it was.
    assert Application.objects.get().resources == "A library and a garden."


def test_the_team_must_meet_the_countrys_rule_before_submitting(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    client.post(
        step("people"),
        people(**{"team-1-team_role": "other", "team-2-full_name": "", "team-2-team_role": ""}),
    )
    response = client.post(step("confirm"), {"consent": "on", "submit": "1"})
    assert response.status_code == 200
    assert Application.objects.get().is_draft
    problems = {problem.field for problem in response.context["problems"]}
    assert problems == {"team"}


def test_a_disguised_letter_is_refused(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    executable = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post(step("confirm"), {"consent": "on", "submit": "1", "letter": executable})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["letter"][0].code == "not_pdf"
    assert Application.objects.get().is_draft


def test_the_honeypot_refuses_bots(client, network, loaded_taxonomy):
    response = client.post(
        reverse("membership:apply_country", args=["LV"]), institution(network, nickname="bot")
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_one_address_starts_a_limited_number_of_applications(
    client, network, loaded_taxonomy, settings
):
    settings.ASPHUB_APPLICATIONS_PER_HOUR = 2
    url = reverse("membership:apply_country", args=["LV"])
    # Three browsers behind one address.
    for number in range(2):
        assert Client().post(url, institution(network, name=f"Skola {number}")).status_code == 302
    response = Client().post(url, institution(network, name="Skola 3"))
    assert response.status_code == 200
    assert Application.objects.count() == 2
    assert "Skola 3" in response.content.decode()


def test_a_duplicate_is_flagged_and_the_applicant_told_without_details(
    client, network, loaded_taxonomy
):
    SchoolFactory(country=network, name="Cita skola", registration_number="4312345678")
    apply_until_confirm(client, network)
    client.post(step("confirm"), {"consent": "on", "submit": "1"})
    application = Application.objects.get()
    assert application.possible_duplicates[0]["why"] == "registration_number"
    body = client.get(reverse("membership:apply_status")).content.decode()
    assert "Cita skola" not in body
    assert 'class="message message-warning"' in body


def test_the_link_lets_the_applicant_come_back_in_another_browser(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    client.post(step("plans"), {**plans(), "save_link": "1"})
    link_mail = mail.outbox[-1]
    link = re.search(r"https?://\S+/apply/continue/\S+/", link_mail.body).group(0)
    other = Client()
    response = other.get(link.split("testserver", 1)[-1])
    assert response.status_code == 302
    page = other.get(step("plans"))
    assert "A library and a garden." in page.content.decode()


@pytest.fixture
def loaded_taxonomy(db):
    ThematicArea.objects.get_or_create(
        slug="peace-global-citizenship",
        defaults={"name_lv": "Miers", "name_en": "Peace", "position": 1},
    )


# -- the coordinator's side ------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, national_coordinator):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    return client


@pytest.fixture
def submitted(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    client.post(step("confirm"), {"consent": "on", "submit": "1"})
    client.logout()
    return Application.objects.select_related("school").get()


def decide(client, school, action, reason=""):
    return client.post(
        reverse("membership:decide", args=[school.pk]),
        {"action": action, "seen_status": school.membership_status, "reason": reason},
    )


def test_changes_requested_then_resubmitted_then_endorsed_and_admitted(
    submitted, coordinator_client, network
):
    school = submitted.school
    decide(coordinator_client, school, "request_changes", "Add the registration number.")
    school.refresh_from_db()
    assert school.membership_status == S.CHANGES_REQUESTED
    case = coordinator_client.get(reverse("membership:school", args=[school.pk]))
    assert case.status_code == 200
    assert case.context["actions"] == []
    assert case.context["waiting_for_applicant"]
    message = [m for m in mail.outbox if m.to == ["ilze@example.lv"]][-1]
    assert "Add the registration number." in message.body
    link = re.search(r"https?://\S+/apply/continue/\S+/", message.body).group(0)

    applicant = Client()
    assert applicant.get(link.split("testserver", 1)[-1]).status_code == 302
    applicant.post(step("institution"), institution(network, registration_number="999"))
    applicant.post(step("confirm"), {"consent": "on", "submit": "1"})
    school.refresh_from_db()
    assert school.membership_status == S.UNDER_REVIEW
    assert school.registration_number == "999"

    decide(coordinator_client, school, "endorse")
    school.refresh_from_db()
    assert school.membership_status == S.ENDORSED
    # The link stops working once the application is decided.
    assert applicant.get(step("institution")).status_code == 404
    assert applicant.get(link.split("testserver", 1)[-1]).status_code == 404

    decide(coordinator_client, school, "make_candidate")
    school.refresh_from_db()
    assert school.membership_status == S.CANDIDATE
    assert school.is_public
    invitation = Invitation.objects.get(school=school)
    assert invitation.role == Role.SCHOOL_COORDINATOR
    assert invitation.email == "ilze@example.lv"
    directory = coordinator_client.get(reverse("schools:directory")).content.decode()
    assert school.name in directory


def test_a_step_not_in_the_table_is_refused_and_changes_nothing(submitted, coordinator_client):
    school = submitted.school
    response = decide(coordinator_client, school, "make_member")
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"])
    shown = [message.level_tag for message in page.context["messages"]]
    assert shown == ["error"]
    school.refresh_from_db()
    assert school.membership_status == S.SUBMITTED
    assert school.history.count() == 1


def test_a_reason_typed_for_a_refused_step_comes_back(submitted, coordinator_client):
    school = submitted.school
    decide(coordinator_client, school, "endorse")
    stale = School.objects.get(pk=school.pk)
    stale.membership_status = S.SUBMITTED
    decide(coordinator_client, stale, "reject", "Not eligible, see the register.")
    page = coordinator_client.get(reverse("membership:school", args=[school.pk]))
    body = page.content.decode()
    assert "Not eligible, see the register." in body
    school.refresh_from_db()
    assert school.membership_status == S.ENDORSED


def test_other_roles_do_not_reach_the_workbench(client, submitted, estonia, teacher):
    foreign = person_with(Role.NATIONAL_COORDINATOR, country=estonia)
    enrol_authenticator(foreign)
    for person, expected in ((teacher, 403), (foreign, 404)):
        client.force_login(person)
        url = reverse("membership:school", args=[submitted.school.pk])
        assert client.get(url).status_code in (expected, 403, 404)
        response = decide(client, submitted.school, "endorse")
        assert response.status_code in (403, 404)
    submitted.school.refresh_from_db()
    assert submitted.school.membership_status == S.SUBMITTED
    client.logout()
    assert client.get(reverse("membership:queue")).status_code == 302


def test_the_queue_pages_with_a_bounded_number_of_queries(
    coordinator_client, network, django_assert_max_num_queries
):
    for number in range(60):
        SchoolFactory(country=network, membership_status=S.SUBMITTED, name=f"Pieteikums {number}")
    with django_assert_max_num_queries(15):
        response = coordinator_client.get(reverse("membership:queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 50


def test_notes_and_checklist_are_kept_and_audited(submitted, coordinator_client):
    school = submitted.school
    coordinator_client.post(reverse("membership:add_note", args=[school.pk]), {"text": "Zvanīju."})
    coordinator_client.post(
        reverse("membership:checklist", args=[school.pk]), {"ticked": ["eligible", "team"]}
    )
    submitted.refresh_from_db()
    assert submitted.notes.get().text == "Zvanīju."
    assert submitted.checklist == {"eligible": True, "team": True}
    assert AuditEntry.objects.filter(action=AuditAction.APPLICATION_NOTE_ADDED).exists()
    page = coordinator_client.get(reverse("membership:school", args=[school.pk])).content.decode()
    assert "Zvanīju." in page


def test_hostile_text_stays_inert_in_the_workbench(
    client, network, loaded_taxonomy, coordinator_client
):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    applicant = Client()
    applicant.post(
        reverse("membership:apply_country", args=["LV"]),
        institution(network, address=payload),
    )
    applicant.post(step("people"), people())
    applicant.post(step("plans"), plans(reason=payload))
    applicant.post(step("confirm"), {"consent": "on", "submit": "1"})
    school = School.objects.get(name="Jaunā Ozolu pamatskola")
    page = coordinator_client.get(reverse("membership:school", args=[school.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_going_back_from_a_step_with_errors_keeps_what_was_typed(client, network, loaded_taxonomy):
    apply_until_confirm(client, network)
    long_reason = " ".join(["vārds"] * 120)
    response = client.post(
        step("plans"), {**plans(reason=long_reason, resources="Mūsu dārzs"), "back": "1"}
    )
    assert response.status_code == 200  # stays, with the error shown
    body = response.content.decode()
    assert long_reason in body and "Mūsu dārzs" in body
    assert "too_many_words" in {e.code for e in response.context["form"].errors.as_data()["reason"]}


def test_enter_in_a_field_saves_and_goes_on(client, network, loaded_taxonomy):
    """A browser's Enter presses the form's first submit button: it must be the step's own."""
    apply_until_confirm(client, network)
    page = client.get(step("people")).content.decode()
    buttons = re.findall(r'<button type="submit" name="(\w+)"', page)
    assert buttons[0] == "next"


def test_the_coordinator_reads_the_letter_and_the_countrys_questions(
    client, network, loaded_taxonomy, coordinator_client, teacher
):
    question = ApplicationQuestion.objects.create(
        country=network, text_lv="Vai skolai ir partneri?", text_en="Partners?", required=True
    )
    applicant = Client()
    applicant.post(reverse("membership:apply_country", args=["LV"]), institution(network))
    applicant.post(step("people"), people())
    applicant.post(step("plans"), plans())
    applicant.post(
        step("confirm"),
        {
            "consent": "on",
            "submit": "1",
            f"question_{question.pk}": "Jā, Erasmus+ 2024",
            "letter": SimpleUploadedFile("l.pdf", pdf_bytes()),
        },
    )
    school = School.objects.get(name="Jaunā Ozolu pamatskola")
    case = coordinator_client.get(reverse("membership:school", args=[school.pk])).content.decode()
    assert "Vai skolai ir partneri?" in case and "Jā, Erasmus+ 2024" in case
    letter_url = reverse("membership:application_letter", args=[school.pk])
    assert f'href="{letter_url}"' in case
    letter = coordinator_client.get(letter_url)
    assert letter["Content-Type"] == "application/pdf"
    assert letter["Content-Disposition"].startswith("attachment;")
    assert letter["X-Content-Type-Options"] == "nosniff"
    assert letter.content.startswith(b"%PDF-")
    client.force_login(teacher)
    assert client.get(letter_url).status_code == 404


def test_the_school_is_told_when_it_becomes_a_candidate(submitted, coordinator_client):
    school = submitted.school
    decide(coordinator_client, school, "endorse")
    school.refresh_from_db()
    decide(coordinator_client, school, "make_candidate")
    told = [m for m in mail.outbox if "candidate" in m.body.lower() or "kandid" in m.body.lower()]
    recipients = {m.to[0] for m in told}
    assert {"ilze@example.lv", "skola@example.lv"} <= recipients


def test_the_first_step_sent_twice_starts_one_application(client, network, loaded_taxonomy):
    url = reverse("membership:apply_country", args=["LV"])
    client.post(url, institution(network))
    client.post(url, institution(network, address="Skolas iela 2, Ozoli"))
    application = Application.objects.get()
    assert application.address == "Skolas iela 2, Ozoli"


def test_a_new_note_shows_however_many_there_are(
    submitted, coordinator_client, national_coordinator
):
    ApplicationNote.objects.bulk_create(
        ApplicationNote(application=submitted, author_label="x", text=f"Vecā piezīme {n}")
        for n in range(250)
    )
    coordinator_client.post(
        reverse("membership:add_note", args=[submitted.school.pk]), {"text": "Jaunākā piezīme"}
    )
    case = coordinator_client.get(reverse("membership:school", args=[submitted.school.pk]))
    assert "Jaunākā piezīme" in case.content.decode()
    notes = coordinator_client.get(reverse("membership:add_note", args=[submitted.school.pk]))
    assert notes.context["page"].paginator.count == 251
    assert notes.context["page"].object_list[0].text == "Jaunākā piezīme"
    history = coordinator_client.get(reverse("membership:history", args=[submitted.school.pk]))
    assert history.status_code == 200
    assert history.context["page"].paginator.count == 1
