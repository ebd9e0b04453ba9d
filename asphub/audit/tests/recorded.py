"""The audit entries a test itself causes.

Test worlds are made through the services (asphub/roles/tests/factories.py), so their people,
roles and invitations come with audit entries of their own, as in production. A test that
asserts on the entries its action records marks the log first:

    recorded = entries_from_now_on()
    role_revoke(actor=coordinator, assignment=assignment)
    entry = recorded.get()
"""

from __future__ import annotations

from django.db.models import Max, QuerySet

from asphub.audit.models import AuditEntry


def entries_from_now_on() -> QuerySet[AuditEntry]:
    """The entries recorded after this call, as a lazy queryset (read it when the test acts).
    Entries are numbered in the order they are recorded, on SQLite and PostgreSQL alike."""
    last = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    return AuditEntry.objects.filter(pk__gt=last)
