"""Work network events leave to the task worker: the reminder a day before the event.

A reminder is queued, to run a day before the start, whenever a school gets its seat (and again
for every seat when the event's start moves). When it runs it looks at the registration and the
event as they are then: nothing is sent for a registration cancelled meanwhile, a cancelled
event, an event that has started or that now starts later (its own reminder is queued), or a
registration already reminded. So the task may run twice, or late, and still send once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import EventRegistration, EventStatus, NetworkEvent, RegistrationStatus
from .notifications import remind_participants

REMINDER_LEAD = timedelta(days=1)
# A reminder that wakes up earlier than this before its time belongs to an earlier start.
EARLY_TOLERANCE = timedelta(hours=1)


def reminder_time(event: NetworkEvent):
    return event.starts_at - REMINDER_LEAD


def schedule_reminder(event: NetworkEvent, registration: EventRegistration) -> bool:
    """Queue the reminder of a confirmed registration (in the caller's transaction). Nothing
    is queued when the event starts within a day: the confirmation was the reminder."""
    run_after = reminder_time(event)
    if run_after <= timezone.now():
        return False
    event_reminder.using(run_after=run_after).enqueue(registration.pk)
    return True


@task()
def event_reminder(registration_id: int) -> str:
    """Remind the school of a confirmed registration that its event is tomorrow. Returns what
    it did, for the task list."""
    with transaction.atomic():
        registration = (
            EventRegistration.objects.select_for_update(of=("self",))
            .select_related("school", "event", "event__country")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            return "gone"
        event = registration.event
        now = timezone.now()
        if registration.reminder_sent_at is not None:
            return "already sent"
        if registration.status != RegistrationStatus.CONFIRMED:
            return "not confirmed"
        if event.status != EventStatus.PUBLISHED:
            return "event not published"
        if now >= event.starts_at:
            return "event started"
        if now < reminder_time(event) - EARLY_TOLERANCE:
            return "event moved later"
        remind_participants(event, registration)
        registration.reminder_sent_at = now
        registration.save(update_fields=["reminder_sent_at"])
    return "sent"
