"""The configuration checks that keep e-mail on the queue."""

from __future__ import annotations

from asphub.mail.checks import QUEUE_BACKEND, check_mail_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def ids() -> list[str]:
    return [problem.id for problem in check_mail_settings()]


def test_the_queue_set_up_as_in_base_settings_passes(settings):
    assert settings.EMAIL_BACKEND == QUEUE_BACKEND
    assert ids() == []


def test_sending_around_the_queue_is_reported(settings):
    settings.EMAIL_BACKEND = SMTP
    assert ids() == ["mail.W001"]


def test_delivering_to_the_queue_itself_is_an_error(settings):
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = QUEUE_BACKEND
    assert ids() == ["mail.E001"]


def test_a_task_backend_that_cannot_wait_is_an_error(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert ids() == ["mail.E002"]
