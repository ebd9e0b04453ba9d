"""The public school profile lists the school's public activities, and it is a cached page
(asphub.schools.page_cache): a change to activities must write a new directory data version, as
changes to schools (schools/0003) and to library items (practices/0002) do. The same triggers,
on the activities table; on PostgreSQL they call the function schools/0003 made.

On SQLite a later migration that rebuilds activities_activity must create these triggers again
(asphub/activities/tests/test_profile_section.py checks they are in place)."""

from django.db import migrations

TABLE = "activities_activity"
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
POSTGRESQL_FUNCTION = "schools_directory_changed"
TRIGGER = "directory_changed"


def _sqlite_trigger(event: str) -> str:
    return f"{TABLE}_{TRIGGER}_{event.lower()}"


def create_triggers(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    version = quote(apps.get_model("schools", "DirectoryVersion")._meta.db_table)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {quote(TABLE)} FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRESQL_FUNCTION}()"
        )
    elif vendor == "sqlite":
        for event in SQLITE_EVENTS:
            schema_editor.execute(
                f"CREATE TRIGGER {quote(_sqlite_trigger(event))} AFTER {event} ON {quote(TABLE)}\n"
                "BEGIN\n"
                f"  INSERT INTO {version} (id, token) VALUES (1, lower(hex(randomblob(16))))\n"
                "  ON CONFLICT (id) DO UPDATE SET token = excluded.token;\n"
                "END"
            )
    else:
        raise RuntimeError(
            f"The page cache's triggers exist for SQLite and PostgreSQL, not for {vendor}."
        )


def drop_triggers(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(TABLE)}")
    elif vendor == "sqlite":
        for event in SQLITE_EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(_sqlite_trigger(event))}")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_record_school_activities"),
        ("schools", "0003_directory_version_triggers"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
