from typing import Any

from django.contrib import admin

from asphub.audit.admin import AuditedModelAdmin

from .admin_filters import CountryInUseFilter
from .models import Country, Subdivision


@admin.register(Country)
class CountryAdmin(AuditedModelAdmin):
    """A change to a country's rules is recorded in that country's log."""

    list_display = ["code", "name_lv", "name_en", "has_national_network", "uses_candidate_stage"]
    list_filter = ["has_national_network"]
    search_fields = ["code", "name_lv", "name_en"]

    def audit_country_codes(self, obj: Any) -> list[str]:
        return [obj.code]


@admin.register(Subdivision)
class SubdivisionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "country"]
    list_filter = [CountryInUseFilter]
    search_fields = ["code", "name"]

    def audit_country_codes(self, obj: Any) -> list[str]:
        return [obj.country.code]
