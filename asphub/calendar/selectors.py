"""Reads of the calendar: the schools' activities, the network events and UNESCO's
international days, for the month view, the list view and the iCal feeds.

Who sees what is the activities' and events' own rule (asphub.activities.selectors,
asphub.roles.permissions.visible_events), applied here and never in views or templates: a
network-only activity or event reaches only people with a role in its country's network, and
no unauthenticated feed ever holds one.

Every read issues a fixed number of queries, whatever the number of activities: the month
view asks the database for at most a few items per day (with how many more there are), the
list view for one page, a feed for a bounded window of dates and rows.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Value, Window
from django.db.models.functions import Greatest, RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.models import User
from asphub.activities.models import Activity, ActivityKind, ActivityVisibility
from asphub.activities.selectors import activities_visible_to, public_activities
from asphub.events.models import (
    EventKind,
    EventParticipant,
    EventRegistration,
    EventStatus,
    EventVisibility,
    NetworkEvent,
)
from asphub.events.selectors import LISTED_STATUSES
from asphub.roles.permissions import Visitor, roles_of, visible_events
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.taxonomy.models import InternationalDay

from .filters import ACTIVITIES, DAYS, EVENTS, CalendarFilters
from .models import PersonalFeed
from .tokens import make_token, token_is_valid, token_user_pk

# The month view lists at most this many items a day, and says how many more there are.
MONTH_ITEMS_PER_DAY = 4
# Activities and events that began in an earlier month and go on into this one.
CONTINUING_ITEMS = 8
LIST_PAGE_SIZE = 25
# What a feed holds: from this many days ago to this many days ahead, at most this many
# items of each kind (the soonest upcoming first, then the most recent).
FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
FEED_MAX_ITEMS = 500
FEED_RECENT_SHARE = 5  # one in five of the rows may be past ones


# What an activity's CalendarItem is made of: the month view's window function sorts a whole
# month's rows, and narrow rows sort faster.
ITEM_FIELDS = (
    "pk", "kind", "title", "title_en", "language", "starts_on", "ends_on", "visibility",
    "school__name",
)  # fmt: skip


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


class _Items:
    """Turns model rows into CalendarItems, with labels and URLs worked out once."""

    def __init__(self) -> None:
        self.activity_kinds = _labels(ActivityKind.choices)
        self.event_kinds = _labels(EventKind.choices)
        self.activity_path = reverse("activities:detail", kwargs={"pk": 0})[: -len("0/")]
        self.event_path = reverse("events:detail", kwargs={"pk": 0})[: -len("0/")]

    def activity(self, activity: Activity) -> CalendarItem:
        return CalendarItem(
            source=ACTIVITIES,
            pk=activity.pk,
            title=activity.display_title,
            language=activity.display_language,
            kind=activity.kind,
            kind_label=self.activity_kinds.get(activity.kind, activity.kind),
            starts=activity.starts_on,
            ends=activity.ends_on,
            where=activity.school.name,
            url=f"{self.activity_path}{activity.pk:d}/",
            network_only=activity.visibility != ActivityVisibility.PUBLIC,
        )

    def event(self, event: NetworkEvent) -> CalendarItem:
        starts_at = timezone.localtime(event.starts_at)
        # An event ending at midnight ends on the day before.
        ends_at = timezone.localtime(event.ends_at - datetime.timedelta(microseconds=1))
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
    queries, whatever the number of activities: the database keeps the first few of
    each day (a window function), so a month of the whole world is never read."""
    first = first.replace(day=1)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    builder = _Items()
    by_day: dict[datetime.date, list[CalendarItem]] = defaultdict(list)
    totals: dict[datetime.date, int] = defaultdict(int)
    continuing: list[CalendarItem] = []
    continuing_total = 0

    if filters.shows(ACTIVITIES):
        activities = calendar_activities(viewer, filters)
        for activity in (
            activities.filter(starts_on__range=(first, last))
            .annotate(
                rank=Window(RowNumber(), partition_by=F("starts_on"), order_by=[F("id").asc()]),
                day_total=Window(Count("id"), partition_by=F("starts_on")),
            )
            .filter(rank__lte=per_day)
            .select_related("school")
            .only(*ITEM_FIELDS)
        ):
            by_day[activity.starts_on].append(builder.activity(activity))
            totals[activity.starts_on] = activity.day_total
        earlier = list(
            activities.filter(starts_on__lt=first, ends_on__gte=first)
            .annotate(total=Window(Count("id")))
            .select_related("school")
            .only(*ITEM_FIELDS)
            .order_by("-starts_on", "-id")[:CONTINUING_ITEMS]
        )
        continuing += [builder.activity(activity) for activity in earlier]
        continuing_total += earlier[0].total if earlier else 0

    if filters.shows(EVENTS):
        events = calendar_events(viewer, filters)
        event_totals: dict[datetime.date, int] = {}
        for event in (
            events.filter(
                starts_at__gte=local_midnight(first),
                starts_at__lt=local_midnight(last + datetime.timedelta(days=1)),
            )
            .annotate(local_day=TruncDate("starts_at"))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("local_day"),
                    order_by=[F("starts_at").asc(), F("id").asc()],
                ),
                day_total=Window(Count("id"), partition_by=F("local_day")),
            )
            .filter(rank__lte=per_day)
            .select_related("country")
        ):
            item = builder.event(event)
            by_day[item.starts].append(item)
            event_totals[item.starts] = event.day_total
        for day, total in event_totals.items():
            totals[day] += total
        earlier_events = list(
            events.filter(starts_at__lt=local_midnight(first), ends_at__gt=local_midnight(first))
            .annotate(total=Window(Count("id")))
            .select_related("country")
            .order_by("-starts_at", "-id")[:CONTINUING_ITEMS]
        )
        continuing += [builder.event(event) for event in earlier_events]
        continuing_total += earlier_events[0].total if earlier_events else 0

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


