"""Giving and taking roles. Each function checks permission, validates, writes in one
transaction and records an audit entry; a refused call changes nothing."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from asphub.accounts.models import User
from asphub.accounts.selectors import address_has_account
from asphub.accounts.services import account_erase, account_open
from asphub.audit.models import AuditAction, AuditNote, StandIn
from asphub.audit.services import audit_record
from asphub.core.validators import validate_single_line
from asphub.countries.models import Country
from asphub.countries.selectors import network_country
from asphub.mail.services import send_templated_mail

from .models import (
    COUNTRY_ROLES,
    INVITATION_VALIDITY,
    SCHOOL_ROLES,
    Invitation,
    InvitationStatus,
    Role,
    RoleAssignment,
)
from .permissions import (
    Actor,
    SchoolScope,
    can_invite,
    can_revoke_role,
    forget_roles,
    require_permission,
)
from .selectors import (
    invitation_by_token,
    invitation_problem,
    is_addressed_to,
    is_last_administrator,
    role_country_codes,
)


def _school_row(school: SchoolScope | None) -> Any:
    """The school as a foreign-key value: the schools app sits above this one, so its School
    class cannot be named here; any School satisfies SchoolScope."""
    return school


def _last_administrator(user: User) -> bool:
    """is_last_administrator, asked inside the caller's transaction with every administrator
    locked: two administrators stepping down at the same moment are answered one after the
    other, so the second sees that the first is gone (PostgreSQL; SQLite's IMMEDIATE
    transactions already run one at a time)."""
    held = RoleAssignment.objects.active().filter(role=Role.ADMINISTRATOR)
    list(held.select_for_update().values_list("pk", flat=True))
    administrators = User.objects.filter(
        Q(is_superuser=True) | Q(pk__in=held.values("user_id")), is_active=True
    )
    list(administrators.select_for_update().values_list("pk", flat=True))
    return is_last_administrator(user)


def _person(actor: Actor) -> User | None:
    """The person who acts, or None when a stand-in (the command line) does."""
    return actor if isinstance(actor, User) else None


def _check_scope(role: str, school: SchoolScope | None, country: Country | None) -> None:
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


def _sync_staff_flag(user: User) -> None:
    """National coordinators and administrators work in the administration site too."""
    should_be_staff = (
        user.is_superuser
        or RoleAssignment.objects.active()
        .filter(user=user, role__in=[Role.NATIONAL_COORDINATOR, Role.ADMINISTRATOR])
        .exists()
    )
    if user.is_staff != should_be_staff:
        user.is_staff = should_be_staff
        user.save(update_fields=["is_staff"])


def _active_role(
    user: User, role: str, school: SchoolScope | None, country: Country | None
) -> RoleAssignment | None:
    return (
        RoleAssignment.objects.active()
        .filter(user=user, role=role, school=school, country=country)
        .first()
    )


def _grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    school: SchoolScope | None,
    country: Country | None,
    note: str = "",
) -> RoleAssignment:
    existing = _active_role(user, role, school, country)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user,
                role=role,
                school=_school_row(school),
                country=country,
                granted_by=_person(actor),
            )
    except IntegrityError:
        # The same role given at the same moment by another request: it is there now.
        return RoleAssignment.objects.active().get(
            user=user, role=role, school=school, country=country
        )
    _sync_staff_flag(user)
    forget_roles(user)
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANTED,
        obj=user,
        country_code=_scope_country_code(assignment),
        after=_describe(assignment),
        note=note,
    )
    return assignment


def role_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    school: SchoolScope | None = None,
    country: Country | None = None,
) -> RoleAssignment:
    """Give a role directly (administrators, and the command line for the first ones)."""
    _check_scope(role, school, country)
    require_permission(
        actor,
        lambda person: can_invite(person, role, school=school, country=country),
        _("You may not give this role."),
    )
    with transaction.atomic():
        return _grant(actor=actor, user=user, role=role, school=school, country=country)


def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> RoleAssignment:
    """Take a role back (whoever may give it); the last administrator's role stays."""
    require_permission(
        actor,
        lambda person: can_revoke_role(person, assignment),
        _("You may not take back this role."),
    )
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.revoked_at is not None:
            raise ValidationError(_("This role was already taken back."), code="revoked")
        if assignment.role == Role.ADMINISTRATOR and _last_administrator(assignment.user):
            raise ValidationError(
                _("This is the only administrator. Give the role to someone else first."),
                code="last_administrator",
            )
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = _person(actor)
        assignment.save(update_fields=["revoked_at", "revoked_by"])
        _sync_staff_flag(assignment.user)
        forget_roles(assignment.user)
        audit_record(
            actor=actor,
            action=AuditAction.ROLE_REVOKED,
            obj=assignment.user,
            country_code=_scope_country_code(assignment),
            before=_describe(assignment),
        )
        _withdraw_invitations_no_longer_allowed(assignment.user)
    return assignment


