"""The school's public profile lists its latest public activities (never the network-only ones)
with a link to all of them; the profile is a cached page, and a new public activity shows on it
at once (the page cache's triggers on the activities table)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from asphub.activities.selectors import PROFILE_ITEMS, school_profile_section
from asphub.activities.services import activity_create, activity_update
from asphub.activities.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "campaign_week",
    "title": "Tolerances nedēļa",
    "language": "lv",
    "starts_on": datetime.date(2025, 11, 10),
    "ends_on": datetime.date(2025, 11, 16),
    "visibility": "public",
}


def test_the_profile_lists_the_latest_public_activities_with_a_link_to_all(client, school):
    for day in range(1, PROFILE_ITEMS + 3):
        ActivityFactory(
            school=school, title=f"Aktivitāte {day}", starts_on=datetime.date(2025, 1, day)
        )
    ActivityFactory(school=school, title="Tīkla sapulce", visibility="network")
    body = client.get(reverse("schools:detail", args=[school.slug])).content.decode()
    assert "Tīkla sapulce" not in body
    shown = [day for day in range(1, PROFILE_ITEMS + 3) if f"Aktivitāte {day}<" in body]
    assert shown == list(range(3, PROFILE_ITEMS + 3))  # the newest five
    assert reverse("activities:school_public", args=[school.slug]) in body
    section = school_profile_section(school)
    assert section["more"] and section["total"] == PROFILE_ITEMS + 2


def test_a_school_without_public_activities_shows_no_section(client, school):
    ActivityFactory(school=school, visibility="network")
    body = client.get(reverse("schools:detail", args=[school.slug])).content.decode()
    assert 'id="school-activities"' not in body


def test_the_cached_profile_follows_new_and_changed_activities(client, school, teacher, settings):
    settings.ASPHUB_DIRECTORY_CACHE = True
    profile = reverse("schools:detail", args=[school.slug])
    before = client.get(profile).content.decode()
    activity = activity_create(actor=teacher, school=school, data=DATA)
    after_create = client.get(profile).content.decode()
    activity_update(
        actor=teacher, activity=activity, data={"visibility": "network"}, seen_sequence=None
    )
    after_hiding = client.get(profile).content.decode()

    assert "Tolerances nedēļa" not in before
    # The profile is a cached page: the new activity must show at once, and go at once.
    assert "Tolerances nedēļa" in after_create
    assert "Tolerances nedēļa" not in after_hiding


def test_the_profile_cache_triggers_are_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["activities_activity"],
            )
            assert len(cursor.fetchall()) == 3
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'activities_activity'::regclass "
                "AND NOT tgisinternal"
            )
            assert [row[0] for row in cursor.fetchall()] == ["directory_changed"]
