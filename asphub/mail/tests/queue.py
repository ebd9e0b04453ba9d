"""Running the task queue in tests, through the real worker of `manage.py db_worker`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> None:
    """Run every task that is due, as `manage.py db_worker --batch` does, then return.

    In this thread and inside the test's transaction. The worker closes stale database
    connections between tasks; in a test that would close the test's own transaction, so that
    is left out (Django's test client leaves it out of requests for the same reason)."""
    worker = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


@contextmanager
def later(by: timedelta) -> Iterator[datetime]:
    """Time has moved on: tasks queued to run after a while are due."""
    moment = timezone.now() + by
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


class QueuedOutbox(list):
    """`django.core.mail.outbox` in the tests. Messages are queued, as in production; reading
    the outbox first lets the worker send what is due (run_queued_tasks), so a test asserts
    on the mail that the worker sends, after the change has been made."""

    def __init__(self) -> None:
        super().__init__()
        self.queued = False

    def note_queued(self, **kwargs: Any) -> None:
        """Receives django-tasks' `task_enqueued`: the worker may have something to do (until
        then, reading the outbox touches no database)."""
        self.queued = True

    def delivered_so_far(self) -> list:
        """What the worker has sent so far, without running it."""
        return list(super().__iter__())

    def _deliver(self) -> None:
        if self.queued:
            run_queued_tasks()
            # Tasks queued to run later (a retry) are due on a later read.
            self.queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()

    def __len__(self) -> int:
        self._deliver()
        return super().__len__()

    def __iter__(self):
        self._deliver()
        return super().__iter__()

    def __getitem__(self, index):
        self._deliver()
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        self._deliver()
        return super().__contains__(item)

    def __eq__(self, other: object) -> bool:
        self._deliver()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        self._deliver()
        return super().__repr__()

    __hash__ = None  # type: ignore[assignment]
