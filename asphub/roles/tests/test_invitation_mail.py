"""An invitation's e-mail when the mail server is down, slow or refuses: the invitation is
never lost, nor its e-mail. The e-mail is queued with the invitation, in its transaction; the
request does not wait on the mail server; the worker tries again, and an e-mail given up on is
listed for the administrators."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.mail.tasks import RETRY_DELAYS
from asphub.mail.tests.backends import silent_smtp_server, unused_address, use_smtp_server
from asphub.mail.tests.queue import later, run_queued_tasks
from asphub.roles.models import Invitation, Role
from asphub.roles.services import invitation_create
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import CountryFactory, SchoolFactory

pytestmark = pytest.mark.django_db

EMAIL = "juris@example.org"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
TASKS_ADMIN = "admin:django_tasks_database_dbtaskresult_changelist"


def coordinator_signed_in(client):
    school = SchoolFactory(country=CountryFactory(), name="Ozolu pamatskola")
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school)
    client.force_login(coordinator)
    return coordinator, school


def invite(client, school):
    with translation.override("en"):
        workspace = reverse("dashboard:school", args=[school.pk])
    return client.post(workspace, {"email": EMAIL, "role": "teacher", "language": "en"})


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


def test_an_invitation_and_its_email_are_written_together_or_not_at_all(client):
    coordinator, school = coordinator_signed_in(client)

    def create():
        return invitation_create(actor=coordinator, email=EMAIL, role=Role.TEACHER, school=school)

    with pytest.raises(RuntimeError), transaction.atomic():
        create()
        raise RuntimeError("something later in the same change fails")
    assert not Invitation.objects.exists()
    assert not DBTaskResult.objects.exists()

    create()
    [task] = queued()
    assert task.args_kwargs["args"][0]["to"] == [EMAIL]


def test_inviting_does_not_wait_on_a_slow_mail_server(client, settings):
    coordinator, school = coordinator_signed_in(client)
    with silent_smtp_server() as server:
        use_smtp_server(settings, server.getsockname())

        response = invite(client, school)

        assert response.status_code == 302
        assert Invitation.objects.get().email == EMAIL
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody has connected to the mail server yet
        assert len(queued()) == 1

        run_queued_tasks()

        server.accept()[0].close()  # the worker did, and gave up on it after EMAIL_TIMEOUT
    [retry] = queued()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}


def test_a_mail_server_that_is_down_loses_neither_the_invitation_nor_its_email(client, settings):
    coordinator, school = coordinator_signed_in(client)
    use_smtp_server(settings, unused_address())

    assert invite(client, school).status_code == 302
    run_queued_tasks()

    invitation = Invitation.objects.get()
    assert invitation.is_pending
    assert mail.outbox == []
    assert len(queued()) == 1

    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = LOCMEM  # the server is back
    with later(RETRY_DELAYS[0]):
        [message] = mail.outbox
    assert message.to == [EMAIL]
    [link] = [word for word in message.body.split() if "/invitations/" in word]
    client.logout()
    assert client.get(link).status_code == 200


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_an_email_given_up_on_is_listed_for_the_administrators(client, settings, who):
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = "asphub.mail.tests.backends.RefusingServer"
    _, school = coordinator_signed_in(client)
    invite(client, school)
    run_queued_tasks()
    [failed] = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)

    if who == "superuser":
        administrator = person_with(Role.TEACHER, school=school, is_superuser=True, is_staff=True)
    else:
        administrator = person_with(Role.ADMINISTRATOR)
    enrol_authenticator(administrator)
    client.force_login(administrator)
    listing = client.get(reverse(TASKS_ADMIN), {"status__exact": "FAILED"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert EMAIL in page
    assert "Ozolu pamatskola" in page  # the subject names the school
    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])
    )
    assert detail.status_code == 200
    assert "SMTPRecipientsRefused" in detail.content.decode()


def test_national_coordinators_do_not_see_the_queue(client):
    national = person_with(Role.NATIONAL_COORDINATOR, country=CountryFactory())
    enrol_authenticator(national)
    client.force_login(national)

    assert client.get(reverse(TASKS_ADMIN)).status_code == 403


def test_once_sent_the_invitation_link_is_no_longer_kept_in_the_queue(client, settings):
    settings.ASPHUB_EMAIL_DELIVERY_BACKEND = LOCMEM
    coordinator, school = coordinator_signed_in(client)
    invite(client, school)
    (row,) = queued()
    assert "/invitations/" in row.args_kwargs["args"][0]["body"]
    run_queued_tasks()
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/invitations/" in word)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    # The administration still lists who it went to and what it was about.
    assert row.args_kwargs["args"][0]["to"] == [EMAIL]
    assert row.args_kwargs["args"][0]["subject"] == message.subject
    for stored in DBTaskResult.objects.all():
        assert token not in str(stored.args_kwargs) + str(stored.return_value)
