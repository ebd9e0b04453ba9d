from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People who sign in: the user model, sign-in (django-allauth, lockout), profiles."""

    name = "asphub.accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Accounts")
