"""Mail servers that fail: real sockets for Django's SMTP backend, and e-mail backends (for
ASPHUB_EMAIL_DELIVERY_BACKEND) that raise what smtplib raises."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    error: BaseException

    def send_messages(self, email_messages):
        raise type(self.error)(*self.error.args)  # a fresh one each time, as a server gives


class DisconnectingServer(FailingBackend):
    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class TimingOutServer(FailingBackend):
    error = TimeoutError("timed out")


class BusyServer(FailingBackend):
    """Refuses every recipient for now (greylisting, a full queue): worth another try."""

    error = smtplib.SMTPRecipientsRefused(
        {"jana@example.org": (450, b"4.2.0 Mailbox temporarily unavailable")}
    )


class RefusingServer(FailingBackend):
    """Refuses the recipient for good: trying again would be refused again."""

    error = smtplib.SMTPRecipientsRefused({"jana@example.org": (550, b"5.1.1 No such user")})


SMTP = "django.core.mail.backends.smtp.EmailBackend"


def use_smtp_server(settings, address: tuple[str, int], *, timeout: float = 0.2) -> None:
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = address
    settings.EMAIL_TIMEOUT = timeout


def unused_address() -> tuple[str, int]:
    """Where no server listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()


@contextmanager
def silent_smtp_server() -> Iterator[socket.socket]:
    """A server that takes connections (the system accepts them for it) and never answers.
    `accept()` on it raises BlockingIOError until someone has connected."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        yield listener
