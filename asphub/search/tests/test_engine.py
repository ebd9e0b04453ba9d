"""The search engine on the database under test (SQLite FTS5 or PostgreSQL tsvector): the
same tests run on both (DATABASE_URL)."""

import datetime as dt

import pytest
from django.db import connection

from asphub.search.models import SearchDocument, SearchFacet
from asphub.search.selectors import matching_ids, search
from asphub.search.services import (
    Document,
    index_document,
    index_documents,
    remove_document,
    remove_documents,
)

from .conftest import KIND

pytestmark = pytest.mark.django_db


def when(day: int) -> dt.datetime:
    return dt.datetime(2025, 1, day, tzinfo=dt.UTC)


def doc(object_id, title, body="", day=None, **facets):
    return Document(
        object_id=object_id,
        title=[title],
        body=[body],
        facets=facets,
        sort_title=title.casefold(),
        sort_date=when(day) if day else None,
    )


def found(query="", **options) -> list[int]:
    return search(KIND, query=query, **options).ids


LIBRARY = [
    doc(1, "Ilgtspējīgas attīstības izglītība skolā", "Projekts ar skolēniem", 3,
        language=["lv"], theme=["esd"], level=["secondary", "basic"]),
    doc(2, "Ūdens diena", "Skolas ilgtspējīga attīstība un ūdens taupīšana", 5,
        language=["lv"], theme=["esd", "water"], level=["basic"]),
    doc(3, "Education for sustainable development", "A school project on water", 1,
        language=["en"], theme=["esd"], level=["secondary"]),
    doc(4, "Kultūras mantojums", "Pasaules mantojuma izglītība", 4,
        language=["lv"], theme=["heritage"], level=["primary"]),
    doc(5, "World heritage in schools", "Heritage education", None,
        language=["en"], theme=["heritage"], level=["secondary"]),
]  # fmt: skip


@pytest.fixture
def library(indexed):
    indexed(*LIBRARY)
    # Another kind with the same words is never found under "test".
    indexed(doc(1, "Ilgtspējīgas attīstības skola"), kind="other")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ilgtspējīgas attīstības", {1, 2}),
        ("ilgtspejiga attistiba", {1, 2}),
        ("ILGTSPĒJĪGĀ ATTĪSTĪBĀ", {1, 2}),
        ("izglitibas", {1, 4}),
        ("skolas", {1, 2}),
        ("skolā", {1, 2}),
        ("SKOLA", {1, 2}),
        ("ūdeņi", {2}),
        ("udens", {2}),
        ("sustainable development", {3}),
        ("schools", {3, 5}),
        ("heritage", {5}),
        ("mantojums", {4}),
        ("nekas tāds", set()),
    ],
)
def test_latvian_queries_in_any_case_and_form_and_english_queries_find_their_items(
    library, query, expected
):
    assert set(found(query)) == expected


def test_every_word_must_match(library):
    assert found("ūdens attīstība") == [2]
    assert found("ūdens mantojums") == []


def test_a_phrase_needs_its_words_together_and_in_order(library):
    assert set(found('"ilgtspējīga attīstība"')) == {1, 2}
    assert found('"attīstība ilgtspējīga"') == []
    assert found('"sustainable development"') == [3]
    assert found('"education development"') == []


def test_the_last_word_matches_word_starts_while_typed(library):
    assert set(found("ilgtsp")) == {1, 2}
    assert found("herit") == [5]
    assert found("herit ") == []  # a finished word is a whole word


def test_title_matches_rank_above_body_matches(indexed):
    indexed(
        doc(1, "Projekts par mieru", "Ūdens un ūdens un ūdens"),
        doc(2, "Ūdens projekts", "Par mieru"),
        doc(3, "Mežs", "Par ūdeni"),
    )
    assert found("ūdens") == [2, 1, 3]
    assert found("miers") == [1, 2]


def test_sorts_newest_and_title_and_no_query_is_newest_first(library):
    assert found(sort="newest") == [2, 4, 1, 3, 5]  # undated last
    assert found() == [2, 4, 1, 3, 5]
    assert found(sort="title") == [3, 1, 4, 5, 2]
    assert found("heritage", sort="title") == [5]
    with pytest.raises(ValueError):
        found(sort="random")


def test_pages(library):
    first = search(KIND, sort="newest", limit=2)
    second = search(KIND, sort="newest", offset=2, limit=2)
    beyond = search(KIND, sort="newest", offset=50, limit=2)
    assert (first.total, first.ids) == (5, [2, 4])
    assert (second.total, second.ids) == (5, [1, 3])
    assert (beyond.total, beyond.ids) == (5, [])


def test_filters_or_within_a_facet_and_across_facets(library):
    assert set(found(filters={"language": ["en"]})) == {3, 5}
    assert set(found(filters={"theme": ["water", "heritage"]})) == {2, 4, 5}
    assert set(found(filters={"theme": ["esd"], "level": ["secondary"]})) == {1, 3}
    assert set(found("attīstība", filters={"level": ["basic"]})) == {1, 2}
    assert found(filters={"theme": ["no-such-theme"]}) == []
    assert set(found(filters={"theme": []})) == {1, 2, 3, 4, 5}  # no values: no filter


