from django.contrib import admin

from .models import Country, Subdivision


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_lv", "name_en", "has_national_network", "uses_candidate_stage"]
    list_filter = ["has_national_network"]
    search_fields = ["code", "name_lv", "name_en"]


@admin.register(Subdivision)
class SubdivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "country"]
    list_filter = ["country"]
    search_fields = ["code", "name"]
