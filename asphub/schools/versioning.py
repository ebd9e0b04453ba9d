"""The directory's data version: a token that changes whenever anything the public directory
pages show changes, so that rendered pages and option lists can be kept under it.

How invalidation works:

* Every save or delete of a School, FlagshipParticipation, Subdivision, Country or
  FlagshipNetwork, and every change to a school's `flagship_networks`, writes a new random
  token (signal receivers below). The token lives in the database (DirectoryVersion), so every
  gunicorn process, and every server of a deployment, sees the same one.
* The token is written in the same transaction as the change. Other processes therefore see the
  new token exactly when they can see the new rows (at commit); a change that is rolled back
  takes its token with it.
* Readers take the token *before* they read any data (`request_directory_version`). A reader
  that sees the new token also sees the new rows, so old data is never kept under a new token;
  a reader that took the old token just before a commit may keep newer data under the old key,
  which nobody asks for again.
* Tokens are random and never reused, so entries made before a rollback (in tests, say) cannot
  be mistaken for the state after it. An empty token means "no change recorded yet".

Writes that bypass model signals (QuerySet.update(), bulk_create(), raw SQL) on these models
must call `directory_changed()` themselves. Two do not at the moment: countries_load_iso()
bulk-creates countries, which no page shows until a school is saved in them; and
reference_data_load() updates a country's settings with QuerySet.update(), which can change
its name (shown on profiles and in the country list) until the next change of the directory.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.test.signals import setting_changed

from .models import DirectoryVersion

_VERSION_PK = 1


def directory_version(using: str | None = None) -> str:
    """The current token, in one primary-key lookup."""
    alias = using or router.db_for_read(DirectoryVersion)
    connection = connections[alias]
    table = connection.ops.quote_name(DirectoryVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [_VERSION_PK])
        row = cursor.fetchone()
    return row[0] if row else ""


def request_directory_version(request: HttpRequest | None) -> str:
    """The token for this request, read once (before the request reads any directory data)."""
    if request is None:
        return directory_version()
    version = getattr(request, "_asphub_directory_version", None)
    if version is None:
        version = request._asphub_directory_version = directory_version()
    return version


def directory_changed(*, using: str | None = None) -> None:
    """Record that the directory changed: write a new token (insert or update, one query)."""
    DirectoryVersion.objects.using(using or router.db_for_write(DirectoryVersion)).bulk_create(
        [DirectoryVersion(pk=_VERSION_PK, token=secrets.token_hex(8))],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["token"],
    )


def _tracked_models():
    from asphub.countries.models import Country, Subdivision
    from asphub.taxonomy.models import FlagshipNetwork

    from .models import FlagshipParticipation, School

    return (School, FlagshipParticipation, Subdivision, Country, FlagshipNetwork)


def _changed(sender, using=None, **kwargs) -> None:
    directory_changed(using=using)


def _flagships_changed(sender, action, using=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        directory_changed(using=using)


def connect_signals() -> None:
    """Called from SchoolsConfig.ready()."""
    from .models import School

    for model in _tracked_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"directory-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"directory-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _flagships_changed,
        sender=School.flagship_networks.through,
        dispatch_uid="directory-flagships",
    )


# Values kept in this process for one token only, as one (token, values) pair that is replaced
# whole: a thread never stores a value built under one token among another token's values.
_memo: tuple[str | None, dict] = (None, {})


def memoized(version: str, key: tuple, build):
    """`build()`, kept in this process until the directory's token changes."""
    global _memo
    memo = _memo
    if memo[0] != version:
        memo = _memo = (version, {})
    try:
        return memo[1][key]
    except KeyError:
        value = memo[1][key] = build()
        return value


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    # Tests that override settings (page size, default country, languages) get fresh values
    # and fresh pages.
    global _memo
    _memo = (None, {})
    if "pages" in settings.CACHES:
        caches["pages"].clear()
