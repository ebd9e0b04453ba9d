"""Giving and taking roles. Each function checks permission, validates, writes in one
transaction and records an audit entry; a refused call changes nothing."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from asphub.accounts.emails import send_templated_mail
from asphub.core.audit import (
    BY_INVITATION,
    COMMAND_LINE,
    INVITER_LOST_ROLE,
    SYSTEM,
    record_audit,
)

from .models import (
    COUNTRY_ROLES,
    INVITATION_VALIDITY,
    SCHOOL_ROLES,
    Invitation,
    InvitationStatus,
    Role,
    RoleAssignment,
)
from .permissions import can_invite, can_revoke_role, forget_roles
from .selectors import is_last_administrator

User = get_user_model()


def _check_scope(role: str, school: Any, country: Any) -> None:
    if role not in Role.values:
        raise ValidationError(_("Choose a role."), code="role")
    if role in SCHOOL_ROLES and (school is None or country is not None):
        raise ValidationError(_("Choose the school this role is for."), code="scope")
    if role in COUNTRY_ROLES and (country is None or school is not None):
        raise ValidationError(_("Choose the country this role is for."), code="scope")
    if role == Role.ADMINISTRATOR and (school is not None or country is not None):
        raise ValidationError(_("The administrator role is for the whole platform."), "scope")


def _scope_country_code(role_or_invitation: RoleAssignment | Invitation) -> str:
    if role_or_invitation.school is not None:
        return role_or_invitation.school.country.code
    if role_or_invitation.country is not None:
        return role_or_invitation.country.code
    return ""


def _describe(role_or_invitation: RoleAssignment | Invitation) -> dict[str, Any]:
    return {
        "role": role_or_invitation.role,
        "school": role_or_invitation.school.name if role_or_invitation.school else None,
        "country": role_or_invitation.country.code if role_or_invitation.country else None,
    }


def _sync_staff_flag(user: Any) -> None:
    """National coordinators and administrators work in the administration site too."""
    should_be_staff = (
        user.is_superuser
        or user.role_assignments.filter(
            revoked_at__isnull=True, role__in=[Role.NATIONAL_COORDINATOR, Role.ADMINISTRATOR]
        ).exists()
    )
    if user.is_staff != should_be_staff:
        user.is_staff = should_be_staff
        user.save(update_fields=["is_staff"])


def _active_role(user: Any, role: str, school: Any, country: Any) -> RoleAssignment | None:
    return RoleAssignment.objects.filter(
        user=user, role=role, school=school, country=country, revoked_at__isnull=True
    ).first()


def _grant(
    *, actor: Any, user: Any, role: str, school: Any, country: Any, note: str = ""
) -> RoleAssignment:
    existing = _active_role(user, role, school, country)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user,
                role=role,
                school=school,
                country=country,
                granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # The same role given at the same moment by another request: it is there now.
        return RoleAssignment.objects.get(
            user=user, role=role, school=school, country=country, revoked_at__isnull=True
        )
    _sync_staff_flag(user)
    forget_roles(user)
    record_audit(
        actor=actor,
        action="role.granted",
        obj=user,
        country_code=_scope_country_code(assignment),
        after=_describe(assignment),
        note=note,
    )
    return assignment


def role_grant(
    *, actor: Any, user: Any, role: str, school: Any = None, country: Any = None
) -> RoleAssignment:
    """Give a role directly (administrators, and the command line for the first ones)."""
    _check_scope(role, school, country)
    if actor != COMMAND_LINE and not can_invite(actor, role, school=school, country=country):
        raise PermissionDenied(_("You may not give this role."))
    with transaction.atomic():
        return _grant(actor=actor, user=user, role=role, school=school, country=country)


def role_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    if actor != COMMAND_LINE and not can_revoke_role(actor, assignment):
        raise PermissionDenied(_("You may not take back this role."))
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.revoked_at is not None:
            raise ValidationError(_("This role was already taken back."), code="revoked")
        if assignment.role == Role.ADMINISTRATOR and is_last_administrator(assignment.user):
            raise ValidationError(
                _("This is the only administrator. Give the role to someone else first."),
                code="last_administrator",
            )
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        assignment.save(update_fields=["revoked_at", "revoked_by"])
        _sync_staff_flag(assignment.user)
        forget_roles(assignment.user)
        record_audit(
            actor=actor,
            action="role.revoked",
            obj=assignment.user,
            country_code=_scope_country_code(assignment),
            before=_describe(assignment),
        )
        _withdraw_invitations_no_longer_allowed(assignment.user)
    return assignment


def _withdraw_invitations_no_longer_allowed(inviter: Any) -> None:
    """Invitations someone sent stop working when they lose the role that allowed them."""
    pending = Invitation.objects.pending().filter(invited_by=inviter)
    for invitation in pending.select_related("school__country", "country"):
        if not can_invite(inviter, invitation.role, school=invitation.school,
                          country=invitation.country):  # fmt: skip
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record_audit(
                actor=SYSTEM,
                action="invitation.withdrawn",
                obj=invitation,
                country_code=_scope_country_code(invitation),
                before={**_describe(invitation), "email": invitation.email},
                note=INVITER_LOST_ROLE,
            )


# -- invitations ------------------------------------------------------------------------------


def invitation_create(
    *,
    actor: Any,
    email: str,
    role: str,
    school: Any = None,
    country: Any = None,
    language: str = "lv",
    site_url: str = "",
) -> Invitation:
    """Invite someone to a role; the e-mail with the single-use link goes out on commit."""
    _check_scope(role, school, country)
    if actor != COMMAND_LINE and not can_invite(actor, role, school=school, country=country):
        raise PermissionDenied(_("You may not give this role."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    validate_email(email)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    holder = User.objects.filter(email__iexact=email).first()
    if holder is not None and holder.preferred_language in dict(settings.LANGUAGES):
        # Someone with an account gets every e-mail in the language they chose.
        language = holder.preferred_language
    if holder is not None and _active_role(holder, role, school, country) is not None:
        raise ValidationError(
            _("%(email)s already holds this role.") % {"email": email}, code="has_role"
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        duplicate = (
            Invitation.objects.pending()
            .filter(email__iexact=email, role=role, school=school, country=country)
            .exists()
        )
        if duplicate:
            raise ValidationError(
                _("%(email)s has already been invited to this role; the invitation is still open.")
                % {"email": email},
                code="duplicate",
            )
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            school=school,
            country=country,
            language=language,
            token_hash=Invitation.hash_token(token),
            invited_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
            expires_at=now + INVITATION_VALIDITY,
        )
        record_audit(
            actor=actor,
            action="invitation.created",
            obj=invitation,
            country_code=_scope_country_code(invitation),
            after={**_describe(invitation), "email": email},
        )
        # robust: a mail server failure is logged; the invitation stays and can be withdrawn
        # and sent again.
        transaction.on_commit(lambda: _send_invitation(invitation, token, site_url), robust=True)
    return invitation


def invitation_link(invitation: Invitation, token: str, site_url: str = "") -> str:
    base = (site_url or settings.ASPHUB_SITE_URL).rstrip("/")
    with translation.override(invitation.language):
        return base + reverse("roles:accept", kwargs={"token": token})


def _send_invitation(invitation: Invitation, token: str, site_url: str) -> None:
    inviter = invitation.invited_by
    send_templated_mail(
        "roles/email/invitation",
        to=invitation.email,
        language=invitation.language,
        context={
            "invitation": invitation,
            "inviter": str(inviter) if inviter else "",
            "link": invitation_link(invitation, token, site_url),
        },
    )


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    if actor != COMMAND_LINE and not can_invite(
        actor, invitation.role, school=invitation.school, country=invitation.country
    ):
        raise PermissionDenied(_("You may not withdraw this invitation."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.PENDING:
            raise ValidationError(
                _("Only an invitation that is still open can be withdrawn."), code="not_pending"
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_audit(
            actor=actor,
            action="invitation.withdrawn",
            obj=invitation,
            country_code=_scope_country_code(invitation),
            before={**_describe(invitation), "email": invitation.email},
        )
    return invitation


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


def address_has_account(email: str) -> bool:
    """An account signs in with this address, or holds it as a confirmed second address.
    (Unconfirmed claims do not count: anyone can type any address into their account.)"""
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def is_addressed_to(invitation: Invitation, user: Any) -> bool:
    """The invitation went to the person's sign-in address or another verified address of
    theirs."""
    from allauth.account.models import EmailAddress

    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def invitation_accept(
    *,
    token: str,
    user: Any = None,
    full_name: str = "",
    password: str = "",
    preferred_language: str = "",
) -> RoleAssignment:
    """Accept an invitation: as the signed-in person it was sent to, or by opening an account
    with the invited address (the link proves the address, so it counts as verified)."""
    from allauth.account.models import EmailAddress

    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    with transaction.atomic():
        invitation = invitation_by_token(token, for_update=True)
        problem = invitation_problem(invitation)
        if problem is not None:
            raise problem
        assert invitation is not None
        if signed_in:
            if not is_addressed_to(invitation, user):
                raise ValidationError(
                    _(
                        "This invitation was sent to %(email)s, but you are signed in as "
                        "%(current)s. Sign out and open the link again."
                    )
                    % {"email": invitation.email, "current": user.email},
                    code="wrong_account",
                )
            person = user
        else:
            if address_has_account(invitation.email):
                raise ValidationError(
                    _("An account with this address exists already: sign in first."),
                    code="account_exists",
                )
            # The link proves the address is theirs: others' unconfirmed claims on it go.
            EmailAddress.objects.filter(email__iexact=invitation.email, verified=False).delete()
            person = User(
                email=invitation.email,
                full_name=full_name.strip(),
                preferred_language=preferred_language or invitation.language,
            )
            validate_password(password, user=person)
            person.set_password(password)
            person.save()
            EmailAddress.objects.create(
                user=person, email=person.email, verified=True, primary=True
            )
            record_audit(actor=person, action="account.created", obj=person,
                         country_code=_scope_country_code(invitation),
                         after={"via": "invitation"})  # fmt: skip
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_audit(
            actor=person,
            action="invitation.accepted",
            obj=invitation,
            country_code=_scope_country_code(invitation),
            after=_describe(invitation),
        )
        return _grant(
            actor=invitation.invited_by or person,
            user=person,
            role=invitation.role,
            school=invitation.school,
            country=invitation.country,
            note=BY_INVITATION,
        )
