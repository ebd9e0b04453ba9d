"""Every school's current status becomes the first entry of its membership history, "recorded
at import", dated when the school was added (nobody recorded when it really changed)."""

from django.db import migrations

BATCH = 1000


def record_statuses(apps, schema_editor) -> None:
    School = apps.get_model("schools", "School")
    MembershipChange = apps.get_model("schools", "MembershipChange")
    pending = School.objects.filter(history__isnull=True).order_by("pk")
    last_pk = 0
    while True:
        batch = list(
            pending.filter(pk__gt=last_pk).values("pk", "membership_status", "created_at")[:BATCH]
        )
        if not batch:
            return
        MembershipChange.objects.bulk_create(
            MembershipChange(
                school_id=row["pk"],
                action="recorded",
                from_status="",
                to_status=row["membership_status"],
                reason="recorded at import",
                actor_label="system",
                created_at=row["created_at"],
            )
            for row in batch
        )
        for row in batch:
            School.objects.filter(pk=row["pk"], status_changed_at__isnull=True).update(
                status_changed_at=row["created_at"]
            )
        last_pk = batch[-1]["pk"]


def forget_statuses(apps, schema_editor) -> None:
    apps.get_model("schools", "MembershipChange").objects.filter(action="recorded").delete()


class Migration(migrations.Migration):
    dependencies = [("schools", "0004_add_membership_history_team_and_certificate")]

    operations = [migrations.RunPython(record_statuses, forget_statuses)]
