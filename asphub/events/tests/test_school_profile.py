"""A school's attendance at network events on its profile page: shown to the school's own
people and its national coordinator, never to the public (nor to another school's people),
never kept in the page cache that anonymous visitors are served from, and read with the same
number of queries whatever the school attended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.events.models import RegistrationStatus
from asphub.events.selectors import school_event_attendance
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role
from asphub.roles.permissions import needs_two_factor
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db

PAST_TITLE = "Pagājušā gada konference"
COMING_TITLE = "Nākamais seminārs"


def signed_in(client, user):
    if needs_two_factor(user):
        enrol_authenticator(user)
    client.force_login(user)
    return client


def attended_events(school, count: int, *, title: str = PAST_TITLE) -> None:
    now = timezone.now()
    for number in range(count):
        event = NetworkEventFactory(
            country=school.country,
            title=f"{title} {number}" if number else title,
            starts_at=now - timedelta(days=30 + number),
            registration_deadline=now - timedelta(days=40 + number),
        )
        members = TeamMemberFactory.create_batch(2, school=school)
        registration = registration_of(event, school, members=members)
        first = registration.participants.order_by("pk").first()
        first.attended = True
        first.save()


@pytest.fixture
def history(school):
    attended_events(school, 1)
    coming = NetworkEventFactory(country=school.country, title=COMING_TITLE)
    registration_of(coming, school, status=RegistrationStatus.WAITING)
    return school


def profile(client, school):
    return client.get(school.get_absolute_url())


@pytest.mark.parametrize("who", ["coordinator", "teacher", "national", "admin"])
def test_the_schools_people_and_its_national_coordinator_see_its_attendance(
    client, history, who, coordinator, teacher, national_coordinator, administrator
):
    user = {
        "coordinator": coordinator,
        "teacher": teacher,
        "national": national_coordinator,
        "admin": administrator,
    }[who]
    body = profile(signed_in(client, user), history).content.decode()
    assert PAST_TITLE in body and COMING_TITLE in body


def test_the_public_never_sees_it(client, history):
    response = profile(client, history)
    assert response.status_code == 200
    body = response.content.decode()
    assert PAST_TITLE not in body and COMING_TITLE not in body


@pytest.mark.parametrize("who", ["other_coordinator", "foreign_national", "reviewer"])
def test_other_peoples_eyes_do_not_see_it(client, history, who, other_school, estonia, latvia):
    user = {
        "other_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=other_school),
        "foreign_national": lambda: person_with(Role.NATIONAL_COORDINATOR, country=estonia),
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
    }[who]()
    body = profile(signed_in(client, user), history).content.decode()
    assert PAST_TITLE not in body and COMING_TITLE not in body


def test_the_page_kept_for_anonymous_visitors_never_holds_it(
    client, history, coordinator, settings
):
    settings.ASPHUB_DIRECTORY_CACHE = True
    # The coordinator first: their page is theirs alone, never kept.
    assert PAST_TITLE in profile(signed_in(client, coordinator), history).content.decode()
    client.logout()
    client.cookies.clear()
    anonymous = profile(client, history)
    assert PAST_TITLE not in anonymous.content.decode()
    # Kept now for anonymous visitors; the coordinator still gets their own.
    assert PAST_TITLE not in profile(client, history).content.decode()
    assert PAST_TITLE in profile(signed_in(client, coordinator), history).content.decode()


@pytest.mark.parametrize("signed", [False, True])
def test_the_profile_takes_the_same_queries_for_12_or_40_events(
    client, school, other_school, coordinator, signed
):
    """(Up to PROFILE_EVENTS, one query fewer: the total is then the rows read.)"""
    other = person_with(Role.SCHOOL_COORDINATOR, school=other_school)
    attended_events(school, 12)
    attended_events(other_school, 40)
    counts = []
    for viewed, viewer in ((school, coordinator), (other_school, other)):
        if signed:
            signed_in(client, viewer)
        profile(client, viewed)
        with CaptureQueriesContext(connection) as recorded:
            assert profile(client, viewed).status_code == 200
        counts.append(len(recorded.captured_queries))
    assert counts[0] == counts[1]


def test_the_annual_report_reads_the_attendance_of_a_school_year(school):
    attended_events(school, 3)
    now = timezone.now()
    rows = list(
        school_event_attendance(school, since=now - timedelta(days=31, hours=12), until=now)
    )
    assert [(row.named, row.attended, row.absent) for row in rows] == [(2, 1, 0), (2, 1, 0)]
