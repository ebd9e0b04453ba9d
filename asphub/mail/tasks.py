"""Sending queued e-mail, run by the worker (`manage.py db_worker`).

django-tasks has no retries of its own: a task that raises is finished as FAILED. So a failed
attempt that is worth repeating queues the next attempt itself, later each time, and ends as
SUCCESSFUL with what went wrong as its result; only a message that is given up on (the last
attempt, or a refusal that would be repeated) ends as FAILED, which is what the administration's
task list shows under "Failed", with the error, and what the log reports as an error.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, task
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from .messages import message_from_json

logger = logging.getLogger(__name__)

# How long to wait after each failed attempt: five attempts over about 80 minutes ride out a
# mail server's restart or a short outage.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@task(takes_context=True)
def send_email(context: TaskContext, message: dict[str, Any], attempt: int = 1) -> dict[str, Any]:
    """Hand one queued message (messages.message_to_json) to the mail server; on a temporary
    failure, queue attempt `attempt + 1`."""
    email = message_from_json(message)
    try:
        get_connection(settings.ASPHUB_EMAIL_DELIVERY_BACKEND).send_messages([email])
    except Exception as error:
        if not _worth_another_attempt(error) or attempt >= MAX_ATTEMPTS:
            logger.error(
                "E-mail task %s not sent, given up after attempt %d of %d: %s",
                context.task_result.id,
                attempt,
                MAX_ATTEMPTS,
                _describe(error),
            )
            raise
        run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
        retry = send_email.using(run_after=run_after).enqueue(message, attempt=attempt + 1)
        logger.warning(
            "E-mail task %s, attempt %d of %d failed (%s); attempt %d is task %s at %s",
            context.task_result.id,
            attempt,
            MAX_ATTEMPTS,
            _describe(error),
            attempt + 1,
            retry.id,
            run_after.isoformat(),
        )
        return {
            "sent": False,
            "error": _describe(error),
            "next_attempt": retry.id,
            "next_attempt_at": run_after.isoformat(),
        }
    return {"sent": True}


def _worth_another_attempt(error: BaseException) -> bool:
    """The server could not be reached, did not answer in time (EMAIL_TIMEOUT), dropped the
    connection or refused for now (4xx). A permanent refusal (5xx: no such mailbox, message
    rejected, wrong credentials) would only be repeated; anything else is a bug."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    # smtplib's other errors, timeouts and refused connections are all OSErrors.
    return isinstance(error, OSError)


def _describe(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}: {error}"


# What a message says stays in the queue no longer than it takes to send it: bodies hold
# one-time links (invitations, password resets), which the platform otherwise keeps only as
# hashes. Once an attempt has finished, sent or not, its row keeps the recipients, the subject
# and the outcome (what the administration lists); the next attempt, if any, has its own copy.


@receiver(task_finished, dispatch_uid="asphub-mail-forget-sent-content")
def forget_message_content(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if task_result.task.name != send_email.name:
        return
    row = DBTaskResult.objects.filter(pk=task_result.id).first()
    if row is None or not row.args_kwargs.get("args"):
        return
    message = dict(row.args_kwargs["args"][0])
    message.update({"body": "", "alternatives": []})
    args_kwargs = {**row.args_kwargs, "args": [message, *row.args_kwargs["args"][1:]]}
    DBTaskResult.objects.filter(pk=row.pk).update(args_kwargs=args_kwargs)


def interrupted_sends_requeue(*, older_than: timedelta | None = None) -> int:
    """E-mails whose worker was stopped in the middle of sending them (killed, or the machine
    went down) stay "running" for ever: django-tasks does not look at them again. Each one
    running longer than any attempt can take is marked failed, as interrupted, and its message
    queued again as the next attempt (or, after the last one, left failed for the
    administrators to see). Run before a worker starts (`make run` does)."""
    older_than = older_than or timedelta(seconds=2 * settings.EMAIL_TIMEOUT + 60)
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=send_email.module_path,
        started_at__lt=timezone.now() - older_than,
    )
    count = 0
    for row in stale:
        message = row.args_kwargs["args"][0]
        attempt = int(row.args_kwargs.get("kwargs", {}).get("attempt", 1))
        DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="asphub.mail.tasks.Interrupted",
            traceback="The worker stopped while sending this message.",
        )
        if attempt < MAX_ATTEMPTS:
            send_email.enqueue(message, attempt=attempt + 1)
        count += 1
    return count
