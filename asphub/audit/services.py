"""Writing the audit log. Services call `audit_record` inside their own transaction, so an
entry exists exactly when the change it describes does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation

from .models import AuditEntry, StandIn

# Keys of a recorded before/after state that name a person (their profile, the address a
# lockout was for, the address an invitation went to).
PERSONAL_KEYS = ("email", "login", "full_name")


def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    country_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Record one change. `actor` is a person, a `StandIn` (the command line, the system) or
    None (the system); `country_code` puts the entry in that country's log."""
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    # Labels are snapshots: written in the site's default language whoever acts, so that the
    # log reads the same for everyone (stand-ins, actions and notes are translated on display).
    with translation.override(settings.LANGUAGE_CODE):
        object_label = str(obj)[:255] if obj is not None else ""
    if actor_user is not None:
        actor_label = str(actor_user)
    else:
        actor_label = str(actor) if actor else StandIn.SYSTEM.value
    return AuditEntry.objects.create(
        actor=actor_user,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=object_label,
        country_code=country_code,
        before=before,
        after=after,
        note=note,
    )


def recorded_state(obj: models.Model | None, fields: Iterable[str]) -> dict[str, Any] | None:
    """The named fields of an object as JSON-safe values, for an entry's before or after:
    related objects by their name, many-to-many fields as lists of names."""
    if obj is None:
        return None
    values: dict[str, Any] = {}
    for name in fields:
        value: Any = getattr(obj, name, None)
        if hasattr(value, "all"):
            value = [str(item) for item in value.all()]
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        values[name] = value
    return values


def audit_forget_person(*, user: Any, about: Iterable[models.Model] = ()) -> None:
    """A person deleted their account: every entry keeps what happened, but what named them
    (their name as actor; the labels and personal values of entries about their account and
    the objects in `about`) becomes "former member"."""
    former = StandIn.FORMER_MEMBER.value
    AuditEntry.objects.filter(actor=user).scrub_personal_data(actor_label=former)
    objects = [user, *about]
    concerning = Q(pk__in=[])
    for obj in objects:
        concerning |= Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    for entry in AuditEntry.objects.filter(concerning):
        AuditEntry.objects.filter(pk=entry.pk).scrub_personal_data(
            object_label=former,
            before=_without_personal_values(entry.before),
            after=_without_personal_values(entry.after),
        )


def _without_personal_values(data: Any) -> Any:
    if isinstance(data, dict) and any(key in data for key in PERSONAL_KEYS):
        former = StandIn.FORMER_MEMBER.value
        return {**data, **{key: former for key in PERSONAL_KEYS if key in data}}
    return data
