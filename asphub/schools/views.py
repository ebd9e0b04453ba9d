import csv
import html
import json
import re
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from asphub.accounts.signin import client_ip
from asphub.core.bilingual import current_content_language
from asphub.core.http import read_only
from asphub.core.rate_limits import limited_per_hour
from asphub.core.spreadsheets import EchoBuffer, spreadsheet_safe

from . import page_cache
from .filters import SchoolDirectoryFilter
from .forms import MapPlaceForm
from .models import School
from .profile_sections import profile_sections
from .selectors import (
    DirectoryRow,
    school_detail,
    school_directory,
    school_directory_page,
    school_map_place,
    school_map_places,
)

# Codes (stable, for scripts and for importing again) with, beside each, a `_label` column: the
# same in words, in the language of the page the export was asked from.
EXPORT_COLUMNS = [
    "name",
    "institution_type",
    "institution_type_label",
    "ownership",
    "ownership_label",
    "country",
    "country_label",
    "municipality_code",
    "municipality",
    "settlement",
    "latitude",
    "longitude",
    "location_precision",
    "location_precision_label",
    "membership_status",
    "membership_status_label",
    "member_since",
    "website",
    "url",
]


def _filtered(request: HttpRequest) -> SchoolDirectoryFilter:
    return SchoolDirectoryFilter(request.GET or None, queryset=school_directory(), request=request)


_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_ROW_LABELS = ("institution_type", "membership_status", "ownership")
# The map page's list of schools: long enough to read through, short enough for a page.
MAP_LIST_PAGE_SIZE = 100
# Schools named in the popup of one point of the map; the rest are counted.
MAP_PLACE_LIMIT = 50
# Whole-directory exports, per address and hour: each costs a server process for seconds.
exports_limited = limited_per_hour(
    "directory-exports", setting="ASPHUB_EXPORTS_PER_HOUR", default=30, key=client_ip
)
# Rows per piece of a streamed export: one write per row would cost a system call each.
EXPORT_CHUNK_ROWS = 500


def _profile_path():
    """A function from a school's slug to its profile's path. reverse() matches the URL
    patterns again on every call: worked out once for a whole page or export instead."""
    detail_prefix = reverse("schools:detail", kwargs={"slug": "-"})[:-2]

    def path(slug: str) -> str:
        if _PLAIN_SLUG.match(slug):
            return f"{detail_prefix}{slug}/"
        return reverse("schools:detail", kwargs={"slug": slug})

    return path


def _prepare_rows(schools) -> None:
    """Give each school of the map's list what its row shows, worked out
    once per page: get_FOO_display() rebuilds and translates the field's whole list of choices on
    every call, and reverse() matches the URL patterns again for every school."""
    labels = _row_labels()
    profile_path = _profile_path()
    for school in schools:
        for name in _ROW_LABELS:
            value = getattr(school, name)
            setattr(school, f"{name}_label", labels[name].get(value, value))
        school.profile_url = profile_path(school.slug)


def _row_labels() -> dict[str, dict[str, str]]:
    return {
        name: {value: str(label) for value, label in School._meta.get_field(name).flatchoices}
        for name in _ROW_LABELS
    }


def _school_cards(rows: Iterable[DirectoryRow]) -> SafeString:
    """The directory's rows (a list item per school), written in Python: a template include per
    row (and one more per flagship network) was about a third of a page's rendering. Every
    value is escaped as the template's autoescaping did (the values are plain text from the
    database and the translations, so html.escape, which Django's escape wraps, gives the same
    result without the lazy-text checks around every call); the markup is the same as that of
    the template include it replaced (includes/_school_card.html, removed)."""
    esc = html.escape
    labels = _row_labels()
    types, statuses, ownerships = (
        labels["institution_type"],
        labels["membership_status"],
        labels["ownership"],
    )
    profile_path = _profile_path()
    cards = []
    for row in rows:
        meta = esc(types.get(row.institution_type, row.institution_type))
        if row.subdivision_name is not None:
            meta += " · " + esc(row.subdivision_name)
        if row.settlement and row.subdivision_name != row.settlement:
            meta += " (" + esc(row.settlement) + ")"
        tags = (
            f'<span class="badge badge-{esc(row.membership_status)}">'
            f"{esc(statuses.get(row.membership_status, row.membership_status))}</span>"
        )
        if row.ownership:
            tags += (
                f' <span class="badge">{esc(ownerships.get(row.ownership, row.ownership))}</span>'
            )
        for name in row.flagships:
            text = esc(name.text)
            if name.is_fallback:
                text = f'<span lang="{esc(name.language)}">{text}</span>'
            tags += f' <span class="badge badge-flagship">{text}\n</span>'
        cards.append(
            f'<li class="school-card">\n'
            f'  <h3><a href="{esc(profile_path(row.slug))}">{esc(row.name)}</a></h3>\n'
            f'  <p class="meta">{meta}</p>\n'
            f'  <p class="tags">{tags}</p>\n'
            f"</li>\n"
        )
    return mark_safe("".join(cards))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@read_only
