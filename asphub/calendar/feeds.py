"""The calendar as iCalendar (RFC 5545). The feeds are written here line by line: every text
value escaped (backslash, semicolon, comma, line breaks) and every line folded at 75 octets
without splitting a character, so a title with a comma, a semicolon or a line break stays one
property. The `icalendar` library writes only the time zone's VTIMEZONE (once a day per
process) and, in the tests, reads every feed back as a calendar application does. Writing the
lines directly costs a few microseconds an item; building the library's objects for the
hundreds of items of the network's feed cost more than everything else of the request.

Each item keeps its UID for ever ("activity-<pk>@<domain>", "event-<pk>@<domain>"; a personal
feed's registrations one per event and school, "event-<pk>-school-<pk>@<domain>", whichever of
the school's registrations is the newest), and its SEQUENCE moves on with each change, so a
calendar application replaces its copy instead of adding a second one. Network events are
timed, each in its country's time zone (Country.zone, with a VTIMEZONE for every zone the feed
uses); activities are all-day (VALUE=DATE, the end exclusive: the day after the last day). A
cancelled event stays in the feed as STATUS:CANCELLED, so that applications mark their copy
cancelled rather than keep it.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from asphub.activities.models import ActivityKind
from asphub.events.models import (
    EventKind,
    EventRegistration,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//asphub//UNESCO Associated Schools Network calendar//EN"
# How often applications should fetch a subscription again (RFC 7986 REFRESH-INTERVAL).
REFRESH = "PT6H"
DESCRIPTION_MAX = 2000
# The VTIMEZONE covers this long before today and twice as long after (the feeds' window,
# selectors.FEED_PAST_DAYS and FEED_FUTURE_DAYS, with room to spare).
TIMEZONE_SPAN = datetime.timedelta(days=2 * 366)
# How far a registration has moved (waiting → confirmed → cancelled): added to the event's
# SEQUENCE in a personal feed, so that each step (and each change of the event) replaces the
# copy an application holds. A school that cancelled and registered again starts a new round
# (REGISTRATION_ROUND steps further on for each earlier registration of the school for the
# event), so the one entry of the event and school keeps moving on. All only grow, so their
# sum does too.
REGISTRATION_STEP: dict[str, int] = {
    RegistrationStatus.WAITING: 0,
    RegistrationStatus.CONFIRMED: 1,
    RegistrationStatus.CANCELLED: 2,
}
REGISTRATION_ROUND = len(REGISTRATION_STEP)
FOLD_AT = 75  # octets per line, the line break not counted (RFC 5545, 3.1)

Link = Callable[[str, int], str]  # ("activity" | "event", pk) -> the page's absolute URL
Lines = list[str]  # one component's content lines, unfolded


@dataclass(frozen=True)
class FeedActivity:
    """What a feed says of an activity (selectors.feed_activities reads exactly this)."""

    pk: int
    kind: str
    title: str
    description: str
    place: str
    school_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    sequence: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


def uid_domain() -> str:
    """The domain part of every UID: ASPHUB_CALENDAR_UID_DOMAIN, else the host of
    ASPHUB_SITE_URL. Applications keep UIDs: set it once and never change it."""
    configured = getattr(settings, "ASPHUB_CALENDAR_UID_DOMAIN", "")
    return configured or urlsplit(settings.ASPHUB_SITE_URL).hostname or "asphub"


def _zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or settings.TIME_ZONE)


def event_zone(event: NetworkEvent) -> ZoneInfo:
    """The time zone an event is in: its country's (read with the event: select_related)."""
    return event.country.zone


