from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    """Roles per school and country, invitations, and the one permission layer."""

    name = "asphub.roles"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Roles and invitations")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
