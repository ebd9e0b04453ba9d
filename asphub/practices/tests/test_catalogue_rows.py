"""The catalogue's rows and facets, written in Python (views.public._practice_cards and
_facet_list), against the template loops they replaced: the same markup, escaping included, in
both languages; and facet labels that follow every change of the names they show."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from asphub.countries.models import Subdivision
from asphub.practices.catalogue import catalogue_search
from asphub.practices.indexing import index_practice
from asphub.practices.models import Practice, PracticeKind, PracticeStatus
from asphub.practices.selectors import catalogue_rows, published_practices
from asphub.practices.views.public import _facet_list, _practice_cards
from asphub.schools.tests.factories import CountryFactory, SchoolFactory
from asphub.taxonomy.models import FlagshipNetwork, Pillar, SustainableDevelopmentGoal, ThematicArea

pytestmark = pytest.mark.django_db

# templates/practices/catalogue.html's loops as they were.
OLD_CARDS = (
    "{% load i18n %}{% for practice in items %}\n"
    '        <li class="practice-card">\n'
    "          <h3><a href=\"{% url 'practices:detail' pk=practice.pk %}\" "
    'lang="{{ practice.display_language }}">{{ practice.display_title }}</a></h3>\n'
    '          <p class="meta">{{ practice.get_kind_display }}{% if practice.school %} · '
    "{{ practice.school.name }}{% else %} · {{ practice.country }}{% endif %}"
    '{% if practice.published_at %} · {{ practice.published_at|date:"Y" }}{% endif %}</p>\n'
    '          <p class="summary" lang="{{ practice.display_language }}">'
    "{{ practice.display_summary|truncatewords:40 }}</p>\n"
    '          <p class="tags">{% if practice.recommended %}<span class="badge '
    'badge-recommended">{% translate "recommended" %}</span> {% endif %}'
    '{% for area in practice.thematic_areas.all %}<span class="badge">{{ area }}</span> '
    "{% endfor %}</p>\n"
    "        </li>\n"
    "        {% endfor %}"
)
OLD_FACETS = (
    '{% load i18n %}{% translate "approximately: counted over a sample of the results" as '
    "approximate_title %}{% with approximate=search.result.facets_approximate %}"
    "{% for facet in search.facets %}\n"
    '    <details class="facet"{% if facet.has_selection %} open{% endif %}>\n'
    "      <summary>{{ facet.title }}</summary>\n"
    "      <fieldset>\n"
    '      <legend class="visually-hidden">{{ facet.title }}</legend>\n'
    '      <ul class="facet-values">\n'
    "      {% for option in facet.values %}\n"
    '        <li><input type="checkbox" name="{{ facet.name }}" value="{{ option.value }}" '
    'id="{{ option.dom_id }}"{% if option.selected %} checked{% endif %}> <label '
    'for="{{ option.dom_id }}">{{ option.label }} <span class="count">({% if approximate %}'
    '<abbr title="{{ approximate_title }}">≈</abbr>{% endif %}{{ option.count_text }})</span>'
    "</label></li>\n"
    "      {% endfor %}\n"
    "      </ul>\n"
    "      </fieldset>\n"
    "    </details>\n"
    "    {% endfor %}{% endwith %}"
)


def _same_html(html: str) -> str:
    # A run of white space with a line break in it is one line break: what the browser reads
    # is the same; the template wrote blank lines where its tags stood.
    return re.sub(r"\s*\n\s*", "\n", str(html)).strip()


@pytest.fixture
def catalogue():
    latvia = CountryFactory(code="LV", name_lv="Latvija", name_en="Latvia")
    estonia = CountryFactory(code="EE", name_lv="Igaunija", name_en="")
    municipality = Subdivision.objects.create(country=latvia, code="LV-ZZ9", name="Ciems <&>")
    school = SchoolFactory(country=latvia, subdivision=municipality, name='Skola "<b>A&B</b>"')
    both = ThematicArea.objects.create(
        slug="b-both", name_lv="Miers <i>", name_en="Peace <i>", position=1
    )
    latvian = ThematicArea.objects.create(
        slug="a-lv", name_lv="Tikai latviski", name_en="", position=1
    )
    first = ThematicArea.objects.create(
        slug="z-first", name_lv="Pirmā", name_en="First", position=0
    )
    pillar = Pillar.objects.create(slug="know", name_lv="Mācīties zināt", name_en="To know")
    goal = SustainableDevelopmentGoal.objects.create(
        slug="sdg-4", number=4, name_lv="Kvalitatīva izglītība", name_en="Quality education"
    )
    flagship = FlagshipNetwork.objects.create(slug="baltic", name_lv="Baltijas jūra", name_en="")
    words = " ".join(f"vārds{n}" for n in range(60))
    items = [
        Practice(
            country=latvia,
            school=school,
            title='Ūdens <script>alert("x")</script>',
            summary=f"Īss & <b>apraksts</b> {words}",
            title_en="Water & <em>more</em>",
            summary_en="In English.",
            recommended=True,
            flagship=flagship,
        ),
        Practice(
            country=estonia,
            title="Tīkla materiāls",
            summary="Bez skolas.",
            kind=PracticeKind.TEACHING_MATERIAL,
        ),
        Practice(country=latvia, school=school, title="English only", summary="Hi", language="en"),
        Practice(country=latvia, school=school, title="Bez tulkojuma", summary="x", title_en="T"),
    ]
    now = timezone.now()
    for number, practice in enumerate(items):
        practice.status = PracticeStatus.PUBLISHED
        practice.published_at = None if number == 3 else now
        practice.save()
    items[0].thematic_areas.set([both, latvian, first])
    items[0].pillars.set([pillar])
    items[0].sdgs.set([goal])
    items[2].thematic_areas.set([latvian])
    for practice in items:
        index_practice(practice)
    return {"items": items, "school": school, "area": both, "municipality": municipality}


@pytest.mark.parametrize("language", ["lv", "en"])
def test_rows_are_written_as_the_template_wrote_them(catalogue, language):
    ids = [practice.pk for practice in reversed(catalogue["items"])] + [10**9]
    with translation.override(language):
        objects = published_practices().select_related("school", "country")
        by_id = objects.prefetch_related("thematic_areas").in_bulk(ids)
        expected = (
            engines["django"]
            .from_string(OLD_CARDS)
            .render({"items": [by_id[pk] for pk in ids if pk in by_id]})
        )
        written = _practice_cards(catalogue_rows(ids))

    assert [row.pk for row in catalogue_rows(ids)] == ids[:-1]
    assert "<script" not in written and "<em>" not in written and "<b>" not in written
    assert ("&lt;script&gt;" if language == "lv" else "&lt;em&gt;") in written
    assert _same_html(written) == _same_html(expected)


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"theme": ["b-both", "nope"], "sdg": ["4", "99", "x"], "pillar": ["know"]},
        {"flagship": ["baltic"], "municipality": ["LV-ZZ9"], "kind": ["teaching_material"]},
    ],
)
def test_facets_are_written_as_the_template_wrote_them(rf, catalogue, language, query):
    request = rf.get("/", {"school": catalogue["school"].slug, **query})
    with translation.override(language):
        found = catalogue_search(request.GET)
        for approximate in (False, True):
            found.result.facets_approximate = approximate
            expected = engines["django"].from_string(OLD_FACETS).render({"search": found})
            assert _same_html(_facet_list(found)) == _same_html(expected)
    names = {facet.name for facet in found.facets}
    assert {"school", "kind"} <= names


def test_facet_labels_follow_changes_of_the_names(client, catalogue):
    url = reverse("practices:catalogue")
    client.get(url)  # keeps the school's and the municipality's labels
    school = catalogue["school"]
    school.name = "Pārdēvētā skola"
    school.save()
    Subdivision.objects.filter(pk=catalogue["municipality"].pk).update(name="Jauns novads")
    ThematicArea.objects.filter(pk=catalogue["area"].pk).update(name_lv="Jauns miers")

    body = client.get(url).content.decode()

    assert 'id="facet-school-' in body and "Pārdēvētā skola <span" in body
    assert "Jauns novads <span" in body
    assert "Jauns miers <span" in body


def test_a_school_that_is_no_longer_listed_is_not_named(client, catalogue):
    url = reverse("practices:catalogue")
    school = catalogue["school"]
    assert 'name="school"' in client.get(url).content.decode()
    school.membership_status = "withdrawn"
    school.save()

    assert 'name="school"' not in client.get(url).content.decode()