# -- values and lines ---------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, every line
    break written as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded at 75 octets (a line break and a space before each further
    part), never inside a UTF-8 character."""
    if line.isascii():  # one octet a character: cut by characters
        if len(line) <= FOLD_AT:
            return line
        rest = FOLD_AT - 1
        return "\r\n ".join(
            [line[:FOLD_AT]] + [line[at : at + rest] for at in range(FOLD_AT, len(line), rest)]
        )
    if len(encoded := line.encode()) <= FOLD_AT:
        return line
    parts = []
    start, limit = 0, FOLD_AT
    while len(encoded) - start > limit:
        end = start + limit
        while encoded[end] & 0xC0 == 0x80:  # a continuation byte: break before its character
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, FOLD_AT - 1  # the leading space counts
    parts.append(encoded[start:].decode())
    return "\r\n ".join(parts)


def _text(value: str, limit: int = DESCRIPTION_MAX) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _description(body: str, url: str) -> str:
    body = _text(body)
    return f"{body}\n\n{url}" if body else url


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _labels(choices) -> dict[str, str]:
    return {value: escape_text(str(label)) for value, label in choices}


class Writer:
    """Writes a feed's components; labels and the UID domain are worked out once a feed."""

    def __init__(self, *, link: Link):
        self.link = link
        self.domain = uid_domain()
        # The time zones of the timed items written so far: the feed's VTIMEZONEs.
        self.zones: set[str] = set()
        self.activity_kinds = _labels(ActivityKind.choices)
        self.event_kinds = _labels(EventKind.choices)

    def activity(self, activity: FeedActivity) -> Lines:
        """A school's activity: all day, from its first day to the day after its last."""
        url = self.link("activity", activity.pk)
        modified = _utc(activity.updated_at)
        location = ", ".join(part for part in (activity.place, activity.school_name) if part)
        kind = self.activity_kinds.get(activity.kind) or escape_text(activity.kind)
        # The day after the last (a row from before the dates' bounds must not break a feed).
        last = min(activity.ends_on, datetime.date.max - datetime.timedelta(days=1))
        ends = last + datetime.timedelta(days=1)
        return [
            "BEGIN:VEVENT",
            f"UID:activity-{activity.pk:d}@{self.domain}",
            f"DTSTAMP:{modified}",
            f"LAST-MODIFIED:{modified}",
            f"CREATED:{_utc(activity.created_at)}",
            f"SEQUENCE:{activity.sequence:d}",
            f"SUMMARY:{escape_text(activity.title)}",
            f"DTSTART;VALUE=DATE:{activity.starts_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{ends:%Y%m%d}",
            "TRANSP:TRANSPARENT",
            "STATUS:CONFIRMED",
            f"DESCRIPTION:{escape_text(_description(activity.description, url))}",
            f"LOCATION:{escape_text(location)}",
            f"URL:{url}",
            f"CATEGORIES:{kind}",
            "END:VEVENT",
        ]

    def event(
        self,
        event: NetworkEvent,
        *,
        uid: str | None = None,
        sequence: int | None = None,
        status: str | None = None,
        modified: datetime.datetime | None = None,
        with_online_link: bool = False,
        summary: str | None = None,
    ) -> Lines:
        """A network event, timed in its country's time zone. The online link only where the
        reader is registered (`with_online_link`): public feeds give the place and the page."""
        url = self.link("event", event.pk)
        zone = event_zone(event)
        zone_name = zone.key
        self.zones.add(zone_name)
        stamp = _utc(modified or event.updated_at)
        cancelled = event.status == EventStatus.CANCELLED
        description = event.display_description
        if cancelled and event.cancellation_note:
            description = f"{event.cancellation_note}\n\n{description}"
        if with_online_link and event.online_url:
            description = f"{event.online_url}\n\n{description}"
        lines = [
            "BEGIN:VEVENT",
            f"UID:{escape_text(uid or f'event-{event.pk:d}@{self.domain}')}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"CREATED:{_utc(event.created_at)}",
            f"SEQUENCE:{event.sequence if sequence is None else sequence:d}",
            f"SUMMARY:{escape_text(summary or event.display_title)}",
            f"DTSTART;TZID={zone_name}:{_local(event.starts_at, zone)}",
            f"DTEND;TZID={zone_name}:{_local(event.ends_at, zone)}",
            f"STATUS:{status or ('CANCELLED' if cancelled else 'CONFIRMED')}",
            f"DESCRIPTION:{escape_text(_description(description, url))}",
        ]
        location = event.place or (event.online_url if with_online_link else "")
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        lines += [
            f"URL:{url}",
            f"CATEGORIES:{self.event_kinds.get(event.kind) or escape_text(event.kind)}",
            "END:VEVENT",
        ]
        return lines

    def registration(
        self,
        registration: EventRegistration,
        *,
        earlier: int = 0,
        position: int | None = None,
        with_online_link: bool = False,
    ) -> Lines:
        """A school's registration in a person's own feed: its event, marked tentative while
        the school waits for a seat and cancelled when the registration (or the event) is, the
        school's state first in the title (in the current language). One entry per event and
        school: `earlier` is how many registrations the school made for the event before this
        one (its newest), `position` its place in line while waiting (1 is next); the online
        link only with `with_online_link` (a confirmed place the reader may see it for)."""
        event = registration.event
        title = event.display_title
        names = {"title": title, "school": registration.school.name}
        if event.status == EventStatus.CANCELLED:
            status = "CANCELLED"
            summary = _("%(title)s (the event is cancelled)") % names
        elif registration.status == RegistrationStatus.CANCELLED:
            status = "CANCELLED"
            summary = _("%(title)s (%(school)s: registration cancelled)") % names
        elif registration.status == RegistrationStatus.WAITING:
            status = "TENTATIVE"
            summary = _("%(title)s (%(school)s: on the waiting list, number %(position)s)") % {
                **names,
                "position": position or 1,
            }
        else:
            status = "CONFIRMED"
            summary = _("%(title)s (%(school)s: place confirmed)") % names
        step = REGISTRATION_ROUND * earlier + REGISTRATION_STEP.get(registration.status, 0)
        return self.event(
            event,
            uid=f"event-{event.pk:d}-school-{registration.school_id:d}@{self.domain}",
            sequence=event.sequence + step,
            status=status,
            modified=max(event.updated_at, registration.updated_at),
            with_online_link=with_online_link
            and registration.status == RegistrationStatus.CONFIRMED
            and event.status != EventStatus.CANCELLED,
            summary=summary,
        )


