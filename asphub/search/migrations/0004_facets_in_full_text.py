"""Filters matched by the full-text index (issue 10, docs/benchmarks.md): each document's facet
values as tokens in the new column `facet_terms` ("f" and `name=value` in hex, written by
asphub.search.services.facet_token and filled here from the facet rows), so that a filtered
search intersects its filters' lists of documents inside the full-text index, as it does a
query's words, instead of building and intersecting temporary tables of ids.

* SQLite: FTS5 gets a fourth column `facet_terms` (the content view and the triggers are
  recreated with it; a later migration that makes Django rebuild search_searchdocument must
  create the triggers again, copy SQLITE_TRIGGERS);
* PostgreSQL: the generated column `facet_vector` with its GIN index; and the table's rows
  made narrow (toast_tuple_target = 128: the terms and vectors are kept out of line), so that
  a search that counts 60,000 matches reads some 2,000 pages of rows rather than 20,000 and
  the table stays in the database's cache (100,000 documents: 168 → 25 MB). Rows written
  before keep their width until they are written again: `manage.py rebuild_search_index`
  (or VACUUM FULL search_searchdocument) compacts them all.
"""

import importlib

from django.db import migrations, models

# The second migration's full-text parts, to go back to (its module name is not an identifier).
PREVIOUS = importlib.import_module("asphub.search.migrations.0002_faster_search")

DOCUMENTS = "search_searchdocument"
FACETS = "search_searchfacet"
FTS = "search_searchdocument_fts"
CONTENT = "search_searchdocument_fts_content"
KIND_TOKEN = "'k' || lower(hex({row}.kind))"
COLUMNS = "title_terms, body_terms, kind_token, facet_terms"


def _values(row: str) -> str:
    return f"{row}.title_terms, {row}.body_terms, {KIND_TOKEN.format(row=row)}, {row}.facet_terms"


SQLITE_TRIGGERS = {
    "search_document_fts_insert": f"""
        CREATE TRIGGER search_document_fts_insert AFTER INSERT ON {DOCUMENTS} BEGIN
          INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, {_values("new")});
        END""",
    "search_document_fts_delete": f"""
        CREATE TRIGGER search_document_fts_delete AFTER DELETE ON {DOCUMENTS} BEGIN
          INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {_values("old")});
        END""",
    # Only when what FTS5 holds changes: an upsert that rewrites the same terms (a new date,
    # say) is cheap.
    "search_document_fts_update": f"""
        CREATE TRIGGER search_document_fts_update AFTER UPDATE ON {DOCUMENTS}
        WHEN old.title_terms IS NOT new.title_terms OR old.body_terms IS NOT new.body_terms
          OR old.facet_terms IS NOT new.facet_terms OR old.kind IS NOT new.kind BEGIN
          INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {_values("old")});
          INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, {_values("new")});
        END""",
}

# The tokens of each document's facet rows, in the order of (name, value) as the service
# writes them. SQLite's group_concat takes the order of its input.
SQLITE_FILL = f"""
    UPDATE {DOCUMENTS} SET facet_terms = COALESCE((
        SELECT group_concat(token, ' ') FROM (
            SELECT 'f' || lower(hex(f.name || '=' || f.value)) AS token FROM {FACETS} f
            WHERE f.document_id = {DOCUMENTS}.id ORDER BY f.name, f.value
        )
    ), '')
"""
POSTGRESQL_FILL = f"""
    UPDATE {DOCUMENTS} d SET facet_terms = t.terms FROM (
        SELECT document_id, string_agg(
            'f' || encode(convert_to(name || '=' || value, 'UTF8'), 'hex'), ' '
            ORDER BY name, value
        ) AS terms
        FROM {FACETS} GROUP BY document_id
    ) t WHERE t.document_id = d.id
"""


def facets_in_full_text(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        PREVIOUS._drop_sqlite_full_text(schema_editor)
        schema_editor.execute(SQLITE_FILL)
        schema_editor.execute(
            f"CREATE VIEW {CONTENT} AS SELECT id, title_terms, body_terms, "
            f"{KIND_TOKEN.format(row=DOCUMENTS)} AS kind_token, facet_terms FROM {DOCUMENTS}"
        )
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, "
            f"content='{CONTENT}', content_rowid='id', prefix='2 3')"
        )
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql)
        schema_editor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')")
        schema_editor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')")
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FILL)
        schema_editor.execute(
            f"ALTER TABLE {DOCUMENTS} ADD COLUMN facet_vector tsvector GENERATED ALWAYS AS ("
            "to_tsvector('simple'::regconfig, facet_terms)) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX search_document_facet_vector ON {DOCUMENTS} USING gin (facet_vector)"
        )
        schema_editor.execute(f"ALTER TABLE {DOCUMENTS} SET (toast_tuple_target = 128)")


def facets_out_of_full_text(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        PREVIOUS._drop_sqlite_full_text(schema_editor)
        PREVIOUS.kind_in_full_text(apps, schema_editor)
    elif vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {DOCUMENTS} RESET (toast_tuple_target)")
        schema_editor.execute("DROP INDEX IF EXISTS search_document_facet_vector")
        schema_editor.execute(f"ALTER TABLE {DOCUMENTS} DROP COLUMN IF EXISTS facet_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_facet_count_top"),
    ]

    operations = [
        # Added in place: Django would rebuild the table on SQLite for a column with a
        # database default, which the triggers of other apps on this table do not survive.
        # The database's own default: rows written by earlier migrations' historical models
        # (which know no such column) get no tokens rather than an error.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {DOCUMENTS} ADD COLUMN facet_terms text NOT NULL DEFAULT ''",
                    f"ALTER TABLE {DOCUMENTS} DROP COLUMN facet_terms",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="facet_terms",
                    field=models.TextField(blank=True, db_default="", verbose_name="facet terms"),
                )
            ],
        ),
        migrations.RunPython(facets_in_full_text, facets_out_of_full_text),
    ]
