import csv
import json
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from asphub.core.spreadsheets import EchoBuffer, spreadsheet_safe

from . import page_cache
from .filters import SchoolDirectoryFilter
from .models import School
from .selectors import school_detail, school_directory, school_map_points

EXPORT_COLUMNS = [
    "name",
    "institution_type",
    "ownership",
    "country",
    "municipality_code",
    "municipality",
    "settlement",
    "latitude",
    "longitude",
    "location_precision",
    "membership_status",
    "member_since",
    "website",
    "url",
]


def _filtered(request: HttpRequest) -> SchoolDirectoryFilter:
    return SchoolDirectoryFilter(request.GET or None, queryset=school_directory(), request=request)


_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_ROW_LABELS = ("institution_type", "membership_status", "ownership")


def _prepare_rows(schools) -> None:
    """Give each school of the page what its row (includes/_school_card.html) shows, worked out
    once per page: get_FOO_display() rebuilds and translates the field's whole list of choices on
    every call, and reverse() matches the URL patterns again for every school."""
    labels = {
        name: {value: str(label) for value, label in School._meta.get_field(name).flatchoices}
        for name in _ROW_LABELS
    }
    detail_prefix = reverse("schools:detail", kwargs={"slug": "-"})[:-2]
    for school in schools:
        for name in _ROW_LABELS:
            value = getattr(school, name)
            setattr(school, f"{name}_label", labels[name].get(value, value))
        if _PLAIN_SLUG.match(school.slug):
            school.profile_url = f"{detail_prefix}{school.slug}/"
        else:
            school.profile_url = school.get_absolute_url()


@require_GET
@page_cache.anonymous_page_cache
def directory(request: HttpRequest) -> HttpResponse:
    school_filter = _filtered(request)
    paginator = Paginator(school_filter.qs, settings.ASPHUB_DIRECTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _prepare_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": school_filter,
        "page": page,
        "query_string": query.urlencode(),
    }
    template = "schools/directory.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = page_cache.render(request, template, context)
    # The same URL answers with a fragment or a whole page: browsers must not mix them up
    # (the back button would otherwise show a cached fragment).
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@page_cache.anonymous_page_cache
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        school = school_detail(slug)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    return page_cache.render(request, "schools/detail.html", {"school": school})


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    school_filter = _filtered(request)
    # The place list shows only names and municipalities: no flagship prefetch needed.
    schools = school_filter.qs.prefetch_related(None)
    return render(request, "schools/map.html", {"filter": school_filter, "schools": schools})


@require_GET
def map_points(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"schools": school_map_points(_filtered(request).qs)})


def _export_rows(request: HttpRequest):
    schools = _filtered(request).qs.prefetch_related(None)
    for school in schools.iterator(chunk_size=1000):
        yield {
            "name": school.name,
            "institution_type": school.institution_type,
            "ownership": school.ownership,
            "country": school.country.code,
            "municipality_code": school.subdivision.code if school.subdivision else "",
            "municipality": school.subdivision.name if school.subdivision else "",
            "settlement": school.settlement,
            "latitude": str(school.latitude) if school.latitude is not None else "",
            "longitude": str(school.longitude) if school.longitude is not None else "",
            "location_precision": school.location_precision,
            "membership_status": school.membership_status,
            "member_since": school.member_since or "",
            "website": school.website,
            "url": request.build_absolute_uri(school.get_absolute_url()),
        }


def _export_filename(extension: str) -> str:
    return f"asphub-schools-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    writer = csv.DictWriter(EchoBuffer(), fieldnames=EXPORT_COLUMNS)
    lines = ["\ufeff" + writer.writeheader()]
    lines.extend(
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
        for row in _export_rows(request)
    )
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("csv")}"'
    return response


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    payload = {"generated": timezone.now().isoformat(), "schools": list(_export_rows(request))}
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("json")}"'
    return response
