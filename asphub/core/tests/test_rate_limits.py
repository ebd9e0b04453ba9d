"""Hourly limits: counted in the database, exactly, even for requests that arrive together in
several processes or threads (each with its own connection: asphub.core.tests.servers.
thread_connections)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from asphub.core.models import HourlyCount
from asphub.core.rate_limits import over_hourly_limit
from asphub.core.tests.servers import thread_connections


@pytest.mark.django_db
def test_the_limit_counts_per_kind_and_key_and_hour():
    answers = [over_hourly_limit("contact", "user:1", 2) for _ in range(3)]
    assert answers == [False, False, True]
    assert over_hourly_limit("contact", "user:2", 2) is False
    assert over_hourly_limit("export", "user:1", 2) is False
    # Last hour's counts are last hour's.
    HourlyCount.objects.update(hour=timezone.now() - timedelta(hours=1))
    assert over_hourly_limit("contact", "user:1", 2) is False


@pytest.fixture
def own_connection(tmp_path):
    with thread_connections(tmp_path) as install:
        yield install


@pytest.mark.django_db(transaction=True)
def test_requests_arriving_together_are_all_counted(own_connection):
    threads_count, limit = 12, 5
    barrier = threading.Barrier(threads_count)
    refused: list[bool] = []
    lock = threading.Lock()

    def request() -> None:
        own_connection()
        try:
            barrier.wait()
            answer = over_hourly_limit("contact", "user:7", limit)
            with lock:
                refused.append(answer)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(refused) == threads_count
    assert refused.count(False) == limit
    own_connection()
    assert HourlyCount.objects.get().count == threads_count
