"""Reading the audit log. Who may read which entries is decided by the caller (the signed-in
workspace asks the permission layer); these functions only select."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditAction, AuditEntry, label_of


def audit_entries(*, country_codes: Iterable[str] | None = None) -> QuerySet[AuditEntry]:
    """Entries newest first; only those of the given countries when `country_codes` is given."""
    entries = AuditEntry.objects.all()
    if country_codes is not None:
        entries = entries.filter(country_code__in=list(country_codes))
    return entries


def audit_entries_of_person(user: Any) -> QuerySet[AuditEntry]:
    """What a person did and what was done to their account, oldest first (their data export)."""
    return AuditEntry.objects.filter(
        Q(actor=user) | Q(object_type=user._meta.label_lower, object_id=str(user.pk))
    ).order_by("created_at", "id")


def audit_action_choices(entries: QuerySet[AuditEntry]) -> list[tuple[str, str]]:
    """The actions that occur among these entries, as (code, label in the reader's language)."""
    actions = entries.order_by("action").values_list("action", flat=True).distinct()
    return [(action, label_of(AuditAction, action)) for action in actions]
