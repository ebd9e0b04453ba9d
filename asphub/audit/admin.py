"""The administration records every change it makes, like every other way of changing data.

Any ModelAdmin of the project derives from AuditedModelAdmin: adding, changing and deleting an
object (one or many at a time, with the "delete selected" action too) and changing its inline
rows each write an audit entry with the fields before and after, in the transaction in which
the admin writes. Which country's log an entry goes into is the subclass's business
(`audit_country_codes`): this app knows no countries.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditAction
from .services import audit_record, recorded_state


class AuditedModelAdmin(admin.ModelAdmin):
    # Fields whose values are never written into the log; a change is recorded as "changed".
    audit_secret_fields: tuple[str, ...] = ("password",)

    def audit_country_codes(self, obj: Any) -> list[str]:
        """The countries whose log shows a change of `obj` ("" is the platform's own log)."""
        return [""]

    def audit(self, request: HttpRequest, action: str, obj: Any, **values: Any) -> None:
        for code in self.audit_country_codes(obj) or [""]:
            audit_record(actor=request.user, action=action, obj=obj, country_code=code, **values)

    def _state(self, obj: models.Model | None, fields: list[str]) -> dict[str, Any] | None:
        state = recorded_state(
            obj, [name for name in fields if name not in self.audit_secret_fields]
        )
        if state is not None:
            state.update({name: "changed" for name in fields if name in self.audit_secret_fields})
        return state

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = self._state(stored, form.changed_data)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self.audit(
                request,
                AuditAction.ADMIN_CHANGED if change else AuditAction.ADMIN_ADDED,
                obj,
                before=before,
                after=self._state(obj, form.changed_data),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            parts = {
                "added": [str(item) for item in formset.new_objects],
                "changed": [str(item) for item, _fields in formset.changed_objects],
                "deleted": [str(item) for item in formset.deleted_objects],
            }
            if any(parts.values()):
                self.audit(
                    request,
                    AuditAction.ADMIN_RELATED_CHANGED,
                    form.instance,
                    after={
                        "records": str(formset.model._meta.verbose_name_plural),
                        **{key: value for key, value in parts.items() if value},
                    },
                )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self.audit(request, AuditAction.ADMIN_DELETED, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The "delete selected" action: each object is deleted and recorded on its own, as
        from its own page (a bulk delete would skip both the log and model rules)."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
