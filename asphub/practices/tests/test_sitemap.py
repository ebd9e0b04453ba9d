"""The library's part of sitemap.xml."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from asphub.practices.sitemaps import SITEMAPS, PracticeSitemap
from asphub.practices.tests.factories import (
    ArchivedPracticeFactory,
    InReviewPracticeFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    SubmittedPracticeFactory,
)

pytestmark = pytest.mark.django_db
SITE = SimpleNamespace(domain="asphub.example.org", name="asphub")


def _urls(page: int = 1) -> list[dict]:
    return PracticeSitemap().get_urls(page=page, site=SITE, protocol="https")


def test_sitemap_lists_published_items_only(school):
    PracticeFactory(school=school)
    SubmittedPracticeFactory(school=school)
    InReviewPracticeFactory(school=school)
    ArchivedPracticeFactory(school=school)
    published = PublishedPracticeFactory(school=school)

    urls = _urls()

    assert [url["location"] for url in urls] == [
        "https://asphub.example.org" + reverse("practices:detail", kwargs={"pk": published.pk})
    ]
    assert urls[0]["lastmod"] == published.updated_at


def test_addresses_are_the_default_languages_whatever_the_crawler_asks_in(school):
    published = PublishedPracticeFactory(school=school)

    with translation.override("en"):
        urls = _urls()

    assert urls[0]["location"].endswith(reverse("practices:detail", kwargs={"pk": published.pk}))
    assert "/en/" not in urls[0]["location"]


def test_sitemap_pages_cost_the_same_queries_for_few_and_many_items(
    school, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(PracticeSitemap, "limit", 5)
    for _ in range(3):
        PublishedPracticeFactory(school=school)
    with django_assert_max_num_queries(2) as few:
        assert len(_urls()) == 3
    for _ in range(10):
        PublishedPracticeFactory(school=school)
    with django_assert_max_num_queries(2) as many:
        assert len(_urls(page=2)) == 5

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_sitemaps_dict_names_the_library():
    assert {"practices": PracticeSitemap} == SITEMAPS
