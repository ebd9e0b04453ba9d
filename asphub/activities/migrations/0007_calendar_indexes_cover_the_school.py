"""The calendar's indexes of 0003 end with the school: an activity is shown only while its
school is listed in the directory (asphub.activities.selectors.LISTED_SCHOOL), and with the
school in the index the calendar still counts each day's activities, and those going on from
before, without reading the rows. Indexes only: the table is not rebuilt, so the directory
triggers stay in place."""

from django.db import migrations, models

import asphub.activities.models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_bound_dates_counts_and_description"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_public_starts",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_country_starts",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_running",
        ),
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_country_running",
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["visibility", "starts_on", "id", "school"], name="activity_public_starts"
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["country", "starts_on", "visibility", "school"],
                name="activity_country_starts",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                asphub.activities.models.LengthClass(),
                models.F("visibility"),
                models.F("starts_on"),
                models.F("ends_on"),
                models.F("school"),
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
                models.F("school"),
                name="activity_country_running",
            ),
        ),
    ]
