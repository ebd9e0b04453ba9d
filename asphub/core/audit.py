"""Writing the audit log. Services call `record_audit` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

# The command line is trusted: whoever runs manage.py already controls the server.
COMMAND_LINE = "command line"
# Stands in the log for a person who has deleted their account (shown translated).
FORMER_MEMBER = "former member"
SYSTEM = "system"
# Notes are stored in English and shown in the reader's language (NOTE_LABELS).
BY_INVITATION = "by invitation"
INVITER_LOST_ROLE = "the inviter's role was taken back"
TOO_MANY_FAILED_SIGN_INS = "too many failed sign-ins in a row"
NOTE_LABELS = {
    BY_INVITATION: _("by invitation"),
    INVITER_LOST_ROLE: _("the inviter's role was taken back"),
    TOO_MANY_FAILED_SIGN_INS: _("too many failed sign-ins in a row"),
}
# What each recorded action means, for people reading the log (the code stays in the CSV).
ACTION_LABELS = {
    "account.created": _("account opened"),
    "account.deleted": _("account deleted"),
    "account.profile_changed": _("profile changed"),
    "invitation.accepted": _("invitation accepted"),
    "invitation.created": _("invitation sent"),
    "invitation.withdrawn": _("invitation withdrawn"),
    "role.granted": _("role given"),
    "role.revoked": _("role taken back"),
    "page.changed_in_admin": _("page changed"),
    "school.added_in_admin": _("school added"),
    "school.changed_in_admin": _("school changed"),
    "school.deleted_in_admin": _("school deleted"),
    "school.flagshipparticipation_changed_in_admin": _("school's flagship networks changed"),
    "school.import": _("schools imported"),
    "school.import_update": _("school updated by import"),
    "signin.locked_out": _("sign-in paused after failed attempts"),
}
# The keys of recorded before/after states, for people reading the log.
VALUE_LABELS = {
    "role": _("role"),
    "school": _("school"),
    "country": _("country"),
    "email": _("e-mail address"),
    "login": _("e-mail address"),
    "ip_address": _("IP address"),
    "failures": _("failed attempts"),
    "via": _("how"),
    "full_name": _("full name"),
    "preferred_language": _("preferred language"),
    "created": _("added"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "skipped_lines": _("skipped lines"),
}
STAND_IN_LABELS = {
    COMMAND_LINE: _("command line"),
    FORMER_MEMBER: _("former member"),
    SYSTEM: _("system"),
}


def record_audit(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    country_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEntry:
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    # Labels are snapshots: written in the site's default language whoever acts, so that the
    # log reads the same for everyone (stand-ins, actions and notes are translated on display).
    with translation.override(settings.LANGUAGE_CODE):
        object_label = str(obj)[:255] if obj is not None else ""
    return AuditEntry.objects.create(
        actor=actor_user,
        actor_label=str(actor_user) if actor_user else (str(actor) if actor else SYSTEM),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=object_label,
        country_code=country_code,
        before=before,
        after=after,
        note=note,
    )
