"""Recording activities in the school's workspace: the permission ladder of every page
(anonymous → sign-in, another school's people → 404, the national coordinator → 403 where
they may look but not do, the school's own people → 200), the editor (bad input is said next to
its field and loses nothing typed; a stale save is refused), deleting after a confirmation,
photos only with consent."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.activities.models import Activity, ActivityPhoto
from asphub.activities.services import MAX_HELD_PER_PERSON, activity_update
from asphub.activities.tests.conftest import stored_photo_files
from asphub.activities.tests.factories import ActivityFactory, ActivityPhotoFactory, picture_bytes
from asphub.audit.models import AuditAction, AuditEntry
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db

SIGN_IN = "sign-in"


def form_post(**changes) -> dict:
    """What a browser posts from the editor: the activity's fields and an empty links set."""
    data = {
        "kind": "project",
        "title": "Baltijas jūras projekts",
        "language": "lv",
        "description": "Skolēni pētīja jūras krastu.",
        "starts_on": "2025-04-01",
        "ends_on": "2025-04-30",
        "place": "Jūrmala",
        "pupils": "25",
        "teachers": "2",
        "others": "0",
        "visibility": "public",
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


def photo_post(**changes) -> dict:
    data = {
        "image": SimpleUploadedFile("IMG_0001.jpg", picture_bytes(), content_type="image/jpeg"),
        "alt_text": "Skolēni pie jūras ar spaiņiem.",
        "caption": "Krasta tīrīšana",
        "consent_confirmed": "on",
        "consent_note": "Vecāki parakstīja veidlapas 2024. gada septembrī.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def signed_in(client, user):
    if user is None:
        return client
    if set(user.role_assignments.values_list("role", flat=True)) & {
        Role.NATIONAL_COORDINATOR,
        Role.ADMINISTRATOR,
    }:
        enrol_authenticator(user)
    client.force_login(user)
    return client


def codes(form, field: str) -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


@pytest.fixture
def people(teacher, coordinator, national_coordinator, other_school, latvia, estonia):
    return {
        "anonymous": None,
        "no_role": UserFactory(),
        "other_teacher": person_with(Role.TEACHER, school=other_school),
        "reviewer": person_with(Role.REVIEWER, country=latvia),
        "foreign_national": person_with(Role.NATIONAL_COORDINATOR, country=estonia),
        "teacher": teacher,
        "coordinator": coordinator,
        "national": national_coordinator,
    }


@pytest.fixture
def activity(school, teacher):
    return ActivityFactory(school=school, created_by=teacher, visibility="network")


# fmt: off
#            anonymous no_role other_teacher reviewer foreign_national teacher coordinator national
LADDER = {
    "list":   (SIGN_IN,  404,    404,          404,     404,             200,    200,        200),
    "create": (SIGN_IN,  404,    404,          404,     404,             200,    200,        403),
    "edit":   (SIGN_IN,  404,    404,          404,     404,             200,    200,        403),
    "delete": (SIGN_IN,  404,    404,          404,     404,             200,    200,        200),
    "photo":  (SIGN_IN,  404,    404,          404,     404,             200,    200,        403),
    "remove": (SIGN_IN,  404,    404,          404,     404,             200,    200,        200),
}
# fmt: on
PEOPLE = (
    "anonymous",
    "no_role",
    "other_teacher",
    "reviewer",
    "foreign_national",
    "teacher",
    "coordinator",
    "national",
)  # fmt: skip


def page_url(page: str, school, activity, photo) -> str:
    return {
        "list": lambda: reverse("activities:school_activities", args=[school.pk]),
        "create": lambda: reverse("activities:create", args=[school.pk]),
        "edit": lambda: reverse("activities:edit", args=[activity.pk]),
        "delete": lambda: reverse("activities:delete", args=[activity.pk]),
        "photo": lambda: reverse("activities:photo_add", args=[activity.pk]),
        "remove": lambda: reverse("activities:photo_remove", args=[activity.pk, photo.pk]),
    }[page]()


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, row[column], id=f"{page}-{who}")
        for page, row in LADDER.items()
        for column, who in enumerate(PEOPLE)
    ],
)
def test_the_permission_ladder(client, people, school, activity, page, who, expected):
    photo = ActivityPhotoFactory(activity=activity)
    url = page_url(page, school, activity, photo)
    response = signed_in(client, people[who]).get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("who", ["other_teacher", "reviewer", "foreign_national", "national"])
