# The audit log now belongs to asphub.audit (its table, core_auditentry, stays).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_create_audit_log"),
        ("audit", "0001_audit_entry_moved_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
