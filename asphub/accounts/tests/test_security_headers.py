"""What the browser is told to enforce on every page, and the production settings."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_protected(response) -> None:
    policy = directives(response)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, "the policy must say where scripts may come from"
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert "*" not in scripts
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("page", ["/", "/en/", "/about/", "/schools/", "/schools/map/"])
def test_public_pages_carry_the_security_headers(client, latvia, page):
    response = client.get(page)
    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.parametrize("page", ["/accounts/login/", "/en/accounts/password/reset/",
                                  "/accounts/password/reset/"])  # fmt: skip
def test_the_sign_in_pages_carry_the_security_headers(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.parametrize("page", ["/dashboard/", "/accounts/profile/", "/accounts/profile/delete/"])
def test_signed_in_pages_carry_the_security_headers(client, page):
    client.force_login(UserFactory())
    response = client.get(page)
    assert response.status_code == 200
    assert_protected(response)


def test_the_audit_log_carries_the_security_headers(client, latvia):
    coordinator = person_with(Role.NATIONAL_COORDINATOR, country=latvia)
    enrol_authenticator(coordinator)
    client.force_login(coordinator)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert_protected(response)


def test_a_page_that_is_not_found_carries_the_security_headers(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_protected(response)


def test_pages_have_no_inline_scripts(client, latvia):
    """The policy would block them: every script is a file from the site itself."""
    client.force_login(UserFactory())
    for page in ["/", "/accounts/profile/", "/dashboard/"]:
        body = client.get(page).content.decode()
        for chunk in body.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag, page
        assert "onclick=" not in body and "onload=" not in body, page


# -- production settings ----------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-secret-for-the-test-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "asp.example.lv, www.asp.example.lv",
    "DATABASE_URL": "postgres://asphub:secret@db.example.lv:5432/asphub",
}


@pytest.fixture
def production(monkeypatch):
    """config.settings.prod imported afresh with the given environment, then forgotten: the
    running test settings (django.conf.settings) are never touched."""

    import config.settings as package

    # Whatever was there before (normally nothing) is put back afterwards.
    monkeypatch.delitem(sys.modules, "config.settings.prod", raising=False)
    monkeypatch.delattr(package, "prod", raising=False)

    def load(**overrides):
        for name, value in {**PRODUCTION_ENV, **overrides}.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        for name in ["DJANGO_SECURE_SSL_REDIRECT", "ASPHUB_TRUSTED_PROXY_COUNT"]:
            if name not in overrides:
                monkeypatch.delenv(name, raising=False)
        sys.modules.pop("config.settings.prod", None)
        return importlib.import_module("config.settings.prod")

    yield load
    sys.modules.pop("config.settings.prod", None)
    if hasattr(package, "prod"):
        delattr(package, "prod")


def test_production_sends_cookies_and_pages_over_https_only(production):
    prod = production()
    assert prod.DEBUG is False
    assert prod.SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 180
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SESSION_COOKIE_HTTPONLY is True
    assert prod.ALLOWED_HOSTS == ["asp.example.lv", "www.asp.example.lv"]
    assert "*" not in prod.ALLOWED_HOSTS
    assert prod.CSRF_TRUSTED_ORIGINS == ["https://asp.example.lv", "https://www.asp.example.lv"]
    assert prod.DATABASES["default"]["HOST"] == "db.example.lv"


def test_production_never_allows_demo_users(production):
    assert production().ASPHUB_ALLOW_DEMO_USERS is False


def test_production_keeps_the_strict_content_security_policy(production):
    prod = production()
    policy = prod.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert prod.X_FRAME_OPTIONS == "DENY"
    assert prod.SECURE_CONTENT_TYPE_NOSNIFF is True


def test_production_uses_a_real_password_hasher_and_the_lockout(production):
    prod = production()
    assert not hasattr(prod, "PASSWORD_HASHERS") or "MD5" not in str(prod.PASSWORD_HASHERS)
    assert prod.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert prod.ASPHUB_TRUSTED_PROXY_COUNT == 1


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_setting(production, missing):
    with pytest.raises(ImproperlyConfigured, match=missing):
        production(**{missing: None})


def test_production_refuses_an_empty_secret_key(production):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        production(DJANGO_SECRET_KEY="   ")


def test_loading_production_settings_leaves_the_running_settings_alone(production):
    from django.conf import settings

    production()
    assert settings.SETTINGS_MODULE == "config.settings.test"
    assert settings.ASPHUB_ALLOW_DEMO_USERS is True
    assert settings.SECRET_KEY == "test-only-not-secret"
    assert not getattr(settings, "SESSION_COOKIE_SECURE", False)
