"""The library's entries in the platform's search engine. Only published items are indexed, so
that no search, facet or count can reveal a draft or an item in review; an item leaves the index
when it is archived. Called inside the transaction of each change."""

from __future__ import annotations

from collections.abc import Iterable

from asphub.core.text import latvian_sort_key
from asphub.search.services import Document, index_documents, remove_document

from .models import PUBLISHED_STATUSES, Practice

SEARCH_KIND = "practice"
# The facets of the catalogue, in the order the page shows them.
FACETS = (
    "kind",
    "level",
    "theme",
    "pillar",
    "sdg",
    "flagship",
    "language",
    "licence",
    "school",
    "municipality",
    "year",
)


def practice_facets(practice: Practice) -> dict[str, list[str]]:
    school = practice.school
    facets: dict[str, list[str]] = {
        "kind": [practice.kind],
        "level": list(practice.education_levels or []),
        "theme": [area.slug for area in practice.thematic_areas.all()],
        "pillar": [pillar.slug for pillar in practice.pillars.all()],
        "sdg": [str(goal.number) for goal in practice.sdgs.all()],
        "flagship": [practice.flagship.slug] if practice.flagship is not None else [],
        "language": [practice.language],
        "licence": [practice.licence],
        "school": [school.slug] if school is not None else [],
        "municipality": (
            [school.subdivision.code]
            if school is not None and school.subdivision is not None
            else []
        ),
        "year": [str(practice.published_at.year)] if practice.published_at else [],
        "country": [practice.country.code],
    }
    if practice.recommended:
        facets["recommended"] = ["yes"]
    return facets


def _body_texts(practice: Practice) -> Iterable[str]:
    yield practice.summary
    yield practice.summary_en
    yield practice.body
    yield practice.authors
    yield practice.subjects
    for file in practice.files.all():
        yield file.original_name
        yield file.extracted_text


def practice_document(practice: Practice) -> Document:
    """The item as the search engine holds it."""
    return Document(
        object_id=practice.pk,
        title=[practice.title, practice.title_en],
        body=list(_body_texts(practice)),
        facets=practice_facets(practice),
        sort_title=latvian_sort_key(practice.title),
        sort_date=practice.published_at,
    )


def index_practice(practice: Practice) -> None:
    """Bring the item's search entry up to date with the item (or remove it)."""
    if practice.status not in PUBLISHED_STATUSES:
        remove_document(SEARCH_KIND, practice.pk)
        return
    index_documents(SEARCH_KIND, [practice_document(practice)])


REBUILD_BATCH = 500


def published_for_indexing():
    """Published items with everything their search entries read, in a fixed number of queries
    per batch."""
    return (
        Practice.objects.filter(status__in=PUBLISHED_STATUSES)
        .select_related("school", "school__subdivision", "country", "flagship")
        .prefetch_related("thematic_areas", "pillars", "sdgs", "files")
    )


def index_practices(ids) -> int:
    """Index these items (the published ones) in batches: for imports of thousands."""
    ids = sorted(ids)
    count = 0
    for start in range(0, len(ids), REBUILD_BATCH):
        batch = published_for_indexing().filter(pk__in=ids[start : start + REBUILD_BATCH])
        count += index_documents(SEARCH_KIND, (practice_document(p) for p in batch))
    return count


def rebuild_practice_index() -> int:
    """Index every published item again (manage.py rebuild_search_index)."""
    count = 0
    last = 0
    while True:
        batch = list(published_for_indexing().filter(pk__gt=last).order_by("pk")[:REBUILD_BATCH])
        if not batch:
            return count
        count += index_documents(SEARCH_KIND, (practice_document(p) for p in batch))
        last = batch[-1].pk
