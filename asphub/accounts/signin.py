"""How django-axes names the account a sign-in attempt is for."""

from __future__ import annotations

from typing import Any


def login_of(request: Any, credentials: dict | None) -> str:
    """The e-mail address tried: from allauth's credentials, else the posted `login` field."""
    value = ""
    if credentials:
        value = credentials.get("email") or credentials.get("username") or ""
    if not value and request is not None:
        value = request.POST.get("login", "")
    return str(value).strip().lower()[:254]
