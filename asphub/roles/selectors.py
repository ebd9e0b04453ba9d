"""Reads about people's roles that several apps need."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from asphub.accounts.models import User
from asphub.accounts.selectors import has_verified_address

from .models import Invitation, InvitationStatus, Role, RoleAssignment
from .permissions import can_invite


def role_country_codes(user: User, *, active_only: bool = True) -> list[str]:
    """The countries a person's roles are in (a school role counts for the school's country)."""
    assignments = RoleAssignment.objects.filter(user=user)
    if active_only:
        assignments = assignments.active()
    scopes = assignments.values_list("school__country__code", "country__code")
    return sorted({code for pair in scopes for code in pair if code})


def is_last_administrator(user: User) -> bool:
    """This person is an administrator and no other active person is."""
    administrators = Q(is_superuser=True) | Q(
        pk__in=RoleAssignment.objects.active().filter(role=Role.ADMINISTRATOR).values("user_id")
    )
    people = User.objects.filter(administrators, is_active=True)
    if not people.filter(pk=user.pk).exists():
        return False
    return not people.exclude(pk=user.pk).exists()


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def role_personal_data(user: User) -> dict[str, Any]:
    """A person's roles (past ones too) and the invitations they received, for their own
    personal-data download."""
    roles = (
        RoleAssignment.objects.filter(user=user)
        .select_related("school", "country")
        .order_by("granted_at")
    )
    invitations = Invitation.objects.filter(
        Q(email__iexact=user.email) | Q(accepted_by=user)
    ).select_related("school", "country")
    return {
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
    }


# -- invitations ------------------------------------------------------------------------------


def invitation_by_token(token: str, *, for_update: bool = False) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    invitations = Invitation.objects.select_related("school__country", "country", "invited_by")
    if for_update:
        # Lock the invitation row only: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer joins that select_related makes for school, country and inviter.
        invitations = invitations.select_for_update(of=("self",))
    return invitations.filter(token_hash=Invitation.hash_token(token)).first()


def invitation_problem(invitation: Invitation | None) -> ValidationError | None:
    """Why this invitation cannot be accepted, in words for the person holding the link."""
    if invitation is None or not invitation.email:
        return ValidationError(
            _(
                "This invitation link is not valid. Check that you opened the whole link from "
                "the e-mail, or ask for a new invitation."
            ),
            code="invalid",
        )
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        return ValidationError(
            _(
                "This invitation has already been used. Sign in with the account it opened, "
                "or ask for a new invitation."
            ),
            code="used",
        )
    if status == InvitationStatus.REVOKED:
        return ValidationError(
            _("This invitation was withdrawn. Ask the person who invited you."), code="revoked"
        )
    if status == InvitationStatus.EXPIRED:
        return ValidationError(
            _("This invitation expired on %(date)s. Ask for a new one.")
            % {"date": date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")},
            code="expired",
        )
    inviter = invitation.invited_by
    if inviter is not None and not can_invite(
        inviter, invitation.role, school=invitation.school, country=invitation.country
    ):
        return ValidationError(
            _(
                "The person who invited you may no longer give this role, so the invitation "
                "has lapsed. Ask for a new invitation."
            ),
            code="inviter_lost_role",
        )
    return None


def is_addressed_to(invitation: Invitation, user: User) -> bool:
    """The invitation went to the person's sign-in address or another verified address."""
    return has_verified_address(user, invitation.email)
