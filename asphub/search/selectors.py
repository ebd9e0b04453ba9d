"""Reads of the search index: one search function for every kind of document.

The SQL is written here because each database ranks in its own way (FTS5's bm25() exists only
inside a full-text query); everything a visitor typed reaches the database as parameters, and
the full-text query itself is built from analyzed terms (asphub.search.query).

What keeps a search cheap at 100,000 documents (issue 10, docs/benchmarks.md):

* SQLite matches the kind inside FTS5 (its column `kind_token`, migration 0002) and the
  filters too (`facet_terms`, migration 0004), so that FTS5 intersects their lists of
  documents with the query's and counts there, never reading the wide document rows; what
  it needs of a document once it has its id comes from the narrow index `search_doc_narrow`.
* PostgreSQL matches the filters in the GIN index of `facet_vector` (migration 0004),
  combined with the query's in one bitmap.
* PostgreSQL runs a search's statements with `enable_seqscan` off (in the search's own
  transaction or savepoint): its vectors are TOASTed, so the table looks small to the planner,
  and a sequential scan unpacks every vector of the index (900 MB at 100,000 documents)
  where the GIN index reads a few pages.
* The page with neither query nor filter reads its counts from SearchFacetCount; any other
  search counts its facets over at most FACET_SAMPLE matches, exact when it matches no more,
  scaled to the matches and marked approximate (SearchResult.facets_approximate) when it
  matches more. The total is always exact.
* Relevance ranks every match by bm25 (SQLite) or ts_rank (PostgreSQL) when there are at most
  RANK_ALL_MAX of them; above that, the documents with every query word in the title come
  first, then the others, each most recently indexed first: both databases read that order
  straight from their indexes and stop at the page, where ranking tens of thousands of
  matches costs more than the rest of the page together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import SearchDocument, SearchFacet, SearchFacetCount
from .query import ParsedQuery, facet_token, parse_query

SORTS = ("relevance", "newest", "title")
MAX_LIMIT = 200
# Values to filter one facet by, at most (more are ignored: a query string could list
# thousands).
MAX_FILTER_VALUES = 50
# Title words count ten times body words on SQLite (bm25 column weights; the kind's and the
# facets' columns none); on PostgreSQL, ts_rank's default weights give title (A) 1.0 and body
# (B) 0.4.
BM25_WEIGHTS = "10.0, 1.0, 0.0, 0.0"
# Matches ranked one by one, at most (see the module's docstring).
RANK_ALL_MAX = 2000
# Below this many matches, PostgreSQL sorts them rather than walking its primary key.
SPARSE_MATCHES = 20_000
# Matches the facets are counted over, at most (see the module's docstring).
FACET_SAMPLE = 1000

DOCUMENTS = SearchDocument._meta.db_table
FACETS = SearchFacet._meta.db_table
COUNTS = SearchFacetCount._meta.db_table
FTS = "search_searchdocument_fts"
NEWEST = "d.sort_date DESC NULLS LAST, d.id DESC"


@dataclass
class SearchResult:
    """One page of a search: how many documents match, the page's object ids in order, and
    for each facet asked for its values with their counts (most frequent first).
    `facets_approximate`: the counts were estimated from a sample of the matches (a search
    with more than FACET_SAMPLE of them); `total` is always exact."""

    total: int
    ids: list[int]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_approximate: bool = False


def kind_token(kind: str) -> str:
    """The kind as the one token FTS5 holds for it (migration 0002: 'k' || lower(hex(kind)))."""
    return "k" + kind.encode("utf-8").hex()


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


class _Search:
    """The SQL of one search (its kind, parsed query and filters), for each database."""

    def __init__(self, kind: str, parsed: ParsedQuery, filters: Mapping[str, Sequence[str]]):
        self.kind = kind
        self.parsed = parsed
        self.filters = {
            name: list(dict.fromkeys(str(v) for v in values))[:MAX_FILTER_VALUES]
            for name, values in filters.items()
        }
        self.filters = {name: values for name, values in self.filters.items() if values}

    # -- pieces -------------------------------------------------------------------------------

    def fts(self, part: str = "all", leave_out: str | None = None) -> str:
        """FTS5's MATCH expression: the kind, the filters (but `leave_out`) and the query
        (part "all"), only its title matches ("title") or the others ("rest"). The query
        is matched in every column: a column filter on the text columns would double the
        cost of a broad search, and the kind's and facets' tokens ("k" or "f" and hex) are
        no words anyone writes (one typed on purpose finds only what its facet holds)."""
        parts = [f'kind_token : "{kind_token(self.kind)}"']
        for name, values in self.filters.items():
            if name != leave_out:
                tokens = " OR ".join(f'"{facet_token(name, value)}"' for value in values)
                parts.append(f"facet_terms : ({tokens})")
        if self.parsed:
            query = self.parsed.fts5()
            if part == "title":
                parts.append(f"title_terms : ({query})")
            elif part == "rest":
                parts.append(f"(({query}) NOT title_terms : ({query}))")
            else:
                parts.append(f"({query})")
        return " AND ".join(parts)

    def facet_tsquery(self, leave_out: str | None = None) -> str:
        """The filters (but `leave_out`) as the argument of to_tsquery('simple', ...) over
        PostgreSQL's `facet_vector`; empty without filters."""
        return " & ".join(
            "(" + " | ".join(f"'{facet_token(name, value)}'" for value in values) + ")"
            for name, values in self.filters.items()
            if name != leave_out
        )

    def filtered(self, leave_out: str | None = None) -> bool:
        return any(name != leave_out for name in self.filters)

    def matches(self, *, leave_out: str | None = None, part: str = "all") -> tuple[str, list]:
        """`SELECT id ...` of the matching documents of the kind (one column, `id`)."""
        if not _postgresql():
            if self.parsed or self.filtered(leave_out):
                return (
                    f"SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH %s",
                    [self.fts(part, leave_out)],
                )
            return f"SELECT d.id FROM {DOCUMENTS} d WHERE d.kind = %s", [self.kind]
        sql, params = f"SELECT d.id FROM {DOCUMENTS} d WHERE d.kind = %s", [self.kind]
        if self.parsed:
            tsquery = self.parsed.tsquery()
            if part == "title":
                sql += " AND d.title_vector @@ to_tsquery('simple', %s)"
                params.append(tsquery)
            else:
                sql += " AND d.vector @@ to_tsquery('simple', %s)"
                params.append(tsquery)
                if part == "rest":
                    sql += " AND NOT d.title_vector @@ to_tsquery('simple', %s)"
                    params.append(tsquery)
        if self.filtered(leave_out):
            sql += " AND d.facet_vector @@ to_tsquery('simple', %s)"
            params.append(self.facet_tsquery(leave_out))
        return sql, params

    # -- statements ---------------------------------------------------------------------------

    def count(self, *, leave_out: str | None = None) -> tuple[str, list]:
        sql, params = self.matches(leave_out=leave_out)
        if sql.startswith("SELECT rowid AS id"):
            return sql.replace("SELECT rowid AS id", "SELECT COUNT(*)", 1), params
        return sql.replace("SELECT d.id", "SELECT COUNT(*)", 1), params

    def page(self, sort: str, total: int, limit: int, offset: int) -> tuple[str, list]:
        if sort == "relevance" and self.parsed:
            if total > RANK_ALL_MAX:
                return self._title_first(total, limit, offset)
            return self._ranked(limit, offset)
        order = NEWEST if sort in ("newest", "relevance") else "d.sort_title, d.object_id"
        if self.parsed or self.filters:
            sql, params = self.matches()
            # Straight on the documents, so that the order walks its index.
            where = f"d.kind = %s AND d.id IN ({sql})"
            params = [self.kind, *params]
        else:
            where, params = "d.kind = %s", [self.kind]
        return (
            f"SELECT d.object_id FROM {DOCUMENTS} d WHERE {where} ORDER BY {order} "
            "LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )

    def _ranked(self, limit: int, offset: int) -> tuple[str, list]:
        if _postgresql():
            sql, params = self.matches()
            return (
                f"SELECT d.object_id FROM {DOCUMENTS} d WHERE d.id IN ({sql}) "
                "ORDER BY ts_rank(d.vector, to_tsquery('simple', %s)) DESC, d.sort_title, "
                "d.object_id LIMIT %s OFFSET %s",
                [*params, self.parsed.tsquery(), limit, offset],
            )
        # bm25() needs the full-text table in the FROM clause, matched there.
        return (
            f"SELECT d.object_id FROM {FTS} JOIN {DOCUMENTS} d INDEXED BY search_doc_narrow "
            f"ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s "
            f"ORDER BY bm25({FTS}, {BM25_WEIGHTS}), d.sort_title, d.object_id "
            "LIMIT %s OFFSET %s",
            [self.fts(), limit, offset],
        )

    def _title_first(self, total: int, limit: int, offset: int) -> tuple[str, list]:
        """Title matches first, then the others, each by id descending; each part read from
        its index up to the end of the page only."""
        wanted = offset + limit
        parts, params = [], []
        # PostgreSQL walks the primary key backwards for "ORDER BY id DESC LIMIT", testing
        # each row's vector: cheap when most rows match, not for a word in one row of twenty,
        # where sorting the GIN index's matches ("id + 0": not the key's order) is cheaper.
        key = "m.id + 0" if _postgresql() and total < SPARSE_MATCHES else "m.id"
        for segment, part in enumerate(("title", "rest")):
            sql, part_params = self.matches(part=part)
            parts.append(
                f"SELECT * FROM (SELECT m.id, {segment} AS segment FROM ({sql}) m "
                f"ORDER BY {key} DESC LIMIT %s)" + (" t" if _postgresql() else "")
            )
            params += [*part_params, wanted]
        narrow = "" if _postgresql() else " INDEXED BY search_doc_narrow"
        return (
            f"SELECT d.object_id FROM ({' UNION ALL '.join(parts)}) p "
            f"JOIN {DOCUMENTS} d{narrow} ON d.id = p.id "
            "ORDER BY p.segment, p.id DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )

    def facet_sample(self, names: Sequence[str], leave_out: str | None) -> tuple[str, list]:
        """Each value's count over at most FACET_SAMPLE matches, and ('', '', how many
        matches the sample holds)."""
        sql, params = self.matches(leave_out=leave_out)
        # SQLite reads the most recently indexed matches from the end of FTS5's lists; on
        # PostgreSQL an order would make the planner walk the primary key instead of the GIN
        # index, so the sample is the first matches of the bitmap (in the table's order).
        order = "" if _postgresql() else " ORDER BY id DESC"
        sample = f"SELECT id FROM ({sql}) m{order} LIMIT {FACET_SAMPLE}"
        marks = ", ".join(["%s"] * len(names))
        return (
            f"WITH sample AS {'MATERIALIZED ' if _postgresql() else ''}({sample}) "
            f"SELECT f.name, f.value, COUNT(*) FROM sample s JOIN {FACETS} f "
            f"ON f.document_id = s.id WHERE f.name IN ({marks}) GROUP BY f.name, f.value "
            "UNION ALL SELECT '', '', COUNT(*) FROM sample",
            [*params, *names],
        )


def search(
    kind: str,
    *,
    query: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    facets: Sequence[str] = (),
    max_values: int | None = None,
) -> SearchResult:
    """Documents of one kind matching the query (every word, in the title or the body; see
    asphub.search.query) and the filters (a document must have one of the values given for
    each facet: OR within a facet, AND across facets), one page of them.

    Sorts: "relevance" (title matches first; without a query, as "newest"), "newest"
    (sort_date, undated last, then the newest rows), "title" (sort_title). Facet counts are
    over the documents found (estimated above FACET_SAMPLE matches, see the module), except
    that the counts of a facet being filtered leave out that facet's own filter
    ("disjunctive" counting), so that the other values of a facet show how many each would
    add; `max_values`: only the most frequent values of each facet (a facet such as "school"
    has thousands). A fixed number of queries: without query and filters 2; otherwise 2,
    plus 1 for the facets not filtered and 1 (2 when estimated) for each filtered facet
    asked for; on PostgreSQL 1 more (2 inside a transaction) for the planner's setting."""
    if sort not in SORTS:
        raise ValueError(f"Unknown sort {sort!r}: one of {', '.join(SORTS)}")
    offset = max(0, int(offset))
    limit = max(0, min(int(limit), MAX_LIMIT))
    plan = _Search(kind, parse_query(query), {k: v for k, v in (filters or {}).items() if v})
    if not _postgresql():
        return _run(plan, sort, offset, limit, facets, max_values)
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), "
                "set_config('enable_seqscan', 'off', true)"
            )
            previous = cursor.fetchone()[0]
        result = _run(plan, sort, offset, limit, facets, max_values)
        if nested:  # the caller's transaction goes on: as it was
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
    return result


