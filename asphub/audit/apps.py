from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Reading the audit log. Entries are written by services (asphub.core.audit)."""

    name = "asphub.audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Audit log")
