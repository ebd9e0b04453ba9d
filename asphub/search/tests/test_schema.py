"""The full-text parts of the index that migrations make outside the models: they must be in
place after `migrate` (on SQLite, Django drops a table's triggers when it rebuilds the table
to alter it; a migration that does must create them again)."""

import importlib

import pytest
from django.db import connection

from asphub.search.models import SearchDocument, SearchFacet
from asphub.search.query import facet_token
from asphub.search.services import Document

FACETS_MIGRATION = importlib.import_module("asphub.search.migrations.0004_facets_in_full_text")

pytestmark = pytest.mark.django_db


def _sqlite_objects(kind: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = %s", [kind])
        return dict(cursor.fetchall())


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_has_the_fts5_table_and_its_three_triggers():
    tables = _sqlite_objects("table")
    assert "USING fts5" in tables["search_searchdocument_fts"]
    assert "kind_token" in tables["search_searchdocument_fts"]
    assert "content='search_searchdocument_fts_content'" in tables["search_searchdocument_fts"]
    views = _sqlite_objects("view")
    assert "FROM search_searchdocument" in views["search_searchdocument_fts_content"]
    triggers = {
        name: sql for name, sql in _sqlite_objects("trigger").items() if name.startswith("search_")
    }
    for event in ("insert", "update", "delete"):
        sql = triggers[f"search_document_fts_{event}"]
        assert f"AFTER {event.upper()} ON search_searchdocument" in sql
        assert "search_searchdocument_fts" in sql
        assert "kind_token" in sql
        assert "facet_terms" in sql
    assert "facet_terms" in tables["search_searchdocument_fts"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_has_the_generated_vector_and_its_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type, is_generated FROM information_schema.columns "
            "WHERE table_name = 'search_searchdocument' AND column_name = 'vector'"
        )
        assert cursor.fetchone() == ("tsvector", "ALWAYS")
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument' "
            "AND indexname = 'search_document_vector'"
        )
        assert "USING gin (vector)" in cursor.fetchone()[0]
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchdocument'")
        names = {row[0] for row in cursor.fetchall()}
        assert {
            "search_document_title_vector",
            "search_document_newest",
            "search_document_facet_vector",
        } <= names
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_searchdocument'")
        assert "toast_tuple_target=128" in cursor.fetchone()[0]


def test_facet_terms_hold_one_token_per_facet_row(indexed):
    """What the full-text index filters by (facet_terms) and what the counts count (the
    facet rows) say the same of every document, through a rewrite too."""
    indexed(Document(1, title=["a"], facets={"level": ["primary", "secondary"], "year": [2025]}))
    indexed(Document(1, title=["a"], facets={"level": ["primary"], "lang": ["lv"]}))
    indexed(Document(2, title=["b"]))
    for document in SearchDocument.objects.all():
        rows = SearchFacet.objects.filter(document=document).values_list("name", "value")
        assert sorted(document.facet_terms.split()) == sorted(facet_token(*row) for row in rows)
    assert SearchDocument.objects.get(object_id=1).facet_terms.count(" ") == 1


def test_the_migration_fills_the_same_tokens_as_the_service(indexed):
    """Migration 0004 filled facet_terms in SQL for the documents already indexed: the same
    tokens as the service writes, for values in any script."""
    indexed(Document(1, facets={"municipality": ["Rīga", "Ādaži"], "x": ["日本", "a=b c"]}))
    written = SearchDocument.objects.get(object_id=1).facet_terms
    SearchDocument.objects.update(facet_terms="")
    fill = (
        FACETS_MIGRATION.POSTGRESQL_FILL
        if connection.vendor == "postgresql"
        else FACETS_MIGRATION.SQLITE_FILL
    )
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert SearchDocument.objects.get(object_id=1).facet_terms == written
