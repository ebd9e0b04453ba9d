"""Every change to network events: one function per step, each checking permission, validating,
writing atomically under the event's lock, recording an audit entry and queueing its e-mail.

The event: event_create, event_update, event_publish, event_cancel.
A school's place: registration_create, registration_cancel, registration_update_participants.
Afterwards: attendance_record.

Seats are counted and given under the event's row lock (SELECT ... FOR UPDATE on PostgreSQL;
on SQLite every transaction takes the database's write lock when it begins, see
config.settings.base), so two schools taking the last seat at the same moment are served one
after the other: one gets it, the other waits in line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.edits import locked, refuse_stale
from asphub.countries.models import Country
from asphub.roles.permissions import (
    LIBRARY_SCHOOL_STATUSES,
    Actor,
    actor_user,
    can_change_school_registration,
    can_manage_events,
    can_register_school,
    can_view_event,
    is_command_line,
    require_permission,
)
from asphub.schools.models import School, TeamMember

from .models import (
    EventParticipant,
    EventRegistration,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)
from .notifications import tell_schools
from .tasks import schedule_reminder

# The fields a form may write (everything else the services set).
EVENT_FIELDS = (
    "kind",
    "language",
    "title",
    "description",
    "title_en",
    "description_en",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "members_per_school",
    "registration_deadline",
    "visibility",
)
# Changes that registered schools are told about.
WHEN_AND_WHERE = ("starts_at", "ends_at", "place", "online_url")


def _snapshot(event: NetworkEvent) -> dict[str, Any]:
    return {
        "status": event.status,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "capacity": event.capacity,
        "registration_deadline": event.registration_deadline.isoformat(),
        "visibility": event.visibility,
        "sequence": event.sequence,
    }


def _require_manager(actor: Actor, country: Country) -> None:
    """The guard of the event's own steps: the country's national coordinator (or an
    administrator, or the command line)."""
    require_permission(
        actor,
        lambda user: can_manage_events(user, country),
        _("Only the national coordinator runs the network's events."),
    )


def _apply(event: NetworkEvent, data: Mapping[str, Any]) -> None:
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    # Field validators and the model's constraints (end after start, deadline before start,
    # a place or a link), each with its own code.
    event.full_clean(exclude=["country", "created_by"])


def seats_taken(event: NetworkEvent) -> int:
    """Confirmed registrations of the event. Called under the event's lock when seats are
    given."""
    return EventRegistration.objects.filter(
        event_id=event.pk, status=RegistrationStatus.CONFIRMED
    ).count()


def most_members_named(event: NetworkEvent) -> int:
    """The most participants any school registered (or waiting) names for the event: the
    fewest members_per_school the event may have. Cancelled registrations do not count."""
    most = (
        EventRegistration.objects.filter(event_id=event.pk)
        .exclude(status=RegistrationStatus.CANCELLED)
        .annotate(named=Count("participants"))
        .aggregate(most=Max("named"))["most"]
    )
    return most or 0


# -- the event --------------------------------------------------------------------------------


def event_create(*, actor: Actor, country: Country, data: Mapping[str, Any]) -> NetworkEvent:
    """A new draft event of the country's network; nobody else sees it until it is
    published."""
    _require_manager(actor, country)
    with transaction.atomic():
        event = NetworkEvent(
            country=country, created_by=actor_user(actor), status=EventStatus.DRAFT
        )
        _apply(event, data)
        event.save()
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_CREATED,
            obj=event,
            country_code=country.code,
            after=_snapshot(event),
        )
    return event


def event_update(
    *,
    actor: Actor,
    event: NetworkEvent,
    data: Mapping[str, Any],
    seen_sequence: int | None,
) -> NetworkEvent:
    """Save the national coordinator's changes. A form opened before someone else's change, or
    one that does not say which `sequence` it was opened on (None), is refused (StaleEdit), so
    nobody's work is overwritten. The places cannot go below the schools already confirmed,
    nor the participants per school below what a registration already names; more places go
    to the schools waiting, in turn. Registered schools are told when the time or the place
    changes."""
    _require_manager(actor, event.country)
    with transaction.atomic():
        stored = locked(event, "country")
        refuse_stale(
            seen=seen_sequence,
            current=stored.sequence,
            message=_(
                "Someone changed this event after you opened it. Your text is kept below: "
                "compare it with the saved event and save again."
            ),
        )
        if stored.status == EventStatus.CANCELLED:
            raise ValidationError(_("A cancelled event cannot be changed."), code="event_cancelled")
        before = _snapshot(stored)
        previous = {name: getattr(stored, name) for name in WHEN_AND_WHERE}
        _apply(stored, data)
        confirmed = seats_taken(stored)
        if stored.capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": ValidationError(
                        ngettext(
                            "%(count)s school already has a place: the event cannot have "
                            "fewer places. Cancel a registration first.",
                            "%(count)s schools already have a place: the event cannot have "
                            "fewer places. Cancel registrations first.",
                            confirmed,
                        )
                        % {"count": confirmed},
                        code="capacity_below_confirmed",
                    )
                }
            )
        named = most_members_named(stored)
        if stored.members_per_school < named:
            raise ValidationError(
                {
                    "members_per_school": ValidationError(
                        ngettext(
                            "A school already names %(count)s participant: each school may "
                            "name no fewer. Change that school's participants first.",
                            "A school already names %(count)s participants: each school may "
                            "name no fewer. Change that school's participants first.",
                            named,
                        )
                        % {"count": named},
                        code="members_below_registered",
                    )
                }
            )
        stored.sequence += 1
        stored.save()
        moved = [name for name in WHEN_AND_WHERE if getattr(stored, name) != previous[name]]
        if stored.status == EventStatus.PUBLISHED and "starts_at" in moved:
            _reschedule_reminders(stored)
        promoted = _promote_waiting(actor, stored, free=stored.capacity - confirmed)
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_CHANGED,
            obj=stored,
            country_code=stored.country.code,
            before=before,
            after={**_snapshot(stored), "promoted": len(promoted)},
        )
        if stored.status == EventStatus.PUBLISHED and moved:
            promoted_ids = {registration.pk for registration in promoted}
            told = [
                registration
                for registration in _active_registrations(stored)
                if registration.pk not in promoted_ids
            ]
            tell_schools(stored, told, "events/email/event_changed")
    return stored


def event_publish(*, actor: Actor, event: NetworkEvent) -> NetworkEvent:
    """Show the event (to everyone, or to the country's network) and open its registration:
    a draft whose registration deadline has not passed. Publishing twice (a double click)
    publishes once."""
    _require_manager(actor, event.country)
    with transaction.atomic():
        stored = locked(event, "country")
        if stored.status == EventStatus.PUBLISHED:
            return stored
        if stored.status != EventStatus.DRAFT:
            raise ValidationError(_("Only a draft can be published."), code="not_draft")
        if timezone.now() > stored.registration_deadline:
            # No school could register: the coordinator moves the deadline (or the event) first.
            raise ValidationError(
                _(
                    "The registration deadline has passed: set a later deadline before "
                    "publishing the event."
                ),
                code="deadline_passed",
            )
        before = _snapshot(stored)
        stored.status = EventStatus.PUBLISHED
        stored.published_at = timezone.now()
        stored.sequence += 1
        stored.save(update_fields=["status", "published_at", "sequence", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_PUBLISHED,
            obj=stored,
            country_code=stored.country.code,
            before=before,
            after=_snapshot(stored),
        )
    return stored


def event_cancel(*, actor: Actor, event: NetworkEvent, note: str = "") -> NetworkEvent:
    """Call the event off. It stays listed, marked cancelled (calendars are told), its
    registrations are kept as they were, and every school registered or waiting is told,
    with the note."""
    _require_manager(actor, event.country)
    with transaction.atomic():
        stored = locked(event, "country")
        if stored.status == EventStatus.CANCELLED:
            return stored
        if stored.has_started():
            raise ValidationError(
                _("The event has already started: it can no longer be cancelled."),
                code="already_started",
            )
        before = _snapshot(stored)
        stored.status = EventStatus.CANCELLED
        stored.cancelled_at = timezone.now()
        stored.cancellation_note = note.strip()
        stored.sequence += 1
        stored.save(
            update_fields=["status", "cancelled_at", "cancellation_note", "sequence", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_CANCELLED,
            obj=stored,
            country_code=stored.country.code,
            before=before,
            after=_snapshot(stored),
            note=stored.cancellation_note[:500],
        )
        if stored.published_at is not None:
            tell_schools(stored, _active_registrations(stored), "events/email/event_cancelled")
    return stored


def _active_registrations(event: NetworkEvent) -> list[EventRegistration]:
    return list(
        EventRegistration.objects.filter(event_id=event.pk)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("school")
        .order_by("created_at", "id")
    )


def _reschedule_reminders(event: NetworkEvent) -> None:
    """The start moved: each confirmed school is reminded again a day before the new start
    (the reminders queued for the old start find it moved and send nothing)."""
    confirmed = list(
        EventRegistration.objects.filter(event_id=event.pk, status=RegistrationStatus.CONFIRMED)
    )
    EventRegistration.objects.filter(pk__in=[r.pk for r in confirmed]).update(reminder_sent_at=None)
    for registration in confirmed:
        schedule_reminder(event, registration)


def _promote_waiting(actor: Actor, event: NetworkEvent, *, free: int) -> list[EventRegistration]:
    """Give `free` seats to the schools waiting longest (first come, first served), tell
    them, and queue their reminders. A school that has left the network meanwhile gets no
    seat (it stays in line; the next school does). Under the event's lock; not once the event
    has started or when it is not published."""
    if free <= 0 or event.status != EventStatus.PUBLISHED or event.has_started():
        return []
    waiting = list(
        EventRegistration.objects.filter(
            event_id=event.pk,
            status=RegistrationStatus.WAITING,
            school__membership_status__in=LIBRARY_SCHOOL_STATUSES,
        )
        .select_related("school")
        .order_by("created_at", "id")[:free]
    )
    if not waiting:
        return []
    now = timezone.now()
    EventRegistration.objects.filter(pk__in=[r.pk for r in waiting]).update(
        status=RegistrationStatus.CONFIRMED, confirmed_at=now, updated_at=now
    )
    code = event.country.code
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_REGISTRATION_PROMOTED,
            obj=event,
            country_code=code,
            before={"school": registration.school.name, "status": RegistrationStatus.WAITING},
            after={"school": registration.school.name, "status": RegistrationStatus.CONFIRMED},
        )
        schedule_reminder(event, registration)
    tell_schools(event, waiting, "events/email/promoted")
    return waiting


# -- a school's place -------------------------------------------------------------------------


def _checked_members(
    event: NetworkEvent, school: School, members: Sequence[TeamMember]
) -> list[TeamMember]:
    """The people named, read again: members of the school's own team, one to the event's
    number per school."""
    wanted = list(dict.fromkeys(member.pk for member in members))
    found = {
        member.pk: member
        for member in TeamMember.objects.filter(pk__in=wanted, school_id=school.pk)
    }
    if len(found) != len(wanted):
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Name members of the school's own team only."),
                    code="member_of_other_school",
                )
            }
        )
    if not wanted:
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Name at least one member of the school's team who will take part."),
                    code="members_required",
                )
            }
        )
    if len(wanted) > event.members_per_school:
        raise ValidationError(
            {
                "members": ValidationError(
                    ngettext(
                        "A school may name at most %(count)s participant for this event.",
                        "A school may name at most %(count)s participants for this event.",
                        event.members_per_school,
                    )
                    % {"count": event.members_per_school},
                    code="too_many_members",
                )
            }
        )
    return [found[pk] for pk in wanted]


def _refuse_closed(event: NetworkEvent) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("The event is cancelled."), code="event_cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(
            _("Registration is not open: the event is not published yet."), code="not_published"
        )


def registration_create(
    *,
    actor: Actor,
    event: NetworkEvent,
    school: School,
    members: Sequence[TeamMember],
) -> EventRegistration:
    """Register the school for the event (its school coordinator), naming members of its team:
    a free seat confirms it, otherwise the school waits in line. Only while the event is
    published, before the deadline, and once per school."""
    require_permission(
        actor,
        lambda user: can_register_school(user, school),
        _("Only the school coordinator registers the school, while it is in the network."),
    )
    with transaction.atomic():
        stored = locked(event, "country")
        if not is_command_line(actor) and not can_view_event(actor_user(actor), stored):
            raise PermissionDenied(_("This event is not open to your school."))
        _refuse_closed(stored)
        school = School.objects.get(pk=school.pk)
        if school.membership_status not in LIBRARY_SCHOOL_STATUSES:
            raise ValidationError(
                _("Only schools in the network register for its events."),
                code="school_not_in_network",
            )
        if school.country_id != stored.country_id:
            raise ValidationError(
                _("The event is for the schools of another country's network."),
                code="other_country",
            )
        if timezone.now() > stored.registration_deadline:
            raise ValidationError(
                _("The registration deadline has passed."), code="deadline_passed"
            )
        if (
            EventRegistration.objects.filter(event_id=stored.pk, school_id=school.pk)
            .exclude(status=RegistrationStatus.CANCELLED)
            .exists()
        ):
            raise ValidationError(
                _("The school is already registered for this event."), code="already_registered"
            )
        chosen = _checked_members(stored, school, members)
        confirmed = seats_taken(stored) < stored.capacity
        now = timezone.now()
        registration = EventRegistration.objects.create(
            event=stored,
            school=school,
            status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITING,
            created_by=actor_user(actor),
            confirmed_at=now if confirmed else None,
        )
        EventParticipant.objects.bulk_create(
            EventParticipant(
                registration=registration, team_member=member, full_name=member.full_name
            )
            for member in chosen
        )
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_REGISTERED,
            obj=stored,
            country_code=stored.country.code,
            after={
                "school": school.name,
                "status": registration.status,
                "participants": [member.full_name for member in chosen],
            },
        )
        if confirmed:
            schedule_reminder(stored, registration)
            tell_schools(stored, [registration], "events/email/registered")
        else:
            tell_schools(
                stored,
                [registration],
                "events/email/waiting",
                position=waiting_position(registration),
            )
    return registration


def waiting_position(registration: EventRegistration) -> int:
    """The registration's place in the event's waiting line (1 is next); 0 if not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return 0
    ahead = EventRegistration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _may_change(user: Any, registration: EventRegistration, event: NetworkEvent) -> bool:
    return can_change_school_registration(user, registration.school) or can_manage_events(
        user, event.country
    )


def registration_cancel(*, actor: Actor, registration: EventRegistration) -> EventRegistration:
    """Give up the school's place (its school coordinator, or the national coordinator) until
    the event starts. A seat freed goes, in the same transaction, to the first school waiting,
    which is told. Cancelling twice cancels once."""
    event = registration.event
    require_permission(
        actor,
        lambda user: _may_change(user, registration, event),
        _("Only the school coordinator or the national coordinator may cancel this registration."),
    )
    with transaction.atomic():
        stored_event = locked(event, "country")
        stored = (
            EventRegistration.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=registration.pk, event_id=stored_event.pk)
        )
        if stored.status == RegistrationStatus.CANCELLED:
            return stored
        if stored_event.has_started():
            raise ValidationError(
                _("The event has started: the registration can no longer be cancelled."),
                code="already_started",
            )
        had_seat = stored.status == RegistrationStatus.CONFIRMED
        before = {"school": stored.school.name, "status": stored.status}
        stored.status = RegistrationStatus.CANCELLED
        stored.cancelled_at = timezone.now()
        stored.cancelled_by = actor_user(actor)
        stored.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_REGISTRATION_CANCELLED,
            obj=stored_event,
            country_code=stored_event.country.code,
            before=before,
            after={"school": stored.school.name, "status": stored.status},
        )
        tell_schools(stored_event, [stored], "events/email/registration_cancelled")
        if had_seat:
            _promote_waiting(
                actor, stored_event, free=stored_event.capacity - seats_taken(stored_event)
            )
    return stored


