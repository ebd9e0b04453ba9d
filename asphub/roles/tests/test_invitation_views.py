"""The invitation page (/invitations/<token>/), as the person holding the link sees it.

Messages are checked on the English pages (/en/...) so that the Latvian wording can change freely.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone, translation

from asphub.accounts.models import User
from asphub.accounts.tests.factories import PASSWORD, UserFactory
from asphub.audit.models import AuditEntry
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.tests.factories import InvitationFactory, person_with

pytestmark = pytest.mark.django_db

TOKEN = "the-secret-of-this-invitation-0123456789abcdef"
EMAIL = "liga.ozola@example.org"
GOOD_PASSWORD = "seven quiet rivers under the old bridge"
SCHOOL = "Ozolu pamatskola"  # the `school` fixture (conftest.py)


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def accept_url(token: str = TOKEN, language: str = "en") -> str:
    return url("roles:accept", token, language=language)


@pytest.fixture
def invitation(school, coordinator):
    return InvitationFactory(
        token=TOKEN, email=EMAIL, role=Role.TEACHER, school=school, invited_by=coordinator
    )


def state() -> dict[str, list]:
    return {
        "people": list(User.objects.order_by("pk").values()),
        "addresses": list(EmailAddress.objects.order_by("pk").values()),
        "roles": list(RoleAssignment.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def new_account(full_name="Līga Ozola", password1=GOOD_PASSWORD, password2=None, language="lv"):
    return {
        "full_name": full_name,
        "password1": password1,
        "password2": password1 if password2 is None else password2,
        "preferred_language": language,
    }


# -- links that do not work -------------------------------------------------------------------


@pytest.mark.parametrize("token", ["forged-token", "x" * 150, TOKEN[:-1]])
def test_a_forged_link_is_not_found_and_says_so(client, invitation, token):
    for method in (client.get, client.post):
        response = method(accept_url(token))
        assert response.status_code == 404
        body = response.content.decode()
        assert "This invitation link is not valid." in body
        assert "ask for a new invitation" in body
        # Nothing about the real invitation shows.
        assert SCHOOL not in body
        assert EMAIL not in body


def _expire(invitation):
    invitation.created_at = timezone.now() - timedelta(days=9)
    invitation.expires_at = timezone.now() - timedelta(days=2)
    invitation.save()


def _use(invitation):
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = UserFactory(email=EMAIL)
    invitation.save()


def _withdraw(invitation):
    invitation.revoked_at = timezone.now()
    invitation.save()


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_expire, "This invitation expired on"),
        (_use, "This invitation has already been used."),
        (_withdraw, "This invitation was withdrawn. Ask the person who invited you."),
    ],
    ids=["expired", "used", "withdrawn"],
)
def test_a_link_that_no_longer_works_is_gone_with_a_clear_message(
    client, invitation, spoil, message
):
    spoil(invitation)
    before = state()
    response = client.get(accept_url())
    assert response.status_code == 410
    assert message in response.content.decode()
    # Sending the new-account form anyway changes nothing.
    response = client.post(accept_url(), new_account())
    assert response.status_code == 410
    assert message in response.content.decode()
    assert state() == before


def test_the_expired_message_names_the_day_it_expired(client, invitation):
    invitation.created_at = timezone.now() - timedelta(days=30)
    invitation.expires_at = datetime(2026, 3, 14, 12, 0, tzinfo=ZoneInfo("Europe/Riga"))
    invitation.save()
    body = client.get(accept_url()).content.decode()
    assert "This invitation expired on 14 March 2026. Ask for a new one." in body


def test_the_problem_page_is_in_latvian_by_default(client, invitation):
    _withdraw(invitation)
    response = client.get(accept_url(language="lv"))
    assert response.status_code == 410
    body = response.content.decode()
    assert '<html lang="lv">' in body
    with translation.override("lv"):
        expected = translation.gettext(
            "This invitation was withdrawn. Ask the person who invited you."
        )
    assert escape(expected) in body


# -- a new person opens an account ------------------------------------------------------------


def test_the_page_shows_what_the_invitation_is_for_and_the_new_account_form(client, invitation):
    response = client.get(accept_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "You are invited to be <strong>teacher</strong> for <strong>Ozolu pamatskola</strong>"
        in body
    )
    assert f'value="{EMAIL}" readonly' in body
    assert "Sent by Ilze Kalna." in body
    assert 'name="full_name"' in body
    assert 'name="password1"' in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_mismatched_passwords_keep_the_typed_name_and_open_no_account(client, invitation):
    before = state()
    response = client.post(
        accept_url(), new_account(full_name="Anna Bērziņa", password2=GOOD_PASSWORD + "!")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The two passwords differ." in body
    assert 'value="Anna Bērziņa"' in body
    # The passwords themselves are never sent back to the browser.
    assert GOOD_PASSWORD not in body
    assert state() == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pw", "This password is too short."),
        ("password1234", "This password is too common."),
        ("liga.ozola example", "The password is too similar to the"),
        ("a long sentence that goes on " * 5, "Ensure this value has at most 128 characters"),
    ],
    ids=["short", "common", "like-the-address", "over-128"],
)
def test_a_weak_password_is_refused_on_the_page(client, invitation, password, message):
    before = state()
    response = client.post(accept_url(), new_account(full_name="Līga Ozola", password1=password))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="Līga Ozola"' in body
    assert state() == before


def test_a_new_account_is_opened_and_the_person_is_signed_in_at_once(client, invitation, school):
    response = client.post(accept_url(), new_account(full_name="Līga Ozola", language="en"))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard:index")

    person = User.objects.get(email=EMAIL)
    assert person.full_name == "Līga Ozola"
    assert person.preferred_language == "en"
    assert person.role_assignments.get().school == school
    assert client.session[SESSION_KEY] == str(person.pk)

    # No second password prompt: the dashboard opens and says the account is ready.
    dashboard = client.get(response["Location"]).content.decode()
    assert f"Your account is ready, and you are signed in as {EMAIL}." in dashboard
    assert SCHOOL in dashboard
    assert client.get(url("dashboard:school", school.pk)).status_code == 200


# -- someone who has an account ---------------------------------------------------------------


def test_the_invited_person_signed_in_accepts_with_one_click(client, invitation, school):
    person = UserFactory(email=EMAIL)
    client.force_login(person)
    page = client.get(accept_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Accept the invitation" in body
    assert 'name="password1"' not in body
    assert client.get(url("dashboard:school", school.pk)).status_code == 404

    response = client.post(accept_url())
    assert response.status_code == 302
    assert response["Location"] == url("dashboard:index")
    dashboard = client.get(response["Location"]).content.decode()
    assert f"You are now teacher for {SCHOOL}." in dashboard
    assert client.get(url("dashboard:school", school.pk)).status_code == 200
    assert person.role_assignments.get().school == school

    # The link is spent.
    again = client.get(accept_url())
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_someone_signed_in_with_another_address_is_told_and_nothing_changes(client, invitation):
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    before = state()
    expected = (
        f"This invitation was sent to {EMAIL}, but you are signed in as stranger@example.org. "
        "Sign out and open the link again."
    )
    page = client.get(accept_url())
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert "Accept the invitation" not in page.content.decode()

    response = client.post(accept_url())
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert state() == before


def test_an_existing_account_is_asked_to_sign_in_and_comes_back_to_the_invitation(
    client, invitation, school
):
    person = UserFactory(email=EMAIL)
    before = state()
    page = client.get(accept_url())
    assert page.status_code == 200
    body = page.content.decode()
    login_url = url("account_login") + "?next=" + quote(accept_url(), safe="")
    assert f'href="{login_url}"' in body
    assert 'name="password1"' not in body

    # Sending a new-account form for an address that has an account opens nothing.
    response = client.post(accept_url(), new_account())
    assert response.status_code == 200
    assert f'href="{login_url}"' in response.content.decode()
    assert state() == before

    # Signing in through that link leads back to the invitation, ready to accept.
    signed_in = client.post(login_url, {"login": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == accept_url()
    assert "Accept the invitation" in client.get(accept_url()).content.decode()
    assert client.post(accept_url()).status_code == 302
    assert person.role_assignments.get().school == school


def test_an_address_added_to_another_account_is_refused_without_an_error_page(client, invitation):
    owner = UserFactory(email="liga@example.org")
    EmailAddress.objects.create(user=owner, email=EMAIL, verified=True, primary=False)
    before = state()
    response = client.post(accept_url(), new_account())
    assert response.status_code == 200
    assert "You already have an account with this address." in response.content.decode()
    assert state() == before


def test_an_unconfirmed_claim_on_the_address_does_not_block_the_invitation(client, invitation):
    squatter = UserFactory(email="someone@example.org")
    EmailAddress.objects.create(user=squatter, email=EMAIL, verified=False, primary=False)
    response = client.post(accept_url(), new_account())
    assert response.status_code == 302
    person = User.objects.get(email=EMAIL)
    assert person.role_assignments.count() == 1
    assert not EmailAddress.objects.filter(user=squatter, email__iexact=EMAIL).exists()


def test_accepting_a_national_coordinator_invitation_leads_to_two_factor_set_up(client, school):
    InvitationFactory(
        token=TOKEN, email=EMAIL, role=Role.NATIONAL_COORDINATOR, country=school.country
    )
    person = UserFactory(email=EMAIL)
    client.force_login(person)
    response = client.post(accept_url())
    assert response.status_code == 302
    assert response["Location"] == url("dashboard:index")
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 302
    assert dashboard["Location"] == url("mfa_activate_totp")
    person.refresh_from_db()
    assert person.is_staff


def test_a_new_national_coordinator_sets_up_two_factor_without_a_second_password_prompt(
    client, school
):
    InvitationFactory(
        token=TOKEN, email=EMAIL, role=Role.NATIONAL_COORDINATOR, country=school.country
    )
    response = client.post(accept_url(), new_account())
    assert response["Location"] == url("dashboard:index")
    assert client.get(url("dashboard:index"))["Location"] == url("mfa_activate_totp")
    set_up = client.get(url("mfa_activate_totp"))
    assert set_up.status_code == 200
    assert 'name="code"' in set_up.content.decode()


def test_the_page_answers_only_get_and_post(client, invitation):
    assert client.put(accept_url()).status_code == 405
    assert client.delete(accept_url()).status_code == 405
    invitation.refresh_from_db()
    assert invitation.is_pending


# -- inviting from the school's workspace -----------------------------------------------------


def test_the_workspace_confirms_that_the_invitation_went_out(
    client, coordinator, school, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    workspace = url("dashboard:school", school.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            workspace, {"email": "Juris@Example.org", "role": "teacher", "language": "en"}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Invitation sent to juris@example.org. The link works once, for 7 days." in page
    assert "Withdraw the invitation to juris@example.org" in page


def test_the_workspace_says_why_an_invitation_was_not_sent(
    client, coordinator, school, django_capture_on_commit_callbacks
):
    teacher = person_with(Role.TEACHER, school=school, email="teacher@example.org")
    client.force_login(coordinator)
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("dashboard:school", school.pk),
            {"email": teacher.email, "role": "teacher", "language": "lv"},
        )
    assert response.status_code == 200
    assert "teacher@example.org already holds this role." in response.content.decode()
    assert state() == before
