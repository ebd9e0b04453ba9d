"""Reads of network events. Who sees which event is decided in asphub.roles.permissions
(visible_events, can_view_event), never in views or templates: a draft, or a network-only
event for someone outside the network, is simply not found.

Every read here issues a fixed number of queries, whatever an event holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from asphub.roles.permissions import (
    LIBRARY_SCHOOL_STATUSES,
    Visitor,
    can_view_school_attendance,
    roles_of,
    visible_events,
)
from asphub.schools.models import School, TeamMember

from .models import (
    EventParticipant,
    EventRegistration,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)

# What the public list shows: published events, and cancelled ones marked so (people who
# planned to come must see that it is off).
LISTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def events_visible_to(user: Visitor) -> QuerySet[NetworkEvent]:
    return visible_events(user, NetworkEvent.objects.all())


def upcoming_events(user: Visitor, *, now: datetime | None = None) -> QuerySet[NetworkEvent]:
    """The events still to come or under way that this person may see, soonest first."""
    return (
        events_visible_to(user)
        .filter(status__in=LISTED_STATUSES, ends_at__gte=now or timezone.now())
        .select_related("country")
        .order_by("starts_at", "id")
    )


def event_page(user: Visitor, pk: int) -> NetworkEvent:
    """An event's page; raises NetworkEvent.DoesNotExist for one this person may not see."""
    return events_visible_to(user).select_related("country").get(pk=pk)


def managed_events(country_ids: Any) -> QuerySet[NetworkEvent]:
    """The events of these countries (drafts included), newest start first, with how many
    schools have a place and how many wait (one query for a page)."""
    return (
        NetworkEvent.objects.filter(country_id__in=country_ids)
        .select_related("country")
        .annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waiting_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
            ),
        )
        .order_by("-starts_at", "-id")
    )


@dataclass(frozen=True)
class Seats:
    capacity: int
    confirmed: int
    waiting: int
    cancelled: int = 0

    @property
    def left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.left == 0


def event_seats(event: NetworkEvent) -> Seats:
    """The event's places, taken and waited for, and the registrations cancelled: one
    query."""
    counts = EventRegistration.objects.filter(event_id=event.pk).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
    )
    return Seats(event.capacity, counts["confirmed"], counts["waiting"], counts["cancelled"])


def _waiting_ahead() -> Coalesce:
    """How many registrations wait ahead of the outer one, in line (created_at, then id)."""
    ahead = (
        EventRegistration.objects.filter(
            event_id=OuterRef("event_id"), status=RegistrationStatus.WAITING
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0)


def _with_participants(queryset: QuerySet[EventRegistration]) -> QuerySet[EventRegistration]:
    return queryset.prefetch_related(
        Prefetch("participants", queryset=EventParticipant.objects.order_by("id"))
    )


def school_registrations(event: NetworkEvent, school_ids: Any) -> list[EventRegistration]:
    """The active registrations of these schools for the event, each with its participants
    and, when waiting, `position` in line (1 is next): two queries."""
    return list(
        _with_participants(
            EventRegistration.objects.filter(event_id=event.pk, school_id__in=school_ids)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("school")
            .annotate(ahead=_waiting_ahead())
            .order_by("school__sort_key", "id")
        )
    )


def registering_schools(user: Visitor, event: NetworkEvent) -> list[School]:
    """The schools this person registers for the event: those they coordinate, of the event's
    country, in the network (an administrator registers others' schools from the
    administration, not from every event page), each with its team: two queries."""
    coordinated = roles_of(user).coordinator_of
    if not coordinated:
        return []
    schools = School.objects.filter(
        pk__in=coordinated,
        country_id=event.country_id,
        membership_status__in=LIBRARY_SCHOOL_STATUSES,
    )
    return list(
        schools.prefetch_related(
            Prefetch("team", queryset=TeamMember.objects.order_by("order", "id"))
        ).order_by("sort_key", "id")
    )


def event_registrations(event: NetworkEvent, status: str) -> QuerySet[EventRegistration]:
    """One list of the event's registrations (confirmed, waiting or cancelled), in line
    order, with the school and its participants (for a page: two queries)."""
    return _with_participants(
        EventRegistration.objects.filter(event_id=event.pk, status=status)
        .select_related("school", "school__subdivision", "created_by")
        .order_by("created_at", "id")
    )


def attendance_registrations(event: NetworkEvent) -> QuerySet[EventRegistration]:
    """The schools with a place, whose participants' attendance is recorded."""
    return event_registrations(event, RegistrationStatus.CONFIRMED).order_by(
        "school__sort_key", "id"
    )


# -- a school's record ------------------------------------------------------------------------

# How many events a school's profile lists (the annual report reads them all).
PROFILE_EVENTS = 10


def _school_event_rows(school: School) -> QuerySet[EventRegistration]:
    return (
        EventRegistration.objects.filter(
            school_id=school.pk,
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.PUBLISHED,
        )
        .select_related("event", "event__country")
        .annotate(
            named=Count("participants"),
            attended=Count("participants", filter=Q(participants__attended=True)),
            absent=Count("participants", filter=Q(participants__attended=False)),
        )
    )


def school_event_attendance(
    school: School, *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[EventRegistration]:
    """The network events the school had a place at and that have started (between `since`
    and `until`, when given), each with how many it named, how many attended and how many
    did not: what its annual report says of them. One query."""
    rows = _school_event_rows(school).filter(event__starts_at__lte=timezone.now())
    if since is not None:
        rows = rows.filter(event__starts_at__gte=since)
    if until is not None:
        rows = rows.filter(event__starts_at__lt=until)
    return rows.order_by("-event__starts_at", "-id")


def school_attendance_section(school: School, viewer: Visitor) -> dict[str, Any] | None:
    """The school's network events for its profile page, for the school's own people and its
    national coordinator (None for anyone else: the section is not shown). Fixed queries: the
    events to come (one) and those that took place (one, and a count when there are more)."""
    if not can_view_school_attendance(viewer, school):
        return None
    now = timezone.now()
    upcoming = list(
        EventRegistration.objects.filter(school_id=school.pk, event__starts_at__gt=now)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exclude(event__status=EventStatus.DRAFT)
        .select_related("event", "event__country")
        .order_by("event__starts_at", "id")[:PROFILE_EVENTS]
    )
    past = list(school_event_attendance(school)[: PROFILE_EVENTS + 1])
    total = len(past)
    if total > PROFILE_EVENTS:
        total = school_event_attendance(school).count()
    return {
        "upcoming": upcoming,
        "past": past[:PROFILE_EVENTS],
        "more": total > PROFILE_EVENTS,
        "total": total,
    }


def confirmed_school_ids(user, event: NetworkEvent) -> list[int]:
    """Which of this person's schools have a confirmed place at the event (one query; none
    for someone without a school role)."""
    schools = roles_of(user).schools
    if not schools:
        return []
    return list(
        EventRegistration.objects.filter(
            event_id=event.pk, status=RegistrationStatus.CONFIRMED, school_id__in=schools
        ).values_list("school_id", flat=True)
    )
