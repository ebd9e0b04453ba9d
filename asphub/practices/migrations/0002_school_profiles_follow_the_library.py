"""The public school profile lists the school's published library items, and it is a cached
page (asphub.schools.page_cache): a change to the library's items must write a new directory
data version, as changes to schools do (schools/0003). The same triggers, on the practices
table; on PostgreSQL they call the function schools/0003 made.

On SQLite a later migration that rebuilds practices_practice must create these triggers again
(asphub/practices/tests/test_profile_cache.py checks they are in place)."""

from django.db import migrations

TABLE = "practices_practice"
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
        ("practices", "0001_practice_library"),
        ("schools", "0003_directory_version_triggers"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
