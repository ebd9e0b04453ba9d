"""Reads of the calendar: the schools' activities, the network events and UNESCO's
international days, for the month view, the list view and the iCal feeds.

Who sees what is the activities' and events' own rule (asphub.activities.selectors,
asphub.roles.permissions.visible_events), applied here and never in views or templates: a
network-only activity or event reaches only people with a role in its country's network, and
no unauthenticated feed ever holds one.

Every read issues a fixed number of queries, whatever the number of activities, and reads only
the rows it shows: the database counts (on its indexes, without reading the rows) how many
activities start on each day and how many go on from before, and hands over at most a few
activities of each day (one small subquery a day, all in one statement), one page of the list,
a bounded window of a feed. Network events are few (a country's coordinator runs a few a
month), so a month's or a list's events are read whole.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.models import User
from asphub.activities.models import (
    LENGTH_CLASSES,
    Activity,
    ActivityKind,
    ActivityVisibility,
    LengthClass,
)
from asphub.activities.selectors import activities_visible_to, public_activities
from asphub.core.bilingual import current_content_language
from asphub.events.models import (
    EventKind,
    EventRegistration,
    EventStatus,
    EventVisibility,
    NetworkEvent,
    RegistrationStatus,
)
from asphub.events.selectors import LISTED_STATUSES, confirmed_school_ids
from asphub.roles.permissions import Visitor, can_see_online_link, roles_of, visible_events
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.taxonomy.models import InternationalDay

from .feeds import FeedActivity
from .filters import ACTIVITIES, DAYS, EVENTS, CalendarFilters
from .models import PersonalFeed
from .tokens import make_token, token_is_valid, token_user_pk

# The month view lists at most this many items a day, and says how many more there are.
MONTH_ITEMS_PER_DAY = 4
# Activities and events that began in an earlier month and go on into this one.
CONTINUING_ITEMS = 8
LIST_PAGE_SIZE = 25
# What a feed holds: from this many days ago to this many days ahead, at most this many
# items of each kind (the soonest upcoming first, then the most recent). Each item costs some
# 20 µs to read and write, so the cap bounds the request: 200 is the coming days of the whole
# network's activities (a few hundred start each day of the school year), longer of a
# country's, and a school's whole window (500 before issue 11's benchmark, at 19 ms).
FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
FEED_MAX_ITEMS = 200
FEED_RECENT_SHARE = 5  # one in five of the rows may be past ones
# What an activity's CalendarItem is made of (one narrow row each).
ITEM_FIELDS = (
    "pk", "kind", "title", "title_en", "language", "starts_on", "ends_on", "visibility",
    "school__name",
)  # fmt: skip
# What the month and list views show of a network event (not its description).
EVENT_ITEM_FIELDS = (
    "pk", "kind", "title", "title_en", "language", "starts_at", "ends_at", "visibility",
    "status", "country__name_lv", "country__name_en", "country__code", "country__time_zone",
)  # fmt: skip
# What a feed says of an activity (feeds.FeedActivity, in its order, the English texts after).
FEED_FIELDS = (
    "pk", "kind", "title", "description", "place", "school__name", "starts_on", "ends_on",
    "sequence", "created_at", "updated_at", "language", "title_en", "description_en",
)  # fmt: skip
# What a feed says of a network event (feeds.Writer.event).
FEED_EVENT_FIELDS = (
    "pk", "kind", "title", "title_en", "description", "description_en", "language",
    "starts_at", "ends_at", "place", "online_url", "status", "cancellation_note", "sequence",
    "created_at", "updated_at", "country__code", "country__time_zone",
)  # fmt: skip
# Values no query has, put in a subquery compiled once and replaced by each copy's own
# values (see _copies): dates in year 1 and a length class that does not exist.
_MARKER_DAYS = [datetime.date(1, 1, day) for day in (1, 2, 3)]
_MARKER_CLASS = 30_001


@dataclass(frozen=True)
class CalendarItem:
    """An activity or a network event as the calendar's pages show it."""

    source: str  # ACTIVITIES or EVENTS
    pk: int
    title: str
    language: str
    kind: str
    kind_label: str
    starts: datetime.date
    ends: datetime.date
    where: str  # the school (activities) or the country (network events)
    url: str
    network_only: bool
    cancelled: bool = False
    starts_at: datetime.datetime | None = None  # network events: the local start time

    @property
    def is_event(self) -> bool:
        return self.source == EVENTS

    @property
    def several_days(self) -> bool:
        return self.ends != self.starts


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _in_reader_language(text: str, english: str, language: str, reader_english: bool):
    """(text, language) as Activity.display_title and display_language give them: the
    item's own language, its English version for readers of English pages."""
    if reader_english and english and language != "en":
        return english, "en"
    return text, language


