"""Sign-in events that belong in the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver

from asphub.core.audit import TOO_MANY_FAILED_SIGN_INS, record_audit


@receiver(user_locked_out, dispatch_uid="asphub-audit-lockout")
def audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str | None,
                  **kwargs: Any) -> None:  # fmt: skip
    """A burst of failed sign-ins: recorded once, when the lockout starts."""
    from asphub.roles.selectors import role_country_codes

    # django-axes signals again on every further attempt while the lockout lasts (the count
    # goes on past the limit); only the attempt that reaches the limit starts the lockout.
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    user = get_user_model().objects.filter(email__iexact=username or "").first()
    countries = (role_country_codes(user) if user is not None else []) or [""]
    for code in countries:
        record_audit(
            actor=None,
            action="signin.locked_out",
            obj=user,
            country_code=code,
            after={
                "login": username or "",
                "ip_address": ip_address or "",
                "failures": settings.AXES_FAILURE_LIMIT,
            },
            note=TOO_MANY_FAILED_SIGN_INS,
        )
