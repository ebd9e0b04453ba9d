"""Changes to a person's account. Each checks permission, validates, writes in one transaction
and records an audit entry. Roles are not this app's business: the roles app, above it, opens
accounts from invitations and ends a person's roles before their account is erased."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from asphub.audit.models import AuditAction, StandIn
from asphub.audit.services import audit_forget_person, audit_record

from .models import User


def profile_update(*, actor: User, user: User, full_name: str, preferred_language: str) -> User:
    """A person changes their own name and language."""
    if actor != user:
        raise PermissionDenied(_("You may change only your own profile."))
    before = {"full_name": user.full_name, "preferred_language": user.preferred_language}
    user.full_name = full_name.strip()
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password", "email"])
    after = {"full_name": user.full_name, "preferred_language": user.preferred_language}
    if before == after:
        return user
    with transaction.atomic():
        user.save(update_fields=["full_name", "preferred_language"])
        audit_record(actor=user, action=AuditAction.ACCOUNT_PROFILE_CHANGED, obj=user,
                     before=before, after=after)  # fmt: skip
    return user


def account_open(
    *,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str,
    country_code: str = "",
    note: str = "",
) -> User:
    """Open an account whose address is already proven (the caller holds the proof, e.g. an
    invitation link that reached it): the address counts as verified at once. Call inside the
    transaction of the change that opens it; `note` says why (recorded in the audit log)."""
    person = User(email=email, full_name=full_name.strip(), preferred_language=preferred_language)
    validate_password(password, user=person)
    person.set_password(password)
    try:
        with transaction.atomic():
            # The address is theirs: others' unconfirmed claims on it go.
            EmailAddress.objects.filter(email__iexact=email, verified=False).delete()
            person.save()
            EmailAddress.objects.create(
                user=person, email=person.email, verified=True, primary=True
            )
            audit_record(
                actor=person,
                action=AuditAction.ACCOUNT_CREATED,
                obj=person,
                country_code=country_code,
                note=note,
            )
    except IntegrityError:
        # Another request opened an account for the same address a moment earlier (two
        # invitations accepted at once).
        raise ValidationError(
            _("An account with this address exists already: sign in first."),
            code="account_exists",
        ) from None
    return person  # fmt: skip


def account_erase(
    *,
    actor: User,
    user: User,
    about: Iterable[models.Model] = (),
    country_codes: Iterable[str] = (),
) -> None:
    """Delete a person's account and what identifies them. Only `roles.services.account_delete`
    calls this, after it has checked the person's roles and ended them.

    What they did for their school stays with the school: records that point at them lose the
    link (SET_NULL) and show "former member"; the audit log keeps every entry but replaces
    their name and address with that label, in entries about them and about `about` (e.g. the
    invitations sent to them). Their e-mail addresses, sign-in factors and sign-in attempts go
    with the account. The deletion is recorded in the log of each of `country_codes`.
    """
    if actor != user:
        raise PermissionDenied(_("You may delete only your own account."))
    with transaction.atomic():
        audit_forget_person(user=user, about=about)
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=user.email).delete()
        user_id = user.pk
        user.delete()
        for code in list(country_codes) or [""]:
            audit_record(actor=StandIn.FORMER_MEMBER, action=AuditAction.ACCOUNT_DELETED,
                         country_code=code, note=f"user #{user_id}")  # fmt: skip
