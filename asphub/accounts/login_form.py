"""Kept apart from forms.py: allauth imports our sign-up form while building its own forms."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, with the address filled in when a link gives it (?login=)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = getattr(self, "request", None)
        if not self.is_bound and request is not None:
            self.fields["login"].initial = request.GET.get("login", "")[:254]
