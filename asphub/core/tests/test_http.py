"""HTTP as clients other than browsers use it, and what caches may keep.

* HEAD answers as GET does (without the body) and OPTIONS says which methods a URL allows,
  on every URL a visitor can reach, /healthz included (load balancers ask with HEAD).
* Responses for one person (a signed-in page, signing in and out, a page with a form bound to
  the visitor) are not stored by any cache; public pages for anonymous visitors keep their
  caching.
* CSV cells are defused only where a spreadsheet would run them: negative numbers stay numbers.
"""

import csv
import io
import logging
import re
from collections import Counter

import pytest
from django.core.cache import caches
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import translation

from asphub.accounts.tests.factories import PASSWORD, enrol_authenticator
from asphub.core.logging import RefusalsWithoutTraceback
from asphub.core.spreadsheets import spreadsheet_safe
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import School
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

_LINK = re.compile(r'href="(/[^"#?]*)')
# What is not a page of the site: the administration has its own sign-in, static files are
# WhiteNoise's.
_OUTSIDE = ("/admin/", "/static/", "/en/admin/")
_MOST_URLS = 400
SIGNED_IN_AREAS = tuple(
    prefix + area for prefix in ("", "/en") for area in ("/dashboard/", "/accounts/", "/audit/")
)


def _routes(patterns, prefix: str = ""):
    """The paths of the URL patterns that take no parameter."""
    for entry in patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            part = entry.pattern.language_prefix
        elif isinstance(entry.pattern, RoutePattern):
            part = str(entry.pattern)
        else:
            continue
        if "<" in part:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part


def reachable_urls(client, start: list[str], *, follow: tuple[str, ...] = ("/",)) -> list[str]:
    """Every URL without parameters, in both languages, then every link of the site found on
    the pages reached, as `client` sees them (links starting with one of `follow`)."""
    found: list[str] = []
    for language in ("lv", "en"):
        with translation.override(language):
            found.extend(_routes(get_resolver().url_patterns))
    queue = list(dict.fromkeys([*start, *found]))
    seen: set[str] = set()
    per_pattern: Counter = Counter()
    reached = []
    while queue and len(reached) < _MOST_URLS:
        url = queue.pop(0)
        if url in seen or url.startswith(_OUTSIDE):
            continue
        seen.add(url)
        # Two of each kind (two school profiles, say) in each language are enough.
        try:
            kind = (url.startswith("/en/"), resolve(url).route)
        except Resolver404:
            kind = (url.startswith("/en/"), url)
        per_pattern[kind] += 1
        if per_pattern[kind] > 2:
            continue
        reached.append(url)
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            links = _LINK.findall(response.content.decode())
            queue.extend(link for link in links if link not in seen and link.startswith(follow))
    assert len(reached) < _MOST_URLS, "more URLs than expected: raise _MOST_URLS"
    return reached


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_head_and_options_answer(client, url: str):
    """HEAD answers as GET, OPTIONS is allowed; returns the GET response."""
    # allauth counts HEAD and OPTIONS (everything but GET) towards its rate limits: start
    # each URL with none used.
    caches["default"].clear()
    got = client.get(url)
    head = client.head(url)
    options = client.options(url)
    assert head.status_code == got.status_code, url
    assert body(head) == b"", url
    assert options.status_code != 405, url
    # The project's own views say which methods they allow (allauth's closed sign-up page
    # answers every method with its page).
    if got.status_code == 200 and resolve(url).func.__module__.startswith("asphub."):
        assert options.status_code == 200, url
        allowed = {method.strip() for method in options.get("Allow", "").split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, url
    return got


def test_healthz_answers_head_and_options(client):
    assert client.head("/healthz").status_code == 200
    options = client.options("/healthz")
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"
    assert client.post("/healthz").status_code == 405


def test_every_public_url_answers_head_as_get_and_options(client, loaded_network):
    urls = reachable_urls(client, ["/", "/en/"])
    school = School.objects.filter(country=loaded_network).first()
    assert school.get_absolute_url() in urls  # the crawl reached the profiles
    assert "/healthz" in urls and "/en/accounts/login/" in urls
    for url in urls:
        assert_head_and_options_answer(client, url)


def test_every_signed_in_page_answers_head_as_get_and_options_and_is_not_stored(
    client, loaded_network
):
    school = School.objects.filter(country=loaded_network).first()
    client.force_login(person_with(Role.SCHOOL_COORDINATOR, school=school))
    start = ["/dashboard/", f"/dashboard/schools/{school.pk}/", "/accounts/profile/"]
    # The public pages, seen signed in, are among the URLs without parameters.
    urls = reachable_urls(client, start, follow=SIGNED_IN_AREAS)
    assert set(start) <= set(urls)
    for url in urls:
        got = assert_head_and_options_answer(client, url)
        assert "no-store" in got.get("Cache-Control", ""), url


# -- what caches may keep -----------------------------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signing_in_and_out_is_not_stored(client, latvia):
    person = person_with(Role.TEACHER, school=SchoolFactory(country=latvia))
    login_page = client.get(reverse("account_login"))
    assert no_store(login_page)
    signed_in = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and no_store(signed_in)
    assert no_store(client.get("/schools/"))  # a public page, seen signed in
    signed_out = client.post(reverse("account_logout"))
    assert signed_out.status_code == 302 and no_store(signed_out)


def test_the_two_factor_step_is_not_stored(client, national_coordinator):
    enrol_authenticator(national_coordinator)
    client.post(
        reverse("account_login"), {"login": national_coordinator.email, "password": PASSWORD}
    )
    code_page = client.get(reverse("mfa_authenticate"))
    assert code_page.status_code == 200 and no_store(code_page)


@pytest.mark.parametrize("cached", [False, True])
def test_public_pages_for_anonymous_visitors_keep_their_caching(client, settings, latvia, cached):
    settings.ASPHUB_DIRECTORY_CACHE = cached
    school = SchoolFactory(country=latvia)
    for url in ["/", "/schools/", school.get_absolute_url(), "/en/schools/", "/healthz"]:
        for _twice in range(2):  # rendered, then (with the page cache) served from it
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Cache-Control" not in response, url


# -- CSV for spreadsheets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["-33.50000", "-70.6", "+5", "-0.5", "-.5", "-1e5", "12", "Rīga", "", "a=b", "3-4"]
)
def test_plain_numbers_and_text_stay_as_they_are(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil")', "+1+1", "-1+1", "-2-3", "@SUM(A1)", "\t=1", "\r=1",
     "-", "+", "-33.5;=1", "- 5", "+371 2000 0000", "-cmd|' /C calc'!A0"],
)  # fmt: skip
def test_cells_a_spreadsheet_would_run_are_defused(value):
    assert spreadsheet_safe(value) == "'" + value


