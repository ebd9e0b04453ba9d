"""Indexes the calendar reads from (asphub.calendar.selectors): the public activities by start
date (to count each day's on the index alone and read a day's first few in their order), the
same per country, a school's public ones, and the length class with the dates, also per
country (to count what goes on from before a day over a bounded range of start dates,
asphub.activities.models.LengthClass). The index on visibility alone is the first column of
the first one. Indexes only: the table is not rebuilt, so the directory triggers of 0002 stay
in place."""

from django.db import migrations, models

import asphub.activities.models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_school_profiles_follow_activities"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_visibility",
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["visibility", "starts_on", "id"], name="activity_public_starts"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["country", "starts_on", "visibility"], name="activity_country_starts"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["school", "visibility", "starts_on"], name="activity_school_public"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                asphub.activities.models.LengthClass(),
                models.F("visibility"),
                models.F("starts_on"),
                models.F("ends_on"),
                name="activity_running",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                asphub.activities.models.LengthClass(),
                models.F("country"),
                models.F("starts_on"),
                models.F("ends_on"),
                models.F("visibility"),
                name="activity_country_running",
            ),
        ),
    ]