def test_a_refused_post_changes_nothing(client, people, school, activity, who):
    before = list(Activity.objects.values())
    signed_in(client, people[who])
    client.post(reverse("activities:create", args=[school.pk]), form_post())
    client.post(reverse("activities:edit", args=[activity.pk]), form_post(title="Cits"))
    assert list(Activity.objects.values()) == before
    assert not AuditEntry.objects.filter(action__startswith="activity.").exists()


def test_a_teacher_records_an_activity(client, teacher, school, other_school):
    post = form_post(
        partner_schools=[str(other_school.pk)],
        partners_abroad="Tallinna Kesklinna Kool, Igaunija",
        **{"links-0-url": "https://example.org/news", "links-0-title": "Ziņa"},
    )
    response = signed_in(client, teacher).post(reverse("activities:create", args=[school.pk]), post)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.school == school and activity.created_by == teacher
    assert activity.ends_on == datetime.date(2025, 4, 30)
    assert list(activity.partner_schools.all()) == [other_school]
    assert [link.url for link in activity.links.all()] == ["https://example.org/news"]


def test_the_editor_labels_every_field_and_needs_no_javascript(client, teacher, school):
    response = signed_in(client, teacher).get(reverse("activities:create", args=[school.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    for name in form.fields:
        if name != "seen_sequence":
            assert form[name].label, name
    body = response.content.decode()
    assert 'type="date" name="starts_on"' in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]


def test_an_end_before_the_start_is_said_next_to_the_end_date_and_keeps_the_text(
    client, teacher, school
):
    post = form_post(ends_on="2025-03-01", description="Mans garais apraksts par projektu.")
    response = signed_in(client, teacher).post(reverse("activities:create", args=[school.pk]), post)
    assert response.status_code == 200
    assert not Activity.objects.exists()
    form = response.context["form"]
    assert codes(form, "ends_on") == ["ends_before_start"]
    body = response.content.decode()
    assert "Mans garais apraksts par projektu." in body
    assert 'aria-invalid="true"' in body and 'id="id_ends_on_error"' in body
    assert 'aria-describedby="id_ends_on_error"' in body


@pytest.mark.parametrize(
    ("value", "code"), [("-5", "min_value"), ("100001", "max_value"), ("daudz", "invalid")]
)
def test_negative_or_absurd_counts_are_said_next_to_the_field(client, teacher, school, value, code):
    response = signed_in(client, teacher).post(
        reverse("activities:create", args=[school.pk]), form_post(pupils=value)
    )
    assert response.status_code == 200 and not Activity.objects.exists()
    assert codes(response.context["form"], "pupils") == [code]
    assert "Baltijas jūras projekts" in response.content.decode()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,x"])
def test_links_that_are_not_web_addresses_are_refused(client, teacher, school, url):
    response = signed_in(client, teacher).post(
        reverse("activities:create", args=[school.pk]), form_post(**{"links-0-url": url})
    )
    assert response.status_code == 200 and not Activity.objects.exists()
    links = response.context["links"]
    assert links.forms[0].errors["url"]


def test_a_stale_edit_is_refused_and_keeps_the_text(client, teacher, coordinator, activity):
    url = reverse("activities:edit", args=[activity.pk])
    signed_in(client, coordinator)
    seen = client.get(url).context["form"]["seen_sequence"].value()
    activity_update(actor=teacher, activity=activity, data={"title": "Skolotājas"}, seen_sequence=0)
    response = client.post(url, form_post(title="Koordinatora", seen_sequence=str(seen)))
    assert response.status_code == 200 and response.context["stale"]
    assert "Koordinatora" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "Skolotājas"
    # The second save, after comparing, wins.
    again = client.post(url, dict(response.context["form"].data.items()))
    assert again.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == ("Koordinatora", 2)


def test_a_change_posted_without_its_revision_is_refused_and_keeps_the_text(
    client, coordinator, activity
):
    url = reverse("activities:edit", args=[activity.pk])
    before = Activity.objects.filter(pk=activity.pk).values().get()
    response = signed_in(client, coordinator).post(url, form_post(title="Koordinatora"))
    assert response.status_code == 200 and response.context["stale"]
    form = response.context["form"]
    assert codes(form, "__all__") == ["stale"]
    assert form["title"].value() == "Koordinatora"
    assert "Koordinatora" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).values().get() == before
    # The page now carries the revision stored: saved again, it is saved.
    assert form["seen_sequence"].value() == str(activity.sequence)
    again = client.post(url, dict(form.data.items()))
    assert again.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == ("Koordinatora", 1)


def test_recording_a_new_activity_needs_no_revision(client, teacher, school):
    response = signed_in(client, teacher).post(
        reverse("activities:create", args=[school.pk]), form_post()
    )
    assert response.status_code == 302
    assert Activity.objects.get().title == "Baltijas jūras projekts"


def test_deleting_asks_first_and_then_deletes(client, coordinator, school, activity):
    url = reverse("activities:delete", args=[activity.pk])
    signed_in(client, coordinator)
    page = client.get(url)
    assert page.status_code == 200 and activity.title in page.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:school_activities", args=[school.pk])
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_another_teacher_of_the_school_may_not_delete(client, school, activity):
    colleague = person_with(Role.TEACHER, school=school)
    response = signed_in(client, colleague).post(reverse("activities:delete", args=[activity.pk]))
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_list_shows_the_schools_activities_newest_first(client, teacher, school, other_school):
    ActivityFactory(school=school, title="Vecākā", starts_on=datetime.date(2024, 1, 10))
    ActivityFactory(school=school, title="Jaunākā", starts_on=datetime.date(2025, 5, 10))
    ActivityFactory(school=school, title="Tikai tīklam", visibility="network")
    ActivityFactory(school=other_school, title="Kaimiņu")
    body = (
        signed_in(client, teacher)
        .get(reverse("activities:school_activities", args=[school.pk]))
        .content.decode()
    )
    assert body.index("Jaunākā") < body.index("Vecākā")
    assert "Tikai tīklam" in body and "Kaimiņu" not in body
    assert reverse("activities:create", args=[school.pk]) in body


# -- photos -----------------------------------------------------------------------------------


def test_a_photo_is_added_with_consent(client, teacher, activity):
    response = signed_in(client, teacher).post(
        reverse("activities:photo_add", args=[activity.pk]), photo_post()
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.activity == activity and photo.consent_recorded_by == teacher
    assert photo.alt_text == "Skolēni pie jūras ar spaiņiem."
    assert "IMG_0001" not in photo.image.name


def test_a_photo_without_consent_is_refused_and_keeps_the_text(client, teacher, activity):
    response = signed_in(client, teacher).post(
        reverse("activities:photo_add", args=[activity.pk]),
        photo_post(consent_confirmed=None, consent_note="Mutiski jautāju klasei."),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert codes(form, "consent_confirmed") == ["consent_required"]
    body = response.content.decode()
    assert "Mutiski jautāju klasei." in body and "Skolēni pie jūras ar spaiņiem." in body
    assert 'aria-describedby="id_consent_confirmed_error"' in body
    # Not stored, not even held for the next try.
    assert not ActivityPhoto.objects.exists() and stored_photo_files() == []
    assert response.context["held"] is None
    assert not AuditEntry.objects.filter(action=AuditAction.ACTIVITY_PHOTO_ADDED).exists()


def test_a_consented_photo_is_held_while_another_field_is_corrected(client, teacher, activity):
    url = reverse("activities:photo_add", args=[activity.pk])
    response = signed_in(client, teacher).post(url, photo_post(alt_text=""))
    assert response.status_code == 200
    assert codes(response.context["form"], "alt_text") == ["describe_photo"]
    held = response.context["held"]
    assert held is not None and held.activity is None
    assert f'name="held" value="{held.pk}"' in response.content.decode()
    # The second try sends the held photo's id instead of the file.
    again = client.post(url, photo_post(image=None, held=str(held.pk)))
    assert again.status_code == 302
    assert list(activity.photos.all()) == [held]


def test_photo_posts_that_never_complete_hold_a_bounded_number(
    client, teacher, activity, django_capture_on_commit_callbacks
):
    url = reverse("activities:photo_add", args=[activity.pk])
    signed_in(client, teacher)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(MAX_HELD_PER_PERSON + 2):
            # Consent ticked, no alt text, and the held id never sent back.
            assert client.post(url, photo_post(alt_text="")).status_code == 200
    assert ActivityPhoto.objects.filter(activity__isnull=True).count() == MAX_HELD_PER_PERSON
    assert len(stored_photo_files()) == MAX_HELD_PER_PERSON


def test_taking_back_the_consent_forgets_the_held_photo(
    client, teacher, activity, django_capture_on_commit_callbacks
):
    url = reverse("activities:photo_add", args=[activity.pk])
    response = signed_in(client, teacher).post(url, photo_post(alt_text=""))
    held = response.context["held"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, photo_post(image=None, held=str(held.pk), consent_confirmed=None)
        )
    assert response.context["held"] is None
    assert not ActivityPhoto.objects.exists() and stored_photo_files() == []


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("foto.jpg", b"<!doctype html><html><script>alert(1)</script></html>", "not_an_image"),
        ("foto.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 10), "too_large"),
    ],
)
def test_a_disguised_or_oversized_file_is_refused_next_to_the_photo(
    client, teacher, activity, name, content, code
):
    response = signed_in(client, teacher).post(
        reverse("activities:photo_add", args=[activity.pk]),
        photo_post(image=SimpleUploadedFile(name, content, content_type="image/jpeg")),
    )
    assert response.status_code == 200
    assert codes(response.context["form"], "image") == [code]
    assert not ActivityPhoto.objects.exists() and stored_photo_files() == []
    assert "Vecāki parakstīja veidlapas" in response.content.decode()


def test_removing_a_photo_asks_first(client, national_coordinator, activity):
    photo = ActivityPhotoFactory(activity=activity)
    url = reverse("activities:photo_remove", args=[activity.pk, photo.pk])
    signed_in(client, national_coordinator)
    assert client.get(url).status_code == 200
    assert ActivityPhoto.objects.filter(pk=photo.pk).exists()
    assert client.post(url).status_code == 302
    assert not ActivityPhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_another_activity_is_not_found(client, teacher, school, activity):
    elsewhere = ActivityPhotoFactory(activity=ActivityFactory(school=school))
    url = reverse("activities:photo_remove", args=[activity.pk, elsewhere.pk])
    assert signed_in(client, teacher).get(url).status_code == 404


def test_a_new_activity_starts_in_the_schools_country_language(client, foreign_school):
    teacher = person_with(Role.TEACHER, school=foreign_school)
    response = signed_in(client, teacher).get(
        reverse("activities:create", args=[foreign_school.pk])
    )
    assert response.context["form"]["language"].value() == "et"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"ends_on": "9999-12-31"}, "ends_on", "year_out_of_range"),
        ({"starts_on": "0001-01-01"}, "starts_on", "year_out_of_range"),
        ({"teachers": "100000"}, "teachers", "max_value"),
        ({"pupils": "20001"}, "pupils", "max_value"),
        ({"description": "*a" * 5001}, "description", "max_length"),
        ({"description_en": "x" * 10_001}, "description_en", "max_length"),
    ],
)
def test_out_of_range_values_are_said_next_to_the_field_and_keep_the_text(
    client, teacher, school, changes, field, code
):
    post = form_post(title="Mans nosaukums, kas paliek", **changes)
    response = signed_in(client, teacher).post(reverse("activities:create", args=[school.pk]), post)
    assert response.status_code == 200
    assert codes(response.context["form"], field) == [code]
    assert "Mans nosaukums, kas paliek" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_date_and_count_inputs_carry_their_bounds(client, teacher, school):
    body = signed_in(client, teacher).get(reverse("activities:create", args=[school.pk]))
    html = body.content.decode()
    assert 'min="2000-01-01"' in html and 'max="2100-12-31"' in html
    assert 'name="teachers" value="0" min="0" max="2000"' in html


