"""Sign-in events that belong in the audit log. They live here, not in accounts, because the
entry goes into the log of each country where the person holds a role."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

from asphub.accounts.models import User
from asphub.audit.models import AuditAction, AuditNote
from asphub.audit.services import audit_record

from .selectors import role_country_codes


@receiver(user_locked_out, dispatch_uid="asphub-audit-lockout")
def audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str | None,
                  **kwargs: Any) -> None:  # fmt: skip
    """A burst of failed sign-ins: recorded once, when the lockout starts."""
    # django-axes signals again on every further attempt while the lockout lasts (the count
    # goes on past the limit); only the attempt that reaches the limit starts the lockout.
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    user = User.objects.filter(email__iexact=username or "").first()
    countries = (role_country_codes(user) if user is not None else []) or [""]
    for code in countries:
        audit_record(
            actor=None,
            action=AuditAction.SIGNIN_LOCKED_OUT,
            obj=user,
            country_code=code,
            after={
                "login": username or "",
                "ip_address": ip_address or "",
                "failures": settings.AXES_FAILURE_LIMIT,
            },
            note=AuditNote.TOO_MANY_FAILED_SIGN_INS,
        )
