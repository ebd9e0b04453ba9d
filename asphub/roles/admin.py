from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Invitation, RoleAssignment
from .permissions import coordinated_countries, roles_of


class CountryScopedAdmin(admin.ModelAdmin):
    """A national coordinator sees and edits only their own country's rows."""

    country_path = "country"

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if roles_of(request.user).administrator:
            return queryset
        return queryset.filter(**{f"{self.country_path}__in": coordinated_countries(request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "country" and not roles_of(request.user).administrator:
            kwargs["queryset"] = coordinated_countries(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
