"""Network events' services: each step's allowed path, every role that may not take it, each
bad input with its code, a refused step that changes nothing, the audit entries and the
e-mails. The waiting list is first come, first served, and a freed seat goes to the first
school waiting, which is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.core.edits import StaleEdit
from asphub.events.models import (
    EventParticipant,
    EventRegistration,
    EventStatus,
    EventVisibility,
    NetworkEvent,
    RegistrationStatus,
)
from asphub.events.services import (
    attendance_record,
    event_cancel,
    event_create,
    event_publish,
    event_update,
    registration_cancel,
    registration_create,
    registration_update_participants,
    waiting_position,
)
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus, School
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def event_data(**changes):
    starts = timezone.now() + timedelta(days=20)
    data = {
        "kind": "planning_seminar",
        "language": "lv",
        "title": "Gada plānošanas seminārs",
        "description": "Koordinatori plāno nākamo gadu.",
        "title_en": "",
        "description_en": "",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=5),
        "place": "Rīga, Pils laukums 4",
        "online_url": "",
        "capacity": 2,
        "members_per_school": 2,
        "registration_deadline": starts - timedelta(days=3),
        "visibility": "public",
    }
    data.update(changes)
    return data


def snapshot() -> dict:
    """Everything a refused call must leave as it was (the queue holds the e-mails)."""
    return {
        "events": list(NetworkEvent.objects.order_by("pk").values()),
        "registrations": list(EventRegistration.objects.order_by("pk").values()),
        "participants": list(EventParticipant.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def codes(error: ValidationError) -> set[str]:
    return (
        {item.code for item in error.error_list}
        if not hasattr(error, "error_dict")
        else {item.code for items in error.error_dict.values() for item in items}
    )


def actions() -> list[str]:
    """The events' audit entries, oldest first (giving people their roles is recorded too)."""
    return list(
        AuditEntry.objects.filter(action__startswith="event.")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def team(school):
    return [TeamMemberFactory(school=school, full_name=f"Ozolu skolotāja {n}") for n in range(3)]


@pytest.fixture
def other_team(other_school):
    return [
        TeamMemberFactory(school=other_school, full_name=f"Bērzu skolotāja {n}") for n in range(2)
    ]


@pytest.fixture
def other_coordinator(other_school):
    return person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="berzi@example.org")


@pytest.fixture
def event(latvia):
    return NetworkEventFactory(country=latvia, capacity=1, members_per_school=2)


def third_school(latvia, name="Liepu ģimnāzija"):
    school = SchoolFactory(country=latvia, name=name)
    coordinator = person_with(
        Role.SCHOOL_COORDINATOR, school=school, email=f"{school.slug}@example.org"
    )
    return school, coordinator, [TeamMemberFactory(school=school)]


# -- the event --------------------------------------------------------------------------------


def test_the_national_coordinator_creates_a_draft(national_coordinator, latvia):
    event = event_create(actor=national_coordinator, country=latvia, data=event_data())
    assert (event.status, event.sequence, event.published_at) == (EventStatus.DRAFT, 0, None)
    assert event.created_by == national_coordinator
    assert actions() == [AuditAction.EVENT_CREATED]
    assert AuditEntry.objects.get(action=AuditAction.EVENT_CREATED).country_code == "LV"


@pytest.mark.parametrize(
    "who", ["teacher", "coordinator", "reviewer", "estonian", "anonymous", "no_role"]
)
def test_only_the_countrys_national_coordinator_creates_events(
    who, latvia, estonia, teacher, coordinator
):
    actor = {
        "teacher": lambda: teacher,
        "coordinator": lambda: coordinator,
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "estonian": lambda: person_with(Role.NATIONAL_COORDINATOR, country=estonia),
        "anonymous": AnonymousUser,
        "no_role": lambda: person_with(Role.TEACHER, school=SchoolFactory(country=estonia)),
    }[who]()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        event_create(actor=actor, country=latvia, data=event_data())
    assert snapshot() == before


