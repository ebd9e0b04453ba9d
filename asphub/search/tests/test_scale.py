"""What keeps searches cheap at 100,000 documents (asphub.search.selectors' docstring): the
maintained facet counts, estimated counts above the sample, the order of the broad searches
and the kind matched inside the full-text index. On both databases (DATABASE_URL)."""

import datetime as dt

import pytest

from asphub.search import selectors
from asphub.search.models import SearchFacetCount
from asphub.search.selectors import search
from asphub.search.services import (
    Document,
    index_document,
    index_documents,
    remove_documents,
    remove_kind,
)

from .conftest import KIND

pytestmark = pytest.mark.django_db


def doc(object_id, title, body="", day=None, **facets):
    return Document(
        object_id=object_id,
        title=[title],
        body=[body],
        facets=facets,
        sort_title=title.casefold(),
        sort_date=dt.datetime(2025, 1, day, tzinfo=dt.UTC) if day else None,
    )


def maintained(kind=KIND) -> dict[tuple[str, str], int]:
    return {
        (row.name, row.value): row.count
        for row in SearchFacetCount.objects.filter(kind=kind)
        if row.count
    }


def counted_from_facets(kind=KIND, names=("theme", "language")) -> dict[tuple[str, str], int]:
    """The same counts, counted from the facets themselves (with a filter, so that the
    maintained table is not read)."""
    result = search(kind, query="", filters={"everything": ["yes"]}, facets=names)
    counts = {(name, value): count for name in names for value, count in result.facets[name]}
    return {**counts, ("", ""): result.total}


def test_maintained_counts_follow_indexing_replacing_and_removing(indexed):
    indexed(
        doc(1, "Viens", theme=["esd", "water"], language=["lv"], everything=["yes"]),
        doc(2, "Divi", theme=["esd"], language=["en"], everything=["yes"]),
        doc(3, "Trīs", theme=["heritage"], language=["lv"], everything=["yes"]),
    )
    indexed(doc(1, "Cits", theme=["esd"]), kind="other")
    first = {
        ("", ""): 3, ("theme", "esd"): 2, ("theme", "water"): 1, ("theme", "heritage"): 1,
        ("language", "lv"): 2, ("language", "en"): 1, ("everything", "yes"): 3,
    }  # fmt: skip
    assert maintained() == first
    assert counted_from_facets() == {k: v for k, v in first.items() if k[0] != "everything"}
    # Indexing again with other values moves the counts; the same values leave them.
    index_document(KIND, 1, title=["Viens"], facets={"theme": ["peace"], "everything": ["yes"]})
    index_document(KIND, 1, title=["Viens"], facets={"theme": ["peace"], "everything": ["yes"]})
    index_documents(KIND, [doc(2, "Divi", theme=["esd"], language=["en"], everything=["yes"])])
    expected = {
        ("", ""): 3, ("theme", "esd"): 1, ("theme", "peace"): 1, ("theme", "heritage"): 1,
        ("language", "lv"): 1, ("language", "en"): 1, ("everything", "yes"): 3,
    }  # fmt: skip
    assert maintained() == expected
    assert counted_from_facets() == {k: v for k, v in expected.items() if k[0] != "everything"}
    assert remove_documents(KIND, [2, 3, 999]) == 2
    assert maintained() == {("", ""): 1, ("theme", "peace"): 1, ("everything", "yes"): 1}
    # Another kind's counts are its own.
    assert maintained("other") == {("", ""): 1, ("theme", "esd"): 1}
    remove_kind(KIND)
    assert maintained() == {}
    assert maintained("other") == {("", ""): 1, ("theme", "esd"): 1}


def test_the_page_without_query_or_filter_reads_the_maintained_counts(indexed):
    indexed(doc(1, "Viens", theme=["esd"]), doc(2, "Divi", theme=["esd", "water"]))
    result = search(KIND, facets=["theme", "language"])
    assert (result.total, result.facets_approximate) == (2, False)
    assert result.facets == {"theme": [("esd", 2), ("water", 1)], "language": []}
    # Counts are what the page shows: made wrong on purpose, the page shows them.
    SearchFacetCount.objects.filter(kind=KIND, name="theme", value="water").update(count=7)
    assert search(KIND, facets=["theme"]).facets == {"theme": [("water", 7), ("esd", 2)]}
    assert search("nothing-indexed", facets=["theme"]).facets == {"theme": []}


