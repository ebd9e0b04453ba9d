from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record, recorded_state

from .models import Invitation, RoleAssignment
from .permissions import coordinated_countries, roles_of


class CountryScopedAdmin(admin.ModelAdmin):
    """A national coordinator sees and edits only their own country's rows; every change made
    here is recorded in the audit log with the fields before and after."""

    country_path = "country"
    # Django's "view on site" shortcut answers for any id, in any country and status.
    view_on_site = False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = recorded_state(type(obj).objects.filter(pk=obj.pk).first(), form.changed_data)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=AuditAction.ADMIN_CHANGED if change else AuditAction.ADMIN_ADDED,
                obj=obj,
                country_code=_country_code(obj, self.country_path),
                before=before if change else None,
                after=recorded_state(obj, form.changed_data),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        parts = {
            "added": [str(item) for item in formset.new_objects],
            "changed": [str(item) for item, _fields in formset.changed_objects],
            "deleted": [str(item) for item in formset.deleted_objects],
        }
        if any(parts.values()):
            parent = form.instance
            audit_record(
                actor=request.user,
                action=AuditAction.ADMIN_RELATED_CHANGED,
                obj=parent,
                country_code=_country_code(parent, self.country_path),
                after={
                    "records": str(formset.model._meta.verbose_name_plural),
                    **{key: value for key, value in parts.items() if value},
                },
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditAction.ADMIN_DELETED,
                obj=obj,
                country_code=_country_code(obj, self.country_path),
            )
            super().delete_model(request, obj)

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if roles_of(request.user).administrator:
            return queryset
        return queryset.filter(**{f"{self.country_path}__in": coordinated_countries(request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "country" and not roles_of(request.user).administrator:
            kwargs["queryset"] = coordinated_countries(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _country_code(obj: Any, path: str) -> str:
    country = obj
    for part in path.split("__"):
        country = getattr(country, part, None)
    return getattr(country, "code", "") or ""


class ReadOnlyAdmin(admin.ModelAdmin):
    """Roles and invitations change only through the dashboard's services (with audit)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "school", "country", "granted_at", "revoked_at"]
    list_filter = ["role", "country"]
    search_fields = ["user__email", "user__full_name", "school__name"]
    list_select_related = ["user", "school", "country"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "role", "school", "country", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "country"]
    search_fields = ["email", "school__name"]
    list_select_related = ["school", "country"]
    exclude = ["token_hash"]
