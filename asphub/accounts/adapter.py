"""How django-allauth fits asphub: e-mails in the recipient's language, new accounts keep the
language they signed up in."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import timezone, translation

from asphub.countries.selectors import network_country

from .emails import language_for

SET_UP_WITHOUT_REAUTHENTICATION = {
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}


def _authenticator_just_added(user: Any) -> bool:
    """The recovery codes shown straight after setting up the app; later, reading them again
    asks for the password, as allauth does."""
    since = timezone.now() - timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT)
    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP, created_at__gte=since
    ).exists()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered here, in the recipient's language; `msg.send()` in allauth then only
        queues it (settings.EMAIL_BACKEND is asphub.mail's QueueEmailBackend)."""
        # Every message ends with whom to contact (templates/account/email/base_message.txt).
        context = {"network": network_country(), **context}
        with translation.override(language_for(email, fallback=translation.get_language())):
            super().send_mail(template_prefix, email, context)

    def is_open_for_signup(self, request: Any) -> bool:
        """Accounts are opened from invitations (asphub.roles); there is no open sign-up."""
        return False

    def pre_authenticate(self, request: Any, **credentials: Any) -> None:
        """Wrong passwords are counted by django-axes per address and IP pair (see settings)."""

    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        language = translation.get_language()
        if language in {"lv", "en"}:
            user.preferred_language = language
        if commit:
            user.save()
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Someone who signed in with their password minutes ago is not asked for it again
        to set up two-factor sign-in (which their role makes them do straight after) and to
        read the recovery codes it gives right then. Turning two-factor off still asks."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = getattr(self, "request", None)
        match = getattr(request, "resolver_match", None)
        if not required or app != "allauth.mfa" or match is None:
            return required
        if match.url_name not in SET_UP_WITHOUT_REAUTHENTICATION:
            return required
        if match.url_name != "mfa_activate_totp" and not _authenticator_just_added(request.user):
            return required
        records = get_authentication_records(request, request.user)
        if not records:
            return True
        timeout = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        return time.time() - records[-1].get("at", 0) >= timeout
