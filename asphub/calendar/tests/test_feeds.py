"""The iCal feeds, each parsed back with icalendar as a calendar application reads it: stable
UIDs, SEQUENCE moving on with each change, cancelled events marked cancelled, all-day activities
and timed events with their time zone, and nothing private in a feed without a sign-in."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from asphub.accounts.tests.factories import UserFactory
from asphub.activities.models import ActivityVisibility
from asphub.activities.services import activity_update
from asphub.activities.tests.factories import ActivityFactory
from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.calendar import selectors
from asphub.calendar.models import PersonalFeed
from asphub.calendar.selectors import personal_feed_address
from asphub.calendar.services import personal_feed_renew
from asphub.events.models import EventStatus, EventVisibility, RegistrationStatus
from asphub.events.services import event_cancel, event_update
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role, RoleAssignment
from asphub.roles.services import role_revoke
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

RIGA = ZoneInfo("Europe/Riga")
NETWORK = reverse("calendar:feed_network")


def today() -> datetime.date:
    return timezone.localdate()


def soon(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_of(calendar: Calendar) -> dict[str, object]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def uid(kind: str, pk: int) -> str:
    return f"{kind}-{pk}@127.0.0.1"


# -- what a feed holds -------------------------------------------------------------------------


def test_the_network_feed_holds_public_activities_and_events_and_nothing_private(
    client, school, foreign_school, latvia
):
    public = ActivityFactory(
        school=school, starts_on=soon(3), ends_on=soon(5), title="Ūdens; diena, <b>"
    )
    abroad = ActivityFactory(school=foreign_school, starts_on=soon(4), ends_on=soon(4))
    network_only = ActivityFactory(
        school=school, starts_on=soon(3), ends_on=soon(3), visibility=ActivityVisibility.NETWORK
    )
    event = NetworkEventFactory(country=latvia)
    network_event = NetworkEventFactory(country=latvia, visibility=EventVisibility.NETWORK)
    draft = NetworkEventFactory(country=latvia, status=EventStatus.DRAFT)
    calendar = parsed(client.get(NETWORK))
    found = events_of(calendar)
    assert set(found) == {
        uid("activity", public.pk),
        uid("activity", abroad.pk),
        uid("event", event.pk),
    }
    assert uid("activity", network_only.pk) not in found
    assert uid("event", network_event.pk) not in found and uid("event", draft.pk) not in found
    # Text exactly as typed (icalendar escaped the comma and semicolon, and parsing undid it).
    assert str(found[uid("activity", public.pk)]["SUMMARY"]) == "Ūdens; diena, <b>"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Riga"


def test_activities_are_all_day_with_an_exclusive_end_and_events_are_timed_in_riga(
    client, school, latvia
):
    activity = ActivityFactory(school=school, starts_on=soon(3), ends_on=soon(5))
    starts = timezone.make_aware(datetime.datetime.combine(soon(7), datetime.time(10, 30)), RIGA)
    event = NetworkEventFactory(
        country=latvia,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=5),
        registration_deadline=starts - datetime.timedelta(days=1),
    )
    calendar = parsed(client.get(NETWORK))
    found = events_of(calendar)
    day = found[uid("activity", activity.pk)]
    assert type(day["DTSTART"].dt) is datetime.date
    assert day["DTSTART"].dt == soon(3)
    assert day["DTEND"].dt == soon(6)  # the day after the last day
    assert day["DTSTART"].params.get("VALUE") == "DATE"
    assert str(day["TRANSP"]) == "TRANSPARENT"
    timed = found[uid("event", event.pk)]
    assert isinstance(timed["DTSTART"].dt, datetime.datetime)
    assert timed["DTSTART"].params["TZID"] == "Europe/Riga"
    assert timed["DTSTART"].dt == starts
    assert timed["DTSTART"].dt.utcoffset() == starts.utcoffset()
    assert timed["DTEND"].dt == starts + datetime.timedelta(hours=5)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Riga"]
    for component in (day, timed):
        assert component["DTSTAMP"].dt.tzinfo is not None
        assert "LAST-MODIFIED" in component
        assert str(component["URL"]).startswith("http://testserver/")


def test_an_update_moves_the_sequence_on_and_keeps_the_uid(
    client, school, teacher, latvia, national_coordinator
):
    activity = ActivityFactory(school=school, starts_on=soon(3), ends_on=soon(3))
    event = NetworkEventFactory(country=latvia)
    before = events_of(parsed(client.get(NETWORK)))
    activity_update(
        actor=teacher,
        activity=activity,
        data={"title": "Jauns nosaukums"},
        seen_sequence=activity.sequence,
    )
    event_update(
        actor=national_coordinator,
        event=event,
        data={"place": "Cēsis"},
        seen_sequence=event.sequence,
    )
    after = events_of(parsed(client.get(NETWORK)))
    assert set(after) == set(before)
    for key in (uid("activity", activity.pk), uid("event", event.pk)):
        assert int(after[key]["SEQUENCE"]) == int(before[key]["SEQUENCE"]) + 1
    assert str(after[uid("activity", activity.pk)]["SUMMARY"]) == "Jauns nosaukums"
    assert "Cēsis" in str(after[uid("event", event.pk)]["LOCATION"])


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled(client, latvia, national_coordinator):
    event = NetworkEventFactory(country=latvia)
    before = events_of(parsed(client.get(NETWORK)))[uid("event", event.pk)]
    assert str(before["STATUS"]) == "CONFIRMED"
    event_cancel(actor=national_coordinator, event=event, note="Slimības dēļ")
    after = events_of(parsed(client.get(NETWORK)))[uid("event", event.pk)]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "Slimības dēļ" in str(after["DESCRIPTION"])


def test_a_feed_holds_a_window_of_dates(client, school):
    recent = ActivityFactory(school=school, starts_on=soon(-80), ends_on=soon(-80))
    old = ActivityFactory(school=school, starts_on=soon(-200), ends_on=soon(-200))
    long_running = ActivityFactory(school=school, starts_on=soon(-300), ends_on=soon(10))
    far = ActivityFactory(school=school, starts_on=soon(450), ends_on=soon(450))
    found = events_of(parsed(client.get(NETWORK)))
    assert uid("activity", recent.pk) in found
    assert uid("activity", long_running.pk) in found
    assert uid("activity", old.pk) not in found
    assert uid("activity", far.pk) not in found


def test_a_feed_has_a_hard_cap_that_keeps_the_soonest_upcoming(school):
    upcoming = [
        ActivityFactory(school=school, starts_on=soon(i + 1), ends_on=soon(i + 1))
        for i in range(12)
    ]
    past = [
        ActivityFactory(school=school, starts_on=soon(-i - 1), ends_on=soon(-i - 1))
        for i in range(5)
    ]
    from asphub.activities.selectors import public_activities

    kept = selectors.feed_activities(public_activities(), today=today(), limit=10)
    assert len(kept) == 10
    assert [a.pk for a in kept[:8]] == [a.pk for a in upcoming[:8]]
    assert [a.pk for a in kept[8:]] == [a.pk for a in past[:2]]


def test_the_network_feed_asks_the_same_number_of_queries_for_few_and_many(
    client, school, django_assert_num_queries, latvia
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ActivityFactory(school=school, starts_on=soon(1), ends_on=soon(1))
    NetworkEventFactory(country=latvia)
    with CaptureQueriesContext(connection) as few:
        client.get(NETWORK)
    for i in range(40):
        ActivityFactory(school=school, starts_on=soon(i % 20), ends_on=soon(i % 20))
        if i % 10 == 0:
            NetworkEventFactory(country=latvia)
    with CaptureQueriesContext(connection) as many:
        client.get(NETWORK)
    assert len(few) == len(many)


# -- the country and school feeds ---------------------------------------------------------------


def test_the_country_feed_holds_the_countrys_public_items(
    client, school, foreign_school, latvia, estonia
):
    own = ActivityFactory(school=school, starts_on=soon(2), ends_on=soon(2))
    other = ActivityFactory(school=foreign_school, starts_on=soon(2), ends_on=soon(2))
    event = NetworkEventFactory(country=latvia)
    foreign_event = NetworkEventFactory(country=estonia)
    found = events_of(parsed(client.get(reverse("calendar:feed_country", args=["lv"]))))
    assert set(found) == {uid("activity", own.pk), uid("event", event.pk)}
    assert uid("activity", other.pk) not in found and uid("event", foreign_event.pk) not in found
    # The code in either case.
    assert set(events_of(parsed(client.get(reverse("calendar:feed_country", args=["LV"]))))) == set(
        found
    )


@pytest.mark.parametrize("code", ["xx", "lva", "l"])
def test_an_unknown_country_has_no_feed(client, latvia, code):
    response = client.get(reverse("calendar:feed_country", args=[code]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


def test_the_school_feed_holds_its_public_activities(client, school, other_school):
    own = ActivityFactory(school=school, starts_on=soon(2), ends_on=soon(2))
    ActivityFactory(
        school=school, starts_on=soon(2), ends_on=soon(2), visibility=ActivityVisibility.NETWORK
    )
    ActivityFactory(school=other_school, starts_on=soon(2), ends_on=soon(2))
    found = events_of(parsed(client.get(reverse("calendar:feed_school", args=[school.pk]))))
    assert set(found) == {uid("activity", own.pk)}


def test_a_school_that_does_not_exist_or_is_not_public_has_no_feed(client, latvia):
    applicant = SchoolFactory(
        country=latvia, membership_status=MembershipStatus.SUBMITTED, name="Pieteicēja skola"
    )
    ActivityFactory(school=applicant, starts_on=soon(1), ends_on=soon(1), title="Slepena")
    for pk in (applicant.pk, 999_999):
        response = client.get(reverse("calendar:feed_school", args=[pk]))
        assert response.status_code == 404
        body = response.content.decode()
        assert "Slepena" not in body and "Pieteicēja" not in body


def test_public_feeds_may_be_cached_and_answer_only_get(client, latvia):
    response = client.get(NETWORK)
    assert "public" in response["Cache-Control"]
    assert client.post(NETWORK).status_code == 405


# -- a person's own feed -------------------------------------------------------------------------


def personal_url(user) -> str:
    feed = PersonalFeed.objects.filter(user=user).first() or personal_feed_renew(user=user)
    return reverse("calendar:feed_personal", args=[personal_feed_address(feed)])


def entry(event, school) -> str:
    """The one UID of an event and a school in a personal feed."""
    return f"event-{event.pk}-school-{school.pk}@127.0.0.1"


def summary_of(msgid: str, language: str, **names) -> str:
    with translation.override(language):
        return gettext(msgid) % names


WAITING_SUMMARY = "%(title)s (%(school)s: on the waiting list, number %(position)s)"
CONFIRMED_SUMMARY = "%(title)s (%(school)s: place confirmed)"
CANCELLED_SUMMARY = "%(title)s (%(school)s: registration cancelled)"


def test_the_personal_feed_holds_the_persons_registrations_with_their_state(
    client, school, other_school, coordinator, latvia
):
    confirmed = NetworkEventFactory(
        country=latvia, visibility=EventVisibility.NETWORK, online_url="https://meet.example.org/x"
    )
    waiting = NetworkEventFactory(country=latvia, online_url="https://meet.example.org/w")
    withdrawn = NetworkEventFactory(country=latvia)
    not_mine = NetworkEventFactory(country=latvia)
    registration_of(confirmed, school)
    registration_of(waiting, other_school, status=RegistrationStatus.WAITING)  # first in line
    registration_of(waiting, school, status=RegistrationStatus.WAITING)
    registration_of(withdrawn, school, status=RegistrationStatus.CANCELLED)
    registration_of(not_mine, other_school)
    response = client.get(personal_url(coordinator))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    found = events_of(parsed(response))
    assert set(found) == {entry(event, school) for event in (confirmed, waiting, withdrawn)}
    statuses = {key: str(component["STATUS"]) for key, component in found.items()}
    assert statuses == {
        entry(confirmed, school): "CONFIRMED",
        entry(waiting, school): "TENTATIVE",
        entry(withdrawn, school): "CANCELLED",
    }
    # The school's state in the title, in the person's language (Latvian by default).
    language = coordinator.preferred_language
    assert str(found[entry(waiting, school)]["SUMMARY"]) == summary_of(
        WAITING_SUMMARY, language, title=waiting.title, school=school.name, position=2
    )
    assert str(found[entry(confirmed, school)]["SUMMARY"]) == summary_of(
        CONFIRMED_SUMMARY, language, title=confirmed.title, school=school.name
    )
    assert str(found[entry(withdrawn, school)]["SUMMARY"]) == summary_of(
        CANCELLED_SUMMARY, language, title=withdrawn.title, school=school.name
    )
    # A network-only event in the person's own feed, with its online link for a confirmed
    # place only (not while waiting), and never in a public feed.
    assert "https://meet.example.org/x" in str(found[entry(confirmed, school)]["DESCRIPTION"])
    assert "https://meet.example.org/w" not in response.content.decode()
    assert "https://meet.example.org/x" not in parsed(client.get(NETWORK)).to_ical().decode()


def test_the_personal_feed_is_in_the_persons_language(client, school, coordinator, latvia):
    event = NetworkEventFactory(country=latvia, title="Seminārs", title_en="Seminar")
    registration_of(event, school)
    url = personal_url(coordinator)
    for language, title in (("en", "Seminar"), ("lv", "Seminārs")):
        coordinator.preferred_language = language
        coordinator.save()
        # Whatever language the calendar application asks in.
        found = events_of(parsed(client.get(url, HTTP_ACCEPT_LANGUAGE="de")))
        assert str(found[entry(event, school)]["SUMMARY"]) == summary_of(
            CONFIRMED_SUMMARY, language, title=title, school=school.name
        )


def test_a_seat_from_the_waiting_list_moves_the_sequence_on(client, school, coordinator, latvia):
    event = NetworkEventFactory(country=latvia)
    registration = registration_of(event, school, status=RegistrationStatus.WAITING)
    url = personal_url(coordinator)
    before = events_of(parsed(client.get(url)))[entry(event, school)]
    registration.status = RegistrationStatus.CONFIRMED
    registration.save()
    after = events_of(parsed(client.get(url)))[entry(event, school)]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["STATUS"]) == "CONFIRMED"


def test_a_school_that_registers_again_has_one_entry_whose_sequence_moves_on(
    client, school, coordinator, latvia
):
    event = NetworkEventFactory(country=latvia)
    first = registration_of(event, school)
    url = personal_url(coordinator)
    sequences = [int(events_of(parsed(client.get(url)))[entry(event, school)]["SEQUENCE"])]
    first.status = RegistrationStatus.CANCELLED
    first.save()
    sequences.append(int(events_of(parsed(client.get(url)))[entry(event, school)]["SEQUENCE"]))
    registration_of(event, school, status=RegistrationStatus.WAITING)
    found = events_of(parsed(client.get(url)))
    assert list(found) == [entry(event, school)]
    assert str(found[entry(event, school)]["STATUS"]) == "TENTATIVE"
    sequences.append(int(found[entry(event, school)]["SEQUENCE"]))
    assert sequences == sorted(set(sequences))  # strictly growing


def test_a_teacher_finds_their_schools_registrations(client, school, other_school, latvia):
    teacher = person_with(Role.TEACHER, school=school, email="anna@example.org")
    member = TeamMemberFactory(school=school, email="Anna@Example.org")
    event = NetworkEventFactory(country=latvia)
    other = NetworkEventFactory(country=latvia)
    elsewhere = NetworkEventFactory(country=latvia)
    registration_of(event, school, members=[member])
    registration_of(other, school)
    # Named at another school where she holds no role: not hers.
    registration_of(
        elsewhere,
        other_school,
        members=[TeamMemberFactory(school=other_school, email="anna@example.org")],
    )
    assert set(events_of(parsed(client.get(personal_url(teacher))))) == {
        entry(event, school),
        entry(other, school),
    }


def test_a_coordinator_whose_role_was_revoked_loses_the_schools_registrations(
    client, school, coordinator, latvia
):
    event = NetworkEventFactory(country=latvia, online_url="https://meet.example.org/y")
    registration = registration_of(event, school)
    registration.created_by = coordinator  # registered by them
    registration.save()
    url = personal_url(coordinator)
    assert set(events_of(parsed(client.get(url)))) == {entry(event, school)}
    role_revoke(actor=StandIn.COMMAND_LINE, assignment=RoleAssignment.objects.get(user=coordinator))
    response = client.get(url)
    assert events_of(parsed(response)) == {}
    assert "meet.example.org" not in response.content.decode()


def test_an_event_the_person_may_no_longer_see_leaves_their_feed(
    client, coordinator, school, latvia
):
    event = NetworkEventFactory(country=latvia, visibility=EventVisibility.NETWORK)
    registration = registration_of(event, school)
    registration.created_by = coordinator
    registration.save()
    url = personal_url(coordinator)
    assert events_of(parsed(client.get(url)))
    role_revoke(actor=StandIn.COMMAND_LINE, assignment=RoleAssignment.objects.get(user=coordinator))
    assert events_of(parsed(client.get(url))) == {}


def test_a_new_address_stops_the_old_one(client, coordinator):
    old = personal_url(coordinator)
    assert client.get(old).status_code == 200
    personal_feed_renew(user=coordinator)
    response = client.get(old)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert client.get(personal_url(coordinator)).status_code == 200


@pytest.mark.parametrize("token", ["1:forged", "abc", "999999:xyz", ":", "1"])
def test_a_forged_address_finds_no_one(client, coordinator, token):
    personal_feed_renew(user=coordinator)
    assert client.get(reverse("calendar:feed_personal", args=[token])).status_code == 404


def test_anothers_signature_does_not_open_ones_feed(client, coordinator, teacher):
    mine = personal_feed_renew(user=coordinator)
    theirs = personal_feed_renew(user=teacher)
    signature = personal_feed_address(theirs).partition(":")[2]
    forged = f"{mine.user_id}:{signature}"
    assert client.get(reverse("calendar:feed_personal", args=[forged])).status_code == 404


def test_a_deactivated_persons_feed_is_gone(client, coordinator):
    url = personal_url(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert client.get(url).status_code == 404


# -- the page of addresses -------------------------------------------------------------------------


FEEDS = reverse("calendar:feeds")


def test_anyone_sees_the_public_addresses(client, school):
    response = client.get(FEEDS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "http://testserver/calendar/feeds/network.ics" in body
    assert "http://testserver/calendar/feeds/country/lv.ics" in body
    assert reverse("account_login") in body
    assert "/calendar/feeds/me/" not in body


def test_a_person_makes_their_address_and_a_new_one_replaces_it(client, coordinator, school):
    client.force_login(coordinator)
    assert "/calendar/feeds/me/" not in client.get(FEEDS).content.decode()
    assert client.post(reverse("calendar:feed_renew")).status_code == 302
    page = client.get(FEEDS)
    assert "no-store" in page["Cache-Control"]
    first = personal_feed_address(PersonalFeed.objects.get(user=coordinator))
    assert first in page.content.decode()
    assert f"http://testserver/calendar/feeds/school/{school.pk}.ics" in page.content.decode()
    client.post(reverse("calendar:feed_renew"))
    second = personal_feed_address(PersonalFeed.objects.get(user=coordinator))
    assert second != first
    assert second in client.get(FEEDS).content.decode()
    entries = AuditEntry.objects.filter(
        action=AuditAction.CALENDAR_FEED_ADDRESS_MADE, actor=coordinator
    )
    assert [entry.after for entry in entries.order_by("pk")] == [
        {"renewed": False},
        {"renewed": True},
    ]
    assert all(
        PersonalFeed.objects.get(user=coordinator).secret not in str(entry.after)
        for entry in entries
    )


def test_making_an_address_needs_a_sign_in_and_a_post(client, coordinator):
    url = reverse("calendar:feed_renew")
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not PersonalFeed.objects.exists()
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    assert not PersonalFeed.objects.exists()


def test_the_service_refuses_anonymous_visitors():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        personal_feed_renew(user=AnonymousUser())
    inactive = UserFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        personal_feed_renew(user=inactive)
    assert not PersonalFeed.objects.exists()
