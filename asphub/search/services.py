"""Writes to the search index. Plain functions, called by the app that owns the objects inside
its own transaction, so that the index changes exactly when (and only if) the object does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from asphub.core.text import search_terms

from .models import SearchDocument, SearchFacet

KIND_MAX_LENGTH = 30
FACET_NAME_MAX_LENGTH = 30
FACET_VALUE_MAX_LENGTH = 100
# Rows per INSERT: below SQLite's limit of host parameters, 8 columns a row.
BATCH_SIZE = 500


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
    with transaction.atomic():
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH_SIZE:
                written += _write(kind, batch)
                batch = []
        if batch:
            written += _write(kind, batch)
    return written


def _write(kind: str, documents: list[Document]) -> int:
    unique = {document.object_id: document for document in documents}  # the last one wins
    rows = [
        SearchDocument(
            kind=kind,
            object_id=document.object_id,
            title_terms=_terms(document.title),
            body_terms=_terms(document.body),
            sort_title=document.sort_title[:255],
            sort_date=document.sort_date,
        )
        for document in unique.values()
    ]
    # An upsert, not delete and insert: two writers of the same object (each under its own
    # lock on the object, say) never collide on the unique constraint. The FTS5 triggers see
    # the update like any other.
    SearchDocument.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title_terms", "body_terms", "sort_title", "sort_date"],
    )
    ids = {row.object_id: row.pk for row in rows}
    if None in ids.values():  # a backend that does not return ids from an upsert
        ids = dict(
            SearchDocument.objects.filter(kind=kind, object_id__in=list(unique)).values_list(
                "object_id", "pk"
            )
        )
    SearchFacet.objects.filter(document_id__in=list(ids.values())).delete()
    SearchFacet.objects.bulk_create(
        (
            SearchFacet(document_id=ids[object_id], name=name, value=value)
            for object_id, document in unique.items()
            for name, value in sorted(_facet_rows(document))
        ),
        batch_size=BATCH_SIZE,
    )
    return len(rows)


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
            removed += documents.delete()[1].get(SearchDocument._meta.label, 0)
    return removed


def remove_document(kind: str, object_id: int) -> None:
    remove_documents(kind, [object_id])


def remove_kind(kind: str) -> int:
    """Empty the index of one kind (before rebuilding it)."""
    deleted = SearchDocument.objects.filter(kind=kind).delete()[1]
    return deleted.get(SearchDocument._meta.label, 0)
