import csv
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

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
    return SchoolDirectoryFilter(request.GET or None, queryset=school_directory())


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    school_filter = _filtered(request)
    paginator = Paginator(school_filter.qs, settings.ASPHUB_DIRECTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
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
    return render(request, template, context)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        school = school_detail(slug)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "schools/detail.html", {"school": school})


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    school_filter = _filtered(request)
    schools = school_filter.qs.select_related(None).prefetch_related(None)
    return render(
        request,
        "schools/map.html",
        {"filter": school_filter, "schools": schools.select_related("subdivision")},
    )


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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: object) -> object:
    # Spreadsheets run cells that start with these characters as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    writer = csv.DictWriter(_Echo(), fieldnames=EXPORT_COLUMNS)
    lines = ["\ufeff" + writer.writeheader()]
    lines.extend(
        writer.writerow({key: _csv_safe(value) for key, value in row.items()})
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


__all__ = ["directory", "detail", "map_page", "map_points", "export_csv", "export_json", "_"]
