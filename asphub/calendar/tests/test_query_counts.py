"""The calendar's month and list views, its feeds, a school's activity lists (its public page,
its profile and its workspace), an activity's page and a network event's page issue the same
number of queries for 10 activities and for 10,000, for a visitor and for a school coordinator
(who also sees the network-only ones); and the counts the month and the list show stay exact
at that size (what goes on from before, counted by length class)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asphub.activities.models import LENGTH_CLASSES, Activity, ActivityKind, ActivityVisibility
from asphub.calendar.filters import CalendarFilters
from asphub.calendar.selectors import MONTH_ITEMS_PER_DAY, calendar_list, calendar_month
from asphub.events.models import RegistrationStatus
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.practices.tests.factories import InternationalDayFactory, ThematicAreaFactory
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DEC = datetime.date(2026, 12, 1)
FIRST_DAY = datetime.date(2026, 11, 20)
SPREAD_DAYS = 45  # from 20 November 2026 into January 2027
KINDS = [ActivityKind.PROJECT, ActivityKind.SPECIAL_LESSON, ActivityKind.CAMPAIGN_WEEK]


def add_activities(schools, theme, first: int, count: int) -> None:
    """Activities `first` to `first + count - 1`, spread over the days from 20 November 2026
    into January 2027 (so ten of them already fill December), one to 200 days long, one in
    four network-only, each on a thematic area, half of them the first school's (so that
    even ten fill its profile): two inserts."""
    made = Activity.objects.bulk_create(
        Activity(
            school=(school := schools[0 if number % 2 == 0 else number % len(schools)]),
            country_id=school.country_id,
            kind=KINDS[number % len(KINDS)],
            title=f"Aktivitāte {number}",
            starts_on=FIRST_DAY + datetime.timedelta(days=number * 17 % SPREAD_DAYS),
            ends_on=FIRST_DAY
            + datetime.timedelta(days=number * 17 % SPREAD_DAYS + (0, 5, 11, 200)[number % 4]),
            visibility=ActivityVisibility.NETWORK if number % 4 == 3 else ActivityVisibility.PUBLIC,
        )
        for number in range(first, first + count)
    )
    through = Activity.thematic_areas.through
    through.objects.bulk_create(
        through(activity_id=activity.pk, thematicarea_id=theme.pk) for activity in made
    )


def queries(client, url: str) -> int:
    client.get(url)  # a process's first page after a change reads what it memoizes again
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def world(latvia, school, coordinator):
    schools = [school] + [SchoolFactory(country=latvia) for _ in range(4)]
    theme = ThematicAreaFactory()
    InternationalDayFactory(month=12, day=10)
    events = [
        NetworkEventFactory(
            country=latvia,
            starts_at=datetime.datetime(2026, 12, day, 10, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 12, day, 14, tzinfo=datetime.UTC),
            registration_deadline=datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC),
            capacity=3,
        )
        for day in (3, 14)
    ]
    for number, other in enumerate(schools[1:]):
        member = TeamMemberFactory(school=other)
        status = RegistrationStatus.CONFIRMED if number < 3 else RegistrationStatus.WAITING
        registration_of(events[0], other, status=status, members=[member])
    return {"schools": schools, "theme": theme, "event": events[0]}


def urls(world) -> list[str]:
    school = world["schools"][0]
    month = reverse("calendar:month")
    listing = reverse("calendar:list")
    theme = world["theme"].slug
    return [
        f"{month}?month=2026-12",
        f"{month}?month=2026-12&country=LV&kind=activity",
        f"{month}?month=2026-12&theme={theme}",
        f"{month}?month=2027-01&school={school.slug}",
        f"{listing}?start=2026-12-01&end=2026-12-31",
        f"{listing}?start=2026-12-01&end=2026-12-31&page=3",
        f"{listing}?start=2026-12-10&end=2027-01-20&theme={theme}&country=LV",
        reverse("calendar:feed_network"),
        reverse("calendar:feed_country", args=["lv"]),
        reverse("calendar:feed_school", args=[school.pk]),
        reverse("activities:school_public", args=[school.slug]),
        reverse("activities:school_public", args=[school.slug]) + "?page=2",
        reverse("schools:detail", args=[school.slug]),
        reverse("activities:detail", args=[Activity.objects.order_by("pk").first().pk]),
        reverse("events:detail", args=[world["event"].pk]),
    ]


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_pages_ask_the_same_queries_for_10_and_10000_activities(
    client, world, coordinator, signed_in
):
    schools, theme = world["schools"], world["theme"]
    if signed_in:
        client.force_login(coordinator)
    add_activities(schools, theme, 0, 10)
    pages = urls(world)
    if signed_in:
        pages.append(reverse("activities:school_activities", args=[schools[0].pk]))
        pages.append(reverse("activities:school_activities", args=[schools[0].pk]) + "?page=3")
    few = [queries(client, url) for url in pages]
    add_activities(schools, theme, 10, 9_990)
    assert Activity.objects.count() == 10_000
    many = [queries(client, url) for url in pages]
    assert few == many, [(url, a, b) for url, a, b in zip(pages, few, many, strict=True) if a != b]
    assert max(many) <= 20, list(zip(pages, many, strict=True))


def _running_into(day: datetime.date, activities) -> int:
    return sum(1 for a in activities if a.starts_on < day <= a.ends_on)


def test_the_counts_shown_are_exact_at_that_size(world):
    """What the pages say ("+N more", "and N more", the number of pages) against a count in
    Python, including activities longer than every bounded length class."""
    schools, theme = world["schools"], world["theme"]
    add_activities(schools, theme, 0, 10_000)
    longest = 2 ** (LENGTH_CLASSES - 2)
    Activity.objects.bulk_create(
        Activity(
            school=schools[0],
            country_id=schools[0].country_id,
            title=f"Ilgs projekts {days}",
            starts_on=DEC - datetime.timedelta(days=days),
            ends_on=DEC + datetime.timedelta(days=1),
        )
        for days in (longest - 2, longest - 1, longest, longest + 1, 3 * longest)
    )
    public = list(Activity.objects.filter(visibility=ActivityVisibility.PUBLIC))
    view = calendar_month(None, CalendarFilters(source="activity"), DEC)
    assert view.continuing_more == _running_into(DEC, public) - len(view.continuing)
    for week in view.weeks:
        for cell in week:
            if cell.in_month:
                starting = sum(1 for a in public if a.starts_on == cell.date)
                assert len(cell.items) == min(starting, MONTH_ITEMS_PER_DAY)
                assert cell.more == starting - len(cell.items)
                assert all(item.starts == cell.date for item in cell.items)
    found = calendar_list(
        None,
        CalendarFilters(source="activity"),
        start=DEC,
        end=datetime.date(2026, 12, 31),
        number=1,
    )
    shown = _running_into(DEC, public) + sum(
        1 for a in public if DEC <= a.starts_on <= datetime.date(2026, 12, 31)
    )
    assert found.page.paginator.count == shown


def test_the_list_pages_hold_every_item_once_in_order(world):
    """Page by page, the list gives each activity and event of its dates once, by date; on
    the first date those going on from before after the day's own, most recently begun first."""
    schools, theme = world["schools"], world["theme"]
    add_activities(schools, theme, 0, 300)
    start, end = datetime.date(2026, 12, 5), datetime.date(2026, 12, 20)
    seen: list[tuple[datetime.date, str, int, datetime.date]] = []
    international: set[datetime.date] = set()  # each international day's date: one row
    number = 1
    while True:
        found = calendar_list(None, CalendarFilters(), start=start, end=end, number=number)
        international |= {group.date for group in found.groups if group.international_days}
        seen += [
            (group.date, item.source, item.pk, item.starts)
            for group in found.groups
            for item in group.items
        ]
        if not found.page.has_next():
            break
        number += 1
    public = [
        a
        for a in Activity.objects.filter(visibility=ActivityVisibility.PUBLIC)
        if a.starts_on <= end and a.ends_on >= start
    ]
    activities = [(source, pk) for _d, source, pk, _s in seen if source == "activity"]
    assert sorted(pk for _s, pk in activities) == sorted(a.pk for a in public)
    assert len(seen) + len(international) == found.page.paginator.count
    dates = [day for day, *_rest in seen]
    assert dates == sorted(dates)
    first_day = [(source, starts) for day, source, _pk, starts in seen if day == start]
    assert [source for source, _starts in first_day] == sorted(
        (source for source, _starts in first_day), key=lambda source: source != "event"
    )
    began = [starts for source, starts in first_day if source == "activity"]
    assert began == sorted(began, reverse=True)
