"""On SQLite, migrations 0004 (schools) and countries 0003 rebuilt their tables to add columns,
which dropped the page cache's row triggers of those tables (see 0003): create every missing
one again. PostgreSQL keeps its triggers through ALTER TABLE; nothing to do there.

A later migration that rebuilds one of these tables on SQLite can depend on this one's
successor and run the same operation again: CREATE TRIGGER IF NOT EXISTS makes it harmless."""

from django.db import migrations

PAGE_TABLES = [
    ("schools", "School"),
    ("schools", "FlagshipParticipation"),
    ("countries", "Country"),
    ("countries", "Subdivision"),
    ("taxonomy", "FlagshipNetwork"),
]
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def restore_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    quote = schema_editor.quote_name
    version = quote(apps.get_model("schools", "DirectoryVersion")._meta.db_table)
    for app, model in PAGE_TABLES:
        table = apps.get_model(app, model)._meta.db_table
        for event in SQLITE_EVENTS:
            name = quote(f"{table}_directory_changed_{event.lower()}")
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {quote(table)}\n"
                "BEGIN\n"
                f"  INSERT INTO {version} (id, token) VALUES (1, lower(hex(randomblob(16))))\n"
                "  ON CONFLICT (id) DO UPDATE SET token = excluded.token;\n"
                "END"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0005_record_existing_statuses_in_history"),
        ("countries", "0003_add_team_rule_minimums"),
    ]

    operations = [migrations.RunPython(restore_triggers, migrations.RunPython.noop)]
