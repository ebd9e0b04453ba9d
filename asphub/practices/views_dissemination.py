"""The library's machine-readable doors: OAI-PMH, the Atom feed and the catalogue exports. Each
reads only what the public library shows (asphub.practices.selectors)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from asphub.accounts.signin import client_ip
from asphub.core.http import allow_methods, read_only
from asphub.core.rate_limits import limited_per_hour
from asphub.countries.models import Country

from .catalogue_io import catalogue_practices, catalogue_rows, csv_lines, in_pieces, json_parts
from .feeds import LibraryFeed
from .oai import Site, oai_response

feed = read_only(LibraryFeed())

# Whole-catalogue exports, per address and hour (a harvester uses OAI-PMH, which pages).
exports_limited = limited_per_hour(
    "library-exports", setting="ASPHUB_EXPORTS_PER_HOUR", default=30, key=client_ip
)


# Harvesters POST their arguments as a form (OAI-PMH 3.1.1.2); nothing here changes anything
# and no session is read, so there is no cross-site request to forge.
@csrf_exempt
@allow_methods("GET", "POST")
def oai(request: HttpRequest) -> HttpResponse:
    arguments = request.POST if request.method == "POST" else request.GET
    site = Site(
        base_url=request.build_absolute_uri(request.path),
        absolute_url=request.build_absolute_uri,
    )
    body = oai_response({name: arguments.getlist(name) for name in arguments}, site=site)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _exported_country(request: HttpRequest) -> Country | None:
    code = request.GET.get("country", "").strip().upper()
    if not code:
        return None
    if len(code) != 2 or not code.isalpha():
        raise Http404
    return get_object_or_404(Country, code=code)


def _export_response(parts: Iterator[str], content_type: str, extension: str):
    response = StreamingHttpResponse(in_pieces(parts), content_type=content_type)
    filename = f"asphub-library-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(request: HttpRequest):
    # Read while the view runs (the language, the country); the rows follow as they stream.
    return catalogue_rows(
        catalogue_practices(_exported_country(request)),
        absolute_url=request.build_absolute_uri,
    )


@read_only
@exports_limited
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The published catalogue as CSV, streamed, in the format import_practices reads."""
    return _export_response(csv_lines(_rows(request)), "text/csv; charset=utf-8", "csv")


@read_only
@exports_limited
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    """The published catalogue as JSON ({"generated": ..., "practices": [...]}), streamed."""
    return _export_response(json_parts(_rows(request)), "application/json; charset=utf-8", "json")
