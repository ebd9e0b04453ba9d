"""The school's own profile page in the workspace (/dashboard/schools/<pk>/profile/) and its
request to withdraw (/dashboard/schools/<pk>/withdraw/): who may open them, what a save
changes (and the public profile shows at once), and what a refused save keeps."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.forms import CheckboxInput, FileInput
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import FlagshipParticipation, School, TeamMember, TeamRole
from asphub.schools.profile_services import (
    school_profile_update,
    school_team_update,
    school_withdrawal_request,
)
from asphub.schools.tests.factories import FlagshipFactory
from asphub.schools.tests.test_profile_services import DISGUISED, picture, upload
from asphub.workspace.views.school_profile import school_workspace_extras

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TWO_FACTOR = {"national_coordinator", "administrator"}


def profile_url(school: School) -> str:
    return reverse("dashboard:school_profile", args=[school.pk])


def withdraw_url(school: School) -> str:
    return reverse("dashboard:school_withdraw", args=[school.pk])


@pytest.fixture
def people(request, school, other_school, estonia, latvia):
    """Everyone the ladder tries, by name."""
    return {
        "coordinator": request.getfixturevalue("coordinator"),
        "national_coordinator": request.getfixturevalue("national_coordinator"),
        "administrator": request.getfixturevalue("administrator"),
        "teacher": request.getfixturevalue("teacher"),
        "other_coordinator": person_with(
            Role.SCHOOL_COORDINATOR, school=other_school, email="other@example.org"
        ),
        "reviewer": person_with(Role.REVIEWER, country=latvia, email="reviewer@example.org"),
        "foreign_national_coordinator": person_with(
            Role.NATIONAL_COORDINATOR, country=estonia, email="ee@example.org"
        ),
        "anonymous": None,
    }


def sign_in(client, people, who: str):
    person = people[who]
    if person is None:
        return None
    if who in TWO_FACTOR or who == "foreign_national_coordinator":
        enrol_authenticator(person)
    client.force_login(person)
    return person


def form_values(form) -> dict:
    """What a browser would send back of a form as it was shown (pictures aside)."""
    data = {}
    for field in form:
        widget = field.field.widget
        if isinstance(widget, FileInput):
            continue
        value = field.value()
        if isinstance(widget, CheckboxInput):
            if value:
                data[field.html_name] = "on"
            continue
        if value is not None:
            data[field.html_name] = value
    return data


def page_data(response) -> dict:
    """Everything the profile page's form sends when saved unchanged."""
    context = response.context
    data = {"seen_updated_at": context["seen_updated_at"], **form_values(context["form"])}
    for formset in (context["team_forms"], context["flagship_forms"]):
        data.update(form_values(formset.management_form))
        for form in formset.forms:
            data.update(form_values(form))
    return data


def stored_state(school: School) -> dict:
    return {
        "school": School.objects.filter(pk=school.pk).values().get(),
        "team": list(TeamMember.objects.filter(school=school).order_by("pk").values()),
        "flagships": list(FlagshipParticipation.objects.filter(school=school).values()),
        "audit": AuditEntry.objects.count(),
    }


def error_codes(form, field: str) -> set[str]:
    return {error.code for error in form.errors.as_data().get(field, [])}


# -- who may open the pages -------------------------------------------------------------------

# fmt: off
LADDER = {
    # who:                          (profile, withdraw)
    "coordinator":                  (200, 200),
    "national_coordinator":         (200, 403),
    "administrator":                (200, 200),
    "teacher":                      (403, 403),
    "other_coordinator":            (404, 404),
    "reviewer":                     (404, 404),
    "foreign_national_coordinator": (404, 404),
}
# fmt: on


@pytest.mark.parametrize("who", [*LADDER, "anonymous"])
def test_who_may_open_the_profile_and_withdrawal_pages(client, people, school, who):
    sign_in(client, people, who)
    for page, url in enumerate((profile_url(school), withdraw_url(school))):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
            continue
        assert response.status_code == LADDER[who][page], url
        if response.status_code == 404:
            assert school.name not in response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "other_coordinator", "reviewer",
                                 "foreign_national_coordinator", "anonymous"])  # fmt: skip
