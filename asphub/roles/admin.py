from __future__ import annotations

from typing import Any

# Their admins register first, so that the audited ones below can take their place.
import allauth.account.admin  # noqa: F401
import allauth.mfa.admin  # noqa: F401
import axes.admin  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from asphub.accounts.models import User
from asphub.audit.admin import AuditedModelAdmin
from asphub.audit.models import AuditAction
from asphub.countries.admin_filters import CountryInUseFilter

from .models import Invitation, RoleAssignment
from .permissions import coordinated_countries, roles_of
from .selectors import role_country_codes


class CountryScopedAdmin(AuditedModelAdmin):
    """A national coordinator sees and edits only their own country's rows; every change made
    here is recorded in that country's audit log with the fields before and after."""

    country_path = "country"
    # Django's "view on site" shortcut answers for any id, in any country and status.
    view_on_site = False

    def audit_country_codes(self, obj: Any) -> list[str]:
        return [_country_code(obj, self.country_path)]

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
    list_filter = ["role", CountryInUseFilter]
    search_fields = ["user__email", "user__full_name", "school__name"]
    list_select_related = ["user", "school", "country"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "role", "school", "country", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", CountryInUseFilter]
    search_fields = ["email", "school__name"]
    list_select_related = ["school", "country"]
    exclude = ["token_hash"]


# -- people and their sign-in records -----------------------------------------------------------
# Registered here rather than in accounts: a change to a person goes into the log of every
# country where they hold a role, and only this app knows those.


def _person_countries(user: Any) -> list[str]:
    if user is None or user.pk is None:
        return [""]
    return role_country_codes(user, active_only=False) or [""]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Administrators only. A changed sign-in address, a deactivation or a new password is
    recorded in the log of each country where the person holds a role."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def audit_country_codes(self, obj: Any) -> list[str]:
        return _person_countries(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only a superuser hands out superuser rights, staff status, groups and permissions:
        anyone else would otherwise keep powers that taking back their role does not remove.
        Roles are given by invitation and shown in the dashboard."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password here is recorded (never the password itself)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                person = User.objects.get(pk=id)
                self.audit(
                    request, AuditAction.ADMIN_CHANGED, person, after={"password": "changed"}
                )
        return response


class PersonRecordAdmin(AuditedModelAdmin):
    """django-allauth's addresses and authenticators and django-axes' sign-in records, as their
    own admins show them, with every change and deletion recorded for the person concerned
    (deleting a lockout record lifts the lockout)."""

    def audit_country_codes(self, obj: Any) -> list[str]:
        person = getattr(obj, "user", None)
        if person is None and getattr(obj, "username", ""):
            person = User.objects.filter(email__iexact=obj.username).first()
        return _person_countries(person)


for _model in (EmailAddress, Authenticator, AccessAttempt, AccessLog, AccessFailureLog):
    _original = type(admin.site._registry[_model])
    admin.site.unregister(_model)
    admin.site.register(
        _model, type(f"Audited{_original.__name__}", (PersonRecordAdmin, _original), {})
    )

# Roles, not groups, give permissions (no authentication backend reads groups).
admin.site.unregister(Group)
