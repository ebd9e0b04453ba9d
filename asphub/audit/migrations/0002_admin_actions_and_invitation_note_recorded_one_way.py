# Actions are now a fixed list (AuditAction): changes made in the administration are recorded
# as admin.added / admin.changed / admin.deleted / admin.related_changed whatever the model
# (the object type says which), where earlier entries named the model in the code
# ("school.changed_in_admin"). An account opened from an invitation is recorded with the note
# "by invitation", like the role it gives, where earlier entries said so in `after`. The
# meaning of each entry is unchanged; only the way it is written becomes one.

from django.db import migrations

OLD_ADMIN_SUFFIXES = {
    ".added_in_admin": "admin.added",
    ".changed_in_admin": "admin.changed",
    ".deleted_in_admin": "admin.deleted",
}


def new_admin_action(action):
    for suffix, new in OLD_ADMIN_SUFFIXES.items():
        if action.endswith(suffix):
            stem = action[: -len(suffix)]
            # "<parent>.<inline model>_changed_in_admin" were inline (related) changes.
            return "admin.related_changed" if "." in stem else new
    if action.endswith("_changed_in_admin"):
        return "admin.related_changed"
    return None


def forwards(apps, schema_editor):
    # The historical model has a plain manager: the append-only rule of the app's queryset does
    # not apply to this one-off rewrite of how entries are coded.
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for entry in AuditEntry.objects.filter(action__endswith="_in_admin").only("pk", "action"):
        new = new_admin_action(entry.action)
        if new:
            AuditEntry.objects.filter(pk=entry.pk).update(action=new)
    for entry in AuditEntry.objects.filter(action="account.created").only("pk", "after"):
        if entry.after == {"via": "invitation"}:
            AuditEntry.objects.filter(pk=entry.pk).update(after=None, note="by invitation")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entry_moved_from_core")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
