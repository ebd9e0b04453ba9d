"""Labels (verbose names) for the fields of activity links and photos that had none. No
change to the database: on SQLite the activities table is not rebuilt, so its directory
triggers stay in place."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_calendar_reads_from_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="activitylink",
            name="activity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="links",
                to="activities.activity",
                verbose_name="activity",
            ),
        ),
        migrations.AlterField(
            model_name="activitylink",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="position"),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="activity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="photos",
                to="activities.activity",
                verbose_name="activity",
            ),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="content_type",
            field=models.CharField(max_length=40, verbose_name="file type"),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="uploaded"),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="height",
            field=models.PositiveIntegerField(verbose_name="height in pixels"),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="position"),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="uploaded by",
            ),
        ),
        migrations.AlterField(
            model_name="activityphoto",
            name="width",
            field=models.PositiveIntegerField(verbose_name="width in pixels"),
        ),
    ]
