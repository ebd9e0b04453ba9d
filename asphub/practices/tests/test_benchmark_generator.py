"""The library benchmark's generator (benchmarks.library) at a tiny scale: its items are in the
database and in the search index exactly as the library's own indexing puts them, findable
(in another case form, without diacritics), and the unpublished ones are never found."""

import json
import random
from collections import Counter

import pytest
from django.conf import settings

from asphub.core.text import search_terms
from asphub.practices.indexing import SEARCH_KIND, index_practice
from asphub.practices.models import Practice, PracticeStatus
from asphub.schools.tests.factories import CountryFactory, SchoolFactory
from asphub.search.models import SearchDocument, SearchFacet
from asphub.search.selectors import search
from asphub.taxonomy.services import reference_data_load
from benchmarks.library import LibraryGenerator, _memoized_search_terms
from benchmarks.library_text import DRAFT_WORD, EN_DRAFT_WORD, TextMaker, languages

ITEMS = 50
SEED = 7


@pytest.fixture
def generated(db):
    reference = json.loads((settings.BASE_DIR / "data" / "reference.json").read_text("utf-8"))
    reference_data_load(reference)
    latvia = CountryFactory(code="LV")
    abroad = CountryFactory(code="FI", name_lv="Somija", name_en="Finland")
    for _ in range(3):
        SchoolFactory(country=latvia)
    SchoolFactory(country=abroad, settlement="Espoo")
    counts = LibraryGenerator(items=ITEMS, seed=SEED, batch=20, log=lambda _message: None).run()
    return counts


def _index_snapshot() -> dict:
    documents = SearchDocument.objects.filter(kind=SEARCH_KIND)
    facets = Counter(
        SearchFacet.objects.filter(document__kind=SEARCH_KIND).values_list(
            "document__object_id", "name", "value"
        )
    )
    rows = documents.values_list(
        "object_id", "title_terms", "body_terms", "sort_title", "sort_date"
    )
    return {"documents": sorted(rows), "facets": facets}


def test_generated_items_are_stored_and_exactly_the_published_ones_indexed(generated):
    assert generated["items"] == Practice.objects.count() == ITEMS
    published = set(
        Practice.objects.filter(status=PracticeStatus.PUBLISHED).values_list("pk", flat=True)
    )
    assert generated["published"] == len(published)
    assert 0 < len(published) < ITEMS
    indexed = set(
        SearchDocument.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True)
    )
    assert indexed == published
    assert set(Practice.objects.values_list("language", flat=True)) == {"lv", "en"}
    assert Practice.objects.filter(thematic_areas__isnull=False).distinct().count() == ITEMS
    assert Practice.objects.filter(school__country__code="FI").exists()


def test_the_index_holds_what_the_library_own_indexing_writes(generated):
    before = _index_snapshot()
    for practice in Practice.objects.all():
        index_practice(practice)
    assert _index_snapshot() == before


def test_generated_items_are_found_by_inflected_and_plain_forms(generated):
    practice = (
        Practice.objects.filter(status=PracticeStatus.PUBLISHED, language="lv")
        .order_by("pk")
        .first()
    )
    # "skola" is the most frequent Latvian word: its other forms find it too.
    latvian = search(SEARCH_KIND, query="skolā", limit=200)
    assert practice.pk in search(SEARCH_KIND, query=practice.title, limit=200).ids
    assert latvian.total > 0
    assert search(SEARCH_KIND, query="skolam").total == latvian.total
    english = search(SEARCH_KIND, query="school")
    assert english.total > 0


def test_unpublished_items_are_not_found(generated):
    unpublished = Practice.objects.exclude(status=PracticeStatus.PUBLISHED)
    assert unpublished.exists()
    for word in (DRAFT_WORD, EN_DRAFT_WORD):
        assert search(SEARCH_KIND, query=word).total == 0
    for practice in unpublished:
        assert practice.pk not in search(SEARCH_KIND, query=practice.title, limit=200).ids


def test_the_same_seed_gives_the_same_text_and_the_memoized_analyzer_the_same_terms():
    def sample(seed):
        maker = TextMaker(languages(seed)["lv"], random.Random(seed))
        return maker.title(), maker.summary(), maker.body()

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)
    title, summary, body = sample(3)
    assert len(title.split()) >= 4 and len(summary.split()) >= 40 and len(body.split()) >= 300
    memoized = _memoized_search_terms()
    for text in (title, summary, body, "Ūdenī IZGLĪTĪBA skolēniem, ģimnāzija."):
        assert memoized(text) == search_terms(text)
