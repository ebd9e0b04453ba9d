from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The signed-in workspace, on top of every other app: each person's dashboard, a school's
    and a country's team, the audit log, and one's own account (profile, personal data,
    deletion)."""

    name = "asphub.workspace"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Workspace")
