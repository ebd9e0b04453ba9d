"""Making the personal feed's address: two clicks at the same moment give the person one
address (the last one made), never an error."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection

from asphub.accounts.tests.factories import UserFactory
from asphub.calendar.models import PersonalFeed
from asphub.calendar.services import personal_feed_renew
from asphub.core.tests.servers import thread_connections

pytestmark = pytest.mark.django_db(transaction=True)


def test_clicks_at_the_same_moment_make_one_address(tmp_path):
    with thread_connections(tmp_path) as own_connection:
        user = UserFactory()
        clicks = 6
        barrier = threading.Barrier(clicks)
        errors: list[Exception] = []

        def click() -> None:
            own_connection()
            try:
                barrier.wait()
                personal_feed_renew(user=user)
            except DatabaseError as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=click) for _ in range(clicks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        own_connection()
        assert errors == []
        assert PersonalFeed.objects.filter(user=user).count() == 1
