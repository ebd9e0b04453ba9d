"""How django-axes names the account a sign-in attempt is for."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def login_of(request: Any, credentials: dict | None) -> str:
    """The e-mail address tried: from allauth's credentials, else the posted `login` field."""
    value = ""
    if credentials:
        value = credentials.get("email") or credentials.get("username") or ""
    if not value and request is not None:
        value = request.POST.get("login", "")
    return str(value).strip().lower()[:254]


def client_ip(request: Any) -> str:
    """The address a sign-in attempt came from, for the lockout's address-and-IP pair.

    Behind reverse proxies (ASPHUB_TRUSTED_PROXY_COUNT of them), REMOTE_ADDR is the nearest
    proxy, shared by everyone: the client is the entry that the outermost trusted proxy added
    to X-Forwarded-For, counted from the right (entries further left can be forged)."""
    proxies = getattr(settings, "ASPHUB_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