class _Items:
    """Turns rows into CalendarItems, with labels and URLs worked out once."""

    def __init__(self) -> None:
        self.activity_kinds = _labels(ActivityKind.choices)
        self.event_kinds = _labels(EventKind.choices)
        self.activity_path = reverse("activities:detail", kwargs={"pk": 0})[: -len("0/")]
        self.event_path = reverse("events:detail", kwargs={"pk": 0})[: -len("0/")]
        self.english = current_content_language() == "en"

    def activity(self, row: tuple) -> CalendarItem:
        """An activity from its ITEM_FIELDS."""
        pk, kind, title, title_en, language, starts_on, ends_on, visibility, school_name = row
        title, language = _in_reader_language(title, title_en, language, self.english)
        return CalendarItem(
            source=ACTIVITIES,
            pk=pk,
            title=title,
            language=language,
            kind=kind,
            kind_label=self.activity_kinds.get(kind, kind),
            starts=starts_on,
            ends=ends_on,
            where=school_name,
            url=f"{self.activity_path}{pk:d}/",
            network_only=visibility != ActivityVisibility.PUBLIC,
        )

    def event(self, event: NetworkEvent) -> CalendarItem:
        """A network event on its dates (and at its time) in its own country's time zone, as
        the events' pages show it."""
        zone = event.country.zone
        starts_at = event.starts_at.astimezone(zone)
        # An event ending at midnight ends on the day before.
        ends_at = (event.ends_at - datetime.timedelta(microseconds=1)).astimezone(zone)
        return CalendarItem(
            source=EVENTS,
            pk=event.pk,
            title=event.display_title,
            language=event.display_language,
            kind=event.kind,
            kind_label=self.event_kinds.get(event.kind, event.kind),
            starts=starts_at.date(),
            ends=max(starts_at.date(), ends_at.date()),
            where=event.country.name,
            url=f"{self.event_path}{event.pk:d}/",
            network_only=event.visibility != EventVisibility.PUBLIC,
            cancelled=event.status == EventStatus.CANCELLED,
            starts_at=starts_at,
        )


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a day in the platform's time zone (network events are timed)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Each network event is placed on its dates in its own country's time zone, which is at most
# this far from the platform's: the database reads the events of the dates with this margin
# either side, and the few rows read are placed (or left out) in Python.
ZONE_MARGIN = datetime.timedelta(days=1)


def _events_between(
    events: QuerySet[NetworkEvent], first: datetime.date, last: datetime.date
) -> QuerySet[NetworkEvent]:
    """The events that may fall on a date from `first` to `last` in their own time zone."""
    return events.filter(
        starts_at__lt=local_midnight(last + datetime.timedelta(days=1)) + ZONE_MARGIN,
        ends_at__gt=local_midnight(first) - ZONE_MARGIN,
    )


# -- reading activities by their indexes ----------------------------------------------------------


def _compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _copies(template: QuerySet, markers: Sequence, copies: Sequence[Sequence]) -> list:
    """The SQL of `template` once for each of `copies`, with each of the `markers` (values
    the template's conditions hold once each) replaced by that copy's values: compiled once,
    since compiling the same query again for each day of a month would cost more than the
    database's work."""
    sql, params = _compiled(template)
    adapt = connections[template.db].ops.adapt_datefield_value
    wanted = [adapt(marker) if isinstance(marker, datetime.date) else marker for marker in markers]
    places = [[index for index, value in enumerate(params) if value == m] for m in wanted]
    if any(len(found) != 1 for found in places):
        raise ValueError("A marker is not found exactly once among the query's parameters.")
    found = []
    for values in copies:
        copy = list(params)
        for (place,), value in zip(places, values, strict=True):
            copy[place] = adapt(value) if isinstance(value, datetime.date) else value
        found.append((sql, copy))
    return found


