"""The public list and event page, and a school's registration from it: who sees which event
(a draft or a network-only event is not found by those outside), the registration form of a
school coordinator, every refusal shown next to what was typed, the waiting list, cancelling,
and an event page that issues the same queries for 10 or 300 registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.events.models import EventRegistration, EventStatus, EventVisibility, RegistrationStatus
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    if Role.NATIONAL_COORDINATOR in set(user.role_assignments.values_list("role", flat=True)):
        enrol_authenticator(user)
    client.force_login(user)
    return client


def codes(form, field: str = "__all__") -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


def detail_url(event) -> str:
    return reverse("events:detail", args=[event.pk])


@pytest.fixture
def team(school):
    return [TeamMemberFactory(school=school, full_name=f"Ozolu skolotāja {n}") for n in range(3)]


@pytest.fixture
def event(latvia):
    return NetworkEventFactory(country=latvia, capacity=1, title="Vasaras skola")


def entry_of(response, school):
    return next(entry for entry in response.context["schools"] if entry["school"] == school)


# -- who sees what ----------------------------------------------------------------------------


def test_the_public_list_shows_published_events_to_come(client, latvia):
    now = timezone.now()
    NetworkEventFactory(country=latvia, title="Publisks seminārs")
    NetworkEventFactory(country=latvia, title="Atcelts seminārs", status=EventStatus.CANCELLED)
    NetworkEventFactory(country=latvia, title="Melnraksts", status=EventStatus.DRAFT)
    NetworkEventFactory(country=latvia, title="Tikai tīklam", visibility=EventVisibility.NETWORK)
    NetworkEventFactory(
        country=latvia,
        title="Pagājis",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=2),
        registration_deadline=now - timedelta(days=4),
    )
    response = client.get(reverse("events:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Publisks seminārs" in body and "Atcelts seminārs" in body
    for hidden in ("Melnraksts", "Tikai tīklam", "Pagājis"):
        assert hidden not in body


def test_the_list_counts_what_it_shows_and_marks_each_event(client, latvia):
    now = timezone.now()
    open_ = NetworkEventFactory(country=latvia, capacity=3)
    cancelled = NetworkEventFactory(country=latvia, status=EventStatus.CANCELLED)
    under_way = NetworkEventFactory(
        country=latvia,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        registration_deadline=now - timedelta(days=1),
    )
    closed = NetworkEventFactory(
        country=latvia,
        starts_at=now + timedelta(days=1),
        registration_deadline=now - timedelta(hours=1),
    )
    response = client.get(reverse("events:list"))
    page = response.context["page"]
    shown = {event.pk: event for event in page.object_list}
    assert page.paginator.count == len(shown) == 4
    assert {pk for pk, event in shown.items() if event.under_way} == {under_way.pk}
    assert {pk for pk, event in shown.items() if event.open_now} == {open_.pk}
    body = response.content.decode()

    def card(event):
        start = body.index(f'data-event="{event.pk}"')
        return body[start : body.index("</li>", start)]

    assert 'data-state="open"' in card(open_)
    assert 'data-state="closed"' in card(closed)
    assert 'data-state="under-way"' in card(under_way)
    assert "data-state=" not in card(cancelled) and "badge-ended" in card(cancelled)


def test_the_list_is_paginated(client, latvia):
    NetworkEventFactory.create_batch(25, country=latvia)
    first = client.get(reverse("events:list"))
    assert len(first.context["page"].object_list) == 20
    assert len(client.get(reverse("events:list"), {"page": 2}).context["page"].object_list) == 5


@pytest.mark.parametrize("count", [10, 30])
def test_the_list_takes_the_same_queries_for_10_or_30_events(
    client, latvia, count, django_assert_max_num_queries
):
    for event in NetworkEventFactory.create_batch(count, country=latvia):
        registration_of(event, SchoolFactory(country=latvia))
    client.get(reverse("events:list"))  # the footer's values, read once for the process
    # The count, the page (with each event's places taken) and the directory's data version.
    with django_assert_max_num_queries(3):
        assert client.get(reverse("events:list")).status_code == 200


def test_a_draft_is_not_found_by_anyone_but_its_managers(
    client, latvia, coordinator, national_coordinator
):
    draft = NetworkEventFactory(country=latvia, status=EventStatus.DRAFT, title="Slepens")
    assert client.get(detail_url(draft)).status_code == 404
    response = signed_in(client, coordinator).get(detail_url(draft))
    assert response.status_code == 404 and "Slepens" not in response.content.decode()
    assert signed_in(client, national_coordinator).get(detail_url(draft)).status_code == 200


def test_a_network_only_event_is_seen_by_the_countrys_people_only(
    client, latvia, teacher, foreign_school
):
    event = NetworkEventFactory(country=latvia, visibility=EventVisibility.NETWORK)
    assert client.get(detail_url(event)).status_code == 404
    foreign = person_with(Role.SCHOOL_COORDINATOR, school=foreign_school)
    assert signed_in(client, foreign).get(detail_url(event)).status_code == 404
    assert signed_in(client, teacher).get(detail_url(event)).status_code == 200


def test_an_unknown_event_is_not_found(client):
    assert client.get(reverse("events:detail", args=[987654])).status_code == 404


def test_a_visitor_reads_the_event_and_is_asked_to_sign_in(client, event):
    response = client.get(detail_url(event))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vasaras skola" in body
    assert reverse("account_login") in body
    assert response.context["seats"].left == 1


def test_a_cancelled_event_keeps_its_page_marked_cancelled_and_takes_no_registration(
    client, latvia, coordinator, school, team
):
    event = NetworkEventFactory(
        country=latvia, status=EventStatus.CANCELLED, cancellation_note="Nav telpu."
    )
    response = signed_in(client, coordinator).get(detail_url(event))
    assert response.status_code == 200
    assert "Nav telpu." in response.content.decode()
    assert entry_of(response, school)["form"] is None


# -- registering ------------------------------------------------------------------------------


def test_a_school_coordinator_sees_the_form_with_the_schools_team(
    client, coordinator, event, school, team
):
    response = signed_in(client, coordinator).get(detail_url(event))
    entry = entry_of(response, school)
    assert entry["registration"] is None
    choices = [value for value, _label in entry["form"].fields["members"].choices]
    assert choices == [member.pk for member in team]
    assert reverse("events:register", args=[event.pk]) in response.content.decode()


def test_a_teacher_sees_no_form_and_cannot_register(client, teacher, event, school, team):
    response = signed_in(client, teacher).get(detail_url(event))
    assert response.context["schools"] == []
    refused = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[0].pk]},
    )
    assert refused.status_code == 403
    assert not EventRegistration.objects.exists()


def test_an_anonymous_post_is_sent_to_sign_in(client, event, school):
    response = client.post(reverse("events:register", args=[event.pk]), {"school": school.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("events:register", args=[event.pk])).status_code in (302, 405)


def test_registering_confirms_the_school_and_shows_its_place(
    client, coordinator, event, school, team
):
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[0].pk, team[1].pk]},
    )
    assert response.status_code == 302 and response["Location"] == detail_url(event)
    registration = EventRegistration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    page = client.get(detail_url(event))
    entry = entry_of(page, school)
    assert entry["registration"] == registration
    assert team[0].full_name in page.content.decode()
    assert reverse("events:cancel_registration", args=[event.pk, registration.pk]) in (
        page.content.decode()
    )


def test_a_full_event_puts_the_school_on_the_waiting_list_with_its_number(
    client, coordinator, event, school, team, latvia
):
    registration_of(event, SchoolFactory(country=latvia))
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[0].pk]},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    entry = entry_of(response, school)
    assert entry["registration"].status == RegistrationStatus.WAITING
    assert entry["position"] == 1


def test_after_the_deadline_the_form_says_so_and_keeps_the_choice(
    client, coordinator, latvia, school, team
):
    event = NetworkEventFactory(country=latvia)
    signed_in(client, coordinator)
    page = client.get(detail_url(event))
    assert entry_of(page, school)["form"] is not None
    # The deadline passes while the coordinator is choosing.
    type(event).objects.filter(pk=event.pk).update(
        registration_deadline=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[1].pk]},
    )
    assert response.status_code == 200
    form = entry_of(response, school)["form"]
    assert codes(form) == ["deadline_passed"]
    assert [int(value) for value in form["members"].value()] == [team[1].pk]
    assert not EventRegistration.objects.exists()


def test_a_member_of_another_school_is_refused_next_to_the_field(
    client, coordinator, event, school, team, other_school
):
    stranger = TeamMemberFactory(school=other_school)
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[0].pk, stranger.pk]},
    )
    assert response.status_code == 200
    assert codes(entry_of(response, school)["form"], "members") == ["member_of_other_school"]
    assert not EventRegistration.objects.exists()


def test_too_many_participants_are_refused_next_to_the_field(
    client, coordinator, latvia, school, team
):
    event = NetworkEventFactory(country=latvia, members_per_school=2)
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [member.pk for member in team]},
    )
    assert codes(entry_of(response, school)["form"], "members") == ["too_many_members"]
    assert not EventRegistration.objects.exists()


def test_a_second_registration_of_the_school_is_refused(client, coordinator, event, school, team):
    registration_of(event, school, members=team[:1])
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[1].pk]},
    )
    assert response.status_code == 200
    assert codes(entry_of(response, school)["form"]) == ["already_registered"]
    assert EventRegistration.objects.count() == 1


def test_a_school_not_coordinated_is_not_found(client, coordinator, event, other_school):
    signed_in(client, coordinator)
    response = client.post(reverse("events:register", args=[event.pk]), {"school": other_school.pk})
    assert response.status_code == 404


def test_the_coordinator_changes_the_participants(client, coordinator, event, school, team):
    registration = registration_of(event, school, members=team[:1])
    signed_in(client, coordinator)
    response = client.post(
        reverse("events:participants", args=[event.pk, registration.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[2].pk]},
    )
    assert response.status_code == 302
    assert list(registration.participants.values_list("team_member_id", flat=True)) == [team[2].pk]


def test_cancelling_gives_the_seat_to_the_school_waiting(
    client, coordinator, event, school, team, other_school, mailoutbox
):
    held = registration_of(event, school, members=team[:1])
    waiting = registration_of(event, other_school, status=RegistrationStatus.WAITING)
    other = person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="berzi@example.org")
    signed_in(client, coordinator)
    url = reverse("events:cancel_registration", args=[event.pk, held.pk])
    # The page's button leads to a page that says what happens, and changes nothing.
    assert url in client.get(detail_url(event)).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert confirm.context["registration"] == held and confirm.context["seats"].waiting == 1
    assert 'id="cancel-registration"' in confirm.content.decode()
    held.refresh_from_db()
    assert held.status == RegistrationStatus.CONFIRMED and not mailoutbox
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == detail_url(event)
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert (held.status, waiting.status) == (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
    )
    assert other.email in [message.to[0] for message in mailoutbox]


@pytest.mark.parametrize("who", ["teacher", "other_coordinator"])
def test_others_cannot_cancel_a_schools_registration(
    client, who, teacher, event, school, team, other_school
):
    registration = registration_of(event, school, members=team[:1])
    actor = (
        teacher if who == "teacher" else person_with(Role.SCHOOL_COORDINATOR, school=other_school)
    )
    signed_in(client, actor)
    url = reverse("events:cancel_registration", args=[event.pk, registration.pk])
    assert client.get(url).status_code == 404
    response = client.post(url)
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_confirmation_page_asks_for_sign_in(client, event, school):
    registration = registration_of(event, school)
    response = client.get(reverse("events:cancel_registration", args=[event.pk, registration.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_leaving_the_waiting_list_is_confirmed_too(client, coordinator, event, school, team):
    registration_of(event, SchoolFactory(country=event.country))
    waiting = registration_of(event, school, status=RegistrationStatus.WAITING, members=team[:1])
    signed_in(client, coordinator)
    url = reverse("events:cancel_registration", args=[event.pk, waiting.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and confirm.context["registration"] == waiting
    assert client.post(url).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CANCELLED


def test_the_national_coordinator_confirms_and_returns_to_the_registrations(
    client, national_coordinator, event, school
):
    registration = registration_of(event, school)
    signed_in(client, national_coordinator)
    url = reverse("events:cancel_registration", args=[event.pk, registration.pk])
    listing = client.get(reverse("events:registrations", args=[event.pk])).content.decode()
    assert f"{url}?next=registrations" in listing
    confirm = client.get(url, {"next": "registrations"})
    assert confirm.status_code == 200 and confirm.context["to_registrations"]
    assert 'name="next" value="registrations"' in confirm.content.decode()
    response = client.post(url, {"next": "registrations"})
    assert response["Location"] == reverse("events:registrations", args=[event.pk])
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_once_the_event_has_started_the_confirmation_offers_no_button(
    client, coordinator, latvia, school
):
    now = timezone.now()
    event = NetworkEventFactory(
        country=latvia,
        starts_at=now - timedelta(hours=1),
        registration_deadline=now - timedelta(days=1),
    )
    registration = registration_of(event, school)
    signed_in(client, coordinator)
    url = reverse("events:cancel_registration", args=[event.pk, registration.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and confirm.context["started"]
    assert 'id="cancel-registration"' not in confirm.content.decode()
    client.post(url)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_description_is_markdown_and_user_html_stays_text(client, latvia):
    event = NetworkEventFactory(
        country=latvia, description="Ņemiet līdzi **piezīmes**.\n\n<script>alert(1)</script>"
    )
    body = client.get(detail_url(event)).content.decode()
    assert "<strong>piezīmes</strong>" in body and "**piezīmes**" not in body
    assert "<script>alert(1)</script>" not in body


# -- queries ----------------------------------------------------------------------------------


def many_registrations(event, country, count: int) -> None:
    schools = SchoolFactory.create_batch(count, country=country)
    confirmed = event.capacity
    for number, school in enumerate(schools):
        member = TeamMemberFactory(school=school)
        registration_of(
            event,
            school,
            status=RegistrationStatus.CONFIRMED
            if number < confirmed
            else RegistrationStatus.WAITING,
            members=[member],
        )


@pytest.mark.parametrize("signed", [False, True])
def test_the_event_page_takes_the_same_queries_for_10_or_300_registrations(
    client, latvia, coordinator, school, team, signed
):
    small = NetworkEventFactory(country=latvia, capacity=5)
    large = NetworkEventFactory(country=latvia, capacity=150)
    many_registrations(small, latvia, 10)
    many_registrations(large, latvia, 300)
    registration_of(small, school, status=RegistrationStatus.WAITING, members=team[:1])
    registration_of(large, school, status=RegistrationStatus.WAITING, members=team[:1])
    if signed:
        signed_in(client, coordinator)
    # The first page of a process reads what the footer shows once (kept under the directory's
    # data version), and a session its first read.
    client.get(detail_url(small))
    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as recorded:
            response = client.get(detail_url(event))
        assert response.status_code == 200
        counts.append(len(recorded.captured_queries))
    assert counts[0] == counts[1]
    if signed:
        assert entry_of(response, school)["position"] == 151


# -- the online link --------------------------------------------------------------------------

LINK = "https://meet.example.org/seminars/unesco-2026"


def test_the_online_link_is_given_only_to_schools_with_a_confirmed_place(
    client, coordinator, teacher, school, other_school, latvia, mailoutbox
):
    event = NetworkEventFactory(country=latvia, capacity=1, online_url=LINK)
    outsider = person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="c@example.org")
    # The public, and a school without a place, see that the event is online, not its link.
    assert LINK not in client.get(detail_url(event)).content.decode()
    registration_of(event, other_school, status=RegistrationStatus.WAITING)
    assert LINK not in signed_in(client, outsider).get(detail_url(event)).content.decode()
    # The confirmed school's people, and the national coordinator, get it.
    registration_of(event, school)
    assert LINK in signed_in(client, coordinator).get(detail_url(event)).content.decode()
    assert LINK in signed_in(client, teacher).get(detail_url(event)).content.decode()
    national = person_with(Role.NATIONAL_COORDINATOR, country=latvia)
    assert LINK in signed_in(client, national).get(detail_url(event)).content.decode()


def test_only_the_confirmed_schools_e_mail_carries_the_online_link(
    client, coordinator, event, school, team, other_school, mailoutbox
):
    event.online_url = LINK
    event.save()
    waiting_coordinator = person_with(
        Role.SCHOOL_COORDINATOR, school=other_school, email="gaida@example.org"
    )
    TeamMemberFactory(school=other_school)
    signed_in(client, coordinator).post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [team[0].pk]},
    )
    signed_in(client, waiting_coordinator).post(
        reverse("events:register", args=[event.pk]),
        {
            "school": other_school.pk,
            f"school-{other_school.pk}-members": [other_school.team.get().pk],
        },
    )
    statuses = dict(EventRegistration.objects.values_list("school_id", "status"))
    assert statuses == {
        school.pk: RegistrationStatus.CONFIRMED,
        other_school.pk: RegistrationStatus.WAITING,
    }
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert LINK in bodies[coordinator.email]
    assert LINK not in bodies[waiting_coordinator.email]