def registration_update_participants(
    *, actor: Actor, registration: EventRegistration, members: Sequence[TeamMember]
) -> EventRegistration:
    """Change whom the school sends (its school coordinator), until the event starts: members
    of its own team, one to the event's number per school."""
    require_permission(
        actor,
        lambda user: can_change_school_registration(user, registration.school),
        _("Only the school coordinator changes whom the school sends."),
    )
    with transaction.atomic():
        stored_event = locked(registration.event, "country")
        stored = (
            EventRegistration.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=registration.pk, event_id=stored_event.pk)
        )
        if stored.status == RegistrationStatus.CANCELLED:
            raise ValidationError(
                _("The registration is cancelled."), code="registration_cancelled"
            )
        if stored_event.status == EventStatus.CANCELLED:
            raise ValidationError(_("The event is cancelled."), code="event_cancelled")
        if stored_event.has_started():
            raise ValidationError(
                _("The event has started: its participants can no longer be changed."),
                code="already_started",
            )
        chosen = _checked_members(stored_event, stored.school, members)
        current = {p.team_member_id: p for p in stored.participants.all()}
        before = sorted(p.full_name for p in current.values())
        wanted = {member.pk for member in chosen}
        stored.participants.exclude(team_member_id__in=wanted).delete()
        stored.participants.filter(team_member__isnull=True).delete()
        EventParticipant.objects.bulk_create(
            EventParticipant(registration=stored, team_member=member, full_name=member.full_name)
            for member in chosen
            if member.pk not in current
        )
        stored.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.EVENT_PARTICIPANTS_CHANGED,
            obj=stored_event,
            country_code=stored_event.country.code,
            before={"school": stored.school.name, "participants": before},
            after={
                "school": stored.school.name,
                "participants": sorted(member.full_name for member in chosen),
            },
        )
    return stored