def _counts(parts: Sequence[tuple[str, list]]) -> list[int]:
    """How many rows each compiled query (of activities) has, in one statement; each COUNT
    is answered from an index where one covers its conditions."""
    sql = ", ".join(
        f"(SELECT COUNT(*) FROM ({part}) counted_{number})"
        for number, (part, _params) in enumerate(parts)
    )
    with connections[Activity.objects.db].cursor() as cursor:
        cursor.execute("SELECT " + sql, [value for _sql, params in parts for value in params])
        return [int(value) for value in cursor.fetchone()]


def _starting_per_day(
    activities: QuerySet[Activity], first: datetime.date, last: datetime.date
) -> dict[datetime.date, int]:
    """How many of the activities start on each day from `first` to `last` (days without any
    left out): one grouped count on the index of dates."""
    return dict(
        activities.filter(starts_on__range=(first, last))
        .order_by()
        .values_list("starts_on")
        .annotate(count=Count("pk"))
    )


def _running_into(activities: QuerySet[Activity], day: datetime.date) -> QuerySet[Activity]:
    return activities.filter(starts_on__lt=day, ends_on__gte=day)


def _running_into_count(
    activities: QuerySet[Activity], day: datetime.date, *, also_starting: bool = False
) -> int:
    """How many of the activities began before `day` and go on into it (and, with
    `also_starting`, those that start on it too): one statement, one count for each length
    class (LengthClass). An activity of class k still going on began at most 2**k - 1 days
    before, so each count reads the index over a bounded range of start dates (the last
    class, the longest activities, over all earlier ones): the rows read are about those
    counted, not all the activities before or after the day."""
    template = (
        activities.alias(length_class=LengthClass())
        .filter(
            length_class=_MARKER_CLASS,
            starts_on__gte=_MARKER_DAYS[0],
            starts_on__lt=_MARKER_DAYS[1],
            ends_on__gte=_MARKER_DAYS[2],
        )
        .order_by()
        .values("pk")
    )
    classes = []
    for number in range(1, LENGTH_CLASSES):  # class 0, one day, never goes on into another
        longest = 2**number - 1 if number < LENGTH_CLASSES - 1 else None
        earliest = (
            day - datetime.timedelta(days=longest) if longest is not None else datetime.date.min
        )
        classes.append((number, earliest, day, day))
    markers = [_MARKER_CLASS, *_MARKER_DAYS]
    parts = _copies(template, markers, classes)
    if also_starting:
        parts.append(_compiled(activities.filter(starts_on=day).order_by().values("pk")))
    return sum(_counts(parts))


def _first_of_each_day(
    activities: QuerySet[Activity], days: Sequence[datetime.date], per_day: int
) -> tuple[str, list]:
    """SQL giving the ids of the first `per_day` activities (by id) starting on each of the
    days: one subquery a day, each read from the index of dates in its order and stopped
    after `per_day` rows."""
    template = activities.filter(starts_on=_MARKER_DAYS[0]).order_by("pk").values_list("pk")
    parts = _copies(template[:per_day], _MARKER_DAYS[:1], [(day,) for day in days])
    return _union(*parts)


def _union(*parts: tuple[str, list]) -> tuple[str, list]:
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) part_{number}" for number, (part, _params) in enumerate(parts)
    )
    return sql, [value for _sql, params in parts for value in params]


def _activity_rows(ids: tuple[str, list]) -> list[tuple]:
    """The ITEM_FIELDS of the activities whose ids the SQL gives (one query)."""
    sql, params = ids
    return list(
        Activity.objects.filter(pk__in=RawSQL(sql, params)).order_by().values_list(*ITEM_FIELDS)
    )


# -- what the calendar shows ----------------------------------------------------------------


