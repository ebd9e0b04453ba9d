from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "asphub.partners"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Partner finding")
