from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asphub.audit.models import AuditEntry
from asphub.audit.selectors import audit_action_choices
from asphub.roles.permissions import coordinated_countries


class AuditEntryFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        label=_("Country"), field_name="country_code", empty_label=_("All my countries")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), empty_label=_("Any action"))
    # Bounded: a name or an address is short, and SQLite refuses very long LIKE patterns.
    who = django_filters.CharFilter(
        label=_("Who (name or e-mail)"), method="filter_who", max_length=254
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_who(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_label__icontains=value) | Q(actor__email__icontains=value))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = coordinated_countries(user).filter(
            code__in=self.queryset.values("country_code").distinct()
        )
        self.filters["country"].extra["choices"] = [
            (country.code, str(country)) for country in countries.order_by("code")
        ]
        self.filters["action"].extra["choices"] = audit_action_choices(self.queryset)
