"""The directory benchmark (`make benchmark`): production behaviour on a generated database.

Everything a request goes through is as in production (DEBUG off, the same middleware, the
cached template loader Django uses when DEBUG is off, WhiteNoise). What differs is only
what a loopback benchmark cannot have: plain HTTP on 127.0.0.1, a fixed throw-away key and the
benchmark's own SQLite file under var/bench/ (never the development database).
"""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_url
from .base import STORAGES as BASE_STORAGES

BENCH_DIR = BASE_DIR / "var" / "bench"
BENCH_DATABASE = Path(os.environ.get("ASPHUB_BENCH_DATABASE", BENCH_DIR / "directory.sqlite3"))

DEBUG = False
SECRET_KEY = "bench-only-not-secret-3c9f1e7a5b2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# `--database-url` of benchmarks.directory: the same world in PostgreSQL instead.
DATABASES = {
    "default": database_from_url(
        os.environ.get("ASPHUB_BENCH_DATABASE_URL") or f"sqlite:///{BENCH_DATABASE}"
    )
}

# As in production, except that the benchmark talks plain HTTP on loopback.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STATIC_ROOT = BENCH_DIR / "static"
# As in config/settings/prod.py (which cannot be imported here: it requires production's
# environment): hashed, compressed files from the manifest.
STORAGES = {
    **BASE_STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ASPHUB_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ASPHUB_ALLOW_DEMO_USERS = False
# `--no-page-cache` measures every page rendered from scratch.
ASPHUB_DIRECTORY_CACHE = os.environ.get("ASPHUB_BENCH_DIRECTORY_CACHE", "1") != "0"
