"""Writing e-mail. A message is rendered when the change that causes it happens and written to
the task queue in that change's transaction: a change that rolls back sends nothing, and a
change that commits always has its message queued. The worker sends it (see tasks.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from .messages import message_to_json
from .tasks import send_email


def send_templated_mail(
    template_prefix: str, *, to: str, context: dict[str, Any], language: str
) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in `language` (the recipient's:
    the caller knows who they are) and queue the message."""
    with translation.override(language):
        subject = " ".join(_render_text(f"{template_prefix}_subject.txt", context).split())
        body = _render_text(f"{template_prefix}_message.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    # Through settings.EMAIL_BACKEND (QueueEmailBackend), the one way out for every message.
    message.send()


def email_queue(message: EmailMessage) -> None:
    """Write one message to the task queue inside the caller's transaction (the database
    backend stores the task as a row on the same connection). Called by QueueEmailBackend."""
    send_email.enqueue(message_to_json(message))


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """E-mails are plain text: nothing in them is HTML-escaped (`A & "B"` stays as it is)."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))
