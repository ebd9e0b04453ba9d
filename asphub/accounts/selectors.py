"""What the platform holds about one person, for their own download."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from asphub.core.models import AuditEntry

from .models import User


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def personal_data(user: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessLog

    from asphub.roles.models import Invitation

    roles = user.role_assignments.select_related("school", "country").order_by("granted_at")
    invitations = Invitation.objects.filter(
        Q(email__iexact=user.email) | Q(accepted_by=user)
    ).select_related("school", "country")
    activity = AuditEntry.objects.filter(
        Q(actor=user) | Q(object_type="accounts.user", object_id=str(user.pk))
    ).order_by("created_at", "id")
    return {
        "exported_at": timezone.now().isoformat(),
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
        "roles": [
            {
                "role": role.role,
                "school": role.school.name if role.school else None,
                "country": role.country.code if role.country else None,
                "granted_at": _when(role.granted_at),
                "revoked_at": _when(role.revoked_at),
            }
            for role in roles
        ],
        "invitations_received": [
            {
                "role": invitation.role,
                "school": invitation.school.name if invitation.school else None,
                "country": invitation.country.code if invitation.country else None,
                "sent_at": _when(invitation.created_at),
                "accepted_at": _when(invitation.accepted_at),
            }
            for invitation in invitations
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
            for entry in activity
        ],
    }