def calendar_list(
    viewer: Visitor,
    filters: CalendarFilters,
    *,
    start: datetime.date,
    end: datetime.date | None,
    number: Any,
    per_page: int = LIST_PAGE_SIZE,
) -> CalendarList:
    """What happens from `start` to `end` (open-ended without one: the list view always gives
    one, so that a page never counts the rest of the world's future), one page at a time, by
    date; something that began before `start` and goes on is listed under `start`. Activities
    and network events come from one paginated query (a union of the two), so a page costs the
    same few queries however many there are; international days are shown on their dates."""
    if filters.source == DAYS:
        return _days_list(start=start, end=end, number=number, per_page=per_page)
    parts: list[QuerySet] = []
    since = Value(start, output_field=DateField())
    if filters.shows(ACTIVITIES):
        activities = calendar_activities(viewer, filters).filter(ends_on__gte=start)
        if end is not None:
            activities = activities.filter(starts_on__lte=end)
        parts.append(
            activities.annotate(
                source=Value(ACTIVITIES), rank=Value(1), day=Greatest(F("starts_on"), since)
            ).values_list("day", "rank", "source", "pk")
        )
    if filters.shows(EVENTS):
        events = calendar_events(viewer, filters).filter(ends_at__gt=local_midnight(start))
        if end is not None:
            events = events.filter(starts_at__lt=local_midnight(end + datetime.timedelta(days=1)))
        parts.append(
            events.annotate(
                source=Value(EVENTS),
                rank=Value(0),
                day=Greatest(TruncDate("starts_at"), since, output_field=DateField()),
            ).values_list("day", "rank", "source", "pk")
        )
    if not parts:  # a filter on schools or themes, and only network events asked for
        nothing: list[tuple] = []
        return CalendarList(page=Paginator(nothing, per_page).get_page(number), groups=[])
    rows = parts[0].union(parts[1], all=True) if len(parts) == 2 else parts[0]
    # Each day's network events first (as in the month view), then its activities.
    page = Paginator(rows.order_by("day", "rank", "pk"), per_page).get_page(number)
    listed = [(day, source, pk) for day, _rank, source, pk in page.object_list]
    activity_ids = [pk for _day, source, pk in listed if source == ACTIVITIES]
    event_ids = [pk for _day, source, pk in listed if source == EVENTS]
    builder = _Items()
    found: dict[tuple[str, int], CalendarItem] = {}
    if activity_ids:
        for activity in (
            Activity.objects.filter(pk__in=activity_ids).select_related("school").only(*ITEM_FIELDS)
        ):
            found[(ACTIVITIES, activity.pk)] = builder.activity(activity)
    if event_ids:
        for event in NetworkEvent.objects.filter(pk__in=event_ids).select_related("country"):
            found[(EVENTS, event.pk)] = builder.event(event)
    days_by_date = _international_days_by_date(listed) if filters.shows(DAYS) else {}
    groups: list[DateGroup] = []
    for day, source, pk in listed:
        item = found.get((source, pk))
        if item is None:  # deleted between the two queries
            continue
        if not groups or groups[-1].date != day:
            groups.append(DateGroup(day, [], days_by_date.get(day, [])))
        groups[-1].items.append(item)
    page.object_list = groups  # type: ignore[assignment]
    return CalendarList(page=page, groups=groups)


