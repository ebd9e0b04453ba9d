"""Model permissions for the administration site, derived from roles (no groups to keep in
step): a national coordinator may edit their country's schools and pages there; which rows
they see is narrowed by CountryScopedAdmin. Administrators hold every permission."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .permissions import roles_of

NATIONAL_COORDINATOR_PERMISSIONS = frozenset(
    {
        "schools.add_school",
        "schools.change_school",
        "schools.view_school",
        "schools.add_flagshipparticipation",
        "schools.change_flagshipparticipation",
        "schools.delete_flagshipparticipation",
        "schools.view_flagshipparticipation",
        "pages.change_page",
        "pages.view_page",
        "countries.view_subdivision",
        "taxonomy.view_flagshipnetwork",
    }
)


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not getattr(user_obj, "is_active", False):
            return set()
        if roles_of(user_obj).national_coordinator_in:
            return set(NATIONAL_COORDINATOR_PERMISSIONS)
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if getattr(user_obj, "is_active", False) and roles_of(user_obj).administrator:
            return True
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if getattr(user_obj, "is_active", False) and roles_of(user_obj).administrator:
            return True
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
