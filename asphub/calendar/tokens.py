"""The personal feed's address: the person's id, signed (django.core.signing) with a salt that
holds their PersonalFeed's secret. Calendar applications cannot sign in; the address is the
key, so it is shown only to its owner, and a new secret makes every earlier address stop
working."""

from __future__ import annotations

import secrets

from django.core import signing

SALT_PREFIX = "asphub.calendar.personal-feed"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _signer(secret: str) -> signing.Signer:
    return signing.Signer(salt=f"{SALT_PREFIX}:{secret}")


def make_token(user_pk: int, secret: str) -> str:
    """ "<id>:<signature>", safe in a URL path."""
    return _signer(secret).sign(str(user_pk))


def token_user_pk(token: str) -> int | None:
    """The id a token names (not yet checked: see `token_is_valid`)."""
    head, _colon, _signature = token.partition(":")
    if not head.isascii() or not head.isdigit() or len(head) > 18:
        return None
    return int(head)


def token_is_valid(token: str, user_pk: int, secret: str) -> bool:
    try:
        return _signer(secret).unsign(token) == str(user_pk)
    except signing.BadSignature:
        return False
