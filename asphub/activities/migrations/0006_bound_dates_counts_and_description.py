"""Bounds an activity's dates to the network's years (2000 to 2100: a row dated 9999 broke every
calendar feed), each participant count to its own maximum, and the descriptions to 10,000
characters; the database checks the dates and counts too.

On SQLite adding the constraints rebuilds activities_activity, which drops the page cache's
triggers: they are made again afterwards (and before the reverse rebuild, on the way back), as
0005 made them."""

import datetime
from importlib import import_module

import django.core.validators
from django.conf import settings
from django.db import migrations, models

import asphub.core.validators

_cache_triggers = import_module(
    "asphub.activities.migrations.0005_profile_cache_follows_public_activities_only"
)


def page_cache_triggers(apps, schema_editor) -> None:
    """SQLite only: its table rebuild dropped them (PostgreSQL keeps them)."""
    if schema_editor.connection.vendor == "sqlite":
        _cache_triggers.public_only(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_profile_cache_follows_public_activities_only"),
        ("countries", "0005_country_time_zone"),
        ("practices", "0002_school_profiles_follow_the_library"),
        ("schools", "0010_search_index_of_public_schools"),
        ("taxonomy", "0001_create_network_vocabulary"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, page_cache_triggers),
        migrations.RemoveConstraint(
            model_name="activity",
            name="activity_participants_bounded",
        ),
        migrations.AlterField(
            model_name="activity",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="Markdown: headings, lists, links, emphasis. Raw HTML is shown as text.",
                max_length=10000,
                validators=[django.core.validators.MaxLengthValidator(10000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="description_en",
            field=models.TextField(
                blank=True,
                max_length=10000,
                validators=[django.core.validators.MaxLengthValidator(10000)],
                verbose_name="description in English",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="ends_on",
            field=models.DateField(
                validators=[asphub.core.validators.validate_year_in_range], verbose_name="ends on"
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="pupils",
            field=models.PositiveIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(20000)],
                verbose_name="pupils taking part",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="starts_on",
            field=models.DateField(
                validators=[asphub.core.validators.validate_year_in_range], verbose_name="starts on"
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="teachers",
            field=models.PositiveIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(2000)],
                verbose_name="teachers taking part",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("pupils__lte", 20000), ("teachers__lte", 2000), ("others__lte", 100000)
                ),
                name="activity_participants_bounded_per_kind",
                violation_error_code="too_many_participants",
                violation_error_message="A participant count is larger than any activity's.",
            ),
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("starts_on__gte", datetime.date(2000, 1, 1)),
                    ("starts_on__lte", datetime.date(2100, 12, 31)),
                    ("ends_on__gte", datetime.date(2000, 1, 1)),
                    ("ends_on__lte", datetime.date(2100, 12, 31)),
                ),
                name="activity_dates_in_year_range",
                violation_error_code="year_out_of_range",
                violation_error_message="The activity's dates are outside the years it may have.",
            ),
        ),
        migrations.RunPython(page_cache_triggers, migrations.RunPython.noop),
    ]
