"""Sending by the worker when the mail server is down, slow or refuses: no message is lost.
A temporary failure is tried again later, each time later; the last failure, or a refusal
that would only be repeated, ends the task as FAILED and is logged as an error."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from asphub.mail.tasks import MAX_ATTEMPTS, RETRY_DELAYS
from asphub.mail.tests.backends import SMTP, silent_smtp_server, unused_address, use_smtp_server
from asphub.mail.tests.queue import later, run_queued_tasks

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def server_down(settings):
    """Django's SMTP backend, to a port where nothing listens."""
    use_smtp_server(settings, unused_address())


@pytest.fixture
def server_silent(settings):
    """Django's SMTP backend, to a server that never answers: the attempt ends after
    EMAIL_TIMEOUT."""
    with silent_smtp_server() as server:
        use_smtp_server(settings, server.getsockname(), timeout=0.2)
        yield


def failing(settings, name: str) -> None:
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = f"asphub.mail.tests.backends.{name}"


def queue_one() -> DBTaskResult:
    EmailMessage("Uzaicinājums", "Saite", to=["jana@example.org"]).send()
    return DBTaskResult.objects.get()


def due() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


@pytest.mark.parametrize(
    "server",
    ["server_down", "server_silent", "DisconnectingServer", "TimingOutServer", "BusyServer"],
)
def test_a_temporary_failure_is_tried_again_a_minute_later(request, settings, server):
    if server.startswith("server_"):
        request.getfixturevalue(server)
    else:
        failing(settings, server)
    first = queue_one()
    written = first.args_kwargs["args"]

    before = timezone.now()
    run_queued_tasks()
    after = timezone.now()

    assert mail.outbox.delivered_so_far() == []
    first.refresh_from_db()
    # This attempt is over; what went wrong is its result, the next attempt its own task.
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value["sent"] is False
    [retry] = due()
    assert first.return_value["next_attempt"] == str(retry.id)
    assert retry.args_kwargs == {"args": written, "kwargs": {"attempt": 2}}
    # The finished attempt keeps who and what about, not what it said (one-time links).
    assert first.args_kwargs["args"][0]["body"] == ""
    assert first.args_kwargs["args"][0]["to"] == written[0]["to"]
    assert before + RETRY_DELAYS[0] <= retry.run_after <= after + RETRY_DELAYS[0]

    # Not before its time.
    run_queued_tasks()
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.READY


def test_each_attempt_waits_longer_and_the_last_failure_is_failed_and_logged(settings, caplog):
    failing(settings, "DisconnectingServer")
    attempt = queue_one()
    waits = []

    run_queued_tasks()
    while retries := due():
        [retry] = retries
        attempt.refresh_from_db()
        waits.append(retry.run_after - attempt.started_at)
        with later(retry.run_after - timezone.now()):
            run_queued_tasks()
        attempt = retry

    assert len(waits) == MAX_ATTEMPTS - 1 == 4
    for wait, delay in zip(waits, RETRY_DELAYS, strict=True):
        assert delay <= wait < delay + timedelta(seconds=5)
    attempts = DBTaskResult.objects.order_by("enqueued_at")
    assert [task.args_kwargs["kwargs"].get("attempt", 1) for task in attempts] == [1, 2, 3, 4, 5]
    *tried_again, last = attempts
    assert {task.status for task in tried_again} == {TaskResultStatus.SUCCESSFUL}
    assert last.status == TaskResultStatus.FAILED
    assert last.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "Connection unexpectedly closed" in last.traceback
    assert mail.outbox == []
    [given_up] = [
        r for r in caplog.records if r.name == "asphub.mail.tasks" and r.levelno == logging.ERROR
    ]
    assert str(last.id) in given_up.getMessage()
    assert "attempt 5 of 5" in given_up.getMessage()


def test_a_message_sent_on_a_later_attempt_arrives_once_as_written(settings):
    failing(settings, "TimingOutServer")
    first = queue_one()
    written = first.args_kwargs["args"][0]["headers"]["Message-ID"]
    run_queued_tasks()

    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = LOCMEM
    with later(RETRY_DELAYS[0]):
        [message] = mail.outbox

    assert message.subject == "Uzaicinājums"
    assert message.message()["Message-ID"] == written
    assert due() == []
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


def test_a_refusal_for_good_is_not_tried_again_and_is_logged(settings, caplog):
    failing(settings, "RefusingServer")
    task = queue_one()

    run_queued_tasks()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "smtplib.SMTPRecipientsRefused"
    assert due() == []
    assert any(
        r.name == "asphub.mail.tasks"
        and r.levelno == logging.ERROR
        and str(task.id) in r.getMessage()
        for r in caplog.records
    )


def test_the_worker_waits_on_the_mail_server_for_a_limited_time(settings):
    assert 0 < settings.EMAIL_TIMEOUT <= 60
    assert get_connection(SMTP).timeout == settings.EMAIL_TIMEOUT


def test_a_message_left_half_sent_by_a_stopped_worker_is_queued_again(settings):
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row = queue_one()
    written = row.args_kwargs["args"]
    # The worker claimed it and was killed before it finished.
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    call_command("requeue_interrupted_mail", stdout=StringIO())
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert "stopped while sending" in row.traceback
    (again,) = due()
    assert again.args_kwargs == {"args": written, "kwargs": {"attempt": 2}}
    run_queued_tasks()
    assert [message.to for message in mail.outbox] == [["jana@example.org"]]


def test_a_message_being_sent_now_is_left_alone(settings):
    row = queue_one()
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    call_command("requeue_interrupted_mail", stdout=StringIO())
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert due() == []
