"""Labels (verbose names) for the fields of event participants that had none, and the
registrations' and participants' default order by their own columns (event_id / registration_id,
then creation and id) instead of by the related rows, which joined them to every query. No change
to the database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_network_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="eventparticipant",
            options={
                "ordering": ["registration_id", "id"],
                "verbose_name": "participant",
                "verbose_name_plural": "participants",
            },
        ),
        migrations.AlterModelOptions(
            name="eventregistration",
            options={
                "ordering": ["event_id", "created_at", "id"],
                "verbose_name": "registration",
                "verbose_name_plural": "registrations",
            },
        ),
        migrations.AlterField(
            model_name="eventparticipant",
            name="attendance_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="attendance recorded by",
            ),
        ),
    ]
