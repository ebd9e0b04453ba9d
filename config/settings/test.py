"""The test suite: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import database_from_url

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite://:memory:"))}
# The caches are base.py's: the default one in the database (REDIS_URL, if set, is followed
# here too, and the suite empties that cache around every test that uses the database).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail is queued as everywhere; the worker, run by the tests (conftest.py), delivers to
# django.core.mail.outbox.
ASPHUB_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ASPHUB_ALLOW_DEMO_USERS = True
# Every test request renders and queries (response.context, query counts); the caching itself is
# tested with ASPHUB_DIRECTORY_CACHE = True (asphub/schools/tests/test_directory_cache.py).
ASPHUB_DIRECTORY_CACHE = False
# Serve static files straight from the source folders; no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
