# The audit log moved from the core app into its own app. The table stays as it is
# (core_auditentry): only Django's idea of which app owns the model changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0001_create_audit_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True, db_index=True, verbose_name="when"
                            ),
                        ),
                        (
                            "actor_label",
                            models.CharField(
                                blank=True, max_length=254, verbose_name="who (as recorded)"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(db_index=True, max_length=80, verbose_name="action"),
                        ),
                        (
                            "object_type",
                            models.CharField(blank=True, max_length=80, verbose_name="object type"),
                        ),
                        (
                            "object_id",
                            models.CharField(blank=True, max_length=64, verbose_name="object id"),
                        ),
                        (
                            "object_label",
                            models.CharField(blank=True, max_length=255, verbose_name="object"),
                        ),
                        (
                            "country_code",
                            models.CharField(
                                blank=True, db_index=True, max_length=2, verbose_name="country"
                            ),
                        ),
                        ("before", models.JSONField(blank=True, null=True, verbose_name="before")),
                        ("after", models.JSONField(blank=True, null=True, verbose_name="after")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="who",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit log",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "core_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
