"""Reads about people's roles that several apps need."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Role, RoleAssignment


def role_country_codes(user: Any, *, active_only: bool = True) -> list[str]:
    """The countries a person's roles are in (a school role counts for the school's country)."""
    assignments = RoleAssignment.objects.filter(user=user)
    if active_only:
        assignments = assignments.filter(revoked_at__isnull=True)
    scopes = assignments.values_list("school__country__code", "country__code")
    return sorted({code for pair in scopes for code in pair if code})


def is_last_administrator(user: Any) -> bool:
    """This person is an administrator and no other active person is."""
    administrators = Q(is_superuser=True) | Q(
        pk__in=RoleAssignment.objects.filter(
            role=Role.ADMINISTRATOR, revoked_at__isnull=True
        ).values("user_id")
    )
    people = get_user_model().objects.filter(administrators, is_active=True)
    if not people.filter(pk=user.pk).exists():
        return False
    return not people.exclude(pk=user.pk).exists()
