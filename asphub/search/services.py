"""Writes to the search index. Plain functions, called by the app that owns the objects inside
its own transaction, so that the index changes exactly when (and only if) the object does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from asphub.core.text import search_terms

from .models import SearchDocument, SearchFacet, SearchFacetCount
from .query import facet_token

KIND_MAX_LENGTH = 30
FACET_NAME_MAX_LENGTH = 30
FACET_VALUE_MAX_LENGTH = 100
# Rows per INSERT: below SQLite's limit of host parameters, 8 columns a row.
BATCH_SIZE = 500
# The key of the row of SearchFacetCount that counts a kind's documents.
TOTAL = ("", "")

COUNTS = SearchFacetCount._meta.db_table


@dataclass
class Document:
    """One object as the index should hold it (see `index_documents`)."""

    object_id: int
    title: Iterable[str] = ()
    body: Iterable[str] = ()
    facets: Mapping[str, Iterable[str]] = field(default_factory=dict)
    sort_title: str = ""
    sort_date: datetime | None = None


def _terms(texts: Iterable[str]) -> str:
    return " ".join(term for text in texts if text for term in search_terms(text))


def _facet_terms(rows: Iterable[tuple[str, str]]) -> str:
    return " ".join(facet_token(name, value) for name, value in sorted(rows))


def _facet_rows(document: Document) -> set[tuple[str, str]]:
    rows = set()
    for name, values in document.facets.items():
        for value in values:
            value = str(value)
            if value:
                rows.add((name[:FACET_NAME_MAX_LENGTH], value[:FACET_VALUE_MAX_LENGTH]))
    return rows


def index_documents(kind: str, documents: Iterable[Document]) -> int:
    """Put each document in the index under `kind`, replacing whatever it held for the same
    object (idempotent). For one object or for a whole import: a fixed number of queries per
    BATCH_SIZE documents. Returns how many were written."""
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"A search kind is 1 to {KIND_MAX_LENGTH} characters: {kind!r}")
    written = 0
    batch: list[Document] = []
    delta: Counter = Counter()
    with transaction.atomic():
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH_SIZE:
                written += _write(kind, batch, delta)
                batch = []
        if batch:
            written += _write(kind, batch, delta)
        _add_counts(kind, delta)
    return written


def _write(kind: str, documents: list[Document], delta: Counter) -> int:
    """Write one batch; add what it changes in the facets' counts to `delta`."""
    unique = {document.object_id: document for document in documents}  # the last one wins
    rows = [
        SearchDocument(
            kind=kind,
            object_id=document.object_id,
            title_terms=_terms(document.title),
            body_terms=_terms(document.body),
            facet_terms=_facet_terms(_facet_rows(document)),
            sort_title=document.sort_title[:255],
            sort_date=document.sort_date,
        )
        for document in unique.values()
    ]
    existing = dict(
        SearchDocument.objects.filter(kind=kind, object_id__in=list(unique)).values_list(
            "object_id", "pk"
        )
    )
    # What the documents counted before (taken off), then what they count now (added).
    delta.subtract(_facet_totals(list(existing.values())))
    delta[TOTAL] += len(unique) - len(existing)
    for document in unique.values():
        delta.update(_facet_rows(document))
    # An upsert, not delete and insert: two writers of the same object (each under its own
    # lock on the object, say) never collide on the unique constraint. The FTS5 triggers see
    # the update like any other.
    SearchDocument.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title_terms", "body_terms", "facet_terms", "sort_title", "sort_date"],
    )
    ids = {row.object_id: row.pk for row in rows}
    if None in ids.values():  # a backend that does not return ids from an upsert
        ids = dict(
            SearchDocument.objects.filter(kind=kind, object_id__in=list(unique)).values_list(
                "object_id", "pk"
            )
        )
    if existing:
        SearchFacet.objects.filter(document_id__in=list(existing.values())).delete()
    SearchFacet.objects.bulk_create(
        (
            SearchFacet(document_id=ids[object_id], name=name, value=value)
            for object_id, document in unique.items()
            for name, value in sorted(_facet_rows(document))
        ),
        batch_size=BATCH_SIZE,
    )
    return len(rows)


def _facet_totals(document_ids: list[int]) -> Counter:
    """How many of these documents have each facet value (and TOTAL: 0)."""
    totals: Counter = Counter({TOTAL: 0})
    if document_ids:
        rows = (
            SearchFacet.objects.filter(document_id__in=document_ids)
            .values_list("name", "value")
            .order_by()
        )
        totals.update(rows)
    return totals


def _add_counts(kind: str, delta: Mapping[tuple[str, str], int]) -> None:
    """Add to the maintained counts (asphub.search.models.SearchFacetCount) in one statement
    per BATCH_SIZE values: an increment in the database, so that two writers of the same kind
    add up rather than overwrite each other. Sorted, so that they lock the rows in one order
    (no deadlock on PostgreSQL); values that did not change are not touched (and not locked)."""
    changes = sorted((key, change) for key, change in delta.items() if change)
    if not changes:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH_SIZE):
            chunk = changes[start : start + BATCH_SIZE]
            marks = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {COUNTS} (kind, name, value, count) VALUES {marks} "
                "ON CONFLICT (kind, name, value) "
                f"DO UPDATE SET count = {COUNTS}.count + excluded.count",
                [item for (name, value), change in chunk for item in (kind, name, value, change)],
            )
        if any(change < 0 for _key, change in changes):
            cursor.execute(f"DELETE FROM {COUNTS} WHERE kind = %s AND count <= 0", [kind])


def index_document(
    kind: str,
    object_id: int,
    *,
    title: Iterable[str],
    body: Iterable[str] = (),
    facets: Mapping[str, Iterable[str]] | None = None,
    sort_title: str = "",
    sort_date: datetime | None = None,
) -> None:
    """Put one object in the index, replacing what it held for it (idempotent)."""
    index_documents(
        kind,
        [
            Document(
                object_id=object_id,
                title=title,
                body=body,
                facets=facets or {},
                sort_title=sort_title,
                sort_date=sort_date,
            )
        ],
    )


def remove_documents(kind: str, object_ids: Iterable[int]) -> int:
    """Take objects out of the index (those not in it are ignored); returns how many were."""
    ids = list(object_ids)
    removed = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            documents = SearchDocument.objects.filter(kind=kind, object_id__in=chunk)
            document_ids = list(documents.values_list("pk", flat=True))
            if not document_ids:
                continue
            delta = _facet_totals(document_ids)
            delta[TOTAL] = len(document_ids)
            SearchDocument.objects.filter(pk__in=document_ids).delete()
            _add_counts(kind, {key: -count for key, count in delta.items()})
            removed += len(document_ids)
    return removed


def remove_document(kind: str, object_id: int) -> None:
    remove_documents(kind, [object_id])


def remove_kind(kind: str) -> int:
    """Empty the index of one kind (before rebuilding it)."""
    SearchFacetCount.objects.filter(kind=kind).delete()
    deleted = SearchDocument.objects.filter(kind=kind).delete()[1]
    return deleted.get(SearchDocument._meta.label, 0)
