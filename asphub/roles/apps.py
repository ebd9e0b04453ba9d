from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    name = "asphub.roles"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Roles and invitations")
