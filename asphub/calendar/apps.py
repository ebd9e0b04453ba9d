from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "asphub.calendar"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Calendar")