def test_an_administrator_and_the_command_line_create_events(administrator, latvia):
    event_create(actor=administrator, country=latvia, data=event_data())
    event_create(actor=StandIn.COMMAND_LINE, country=latvia, data=event_data())
    assert NetworkEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ends_at": "start"}, "ends_before_start"),
        ({"ends_at": "before"}, "ends_before_start"),
        ({"registration_deadline": "after"}, "deadline_after_start"),
        ({"place": "", "online_url": ""}, "place_required"),
        ({"online_url": "ftp://files.example.org/seminar"}, "invalid"),
        ({"online_url": "javascript:alert(1)"}, "invalid"),
        ({"capacity": 0}, "min_value"),
        ({"capacity": 1_000_000}, "max_value"),
        ({"members_per_school": 0}, "min_value"),
        ({"members_per_school": 500}, "max_value"),
        ({"title": "Divas\nrindas"}, "control_character"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_written(
    national_coordinator, latvia, changes, code
):
    data = event_data()
    relative = {
        "start": data["starts_at"],
        "before": data["starts_at"] - timedelta(minutes=1),
        "after": data["starts_at"] + timedelta(minutes=1),
    }
    data.update({key: relative.get(value, value) for key, value in changes.items()})
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_create(actor=national_coordinator, country=latvia, data=data)
    assert code in codes(refused.value)
    assert snapshot() == before


def test_an_online_event_needs_no_place(national_coordinator, latvia):
    event = event_create(
        actor=national_coordinator,
        country=latvia,
        data=event_data(place="", online_url="https://meet.example.org/asp"),
    )
    assert event.online_url == "https://meet.example.org/asp"


def test_a_change_moves_the_sequence_on_and_a_stale_form_is_refused(national_coordinator, event):
    changed = event_update(
        actor=national_coordinator,
        event=event,
        data={"title": "Jauns nosaukums"},
        seen_sequence=event.sequence,
    )
    assert changed.sequence == 1
    before = snapshot()
    with pytest.raises(StaleEdit) as stale:
        event_update(
            actor=national_coordinator, event=event, data={"title": "Vecā forma"}, seen_sequence=0
        )
    assert stale.value.code == "stale"
    assert snapshot() == before
    assert NetworkEvent.objects.get(pk=event.pk).title == "Jauns nosaukums"


def test_a_change_that_does_not_say_which_revision_it_was_made_on_is_refused_as_stale(
    national_coordinator, event
):
    before = snapshot()
    with pytest.raises(StaleEdit) as stale:
        event_update(
            actor=national_coordinator,
            event=event,
            data={"title": "Bez žetona"},
            seen_sequence=None,
        )
    assert stale.value.code == "stale"
    assert stale.value.current == event.sequence
    assert snapshot() == before


@pytest.mark.parametrize("who", ["coordinator", "teacher", "estonian"])
def test_others_cannot_change_an_event(who, event, coordinator, teacher, estonia):
    actor = {
        "coordinator": coordinator,
        "teacher": teacher,
        "estonian": person_with(Role.NATIONAL_COORDINATOR, country=estonia),
    }[who]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        event_update(actor=actor, event=event, data={"title": "X"}, seen_sequence=None)
    with pytest.raises(PermissionDenied):
        event_publish(actor=actor, event=event)
    with pytest.raises(PermissionDenied):
        event_cancel(actor=actor, event=event)
    assert snapshot() == before


def test_publishing_opens_the_draft_once(national_coordinator, latvia):
    draft = event_create(actor=national_coordinator, country=latvia, data=event_data())
    published = event_publish(actor=national_coordinator, event=draft)
    assert published.status == EventStatus.PUBLISHED
    assert published.published_at is not None and published.sequence == 1
    again = event_publish(actor=national_coordinator, event=draft)
    assert again.sequence == 1
    assert actions().count(AuditAction.EVENT_PUBLISHED) == 1


def test_a_draft_whose_registration_deadline_has_passed_is_not_published(
    national_coordinator, latvia
):
    now = timezone.now()
    draft = NetworkEventFactory(
        country=latvia,
        status=EventStatus.DRAFT,
        starts_at=now + timedelta(days=1),
        registration_deadline=now - timedelta(hours=1),
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_publish(actor=national_coordinator, event=draft)
    assert codes(refused.value) == {"deadline_passed"}
    assert snapshot() == before
    # With a later deadline it is published.
    event_update(
        actor=national_coordinator,
        event=draft,
        data={"registration_deadline": now + timedelta(hours=12)},
        seen_sequence=draft.sequence,
    )
    assert event_publish(actor=national_coordinator, event=draft).status == EventStatus.PUBLISHED


def test_the_places_cannot_go_below_the_schools_confirmed(
    national_coordinator, latvia, school, other_school
):
    event = NetworkEventFactory(country=latvia, capacity=3)
    registration_of(event, school)
    registration_of(event, other_school)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_update(actor=national_coordinator, event=event, data={"capacity": 1}, seen_sequence=0)
    assert codes(refused.value) == {"capacity_below_confirmed"}
    assert snapshot() == before


def test_the_participants_per_school_cannot_go_below_what_a_registration_names(
    national_coordinator, latvia, school, other_school, team
):
    event = NetworkEventFactory(country=latvia, members_per_school=3)
    registration_of(event, school, members=team[:3])
    # A cancelled registration names people too, but no longer counts.
    cancelled = registration_of(
        event, other_school, status=RegistrationStatus.CANCELLED, members=[]
    )
    EventParticipant.objects.bulk_create(
        EventParticipant(registration=cancelled, full_name=f"Bijušais {n}") for n in range(4)
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_update(
            actor=national_coordinator,
            event=event,
            data={"members_per_school": 2},
            seen_sequence=event.sequence,
        )
    assert codes(refused.value) == {"members_below_registered"}
    assert set(refused.value.error_dict) == {"members_per_school"}
    assert snapshot() == before
    # As many as the school names is accepted (and a waiting school counts as well).
    saved = event_update(
        actor=national_coordinator,
        event=event,
        data={"members_per_school": 3},
        seen_sequence=event.sequence,
    )
    assert saved.members_per_school == 3


def test_a_waiting_schools_participants_count_too(national_coordinator, latvia, school, team):
    event = NetworkEventFactory(country=latvia, members_per_school=3)
    registration_of(event, school, status=RegistrationStatus.WAITING, members=team[:2])
    with pytest.raises(ValidationError) as refused:
        event_update(
            actor=national_coordinator, event=event, data={"members_per_school": 1}, seen_sequence=0
        )
    assert codes(refused.value) == {"members_below_registered"}


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "registration_deadline"])
@pytest.mark.parametrize("year", [1, 1999, 2101, 9999])
def test_dates_outside_the_platforms_years_are_refused(national_coordinator, latvia, field, year):
    data = event_data()
    data[field] = data[field].replace(year=year)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_create(actor=national_coordinator, country=latvia, data=data)
    assert "year_out_of_range" in codes(refused.value)
    assert field in refused.value.error_dict
    assert snapshot() == before


def test_the_database_refuses_dates_outside_the_platforms_years(latvia):
    event = NetworkEventFactory(country=latvia)
    early = timezone.now().replace(year=1990)
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkEvent.objects.filter(pk=event.pk).update(
            registration_deadline=early,
            starts_at=early.replace(year=1991),
            ends_at=early.replace(year=1992),
        )
    event.refresh_from_db()
    assert event.starts_at.year >= 2000


def test_more_places_go_to_the_schools_waiting_in_turn(
    national_coordinator, latvia, school, other_school, coordinator, other_coordinator
):
    event = NetworkEventFactory(country=latvia, capacity=1)
    registration_of(event, SchoolFactory(country=latvia))
    first = registration_of(event, school, status=RegistrationStatus.WAITING)
    second = registration_of(event, other_school, status=RegistrationStatus.WAITING)
    event_update(actor=national_coordinator, event=event, data={"capacity": 2}, seen_sequence=0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED and first.confirmed_at is not None
    assert second.status == RegistrationStatus.WAITING
    assert waiting_position(second) == 1
    assert [message.to for message in mail.outbox] == [[coordinator.email]]


def test_registered_schools_are_told_when_the_time_changes(
    national_coordinator, event, school, coordinator
):
    registration_of(event, school)
    event_update(
        actor=national_coordinator,
        event=event,
        data={
            "starts_at": event.starts_at + timedelta(hours=2),
            "ends_at": event.ends_at + timedelta(hours=2),
        },
        seen_sequence=0,
    )
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert event.title in mail.outbox[0].subject


def test_a_change_of_the_text_alone_tells_nobody(national_coordinator, event, school):
    registration_of(event, school)
    event_update(
        actor=national_coordinator, event=event, data={"description": "Precizēts."}, seen_sequence=0
    )
    assert mail.outbox == []


def test_cancelling_tells_every_school_registered_or_waiting(
    national_coordinator, event, school, other_school, coordinator, other_coordinator, latvia
):
    registration_of(event, school)
    registration_of(event, other_school, status=RegistrationStatus.WAITING)
    gone_school, gone_coordinator, _team = third_school(latvia)
    registration_of(event, gone_school, status=RegistrationStatus.CANCELLED)
    cancelled = event_cancel(actor=national_coordinator, event=event, note="Telpas nav pieejamas.")
    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.sequence == 1 and cancelled.cancelled_at is not None
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([coordinator.email, other_coordinator.email])
    assert all("Telpas nav pieejamas." in message.body for message in mail.outbox)
    # The registrations are kept as they were: the record of who had signed up.
    assert set(EventRegistration.objects.values_list("status", flat=True)) == {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
        RegistrationStatus.CANCELLED,
    }
    again = event_cancel(actor=national_coordinator, event=event)
    assert again.sequence == 1
    with pytest.raises(ValidationError) as refused:
        event_update(actor=national_coordinator, event=event, data={"title": "X"}, seen_sequence=1)
    assert codes(refused.value) == {"event_cancelled"}


def test_an_event_under_way_cannot_be_cancelled(national_coordinator, latvia):
    now = timezone.now()
    event = NetworkEventFactory(
        country=latvia,
        starts_at=now - timedelta(hours=1),
        registration_deadline=now - timedelta(days=1),
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        event_cancel(actor=national_coordinator, event=event)
    assert codes(refused.value) == {"already_started"}
    assert snapshot() == before


# -- a school's place -------------------------------------------------------------------------


def test_a_school_coordinator_registers_the_school_and_is_confirmed(
    coordinator, event, school, team
):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:2]
    )
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_at is not None and registration.created_by == coordinator
    assert sorted(registration.members.values_list("pk", flat=True)) == sorted(
        m.pk for m in team[:2]
    )
    assert sorted(registration.participants.values_list("full_name", flat=True)) == sorted(
        m.full_name for m in team[:2]
    )
    assert actions() == [AuditAction.EVENT_REGISTERED]
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert team[0].full_name in mail.outbox[0].body


def test_a_full_event_puts_the_school_on_the_waiting_list(
    coordinator, other_coordinator, event, school, other_school, team, other_team, latvia
):
    registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    waiting = registration_create(
        actor=other_coordinator, event=event, school=other_school, members=other_team[:1]
    )
    third, third_coordinator, third_team = third_school(latvia)
    last = registration_create(
        actor=third_coordinator, event=event, school=third, members=third_team
    )
    assert waiting.status == last.status == RegistrationStatus.WAITING
    assert waiting.confirmed_at is None
    assert (waiting_position(waiting), waiting_position(last)) == (1, 2)
    waiting_mail = [m for m in mail.outbox if m.to == [other_coordinator.email]]
    assert len(waiting_mail) == 1 and "1" in waiting_mail[0].body


def test_a_cancelled_seat_goes_to_the_first_school_waiting_who_is_told(
    coordinator,
    other_coordinator,
    national_coordinator,
    event,
    school,
    other_school,
    team,
    other_team,
    latvia,
):
    held = registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    first = registration_create(
        actor=other_coordinator, event=event, school=other_school, members=other_team[:1]
    )
    third, third_coordinator, third_team = third_school(latvia)
    second = registration_create(
        actor=third_coordinator, event=event, school=third, members=third_team
    )
    list(mail.outbox)
    mail.outbox.clear()

    cancelled = registration_cancel(actor=coordinator, registration=held)
    assert cancelled.status == RegistrationStatus.CANCELLED
    assert cancelled.cancelled_at is not None and cancelled.cancelled_by == coordinator
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED and first.confirmed_at is not None
    assert second.status == RegistrationStatus.WAITING and waiting_position(second) == 1
    assert actions()[-2:] == [
        AuditAction.EVENT_REGISTRATION_CANCELLED,
        AuditAction.EVENT_REGISTRATION_PROMOTED,
    ]
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {coordinator.email, other_coordinator.email}
    assert event.title in by_recipient[other_coordinator.email].subject
    # The school that got the seat now has its reminder queued.
    assert DBTaskResult.objects.filter(
        task_path="asphub.events.tasks.event_reminder", args_kwargs__args=[first.pk]
    ).exists()


def test_a_freed_seat_passes_over_a_school_that_has_left_the_network(
    coordinator, other_coordinator, event, school, other_school, team, other_team, latvia
):
    held = registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    left = registration_create(
        actor=other_coordinator, event=event, school=other_school, members=other_team[:1]
    )
    third, third_coordinator, third_team = third_school(latvia)
    next_in_line = registration_create(
        actor=third_coordinator, event=event, school=third, members=third_team
    )
    School.objects.filter(pk=other_school.pk).update(membership_status=MembershipStatus.WITHDRAWN)
    list(mail.outbox)  # the registrations' own messages, delivered and set aside
    mail.outbox.clear()

    registration_cancel(actor=coordinator, registration=held)

    left.refresh_from_db()
    next_in_line.refresh_from_db()
    # The school that left keeps its place in line but gets no seat; the next school does.
    assert left.status == RegistrationStatus.WAITING and left.confirmed_at is None
    assert next_in_line.status == RegistrationStatus.CONFIRMED
    assert waiting_position(left) == 1
    assert other_coordinator.email not in {message.to[0] for message in mail.outbox}
    assert third_coordinator.email in {message.to[0] for message in mail.outbox}


def test_leaving_the_waiting_list_gives_nobody_a_seat(
    coordinator, other_coordinator, event, school, other_school, team, other_team
):
    registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    waiting = registration_create(
        actor=other_coordinator, event=event, school=other_school, members=other_team[:1]
    )
    registration_cancel(actor=other_coordinator, registration=waiting)
    assert list(EventRegistration.objects.values_list("status", flat=True).order_by("pk")) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CANCELLED,
    ]
    assert AuditAction.EVENT_REGISTRATION_PROMOTED not in actions()