def test_a_refused_save_changes_nothing(client, people, school, coordinator, who):
    client.force_login(coordinator)
    data = page_data(client.get(profile_url(school)))
    client.logout()
    sign_in(client, people, who)
    before = stored_state(school)
    data.update({"description_en": "Taken over.", "team-0-full_name": "Intruder",
                 "team-0-team_role": "teacher"})  # fmt: skip
    response = client.post(profile_url(school), data)
    assert response.status_code in (302, 403, 404)
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert stored_state(school) == before
    withdrawal = client.post(withdraw_url(school), {"reason": "Not mine to ask."})
    assert withdrawal.status_code in (302, 403, 404)
    assert stored_state(school) == before
    assert len(mail.outbox) == 0


def test_the_pages_answer_only_get_and_post(client, people, school):
    sign_in(client, people, "coordinator")
    assert client.put(profile_url(school)).status_code == 405
    assert client.delete(withdraw_url(school)).status_code == 405


# -- saving -----------------------------------------------------------------------------------


def test_the_coordinator_saves_profile_team_and_flagships_and_the_public_profile_shows_them(
    client, people, school, settings
):
    settings.ASPHUB_DIRECTORY_CACHE = True
    baltic = FlagshipFactory(slug="baltic-sea-project", name_en="Baltic Sea Project")
    public = school.get_absolute_url()
    assert "Pupils planting oaks" not in client.get(public).content.decode()  # now cached

    sign_in(client, people, "coordinator")
    page = client.get(profile_url(school))
    assert "name" not in page.context["form"].fields
    data = page_data(page)
    rows = {network.pk: index for index, (network, _row) in
            enumerate(page.context["flagship_rows"])}  # fmt: skip
    data.update(
        {
            "description_lv": "Skola pie ozoliem.",
            "description_en": "A school by the oaks.",
            "website": "ozoli.example.lv",
            "email": "info@ozoli.example.lv",
            "phone": "+371 600 00000",
            "address": "Ozolu iela 1, Rīga",
            "photo_description": "Pupils planting oaks in the school yard.",
            "logo": upload(picture("PNG"), "logo.png", "image/png"),
            "photo": upload(picture(gps=True), "photo.jpg"),
            "team-0-full_name": "Anna Bērziņa",
            "team-0-team_role": TeamRole.TEACHER,
            "team-0-position": "skolotāja",
            "team-1-full_name": "Jānis Ozols",
            "team-1-team_role": TeamRole.ADMINISTRATION,
            f"flagships-{rows[baltic.pk]}-takes_part": "on",
            f"flagships-{rows[baltic.pk]}-since_year": "2005",
        }
    )
    # A name in the request is not the coordinator's to change: it is not even read.
    data["name"] = "Pārdēvēta skola"
    response = client.post(profile_url(school), data)
    assert response.status_code == 302
    assert response["Location"] == profile_url(school)

    school.refresh_from_db()
    assert school.name == "Ozolu pamatskola"
    assert school.website == "https://ozoli.example.lv"
    assert [m.full_name for m in TeamMember.objects.filter(school=school)] == [
        "Anna Bērziņa",
        "Jānis Ozols",
    ]
    assert FlagshipParticipation.objects.get(school=school).since_year == 2005
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.SCHOOL_PROFILE_CHANGED, AuditAction.SCHOOL_TEAM_CHANGED} <= actions

    # The team falls short of Latvia's rule: saved, with a warning.
    followed = client.get(profile_url(school))
    assert [s.code for s in followed.context["team_shortfalls"]] == ["size"]
    levels = [message.level_tag for message in followed.context["messages"]]
    assert levels == ["success", "warning"]

    client.logout()
    body = client.get(public).content.decode()
    assert f'src="{school.logo.url}"' in body
    assert f'<img src="{school.photo.url}" alt="Pupils planting oaks in the school yard.">' in body
    assert "Skola pie ozoliem." in body
    assert 'href="https://ozoli.example.lv"' in body
    assert 'href="mailto:info@ozoli.example.lv"' in body
    assert "+371 600 00000" in body
    assert "Ozolu iela 1, Rīga" in body
    assert "(2005)" not in body and "2005" in body
    english = client.get(f"/en{public}").content.decode()
    assert "A school by the oaks." in english
    with default_storage.open(school.photo.name) as stored, Image.open(stored) as image:
        assert not image.getexif()


