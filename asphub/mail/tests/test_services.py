"""Writing e-mail: each message is rendered and queued in the transaction of the change that
causes it, whatever sends it, and the worker sends it as it was written."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, mail_admins, send_mail
from django.db import connection, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from asphub.mail.services import send_templated_mail
from asphub.mail.tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "test/note_subject.txt": '{% load i18n %}\n  {% translate "English" %}:\n {{ school }}\n',
    "test/note_message.txt": '{% load i18n %}{% translate "Latvian" %}: {{ school }} & "{{ who }}"',
}


@pytest.fixture
def note_templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


def send_note(language: str = "lv") -> None:
    send_templated_mail(
        "test/note",
        to="jana@example.org",
        context={"school": "Ozolu <pamatskola>", "who": "Ilze"},
        language=language,
    )


def test_a_message_is_queued_not_sent_and_the_worker_sends_it(note_templates):
    send_note()

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.task_path == "asphub.mail.tasks.send_email"
    assert mail.outbox.delivered_so_far() == []

    run_queued_tasks()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    [message] = mail.outbox
    assert message.to == ["jana@example.org"]


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("lv", "angļu: Ozolu <pamatskola>", 'latviešu: Ozolu <pamatskola> & "Ilze"'),
        ("en", "English: Ozolu <pamatskola>", 'Latvian: Ozolu <pamatskola> & "Ilze"'),
    ],
)
def test_a_message_is_written_in_the_recipients_language_as_plain_text(
    note_templates, language, subject, body
):
    send_note(language)

    [message] = mail.outbox
    assert message.subject == subject
    assert message.body == body


def test_a_change_that_rolls_back_sends_nothing(note_templates):
    with pytest.raises(RuntimeError), transaction.atomic():
        get_user_model().objects.create_user(email="jana@example.org", password=None)
        send_note()
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the change fails after its message was written")

    assert not get_user_model().objects.exists()
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_has_its_message_queued_with_it(note_templates):
    with transaction.atomic():
        get_user_model().objects.create_user(email="jana@example.org", password=None)
        send_note()
        assert connection.in_atomic_block
        assert DBTaskResult.objects.count() == 1

    assert get_user_model().objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert len(mail.outbox) == 1


def test_mail_sent_with_djangos_own_functions_is_queued_and_arrives_as_written(settings):
    settings.ADMINS = [("Admin", "admin@example.org")]
    message = EmailMultiAlternatives(
        subject="Sveiki",
        body="Teksts",
        from_email="asphub@example.org",
        to=["jana@example.org"],
        cc=["ilze@example.org"],
        bcc=["arhivs@example.org"],
        reply_to=["birojs@example.org"],
        headers={"X-Asphub": "1"},
    )
    message.attach_alternative("<p>Teksts</p>", "text/html")
    message.send()
    send_mail("Plain", "Body", None, ["peteris@example.org"])
    mail_admins("Error", "Traceback")

    assert DBTaskResult.objects.count() == 3
    assert mail.outbox.delivered_so_far() == []
    rich, plain, admins = mail.outbox
    assert (rich.subject, rich.body, rich.from_email) == ("Sveiki", "Teksts", "asphub@example.org")
    assert (rich.to, rich.cc, rich.bcc) == (
        ["jana@example.org"],
        ["ilze@example.org"],
        ["arhivs@example.org"],
    )
    assert rich.reply_to == ["birojs@example.org"]
    assert rich.extra_headers["X-Asphub"] == "1"
    assert rich.alternatives == [("<p>Teksts</p>", "text/html")]
    assert plain.to == ["peteris@example.org"]
    assert plain.from_email == settings.DEFAULT_FROM_EMAIL
    assert admins.to == ["admin@example.org"]


def test_an_html_only_message_stays_html():
    message = EmailMessage("Sveiki", "<p>Teksts</p>", to=["jana@example.org"])
    message.content_subtype = "html"
    message.send()

    [sent] = mail.outbox
    assert sent.message().get_content_type() == "text/html"


def test_a_message_keeps_the_date_and_id_it_was_written_with():
    message = EmailMessage("Sveiki", "Teksts", to=["jana@example.org"])
    message.send()
    queued = DBTaskResult.objects.get().args_kwargs["args"][0]["headers"]

    [sent] = mail.outbox
    mime = sent.message()
    assert mime["Message-ID"] == queued["Message-ID"]
    assert mime["Date"] == queued["Date"]


def test_a_message_with_an_attachment_is_refused_rather_than_sent_without_it():
    message = EmailMessage("Sveiki", "Teksts", to=["jana@example.org"])
    message.attach("saraksts.csv", "a;b\n", "text/csv")

    with pytest.raises(ValueError, match="attachments"):
        message.send()
    assert not DBTaskResult.objects.exists()
