from django.db import migrations, models

import asphub.countries.models


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0004_contact_details_are_single_lines"),
    ]

    operations = [
        # Added in place: on SQLite Django would rebuild the table for a NOT NULL column, and
        # the page cache's triggers on it (schools/0003) do not survive a rebuild.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE countries_country "
                    "ADD COLUMN time_zone varchar(64) NOT NULL DEFAULT ''",
                    "ALTER TABLE countries_country DROP COLUMN time_zone",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="country",
                    name="time_zone",
                    field=models.CharField(
                        blank=True,
                        help_text=(
                            "The time zone of the national network's events, e.g. "
                            "Europe/Riga; empty: the country's own (the first of the tz "
                            "database)."
                        ),
                        max_length=64,
                        validators=[asphub.countries.models.validate_time_zone],
                        verbose_name="time zone",
                    ),
                )
            ],
        ),
    ]