def _withdraw_invitations_no_longer_allowed(inviter: User) -> None:
    """Invitations someone sent stop working when they lose the role that allowed them."""
    pending = Invitation.objects.pending().filter(invited_by=inviter)
    for invitation in pending.select_related("school__country", "country"):
        if not can_invite(inviter, invitation.role, school=invitation.school,
                          country=invitation.country):  # fmt: skip
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit_record(
                actor=StandIn.SYSTEM,
                action=AuditAction.INVITATION_WITHDRAWN,
                obj=invitation,
                country_code=_scope_country_code(invitation),
                before={**_describe(invitation), "email": invitation.email},
                note=AuditNote.INVITER_LOST_ROLE,
            )


# -- invitations ------------------------------------------------------------------------------


def invitation_create(
    *,
    actor: Actor,
    email: str,
    role: str,
    school: SchoolScope | None = None,
    country: Country | None = None,
    language: str = "lv",
    site_url: str = "",
) -> Invitation:
    """Invite someone to a role; the e-mail with the single-use link goes out on commit."""
    _check_scope(role, school, country)
    require_permission(
        actor,
        lambda person: can_invite(person, role, school=school, country=country),
        _("You may not give this role."),
    )
    email = User.objects.normalize_email((email or "").strip()).lower()
    validate_email(email)
    validate_single_line(email)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    person = _person(actor)
    if person is not None and person.email.lower() == email:
        raise ValidationError(
            _("You cannot invite yourself: ask someone who may give this role."), code="self"
        )
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
        inviter = _person(actor)
        # Two requests at once (a double click, parallel tabs) take turns here, so that the
        # duplicate check and the hourly count below see each other's invitations: the
        # inviter's row and the scope's country are locked until this transaction ends.
        if inviter is not None:
            list(User.objects.select_for_update().filter(pk=inviter.pk).values_list("pk"))
        scope_country_id = school.country_id if school is not None else country and country.pk
        if scope_country_id:
            list(Country.objects.select_for_update().filter(pk=scope_country_id).values_list("pk"))
        limit = settings.ASPHUB_INVITATIONS_PER_HOUR
        if (
            inviter is not None
            and Invitation.objects.filter(
                invited_by=inviter, created_at__gt=now - timedelta(hours=1)
            ).count()
            >= limit
        ):
            raise ValidationError(
                _(
                    "You have sent %(count)s invitations in the last hour, as many as the "
                    "platform sends for one person. Try again later."
                )
                % {"count": limit},
                code="too_many",
            )
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
            school=_school_row(school),
            country=country,
            language=language,
            token_hash=Invitation.hash_token(token),
            invited_by=_person(actor),
            created_at=now,
            expires_at=now + INVITATION_VALIDITY,
        )
        audit_record(
            actor=actor,
            action=AuditAction.INVITATION_CREATED,
            obj=invitation,
            country_code=_scope_country_code(invitation),
            after={**_describe(invitation), "email": email},
        )
        # Queued in this transaction: the invitation and its e-mail exist together or not at
        # all; the worker sends it, and tries again if the mail server fails (asphub.mail).
        _send_invitation(invitation, token, site_url)
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
            # Whom to ask: the network the invitation is for (the platform's own for an
            # administrator's role).
            "network": network_country(_invitation_country_code(invitation)),
        },
    )


