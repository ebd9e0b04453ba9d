"""Local development: SQLite under var/, e-mails in the terminal, demo sign-ins allowed."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_url

# The local trial shows the site's own pages, errors included (tracebacks go to the terminal);
# DJANGO_DEBUG=true brings Django's debug pages.
DEBUG = os.environ.get("DJANGO_DEBUG", "false").lower() == "true"
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-not-secret-8f3b2c1d9e7a6b5c4d3e2f1a0b9c8d7e"
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'asphub.sqlite3'}")
    )
}
# The worker started by `make run` prints each e-mail in its terminal.
ASPHUB_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Links in e-mails point at the local server (`PORT=8100 make run` serves on another port).
ASPHUB_SITE_URL = os.environ.get(
    "ASPHUB_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
DEFAULT_FROM_EMAIL = "asphub@asphub.test"
# Only the development setup may create the demo sign-ins printed by `make run`.
ASPHUB_ALLOW_DEMO_USERS = True
# Uploaded logos and photos are shown without a web server in front.
ASPHUB_SERVE_MEDIA = True
# Templates are edited while the server runs: render every page afresh.
ASPHUB_DIRECTORY_CACHE = False
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
