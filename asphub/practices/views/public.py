"""The public library: the catalogue with its search and facets, an item's page (with its
schema.org LearningResource description) and its files' downloads."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control

from asphub.core.bilingual import current_content_language
from asphub.core.files import attachment_download
from asphub.core.html import render_markdown
from asphub.core.http import read_only

from ..catalogue import PAGE_SIZE, SORTS, CatalogueSearch, catalogue_search, name_in
from ..models import EducationLevel, Practice, PracticeFile, PracticeKind, PracticeStatus
from ..selectors import CatalogueRow, catalogue_rows, public_practice, related_practices
from ..services import file_downloaded

# How much of its summary a row shows.
SUMMARY_WORDS = 40


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _detail_path() -> Callable[[int], str]:
    """A function from an item's pk to its page's path: reverse() matches the URL patterns
    again on every call, so it is worked out once for a page (the prefix carries the
    language)."""
    prefix = reverse("practices:detail", kwargs={"pk": 0})[: -len("0/")]
    return lambda pk: f"{prefix}{pk:d}/"


def _practice_cards(rows: Sequence[CatalogueRow]) -> SafeString:
    """The catalogue's rows (a list item per item), written in Python: per row, the template
    resolved some thirty variables, a URL, a filter and a translation, a third of the page.
    Every value is escaped as autoescaping did (plain text from the database and the
    translations: html.escape, which Django's escape wraps); the markup is that of the
    template loop it replaced (test_catalogue_rows compares them)."""
    esc = html.escape
    language = current_content_language()
    english_reader = language == "en"
    kinds = {value: str(label) for value, label in PracticeKind.choices}
    recommended = f'<span class="badge badge-recommended">{esc(gettext("recommended"))}</span> '
    detail_path = _detail_path()
    names: dict[tuple[str, str], str] = {}

    def name(pair: tuple[str, str]) -> str:
        if pair not in names:
            names[pair] = esc(name_in(language, *pair))
        return names[pair]

    cards = []
    for row in rows:
        # As Practice.display_language, display_title and display_summary.
        translated = english_reader and row.language != "en"
        lang = esc("en" if translated and row.title_en else row.language)
        title = row.title_en if translated and row.title_en else row.title
        summary = row.summary_en if translated and row.summary_en else row.summary
        meta = esc(kinds.get(row.kind, row.kind))
        if row.school_name is not None:
            meta += " · " + esc(row.school_name)
        else:
            meta += " · " + name((row.country_name_lv, row.country_name_en))
        if row.published_at is not None:
            # The template's |date:"Y", in the current time zone.
            meta += f" · {timezone.localtime(row.published_at).year:04d}"
        tags = recommended if row.recommended else ""
        tags += "".join(f'<span class="badge">{name(area)}</span> ' for area in row.thematic_areas)
        cards.append(
            "\n"
            '        <li class="practice-card">\n'
            f'          <h3><a href="{detail_path(row.pk)}" lang="{lang}">{esc(title)}</a></h3>\n'
            f'          <p class="meta">{meta}</p>\n'
            f'          <p class="summary" lang="{lang}">'
            f"{esc(Truncator(summary).words(SUMMARY_WORDS, truncate=' …'))}</p>\n"
            f'          <p class="tags">{tags}</p>\n'
            "        </li>\n"
        )
    return mark_safe("".join(cards))


def _facet_list(found: CatalogueSearch) -> SafeString:
    """The facets' checkboxes, written in Python for the same reason as the rows (up to 130
    of them, each a dozen template lookups); the markup is that of the template loop it
    replaced."""
    esc = html.escape
    approximate = ""
    if found.result.facets_approximate:
        title = esc(gettext("approximately: counted over a sample of the results"))
        approximate = f'<abbr title="{title}">≈</abbr>'
    parts = []
    for facet in found.facets:
        name, title = esc(facet.name), esc(facet.title)
        parts.append(
            f'\n    <details class="facet"{" open" if facet.has_selection else ""}>\n'
            f"      <summary>{title}</summary>\n"
            "      <fieldset>\n"
            f'      <legend class="visually-hidden">{title}</legend>\n'
            '      <ul class="facet-values">\n'
        )
        for option in facet.values:
            dom_id = esc(option.dom_id)
            parts.append(
                f'        <li><input type="checkbox" name="{name}" value="{esc(option.value)}"'
                f' id="{dom_id}"{" checked" if option.selected else ""}>'
                f' <label for="{dom_id}">{esc(option.label)} <span class="count">'
                f"({approximate}{esc(option.count_text)})</span></label></li>\n"
            )
        parts.append("      </ul>\n      </fieldset>\n    </details>\n")
    return mark_safe("".join(parts))


@read_only
def catalogue(request: HttpRequest) -> HttpResponse:
    found = catalogue_search(request.GET)
    items = catalogue_rows(found.result.ids)
    context = {
        "search": found,
        "items": items,
        "practice_cards": _practice_cards(items),
        "facet_list": _facet_list(found),
        "sorts": SORTS,
        "page_size": PAGE_SIZE,
        "query_string": _query_without(request, "page"),
        "has_previous": found.page_number > 1,
        "has_next": found.page_number < found.num_pages,
    }
    template = "practices/catalogue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
        # The facets' counts change with the search: sent along, out of band.
        context["oob"] = True
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _learning_resource(request: HttpRequest, practice: Practice, files) -> dict:
    """schema.org LearningResource (https://schema.org/LearningResource) of a public item."""
    page = request.build_absolute_uri(reverse("practices:detail", kwargs={"pk": practice.pk}))
    data: dict = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "@id": page,
        "url": page,
        "name": practice.title,
        "description": practice.summary,
        "inLanguage": practice.language,
        "learningResourceType": practice.get_kind_display(),
        "license": practice.licence_url or practice.licence,
        "isAccessibleForFree": True,
        "dateCreated": practice.created_at,
        "dateModified": practice.updated_at,
    }
    if practice.title_en and practice.language != "en":
        data["alternateName"] = practice.title_en
    if practice.published_at:
        data["datePublished"] = practice.published_at
    if practice.authors:
        data["author"] = [
            {"@type": "Person", "name": name.strip()}
            for name in practice.authors.split(",")
            if name.strip()
        ]
    publisher = practice.school.name if practice.school else str(practice.country)
    data["publisher"] = {"@type": "Organization", "name": publisher}
    levels = dict(EducationLevel.choices)
    if practice.education_levels:
        data["educationalLevel"] = [
            str(levels.get(code, code)) for code in practice.education_levels
        ]
    if practice.age_from or practice.age_to:
        data["typicalAgeRange"] = f"{practice.age_from or ''}-{practice.age_to or ''}"
    themes = [str(area) for area in practice.thematic_areas.all()]
    if themes:
        data["about"] = themes
    keywords = [str(pillar) for pillar in practice.pillars.all()]
    keywords += [f"SDG {goal.number}" for goal in practice.sdgs.all()]
    if practice.subjects:
        keywords += [s.strip() for s in practice.subjects.split(",") if s.strip()]
    if keywords:
        data["keywords"] = keywords
    if practice.duration:
        data["timeRequired"] = practice.duration
    if files:
        data["associatedMedia"] = [
            {
                "@type": "MediaObject",
                "name": file.original_name,
                "encodingFormat": file.content_type,
                "contentSize": str(file.size),
                "contentUrl": request.build_absolute_uri(
                    reverse("practices:download", kwargs={"pk": practice.pk, "file_pk": file.pk})
                ),
            }
            for file in files
        ]
    return data