def test_the_national_coordinator_may_cancel_a_schools_registration(
    national_coordinator, coordinator, event, school, team
):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:1]
    )
    registration_cancel(actor=national_coordinator, registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.cancelled_by == national_coordinator


def test_cancelling_twice_cancels_once(coordinator, event, school, team):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:1]
    )
    registration_cancel(actor=coordinator, registration=registration)
    registration_cancel(actor=coordinator, registration=registration)
    assert actions().count(AuditAction.EVENT_REGISTRATION_CANCELLED) == 1


def test_a_school_that_cancelled_may_register_again_at_the_end_of_the_line(
    coordinator, other_coordinator, event, school, other_school, team, other_team
):
    first = registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    registration_cancel(actor=coordinator, registration=first)
    registration_create(
        actor=other_coordinator, event=event, school=other_school, members=other_team[:1]
    )
    again = registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    assert again.pk != first.pk and again.status == RegistrationStatus.WAITING


@pytest.mark.parametrize(
    "who", ["teacher", "other_coordinator", "national", "reviewer", "anonymous"]
)
def test_only_the_schools_coordinator_registers_it(
    who, event, school, team, teacher, other_coordinator, national_coordinator, latvia
):
    actor = {
        "teacher": teacher,
        "other_coordinator": other_coordinator,
        "national": national_coordinator,
        "reviewer": person_with(Role.REVIEWER, country=latvia),
        "anonymous": AnonymousUser(),
    }[who]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_create(actor=actor, event=event, school=school, members=team[:1])
    assert snapshot() == before