def test_facet_counts_are_over_the_results_and_disjunctive_for_filtered_facets(library):
    result = search(KIND, query="", facets=["language", "theme"])
    assert result.facets == {
        "language": [("lv", 3), ("en", 2)],
        "theme": [("esd", 3), ("heritage", 2), ("water", 1)],
    }
    narrowed = search(KIND, filters={"language": ["en"]}, facets=["language", "theme"])
    assert narrowed.total == 2
    # The filtered facet counts without its own filter (what choosing another value gives),
    # the others over the results.
    assert narrowed.facets == {
        "language": [("lv", 3), ("en", 2)],
        "theme": [("esd", 1), ("heritage", 1)],
    }
    assert search(KIND, query="ūdens", facets=["theme"]).facets == {
        "theme": [("esd", 1), ("water", 1)]
    }
    assert search(KIND, query="nothing-at-all", facets=["theme"]).facets == {"theme": []}


def test_indexing_again_replaces_and_removing_removes(library):
    index_document(KIND, 4, title=["Jauns nosaukums"], facets={"theme": ["peace"]})
    index_document(KIND, 4, title=["Jauns nosaukums"], facets={"theme": ["peace"]})
    assert found("mantojums") == []
    assert found("nosaukums") == [4]
    assert SearchDocument.objects.filter(kind=KIND, object_id=4).count() == 1
    assert list(
        SearchFacet.objects.filter(document__kind=KIND, document__object_id=4).values_list(
            "name", "value"
        )
    ) == [("theme", "peace")]
    remove_document(KIND, 4)
    remove_document(KIND, 4)  # not there: nothing happens
    assert found("nosaukums") == []
    assert remove_documents(KIND, [1, 2, 999]) == 2
    assert set(found()) == {3, 5}
    assert search("other").ids == [1]


def test_bulk_indexing_thousands_takes_a_few_queries(db, django_assert_max_num_queries):
    documents = [doc(n, f"Skola numur {n}", "Rīga", country=["LV"]) for n in range(1200)]
    # Per batch of 500: what exists already, the upsert and the facets (each in SQLite-sized
    # INSERTs); once: the maintained counts.
    with django_assert_max_num_queries(24):
        assert index_documents(KIND, documents) == 1200
    assert search(KIND, query="skola numur 777").ids == [777]
    assert search(KIND, query="rigas").total == 1200


def test_matching_ids_is_a_subquery_for_the_orm(library, django_assert_num_queries):
    ids = matching_ids(KIND, "attīstība")
    with django_assert_num_queries(1):
        rows = set(
            SearchDocument.objects.filter(kind=KIND, object_id__in=ids).values_list(
                "object_id", flat=True
            )
        )
    assert rows == {1, 2}
    assert (
        SearchDocument.objects.filter(kind=KIND, object_id__in=matching_ids(KIND, "")).count() == 5
    )


def test_a_search_takes_a_fixed_number_of_queries(library, django_assert_num_queries):
    # Count, page, unfiltered facets, the filtered facet; on PostgreSQL, inside the test's
    # transaction, also a savepoint, the planner's setting, its restoring and the release.
    expected = 8 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(expected):
        search(KIND, query="skola", filters={"theme": ["esd"]}, facets=["theme", "level"])
    # Neither query nor filter: the maintained counts (total and facets) and the page.
    with django_assert_num_queries(expected - 2):
        search(KIND, facets=["theme", "level"])


PAYLOADS = [
    '"', '""', '"""', '"skola', 'skola"', "*", "skol*", "**", "-", "-skola", "- -", "+skola",
    "(", ")", "(skola", "skola)", "((()))", "NEAR(skola ūdens)", "NEAR", "skola NEAR ūdens",
    "AND", "OR", "NOT", "skola AND", "OR skola", "NOT skola", "skola NOT ūdens", "^skola",
    "skola^2", ":", "title_terms:skola", "body_terms : x", "{title_terms}: skola", "\x00",
    "sko\x00la", "'", "''", "';--", "\\", "%", "_", "%_\\", "&", "|", "!", "<->", "skola <-> ūdens",
    "skola:*", "skola & !ūdens", "'skola':* | x", "$$", "ā" * 5000, "skola " * 2000,
    "x" * 10_000, "☃ 🏫 中文 学校", "...", "   ", "\t\n\r", "\u200b", "\ufeff",
    "SELECT * FROM search_searchdocument", "1=1", "0x00", "NULL",
]  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS)
def test_operator_and_garbage_queries_are_inert(library, payload):
    result = search(KIND, query=payload, facets=["theme"], sort="relevance")
    assert 0 <= result.total <= 5
    list(SearchDocument.objects.filter(object_id__in=matching_ids(KIND, payload)))
    assert SearchDocument.objects.filter(kind=KIND).count() == 5


def test_operators_do_not_widen_or_narrow_a_search(library):
    assert set(found("skola OR mantojums")) == set()  # "or" is a word that must be present
    assert set(found("NEAR(skola)")) == set()
    assert set(found('skola"')) == {1, 2}
    assert set(found("-skola")) == {1, 2}
    assert set(found("skola*")) == {1, 2}


def test_the_full_text_index_follows_raw_writes(library):
    # The index follows every write of the documents' table, not only the ORM's.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_searchdocument SET title_terms = %s WHERE kind = %s AND object_id = %s",
            ["zvaigzn", KIND, 5],
        )
    assert found("zvaigzne") == [5]