def test_the_national_coordinator_corrects_the_name_in_the_same_form(client, people, school):
    sign_in(client, people, "national_coordinator")
    page = client.get(profile_url(school))
    assert "name" in page.context["form"].fields
    data = page_data(page)
    data.update({"name": "Ozolu sākumskola", "institution_type": "primary"})
    assert client.post(profile_url(school), data).status_code == 302
    school.refresh_from_db()
    assert (school.name, school.institution_type) == ("Ozolu sākumskola", "primary")
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_PROFILE_CHANGED)
    assert set(entry.after) == {"name", "institution_type"}


def test_hostile_text_stays_text_on_the_public_profile(client, people, school):
    sign_in(client, people, "coordinator")
    data = page_data(client.get(profile_url(school)))
    data.update(
        {
            "description_lv": HOSTILE,
            "address": HOSTILE,
            "photo_description": '" onload="alert(1)',
            "photo": upload(picture()),
            "team-0-full_name": HOSTILE,
            "team-0-team_role": TeamRole.OTHER,
        }
    )
    assert client.post(profile_url(school), data).status_code == 302
    client.logout()
    body = client.get(school.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert 'alt="&quot; onload=&quot;alert(1)"' in body
    client.force_login(people["coordinator"])
    page = client.get(profile_url(school)).content.decode()
    assert "<script>alert" not in page


@pytest.mark.parametrize("kind", ["text", "executable", "svg"])
def test_a_disguised_file_is_refused_and_what_was_typed_comes_back(client, people, school, kind):
    sign_in(client, people, "coordinator")
    data = page_data(client.get(profile_url(school)))
    content, name = DISGUISED[kind]
    data.update(
        {
            "description_en": "Typed with care.",
            "team-0-full_name": "Anna Bērziņa",
            "team-0-team_role": TeamRole.TEACHER,
            "logo": upload(content, name, "image/png"),
        }
    )
    before = stored_state(school)
    response = client.post(profile_url(school), data)
    assert response.status_code == 200
    assert error_codes(response.context["form"], "logo") == {"not_an_image"}
    assert stored_state(school) == before
    body = response.content.decode()
    assert "Typed with care." in body
    assert 'value="Anna Bērziņa"' in body


def test_a_picture_over_five_megabytes_is_refused(client, people, school):
    sign_in(client, people, "coordinator")
    data = page_data(client.get(profile_url(school)))
    data["photo"] = upload(picture() + b"\x00" * (5 * 1024 * 1024), "big.jpg")
    data["photo_description"] = "A big photo."
    before = stored_state(school)
    response = client.post(profile_url(school), data)
    assert response.status_code == 200
    assert error_codes(response.context["form"], "photo") == {"too_large"}
    assert stored_state(school) == before


def test_a_save_after_someone_else_saved_is_refused_and_keeps_what_was_typed(
    client, people, school, national_coordinator
):
    sign_in(client, people, "coordinator")
    data = page_data(client.get(profile_url(school)))
    # Meanwhile the national coordinator corrects the phone.
    school_profile_update(
        actor=national_coordinator, school=School.objects.get(pk=school.pk), phone="+371 1"
    )
    before = stored_state(school)
    data.update({"description_en": "My careful words.", "phone": "+371 2",
                 "team-0-full_name": "Anna", "team-0-team_role": TeamRole.TEACHER})  # fmt: skip
    response = client.post(profile_url(school), data)
    assert response.status_code == 200
    assert stored_state(school) == before
    form = response.context["form"]
    assert {error.code for error in form.non_field_errors().as_data()} == {"changed_meanwhile"}
    assert str(form["phone"].label) in response.context["changed_meanwhile"]
    body = response.content.decode()
    assert "My careful words." in body
    assert 'value="Anna"' in body
    # Saving again, knowingly, keeps this version.
    data["seen_updated_at"] = response.context["seen_updated_at"]
    assert client.post(profile_url(school), data).status_code == 302
    assert School.objects.get(pk=school.pk).phone == "+371 2"


def test_people_are_removed_and_reordered_without_javascript(client, people, school, coordinator):
    school_team_update(
        actor=coordinator,
        school=school,
        members=[
            {"full_name": "Anna", "team_role": TeamRole.TEACHER},
            {"full_name": "Jānis", "team_role": TeamRole.ADMINISTRATION},
            {"full_name": "Līga", "team_role": TeamRole.TEACHER},
        ],
    )
    sign_in(client, people, "coordinator")
    data = page_data(client.get(profile_url(school)))
    data.update({"team-0-DELETE": "on", "team-2-ORDER": "1", "team-1-ORDER": "2"})
    assert client.post(profile_url(school), data).status_code == 302
    names = list(
        TeamMember.objects.filter(school=school)
        .order_by("order")
        .values_list("full_name", flat=True)
    )
    assert names == ["Līga", "Jānis"]


def test_the_profile_page_needs_a_bounded_number_of_queries(
    client, people, school, coordinator, django_assert_max_num_queries
):
    FlagshipFactory.create_batch(3)
    sign_in(client, people, "coordinator")
    client.get(profile_url(school))  # the session and the first request's lookups

    def count_for(team_size: int) -> int:
        TeamMember.objects.filter(school=school).delete()
        TeamMember.objects.bulk_create(
            TeamMember(school=school, full_name=f"P{n}", team_role=TeamRole.TEACHER, order=n)
            for n in range(team_size)
        )
        with django_assert_max_num_queries(12) as captured:
            assert client.get(profile_url(school)).status_code == 200
        return len(captured)

    few = count_for(1)
    assert few == count_for(40), few


# -- asking to withdraw -----------------------------------------------------------------------


def test_the_coordinator_asks_to_withdraw_and_the_request_waits(
    client, people, school, national_coordinator
):
    sign_in(client, people, "coordinator")
    refused = client.post(withdraw_url(school), {"reason": "  "})
    assert refused.status_code == 200
    assert error_codes(refused.context["form"], "reason") == {"required"}

    response = client.post(withdraw_url(school), {"reason": "The school is merging."})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:school", args=[school.pk])
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED)
    assert (entry.note, entry.actor) == ("The school is merging.", people["coordinator"])
    assert [message.to for message in mail.outbox] == [[national_coordinator.email]]

    again = client.get(withdraw_url(school))
    assert again.context["pending"].reason == entry.note
    assert 'name="reason"' not in again.content.decode()
    client.post(withdraw_url(school), {"reason": "Once more."})
    assert AuditEntry.objects.filter(action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED).count() == 1
    assert len(mail.outbox) == 1


