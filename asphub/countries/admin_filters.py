"""Filtering administration lists by country."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asphub.core.text import latvian_sort_key

from .models import Country


class CountryInUseFilter(admin.SimpleListFilter):
    """By country, offering only the countries of the rows the person may see (not all 249
    countries of the world), and only when there is more than one to choose from."""

    title = _("country")
    parameter_name = "country"
    # The path from a listed row to its country.
    country_path = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        rows = model_admin.get_queryset(request)
        countries = Country.objects.filter(pk__in=rows.values(self.country_path))
        return sorted(
            ((country.code, str(country)) for country in countries),
            key=lambda choice: latvian_sort_key(choice[1]),
        )

    def has_output(self) -> bool:
        return len(self.lookup_choices) > 1

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{f"{self.country_path}__code": self.value()})
        return queryset
