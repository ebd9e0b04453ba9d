"""The month and list views: who sees which activities and events, international days on
their dates, the filters, the per-day limit and pagination (their query counts, which do not
grow with the number of activities: test_query_counts.py)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.activities.models import ActivityKind, ActivityVisibility
from asphub.activities.tests.factories import ActivityFactory
from asphub.calendar.selectors import CONTINUING_ITEMS, LIST_PAGE_SIZE, MONTH_ITEMS_PER_DAY
from asphub.events.models import EventKind, EventStatus, EventVisibility
from asphub.events.tests.factories import NetworkEventFactory
from asphub.practices.tests.factories import InternationalDayFactory, ThematicAreaFactory
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db

MONTH = reverse("calendar:month")
LIST = reverse("calendar:list")
RIGA = ZoneInfo("Europe/Riga")
DEC = datetime.date(2026, 12, 1)


def on(day: int) -> datetime.date:
    return DEC.replace(day=day)


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=RIGA)


def event_on(country, day: int, **fields):
    starts = at(day)
    return NetworkEventFactory(
        country=country,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4),
        registration_deadline=starts - datetime.timedelta(days=3),
        **fields,
    )


def cell(response, day: int):
    for week in response.context["view"].weeks:
        for candidate in week:
            if candidate.in_month and candidate.date.day == day:
                return candidate
    raise AssertionError(day)


def shown(response) -> set[tuple[str, int]]:
    items = [item for week in response.context["view"].weeks for c in week for item in c.items]
    items += response.context["view"].continuing
    return {(item.source, item.pk) for item in items}


def listed(response) -> set[tuple[str, int]]:
    return {
        (item.source, item.pk) for group in response.context["found"].groups for item in group.items
    }


# -- who sees what ---------------------------------------------------------------------------------


@pytest.fixture
def december(school, foreign_school, latvia, estonia):
    """Public and network-only activities and events of Latvia and Estonia in December 2026."""
    return {
        "public": ActivityFactory(school=school, starts_on=on(3), ends_on=on(3)),
        "network": ActivityFactory(
            school=school, starts_on=on(4), ends_on=on(4), visibility=ActivityVisibility.NETWORK
        ),
        "foreign_network": ActivityFactory(
            school=foreign_school,
            starts_on=on(4),
            ends_on=on(4),
            visibility=ActivityVisibility.NETWORK,
        ),
        "event": event_on(latvia, 8),
        "network_event": event_on(latvia, 9, visibility=EventVisibility.NETWORK),
        "draft": event_on(latvia, 10, status=EventStatus.DRAFT),
        "cancelled": event_on(latvia, 11, status=EventStatus.CANCELLED),
    }


def keys(world, *names) -> set[tuple[str, int]]:
    return {
        (
            "event" if "event" in name or name in ("draft", "cancelled") else "activity",
            world[name].pk,
        )
        for name in names
    }


def test_visitors_see_public_activities_and_published_public_events(client, december):
    response = client.get(f"{MONTH}?month=2026-12")
    assert response.status_code == 200
    assert shown(response) == keys(december, "public", "event", "cancelled")
    body = response.content.decode()
    assert december["network"].title not in body and december["draft"].title not in body
    assert cell(response, 11).items[0].cancelled is True


def test_people_of_the_network_see_its_network_only_items(client, december, teacher):
    client.force_login(teacher)
    response = client.get(f"{MONTH}?month=2026-12")
    assert shown(response) == keys(
        december, "public", "network", "event", "network_event", "cancelled"
    )
    listed_items = listed(client.get(f"{LIST}?start=2026-12-01&end=2026-12-31"))
    assert listed_items == shown(response)


def test_a_person_of_another_network_does_not_see_latvias_network_items(
    client, december, foreign_school
):
    client.force_login(person_with(Role.TEACHER, school=foreign_school))
    response = client.get(f"{MONTH}?month=2026-12")
    assert shown(response) == keys(december, "public", "foreign_network", "event", "cancelled")


def test_a_signed_in_person_without_a_role_sees_what_visitors_see(client, december):
    client.force_login(UserFactory())
    assert shown(client.get(f"{MONTH}?month=2026-12")) == keys(
        december, "public", "event", "cancelled"
    )


def test_the_national_coordinator_does_not_find_drafts_in_the_calendar(
    client, december, national_coordinator
):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    assert ("event", december["draft"].pk) not in shown(client.get(f"{MONTH}?month=2026-12"))


# -- international days ----------------------------------------------------------------------------


def test_international_days_are_shown_on_their_date_every_year(client, latvia):
    InternationalDayFactory(
        slug="human-rights",
        name_lv="Cilvēktiesību diena",
        name_en="Human Rights Day",
        month=12,
        day=10,
    )
    InternationalDayFactory(slug="leap", name_lv="Garā diena", name_en="Leap Day", month=2, day=29)
    for month in ("2026-12", "2031-12"):
        response = client.get(f"{MONTH}?month={month}")
        assert [str(day.name) for day in cell(response, 10).international_days] == [
            "Cilvēktiesību diena"
        ]
    assert (
        "Cilvēktiesību diena"
        in client.get(f"{LIST}?start=2026-12-10&end=2026-12-10&kind=day").content.decode()
    )
    # 29 February only in leap years.
    assert [
        str(d.name) for d in cell(client.get(f"{MONTH}?month=2028-02"), 29).international_days
    ] == ["Garā diena"]
    february = client.get(f"{MONTH}?month=2027-02")
    assert all(not c.international_days for week in february.context["view"].weeks for c in week)


def test_the_days_only_list(client):
    InternationalDayFactory(
        slug="peace", name_lv="Miera diena", name_en="Peace Day", month=9, day=21
    )
    InternationalDayFactory(
        slug="teachers", name_lv="Skolotāju diena", name_en="Teachers' Day", month=10, day=5
    )
    response = client.get(f"{LIST}?kind=day&start=2026-10-01&end=2027-09-30")
    groups = response.context["found"].groups
    assert [(g.date, [str(d.name) for d in g.international_days]) for g in groups] == [
        (datetime.date(2026, 10, 5), ["Skolotāju diena"]),
        (datetime.date(2027, 9, 21), ["Miera diena"]),
    ]


def test_an_international_day_is_named_in_the_list_beside_that_days_items(client, school):
    InternationalDayFactory(
        slug="water", name_lv="Ūdens diena", name_en="Water Day", month=3, day=22
    )
    ActivityFactory(
        school=school, starts_on=datetime.date(2027, 3, 22), ends_on=datetime.date(2027, 3, 22)
    )
    group = client.get(f"{LIST}?start=2027-03-01").context["found"].groups[0]
    assert group.date == datetime.date(2027, 3, 22)
    assert [str(d.name) for d in group.international_days] == ["Ūdens diena"]


# -- the filters -------------------------------------------------------------------------------


def test_the_filters_narrow_activities_and_events(
    client, school, other_school, foreign_school, latvia, estonia
):
    heritage = ThematicAreaFactory(slug="heritage")
    municipality = other_school.subdivision
    items = {
        "project": ActivityFactory(
            school=school, starts_on=on(2), ends_on=on(2), thematic_areas=[heritage]
        ),
        "contest": ActivityFactory(
            school=other_school, starts_on=on(2), ends_on=on(2), kind=ActivityKind.CONTEST
        ),
        "abroad": ActivityFactory(school=foreign_school, starts_on=on(2), ends_on=on(2)),
        "seminar": event_on(latvia, 5),
        "conference": event_on(estonia, 6, kind=EventKind.CONFERENCE),
    }

    def found(query: str) -> set[str]:
        response = client.get(f"{MONTH}?month=2026-12&{query}")
        assert response.status_code == 200
        keys = shown(response)
        listed_keys = listed(client.get(f"{LIST}?start=2026-12-01&end=2026-12-31&{query}"))
        assert listed_keys == keys, query
        return {
            name
            for name, item in items.items()
            if (("event" if isinstance(item, type(items["seminar"])) else "activity"), item.pk)
            in keys
        }

    assert found("") == set(items)
    assert found("kind=activity") == {"project", "contest", "abroad"}
    assert found("kind=activity.contest") == {"contest"}
    assert found("kind=event") == {"seminar", "conference"}
    assert found("kind=event.conference") == {"conference"}
    assert found("theme=heritage") == {"project"}
    assert found(f"school={school.slug}") == {"project"}
    assert found(f"municipality={municipality.code}") == {"contest"}
    assert found("country=EE") == {"abroad", "conference"}
    assert found("country=EE&kind=event") == {"conference"}
    # Network events have no theme: a theme and "network events" finds nothing.
    assert found("theme=heritage&kind=event") == set()


def test_the_country_chosen_lists_its_municipalities_and_schools(client, school, foreign_school):
    form = client.get(f"{MONTH}?country=EE").context["filter_form"]
    assert list(form.fields["school"].queryset) == [foreign_school]
    default = client.get(MONTH).context["filter_form"]
    assert school in list(default.fields["school"].queryset)
    assert foreign_school not in list(default.fields["school"].queryset)


def test_unknown_filter_values_are_reported_and_ignored(client, school):
    ActivityFactory(school=school, starts_on=on(2), ends_on=on(2))
    response = client.get(f"{MONTH}?month=2026-12&kind=nonsense&theme=nope&country=ZZ")
    assert response.status_code == 200
    assert set(response.context["filter_form"].errors) == {"kind", "theme", "country"}
    assert len(shown(response)) == 1


@pytest.mark.parametrize("month", ["2026-13", "december", "1900-01", "9999-01", "2026-1-1"])
def test_a_bad_month_is_reported_and_the_current_month_shown(client, month):
    response = client.get(f"{MONTH}?month={month}")
    assert response.status_code == 200
    assert [e.code for e in response.context["month_form"].errors.as_data()["month"]] == ["invalid"]
    assert response.context["view"].first == timezone.localdate().replace(day=1)


def test_bad_dates_in_the_list_are_reported(client):
    response = client.get(f"{LIST}?start=2026-12-10&end=2026-12-01")
    assert response.status_code == 200
    assert [e.code for e in response.context["dates"].errors.as_data()["end"]] == [
        "end_before_start"
    ]
    assert response.context["end"] == datetime.date(2027, 1, 9)  # a month from the start
    response = client.get(f"{LIST}?start=10.12.2026")
    assert response.context["dates"].errors["start"]
    assert response.context["start"] == timezone.localdate()
    response = client.get(f"{LIST}?start=2026-01-01&end=2027-06-01")
    assert [e.code for e in response.context["dates"].errors.as_data()["end"]] == ["span_too_long"]
    assert response.context["end"] == datetime.date(2026, 1, 31)


def test_without_an_end_the_list_shows_a_month(client, school):
    inside = ActivityFactory(school=school, starts_on=on(30), ends_on=on(30))
    outside = ActivityFactory(
        school=school, starts_on=datetime.date(2027, 1, 2), ends_on=datetime.date(2027, 1, 2)
    )
    keys = listed(client.get(f"{LIST}?start=2026-12-01"))
    assert ("activity", inside.pk) in keys and ("activity", outside.pk) not in keys
    assert ("activity", outside.pk) in listed(client.get(f"{LIST}?start=2026-12-01&end=2027-01-31"))


# -- the month's limits ----------------------------------------------------------------------------


def test_a_busy_day_shows_a_few_items_and_links_to_the_rest(client, school, latvia):
    for _ in range(MONTH_ITEMS_PER_DAY + 3):
        ActivityFactory(school=school, starts_on=on(15), ends_on=on(15))
    event_on(latvia, 15)
    response = client.get(f"{MONTH}?month=2026-12&kind=")
    busy = cell(response, 15)
    assert len(busy.items) == MONTH_ITEMS_PER_DAY
    assert busy.items[0].is_event  # timed events first
    assert busy.more == 4
    more_link = f"{LIST}?kind=&amp;start=2026-12-15&amp;end=2026-12-15"
    assert more_link in response.content.decode()
    day_list = client.get(f"{LIST}?start=2026-12-15&end=2026-12-15")
    assert sum(len(g.items) for g in day_list.context["found"].groups) == MONTH_ITEMS_PER_DAY + 4


def test_what_began_earlier_is_shown_beside_the_month(client, school, latvia):
    long_projects = [
        ActivityFactory(school=school, starts_on=datetime.date(2026, 9, 1 + i), ends_on=on(20))
        for i in range(CONTINUING_ITEMS + 2)
    ]
    ActivityFactory(
        school=school, starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 11, 30)
    )
    view = client.get(f"{MONTH}?month=2026-12").context["view"]
    assert len(view.continuing) == CONTINUING_ITEMS
    assert view.continuing_more == 2
    assert {item.pk for item in view.continuing} <= {a.pk for a in long_projects}
    # In the list they are under the first day asked for.
    groups = client.get(f"{LIST}?start=2026-12-01&end=2026-12-01").context["found"].groups
    assert groups[0].date == on(1) and len(groups[0].items) == CONTINUING_ITEMS + 2


def test_a_title_with_html_is_shown_as_text(client, school):
    ActivityFactory(
        school=school, starts_on=on(2), ends_on=on(2), title="<script>alert(1)</script>"
    )
    for url in (f"{MONTH}?month=2026-12", f"{LIST}?start=2026-12-01"):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_list_is_paginated_by_date(client, school, latvia):
    for day in range(1, 31):
        ActivityFactory(school=school, starts_on=on(day), ends_on=on(day))
    event_on(latvia, 1)
    first = client.get(f"{LIST}?start=2026-12-01")
    assert first.context["page"].paginator.count == 31
    assert sum(len(g.items) for g in first.context["found"].groups) == LIST_PAGE_SIZE
    assert first.context["found"].groups[0].items[0].is_event
    second = client.get(f"{LIST}?start=2026-12-01&page=2")
    assert [g.date for g in second.context["found"].groups] == [on(d) for d in range(25, 31)]
    assert 'rel="prev"' in second.content.decode()


def test_the_list_starts_today_by_default(client, school):
    past = ActivityFactory(
        school=school,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    ongoing = ActivityFactory(
        school=school,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        ends_on=timezone.localdate(),
    )
    keys = listed(client.get(LIST))
    assert ("activity", ongoing.pk) in keys and ("activity", past.pk) not in keys


def test_the_views_answer_only_get(client):
    assert client.post(MONTH).status_code == 405
    assert client.post(LIST).status_code == 405