# -- the time zone --------------------------------------------------------------------------------

_timezones: dict[tuple[str, datetime.date], str] = {}
_timezones_lock = threading.Lock()


def vtimezone(day: datetime.date, zone_name: str | None = None) -> str:
    """A time zone's VTIMEZONE (the platform's unless named) over the feeds' window of dates
    around `day` (and a year either side), not since 1970: every application reads it, and
    the feed stays small. Written by icalendar once a day for each zone in each process."""
    zone_name = zone_name or settings.TIME_ZONE
    key = (zone_name, day)
    found = _timezones.get(key)
    if found is None:
        probe = Calendar()
        event = Event()
        midday = datetime.datetime.combine(day, datetime.time(12), tzinfo=_zone(zone_name))
        event.add("dtstart", midday)
        probe.add_component(event)
        probe.add_missing_timezones(
            first_date=day - TIMEZONE_SPAN, last_date=day + TIMEZONE_SPAN + TIMEZONE_SPAN
        )
        found = "".join(
            component.to_ical().decode() for component in probe.walk("VTIMEZONE")
        ).rstrip("\r\n")
        with _timezones_lock:
            for stale in [known for known in _timezones if known[1] != day]:
                del _timezones[stale]
            _timezones[key] = found
    return found


# -- the whole feed -------------------------------------------------------------------------------


def calendar_document(
    *, name: str, description: str, components: Iterable[Lines], zones: Iterable[str] = ()
) -> bytes:
    """The whole feed, with a VTIMEZONE for each time zone its timed items use (`zones`,
    Writer.zones once the components are written: network events, each in its country's
    zone; a feed of all-day activities only needs none)."""
    components = list(components)  # written before the zones they use are known
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-CALDESC:{escape_text(description)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    day = today()
    lines += [vtimezone(day, zone_name) for zone_name in sorted(set(zones))]
    lines += [fold(line) for component in components for line in component]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def today() -> datetime.date:
    return timezone.localdate()
