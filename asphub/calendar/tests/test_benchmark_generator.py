"""The calendar benchmark's generator (benchmarks.calendar) at a tiny scale: its activities,
network events, registrations and team members are rows the models accept (every field
validator and constraint), spread as the benchmark says, and the same for the same seed."""

import json
from collections import Counter

import pytest
from django.conf import settings

from asphub.activities.models import Activity, ActivityKind
from asphub.events.models import (
    EventParticipant,
    EventRegistration,
    EventStatus,
    NetworkEvent,
    RegistrationStatus,
)
from asphub.schools.models import TeamMember
from asphub.schools.tests.factories import CountryFactory, SchoolFactory
from asphub.taxonomy.services import reference_data_load
from benchmarks.calendar import CalendarGenerator, Vocabulary, samples

ACTIVITIES = 240
EVENTS = 12
SEED = 5
YEAR = 2026


@pytest.fixture
def world(db):
    reference = json.loads((settings.BASE_DIR / "data" / "reference.json").read_text("utf-8"))
    reference_data_load(reference)
    latvia = CountryFactory(code="LV")
    finland = CountryFactory(code="FI", name_lv="Somija", name_en="Finland")
    for _ in range(4):
        SchoolFactory(country=latvia)
    for _ in range(3):
        SchoolFactory(country=finland, settlement="Espoo")
    SchoolFactory(country=latvia, membership_status="submitted")  # not in the public directory
    return latvia, finland


def _generate(seed=SEED):
    return CalendarGenerator(
        activities=ACTIVITIES, events=EVENTS, year=YEAR, seed=seed, batch=50, log=lambda _m: None
    ).run()


def test_the_generated_rows_are_valid_and_counted(world):
    latvia, _finland = world
    counts = _generate()
    assert counts["activities"] == Activity.objects.count() == ACTIVITIES
    assert counts["events"] == NetworkEvent.objects.count() == EVENTS
    assert counts["registrations"] == EventRegistration.objects.count() > 0
    assert counts["participants"] == EventParticipant.objects.count() > 0
    for activity in Activity.objects.all():
        activity.full_clean()
        assert activity.country_id == activity.school.country_id
        assert activity.school.membership_status in ("candidate", "member", "dormant")
    for event in NetworkEvent.objects.all():
        event.full_clean()
        assert (event.published_at is None) == (event.status == EventStatus.DRAFT)
    for registration in EventRegistration.objects.all():
        registration.full_clean()
        assert registration.school.country_id == registration.event.country_id
    for member in TeamMember.objects.all():
        member.full_clean()
    assert counts["public"] == Activity.objects.filter(visibility="public").count()
    assert counts["latvian"] == Activity.objects.filter(country=latvia).count()


def test_the_rows_are_spread_as_a_calendar_needs(world):
    _generate()
    activities = Activity.objects.all()
    assert {a.kind for a in activities} >= {ActivityKind.PROJECT, ActivityKind.SPECIAL_LESSON}
    years = Counter(a.starts_on.year for a in activities)
    assert set(years) <= set(range(YEAR - 4, YEAR + 2))
    assert years[YEAR] == max(years.values())
    visibility = Counter(a.visibility for a in activities)
    assert visibility["public"] > visibility["network"] > 0
    assert Activity.objects.filter(thematic_areas__isnull=True).count() == 0
    assert {a.language for a in activities} == {"lv", "en"}
    for activity in activities.filter(kind=ActivityKind.INTERNATIONAL_DAY):
        day = activity.international_day
        assert day is not None and activity.starts_on.month == day.month
        assert activity.starts_on == activity.ends_on
    assert all(a.ends_on >= a.starts_on for a in activities)
    for event in NetworkEvent.objects.exclude(status=EventStatus.DRAFT):
        registrations = event.registrations.all()
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING]
        assert len(confirmed) <= event.capacity
        assert not waiting or len(confirmed) == event.capacity
        for registration in registrations:
            named = list(registration.participants.select_related("team_member"))
            assert len(named) <= event.members_per_school
            assert all(p.team_member.school_id == registration.school_id for p in named)
    assert not EventRegistration.objects.filter(event__status=EventStatus.DRAFT).exists()


def test_the_same_seed_gives_the_same_activities(world):
    vocabulary = Vocabulary.load()

    def rows(seed):
        generator = CalendarGenerator(activities=20, events=0, year=YEAR, seed=seed)
        made = [generator.activity(number, vocabulary) for number in range(20)]
        return [
            (a.school_id, a.kind, a.title, a.starts_on, a.ends_on, a.visibility, tags)
            for a, tags in made
        ]

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)


def test_the_samples_name_public_pages(world):
    _generate()
    found = samples()
    assert found["schools"] and found["events"] and found["activities"]
    assert all(Activity.objects.get(pk=pk).visibility == "public" for pk in found["activities"])
    assert all(
        NetworkEvent.objects.get(pk=pk).status != EventStatus.DRAFT for pk in found["events"]
    )
    assert Activity.objects.get(pk=found["network_only"][0]).visibility == "network"