@pytest.mark.parametrize("who", ["teacher", "other_coordinator", "reviewer", "anonymous"])
def test_others_cannot_cancel_or_change_a_schools_registration(
    who, coordinator, event, school, team, teacher, other_coordinator, latvia
):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:1]
    )
    actor = {
        "teacher": teacher,
        "other_coordinator": other_coordinator,
        "reviewer": person_with(Role.REVIEWER, country=latvia),
        "anonymous": AnonymousUser(),
    }[who]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_cancel(actor=actor, registration=registration)
    with pytest.raises(PermissionDenied):
        registration_update_participants(actor=actor, registration=registration, members=team[:1])
    assert snapshot() == before


def test_a_registration_after_the_deadline_is_refused(coordinator, latvia, school, team):
    now = timezone.now()
    event = NetworkEventFactory(
        country=latvia,
        starts_at=now + timedelta(days=2),
        registration_deadline=now - timedelta(minutes=1),
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    assert codes(refused.value) == {"deadline_passed"}
    assert snapshot() == before


def test_the_same_school_cannot_register_twice(coordinator, event, school, team):
    registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        registration_create(actor=coordinator, event=event, school=school, members=team[1:2])
    assert codes(refused.value) == {"already_registered"}
    assert snapshot() == before


def test_a_member_of_another_schools_team_is_refused(coordinator, event, school, team, other_team):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        registration_create(
            actor=coordinator, event=event, school=school, members=[team[0], other_team[0]]
        )
    assert codes(refused.value) == {"member_of_other_school"}
    assert snapshot() == before


@pytest.mark.parametrize(("count", "code"), [(0, "members_required"), (3, "too_many_members")])
def test_a_school_names_one_to_the_events_number_of_participants(
    coordinator, event, school, team, count, code
):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        registration_create(actor=coordinator, event=event, school=school, members=team[:count])
    assert codes(refused.value) == {code}
    assert snapshot() == before


def test_a_cancelled_event_takes_no_registrations(coordinator, latvia, school, team):
    event = NetworkEventFactory(country=latvia, status=EventStatus.CANCELLED)
    with pytest.raises(ValidationError) as refused:
        registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    assert codes(refused.value) == {"event_cancelled"}


def test_a_draft_is_not_open_to_schools(coordinator, latvia, school, team):
    event = NetworkEventFactory(country=latvia, status=EventStatus.DRAFT)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    with pytest.raises(ValidationError) as refused:
        registration_create(
            actor=StandIn.COMMAND_LINE, event=event, school=school, members=team[:1]
        )
    assert codes(refused.value) == {"not_published"}
    assert snapshot() == before


def test_a_school_that_left_the_network_cannot_register(coordinator, event, school, team):
    school.membership_status = MembershipStatus.WITHDRAWN
    school.save()
    with pytest.raises(PermissionDenied):
        registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    with pytest.raises(ValidationError) as refused:
        registration_create(
            actor=StandIn.COMMAND_LINE, event=event, school=school, members=team[:1]
        )
    assert codes(refused.value) == {"school_not_in_network"}


def test_a_school_of_another_country_cannot_register(event, foreign_school):
    foreign = person_with(Role.SCHOOL_COORDINATOR, school=foreign_school)
    member = TeamMemberFactory(school=foreign_school)
    with pytest.raises(ValidationError) as refused:
        registration_create(actor=foreign, event=event, school=foreign_school, members=[member])
    assert codes(refused.value) == {"other_country"}


def test_a_network_only_event_is_for_the_countrys_schools(
    coordinator, latvia, school, team, foreign_school
):
    event = NetworkEventFactory(country=latvia, visibility=EventVisibility.NETWORK)
    assert registration_create(actor=coordinator, event=event, school=school, members=team[:1])
    foreign = person_with(Role.SCHOOL_COORDINATOR, school=foreign_school)
    with pytest.raises(PermissionDenied):
        registration_create(
            actor=foreign,
            event=event,
            school=foreign_school,
            members=[TeamMemberFactory(school=foreign_school)],
        )


def test_the_coordinator_changes_whom_the_school_sends(
    coordinator, event, school, team, other_team
):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:1]
    )
    registration_update_participants(
        actor=coordinator, registration=registration, members=team[1:3]
    )
    assert sorted(registration.participants.values_list("full_name", flat=True)) == sorted(
        m.full_name for m in team[1:3]
    )
    assert actions()[-1] == AuditAction.EVENT_PARTICIPANTS_CHANGED
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        registration_update_participants(
            actor=coordinator, registration=registration, members=[other_team[0]]
        )
    assert codes(refused.value) == {"member_of_other_school"}
    assert snapshot() == before


