from django.contrib import admin

from asphub.audit.admin import AuditedModelAdmin

from .models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)


class BilingualAdmin(AuditedModelAdmin):
    """The shared vocabulary is the platform's: its changes go into the platform's own log."""

    list_display = ["name_lv", "name_en", "slug"]
    search_fields = ["name_lv", "name_en", "slug"]


admin.site.register(ThematicArea, BilingualAdmin)
admin.site.register(Pillar, BilingualAdmin)


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(BilingualAdmin):
    list_display = ["number", "name_lv", "name_en"]


@admin.register(InternationalDay)
class InternationalDayAdmin(BilingualAdmin):
    list_display = ["name_lv", "name_en", "month", "day"]


@admin.register(FlagshipNetwork)
class FlagshipNetworkAdmin(BilingualAdmin):
    list_display = ["name_lv", "name_en", "status", "start_year", "end_year"]
    list_filter = ["status"]
