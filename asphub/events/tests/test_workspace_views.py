"""The national coordinator's event pages: the permission ladder of every page (anonymous →
sign-in, a role without events → 403 or 404, another country's coordinator → 404, the
country's national coordinator and administrators → 200), the event form (errors keep what was
typed; a stale form is refused), publishing, cancelling, the registrations with the waiting
list, and the attendance form. Lists take the same queries for 10 or 300 registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.events.models import (
    EventParticipant,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role
from asphub.roles.permissions import needs_two_factor
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def signed_in(client, user):
    if needs_two_factor(user):
        enrol_authenticator(user)
    client.force_login(user)
    return client


def codes(form, field: str = "__all__") -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


def form_post(**changes) -> dict:
    starts = timezone.localtime() + timedelta(days=30)
    data = {
        "kind": "summer_school",
        "language": "lv",
        "title": "Vasaras skola Kuldīgā",
        "description": "Trīs dienas par kultūras mantojumu.",
        "title_en": "",
        "description_en": "",
        "starts_at": starts.strftime(LOCAL),
        "ends_at": (starts + timedelta(days=2)).strftime(LOCAL),
        "place": "Kuldīga",
        "online_url": "",
        "capacity": "12",
        "members_per_school": "2",
        "registration_deadline": (starts - timedelta(days=7)).strftime(LOCAL),
        "visibility": "public",
    }
    data.update(changes)
    return data


@pytest.fixture
def event(latvia):
    return NetworkEventFactory(country=latvia, capacity=2, title="Plānošanas seminārs")


@pytest.fixture
def past_event(latvia, school):
    now = timezone.now()
    event = NetworkEventFactory(
        country=latvia,
        starts_at=now - timedelta(hours=2),
        registration_deadline=now - timedelta(days=1),
    )
    registration_of(event, school, members=TeamMemberFactory.create_batch(2, school=school))
    return event


PAGES = {
    "list": lambda event: reverse("events:manage_list"),
    "create": lambda event: reverse("events:create", args=["LV"]),
    "manage": lambda event: reverse("events:manage", args=[event.pk]),
    "edit": lambda event: reverse("events:edit", args=[event.pk]),
    "cancel": lambda event: reverse("events:cancel", args=[event.pk]),
    "registrations": lambda event: reverse("events:registrations", args=[event.pk]),
    "attendance": lambda event: reverse("events:attendance", args=[event.pk]),
}
# What each person gets (the attendance page of an event under way).
# fmt: off
#                  teacher coordinator reviewer estonian national admin
LADDER = {
    "list":          (403,   403,        403,     200,     200,     200),
    "create":        (404,   404,        404,     404,     200,     200),
    "manage":        (404,   404,        404,     404,     200,     200),
    "edit":          (404,   404,        404,     404,     200,     200),
    "cancel":        (404,   404,        404,     404,     200,     200),
    "registrations": (404,   404,        404,     404,     200,     200),
    "attendance":    (404,   404,        404,     404,     200,     200),
}
# fmt: on
PEOPLE = ("teacher", "coordinator", "reviewer", "estonian", "national", "admin")


def person(key, *, teacher, coordinator, national_coordinator, administrator, latvia, estonia):
    return {
        "teacher": lambda: teacher,
        "coordinator": lambda: coordinator,
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "estonian": lambda: person_with(Role.NATIONAL_COORDINATOR, country=estonia),
        "national": lambda: national_coordinator,
        "admin": lambda: administrator,
    }[key]()


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, row[column], id=f"{page}-{who}")
        for page, row in LADDER.items()
        for column, who in enumerate(PEOPLE)
    ],
)
def test_the_permission_ladder(
    client, page, who, expected, past_event, teacher, coordinator, national_coordinator,
    administrator, latvia, estonia,
):  # fmt: skip
    user = person(
        who,
        teacher=teacher,
        coordinator=coordinator,
        national_coordinator=national_coordinator,
        administrator=administrator,
        latvia=latvia,
        estonia=estonia,
    )
    url = PAGES[page](past_event)
    response = signed_in(client, user).get(url)
    assert response.status_code == expected
    if expected != 200:
        assert past_event.title not in response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client, page, event):
    response = client.get(PAGES[page](event))
    assert response.status_code == 302 and "login" in response["Location"]


def test_actions_answer_posts_only(client, national_coordinator, event):
    signed_in(client, national_coordinator)
    assert client.get(reverse("events:publish", args=[event.pk])).status_code == 405


def test_the_dashboard_links_to_the_countrys_events(client, national_coordinator):
    body = signed_in(client, national_coordinator).get(reverse("dashboard:index")).content.decode()
    assert reverse("events:manage_list") in body
    assert reverse("events:create", args=["LV"]) in body


# -- the event form ---------------------------------------------------------------------------


def test_the_form_labels_every_field(client, national_coordinator):
    response = signed_in(client, national_coordinator).get(reverse("events:create", args=["LV"]))
    form = response.context["form"]
    body = response.content.decode()
    for name, field in form.fields.items():
        assert f'name="{name}"' in body
        if name != "seen_sequence":
            assert field.label


def test_the_national_coordinator_creates_a_draft(client, national_coordinator):
    signed_in(client, national_coordinator)
    response = client.post(reverse("events:create", args=["LV"]), form_post())
    event = NetworkEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[event.pk])
    assert event.status == EventStatus.DRAFT and event.capacity == 12
    assert timezone.localtime(event.starts_at).strftime(LOCAL) == form_post()["starts_at"]
    # A draft is nobody else's to see.
    client.logout()
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"ends_at": "same"}, "ends_at", "ends_before_start"),
        ({"registration_deadline": "after"}, "registration_deadline", "deadline_after_start"),
        ({"place": "", "online_url": ""}, "place", "place_required"),
        ({"online_url": "ftp://example.org/x"}, "online_url", "invalid"),
        ({"capacity": "0"}, "capacity", "min_value"),
        ({"capacity": "-5"}, "capacity", "min_value"),
        ({"capacity": "99999999"}, "capacity", "max_value"),
        ({"starts_at": "rīt"}, "starts_at", "invalid"),
        (
            {"starts_at": "0001-01-01T10:00", "registration_deadline": "0001-01-01T09:00"},
            "starts_at",
            "year_out_of_range",
        ),
        ({"ends_at": "9999-12-31T23:00"}, "ends_at", "year_out_of_range"),
        (
            {"registration_deadline": "1999-12-31T10:00"},
            "registration_deadline",
            "year_out_of_range",
        ),
    ],
)
def test_bad_input_comes_back_with_its_error_and_what_was_typed(
    client, national_coordinator, changes, field, code
):
    data = form_post()
    relative = {
        "same": data["starts_at"],
        "after": (
            timezone.datetime.strptime(data["starts_at"], LOCAL) + timedelta(hours=1)
        ).strftime(LOCAL),
    }
    data.update({key: relative.get(value, value) for key, value in changes.items()})
    signed_in(client, national_coordinator)
    response = client.post(reverse("events:create", args=["LV"]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert code in codes(form, field)
    assert form["title"].value() == "Vasaras skola Kuldīgā"
    assert "Vasaras skola Kuldīgā" in response.content.decode()
    assert not NetworkEvent.objects.exists()


def test_a_stale_form_is_refused_and_keeps_the_text(client, national_coordinator, event):
    signed_in(client, national_coordinator)
    url = reverse("events:edit", args=[event.pk])
    opened = client.get(url).context["form"]["seen_sequence"].value()
    NetworkEvent.objects.filter(pk=event.pk).update(sequence=5, title="Kolēģa labojums")
    response = client.post(url, form_post(title="Mans labojums", seen_sequence=opened))
    assert response.status_code == 200
    form = response.context["form"]
    assert codes(form) == ["stale"]
    assert form["title"].value() == "Mans labojums"
    assert form["seen_sequence"].value() == "5"
    assert NetworkEvent.objects.get(pk=event.pk).title == "Kolēģa labojums"
    # Saved again after comparing: this time it is saved.
    again = client.post(url, form_post(title="Mans labojums", seen_sequence="5"))
    assert again.status_code == 302
    assert NetworkEvent.objects.get(pk=event.pk).title == "Mans labojums"


def test_a_change_posted_without_its_revision_is_refused_and_keeps_the_text(
    client, national_coordinator, event
):
    signed_in(client, national_coordinator)
    url = reverse("events:edit", args=[event.pk])
    before = NetworkEvent.objects.filter(pk=event.pk).values().get()
    response = client.post(url, form_post(title="Mans labojums"))  # no seen_sequence
    assert response.status_code == 200 and response.context["stale"]
    form = response.context["form"]
    assert codes(form) == ["stale"]
    assert form["title"].value() == "Mans labojums"
    assert "Mans labojums" in response.content.decode()
    assert NetworkEvent.objects.filter(pk=event.pk).values().get() == before
    # The page now carries the revision stored: saved again, it is saved.
    assert form["seen_sequence"].value() == str(event.sequence)
    again = client.post(url, dict(form.data.items()))
    assert again.status_code == 302
    assert NetworkEvent.objects.get(pk=event.pk).title == "Mans labojums"


def test_the_places_cannot_go_below_the_schools_confirmed(
    client, national_coordinator, event, latvia
):
    for _ in range(2):
        registration_of(event, SchoolFactory(country=latvia))
    signed_in(client, national_coordinator)
    response = client.post(
        reverse("events:edit", args=[event.pk]),
        form_post(capacity="1", seen_sequence=str(event.sequence)),
    )
    assert codes(response.context["form"], "capacity") == ["capacity_below_confirmed"]
    assert NetworkEvent.objects.get(pk=event.pk).capacity == 2


def test_the_participants_per_school_cannot_go_below_what_a_school_names(
    client, national_coordinator, event, school
):
    registration_of(event, school, members=TeamMemberFactory.create_batch(3, school=school))
    signed_in(client, national_coordinator)
    response = client.post(
        reverse("events:edit", args=[event.pk]),
        form_post(members_per_school="2", seen_sequence=str(event.sequence)),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert codes(form, "members_per_school") == ["members_below_registered"]
    assert form["title"].value() == "Vasaras skola Kuldīgā"
    assert NetworkEvent.objects.get(pk=event.pk).members_per_school == 3


def test_publishing_and_cancelling(
    client, national_coordinator, latvia, school, coordinator, mailoutbox
):
    draft = NetworkEventFactory(country=latvia, status=EventStatus.DRAFT)
    signed_in(client, national_coordinator)
    response = client.post(reverse("events:publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    registration_of(draft, school)
    response = client.post(reverse("events:cancel", args=[draft.pk]), {"note": "Slimības dēļ."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EventStatus.CANCELLED and draft.cancellation_note == "Slimības dēļ."
    assert [message.to for message in mailoutbox] == [[coordinator.email]]
    # A cancelled event is not edited.
    assert client.get(reverse("events:edit", args=[draft.pk])).status_code == 302


def test_a_school_coordinator_cannot_publish(client, coordinator, latvia):
    draft = NetworkEventFactory(country=latvia, status=EventStatus.DRAFT)
    response = signed_in(client, coordinator).post(reverse("events:publish", args=[draft.pk]))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == EventStatus.DRAFT


# -- registrations and attendance -------------------------------------------------------------


def fill(event, country, count: int) -> None:
    for number in range(count):
        school = SchoolFactory(country=country)
        registration_of(
            event,
            school,
            status=RegistrationStatus.CONFIRMED
            if number < event.capacity
            else RegistrationStatus.WAITING,
            members=[TeamMemberFactory(school=school)],
        )


def test_the_registration_lists_show_their_counts(client, national_coordinator, event, latvia):
    registration_of(event, SchoolFactory(country=latvia))
    for _ in range(2):
        registration_of(event, SchoolFactory(country=latvia), status=RegistrationStatus.WAITING)
    for _ in range(3):
        registration_of(event, SchoolFactory(country=latvia), status=RegistrationStatus.CANCELLED)
    signed_in(client, national_coordinator)
    response = client.get(reverse("events:registrations", args=[event.pk]))
    assert response.status_code == 200
    assert [(value, count) for value, _label, count in response.context["lists"]] == [
        (RegistrationStatus.CONFIRMED, 1),
        (RegistrationStatus.WAITING, 2),
        (RegistrationStatus.CANCELLED, 3),
    ]
    body = response.content.decode()
    assert '<a href="?status=cancelled">' in body and "(3)</a>" in body


def test_the_waiting_list_shows_each_school_in_line(client, national_coordinator, event, latvia):
    fill(event, latvia, 5)
    signed_in(client, national_coordinator)
    response = client.get(reverse("events:registrations", args=[event.pk]), {"status": "waiting"})
    positions = [registration.position for registration in response.context["page"].object_list]
    assert positions == [1, 2, 3]
    confirmed = client.get(reverse("events:registrations", args=[event.pk]))
    assert len(confirmed.context["page"].object_list) == 2


def queries_of(client, url, params=None) -> int:
    client.get(url, params)
    with CaptureQueriesContext(connection) as recorded:
        assert client.get(url, params).status_code == 200
    return len(recorded.captured_queries)


@pytest.mark.parametrize("status", ["confirmed", "waiting"])
def test_the_registrations_take_the_same_queries_for_10_or_300(
    client, national_coordinator, latvia, status
):
    small = NetworkEventFactory(country=latvia, capacity=5)
    large = NetworkEventFactory(country=latvia, capacity=150)
    fill(small, latvia, 10)
    fill(large, latvia, 300)
    signed_in(client, national_coordinator)
    counts = [
        queries_of(client, reverse("events:registrations", args=[event.pk]), {"status": status})
        for event in (small, large)
    ]
    assert counts[0] == counts[1]


def test_the_attendance_waits_for_the_start(client, national_coordinator, event):
    signed_in(client, national_coordinator)
    response = client.get(reverse("events:attendance", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=[event.pk])


def test_the_national_coordinator_records_attendance(
    client, national_coordinator, past_event, school
):
    first, second = EventParticipant.objects.filter(registration__event=past_event).order_by("pk")
    signed_in(client, national_coordinator)
    url = reverse("events:attendance", args=[past_event.pk])
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(
        url, {f"participant-{first.pk}": "yes", f"participant-{second.pk}": "no"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attended, second.attended) == (True, False)


def test_the_attendance_form_takes_the_same_queries_for_10_or_300(
    client, national_coordinator, latvia
):
    now = timezone.now()
    events = [
        NetworkEventFactory(
            country=latvia,
            capacity=capacity,
            starts_at=now - timedelta(hours=1),
            registration_deadline=now - timedelta(days=1),
        )
        for capacity in (10, 300)
    ]
    for event in events:
        fill(event, latvia, event.capacity)
    signed_in(client, national_coordinator)
    counts = [queries_of(client, reverse("events:attendance", args=[event.pk])) for event in events]
    assert counts[0] == counts[1]