def calendar_activities(viewer: Visitor, filters: CalendarFilters) -> QuerySet[Activity]:
    """The activities this person may read that match the filters (unordered)."""
    activities = activities_visible_to(viewer)
    if filters.source == ACTIVITIES and filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.theme is not None:
        activities = activities.filter(thematic_areas=filters.theme)
    if filters.school is not None:
        activities = activities.filter(school=filters.school)
    if filters.municipality is not None:
        activities = activities.filter(school__subdivision=filters.municipality)
    if filters.country is not None:
        activities = activities.filter(country=filters.country)
    return activities.order_by()


def listed_events() -> QuerySet[NetworkEvent]:
    """Network events the calendar lists: published ones, and cancelled ones marked so (never
    drafts, nor an event cancelled before it was published)."""
    return NetworkEvent.objects.filter(status__in=LISTED_STATUSES, published_at__isnull=False)


def calendar_events(viewer: Visitor, filters: CalendarFilters) -> QuerySet[NetworkEvent]:
    """The listed network events this person may see that match the filters (unordered)."""
    events = visible_events(viewer, listed_events())
    if filters.source == EVENTS and filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.country is not None:
        events = events.filter(country=filters.country)
    return events.order_by()


def _event_items(events: QuerySet[NetworkEvent]) -> QuerySet[NetworkEvent]:
    return events.select_related("country").only(*EVENT_ITEM_FIELDS)


def international_days_in(month: int) -> list[InternationalDay]:
    return list(InternationalDay.objects.filter(month=month).order_by("day", "position", "slug"))


def _on(year: int, day: InternationalDay) -> datetime.date | None:
    """The date of an international day in a year (none for 29 February in other years)."""
    try:
        return datetime.date(year, day.month, day.day)
    except ValueError:
        return None


# -- the month view ---------------------------------------------------------------------------


@dataclass
class DayCell:
    date: datetime.date
    in_month: bool
    items: list[CalendarItem] = field(default_factory=list)
    more: int = 0
    international_days: list[InternationalDay] = field(default_factory=list)


