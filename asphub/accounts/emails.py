"""Which language a person reads their e-mail in. Messages are written and queued by
asphub.mail; the callers, who know the recipient, choose the language with this."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model


def language_for(email: str, fallback: str | None = None) -> str:
    """The preferred language of whoever has this address; else the fallback or the default."""
    user = get_user_model().objects.filter(email__iexact=email).only("preferred_language").first()
    if user is not None and user.preferred_language:
        return user.preferred_language
    languages = dict(settings.LANGUAGES)
    if fallback in languages:
        return fallback  # type: ignore[return-value]
    return settings.LANGUAGE_CODE
