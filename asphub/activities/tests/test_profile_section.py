"""The school's public profile lists its latest public activities (never the network-only ones)
with a link to all of them; the profile is a cached page, and a new public activity shows on it
at once (the page cache's triggers on the activities table), while a change that touches no
public activity keeps every cached page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from asphub.activities.models import Activity
from asphub.activities.selectors import PROFILE_ITEMS, school_profile_section
from asphub.activities.services import activity_create, activity_delete, activity_update
from asphub.activities.tests.factories import ActivityFactory
from asphub.schools.page_cache import data_version

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
        actor=teacher,
        activity=activity,
        data={"visibility": "network"},
        seen_sequence=activity.sequence,
    )
    after_hiding = client.get(profile).content.decode()

    assert "Tolerances nedēļa" not in before
    # The profile is a cached page: the new activity must show at once, and go at once.
    assert "Tolerances nedēļa" in after_create
    assert "Tolerances nedēļa" not in after_hiding


def test_a_change_to_network_only_activities_keeps_the_cached_pages(school, teacher):
    # Cached pages show public activities only: nothing else drops them (migration 0005).
    before = data_version()
    activity = activity_create(actor=teacher, school=school, data={**DATA, "visibility": "network"})
    activity = activity_update(
        actor=teacher, activity=activity, data={"title": "Tīkla sanāksme"}, seen_sequence=0
    )
    ActivityFactory.create_batch(3, school=school, visibility="network")
    Activity.objects.filter(visibility="network").update(place="Skolas zāle")
    activity_delete(actor=teacher, activity=activity)
    Activity.objects.filter(visibility="network").delete()
    assert data_version() == before


@pytest.mark.parametrize(
    "change",
    [
        "create_public",
        "update_public",
        "make_public",
        "make_network_only",
        "delete_public",
        "bulk_update_with_one_public",
        "bulk_delete_with_one_public",
    ],
)
def test_a_change_a_public_activity_takes_part_in_writes_a_new_data_version(school, change):
    public = ActivityFactory(school=school, visibility="public")
    network = ActivityFactory(school=school, visibility="network")
    before = data_version()
    rows = Activity.objects.filter(pk__in=[public.pk, network.pk])
    {
        "create_public": lambda: ActivityFactory(school=school, visibility="public"),
        "update_public": lambda: rows.filter(pk=public.pk).update(title="Jauns"),
        "make_public": lambda: rows.filter(pk=network.pk).update(visibility="public"),
        "make_network_only": lambda: rows.filter(pk=public.pk).update(visibility="network"),
        "delete_public": lambda: rows.filter(pk=public.pk).delete(),
        "bulk_update_with_one_public": lambda: rows.update(place="Parks"),
        "bulk_delete_with_one_public": lambda: rows.delete(),
    }[change]()
    assert data_version() != before


def test_the_profile_cache_triggers_are_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["activities_activity"],
            )
            triggers = dict(cursor.fetchall())
            assert sorted(triggers) == [
                f"activities_activity_directory_changed_{event}"
                for event in ("delete", "insert", "update")
            ]
            assert all("'public'" in sql for sql in triggers.values())
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'activities_activity'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
            assert [row[0] for row in cursor.fetchall()] == [
                f"directory_changed_{event}" for event in ("delete", "insert", "truncate", "update")
            ]
