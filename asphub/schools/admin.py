from django.contrib import admin

from asphub.countries.admin_filters import CountryInUseFilter
from asphub.roles.admin import CountryScopedAdmin

from .models import FlagshipParticipation, School


class FlagshipParticipationInline(admin.TabularInline):
    model = FlagshipParticipation
    extra = 0
    autocomplete_fields = ["flagship"]


@admin.register(School)
class SchoolAdmin(CountryScopedAdmin):
    list_display = ["name", "institution_type", "ownership", "subdivision", "membership_status"]
    list_filter = [CountryInUseFilter, "membership_status", "institution_type", "ownership"]
    search_fields = ["name", "settlement"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["subdivision"]
    inlines = [FlagshipParticipationInline]
    list_select_related = ["subdivision"]
