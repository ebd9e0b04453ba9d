"""The e-mail backend of every environment (settings.EMAIL_BACKEND): it queues, never sends.

Whatever sends mail through Django (our services, django-allauth, `send_mail`, the admins'
error mails) reaches the mail server only through the task queue, so no code path can make a
request wait on the mail server or lose a message when it is down.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from .services import email_queue


class QueueEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        # No fail_silently here: a message that cannot be queued must fail the change with it.
        for message in email_messages:
            email_queue(message)
        return len(email_messages)
