"""Middleware that knows no app of the project."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_cache_control


class PrivateResponsesNotStoredMiddleware:
    """Responses meant for one person are not stored ("Cache-Control: no-store"): not by a
    shared cache (a proxy, a CDN), and not by the browser, whose back button would otherwise
    show a signed-in page again after sign-out (the back-forward cache).

    They are every response to a signed-in person; the responses that sign in or out (they
    set or delete the session cookie); and pages with a form bound to the visitor, such as the
    sign-in page and the two-factor step (they set the CSRF cookie). Public pages for anonymous
    visitors keep their caching.

    It stands before SessionMiddleware and CsrfViewMiddleware, so that it sees the cookies
    they set on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._for_one_person(request, response):
            patch_cache_control(response, no_store=True)
        return response

    @staticmethod
    def _for_one_person(request: HttpRequest, response: HttpResponse) -> bool:
        if settings.SESSION_COOKIE_NAME in response.cookies:
            return True
        if settings.CSRF_COOKIE_NAME in response.cookies:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


class RequestBoundsMiddleware:
    """Requests no page of the platform can use are answered before any view runs:

    * a NUL character in the address (PostgreSQL refuses it in any text it is compared with,
      which would make a lookup fail with a server error): 400;
    * a body larger than ASPHUB_MAX_REQUEST_BYTES (ASPHUB_LARGE_REQUEST_BYTES on the pages
      that take large uploads, ASPHUB_LARGE_REQUEST_PATHS): 413, before it is read. The web
      server in front should refuse such bodies too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.large_paths = re.compile(settings.ASPHUB_LARGE_REQUEST_PATHS)

    def _limit(self, request: HttpRequest) -> int:
        if self.large_paths.match(request.path):
            return settings.ASPHUB_LARGE_REQUEST_BYTES
        return settings.ASPHUB_MAX_REQUEST_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(
                "The address holds a character that is not allowed.",
                content_type="text/plain; charset=utf-8",
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self._limit(request)
        if length > limit:
            # A page, not a bare refusal: the person learns the limit, and Back returns them to
            # the form as they left it.
            return render(
                request,
                "413.html",
                {"megabytes": limit // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
