"""Changes a person makes to their own account. Each checks permission, validates, writes in
one transaction and records an audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from asphub.core.audit import FORMER_MEMBER, record_audit
from asphub.core.models import AuditEntry

from .models import User


def profile_update(*, actor: Any, user: User, full_name: str, preferred_language: str) -> User:
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
        record_audit(actor=user, action="account.profile_changed", obj=user, before=before,
                     after=after)  # fmt: skip
    return user


def account_delete(*, actor: Any, user: User) -> None:
    """Delete a person's account and what identifies them.

    What they did for their school stays with the school: records that point at them lose the
    link (SET_NULL) and show "former member"; the audit log keeps every entry but replaces
    their name and address with that label. Their roles, e-mail addresses, sign-in factors and
    sign-in attempts go with the account.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from asphub.roles.models import Invitation
    from asphub.roles.selectors import is_last_administrator, role_country_codes

    if actor != user:
        raise PermissionDenied(_("You may delete only your own account."))
    if is_last_administrator(user):
        raise ValidationError(
            _("You are the only administrator. Give the role to someone else first."),
            code="last_administrator",
        )
    with transaction.atomic():
        countries = role_country_codes(user, active_only=False)
        invitations = Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user))
        invitation_ids = [str(pk) for pk in invitations.values_list("pk", flat=True)]
        AuditEntry.objects.filter(actor=user).scrub_personal_data(actor_label=FORMER_MEMBER)
        for entry in AuditEntry.objects.filter(
            Q(object_type="accounts.user", object_id=str(user.pk))
            | Q(object_type="roles.invitation", object_id__in=invitation_ids)
        ):
            AuditEntry.objects.filter(pk=entry.pk).scrub_personal_data(
                object_label=FORMER_MEMBER,
                before=_without_email(entry.before),
                after=_without_email(entry.after),
            )
        # Open invitations to them or from them lapse with the account.
        now = timezone.now()
        Invitation.objects.pending().filter(
            Q(pk__in=invitations.values("pk")) | Q(invited_by=user)
        ).update(revoked_at=now)
        invitations.update(email="")
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=user.email).delete()
        user_id = user.pk
        user.delete()
        for code in countries or [""]:
            record_audit(actor=FORMER_MEMBER, action="account.deleted", country_code=code,
                         note=f"user #{user_id}")  # fmt: skip


# Values in an entry's before and after that name the person (their profile changes, the address
# a lockout was for, the address an invitation went to).
PERSONAL_KEYS = ("email", "login", "full_name")


def _without_email(data: Any) -> Any:
    if isinstance(data, dict) and any(key in data for key in PERSONAL_KEYS):
        return {**data, **{key: FORMER_MEMBER for key in PERSONAL_KEYS if key in data}}
    return data
