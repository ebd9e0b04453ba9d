"""The public library: the catalogue with its search and facets, an item's page (with its
schema.org LearningResource description) and its files' downloads."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.views.decorators.cache import cache_control

from asphub.core.files import attachment_download
from asphub.core.html import render_markdown
from asphub.core.http import read_only

from ..catalogue import PAGE_SIZE, SORTS, catalogue_search
from ..models import EducationLevel, Practice, PracticeFile, PracticeStatus
from ..selectors import (
    public_practice,
    published_practices,
    related_practices,
    with_listing_details,
)
from ..services import file_downloaded


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@read_only
def catalogue(request: HttpRequest) -> HttpResponse:
    found = catalogue_search(request.GET)
    by_id = with_listing_details(published_practices()).in_bulk(found.result.ids)
    items = [by_id[pk] for pk in found.result.ids if pk in by_id]
    context = {
        "search": found,
        "items": items,
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
        "body_html": SafeString(render_markdown(practice.body)),
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