def _ld_json(data: dict) -> SafeString:
    """The description as a JSON-LD block: json_script escapes <, > and & so that no value can
    end the script element; only the type attribute differs from Django's."""
    block = json_script(json.loads(json.dumps(data, cls=DjangoJSONEncoder)))
    return SafeString(block.replace('type="application/json"', 'type="application/ld+json"', 1))


@read_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        practice = public_practice(pk)
    except Practice.DoesNotExist:
        raise Http404 from None
    files = list(practice.files.all())
    context = {
        "practice": practice,
        "body_html": render_markdown(practice.body),
        "files": files,
        "links": list(practice.links.all()),
        "downloads": sum(file.download_count for file in files),
        "related": related_practices(practice),
        "levels": [
            label for code, label in EducationLevel.choices if code in practice.education_levels
        ],
        "ld_json": _ld_json(_learning_resource(request, practice, files)),
        "archived": practice.status == PracticeStatus.ARCHIVED,
    }
    return render(request, "practices/detail.html", context)


@read_only
@cache_control(no_store=True)
def download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A public item's file, as a download. Each download is counted."""
    file = (
        PracticeFile.objects.filter(
            pk=file_pk,
            practice_id=pk,
            practice__status__in=(PracticeStatus.PUBLISHED, PracticeStatus.ARCHIVED),
        )
        .only("pk", "file", "original_name", "content_type", "practice_id")
        .first()
    )
    if file is None:
        raise Http404
    response = attachment_download(
        file.file, filename=file.original_name, content_type=file.content_type
    )
    if request.method == "GET":
        file_downloaded(file)
    return response