def test_the_schools_dashboard_page_links_the_profile_and_shows_a_waiting_request(
    client, people, school
):
    sign_in(client, people, "coordinator")
    page = client.get(reverse("dashboard:school", args=[school.pk])).content.decode()
    assert f'href="{profile_url(school)}"' in page
    assert f'href="{withdraw_url(school)}"' in page
    client.post(withdraw_url(school), {"reason": "Closing."})
    page = client.get(reverse("dashboard:school", args=[school.pk])).content.decode()
    assert f'href="{withdraw_url(school)}"' not in page
    assert re.search(r'class="message message-warning" role="status"', page)


def test_the_dashboard_template_shows_a_waiting_request(rf, people, school):
    """The template's part, with the context school_workspace_extras gives it."""
    client_request = rf.get("/")
    client_request.user = people["coordinator"]
    extras = school_workspace_extras(client_request, school)
    assert extras["withdrawal_request"] is None
    page = render_to_string(
        "dashboard/school.html",
        {"school": school, "members": [], "invitations": [], **extras},
        request=client_request,
    )
    assert f'href="{profile_url(school)}"' in page
    assert f'href="{withdraw_url(school)}"' in page
    entry = school_withdrawal_request(actor=people["coordinator"], school=school, reason="Closing.")
    extras = school_workspace_extras(client_request, school)
    assert extras["withdrawal_request"] == entry
    page = render_to_string(
        "dashboard/school.html",
        {"school": school, "members": [], "invitations": [], **extras},
        request=client_request,
    )
    assert 'class="message message-warning" role="status"' in page
    assert f'href="{withdraw_url(school)}"' not in page