def test_csv_export_keeps_negative_coordinates_as_numbers(client, latvia):
    SchoolFactory(
        country=latvia, name="Escuela Austral", latitude="-33.50000", longitude="-70.60000"
    )
    response = client.get(reverse("schools:export_csv"))
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert (rows[0]["latitude"], rows[0]["longitude"]) == ("-33.50000", "-70.60000")


def test_a_refusal_is_logged_in_one_line_without_a_traceback():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (),
                               exc_info=(PermissionError, PermissionError("no"), None))  # fmt: skip
    record.status_code = 403
    RefusalsWithoutTraceback().filter(record)
    assert record.exc_info is None
    crash = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Error", (),
                              exc_info=(ValueError, ValueError("bug"), None))  # fmt: skip
    crash.status_code = 500
    RefusalsWithoutTraceback().filter(crash)
    assert crash.exc_info is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/certificates/%00/", "/apply/L%00/", "/schools/?q=%00", "/dashboard/?x=%00"]
)
def test_a_nul_character_in_the_address_is_refused_before_any_view(client, url):
    assert client.get(url).status_code == 400


@pytest.mark.django_db
def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(client, settings):
    settings.ASPHUB_MAX_REQUEST_BYTES = 1000
    response = client.post("/apply/", data=b"x" * 2000, content_type="application/octet-stream")
    assert response.status_code == 413


@pytest.mark.django_db
def test_the_library_form_takes_larger_bodies_than_other_pages(client, settings):
    settings.ASPHUB_MAX_REQUEST_BYTES = 1000
    settings.ASPHUB_LARGE_REQUEST_BYTES = 5000
    body = b"x" * 2000

    other = client.post("/apply/", data=body, content_type="application/octet-stream")
    library = client.post(
        "/dashboard/library/7/edit/", data=body, content_type="application/octet-stream"
    )
    too_large = client.post(
        "/en/dashboard/library/new/school/1/",
        data=b"x" * 6000,
        content_type="application/octet-stream",
    )

    assert other.status_code == 413
    assert library.status_code != 413
    assert too_large.status_code == 413
