"""Reads about people's accounts."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessLog

from asphub.audit.selectors import audit_entries_of_person

from .models import User


def address_has_account(email: str) -> bool:
    """An account signs in with this address, or holds it as a confirmed second address.
    (Unconfirmed claims do not count: anyone can type any address into their account.)"""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def has_verified_address(user: User, email: str) -> bool:
    """The address is the person's sign-in address or another confirmed address of theirs."""
    if user.email.lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def has_authenticator_app(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def account_personal_data(user: User) -> dict[str, Any]:
    """What the account itself holds about a person, for their own download (the apps above
    add their parts: roles, invitations, ...)."""
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "is_active": user.is_active,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": [
            {
                "type": authenticator.type,
                "created_at": _when(authenticator.created_at),
                "last_used_at": _when(authenticator.last_used_at),
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("id")
        ],  # fmt: skip
        "sign_ins": [
            {
                "when": _when(log.attempt_time),
                "ip_address": log.ip_address,
                "browser": log.user_agent,
                "signed_out": _when(log.logout_time),
            }
            for log in AccessLog.objects.filter(username__iexact=user.email).order_by("id")
        ],  # fmt: skip
        "failed_sign_ins": [
            {
                "when": _when(attempt.attempt_time),
                "ip_address": attempt.ip_address,
                "browser": attempt.user_agent,
                "failures": attempt.failures_since_start,
            }
            for attempt in AccessAttempt.objects.filter(username__iexact=user.email)
        ],  # fmt: skip
        "activity": [
            {
                "when": _when(entry.created_at),
                "action": entry.action,
                "object": entry.object_label,
                "before": entry.before,
                "after": entry.after,
            }
            for entry in audit_entries_of_person(user)
        ],
    }
