from django.contrib import admin

from asphub.countries.admin_filters import CountryInUseFilter
from asphub.roles.admin import CountryScopedAdmin

from .models import Page


@admin.register(Page)
class PageAdmin(CountryScopedAdmin):
    list_display = ["slug", "country", "title_lv", "title_en", "updated_at"]
    list_filter = [CountryInUseFilter, "slug"]
    fieldsets = (
        (None, {"fields": ("country", "slug")}),
        ("Latviešu", {"fields": ("title_lv", "summary_lv", "body_lv")}),
        ("English", {"fields": ("title_en", "summary_en", "body_en")}),
    )
