"""Sign-in events and a person's own changes to their sign-in (password, addresses, two-factor
methods, made in django-allauth's pages) that belong in the audit log. They live here, not in
accounts, because each entry goes into the log of every country where the person holds a role.
Recording is all these receivers do."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import (
    email_added,
    email_changed,
    email_confirmed,
    email_removed,
    password_changed,
    password_reset,
    password_set,
)
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
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


# -- a person's own changes to their sign-in (django-allauth's pages) ---------------------------


def _record_for_person(user: User, action: str, **values: Any) -> None:
    for code in role_country_codes(user) or [""]:
        audit_record(actor=user, action=action, obj=user, country_code=code, **values)


@receiver(password_changed, dispatch_uid="asphub-audit-password-changed")
@receiver(password_set, dispatch_uid="asphub-audit-password-set")
def audit_password_changed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    _record_for_person(user, AuditAction.ACCOUNT_PASSWORD_CHANGED)


@receiver(password_reset, dispatch_uid="asphub-audit-password-reset")
def audit_password_reset(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    _record_for_person(user, AuditAction.ACCOUNT_PASSWORD_RESET)


@receiver(email_added, dispatch_uid="asphub-audit-email-added")
def audit_email_added(sender: Any, *, user: User, email_address: Any, **kwargs: Any) -> None:
    _record_for_person(user, AuditAction.ACCOUNT_EMAIL_ADDED, after={"email": email_address.email})


@receiver(email_confirmed, dispatch_uid="asphub-audit-email-confirmed")
def audit_email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    _record_for_person(
        email_address.user,
        AuditAction.ACCOUNT_EMAIL_CONFIRMED,
        after={"email": email_address.email},
    )


@receiver(email_removed, dispatch_uid="asphub-audit-email-removed")
def audit_email_removed(sender: Any, *, user: User, email_address: Any, **kwargs: Any) -> None:
    _record_for_person(
        user, AuditAction.ACCOUNT_EMAIL_REMOVED, before={"email": email_address.email}
    )


@receiver(email_changed, dispatch_uid="asphub-audit-email-changed")
def audit_email_changed(sender: Any, request: Any, user: User, from_email_address: Any,
                        to_email_address: Any, **kwargs: Any) -> None:  # fmt: skip
    _record_for_person(
        user,
        AuditAction.ACCOUNT_EMAIL_CHANGED,
        before={"email": from_email_address.email if from_email_address else ""},
        after={"email": to_email_address.email},
    )


@receiver(authenticator_added, dispatch_uid="asphub-audit-authenticator-added")
def audit_authenticator_added(
    sender: Any, *, user: User, authenticator: Any, **kwargs: Any
) -> None:
    _record_for_person(
        user, AuditAction.ACCOUNT_TWO_FACTOR_ADDED, after={"method": authenticator.type}
    )


@receiver(authenticator_removed, dispatch_uid="asphub-audit-authenticator-removed")
def audit_authenticator_removed(
    sender: Any, *, user: User, authenticator: Any, **kwargs: Any
) -> None:
    _record_for_person(
        user, AuditAction.ACCOUNT_TWO_FACTOR_REMOVED, before={"method": authenticator.type}
    )


@receiver(authenticator_reset, dispatch_uid="asphub-audit-authenticator-reset")
def audit_authenticator_reset(
    sender: Any, *, user: User, authenticator: Any, **kwargs: Any
) -> None:
    _record_for_person(
        user, AuditAction.ACCOUNT_RECOVERY_CODES_RESET, after={"method": authenticator.type}
    )
