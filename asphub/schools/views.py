import csv
import hashlib
import json
import re
import secrets
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from asphub.core.spreadsheets import EchoBuffer, spreadsheet_safe

from .filters import SchoolDirectoryFilter
from .models import School
from .selectors import school_detail, school_directory, school_map_points
from .versioning import request_directory_version

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


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    placeholder = getattr(request, "_asphub_csrf_placeholder", None)
    if placeholder:
        # Rendered for the page cache: a stand-in that each response replaces with its token.
        context["csrf_token"] = placeholder
    return render(request, template, context)


def anonymous_page_cache(view):
    """Keep whole pages for anonymous visitors, in this process, and serve them again until
    anything they show changes.

    The key is the directory's data version (read before the view reads any data; see
    asphub.schools.versioning for when it changes), the language, whether htmx asked for the
    results fragment, and the full path with its query string: everything the page depends
    on. Only visitors without a session cookie are served from it: everyone signed in has
    one and always gets a fresh render (the footer differs for staff). The pages must show
    nothing else that differs between visitors, except a CSRF token ({% csrf_token %}): that is
    rendered as a random stand-in and replaced by the visitor's own token (get_token, which
    also sets the cookie, as rendering does) in each response. Only plain 200 responses without
    cookies are kept; whether rendering read the session is kept too ("Vary: Cookie").
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.ASPHUB_DIRECTORY_CACHE or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        version = request_directory_version(request)
        partial = bool(request.htmx and not request.htmx.boosted)
        identity = f"{version}\n{get_language()}\n{partial:d}\n{request.get_full_path()}"
        key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
        cache = caches["pages"]
        entry = cache.get(key)
        if entry is None:
            placeholder = secrets.token_hex(16)
            request._asphub_csrf_placeholder = placeholder
            response = view(request, *args, **kwargs)
            content = response.content.decode(response.charset) if not response.streaming else ""
            if response.status_code != 200 or response.streaming or response.cookies:
                if placeholder in content:
                    response.content = content.replace(placeholder, get_token(request))
                return response
            # Whether rendering looked at the (empty) session decides "Vary: Cookie".
            session_read = getattr(getattr(request, "session", None), "accessed", False)
            placeholder = placeholder if placeholder in content else ""
            entry = (content, placeholder, dict(response.items()), session_read)
            cache.set(key, entry)
        content, placeholder, headers, session_read = entry
        if placeholder:
            content = content.replace(placeholder, get_token(request))
        if session_read:
            request.session.accessed = True
        response = HttpResponse(content)
        for header, value in headers.items():
            response[header] = value
        return response

    return wrapper


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
@anonymous_page_cache
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
    response = _render(request, template, context)
    # The same URL answers with a fragment or a whole page: browsers must not mix them up
    # (the back button would otherwise show a cached fragment).
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@anonymous_page_cache
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        school = school_detail(slug)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    return _render(request, "schools/detail.html", {"school": school})


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
