"""Settings shared by every environment. Environment files only override what differs."""

import os
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    # Django's admin with asphub's site: its name and correct Latvian (config/admin.py).
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    # In the order of the layers (each app imports only from those above it in this list).
    "asphub.core",
    "asphub.search",
    "asphub.audit",
    "asphub.mail",
    "asphub.countries",
    "asphub.taxonomy",
    "asphub.accounts",
    "asphub.roles",
    # After asphub.roles, whose axes_reset* commands (recorded in the audit log) replace its own.
    "axes",
    "asphub.schools",
    "asphub.membership",
    "asphub.practices",
    "asphub.activities",
    "asphub.events",
    "asphub.partners",
    "asphub.calendar",
    "asphub.pages",
    "asphub.workspace",
    "asphub.seed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "asphub.core.middleware.RequestBoundsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and CSRF middleware, to see the cookies they set; after WhiteNoise,
    # so that static files keep their caching.
    "asphub.core.middleware.PrivateResponsesNotStoredMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "asphub.roles.middleware.RequireTwoFactorMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "asphub.core.context_processors.site",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username and address pair is refused before any check.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "asphub.roles.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "asphub.accounts.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
]

LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as "1 December 2026, 09:54" (config/formats/en); Latvian keeps Django's own.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files that only their owners and the national coordinator may read (applicants' letters,
# certificates from UNESCO): outside MEDIA_ROOT, so no web server serves them; views that
# check permission send them.
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "private"
# The largest request body taken (an applicant's letter is 10 MB at most, with the form around it).
ASPHUB_MAX_REQUEST_BYTES = 12 * 1024 * 1024
# Pages that take more: a library item's form, with up to 4 files of 25 MB each at a time.
ASPHUB_LARGE_REQUEST_BYTES = 4 * 25 * 1024 * 1024 + 2 * 1024 * 1024
ASPHUB_LARGE_REQUEST_PATHS = r"^/(?:[a-z]{2}/)?dashboard/library/(?:new/|\d+/edit/)"
# Whether Django itself serves MEDIA_ROOT (the local trial does; production's web server does).
ASPHUB_SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:index"
# Messages live in the session: a visitor with a message to read is never served a cached page.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Accounts (django-allauth): the e-mail address is the login and must be verified. Accounts are
# opened from invitations only (AccountAdapter.is_open_for_signup).
ACCOUNT_ADAPTER = "asphub.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "asphub.accounts.forms.SignupForm"
ACCOUNT_FORMS = {"login": "asphub.accounts.login_form.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "asphub: "
# A password reset asked for an address without an account sends nothing: there is no sign-up
# to point to, and the form must not make the platform mail any address anyone types.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # seconds
# Wrong passwords are counted by django-axes (per address and IP pair): AccountAdapter turns
# off allauth's own password counter, which per address alone would let anyone lock a person out
# from anywhere. allauth's "login_failed" limit still caps wrong two-factor codes per person
# (reaching that step needs the password, so it cannot be used to lock anyone out).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "asphub"

# Sign-in protection (django-axes): 5 failures for one address from one IP lock that pair only.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "asphub.accounts.signin.login_of"
AXES_CLIENT_IP_CALLABLE = "asphub.accounts.signin.client_ip"
# How many reverse proxies stand in front of the application (they add X-Forwarded-For).
ASPHUB_TRUSTED_PROXY_COUNT = 0
# The same count for allauth's rate limits (prod.py sets both from one value).
ALLAUTH_TRUSTED_PROXY_COUNT = ASPHUB_TRUSTED_PROXY_COUNT
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False

# E-mail goes through the task queue: EMAIL_BACKEND only writes each message to it, in the
# transaction of the change that causes it, and the worker (`manage.py db_worker`, started by
# `make run`) hands it to ASPHUB_EMAIL_DELIVERY_BACKEND, trying again when that fails
# (asphub.mail). Each environment chooses the delivery backend.
EMAIL_BACKEND = "asphub.mail.backends.QueueEmailBackend"
ASPHUB_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Seconds the worker waits on the mail server before giving up on an attempt (and trying again
# later): without it a server that stops answering would hold the worker forever.
EMAIL_TIMEOUT = 30

# The task queue (django-tasks) keeps its tasks in the database: no broker to run. The database
# backend writes a task as a row on the default connection when it is enqueued, so a task
# enqueued inside `transaction.atomic()` commits or rolls back with the change around it, and
# the worker only sees it once committed. (This version has no ENQUEUE_ON_COMMIT option, and
# deferring to on_commit would be wrong here: a crash between the commit and the callback would
# lose the message.)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# How many invitations one person may send in an hour (a national network's coordinators, and
# no more: the platform's e-mails must not become anyone's mass mailing).
ASPHUB_INVITATIONS_PER_HOUR = 100

# Links in e-mails sent outside a request (e.g. invitations made by a command) start with this.
ASPHUB_SITE_URL = "http://127.0.0.1:8000"

# Whole-catalogue exports (the directory's, the library's) one address may ask for in an hour.
ASPHUB_EXPORTS_PER_HOUR = 30

# OAI-PMH: the domain name in every harvested identifier (oai:<this>:practice/<pk>). Empty: the
# host of ASPHUB_SITE_URL. Harvesters keep identifiers for ever: set it before the first harvest
# and never change it. The address harvesters write to about the repository (empty: the sender
# address of the platform's e-mails).
ASPHUB_OAI_REPOSITORY_IDENTIFIER = ""
ASPHUB_OAI_ADMIN_EMAIL = ""

# Which country the public site shows when a page does not name one. The data model holds
# every country of the world network; each deployment starts from its own national network.
ASPHUB_DEFAULT_COUNTRY = "LV"
ASPHUB_DIRECTORY_PAGE_SIZE = 24
# Map tiles are fetched by the visitor's browser; the map library itself is vendored.
# Set ASPHUB_MAP_TILE_URL to "" to show markers on a plain background (no third party).
ASPHUB_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# Plain text (the map's script hands it to Leaflet escaped).
ASPHUB_MAP_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
ASPHUB_CSV_IMPORT_MAX_BYTES = 5 * 1024 * 1024

# Directory pages (list and profiles) for anonymous visitors, and the filters' option lists, are
# kept per process under the directory's data version, which changes with any change to what
# they show (asphub.schools.page_cache).
ASPHUB_DIRECTORY_CACHE = True
# The table of the database cache; migration core/0003 makes it, whatever CACHES says then.
DATABASE_CACHE_TABLE = "asphub_cache"


def shared_cache(redis_url: str) -> dict:
    """The default cache, which every process of a deployment must share: it counts attempts
    for allauth's rate limits (wrong two-factor codes per person, sign-ins per address) and
    remembers the two-factor codes already used. Kept in one process's memory, each of
    several workers would count on its own and a limit of 5 would allow 5 per worker.

    Redis when `redis_url` is given (REDIS_URL, for production); otherwise a table in the
    database, which needs no other server. (django-axes keeps its lockouts in the database.)"""
    if redis_url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            # A Redis that stops answering fails the request in seconds, not at the worker's
            # timeout.
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": DATABASE_CACHE_TABLE,
        # Past MAX_ENTRIES the table is culled, live entries too: Django's default of 300
        # would let a burst of sign-ins wipe the counts of rate limits still running.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }


CACHES = {
    "default": shared_cache(os.environ.get("REDIS_URL", "").strip()),
    # Each process keeps its own pages: they are kept under the directory's data version,
    # which every request reads from the database, so no process serves a page older than
    # the data, and a page served from memory costs no network round trip.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "asphub-pages",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "asphub.core.logging.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# How long a SQLite connection waits for the write lock before it gives up with "database is
# locked" (a server error for the visitor). Writers hold it only for short transactions (long
# jobs such as the school import write in batches), so waiting is normally a few milliseconds;
# this is the bound for the worst moment, under gunicorn's 30 s worker timeout.
SQLITE_BUSY_TIMEOUT_SECONDS = 20


def database_from_url(url: str) -> dict:
    """SQLite gets WAL and immediate transactions so that concurrent writers wait, not fail.

    SQLite has one write lock. `transaction_mode` IMMEDIATE takes it at BEGIN, so a transaction
    waits for it there (with the busy timeout) rather than failing at its first write after
    reading; `timeout` is Python's sqlite3 connect parameter, the busy timeout in seconds, set
    when the connection opens (before the PRAGMAs below, which every new connection runs).

    Connections are kept between requests (CONN_MAX_AGE) for SQLite as for PostgreSQL: opening
    one and running the PRAGMAs below costs about 0.5 ms, more than a cached page's own work."""
    import dj_database_url

    config: dict = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    return config
