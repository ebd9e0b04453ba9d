from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: its model, the one writer (`services.audit_record`), its readers and
    labels. It imports no other app of the project, so that every app can record into it;
    the pages where people read the log are in the workspace."""

    name = "asphub.audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Audit log")
