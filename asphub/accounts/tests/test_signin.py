"""Signing in, out and up; password reset; the sign-in lockout; two-factor sign-in."""

import os
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from allauth.core.ratelimit import respond_429
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import translation

from asphub.accounts.models import User
from asphub.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    current_code,
    enrol_authenticator,
)
from asphub.audit.models import AuditEntry
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
OTHER_IP = "192.0.2.77"


def url(name: str, language: str = "lv") -> str:
    with translation.override(language):
        return reverse(name)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(url("account_login"), {"login": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# -- signing in and out -----------------------------------------------------------------------


def test_signing_in_with_the_right_password_leads_to_the_dashboard(client):
    user = UserFactory()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert signed_in(client)
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 200
    assert dashboard.context["user"] == user


def test_the_address_is_not_case_sensitive_at_sign_in(client):
    user = UserFactory(email="anna.berzina@example.org")
    response = sign_in(client, "Anna.Berzina@Example.org")
    assert response["Location"] == DASHBOARD
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_wrong_password_does_not_sign_in(client):
    user = UserFactory()
    response = sign_in(client, user.email, "not the password at all")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not signed_in(client)


def test_an_unverified_address_does_not_sign_in(client):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = sign_in(client, user.email)
    assert not signed_in(client)
    assert response.status_code == 302
    assert response["Location"] == url("account_email_verification_sent")
    # A fresh verification link is sent instead.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(url("account_login"))


def test_signing_out_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    response = client.post(url("account_logout"))
    assert response.status_code == 302
    assert not signed_in(client)
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(url("account_login"))


def test_the_dashboard_asks_anonymous_visitors_to_sign_in_and_comes_back(client):
    user = UserFactory()
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{url('account_login')}?next={DASHBOARD}"
    after = client.post(response["Location"], {"login": user.email, "password": PASSWORD})
    assert after["Location"] == DASHBOARD


def test_the_sign_in_page_is_in_both_languages(client):
    latvian = client.get(url("account_login")).content.decode()
    english = client.get(url("account_login", "en")).content.decode()
    assert '<html lang="lv">' in latvian
    assert '<html lang="en">' in english
    assert 'name="login"' in english and 'name="password"' in english


def test_a_link_can_fill_in_the_address_on_the_sign_in_page(client):
    response = client.get(url("account_login", "en"), {"login": "rita@example.org"})
    assert response.context["form"]["login"].value() == "rita@example.org"


# -- where sign-in leads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "https://evil.example/dashboard/"]
)
def test_sign_in_never_sends_people_to_another_site(client, target):
    user = UserFactory()
    response = client.post(
        url("account_login"), {"login": user.email, "password": PASSWORD, "next": target}
    )
    assert signed_in(client)
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"] == DASHBOARD


def test_sign_in_never_sends_people_to_another_site_via_the_query_string(client):
    user = UserFactory()
    response = client.post(
        url("account_login") + "?next=https://evil.example/",
        {"login": user.email, "password": PASSWORD},
    )
    assert signed_in(client)
    assert response["Location"] == DASHBOARD


def test_sign_in_follows_a_local_next(client):
    user = UserFactory()
    response = client.post(
        url("account_login"), {"login": user.email, "password": PASSWORD, "next": "/en/schools/"}
    )
    assert response["Location"] == "/en/schools/"
    client.post(url("account_logout"))
    response = client.post(
        url("account_login"), {"login": user.email, "password": PASSWORD, "next": DASHBOARD}
    )
    assert response["Location"] == DASHBOARD


# -- password reset -----------------------------------------------------------------------------


def test_password_reset_mail_is_in_english_for_an_english_speaker_asking_in_latvian(client):
    user = UserFactory(preferred_language="en")
    response = client.post(url("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Password Reset" in message.subject
    assert "You're receiving this email because" in message.body
    assert "Jūs saņemat" not in message.body


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_tells_nothing(client, db):
    UserFactory(email="known@example.org")
    unknown = client.post(url("account_reset_password"), {"email": "nobody@example.org"})
    known = client.post(url("account_reset_password"), {"email": "known@example.org"})
    # The same answer either way, and mail only for the account that exists.
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mail.outbox] == [["known@example.org"]]


def test_password_reset_mail_is_in_latvian_for_a_latvian_speaker_asking_in_english(client):
    user = UserFactory(preferred_language="lv")
    response = client.post(url("account_reset_password", "en"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Paroles atjaunošanas" in message.subject
    assert "Jūs saņemat šo e-pastu" in message.body
    assert "You're receiving" not in message.body


def test_the_password_reset_link_lets_the_person_choose_a_new_password(client):
    user = UserFactory()
    client.post(url("account_reset_password", "en"), {"email": user.email})
    link = re.search(r"https?://[^\s]+/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path)
    assert form_page.status_code == 302  # allauth moves the key into the session
    new_password = "a brand new passphrase for asphub"
    done = client.post(
        form_page["Location"], {"password1": new_password, "password2": new_password}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)


# -- password rules, sign-up closed, e-mail verification -----------------------------------------


def change_password(client, password: str, password2=None):
    return client.post(
        url("account_change_password", "en"),
        {
            "oldpassword": PASSWORD,
            "password1": password,
            "password2": password if password2 is None else password2,
        },
    )


def password_errors(response) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data()["password1"]]


@pytest.fixture
def person(client):
    person = UserFactory(email="new.person@example.org")
    client.force_login(person)
    return person


def test_a_password_shorter_than_12_characters_is_refused(client, person):
    response = change_password(client, "Short-pw-9!")  # 11 characters
    assert response.status_code == 200
    assert "password_too_short" in password_errors(response)
    assert "at least 12 characters" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_common_password_is_refused(client, person):
    response = change_password(client, "password1234")
    assert response.status_code == 200
    assert "password_too_common" in password_errors(response)


def test_a_password_longer_than_128_characters_is_refused(client, person):
    response = change_password(client, "long passphrase " * 8 + "x")  # 129 characters
    assert response.status_code == 200
    assert "password_too_long" in password_errors(response)
    assert "at most 128 characters" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_two_different_new_passwords_are_refused(client, person):
    response = change_password(client, "a long enough passphrase", "another long passphrase")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_128_character_password_is_accepted_and_works(client, person):
    password = "long passphrase " * 8  # exactly 128 characters
    assert len(password) == 128
    response = change_password(client, password)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(password)
    client.post(url("account_logout"))
    sign_in(client, person.email, password)
    assert signed_in(client)


def test_nobody_opens_an_account_without_an_invitation(client):
    response = client.get(url("account_signup", "en"))
    assert response.status_code == 200
    assert "Accounts come by invitation" in response.content.decode()
    client.post(
        url("account_signup", "en"),
        {
            "email": "new@example.org",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_an_added_address_counts_only_once_verified_from_its_e_mail(client, person):
    response = client.post(
        url("account_email", "en"), {"action_add": "", "email": "work@school.example"}
    )
    assert response.status_code == 302
    added = EmailAddress.objects.get(user=person, email="work@school.example")
    assert not added.verified
    [message] = mail.outbox
    assert message.to == ["work@school.example"]
    link = re.search(
        r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+|/accounts/confirm-email/\S+)",
        message.body,
    )
    assert link, message.body
    client.post(link.group(1))
    added.refresh_from_db()
    assert added.verified


# -- lockout after failed sign-ins (django-axes) ------------------------------------------------


def fail_five_times(client, email: str, **extra) -> None:
    for _ in range(5):
        response = sign_in(client, email, "wrong password, guessing", **extra)
        assert not signed_in(client)
    return response


def test_five_wrong_passwords_pause_sign_in_for_that_address_from_that_ip(client):
    user = UserFactory()
    fail_five_times(client, user.email)
    response = sign_in(client, user.email)  # the right password, sixth attempt
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert '<html lang="lv">' in body
    assert "Ieiešana apturēta" in body
    assert url("account_reset_password") in body
    entry = AuditEntry.objects.get(action="signin.locked_out")
    assert entry.object_id == str(user.pk)
    assert entry.after["login"] == user.email
    assert entry.after["ip_address"] == "127.0.0.1"


def test_the_lockout_page_explains_itself_in_english(client):
    user = UserFactory()
    for _ in range(5):
        client.post(url("account_login", "en"), {"login": user.email, "password": "wrong one"})
    response = client.post(url("account_login", "en"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Sign-in paused" in body
    assert "too many wrong passwords" in body
    assert url("account_reset_password", "en") in body


def test_a_lockout_is_recorded_once_in_the_audit_log_with_the_country(client, latvia):
    school = SchoolFactory(country=latvia)
    user = person_with(Role.TEACHER, school=school)
    fail_five_times(client, user.email)
    sign_in(client, user.email)
    sign_in(client, user.email, "still guessing")
    entries = AuditEntry.objects.filter(action="signin.locked_out")
    assert entries.count() == 1
    assert entries.get().country_code == "LV"


def test_four_wrong_passwords_do_not_lock_and_a_success_resets_the_count(client):
    user = UserFactory()
    for _ in range(4):
        sign_in(client, user.email, "wrong password")
    assert sign_in(client, user.email)["Location"] == DASHBOARD
    client.post(url("account_logout"))
    for _ in range(4):
        sign_in(client, user.email, "wrong password")
    assert sign_in(client, user.email)["Location"] == DASHBOARD
    assert not AuditEntry.objects.filter(action="signin.locked_out").exists()


def test_the_same_address_from_another_ip_can_still_sign_in(client):
    user = UserFactory()
    fail_five_times(client, user.email)
    assert sign_in(client, user.email).status_code == 429
    response = sign_in(client, user.email, REMOTE_ADDR=OTHER_IP)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert signed_in(client)


def test_another_address_from_the_locked_ip_can_still_sign_in(client):
    locked, other = UserFactory(), UserFactory()
    fail_five_times(client, locked.email)
    assert sign_in(client, locked.email).status_code == 429
    response = sign_in(client, other.email)
    assert response["Location"] == DASHBOARD
    assert int(client.session[SESSION_KEY]) == other.pk


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client):
    """Without a trusted proxy in front, X-Forwarded-For is whatever the client wants."""
    user = UserFactory()
    for n in range(5):
        sign_in(client, user.email, "wrong password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = sign_in(client, user.email, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429
    assert not signed_in(client)


def test_behind_a_proxy_the_lockout_is_per_client_not_per_proxy(client, settings):
    settings.ASPHUB_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        sign_in(client, user.email, "wrong password", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    locked = sign_in(client, user.email, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert locked.status_code == 429
    # Entries to the left of what the proxy added can be forged: they change nothing.
    forged = sign_in(client, user.email, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy)
    assert forged.status_code == 429
    assert AuditEntry.objects.get(action="signin.locked_out").after["ip_address"] == "203.0.113.5"
    # Someone else behind the same proxy signs in.
    other = sign_in(client, user.email, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert other["Location"] == DASHBOARD
    assert signed_in(client)


def test_the_lockout_counts_the_address_whatever_its_case(client):
    user = UserFactory(email="maris.ozols@example.org")
    for variant in ["MARIS.OZOLS@EXAMPLE.ORG", "Maris.Ozols@example.org", " maris.ozols@example.org",
                    "maris.OZOLS@example.org", "Maris.ozols@Example.ORG"]:  # fmt: skip
        sign_in(client, variant, "wrong password")
    assert sign_in(client, user.email).status_code == 429


# -- two-factor sign-in -------------------------------------------------------------------------


def test_a_national_coordinator_without_an_authenticator_must_set_one_up(
    client, national_coordinator
):
    response = sign_in(client, national_coordinator.email)
    assert signed_in(client)
    setup = url("mfa_activate_totp")
    for page in [DASHBOARD, "/", url("accounts:profile"), "/audit/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == setup, page
    page = client.get(setup)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()


def test_a_national_coordinator_without_an_authenticator_can_still_sign_out(
    client, national_coordinator
):
    sign_in(client, national_coordinator.email)
    response = client.post(url("account_logout"))
    assert response.status_code == 302
    assert response["Location"] != url("mfa_activate_totp")
    assert not signed_in(client)


def test_an_administrator_without_an_authenticator_must_set_one_up(client):
    admin = person_with(Role.ADMINISTRATOR)
    sign_in(client, admin.email)
    response = client.get(DASHBOARD)
    assert response["Location"] == url("mfa_activate_totp")


def test_setting_up_the_authenticator_app_opens_the_dashboard(client, national_coordinator):
    from allauth.mfa.models import Authenticator

    sign_in(client, national_coordinator.email)
    page = client.get(url("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(url("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=national_coordinator, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get(DASHBOARD).status_code == 200


def test_a_teacher_is_not_forced_to_set_up_two_factor(client, latvia):
    teacher = person_with(Role.TEACHER, school=SchoolFactory(country=latvia))
    response = sign_in(client, teacher.email)
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_with_an_authenticator_the_password_leads_to_the_code_step(client, national_coordinator):
    enrol_authenticator(national_coordinator)
    response = sign_in(client, national_coordinator.email)
    assert response.status_code == 302
    assert response["Location"] == url("mfa_authenticate")
    assert not signed_in(client)
    assert client.get(DASHBOARD)["Location"].startswith(url("account_login"))


def test_a_wrong_code_is_refused(client, national_coordinator):
    secret = enrol_authenticator(national_coordinator)
    sign_in(client, national_coordinator.email)
    wrong = "000000" if current_code(secret) != "000000" else "111111"
    response = client.post(url("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not signed_in(client)


def test_the_right_code_lands_on_the_dashboard(client, national_coordinator):
    secret = enrol_authenticator(national_coordinator)
    sign_in(client, national_coordinator.email)
    response = client.post(url("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert int(client.session[SESSION_KEY]) == national_coordinator.pk
    assert client.get(DASHBOARD).status_code == 200


def test_the_code_step_keeps_a_local_next(client, national_coordinator):
    secret = enrol_authenticator(national_coordinator)
    client.post(
        url("account_login"),
        {"login": national_coordinator.email, "password": PASSWORD, "next": "/audit/"},
    )
    response = client.post(url("mfa_authenticate"), {"code": current_code(secret)})
    assert response["Location"] == "/audit/"


def test_the_code_step_does_not_follow_next_to_another_site(client, national_coordinator):
    secret = enrol_authenticator(national_coordinator)
    client.post(
        url("account_login"),
        {"login": national_coordinator.email, "password": PASSWORD, "next": "//evil.example"},
    )
    response = client.post(url("mfa_authenticate"), {"code": current_code(secret)})
    assert response["Location"] == DASHBOARD


def test_a_recovery_code_works_once(client, national_coordinator):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    enrol_authenticator(national_coordinator)
    code = RecoveryCodes.activate(national_coordinator).get_unused_codes()[0]
    sign_in(client, national_coordinator.email)
    response = client.post(url("mfa_authenticate"), {"code": code})
    assert response["Location"] == DASHBOARD
    assert signed_in(client)
    client.post(url("account_logout"))
    sign_in(client, national_coordinator.email)
    again = client.post(url("mfa_authenticate"), {"code": code})
    assert again.status_code == 200
    assert not signed_in(client)


# -- the administration site --------------------------------------------------------------------


def test_the_admin_site_signs_people_in_through_the_platform_sign_in(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login") + "?next=")
    response = client.get("/admin/")
    assert response.status_code == 302
    target = client.get(response["Location"])
    assert target.status_code == 302
    assert target["Location"].startswith(url("account_login") + "?next=")


def test_the_admin_login_form_does_not_accept_a_password(client):
    user = UserFactory(is_staff=True)
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login"))
    assert not signed_in(client)


def test_an_administrator_reaches_the_admin_site_after_two_factor_sign_in(client):
    admin = person_with(Role.ADMINISTRATOR)
    secret = enrol_authenticator(admin)
    client.post(
        url("account_login"), {"login": admin.email, "password": PASSWORD, "next": "/admin/"}
    )
    response = client.post(url("mfa_authenticate"), {"code": current_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_guessing_codes_is_cut_off_after_five_wrong_ones(client, national_coordinator):
    secret = enrol_authenticator(national_coordinator)
    sign_in(client, national_coordinator.email)
    right = current_code(secret)
    wrong = [f"{(int(right) + step) % 1_000_000:06d}" for step in range(1, 6)]
    for code in wrong:
        client.post(url("mfa_authenticate"), {"code": code})
    response = client.post(url("mfa_authenticate"), {"code": right})
    assert not signed_in(client)
    assert response.status_code in (200, 429)


def test_wrong_passwords_on_the_deletion_form_count_towards_the_lockout(client):
    person = UserFactory()
    client.force_login(person)
    for _attempt in range(5):
        client.post("/accounts/profile/delete/", {"password": "not my password", "confirm": ""})
    response = client.post("/accounts/profile/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 429
    assert User.objects.filter(pk=person.pk).exists()


def test_behind_a_proxy_allauths_limits_count_each_client_not_the_proxy(client, settings):
    """allauth limits sign-ins per address (10 failures a minute): behind the proxy, one
    client's failures must not stop everyone else."""
    settings.ASPHUB_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(12):
        sign_in(client, f"nobody{number}@example.org", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9",
                **proxy)  # fmt: skip
    user = UserFactory()
    response = sign_in(client, user.email, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert response["Location"] == DASHBOARD
    assert signed_in(client)


def test_production_counts_the_proxies_for_allauth_too():
    """The production settings give allauth the same proxy count as the lockout."""
    environment = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "asphub.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "ASPHUB_TRUSTED_PROXY_COUNT": "2",
    }
    printed = subprocess.run(
        [sys.executable, "-c", "import config.settings.prod as s; "
         "print(s.ASPHUB_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        env=environment, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert printed == ["2", "2"]


def test_a_paused_attempt_gets_the_sites_own_page(rf, db):
    request = rf.get("/accounts/login/")
    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="lv"' in body and 'class="site-footer"' in body
