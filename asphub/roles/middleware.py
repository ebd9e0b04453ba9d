from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from asphub.accounts.selectors import has_authenticator_app

from .permissions import needs_two_factor

# Pages a person must still reach before their authenticator app is set up.
OPEN_BEFORE_TWO_FACTOR = {
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "set_language",
    "health",
}


class RequireTwoFactorMiddleware:
    """National coordinators and administrators set up an authenticator app before anything
    else: every other page sends them to the set-up page until they have."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and needs_two_factor(user)
            and not self._open(request)
            and not has_authenticator_app(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor sign-in. Set up an authenticator app to "
                    "continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True
        return match.url_name in OPEN_BEFORE_TWO_FACTOR
