"""The calendar's one change: a person makes (or makes again) the address of their personal
feed. Making it again changes the secret, so the address given out before stops working."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from asphub.accounts.models import User
from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record

from .models import PersonalFeed
from .tokens import new_secret


def personal_feed_renew(*, user: User) -> PersonalFeed:
    """Give the person a new personal feed address (their own: no one makes it for anyone
    else). Recorded in the audit log without the secret."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied(_("Sign in to make your personal calendar address."))
    with transaction.atomic():
        # The person's own row is locked first: two clicks at once would otherwise both find
        # no feed (a lock on a row that does not exist yet locks nothing) and both create one.
        User.objects.select_for_update().filter(pk=user.pk).first()
        feed = PersonalFeed.objects.select_for_update().filter(user=user).first()
        renewed = feed is not None
        if feed is None:
            feed = PersonalFeed(user=user)
        feed.secret = new_secret()
        feed.save()
        audit_record(
            actor=user,
            action=AuditAction.CALENDAR_FEED_ADDRESS_MADE,
            obj=user,
            after={"renewed": renewed},
        )
    return feed
