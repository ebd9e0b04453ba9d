"""The cached pages (asphub.schools.page_cache) show a school's public activities only (the
school profile's section), so a change to a network-only activity need not drop every cached
directory page: the triggers of 0002, which wrote a new directory data version on every insert,
update and delete of an activity, are replaced by ones that write it only when a row written is
public, or was before the change (made network-only, or deleted).

* SQLite: the same three row-level triggers (same names), each with a WHEN clause on the old
  and new row's visibility.
* PostgreSQL: statement-level triggers, as before (a bulk write costs at most one token write),
  that look at the statement's rows through transition tables (REFERENCING OLD/NEW TABLE) and
  write the token if any of them is or was public. TRUNCATE writes it, as before.

On SQLite a later migration that rebuilds activities_activity must create these triggers again
(copy them from here; asphub/activities/tests/test_profile_section.py checks they are in
place)."""

from django.db import migrations

TABLE = "activities_activity"
# ActivityVisibility.PUBLIC (a migration does not import the app's code).
PUBLIC = "public"
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
TRIGGER = "directory_changed"
# The function schools/0003 made: writes a new token, whatever changed.
DIRECTORY_FUNCTION = "schools_directory_changed"
# This migration's: writes a new token if a row of the statement is or was public.
PUBLIC_FUNCTION = "activities_public_activity_changed"


def _sqlite_trigger(event: str) -> str:
    return f"{TABLE}_{TRIGGER}_{event.lower()}"


def _names(apps, schema_editor) -> tuple[str, str, str]:
    quote = schema_editor.quote_name
    version = quote(apps.get_model("schools", "DirectoryVersion")._meta.db_table)
    visibility = quote(
        apps.get_model("activities", "Activity")._meta.get_field("visibility").column
    )
    return quote(TABLE), version, visibility


def _sqlite_condition(event: str, visibility: str) -> str:
    new = f"NEW.{visibility} = '{PUBLIC}'"
    old = f"OLD.{visibility} = '{PUBLIC}'"
    return {"INSERT": new, "UPDATE": f"{old} OR {new}", "DELETE": old}[event]


def _sqlite_create(schema_editor, table: str, version: str, condition) -> None:
    quote = schema_editor.quote_name
    for event in SQLITE_EVENTS:
        when = condition(event)
        schema_editor.execute(
            f"CREATE TRIGGER {quote(_sqlite_trigger(event))} AFTER {event} ON {table}\n"
            + (f"WHEN {when}\n" if when else "")
            + "BEGIN\n"
            f"  INSERT INTO {version} (id, token) VALUES (1, lower(hex(randomblob(16))))\n"
            "  ON CONFLICT (id) DO UPDATE SET token = excluded.token;\n"
            "END"
        )


def _sqlite_drop(schema_editor) -> None:
    for event in SQLITE_EVENTS:
        trigger = schema_editor.quote_name(_sqlite_trigger(event))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def _postgresql_triggers(table: str) -> list[str]:
    each_statement = f"FOR EACH STATEMENT EXECUTE FUNCTION {PUBLIC_FUNCTION}()"
    return [
        f"CREATE TRIGGER {TRIGGER}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {each_statement}",
        f"CREATE TRIGGER {TRIGGER}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {each_statement}",
        f"CREATE TRIGGER {TRIGGER}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {each_statement}",
        f"CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {DIRECTORY_FUNCTION}()",
    ]


def public_only(apps, schema_editor) -> None:
    table, version, visibility = _names(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        new_public = f"EXISTS (SELECT 1 FROM new_rows WHERE {visibility} = '{PUBLIC}')"
        old_public = f"EXISTS (SELECT 1 FROM old_rows WHERE {visibility} = '{PUBLIC}')"
        # Each branch reads only the transition tables its trigger has.
        schema_editor.execute(
            f"CREATE FUNCTION {PUBLIC_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "DECLARE\n"
            "  touches_public boolean;\n"
            "BEGIN\n"
            "  IF TG_OP = 'INSERT' THEN\n"
            f"    touches_public := {new_public};\n"
            "  ELSIF TG_OP = 'UPDATE' THEN\n"
            f"    touches_public := {new_public} OR {old_public};\n"
            "  ELSE\n"
            f"    touches_public := {old_public};\n"
            "  END IF;\n"
            "  IF touches_public THEN\n"
            f"    INSERT INTO {version} (id, token)\n"
            "    VALUES (1, replace(gen_random_uuid()::text, '-', ''))\n"
            "    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$"
        )
        for statement in _postgresql_triggers(table):
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        _sqlite_drop(schema_editor)
        _sqlite_create(
            schema_editor, table, version, lambda event: _sqlite_condition(event, visibility)
        )
    else:
        raise RuntimeError(
            f"The page cache's triggers exist for SQLite and PostgreSQL, not for {vendor}."
        )


def every_change(apps, schema_editor) -> None:
    """Back to 0002's triggers: a new token on every change to the table."""
    table, version, _visibility = _names(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for event in ("insert", "update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_{event} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PUBLIC_FUNCTION}()")
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {DIRECTORY_FUNCTION}()"
        )
    elif vendor == "sqlite":
        _sqlite_drop(schema_editor)
        _sqlite_create(schema_editor, table, version, lambda event: "")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_field_labels"),
        ("schools", "0003_directory_version_triggers"),
    ]

    operations = [migrations.RunPython(public_only, every_change)]