def _run(plan: _Search, sort: str, offset: int, limit: int, facets: Sequence[str], max_values):
    approximate = False
    with connection.cursor() as cursor:
        if not plan.parsed and not plan.filters:
            total, counted = _maintained_counts(cursor, plan.kind, facets, max_values)
        else:
            cursor.execute(*plan.count())
            total = cursor.fetchone()[0]
            counted = {}
        ids: list[int] = []
        if total and limit and offset < total:
            cursor.execute(*plan.page(sort, total, limit, offset))
            ids = [row[0] for row in cursor.fetchall()]
        if total and (plan.parsed or plan.filters):
            counted, approximate = _facet_counts(cursor, plan, total, facets)
    for values in counted.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return SearchResult(
        total=total,
        ids=ids,
        facets={name: counted.get(name, [])[:max_values] for name in facets},
        facets_approximate=approximate,
    )


def _maintained_counts(cursor, kind: str, names: Sequence[str], max_values: int | None):
    """The kind's document count and its facets' counts, from SearchFacetCount (the most
    frequent `max_values` of each facet: the database keeps them, not Python)."""
    # One index range per facet, its first values only: UNION ALL of LIMITed reads.
    parts = [f"SELECT name, value, count FROM {COUNTS} WHERE kind = %s AND name = '' "]
    params: list = [kind]
    for name in names:
        part = (
            f"SELECT name, value, count FROM {COUNTS} WHERE kind = %s AND name = %s "
            "AND count > 0 ORDER BY count DESC, value"
        )
        params += [kind, name]
        if max_values is not None:
            part += " LIMIT %s"
            params.append(max(1, max_values))
        parts.append(part)
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) p{n}" for n, part in enumerate(parts))
    cursor.execute(sql, params)
    total = 0
    counts: dict[str, list[tuple[str, int]]] = {}
    for name, value, count in cursor.fetchall():
        if name == "":
            total = count
        else:
            counts.setdefault(name, []).append((value, count))
    return total, (counts if total else {})


