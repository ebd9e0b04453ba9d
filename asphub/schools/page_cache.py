"""The public directory's page cache: whole pages for anonymous visitors, and values such as the
filters' option lists, kept in each process under the directory's data version.

The data version is a random token in the database (DirectoryVersion, one row). Database
triggers on every table the cached pages read (schools, flagship participations, countries,
subdivisions, flagship networks; migration schools/0003) write a new token in the same
statement as any change to them, whatever makes it: a model save, QuerySet.update(),
bulk_create(), raw SQL, TRUNCATE, or another program. So:

* every gunicorn process, and every server of a deployment, sees the same token;
* other connections see the new token exactly when they see the new rows (at commit), and a
  change that is rolled back takes its token with it;
* a view call reads the token once, *before* it reads any data (`anonymous_page_cache`). A
  reader that sees the new token also sees the new rows, so old data is never kept under a
  new token; a reader that took the old token just before a commit may keep newer data under
  the old key, which nobody asks for again;
* tokens are random and never reused, so entries made before a rollback (in tests, say) cannot
  be mistaken for the state after it. An empty token means "no change recorded yet".

A page that starts to show another table must add that table's triggers in a migration.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render as django_render
from django.test.signals import setting_changed
from django.utils.translation import get_language

from .models import DirectoryVersion

_VERSION_PK = 1


def data_version() -> str:
    """The current token, read from the database (one primary-key lookup). Every page reads
    it, cached or not: a cursor costs a tenth of what compiling the same query with the ORM
    does (12 against 120 µs in the benchmark's process)."""
    connection = connections[router.db_for_read(DirectoryVersion)]
    quote = connection.ops.quote_name
    meta = DirectoryVersion._meta
    sql = (
        f"SELECT {quote(meta.get_field('token').column)} FROM {quote(meta.db_table)}"
        f" WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_VERSION_PK])
        row = cursor.fetchone()
    return row[0] if row is not None else ""


class _ViewCall:
    """What one call of a view under `anonymous_page_cache` shares with the code it calls."""

    def __init__(self, version: str | None, csrf_placeholder: str):
        self._version = version
        # Empty when the page is not kept: it gets the visitor's own token.
        self.csrf_placeholder = csrf_placeholder

    @property
    def version(self) -> str:
        # A page that is not kept reads the token when it first needs it (a profile never
        # does), then keeps it for the rest of the call: one query, not one per memoized value.
        if self._version is None:
            self._version = data_version()
        return self._version


# What one call of a cached view needs to share with the code it calls (the filters, `render`).
# A ContextVar rather than attributes on the request: the values belong to this one call, not
# to the request object that middleware, other decorators and tests also hold and may reuse;
# set and reset around the call, they are seen by nothing outside it, and a thread (or asyncio
# task) never sees another one's.
_view_call: ContextVar[_ViewCall | None] = ContextVar("asphub_page_cache_view_call", default=None)


def current_version() -> str:
    """The token a cached view read before reading any data; outside one, a fresh read."""
    call = _view_call.get()
    return call.version if call is not None else data_version()


def render(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """django.shortcuts.render for views under `anonymous_page_cache`: a page that is being
    kept gets a stand-in for the CSRF token, which each response replaces with its own."""
    call = _view_call.get()
    if call is not None and call.csrf_placeholder:
        context = {**context, "csrf_token": call.csrf_placeholder}
    return django_render(request, template_name, context)


# Values kept in this process for one token only, as one (token, values) pair that is replaced
# whole: a thread never stores a value built under one token among another token's values.
_memo: tuple[str | None, dict] = (None, {})


MEMO_MAX_ENTRIES = 256


def memoized(version: str, key: tuple, build: Callable[[], Any]) -> Any:
    """`build()`, kept in this process until the directory's token changes (or until
    MEMO_MAX_ENTRIES values are kept: keys come from visitors' query strings, so a stream of
    made-up values must not grow the process without end)."""
    global _memo
    memo = _memo
    if memo[0] != version or len(memo[1]) >= MEMO_MAX_ENTRIES:
        memo = _memo = (version, {})
    try:
        return memo[1][key]
    except KeyError:
        value = memo[1][key] = build()
        return value


def anonymous_page_cache(view):
    """Keep whole pages for anonymous visitors, in this process, and serve them again until
    anything they show changes. The view renders with `render` above.

    The key is the data version, the language, whether htmx asked for the results fragment,
    and the full path with its query string: everything the page depends on. Only visitors
    without a session cookie are served from it: everyone signed in has one and always gets a
    fresh render (the footer differs for staff). The pages must show nothing else that differs
    between visitors, except a CSRF token ({% csrf_token %}): that is rendered as a random
    stand-in and replaced by the visitor's own token (get_token, which also sets the cookie, as
    rendering does) in each response. Only plain 200 responses without cookies are kept, and
    none that used the visitor's own CSRF token; whether rendering read the session is kept too
    ("Vary: Cookie").
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.ASPHUB_DIRECTORY_CACHE or settings.SESSION_COOKIE_NAME in request.COOKIES:
            # Rendered afresh, with the values memoized under the data version (the filters'
            # option lists, the flagship networks' names).
            reset = _view_call.set(_ViewCall(None, ""))
            try:
                return view(request, *args, **kwargs)
            finally:
                _view_call.reset(reset)
        version = data_version()
        htmx = getattr(request, "htmx", None)  # django-htmx's middleware sets it
        partial = bool(htmx and not htmx.boosted)
        identity = f"{version}\n{get_language()}\n{partial:d}\n{request.get_full_path()}"
        key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
        cache = caches["pages"]
        entry = cache.get(key)
        if entry is None:
            placeholder = secrets.token_hex(16)
            flagged_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            reset = _view_call.set(_ViewCall(version, placeholder))
            try:
                response = view(request, *args, **kwargs)
            finally:
                _view_call.reset(reset)
            # get_token() flags the request: the view put the visitor's own CSRF token in the
            # page (it rendered without `render` above), so the page is theirs alone.
            own_token = not flagged_before and request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
            content = response.content.decode(response.charset) if not response.streaming else ""
            if response.status_code != 200 or response.streaming or response.cookies or own_token:
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


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    # Tests that override settings (page size, default country, languages) get fresh values
    # and fresh pages.
    global _memo
    _memo = (None, {})
    if "pages" in settings.CACHES:
        caches["pages"].clear()
