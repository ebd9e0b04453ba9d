"""The Atom feed of newly published items."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from asphub.practices.oai import oai_identifier
from asphub.practices.tests.factories import (
    ArchivedPracticeFactory,
    InReviewPracticeFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    SubmittedPracticeFactory,
    ThematicAreaFactory,
)

pytestmark = pytest.mark.django_db
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def _feed(client, **params):
    response = client.get(reverse("practices:feed"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def _titles(feed) -> list[str]:
    return [entry.find("atom:title", ATOM).text for entry in feed.iterfind("atom:entry", ATOM)]


def test_feed_lists_published_items_newest_first_with_links_to_their_pages(client, school):
    now = timezone.now()
    older = PublishedPracticeFactory(
        school=school, title="Vecāka", published_at=now - datetime.timedelta(days=2)
    )
    newer = PublishedPracticeFactory(
        school=school, title="Jaunāka", published_at=now - datetime.timedelta(days=1)
    )

    feed = _feed(client)

    assert _titles(feed) == ["Jaunāka", "Vecāka"]
    first = feed.find("atom:entry", ATOM)
    link = first.find("atom:link[@rel='alternate']", ATOM).get("href")
    assert link == "http://testserver" + reverse("practices:detail", kwargs={"pk": newer.pk})
    assert first.find("atom:id", ATOM).text == oai_identifier(newer.pk)
    assert first.find("atom:author/atom:name", ATOM).text == f"{newer.authors}, {school.name}"
    assert older.pk != newer.pk


def test_titles_and_summaries_are_text_never_markup(client, school):
    PublishedPracticeFactory(
        school=school,
        title="<script>alert(1)</script> & co",
        summary='<img src=x onerror="alert(2)"> kopsavilkums\x0b',
    )

    response = client.get(reverse("practices:feed"))
    feed = ET.fromstring(response.content)

    entry = feed.find("atom:entry", ATOM)
    title = entry.find("atom:title", ATOM)
    summary = entry.find("atom:summary", ATOM)
    assert title.get("type", "text") == "text"
    assert title.text == "<script>alert(1)</script> & co"
    assert summary.get("type") == "text"
    assert summary.text == '<img src=x onerror="alert(2)"> kopsavilkums'
    assert b"<script>" not in response.content


def test_feed_never_shows_drafts_items_in_review_or_archived_items(client, school):
    PracticeFactory(school=school, title="Melnraksts")
    SubmittedPracticeFactory(school=school, title="Iesniegts")
    InReviewPracticeFactory(school=school, title="Vērtēšanā")
    ArchivedPracticeFactory(school=school, title="Arhivēts")
    PublishedPracticeFactory(school=school, title="Publicēts")

    assert _titles(_feed(client)) == ["Publicēts"]


def test_country_parameter_keeps_one_countrys_items(client, school, foreign_school):
    PublishedPracticeFactory(school=school, title="Latvijā")
    PublishedPracticeFactory(school=foreign_school, title="Igaunijā")

    assert _titles(_feed(client, country="EE")) == ["Igaunijā"]
    assert _titles(_feed(client, country="lv")) == ["Latvijā"]
    assert sorted(_titles(_feed(client))) == ["Igaunijā", "Latvijā"]
    self_link = _feed(client, country="EE").find("atom:link[@rel='self']", ATOM).get("href")
    assert self_link.endswith(reverse("practices:feed") + "?country=EE")


@pytest.mark.parametrize("code", ["XX", "L", "<script>", "LVA"])
def test_an_unknown_or_malformed_country_is_not_found(client, latvia, code):
    assert client.get(reverse("practices:feed"), {"country": code}).status_code == 404


def test_entries_carry_their_thematic_areas(client, school):
    theme = ThematicAreaFactory(slug="peace", name_lv="Miers", name_en="Peace")
    PublishedPracticeFactory(school=school, thematic_areas=[theme])

    entry = _feed(client).find("atom:entry", ATOM)

    assert [c.get("term") for c in entry.findall("atom:category", ATOM)] == ["Miers"]


def test_feed_costs_the_same_queries_for_few_and_many_items(
    client, school, django_assert_max_num_queries
):
    theme = ThematicAreaFactory()
    for _ in range(2):
        PublishedPracticeFactory(school=school, thematic_areas=[theme])
    with django_assert_max_num_queries(3) as few:
        _feed(client)
    for _ in range(20):
        PublishedPracticeFactory(school=school, thematic_areas=[theme])
    with django_assert_max_num_queries(3) as many:
        _feed(client)

    assert len(many.captured_queries) == len(few.captured_queries)


def test_feed_answers_only_reads(client, latvia):
    assert client.post(reverse("practices:feed")).status_code == 405


def test_whole_catalogue_exports_are_limited_per_address_and_hour(client, settings):
    settings.ASPHUB_EXPORTS_PER_HOUR = 2
    urls = [reverse("practices:export_csv"), reverse("practices:export_json"),
            reverse("practices:export_csv")]  # fmt: skip

    answers = [client.get(url).status_code for url in urls]
    other_address = client.get(urls[0], REMOTE_ADDR="192.0.2.7").status_code

    assert answers == [200, 200, 429]
    assert other_address == 200
