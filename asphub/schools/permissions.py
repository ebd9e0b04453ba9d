"""Who may change the school directory. Issue-level roles refine this; the rule stays here."""

from __future__ import annotations

from typing import Any

from asphub.countries.models import Country


def can_manage_schools(user: Any, country: Country) -> bool:
    """National coordinators (holders of the change-school permission) and administrators."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.has_perm("schools.change_school"))
