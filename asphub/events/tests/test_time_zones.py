"""An event's times are in the time zone of its country (Country.zone), whoever reads them:
typed so in the national coordinator's form, shown so on its pages and in the lists, and
written so in the e-mails. Germany (Europe/Berlin) is an hour behind the platform's own
Europe/Riga, so a time read in the wrong zone shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.events.models import NetworkEvent
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import CountryFactory, SchoolFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
RIGA = ZoneInfo("Europe/Riga")
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def germany():
    return CountryFactory(code="DE", name_lv="Vācija", name_en="Germany", has_national_network=True)


@pytest.fixture
def german_coordinator(germany):
    user = person_with(Role.NATIONAL_COORDINATOR, country=germany, email="de@example.org")
    enrol_authenticator(user)
    return user


def ten_oclock(days: int = 40) -> datetime:
    """10:00 in Berlin, `days` from now."""
    day = (timezone.now() + timedelta(days=days)).astimezone(BERLIN).date()
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN)


def form_post(starts: datetime, **changes) -> dict:
    data = {
        "kind": "seminar",
        "language": "en",
        "title": "Planning seminar",
        "description": "The year ahead.",
        "title_en": "",
        "description_en": "",
        "starts_at": starts.strftime(LOCAL),
        "ends_at": (starts + timedelta(hours=6)).strftime(LOCAL),
        "place": "Berlin",
        "online_url": "",
        "capacity": "10",
        "members_per_school": "2",
        "registration_deadline": (starts - timedelta(days=7)).strftime(LOCAL),
        "visibility": "public",
    }
    data.update(changes)
    return data


def test_the_country_has_its_own_zone(germany, latvia):
    assert germany.zone == BERLIN and latvia.zone == RIGA


def test_a_time_typed_in_the_form_is_the_countrys_time(client, german_coordinator):
    starts = ten_oclock()
    client.force_login(german_coordinator)
    create = client.get(reverse("events:create", args=["DE"]))
    assert create.status_code == 200
    assert 'data-zone="Europe/Berlin"' in create.content.decode()
    response = client.post(reverse("events:create", args=["DE"]), form_post(starts))
    assert response.status_code == 302
    event = NetworkEvent.objects.get()
    assert event.starts_at == starts
    assert event.starts_at.astimezone(BERLIN).hour == 10
    assert event.starts_at.astimezone(RIGA).hour == 11
    # The form to change it shows the time as it was typed.
    edit = client.get(reverse("events:edit", args=[event.pk]))
    assert f'value="{starts.strftime(LOCAL)}"' in edit.content.decode()
    assert 'data-zone="Europe/Berlin"' in edit.content.decode()


def test_a_change_typed_in_the_form_is_the_countrys_time(client, german_coordinator, germany):
    event = NetworkEventFactory(country=germany)
    starts = ten_oclock(days=50)
    client.force_login(german_coordinator)
    response = client.post(
        reverse("events:edit", args=[event.pk]),
        form_post(starts, seen_sequence=str(event.sequence)),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == starts


def test_the_pages_show_the_countrys_time(client, german_coordinator, germany, latvia):
    starts = ten_oclock()
    event = NetworkEventFactory(
        country=germany,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        registration_deadline=starts - timedelta(days=2),
    )
    # A Latvian event at the same instant shows Riga's time (11:00) in the same list.
    NetworkEventFactory(
        country=latvia,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        registration_deadline=starts - timedelta(days=2),
    )
    in_berlin = f'datetime="{starts.isoformat()}"'
    in_riga = f'datetime="{starts.astimezone(RIGA).isoformat()}"'
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert in_berlin in page and "Europe/Berlin" in page
    assert f'datetime="{(starts - timedelta(days=2)).isoformat()}"' in page
    listed = client.get(reverse("events:list")).content.decode()
    assert in_berlin in listed and in_riga in listed
    client.force_login(german_coordinator)
    for name in ("manage", "registrations"):
        managed = client.get(reverse(f"events:{name}", args=[event.pk])).content.decode()
        assert in_berlin in managed


def test_the_e_mail_gives_the_countrys_time(client, germany, mailoutbox):
    starts = ten_oclock()
    event = NetworkEventFactory(
        country=germany,
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        registration_deadline=starts - timedelta(days=2),
    )
    school = SchoolFactory(country=germany)
    member = TeamMemberFactory(school=school)
    coordinator = person_with(
        Role.SCHOOL_COORDINATOR, school=school, email="schule@example.org", preferred_language="en"
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"school": school.pk, f"school-{school.pk}-members": [member.pk]},
    )
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [coordinator.email]
    assert "10:00" in message.body and "11:00" not in message.body
    assert "Europe/Berlin" in message.body
