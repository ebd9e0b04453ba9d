"""What the public pages say agrees with the data: the about page's pillars once, the home
page's newest members by when they joined, its flagship figure with the flagship pages."""

import importlib
import json
import re

import pytest
from django.conf import settings

from asphub.pages.models import Page
from asphub.pages.services import pages_load_defaults
from asphub.schools.models import School
from asphub.schools.tests.factories import SchoolFactory
from asphub.taxonomy.models import FlagshipNetwork

pytestmark = pytest.mark.django_db

FIXES = importlib.import_module(
    "asphub.pages.migrations.0003_link_the_regulation_and_show_the_pillars_once"
)
JOIN_FIXES = importlib.import_module(
    "asphub.pages.migrations.0004_join_page_says_applications_are_online"
)


def main_of(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    ("url", "pillars"),
    [
        ("/about/", ["mācīties zināt", "mācīties darīt", "mācīties būt", "mācīties dzīvot kopā"]),
        ("/en/about/", ["learning to know", "learning to do", "learning to be",
                        "learning to live together"]),
    ],
)  # fmt: skip
def test_the_about_page_shows_the_four_pillars_once(client, loaded_network, url, pillars):
    main = main_of(client.get(url)).lower()
    assert main.count('id="pillars-heading"') == 1
    for pillar in pillars:
        assert main.count(pillar) == 1, pillar
    assert len(re.findall(r"<h2[^>]*>[^<]*(?:pillars|pīlāri)", main)) == 1


def _as_first_loaded(page: Page) -> None:
    """Put back the default texts as an earlier data/pages.json had them (the later fixes
    undone first)."""
    if page.slug == "join":
        for field, old, new in JOIN_FIXES.FIXES:
            assert new in getattr(page, field), field
            setattr(page, field, getattr(page, field).replace(new, old))
    for slug, field, old, new in FIXES.FIXES:
        if slug == page.slug:
            text = getattr(page, field)
            if new:
                assert new in text, (slug, field)
                text = text.replace(new, old)
            else:
                anchor = {"body_lv": "<h2>Ko dara Latvijas skolas</h2>",
                          "body_en": "<h2>What Latvian schools do</h2>"}[field]  # fmt: skip
                text = text.replace(anchor, old + anchor)
            setattr(page, field, text)
    page.save()


def test_pages_loaded_earlier_get_the_corrected_texts_unless_edited(loaded_network):
    defaults = {p.slug: (p.body_lv, p.body_en) for p in Page.objects.all()}
    for page in Page.objects.filter(slug__in=["join", "about"]):
        _as_first_loaded(page)
    edited = Page.objects.get(slug="about")
    edited.body_en = edited.body_en.replace("<h2>History</h2>", "<h2>Our history</h2>")
    edited.save()

    FIXES.apply_fixes(django_apps(), None)
    JOIN_FIXES.apply_fixes(django_apps(), None)

    join = Page.objects.get(slug="join")
    assert (join.body_lv, join.body_en) == defaults["join"]
    about = Page.objects.get(slug="about")
    assert about.body_lv == defaults["about"][0]
    # The coordinator's own text changed only where it still is the old default.
    assert about.body_en == defaults["about"][1].replace("<h2>History</h2>", "<h2>Our history</h2>")


def django_apps():
    from django.apps import apps

    return apps


def test_the_default_texts_are_what_a_new_platform_loads(latvia):
    pages = json.loads((settings.BASE_DIR / "data" / "pages.json").read_text(encoding="utf-8"))
    pages_load_defaults(country=latvia, pages=pages)
    assert set(Page.objects.values_list("slug", flat=True)) == set(Page.Slug.values)


# -- the home page ----------------------------------------------------------------------------


def test_the_newest_members_are_the_schools_that_joined_last_not_the_last_rows_added(
    client, latvia
):
    # Added in this order (as an import would), joined in another.
    SchoolFactory(country=latvia, name="Vecā skola", member_since=1995)
    SchoolFactory(country=latvia, name="Jaunākā skola", member_since=2024)
    SchoolFactory(country=latvia, name="Bez gada skola", member_since=None)
    SchoolFactory(country=latvia, name="Vidējā skola", member_since=2019)
    response = client.get("/en/")
    assert [s.name for s in response.context["newest_members"]] == [
        "Jaunākā skola",
        "Vidējā skola",
        "Vecā skola",
    ]
    main = main_of(response)
    assert "by the year they became members" in main
    assert "member since 2024" in main
    assert "Bez gada skola" not in main


def test_the_home_page_says_so_when_no_school_has_a_year_of_joining(client, loaded_network):
    assert not School.objects.filter(member_since__isnull=False).exists()
    main = main_of(client.get("/en/"))
    assert "does not record yet when its schools joined" in main


def test_the_flagship_figure_counts_the_networks_the_flagship_pages_list_schools_for(
    client, loaded_network
):
    # Loaded as it is, no school takes part in any flagship network: no figure.
    response = client.get("/en/")
    assert response.context["flagship_count"] == 0
    assert 'data-count="flagships"' not in response.content.decode()
    listed = client.get("/en/flagships/").context["flagships"]
    assert all(flagship.school_count == 0 for flagship in listed)

    baltic = FlagshipNetwork.objects.get(slug="baltic-sea-project")
    volga = FlagshipNetwork.objects.get(slug__contains="volga")  # ended
    for school in School.objects.all()[:3]:
        school.flagshipparticipation_set.create(flagship=baltic)
        school.flagshipparticipation_set.create(flagship=volga)
    response = client.get("/en/")
    assert response.context["flagship_count"] == 1
    assert "active flagship network with schools of the directory" in response.content.decode()
    assert (
        client.get(f"/en/flagships/{baltic.slug}/").content.decode().count('class="school-card"')
        == 3
    )
