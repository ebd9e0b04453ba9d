"""Reads of the search index: one search function for every kind of document.

The SQL is written here because each database ranks in its own way (FTS5's bm25() exists only
inside a full-text query); everything a visitor typed reaches the database as parameters, and
the full-text query itself is built from analyzed terms (asphub.search.query).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import SearchDocument, SearchFacet
from .query import ParsedQuery, parse_query

SORTS = ("relevance", "newest", "title")
MAX_LIMIT = 200
# Values to filter one facet by, at most (more are ignored: a query string could list
# thousands).
MAX_FILTER_VALUES = 50
# Title words count ten times body words on SQLite (bm25 column weights); on PostgreSQL,
# ts_rank's default weights give title (A) 1.0 and body (B) 0.4.
BM25_WEIGHTS = "10.0, 1.0"

DOCUMENTS = SearchDocument._meta.db_table
FACETS = SearchFacet._meta.db_table
FTS = "search_searchdocument_fts"


@dataclass
class SearchResult:
    """One page of a search: how many documents match, the page's object ids in order, and
    for each facet asked for its values with their counts (most frequent first)."""

    total: int
    ids: list[int]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _text_condition(parsed: ParsedQuery) -> tuple[str, list]:
    """A condition on `d` (the documents) that keeps those matching the query."""
    if connection.vendor == "postgresql":
        return "d.vector @@ to_tsquery('simple', %s)", [parsed.tsquery()]
    return f"d.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)", [parsed.fts5()]


def _conditions(
    kind: str,
    parsed: ParsedQuery | None,
    filters: Mapping[str, Sequence[str]],
    *,
    leave_out: str | None = None,
) -> tuple[list[str], list]:
    where, params = ["d.kind = %s"], [kind]
    if parsed:
        sql, extra = _text_condition(parsed)
        where.append(sql)
        params += extra
    for name, values in filters.items():
        if name == leave_out:
            continue
        values = list(dict.fromkeys(str(v) for v in values))[:MAX_FILTER_VALUES]
        if not values:
            continue
        marks = ", ".join(["%s"] * len(values))
        where.append(
            f"d.id IN (SELECT document_id FROM {FACETS} WHERE name = %s AND value IN ({marks}))"
        )
        params += [name, *values]
    return where, params


def _order(sort: str) -> str:
    if sort == "newest":
        # Without a date last, on both databases (NULLS LAST is not portable syntax here).
        return "CASE WHEN d.sort_date IS NULL THEN 1 ELSE 0 END, d.sort_date DESC, d.id DESC"
    return "d.sort_title, d.object_id"


def search(
    kind: str,
    *,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: Sequence[str] = (),
) -> SearchResult:
    """Documents of one kind matching the query (every word, in the title or the body; see
    asphub.search.query) and the filters (a document must have one of the values given for
    each facet: OR within a facet, AND across facets), one page of them.

    Sorts: "relevance" (title matches first; without a query, as "newest"), "newest"
    (sort_date, then the newest rows), "title" (sort_title). Facet counts are over the
    documents found, except that the counts of a facet being filtered leave out that facet's
    own filter ("disjunctive" counting), so that the other values of a facet show how many
    each would add. A fixed number of queries: 2, plus 1 for the facets not filtered and 1
    for each filtered facet asked for."""
    if sort not in SORTS:
        raise ValueError(f"Unknown sort {sort!r}: one of {', '.join(SORTS)}")
    filters = {name: values for name, values in (filters or {}).items() if values}
    offset = max(0, int(offset))
    limit = max(0, min(int(limit), MAX_LIMIT))
    parsed = parse_query(query)
    where, params = _conditions(kind, parsed, filters)
    with connection.cursor() as cursor:
        cursor.execute(*_count_sql(kind, parsed, filters, where, params))
        total = cursor.fetchone()[0]
        ids: list[int] = []
        if total and limit and offset < total:
            sql, page_params = _page_sql(kind, parsed, filters, sort, where, params)
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*page_params, limit, offset])
            ids = [row[0] for row in cursor.fetchall()]
        counted = _facet_counts(cursor, kind, parsed, filters, facets) if total else {}
    return SearchResult(
        total=total, ids=ids, facets={name: counted.get(name, []) for name in facets}
    )


def _count_sql(kind, parsed, filters, where, params) -> tuple[str, list]:
    if parsed and connection.vendor == "sqlite":
        # Counted in the join, driven by the full-text match: "d.id IN (...)" would first copy
        # every matching rowid (thousands for a common word) into a temporary index.
        rest, rest_params = _conditions(kind, None, filters)
        return (
            f"SELECT COUNT(*) FROM {FTS} CROSS JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid "
            f"WHERE {FTS} MATCH %s AND {' AND '.join(rest)}",
            [parsed.fts5(), *rest_params],
        )
    return f"SELECT COUNT(*) FROM {DOCUMENTS} d WHERE {' AND '.join(where)}", params


def _page_sql(kind, parsed, filters, sort, where, params) -> tuple[str, list]:
    if sort != "relevance" or not parsed:
        order = _order("newest" if sort == "relevance" else sort)
        return (
            f"SELECT d.object_id FROM {DOCUMENTS} d WHERE {' AND '.join(where)} ORDER BY {order}",
            params,
        )
    if connection.vendor == "postgresql":
        return (
            f"SELECT d.object_id FROM {DOCUMENTS} d WHERE {' AND '.join(where)} "
            "ORDER BY ts_rank(d.vector, to_tsquery('simple', %s)) DESC, d.sort_title, d.object_id",
            [*params, parsed.tsquery()],
        )
    # bm25() needs the full-text table in the FROM clause, matched there.
    rest, rest_params = _conditions(kind, None, filters)
    return (
        f"SELECT d.object_id FROM {FTS} JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid "
        f"WHERE {FTS} MATCH %s AND {' AND '.join(rest)} "
        f"ORDER BY bm25({FTS}, {BM25_WEIGHTS}), d.sort_title, d.object_id",
        [parsed.fts5(), *rest_params],
    )


def _facet_counts(cursor, kind, parsed, filters, names) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, list[tuple[str, int]]] = {}
    # The facets nobody filters by are counted over the same documents, in one query; each
    # filtered one over the documents found without its own filter.
    groups: list[tuple[list[str], str | None]] = []
    plain = [name for name in names if name not in filters]
    if plain:
        groups.append((plain, None))
    groups += [([name], name) for name in names if name in filters]
    for group, leave_out in groups:
        where, params = _conditions(kind, parsed, filters, leave_out=leave_out)
        marks = ", ".join(["%s"] * len(group))
        cursor.execute(
            f"SELECT f.name, f.value, COUNT(*) FROM {FACETS} f "
            f"WHERE f.name IN ({marks}) AND f.document_id IN "
            f"(SELECT d.id FROM {DOCUMENTS} d WHERE {' AND '.join(where)}) "
            "GROUP BY f.name, f.value",
            [*group, *params],
        )
        for name, value, count in cursor.fetchall():
            counts.setdefault(name, []).append((value, count))
    for values in counts.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return counts


def matching_ids(kind: str, query: str) -> QuerySet:
    """The object ids of the kind's documents that match the query, as a subquery for
    `Model.objects.filter(pk__in=matching_ids(kind, query))` (the database runs it as part of
    the caller's query; nothing is read here). An empty query matches every document."""
    documents = SearchDocument.objects.filter(kind=kind)
    parsed = parse_query(query)
    if parsed:
        if connection.vendor == "postgresql":
            sql = (
                f"SELECT id FROM {DOCUMENTS} WHERE vector @@ to_tsquery('simple', %s)",
                [parsed.tsquery()],
            )
        else:
            sql = (f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [parsed.fts5()])
        documents = documents.filter(pk__in=RawSQL(*sql))
    return documents.values("object_id")