@dataclass
class MonthView:
    first: datetime.date
    last: datetime.date
    weeks: list[list[DayCell]]
    continuing: list[CalendarItem]
    continuing_more: int

    @property
    def previous_month(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> datetime.date:
        return self.last + datetime.timedelta(days=1)


def calendar_month(
    viewer: Visitor,
    filters: CalendarFilters,
    first: datetime.date,
    *,
    per_day: int = MONTH_ITEMS_PER_DAY,
) -> MonthView:
    """One month, Monday first: on each day the first `per_day` activities and network events
    starting that day (with how many more there are, for a link to the list view), and the
    international days; beside it, what began earlier and goes on into the month. Five
    queries, whatever the number of activities: the activities of each day are counted on an
    index and at most `per_day` of them read (see _first_of_each_day), so a month of the
    whole world is never read; the month's network events (a few) are read whole."""
    first = first.replace(day=1)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    builder = _Items()
    by_day: dict[datetime.date, list[CalendarItem]] = defaultdict(list)
    totals: dict[datetime.date, int] = defaultdict(int)
    continuing: list[CalendarItem] = []
    continuing_total = 0

    if filters.shows(ACTIVITIES):
        activities = calendar_activities(viewer, filters)
        starting = _starting_per_day(activities, first, last)
        totals.update(starting)
        continuing_total += _running_into_count(activities, first)
        earlier = _running_into(activities, first).order_by("-starts_on", "-pk").values_list("pk")
        parts = [_compiled(earlier[:CONTINUING_ITEMS])]
        if starting:
            parts.append(_first_of_each_day(activities, sorted(starting), per_day))
        for row in _activity_rows(_union(*parts)):
            item = builder.activity(row)
            if item.starts < first:
                continuing.append(item)
            else:
                by_day[item.starts].append(item)

    if filters.shows(EVENTS):
        # A month's events are few: read whole (one query), each day's first `per_day`
        # kept here, and those begun before the month beside it.
        events = _events_between(calendar_events(viewer, filters), first, last)
        month_events: dict[datetime.date, list[CalendarItem]] = defaultdict(list)
        earlier_events: list[CalendarItem] = []
        for event in _event_items(events).order_by("starts_at", "id"):
            item = builder.event(event)
            if item.ends < first or item.starts > last:  # in its own zone, not this month
                continue
            if item.starts < first:
                earlier_events.append(item)
            else:
                month_events[item.starts].append(item)
        for day, day_events in month_events.items():
            by_day[day] += day_events[:per_day]
            totals[day] += len(day_events)
        continuing += earlier_events[-CONTINUING_ITEMS:]
        continuing_total += len(earlier_events)

    days: dict[datetime.date, list[InternationalDay]] = defaultdict(list)
    if filters.shows(DAYS):
        for international_day in international_days_in(first.month):
            on = _on(first.year, international_day)
            if on is not None:
                days[on].append(international_day)

    weeks = []
    for week in calendar_module.Calendar(firstweekday=0).monthdatescalendar(
        first.year, first.month
    ):
        cells = []
        for day in week:
            in_month = day.month == first.month
            items = sorted(by_day.get(day, []), key=_item_order) if in_month else []
            cells.append(
                DayCell(
                    date=day,
                    in_month=in_month,
                    # The two sources each kept `per_day`: the day shows `per_day` in all.
                    items=items[:per_day],
                    more=max(0, totals.get(day, 0) - min(len(items), per_day)) if in_month else 0,
                    international_days=days.get(day, []) if in_month else [],
                )
            )
        weeks.append(cells)
    continuing.sort(key=_item_order)
    return MonthView(
        first=first,
        last=last,
        weeks=weeks,
        continuing=continuing[:CONTINUING_ITEMS],
        continuing_more=max(0, continuing_total - min(len(continuing), CONTINUING_ITEMS)),
    )


def _item_order(item: CalendarItem) -> tuple:
    # Timed network events in their order of the day, then the schools' activities.
    starts_at = item.starts_at.time() if item.starts_at else datetime.time.max
    return (item.starts, 0 if item.is_event else 1, starts_at, item.pk)


# -- the list view ----------------------------------------------------------------------------


@dataclass
class DateGroup:
    date: datetime.date
    items: list[CalendarItem]
    international_days: list[InternationalDay]


@dataclass
class CalendarList:
    page: Page
    groups: list[DateGroup]


@dataclass
class _Day:
    """One date of the list: its network events (in order), how many activities it has, and
    whether it is an international day (which takes one place of the list, before the rest)."""

    date: datetime.date
    events: list[NetworkEvent]
    activities: int
    international: int = 0  # 1 on an international day: one row for the day's names


class _ListRows:
    """The list's items in order, as the Paginator reads them (its count, then one slice):
    each date's international days (one row, None: their names are the group's), its network
    events, then its activities. The first date's activities are those
    starting on it and those that began before and go on, the most recently begun first; on
    every later date, those starting on it, in the order they were recorded. A slice reads
    only its own activities, by their offsets in those two orders (one query)."""

    def __init__(
        self,
        *,
        days: list[_Day],
        activities: QuerySet[Activity] | None,
        start: datetime.date,
        end: datetime.date,
        builder: _Items,
    ):
        self.days = days
        self.activities = activities
        self.start = start
        self.end = end
        self.builder = builder
        self.total = sum(day.international + len(day.events) + day.activities for day in days)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[tuple[datetime.date, CalendarItem | None]]:
        low, high, _step = index.indices(self.total)
        position = 0
        later_before = 0  # activities of the dates after the first, before the current one
        shown: list[tuple[datetime.date, int, CalendarItem | None]] = []
        first_range: tuple[int, int] | None = None
        later_range: tuple[int, int] | None = None
        for day in self.days:
            size = day.international + len(day.events) + day.activities
            if position < high and position + size > low:
                if day.international and low <= position < high:
                    shown.append((day.date, -1, None))
                for number, event in enumerate(day.events):
                    if low <= position + day.international + number < high:
                        shown.append((day.date, 0, self.builder.event(event)))
                offset = position + day.international + len(day.events)
                wanted = (max(low - offset, 0), min(high - offset, day.activities))
                if wanted[1] > wanted[0]:
                    if day.date == self.start:
                        first_range = wanted
                    else:
                        range_low, range_high = (later_before + wanted[0], later_before + wanted[1])
                        later_range = (
                            (later_range[0], range_high) if later_range else (range_low, range_high)
                        )
            if day.date != self.start:
                later_before += day.activities
            position += size
            if position >= high:
                break
        if self.activities is not None and (first_range or later_range):
            for row in _activity_rows(self._slices(first_range, later_range)):
                item = self.builder.activity(row)
                shown.append((max(item.starts, self.start), 1, item))
        # Each date's international days, its events (in their order), then its activities:
        # on the first date the most recently begun first, then in the order they were recorded.
        shown.sort(
            key=lambda entry: (
                entry[0],
                entry[1],
                -entry[2].starts.toordinal() if entry[1] > 0 and entry[2] else 0,
                entry[2].pk if entry[1] > 0 and entry[2] else 0,
            )
        )
        return [(day, item) for day, _rank, item in shown]

    def _slices(self, first_range, later_range) -> tuple[str, list]:
        assert self.activities is not None
        parts = []
        if first_range is not None:
            low, high = first_range
            ongoing = self.activities.filter(starts_on__lte=self.start, ends_on__gte=self.start)
            ids = ongoing.order_by("-starts_on", "pk").values_list("pk")
            parts.append(_compiled(ids[low:high]))
        if later_range is not None:
            low, high = later_range
            later = self.activities.filter(starts_on__gt=self.start, starts_on__lte=self.end)
            ids = later.order_by("starts_on", "pk").values_list("pk")
            parts.append(_compiled(ids[low:high]))
        return _union(*parts)


def calendar_list(
    viewer: Visitor,
    filters: CalendarFilters,
    *,
    start: datetime.date,
    end: datetime.date,
    number: Any,
    per_page: int = LIST_PAGE_SIZE,
) -> CalendarList:
    """What happens from `start` to `end` (at most a year: the view bounds it), one page at
    a time, by date; something that began before `start` and goes on is listed under `start`.
    A page costs the same few queries however many activities there are: the activities of
    each date are counted on an index, the page's own read by their offsets (_ListRows); the
    network events of the dates are read whole (they are few); every international day of the
    dates is shown on its date (one row of the list, whether or not anything else happens that
    day: at most one a date, so they never make a page long)."""
    if filters.source == DAYS:
        return _days_list(start=start, end=end, number=number, per_page=per_page)
    builder = _Items()
    events_by_date: dict[datetime.date, list[NetworkEvent]] = defaultdict(list)
    if filters.shows(EVENTS):
        events = _events_between(calendar_events(viewer, filters), start, end)
        for event in _event_items(events).order_by("pk"):
            item = builder.event(event)  # its dates in its own country's time zone
            if item.ends < start or item.starts > end:
                continue
            events_by_date[max(item.starts, start)].append(event)
    activities = None
    counts: dict[datetime.date, int] = {}
    if filters.shows(ACTIVITIES):
        activities = calendar_activities(viewer, filters)
        counts = _starting_per_day(activities, start + datetime.timedelta(days=1), end)
        counts[start] = _running_into_count(activities, start, also_starting=True)
    days_by_date = _international_days_between(start, end) if filters.shows(DAYS) else {}
    days = [
        _Day(date, events_by_date.get(date, []), counts.get(date, 0), int(date in days_by_date))
        for date in sorted(
            set(events_by_date) | set(days_by_date) | {d for d, n in counts.items() if n}
        )
    ]
    rows = _ListRows(days=days, activities=activities, start=start, end=end, builder=builder)
    page: Page = Paginator(rows, per_page).get_page(number)  # type: ignore[arg-type]
    listed: list[tuple[datetime.date, CalendarItem | None]] = list(page.object_list)
    groups: list[DateGroup] = []
    for day, shown in listed:
        if not groups or groups[-1].date != day:
            groups.append(DateGroup(day, [], days_by_date.get(day, [])))
        if shown is not None:  # None: the row of the date's international days
            groups[-1].items.append(shown)
    page.object_list = groups  # type: ignore[assignment]
    return CalendarList(page=page, groups=groups)


def _international_days_between(
    start: datetime.date, end: datetime.date
) -> dict[datetime.date, list[InternationalDay]]:
    """The international days from `start` to `end`, on their dates (one query)."""
    found: dict[datetime.date, list[InternationalDay]] = defaultdict(list)
    for international_day in InternationalDay.objects.order_by("month", "day", "position"):
        for year in range(start.year, end.year + 1):
            on = _on(year, international_day)
            if on is not None and start <= on <= end:
                found[on].append(international_day)
    return found


def _days_list(
    *, start: datetime.date, end: datetime.date | None, number: Any, per_page: int
) -> CalendarList:
    """UNESCO's international days from `start`, each on its next date (a year at most)."""
    until = end or start + datetime.timedelta(days=365)
    dated: list[tuple[datetime.date, InternationalDay]] = []
    for international_day in InternationalDay.objects.order_by("month", "day", "position"):
        for year in range(start.year, until.year + 1):
            on = _on(year, international_day)
            if on is not None and start <= on <= until:
                dated.append((on, international_day))
    dated.sort(key=lambda pair: (pair[0], pair[1].position, pair[1].slug))
    page = Paginator(dated, per_page).get_page(number)
    groups: list[DateGroup] = []
    for on, international_day in page.object_list:
        if not groups or groups[-1].date != on:
            groups.append(DateGroup(on, [], []))
        groups[-1].international_days.append(international_day)
    page.object_list = groups  # type: ignore[assignment]
    return CalendarList(page=page, groups=groups)


# -- the feeds --------------------------------------------------------------------------------


def feed_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return (
        today - datetime.timedelta(days=FEED_PAST_DAYS),
        today + datetime.timedelta(days=FEED_FUTURE_DAYS),
    )


def _bounded(upcoming: QuerySet, recent: QuerySet, limit: int) -> list:
    """The soonest upcoming rows, and the most recent past ones, `limit` in all (two
    queries)."""
    recent_rows = list(recent[: max(1, limit // FEED_RECENT_SHARE)])
    return list(upcoming[: limit - len(recent_rows)]) + recent_rows


def feed_activities(
    activities: QuerySet[Activity], *, today: datetime.date, limit: int = FEED_MAX_ITEMS
) -> list[FeedActivity]:
    """Of these activities, those a feed holds: in its window of dates, at most `limit`, as
    the feed writes them (in the reader's language; two queries of narrow rows)."""
    start, end = feed_window(today)
    window = activities.filter(ends_on__gte=start, starts_on__lte=end).values_list(*FEED_FIELDS)
    rows = _bounded(
        window.filter(starts_on__gte=today).order_by("starts_on", "id"),
        window.filter(starts_on__lt=today).order_by("-starts_on", "-id"),
        limit,
    )
    english = current_content_language() == "en"
    found = []
    for row in rows:
        *shown, language, title_en, description_en = row
        # As Activity.display_title and display_description choose.
        if english and language != "en":
            shown[2] = title_en or shown[2]
            shown[3] = description_en or shown[3]
        found.append(FeedActivity(*shown))
    return found


def feed_events(
    events: QuerySet[NetworkEvent], *, today: datetime.date, limit: int = FEED_MAX_ITEMS
) -> list[NetworkEvent]:
    """Of these events, those a feed holds (what feeds.Writer.event reads of them)."""
    start, end = feed_window(today)
    window = (
        events.filter(ends_at__gte=local_midnight(start), starts_at__lt=local_midnight(end))
        .select_related("country")
        .only(*FEED_EVENT_FIELDS)
    )
    midnight = local_midnight(today)
    return _bounded(
        window.filter(starts_at__gte=midnight).order_by("starts_at", "id"),
        window.filter(starts_at__lt=midnight).order_by("-starts_at", "-id"),
        limit,
    )


def public_feed_events() -> QuerySet[NetworkEvent]:
    """What an unauthenticated feed may hold of network events: listed and public."""
    return visible_events(None, listed_events()).filter(visibility=EventVisibility.PUBLIC)


def network_feed(today: datetime.date) -> tuple[list[FeedActivity], list[NetworkEvent]]:
    """The whole network's public activities and public network events."""
    return (
        feed_activities(public_activities(), today=today),
        feed_events(public_feed_events(), today=today),
    )


def country_feed(country_id: int, today: datetime.date) -> tuple[list, list]:
    return (
        feed_activities(public_activities().filter(country_id=country_id), today=today),
        feed_events(public_feed_events().filter(country_id=country_id), today=today),
    )


def school_feed(school: School, today: datetime.date) -> list[FeedActivity]:
    """A school's public activities (its registrations for events are its own business)."""
    return feed_activities(public_activities().filter(school=school), today=today)


def personal_registrations(
    user: User, *, today: datetime.date, limit: int = FEED_MAX_ITEMS
) -> list[EventRegistration]:
    """The network events the person's schools registered for: of each school where they hold
    a school role now (coordinator or teacher: a role taken back takes the school's
    registrations out of their feed), its newest registration for each event (a school that
    cancelled and registered again has one entry), cancelled ones included (a calendar
    application then marks its copy cancelled); only events they may still see. A
    registration naming the person as a participant is one of their school's, so it is in. Each
    has `earlier` (the school's registrations for the event before it: feeds.Writer's
    SEQUENCE) and `ahead` (registrations waiting ahead of it in line). Two queries."""
    schools = roles_of(user).schools
    if not schools:
        return []
    same = EventRegistration.objects.filter(
        event_id=OuterRef("event_id"), school_id=OuterRef("school_id")
    )
    earlier = (
        same.filter(pk__lt=OuterRef("pk"))
        .order_by()
        .values("event_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
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
    start, end = feed_window(today)
    registrations = (
        EventRegistration.objects.filter(
            ~Exists(same.filter(pk__gt=OuterRef("pk"))),
            school_id__in=schools,
            event__in=visible_events(user, listed_events()).values("pk"),
            event__ends_at__gte=local_midnight(start),
            event__starts_at__lt=local_midnight(end),
        )
        .annotate(
            earlier=Coalesce(Subquery(earlier, output_field=IntegerField()), 0),
            ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0),
        )
        .select_related("event", "event__country", "school")
    )
    midnight = local_midnight(today)
    return _bounded(
        registrations.filter(event__starts_at__gte=midnight).order_by("event__starts_at", "id"),
        registrations.filter(event__starts_at__lt=midnight).order_by("-event__starts_at", "-id"),
        limit,
    )


def event_file(viewer: Visitor, pk: int) -> tuple[NetworkEvent, bool] | None:
    """One network event for an "add to my calendar" file, if this person may open its page
    (the events' rule, permissions.visible_events), with whether the file may hold its online
    link (permissions.can_see_online_link: a confirmed place of one of their schools, or
    managing the country's events); None otherwise. Two queries (three with a school role)."""
    event = (
        visible_events(viewer, NetworkEvent.objects.all())
        .select_related("country")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        return None
    online = bool(event.online_url) and can_see_online_link(
        viewer, event, confirmed_school_ids(viewer, event)
    )
    return event, online


def schools_of(user: Visitor) -> list[School]:
    """The schools whose feeds the feeds page offers the person: their own public ones."""
    return list(
        School.objects.filter(
            pk__in=roles_of(user).schools, membership_status__in=PUBLIC_STATUSES
        ).order_by("sort_key", "id")
    )


# -- the personal feed's address --------------------------------------------------------------


def personal_feed_of(user: Visitor) -> PersonalFeed | None:
    if not (user is not None and user.is_authenticated):
        return None
    return PersonalFeed.objects.filter(user_id=user.pk).first()


def personal_feed_address(feed: PersonalFeed | None) -> str | None:
    """The token of the person's feed address (for the path feeds/me/<token>.ics)."""
    return make_token(feed.user_id, feed.secret) if feed is not None else None


def personal_feed_owner(token: str) -> User | None:
    """The active person a feed address belongs to, or None: unknown, altered, or made
    before the person made a new one."""
    user_pk = token_user_pk(token)
    if user_pk is None:
        return None
    feed = PersonalFeed.objects.select_related("user").filter(user_id=user_pk).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user if token_is_valid(token, user_pk, feed.secret) else None
