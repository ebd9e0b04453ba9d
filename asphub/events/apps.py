"""The national coordinator's network events (planning seminars, summer schools, conferences):
registration per school naming members of its team, capacity, a waiting list promoted
automatically, reminders and attendance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from asphub.schools.profile_sections import register_viewer_profile_section


class EventsConfig(AppConfig):
    name = "asphub.events"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Network events")

    def ready(self) -> None:
        # Models can be imported only once the apps are loaded.
        from .selectors import school_attendance_section

        # The school's attendance, on its profile for its own people and its national
        # coordinator only (never in the page kept for anonymous visitors).
        register_viewer_profile_section(
            "events/_school_section.html", school_attendance_section, position=50
        )
