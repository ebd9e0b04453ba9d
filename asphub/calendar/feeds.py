"""The calendar as iCalendar (RFC 5545), written with the `icalendar` library, which escapes
and folds every value: a title with a comma, a semicolon or a line break stays one property.

Each item keeps its UID for ever ("activity-<pk>@<domain>", "event-<pk>@<domain>"; a personal
feed's registrations "registration-<pk>@<domain>"), and its SEQUENCE moves on with each change,
so a calendar application replaces its copy instead of adding a second one. Network events are
timed, in the platform's time zone (with its VTIMEZONE); activities are all-day (VALUE=DATE, the
end exclusive: the day after the last day). A cancelled event stays in the feed as
STATUS:CANCELLED, so that applications mark their copy cancelled rather than keep it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from asphub.activities.models import Activity, ActivityKind
from asphub.events.models import (
    EventKind,
    EventRegistration,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//asphub//UNESCO Associated Schools Network calendar//EN"
# How often applications should fetch a subscription again.
REFRESH = datetime.timedelta(hours=6)
DESCRIPTION_MAX = 2000
# The VTIMEZONE covers this long before today and twice as long after (the feeds' window,
# selectors.FEED_PAST_DAYS and FEED_FUTURE_DAYS, with room to spare).
TIMEZONE_SPAN = datetime.timedelta(days=2 * 366)
# How far a registration has moved (waiting → confirmed → cancelled): added to the event's
# SEQUENCE in a personal feed, so that each step (and each change of the event) replaces the
# copy an application holds. Both only grow, so their sum does too.
REGISTRATION_STEP = {
    RegistrationStatus.WAITING: 0,
    RegistrationStatus.CONFIRMED: 1,
    RegistrationStatus.CANCELLED: 2,
}

Link = Callable[[str, int], str]  # ("activity" | "event", pk) -> the page's absolute URL


def uid_domain() -> str:
    """The domain part of every UID: ASPHUB_CALENDAR_UID_DOMAIN, else the host of
    ASPHUB_SITE_URL. Applications keep UIDs: set it once and never change it."""
    configured = getattr(settings, "ASPHUB_CALENDAR_UID_DOMAIN", "")
    return configured or urlsplit(settings.ASPHUB_SITE_URL).hostname or "asphub"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _text(value: str, limit: int = DESCRIPTION_MAX) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _description(body: str, url: str) -> str:
    body = _text(body)
    return f"{body}\n\n{url}" if body else url


def _stamp(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def activity_component(activity: Activity, *, link: Link) -> Event:
    """A school's activity: all day, from its first day to the day after its last."""
    url = link("activity", activity.pk)
    component = Event()
    component.add("uid", f"activity-{activity.pk}@{uid_domain()}")
    component.add("dtstamp", _stamp(activity.updated_at))
    component.add("last-modified", _stamp(activity.updated_at))
    component.add("created", _stamp(activity.created_at))
    component.add("sequence", activity.sequence)
    component.add("summary", activity.display_title)
    component.add("dtstart", activity.starts_on)
    component.add("dtend", activity.ends_on + datetime.timedelta(days=1))
    component.add("transp", "TRANSPARENT")
    component.add("status", "CONFIRMED")
    component.add("description", _description(activity.display_description, url))
    location = ", ".join(part for part in (activity.place, activity.school.name) if part)
    component.add("location", location)
    component.add("url", url)
    component.add("categories", [str(ActivityKind(activity.kind).label)])
    return component


def event_component(
    event: NetworkEvent,
    *,
    link: Link,
    uid: str | None = None,
    sequence: int | None = None,
    status: str | None = None,
    modified: datetime.datetime | None = None,
    with_online_link: bool = False,
) -> Event:
    """A network event, timed in the platform's time zone. The online link only where the
    reader is registered (`with_online_link`): public feeds give the place and the page."""
    url = link("event", event.pk)
    zone = _zone()
    component = Event()
    component.add("uid", uid or f"event-{event.pk}@{uid_domain()}")
    component.add("dtstamp", _stamp(modified or event.updated_at))
    component.add("last-modified", _stamp(modified or event.updated_at))
    component.add("created", _stamp(event.created_at))
    component.add("sequence", event.sequence if sequence is None else sequence)
    component.add("summary", event.display_title)
    component.add("dtstart", event.starts_at.astimezone(zone).replace(microsecond=0))
    component.add("dtend", event.ends_at.astimezone(zone).replace(microsecond=0))
    cancelled = event.status == EventStatus.CANCELLED
    component.add("status", status or ("CANCELLED" if cancelled else "CONFIRMED"))
    description = event.display_description
    if cancelled and event.cancellation_note:
        description = f"{event.cancellation_note}\n\n{description}"
    if with_online_link and event.online_url:
        description = f"{event.online_url}\n\n{description}"
    component.add("description", _description(description, url))
    location = event.place or (event.online_url if with_online_link else "")
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("categories", [str(EventKind(event.kind).label)])
    return component


def registration_component(registration: EventRegistration, *, link: Link) -> Event:
    """A registration in a person's own feed: its event, marked tentative while the school
    waits for a seat and cancelled when the registration (or the event) is."""
    event = registration.event
    if event.status == EventStatus.CANCELLED or registration.status == RegistrationStatus.CANCELLED:
        status = "CANCELLED"
    elif registration.status == RegistrationStatus.WAITING:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    component = event_component(
        event,
        link=link,
        uid=f"registration-{registration.pk}@{uid_domain()}",
        sequence=event.sequence + REGISTRATION_STEP.get(registration.status, 0),
        status=status,
        modified=max(event.updated_at, registration.updated_at),
        with_online_link=registration.status == RegistrationStatus.CONFIRMED,
    )
    return component


def calendar_document(*, name: str, description: str, components: Iterable[Event]) -> bytes:
    """The whole feed, with a VTIMEZONE for every time zone its timed items use."""
    document = Calendar()
    document.add("prodid", PRODID)
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", name)
    document.add("x-wr-caldesc", description)
    document.add("x-wr-timezone", settings.TIME_ZONE)
    document.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    document.add("x-published-ttl", vDuration(REFRESH))
    for component in components:
        document.add_component(component)
    # The time zone's rules over the feeds' window of dates (and a year either side), not
    # since 1970: every application reads them, and the feed stays small.
    now = today()
    document.add_missing_timezones(
        first_date=now - TIMEZONE_SPAN, last_date=now + TIMEZONE_SPAN + TIMEZONE_SPAN
    )
    return document.to_ical()


def today() -> datetime.date:
    return timezone.localdate()