def test_a_participant_who_leaves_the_team_stays_in_the_record(coordinator, event, school, team):
    registration = registration_create(
        actor=coordinator, event=event, school=school, members=team[:1]
    )
    team[0].delete()
    participant = registration.participants.get()
    assert participant.team_member is None and participant.full_name == team[0].full_name


# -- afterwards -------------------------------------------------------------------------------


@pytest.fixture
def past_event(latvia, school, other_school, team, other_team):
    now = timezone.now()
    event = NetworkEventFactory(
        country=latvia,
        starts_at=now - timedelta(hours=3),
        registration_deadline=now - timedelta(days=2),
        capacity=1,
    )
    registration_of(event, school, members=team[:2])
    registration_of(event, other_school, status=RegistrationStatus.WAITING, members=other_team[:1])
    return event


def test_the_national_coordinator_records_attendance_after_the_start(
    national_coordinator, past_event, school
):
    first, second = EventParticipant.objects.filter(registration__school=school).order_by("pk")
    changed = attendance_record(
        actor=national_coordinator, event=past_event, attended={first.pk: True, second.pk: False}
    )
    assert changed == 2
    first.refresh_from_db()
    assert first.attended is True and first.attendance_recorded_by == national_coordinator
    assert actions() == [AuditAction.EVENT_ATTENDANCE_RECORDED]
    # The same record again changes nothing, and records nothing.
    assert (
        attendance_record(
            actor=national_coordinator,
            event=past_event,
            attended={first.pk: True, second.pk: False},
        )
        == 0
    )
    assert len(actions()) == 1