def _international_days_by_date(rows: Sequence[tuple]) -> dict[datetime.date, list]:
    dates = {row[0] for row in rows}
    if not dates:
        return {}
    wanted = {(day.month, day.day) for day in dates}
    found: dict[datetime.date, list[InternationalDay]] = defaultdict(list)
    for international_day in InternationalDay.objects.order_by("month", "day", "position"):
        if (international_day.month, international_day.day) in wanted:
            for day in dates:
                if (day.month, day.day) == (international_day.month, international_day.day):
                    found[day].append(international_day)
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
) -> list[Activity]:
    """Of these activities, those a feed holds: in its window of dates, at most `limit`."""
    start, end = feed_window(today)
    window = activities.filter(ends_on__gte=start, starts_on__lte=end).select_related("school")
    return _bounded(
        window.filter(starts_on__gte=today).order_by("starts_on", "id"),
        window.filter(starts_on__lt=today).order_by("-starts_on", "-id"),
        limit,
    )


def feed_events(
    events: QuerySet[NetworkEvent], *, today: datetime.date, limit: int = FEED_MAX_ITEMS
) -> list[NetworkEvent]:
    start, end = feed_window(today)
    window = events.filter(
        ends_at__gte=local_midnight(start), starts_at__lt=local_midnight(end)
    ).select_related("country")
    midnight = local_midnight(today)
    return _bounded(
        window.filter(starts_at__gte=midnight).order_by("starts_at", "id"),
        window.filter(starts_at__lt=midnight).order_by("-starts_at", "-id"),
        limit,
    )


def public_feed_events() -> QuerySet[NetworkEvent]:
    """What an unauthenticated feed may hold of network events: listed and public."""
    return visible_events(None, listed_events()).filter(visibility=EventVisibility.PUBLIC)


def network_feed(today: datetime.date) -> tuple[list[Activity], list[NetworkEvent]]:
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


def school_feed(school: School, today: datetime.date) -> list[Activity]:
    """A school's public activities (its registrations for events are its own business)."""
    return feed_activities(public_activities().filter(school=school), today=today)


def personal_registrations(
    user: User, *, today: datetime.date, limit: int = FEED_MAX_ITEMS
) -> list[EventRegistration]:
    """The person's own registrations for network events: those of the schools they
    coordinate, those they made, and those naming them (as a member of a school's team with
    their e-mail address), cancelled ones included (a calendar application then marks its
    copy cancelled); only events they may still see."""
    roles = roles_of(user)
    named = EventParticipant.objects.filter(
        registration=OuterRef("pk"), team_member__email__iexact=user.email
    )
    start, end = feed_window(today)
    registrations = EventRegistration.objects.filter(
        Q(school_id__in=roles.coordinator_of) | Q(created_by=user) | Q(Exists(named)),
        event__in=visible_events(user, listed_events()).values("pk"),
        event__ends_at__gte=local_midnight(start),
        event__starts_at__lt=local_midnight(end),
    ).select_related("event", "event__country", "school")
    midnight = local_midnight(today)
    return _bounded(
        registrations.filter(event__starts_at__gte=midnight).order_by("event__starts_at", "id"),
        registrations.filter(event__starts_at__lt=midnight).order_by("-event__starts_at", "-id"),
        limit,
    )


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