def _facet_counts(cursor, plan: _Search, total: int, names: Sequence[str]):
    counts: dict[str, list[tuple[str, int]]] = {}
    approximate = False
    # The facets nobody filters by are counted over the same documents, in one query; each
    # filtered one over the documents found without its own filter.
    groups: list[tuple[list[str], str | None]] = []
    plain = [name for name in names if name not in plan.filters]
    if plain:
        groups.append((plain, None))
    groups += [([name], name) for name in names if name in plan.filters]
    for group, leave_out in groups:
        cursor.execute(*plan.facet_sample(group, leave_out))
        rows = cursor.fetchall()
        sampled = next(count for name, value, count in rows if name == "" and value == "")
        scale = 1.0
        if sampled >= FACET_SAMPLE:
            if leave_out is None:
                matched = total
            else:
                cursor.execute(*plan.count(leave_out=leave_out))
                matched = cursor.fetchone()[0]
            if matched > sampled:
                approximate = True
                scale = matched / sampled
        for name, value, count in rows:
            if name == "" and value == "":
                continue
            counts.setdefault(name, []).append((value, max(1, round(count * scale))))
    return counts, approximate


def matching_ids(kind: str, query: str) -> QuerySet:
    """The object ids of the kind's documents that match the query, as a subquery for
    `Model.objects.filter(pk__in=matching_ids(kind, query))` (the database runs it as part of
    the caller's query; nothing is read here). An empty query matches every document."""
    documents = SearchDocument.objects.filter(kind=kind)
    parsed = parse_query(query)
    if parsed:
        if _postgresql():
            sql = (
                f"SELECT id FROM {DOCUMENTS} WHERE vector @@ to_tsquery('simple', %s)",
                [parsed.tsquery()],
            )
        else:
            sql = (
                f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s",
                [_Search(kind, parsed, {}).fts()],
            )
        documents = documents.filter(pk__in=RawSQL(*sql))
    return documents.values("object_id")
