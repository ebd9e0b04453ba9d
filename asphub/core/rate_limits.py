"""Counting events per hour in the database (HourlyCount), so that every process of a deployment
agrees and concurrent requests all count: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING
statement adds one and reads the new count (SQLite 3.35 and PostgreSQL both run it atomically;
the cache's add() and incr() were two steps, which a burst of parallel requests got through)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import HourlyCount


def over_hourly_limit(kind: str, key: str, limit: int) -> bool:
    """Count one more `kind` event for `key` this clock hour; whether that goes over `limit`.
    Inside the caller's transaction: a change that rolls back takes its count with it."""
    counted = f"{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"[:100]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    quote = connection.ops.quote_name
    table = quote(HourlyCount._meta.db_table)
    columns = {field.name: quote(field.column) for field in HourlyCount._meta.concrete_fields}
    key_column, hour_column, count_column = columns["key"], columns["hour"], columns["count"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {hour_column}, {count_column}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_column}, {hour_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 RETURNING {count_column}",
            [counted, connection.ops.adapt_datetimefield_value(hour)],
        )
        count = cursor.fetchone()[0]
    if count == 1:
        # The first count of a key in an hour also deletes the hours gone by (an index
        # range), so the table holds about an hour's keys.
        HourlyCount.objects.filter(hour__lt=hour).delete()
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