def _invitation_country_code(invitation: Invitation) -> str | None:
    if invitation.country is not None:
        return invitation.country.code
    if invitation.school is not None:
        return invitation.school.country.code
    return None


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation (whoever may give its role)."""
    require_permission(
        actor,
        lambda person: can_invite(
            person, invitation.role, school=invitation.school, country=invitation.country
        ),
        _("You may not withdraw this invitation."),
    )
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.PENDING:
            raise ValidationError(
                _("Only an invitation that is still open can be withdrawn."), code="not_pending"
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.INVITATION_WITHDRAWN,
            obj=invitation,
            country_code=_scope_country_code(invitation),
            before={**_describe(invitation), "email": invitation.email},
        )
    return invitation


def invitation_resend(*, actor: Actor, invitation: Invitation, site_url: str = "") -> Invitation:
    """Send an open invitation again (whoever may withdraw it): a new link, valid for another
    7 days from now; the old link stops working, since only the new secret's hash is kept."""
    require_permission(
        actor,
        lambda person: can_invite(
            person, invitation.role, school=invitation.school, country=invitation.country
        ),
        _("You may not send this invitation again."),
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("school__country", "country", "invited_by")
            .get(pk=invitation.pk)
        )
        if invitation.status != InvitationStatus.PENDING:
            raise ValidationError(
                _("Only an invitation that is still open can be sent again."), code="not_pending"
            )
        before = {"expires_at": invitation.expires_at.isoformat()}
        invitation.token_hash = Invitation.hash_token(token)
        invitation.expires_at = timezone.now() + INVITATION_VALIDITY
        invitation.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            actor=actor,
            action=AuditAction.INVITATION_RESENT,
            obj=invitation,
            country_code=_scope_country_code(invitation),
            before=before,
            after={**_describe(invitation), "email": invitation.email,
                   "expires_at": invitation.expires_at.isoformat()},
        )  # fmt: skip
        _send_invitation(invitation, token, site_url)
    return invitation


def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    preferred_language: str = "",
) -> RoleAssignment:
    """Accept an invitation: as the signed-in person it was sent to, or by opening an account
    with the invited address (the link proves the address, so it counts as verified)."""
    signed_in = isinstance(user, User) and user.is_authenticated
    with transaction.atomic():
        invitation = invitation_by_token(token, for_update=True)
        problem = invitation_problem(invitation)
        if problem is not None:
            raise problem
        assert invitation is not None
        if signed_in:
            assert user is not None
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
            person = account_open(
                email=invitation.email,
                full_name=full_name,
                password=password,
                preferred_language=preferred_language or invitation.language,
                country_code=_scope_country_code(invitation),
                note=AuditNote.BY_INVITATION,
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=person,
            action=AuditAction.INVITATION_ACCEPTED,
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
            note=AuditNote.BY_INVITATION,
        )


# -- the end of an account --------------------------------------------------------------------


def account_delete(*, actor: User, user: User) -> None:
    """A person deletes their own account. Their roles end with it (the last administrator
    must hand the role on first), open invitations to or from them lapse, and what named them
    in the log becomes "former member" (accounts.services.account_erase)."""
    if actor != user:
        raise PermissionDenied(_("You may delete only your own account."))
    with transaction.atomic():
        if _last_administrator(user):
            raise ValidationError(
                _("You are the only administrator. Give the role to someone else first."),
                code="last_administrator",
            )
        countries = role_country_codes(user, active_only=False)
        received = Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user))
        about = list(received)
        lapsing = Invitation.objects.pending().filter(
            Q(pk__in=[invitation.pk for invitation in about]) | Q(invited_by=user)
        )
        for invitation in lapsing.select_related("school__country", "country"):
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit_record(
                actor=StandIn.SYSTEM,
                action=AuditAction.INVITATION_WITHDRAWN,
                obj=invitation,
                country_code=_scope_country_code(invitation),
                before={**_describe(invitation), "email": invitation.email},
                note=AuditNote.ACCOUNT_DELETED,
            )
        received.update(email="")
        account_erase(actor=actor, user=user, about=about, country_codes=countries)
