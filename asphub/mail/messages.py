"""A message as the task queue stores it: plain JSON, complete, so that the worker sends it
without a request, a language or the objects it was written from."""

from __future__ import annotations

from email.utils import formatdate, make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME


def message_to_json(message: EmailMessage) -> dict[str, Any]:
    if message.attachments:
        raise ValueError("E-mails with attachments cannot be queued yet.")
    headers = {str(name): str(value) for name, value in message.extra_headers.items()}
    names = {name.lower() for name in headers}
    # Fixed when the message is written, not at each attempt: a message sent again after a
    # failed attempt is the same message (mail programs recognise a repeat by its Message-ID),
    # dated when it was written.
    if "message-id" not in names:
        headers["Message-ID"] = make_msgid(domain=str(DNS_NAME))
    if "date" not in names:
        headers["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
    alternatives = getattr(message, "alternatives", [])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
        "cc": [str(address) for address in message.cc],
        "bcc": [str(address) for address in message.bcc],
        "reply_to": [str(address) for address in message.reply_to],
        "headers": headers,
        "content_subtype": message.content_subtype,
        "alternatives": [[str(content), mimetype] for content, mimetype in alternatives],
    }


def message_from_json(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[(content, mimetype) for content, mimetype in data["alternatives"]],
    )
    message.content_subtype = data["content_subtype"]
    return message
