from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from asphub.countries.admin_filters import CountryInUseFilter
from asphub.roles.admin import CountryScopedAdmin

from .models import FlagshipParticipation, MembershipChange, School, TeamMember
from .services import membership_history_start


class FlagshipParticipationInline(admin.TabularInline):
    model = FlagshipParticipation
    extra = 0
    autocomplete_fields = ["flagship"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class MembershipHistoryInline(admin.TabularInline):
    """The history is written by the lifecycle's service only: shown here, never edited."""

    model = MembershipChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "action", "reason", "actor_label"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(School)
class SchoolAdmin(CountryScopedAdmin):
    list_display = ["name", "institution_type", "ownership", "subdivision", "membership_status"]
    list_filter = [CountryInUseFilter, "membership_status", "institution_type", "ownership"]
    search_fields = ["name", "settlement"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["subdivision"]
    inlines = [TeamMemberInline, FlagshipParticipationInline, MembershipHistoryInline]
    list_select_related = ["subdivision"]

    def get_readonly_fields(self, request, obj=None):
        # A school's status moves only along the lifecycle, in the membership pages; the
        # administration sets the status a school it adds starts with.
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("membership_status")
        return readonly

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            if not change:
                obj.status_changed_at = timezone.now()
            super().save_model(request, obj, form, change)
            if not change:
                membership_history_start([obj], actor=request.user)
