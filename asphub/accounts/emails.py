"""Every e-mail the platform sends goes through here, in the recipient's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.utils import translation


def language_for(email: str, fallback: str | None = None) -> str:
    """The preferred language of whoever has this address; else the fallback or the default."""
    user = get_user_model().objects.filter(email__iexact=email).only("preferred_language").first()
    if user is not None and user.preferred_language:
        return user.preferred_language
    languages = dict(settings.LANGUAGES)
    if fallback in languages:
        return fallback  # type: ignore[return-value]
    return settings.LANGUAGE_CODE


def send_templated_mail(
    template_prefix: str, *, to: str, context: dict[str, Any], language: str | None = None
) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in the given language and send."""
    with translation.override(language or language_for(to)):
        subject = " ".join(_render_text(f"{template_prefix}_subject.txt", context).split())
        body = _render_text(f"{template_prefix}_message.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.send()


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """E-mails are plain text: nothing in them is HTML-escaped (`A & "B"` stays as it is)."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))
