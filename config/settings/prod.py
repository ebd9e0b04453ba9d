"""Production. Every value a deployment must choose is required: a missing one stops start-up."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES as BASE_STORAGES
from .base import database_from_url


def required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name} for production.")
    return value


DEBUG = False
SECRET_KEY = required_env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in required_env("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
DATABASES = {"default": database_from_url(required_env("DATABASE_URL"))}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "true").lower() != "false"
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    **BASE_STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ASPHUB_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "asphub@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "false").lower() == "true"
ASPHUB_ALLOW_DEMO_USERS = False

# Production runs behind a TLS-terminating reverse proxy (see SECURE_PROXY_SSL_HEADER).
ASPHUB_TRUSTED_PROXY_COUNT = int(os.environ.get("ASPHUB_TRUSTED_PROXY_COUNT", "1"))
# allauth's own rate limits (sign-ins, two-factor codes) count by client address too: without
# this they would count the proxy's, and one person's failures would lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = ASPHUB_TRUSTED_PROXY_COUNT
# Links in e-mails sent outside a request (commands) start with this address.
ASPHUB_SITE_URL = os.environ.get("ASPHUB_SITE_URL", f"https://{ALLOWED_HOSTS[0].lstrip('.')}")

ASPHUB_OAI_REPOSITORY_IDENTIFIER = os.environ.get("ASPHUB_OAI_REPOSITORY_IDENTIFIER", "")
ASPHUB_OAI_ADMIN_EMAIL = os.environ.get("ASPHUB_OAI_ADMIN_EMAIL", "")
