from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "asphub.events"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Network events")
