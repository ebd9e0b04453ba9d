"""Database triggers that write a new data version (DirectoryVersion, row 1) on every change to
a table the cached pages read: schools, flagship participations (the school–flagship table),
countries, subdivisions and flagship networks. See asphub.schools.page_cache.

The database does it, not model signals, so that no write can skip it: QuerySet.update(),
bulk_create(), raw SQL, TRUNCATE, another program. The token is written in the writer's own
transaction, so it becomes visible exactly with the change (and is rolled back with it).

* PostgreSQL: one statement-level trigger per table (a bulk write costs one token write),
  also on TRUNCATE, which `manage.py flush` and TransactionTestCase use.
* SQLite has no statement-level triggers: one row-level trigger per table and event.

On SQLite, Django rebuilds a table to make most changes to it (a new NOT NULL column, for
instance), which silently drops that table's triggers: a later migration that alters one of
these tables must create its SQLite triggers again (copy them from here);
asphub/schools/tests/test_directory_cache.py checks that every one is in place. Rebuilding
schools_directoryversion itself fails on SQLite ("error in trigger ...") until the triggers
are dropped first.
"""

from django.db import migrations

PAGE_TABLES = [
    ("schools", "School"),
    ("schools", "FlagshipParticipation"),
    ("countries", "Country"),
    ("countries", "Subdivision"),
    ("taxonomy", "FlagshipNetwork"),
]
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
POSTGRESQL_FUNCTION = "schools_directory_changed"
TRIGGER = "directory_changed"


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in PAGE_TABLES]


def _sqlite_trigger(table: str, event: str) -> str:
    return f"{table}_{TRIGGER}_{event.lower()}"


def create_triggers(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    version = quote(apps.get_model("schools", "DirectoryVersion")._meta.db_table)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {POSTGRESQL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  INSERT INTO {version} (id, token)\n"
            "  VALUES (1, replace(gen_random_uuid()::text, '-', ''))\n"
            "  ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$"
        )
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRESQL_FUNCTION}()"
            )
    elif vendor == "sqlite":
        for table in _tables(apps):
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER {quote(_sqlite_trigger(table, event))} "
                    f"AFTER {event} ON {quote(table)}\n"
                    "BEGIN\n"
                    f"  INSERT INTO {version} (id, token) VALUES (1, lower(hex(randomblob(16))))\n"
                    "  ON CONFLICT (id) DO UPDATE SET token = excluded.token;\n"
                    "END"
                )
    else:
        # Without the triggers cached pages would never change: refuse rather than serve them.
        raise RuntimeError(
            f"The page cache's triggers exist for SQLite and PostgreSQL, not for {vendor}."
        )


def drop_triggers(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in _tables(apps):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {POSTGRESQL_FUNCTION}()")
    elif vendor == "sqlite":
        for table in _tables(apps):
            for event in SQLITE_EVENTS:
                trigger = quote(_sqlite_trigger(table, event))
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0002_directory_version"),
        ("countries", "0001_create_countries_and_subdivisions"),
        ("taxonomy", "0001_create_network_vocabulary"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