@page_cache.anonymous_page_cache
def directory(request: HttpRequest) -> HttpResponse:
    school_filter = _filtered(request)
    # The search engine finds, counts and orders the page; the map and the exports read the
    # same filters as a queryset (school_filter.qs), which a search does not need.
    query, filters = school_filter.search_arguments()
    page = school_directory_page(
        queryset=None if query else school_filter.qs,
        query=query,
        filters=filters,
        number=request.GET.get("page"),
        per_page=settings.ASPHUB_DIRECTORY_PAGE_SIZE,
    )
    context = {
        "filter": school_filter,
        "page": page,
        "school_cards": _school_cards(page.object_list),
        "query_string": _query_without_page(request),
    }
    template = "schools/directory.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = page_cache.render(request, template, context)
    # The same URL answers with a fragment or a whole page: browsers must not mix them up
    # (the back button would otherwise show a cached fragment).
    patch_vary_headers(response, ("HX-Request",))
    return response


@read_only
@page_cache.anonymous_page_cache
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        school = school_detail(slug)
    except School.DoesNotExist as missing:
        raise Http404 from missing
    context = {"school": school, "sections": profile_sections(school, viewer=request.user)}
    return page_cache.render(request, "schools/detail.html", context)


@read_only
@page_cache.anonymous_page_cache
def map_page(request: HttpRequest) -> HttpResponse:
    """The map and, as its text alternative, the same schools as a list, a page at a time: the
    map's points come from map_points, so the page weighs the same for 30 or 11,500 schools."""
    school_filter = _filtered(request)
    # The list shows only names and places: no flagship prefetch needed.
    paginator = Paginator(school_filter.qs.prefetch_related(None), MAP_LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    _prepare_rows(page.object_list)
    context = {"filter": school_filter, "page": page, "query_string": _query_without_page(request)}
    return page_cache.render(request, "schools/map.html", context)


def _compact_json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )


@read_only
@page_cache.anonymous_page_cache
def map_points(request: HttpRequest) -> JsonResponse:
    """The map's points with the directory's filters (see school_map_places), and the words for
    each number of schools at a point that occurs ("3 schools"), in the page's language."""
    places = school_map_places(_filtered(request).qs)
    counts = sorted({place[2] for place in places})
    labels = {
        str(count): ngettext("%(counter)s school", "%(counter)s schools", count)
        % {"counter": count}
        for count in counts
    }
    return _compact_json({"places": places, "labels": labels})


@read_only
@page_cache.anonymous_page_cache
def map_place(request: HttpRequest) -> JsonResponse:
    """The schools at one point of the map (names and links), asked for by the map's script
    when a visitor points at, focuses or opens a marker."""
    form = MapPlaceForm(request.GET)
    if not form.is_valid():
        return _compact_json({"errors": form.errors.get_json_data()}, status=400)
    count, schools = school_map_place(
        _filtered(request).qs,
        latitude=form.cleaned_data["lat"],
        longitude=form.cleaned_data["lng"],
        limit=MAP_PLACE_LIMIT,
    )
    profile_path = _profile_path()
    more = count - len(schools)
    more_label = ngettext("and %(counter)s more school", "and %(counter)s more schools", more)
    return _compact_json(
        {
            "count": count,
            "schools": [{"name": s.name, "url": profile_path(s.slug)} for s in schools],
            "more": more_label % {"counter": more} if more else "",
        }
    )


