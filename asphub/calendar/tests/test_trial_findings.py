"""What the trials found: international days on every date of the list, the activities of a
school that left the directory, events in their own country's time zone (pages and feeds), an
event's own iCal file, the school feeds' links, the personal address's first message and the
bounded school filter."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from asphub.activities.models import Activity, ActivityVisibility
from asphub.activities.tests.factories import ActivityFactory
from asphub.calendar import views
from asphub.calendar.filters import CalendarFilterForm
from asphub.countries.models import Country
from asphub.events.models import EventStatus, EventVisibility, RegistrationStatus
from asphub.events.tests.factories import NetworkEventFactory, registration_of
from asphub.practices.tests.factories import InternationalDayFactory
from asphub.roles.permissions import can_view_activity
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

MONTH = reverse("calendar:month")
LIST = reverse("calendar:list")
NETWORK = reverse("calendar:feed_network")
BERLIN = ZoneInfo("Europe/Berlin")
RIGA = ZoneInfo("Europe/Riga")


def soon(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def uids(response) -> set[str]:
    return {str(component["UID"]) for component in parsed(response).walk("VEVENT")}


def month_items(response) -> set[tuple[str, int]]:
    view = response.context["view"]
    items = [item for week in view.weeks for cell in week for item in cell.items]
    return {(item.source, item.pk) for item in items + view.continuing}


def list_items(response) -> set[tuple[str, int]]:
    groups = response.context["found"].groups
    return {(item.source, item.pk) for group in groups for item in group.items}


# -- 1. international days on every date of the list ------------------------------------------


def test_the_list_shows_every_international_day_of_its_dates(client, school):
    InternationalDayFactory(slug="a", name_lv="Diena A", name_en="Day A", month=3, day=21)
    InternationalDayFactory(slug="b", name_lv="Diena B", name_en="Day B", month=3, day=22)
    activity = ActivityFactory(
        school=school, starts_on=datetime.date(2027, 3, 22), ends_on=datetime.date(2027, 3, 22)
    )
    response = client.get(f"{LIST}?start=2027-03-01&end=2027-03-31")
    groups = response.context["found"].groups
    assert [(g.date, [d.slug for d in g.international_days]) for g in groups] == [
        (datetime.date(2027, 3, 21), ["a"]),  # nothing else happens that day
        (datetime.date(2027, 3, 22), ["b"]),
    ]
    assert [item.pk for item in groups[1].items] == [activity.pk]
    assert groups[0].items == []
    # Not when the filters show only activities.
    only = client.get(f"{LIST}?start=2027-03-01&end=2027-03-31&kind=activity")
    assert [g.date for g in only.context["found"].groups] == [datetime.date(2027, 3, 22)]


def test_international_days_take_their_place_in_the_lists_pages(client, school):
    from asphub.calendar.selectors import LIST_PAGE_SIZE

    for day in range(1, 29):
        InternationalDayFactory(slug=f"d{day}", month=2, day=day)
    first = client.get(f"{LIST}?start=2027-02-01&end=2027-02-28")
    assert first.context["page"].paginator.count == 28
    assert len(first.context["found"].groups) == LIST_PAGE_SIZE
    second = client.get(f"{LIST}?start=2027-02-01&end=2027-02-28&page=2")
    dates = [g.date for g in first.context["found"].groups + second.context["found"].groups]
    assert dates == [datetime.date(2027, 2, day) for day in range(1, 29)]


# -- 3. the activities of a school no longer in the directory ---------------------------------


@pytest.mark.parametrize(
    "status", [MembershipStatus.EXCLUDED, MembershipStatus.WITHDRAWN, MembershipStatus.SUBMITTED]
)
def test_a_school_out_of_the_directory_shows_none_of_its_activities(
    client, latvia, teacher, status
):
    gone = SchoolFactory(country=latvia, membership_status=status)
    day = soon(5)
    public = ActivityFactory(school=gone, starts_on=day, ends_on=day)
    network = ActivityFactory(
        school=gone, starts_on=day, ends_on=day, visibility=ActivityVisibility.NETWORK
    )
    listed = ActivityFactory(school=SchoolFactory(country=latvia), starts_on=day, ends_on=day)
    month = f"{MONTH}?month={day:%Y-%m}"
    dates = f"{LIST}?start={day}&end={day}"
    for who in (None, teacher):  # a visitor; a person of the country's network
        if who is not None:
            client.force_login(who)
        assert client.get(reverse("activities:detail", args=[public.pk])).status_code == 404
        assert client.get(reverse("activities:detail", args=[network.pk])).status_code == 404
        assert listed.pk in {pk for _s, pk in month_items(client.get(month))}
        assert (
            month_items(client.get(month)) & {("activity", public.pk), ("activity", network.pk)}
            == set()
        )
        assert list_items(client.get(dates)) == {("activity", listed.pk)}
    feeds = [NETWORK, reverse("calendar:feed_country", args=["lv"])]
    for feed in feeds:
        found = uids(client.get(feed))
        assert f"activity-{listed.pk}@127.0.0.1" in found
        assert f"activity-{public.pk}@127.0.0.1" not in found
    stored = Activity.objects.select_related("school").get(pk=public.pk)
    assert not can_view_activity(None, stored)
    assert not can_view_activity(
        teacher, Activity.objects.select_related("school").get(pk=network.pk)
    )


def test_the_schools_own_people_keep_its_activities_after_it_left(client, latvia):
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with

    gone = SchoolFactory(country=latvia, membership_status=MembershipStatus.WITHDRAWN)
    own = person_with(Role.TEACHER, school=gone, email="own@example.org")
    activity = ActivityFactory(school=gone, starts_on=soon(2), ends_on=soon(2))
    assert can_view_activity(own, Activity.objects.select_related("school").get(pk=activity.pk))
    client.force_login(own)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200


# -- 4. events in their own country's time zone -------------------------------------------------


@pytest.fixture
def germany(db) -> Country:
    country, _ = Country.objects.get_or_create(
        code="DE", defaults={"name_lv": "Vācija", "name_en": "Germany"}
    )
    return country


def berlin_event(germany, starts: datetime.datetime, **fields):
    return NetworkEventFactory(
        country=germany,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=20),
        registration_deadline=starts - datetime.timedelta(days=3),
        **fields,
    )


def test_a_german_event_is_on_its_own_date_in_the_month_and_the_list(client, germany):
    # 23:30 in Berlin on 31 December is 00:30 on 1 January in Riga (the platform's zone).
    starts = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=BERLIN)
    event = berlin_event(germany, starts)
    december = client.get(f"{MONTH}?month=2026-12")
    assert ("event", event.pk) in month_items(december)
    (item,) = [i for w in december.context["view"].weeks for c in w for i in c.items]
    assert item.starts == datetime.date(2026, 12, 31)
    assert item.starts_at.utcoffset() == datetime.timedelta(hours=1)
    assert ("event", event.pk) not in month_items(client.get(f"{MONTH}?month=2027-01"))
    listed = client.get(f"{LIST}?start=2026-12-31&end=2026-12-31&kind=event")
    assert [g.date for g in listed.context["found"].groups] == [datetime.date(2026, 12, 31)]
    assert (
        not client.get(f"{LIST}?start=2027-01-01&end=2027-01-05&kind=event").context["found"].groups
    )


def test_feeds_give_each_event_in_its_countrys_zone_with_its_vtimezone(client, germany, latvia):
    day = soon(20)
    german = berlin_event(germany, datetime.datetime.combine(day, datetime.time(10), BERLIN))
    latvian = berlin_event(latvia, datetime.datetime.combine(day, datetime.time(10), RIGA))
    calendar = parsed(client.get(NETWORK))
    found = {str(c["UID"]): c for c in calendar.walk("VEVENT")}
    german_entry = found[f"event-{german.pk}@127.0.0.1"]
    assert german_entry["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert german_entry["DTSTART"].dt == german.starts_at
    assert german_entry["DTSTART"].dt.hour == 10
    assert found[f"event-{latvian.pk}@127.0.0.1"]["DTSTART"].params["TZID"] == "Europe/Riga"
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == [
        "Europe/Berlin",
        "Europe/Riga",
    ]
    only_german = parsed(client.get(reverse("calendar:feed_country", args=["de"])))
    assert [str(z["TZID"]) for z in only_german.walk("VTIMEZONE")] == ["Europe/Berlin"]


# -- 5. one event's own file ------------------------------------------------------------------


def test_an_events_file_parses_and_holds_the_event(client, latvia):
    event = NetworkEventFactory(country=latvia, online_url="https://meet.example.org/z")
    response = client.get(reverse("calendar:feed_event", args=[event.pk]))
    calendar = parsed(response)
    (component,) = calendar.walk("VEVENT")
    assert str(component["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert component["DTSTART"].dt == event.starts_at.replace(microsecond=0)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Riga"]
    assert "meet.example.org" not in response.content.decode()  # no confirmed place
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert reverse("calendar:feed_event", args=[event.pk]) in page


def test_an_events_file_gives_the_link_to_a_confirmed_school(client, latvia, school, teacher):
    event = NetworkEventFactory(country=latvia, online_url="https://meet.example.org/z")
    registration_of(event, school, status=RegistrationStatus.CONFIRMED)
    client.force_login(teacher)
    response = client.get(reverse("calendar:feed_event", args=[event.pk]))
    assert "meet.example.org/z" in parsed(response).to_ical().decode()
    assert "no-store" in response["Cache-Control"]


def test_an_event_one_may_not_see_has_no_file(client, latvia, estonia, teacher):
    hidden = [
        NetworkEventFactory(country=latvia, visibility=EventVisibility.NETWORK, title="Slepens"),
        NetworkEventFactory(country=latvia, status=EventStatus.DRAFT, title="Slepens"),
    ]
    for event in hidden:
        response = client.get(reverse("calendar:feed_event", args=[event.pk]))
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain")
        assert b"Slepens" not in response.content
    unknown = client.get(reverse("calendar:feed_event", args=[999999]))
    assert unknown.status_code == 404 and unknown.content == response.content
    # A person of the country's network opens the network-only one.
    client.force_login(teacher)
    assert parsed(client.get(reverse("calendar:feed_event", args=[hidden[0].pk])))


# -- 6. the school feeds' links --------------------------------------------------------------


def test_the_school_pages_and_the_feeds_page_lead_to_the_school_feed(client, school):
    ActivityFactory(school=school, starts_on=soon(1), ends_on=soon(1))
    feed = reverse("calendar:feed_school", args=[school.pk])
    listing = client.get(reverse("activities:school_public", kwargs={"slug": school.slug}))
    assert feed in listing.content.decode()
    assert feed in client.get(school.get_absolute_url()).content.decode()
    feeds_page = client.get(reverse("calendar:feeds")).content.decode()
    assert "/calendar/feeds/school/N.ics" in feeds_page


# -- 7. the first personal address ----------------------------------------------------------


def test_the_first_address_does_not_speak_of_an_earlier_one(client, coordinator):
    client.force_login(coordinator)
    said = []
    for _attempt in range(2):
        response = client.post(reverse("calendar:feed_renew"), follow=True)
        said.append([str(message) for message in get_messages(response.wsgi_request)])
    assert said == [[str(views.FEED_MADE)], [str(views.FEED_RENEWED)]]


# -- 8. the school filter is bounded ----------------------------------------------------------


def test_the_school_filter_lists_one_countrys_schools(school, foreign_school, settings):
    settings.ASPHUB_DEFAULT_COUNTRY = "LV"
    default = CalendarFilterForm(None).fields["school"].queryset
    assert set(default) == {school}
    chosen = CalendarFilterForm({"country": "EE"}).fields["school"].queryset
    assert set(chosen) == {foreign_school}