# -- afterwards -------------------------------------------------------------------------------


def attendance_record(
    *, actor: Actor, event: NetworkEvent, attended: Mapping[int, bool | None]
) -> int:
    """Record, once the event has started, who of the participants named by the schools with a
    place attended (True), did not (False) or is not known (None): the national coordinator.
    `attended` maps participant ids to that; returns how many records changed."""
    require_permission(
        actor,
        lambda user: can_manage_events(user, event.country),
        _("Only the national coordinator records attendance."),
    )
    with transaction.atomic():
        stored = locked(event, "country")
        if stored.status != EventStatus.PUBLISHED:
            raise ValidationError(
                _("Attendance is recorded for published events only."), code="not_published"
            )
        if not stored.has_started():
            raise ValidationError(
                _("Attendance can be recorded once the event has started."),
                code="not_started",
            )
        participants = {
            participant.pk: participant
            for participant in EventParticipant.objects.filter(
                pk__in=list(attended),
                registration__event_id=stored.pk,
                registration__status=RegistrationStatus.CONFIRMED,
            )
        }
        if set(attended) - set(participants):
            raise ValidationError(
                _("Attendance is recorded for the participants of schools with a place only."),
                code="not_a_participant",
            )
        now = timezone.now()
        changed = []
        for pk, value in attended.items():
            participant = participants[pk]
            if participant.attended is value:
                continue
            participant.attended = value
            participant.attendance_recorded_at = now
            participant.attendance_recorded_by = actor_user(actor)
            changed.append(participant)
        EventParticipant.objects.bulk_update(
            changed, ["attended", "attendance_recorded_at", "attendance_recorded_by"]
        )
        if changed:
            audit_record(
                actor=actor,
                action=AuditAction.EVENT_ATTENDANCE_RECORDED,
                obj=stored,
                country_code=stored.country.code,
                after={
                    "attended": sum(1 for p in changed if p.attended is True),
                    "absent": sum(1 for p in changed if p.attended is False),
                    "unknown": sum(1 for p in changed if p.attended is None),
                },
            )
    return len(changed)