def test_the_produced_practice_is_chosen_among_the_schools_own_items(
    client, teacher, school, other_school
):
    from asphub.practices.tests.factories import PracticeFactory, PublishedPracticeFactory

    own_draft = PracticeFactory(school=school)
    elsewhere = PublishedPracticeFactory(school=other_school)
    response = signed_in(client, teacher).get(reverse("activities:create", args=[school.pk]))
    offered = list(response.context["form"].fields["produced_practice"].queryset)
    assert offered == [own_draft] and elsewhere not in offered


def test_an_activity_keeps_the_practice_it_named_before(client, teacher, school, other_school):
    from asphub.practices.tests.factories import PublishedPracticeFactory

    elsewhere = PublishedPracticeFactory(school=other_school)
    activity = ActivityFactory(school=school, created_by=teacher, produced_practice=elsewhere)
    response = signed_in(client, teacher).get(reverse("activities:edit", args=[activity.pk]))
    assert elsewhere in response.context["form"].fields["produced_practice"].queryset


def offered_partners(response) -> list[int]:
    return [
        int(value)
        for value, _label in response.context["form"]["partner_schools"].field.widget.choices
    ]


def test_the_editor_offers_no_partner_list_until_a_search(client, teacher, school, other_school):
    response = signed_in(client, teacher).get(reverse("activities:create", args=[school.pk]))
    assert offered_partners(response) == []


