"""The reminder a day before a network event, through the task queue: queued when a school
gets its seat, sent once by the worker at its time to the school's coordinators and the
participants with an e-mail address, and never for a registration cancelled meanwhile, a
cancelled event, or a time the event has since left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from asphub.events.models import EventRegistration, RegistrationStatus
from asphub.events.services import (
    event_cancel,
    event_update,
    registration_cancel,
    registration_create,
)
from asphub.events.tasks import REMINDER_LEAD, event_reminder
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory
from asphub.mail.tests.queue import later
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db

TASK = "asphub.events.tasks.event_reminder"


@pytest.fixture
def event(latvia):
    return NetworkEventFactory(
        country=latvia, capacity=1, starts_at=timezone.now() + timedelta(days=3)
    )


@pytest.fixture
def member(school):
    return TeamMemberFactory(school=school, email="dalibniece@example.org")


@pytest.fixture
def registration(coordinator, event, school, member):
    registered = registration_create(
        actor=coordinator, event=event, school=school, members=[member]
    )
    delivered()  # the confirmation
    return registered


def delivered() -> list:
    """What the worker sends now (tasks that are due), then an empty outbox."""
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def reminders() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK).order_by("enqueued_at"))


def a_day_before(event):
    # Just after the reminder's time, well before the start.
    return (event.starts_at - REMINDER_LEAD + timedelta(minutes=5)) - timezone.now()


def test_a_confirmed_school_is_reminded_the_day_before_once(
    registration, event, coordinator, member
):
    (queued,) = reminders()
    assert queued.run_after == event.starts_at - REMINDER_LEAD
    assert delivered() == []  # not yet
    with later(a_day_before(event)):
        sent = delivered()
        assert sorted(message.to[0] for message in sent) == sorted(
            [coordinator.email, member.email]
        )
        assert all(event.title in message.subject for message in sent)
        # Run again (a worker that ran the task twice): nothing more is sent.
        event_reminder.enqueue(registration.pk)
        assert delivered() == []
    registration.refresh_from_db()
    assert registration.reminder_sent_at is not None


def test_no_reminder_for_a_registration_cancelled_meanwhile(registration, event, coordinator):
    registration_cancel(actor=coordinator, registration=registration)
    delivered()
    with later(a_day_before(event)):
        assert delivered() == []
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None


def test_no_reminder_for_a_cancelled_event(registration, event, national_coordinator):
    event_cancel(actor=national_coordinator, event=event)
    delivered()
    with later(a_day_before(event)):
        assert delivered() == []


def test_a_school_waiting_is_reminded_only_once_it_has_a_seat(
    registration, event, coordinator, other_school
):
    other = person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="berzi@example.org")
    waiting = registration_create(
        actor=other,
        event=event,
        school=other_school,
        members=[TeamMemberFactory(school=other_school, email="")],
    )
    assert waiting.status == RegistrationStatus.WAITING
    assert len(reminders()) == 1
    registration_cancel(actor=coordinator, registration=registration)
    delivered()
    assert len(reminders()) == 2
    with later(a_day_before(event)):
        assert [message.to for message in delivered()] == [[other.email]]


def test_a_start_moved_later_is_reminded_at_its_new_time(
    registration, event, national_coordinator, coordinator, member
):
    old_start = event.starts_at
    event_update(
        actor=national_coordinator,
        event=event,
        data={
            "starts_at": event.starts_at + timedelta(days=2),
            "ends_at": event.ends_at + timedelta(days=2),
            "registration_deadline": event.registration_deadline,
        },
        seen_sequence=event.sequence,
    )
    delivered()  # the notice of the change
    with later((old_start - REMINDER_LEAD + timedelta(minutes=5)) - timezone.now()):
        assert delivered() == []
    event.refresh_from_db()
    with later(a_day_before(event)):
        assert sorted(message.to[0] for message in delivered()) == sorted(
            [coordinator.email, member.email]
        )
    assert EventRegistration.objects.get(pk=registration.pk).reminder_sent_at is not None


def test_no_reminder_is_queued_for_an_event_starting_within_a_day(
    coordinator, latvia, school, member
):
    soon = NetworkEventFactory(
        country=latvia,
        starts_at=timezone.now() + timedelta(hours=20),
        registration_deadline=timezone.now() + timedelta(hours=2),
    )
    registration_create(actor=coordinator, event=soon, school=school, members=[member])
    assert reminders() == []