_EXPORT_FIELDS = (
    "name", "institution_type", "ownership", "country__code", "subdivision__code",
    "subdivision__name", "settlement", "latitude", "longitude", "location_precision",
    "membership_status", "member_since", "website", "slug", "country__name_lv", "country__name_en",
)  # fmt: skip
_EXPORT_LABELS = ("institution_type", "ownership", "location_precision", "membership_status")


def _export_rows(request: HttpRequest) -> Iterator[dict]:
    """The filtered schools, one row at a time from the database (values, not model objects:
    11,500 schools with their countries and municipalities are 34,000 objects otherwise).

    Not a generator itself: the filters, the language and the labels are taken while the view
    runs; only the rows are read later, while the streamed response is sent."""
    schools = _filtered(request).qs.prefetch_related(None).values(*_EXPORT_FIELDS)
    site = request.build_absolute_uri("/")[:-1]
    profile_path = _profile_path()
    labels = {
        name: {value: str(label) for value, label in School._meta.get_field(name).flatchoices}
        for name in _EXPORT_LABELS
    }
    language = current_content_language()
    other = "en" if language == "lv" else "lv"
    return _export_values(schools, site, profile_path, labels, language, other)


def _export_values(schools, site, profile_path, labels, language, other) -> Iterator[dict]:
    for row in schools.iterator(chunk_size=1000):
        yield {
            "name": row["name"],
            "institution_type": row["institution_type"],
            "institution_type_label": labels["institution_type"].get(row["institution_type"], ""),
            "ownership": row["ownership"],
            "ownership_label": labels["ownership"].get(row["ownership"], ""),
            "country": row["country__code"],
            "country_label": row[f"country__name_{language}"] or row[f"country__name_{other}"],
            "municipality_code": row["subdivision__code"] or "",
            "municipality": row["subdivision__name"] or "",
            "settlement": row["settlement"],
            "latitude": str(row["latitude"]) if row["latitude"] is not None else "",
            "longitude": str(row["longitude"]) if row["longitude"] is not None else "",
            "location_precision": row["location_precision"],
            "location_precision_label": labels["location_precision"].get(
                row["location_precision"], ""
            ),
            "membership_status": row["membership_status"],
            "membership_status_label": labels["membership_status"].get(
                row["membership_status"], ""
            ),
            "member_since": row["member_since"] or "",
            "website": row["website"],
            "url": site + profile_path(row["slug"]),
        }


def _in_pieces(parts: Iterable[str]) -> Iterator[str]:
    """Join every EXPORT_CHUNK_ROWS parts into one piece of the streamed response."""
    piece: list[str] = []
    for part in parts:
        piece.append(part)
        if len(piece) >= EXPORT_CHUNK_ROWS:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def _export_filename(extension: str) -> str:
    return f"asphub-schools-{timezone.localdate():%Y-%m-%d}.{extension}"


def _export_response(parts: Iterable[str], content_type: str, extension: str):
    response = StreamingHttpResponse(_in_pieces(parts), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(extension)}"'
    return response


@read_only
@exports_limited
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed: written as the rows are read, never whole in memory."""
    writer = csv.DictWriter(EchoBuffer(), fieldnames=EXPORT_COLUMNS)
    rows = _export_rows(request)

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writeheader()
        for row in rows:
            yield writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})

    return _export_response(lines(), "text/csv; charset=utf-8", "csv")


# In JSON a missing value is null and a number is a number (the CSV writes both as text).
JSON_NUMBERS = {"latitude": float, "longitude": float, "member_since": int}


def _json_typed(row: dict) -> dict:
    typed = dict(row)
    for key, kind in JSON_NUMBERS.items():
        value = typed.get(key)
        typed[key] = kind(value) if value not in ("", None) else None
    return typed


@read_only
@exports_limited
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as JSON ({"generated": ..., "schools": [...]}), streamed row by row."""
    rows = _export_rows(request)
    generated = json.dumps(timezone.now().isoformat())

    def parts() -> Iterator[str]:
        yield f'{{"generated": {generated}, "schools": ['
        separator = "\n"
        for row in rows:
            yield separator + json.dumps(_json_typed(row), ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"

    return _export_response(parts(), "application/json; charset=utf-8", "json")
