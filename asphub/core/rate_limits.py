"""Counting events per hour in the shared cache, so that every process of a deployment agrees
(the database cache by default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def over_hourly_limit(kind: str, key: str, limit: int) -> bool:
    """Count one more `kind` event for `key` this hour; whether that goes over `limit`."""
    cache_key = f"asphub:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    cache.add(cache_key, 0, timeout=3600)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=3600)
        count = 1
    return count > limit


def limited_per_hour(kind: str, *, setting: str, default: int, key: Callable[[HttpRequest], str]):
    """A view decorator: at most `settings.<setting>` (else `default`) requests an hour for
    each key (the caller's address, say); past it, the site's 429 page. For pages that cost
    much to make (streamed exports of whole catalogues), so that a few visitors cannot hold
    every server process."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = getattr(settings, setting, default)
            if request.method != "OPTIONS" and over_hourly_limit(kind, key(request), limit):
                return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return limited

    return decorator
