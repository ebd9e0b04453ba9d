"""What a school does on UNESCO topics: projects, events, seminars, special lessons, campaign weeks,
international-day observances, exchanges and contests, with their participants (counts only),
partners, photos (with a recorded consent) and the practice they produced."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from asphub.schools.profile_sections import register_profile_section


class ActivitiesConfig(AppConfig):
    name = "asphub.activities"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Activities")

    def ready(self) -> None:
        # Models can be imported only once the apps are loaded.
        from .selectors import school_profile_section

        # The school's profile (schools app, below this one) lists its public activities,
        # after its library items.
        register_profile_section(
            "activities/_school_section.html", school_profile_section, position=10
        )