def test_the_partner_search_finds_directory_schools_of_any_country_and_saves_nothing(
    client, teacher, school, estonia
):
    from asphub.schools.tests.factories import SchoolFactory

    abroad = SchoolFactory(country=estonia, name="Tallinna Inglise Kolledž")
    hidden = SchoolFactory(country=estonia, name="Tallinna Kool", membership_status="submitted")
    post = form_post(
        title="Nosaukums, kas paliek", partner_query="Tallinna", find_partners="1", pupils="x"
    )
    response = signed_in(client, teacher).post(reverse("activities:create", args=[school.pk]), post)
    assert response.status_code == 200 and not Activity.objects.exists()
    assert offered_partners(response) == [abroad.pk] and hidden.pk not in offered_partners(response)
    # A search judges nothing: no error is shown, and what was typed stays.
    assert not response.context["form"].errors
    assert "Nosaukums, kas paliek" in response.content.decode()
    # Ticking the found school and saving names it.
    saved = client.post(
        reverse("activities:create", args=[school.pk]),
        form_post(partner_schools=[str(abroad.pk)], partner_query="Tallinna"),
    )
    assert saved.status_code == 302
    assert list(Activity.objects.get().partner_schools.all()) == [abroad]


def test_the_partner_search_offers_a_bounded_number(client, teacher, school, latvia):
    from asphub.activities.forms import PARTNER_HITS
    from asphub.schools.tests.factories import SchoolFactory

    for number in range(PARTNER_HITS + 5):
        SchoolFactory(country=latvia, name=f"Rīgas {number}. skola")
    post = form_post(partner_query="Rīgas", find_partners="1")
    response = signed_in(client, teacher).post(reverse("activities:create", args=[school.pk]), post)
    assert len(offered_partners(response)) == PARTNER_HITS


def test_chosen_partners_stay_offered_on_the_change_page(client, teacher, school, other_school):
    activity = ActivityFactory(school=school, created_by=teacher)
    activity.partner_schools.set([other_school])
    response = signed_in(client, teacher).get(reverse("activities:edit", args=[activity.pk]))
    assert offered_partners(response) == [other_school.pk]