def test_counts_above_the_sample_are_estimated_and_marked_approximate(indexed, monkeypatch):
    monkeypatch.setattr(selectors, "FACET_SAMPLE", 10)
    indexed(
        *[doc(n, f"Skola {n}", theme=["esd"] + (["water"] if n % 4 == 0 else [])) for n in range(1, 41)],
        *[doc(n, f"Māja {n}", theme=["heritage"]) for n in range(41, 46)],
    )  # fmt: skip
    broad = search(KIND, query="skola", facets=["theme"])
    assert (broad.total, broad.facets_approximate) == (40, True)
    # Scaled to the 40 found from a sample of 10; every sampled document has "esd".
    assert broad.facets["theme"][0] == ("esd", 40)
    assert 0 < dict(broad.facets["theme"]).get("water", 0) <= 40
    # A filtered facet is scaled to the documents found without its own filter.
    filtered = search(KIND, query="skola", filters={"theme": ["water"]}, facets=["theme"])
    assert filtered.total == 10
    assert filtered.facets_approximate
    assert dict(filtered.facets["theme"])["esd"] == 40
    narrow = search(KIND, query="māja", facets=["theme"])
    assert (narrow.total, narrow.facets_approximate) == (5, False)
    assert narrow.facets == {"theme": [("heritage", 5)]}


def test_newest_puts_undated_last_and_breaks_ties_by_newest_row(indexed):
    indexed(
        doc(1, "Viens", day=3), doc(2, "Divi"), doc(3, "Trīs", day=9),
        doc(4, "Četri", day=3), doc(5, "Pieci"),
    )  # fmt: skip
    assert search(KIND, sort="newest").ids == [3, 4, 1, 5, 2]
    assert search(KIND, query="viens pieci divi četri trīs", sort="newest").ids == []
    assert search(KIND, filters={}, sort="newest", offset=3, limit=2).ids == [5, 2]


def test_broad_searches_put_title_matches_first(indexed, monkeypatch):
    monkeypatch.setattr(selectors, "RANK_ALL_MAX", 3)
    indexed(
        doc(1, "Ūdens projekts", "Mežs"),
        doc(2, "Mežs", "Ūdens"),
        doc(3, "Ūdens diena", "Mežs"),
        doc(4, "Pļava", "Ūdens un ūdens"),
        doc(5, "Ūdens", ""),
    )
    result = search(KIND, query="ūdens")
    assert result.total == 5
    titles_first = [5, 3, 1]  # title matches, most recently indexed first, then the others
    assert result.ids == titles_first + [4, 2]
    assert search(KIND, query="ūdens", offset=2, limit=2).ids == [1, 4]
    assert search(KIND, query="ūdens", offset=4, limit=5).ids == [2]


def test_kinds_are_isolated_even_when_one_kind_is_the_start_of_another(indexed):
    indexed(doc(1, "Skola"), kind="school")
    indexed(doc(2, "Skola"), kind="schools")
    indexed(doc(3, "Skola"), kind="s")
    assert search("school", query="skola").ids == [1]
    assert search("schools", query="skola").ids == [2]
    assert search("s", query="skola").ids == [3]
    assert search("school", query="skola", sort="newest").ids == [1]
    assert search("scho", query="skola").ids == []


def test_max_values_keeps_the_most_frequent_values_of_each_facet(indexed):
    indexed(
        doc(1, "Viens", theme=["a", "b"], language=["lv"]),
        doc(2, "Divi", theme=["b", "c"], language=["lv"]),
        doc(3, "Trīs", theme=["b", "c"], language=["en"]),
    )
    for filters in ({}, {"language": ["lv", "en"]}):  # maintained counts, and counted
        result = search(KIND, filters=filters, facets=["theme", "language"], max_values=2)
        assert result.facets == {"theme": [("b", 3), ("c", 2)], "language": [("lv", 2), ("en", 1)]}