def test_attendance_waits_for_the_start(national_coordinator, event, school, team):
    registration = registration_of(event, school, members=team[:1])
    participant = registration.participants.get()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        attendance_record(actor=national_coordinator, event=event, attended={participant.pk: True})
    assert codes(refused.value) == {"not_started"}
    assert snapshot() == before


def test_attendance_is_for_schools_with_a_place_at_this_event(
    national_coordinator, past_event, other_school, latvia, school, team
):
    waiting = EventParticipant.objects.get(registration__school=other_school)
    elsewhere = registration_of(NetworkEventFactory(country=latvia), school, members=team[2:3])
    for participant in (waiting, elsewhere.participants.get()):
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            attendance_record(
                actor=national_coordinator, event=past_event, attended={participant.pk: True}
            )
        assert codes(refused.value) == {"not_a_participant"}
        assert snapshot() == before


@pytest.mark.parametrize("who", ["coordinator", "teacher", "estonian"])
def test_only_the_national_coordinator_records_attendance(
    who, past_event, coordinator, teacher, estonia, school
):
    actor = {
        "coordinator": coordinator,
        "teacher": teacher,
        "estonian": person_with(Role.NATIONAL_COORDINATOR, country=estonia),
    }[who]
    participant = EventParticipant.objects.filter(registration__school=school).first()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        attendance_record(actor=actor, event=past_event, attended={participant.pk: True})
    assert snapshot() == before
