from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedConfig(AppConfig):
    """Loading data into a new platform: the reference data and Latvia's national network
    (`load_network`), and one demo sign-in per role for a local trial (`create_demo_users`)."""

    name = "asphub.seed"
    verbose_name = _("Initial data")
