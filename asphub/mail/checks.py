"""Configuration mistakes that would let e-mail bypass the queue or never leave it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

QUEUE_BACKEND = "asphub.mail.backends.QueueEmailBackend"


@register()
def check_mail_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.EMAIL_BACKEND != QUEUE_BACKEND:
        problems.append(
            Warning(
                "E-mail is sent without the task queue: a slow or failing mail server then "
                "holds up or loses what is sent.",
                hint=f"Set EMAIL_BACKEND = {QUEUE_BACKEND!r} and choose the mail server's "
                "backend with ASPHUB_EMAIL_DELIVERY_BACKEND.",
                id="mail.W001",
            )
        )
    if getattr(settings, "ASPHUB_EMAIL_DELIVERY_BACKEND", QUEUE_BACKEND) == QUEUE_BACKEND:
        problems.append(
            Error(
                "ASPHUB_EMAIL_DELIVERY_BACKEND must be the backend that reaches the mail "
                "server, not the queue itself.",
                hint="For example django.core.mail.backends.smtp.EmailBackend.",
                id="mail.E001",
            )
        )
    if not task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_defer:
        problems.append(
            Error(
                "The default task backend cannot run a task later, so failed e-mails cannot "
                "be tried again.",
                hint="Use django_tasks_db.DatabaseBackend (settings.TASKS).",
                id="mail.E002",
            )
        )
    return problems
