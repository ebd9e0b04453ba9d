from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """Outgoing e-mail. Every message is written to the task queue in the transaction of the
    change that causes it and handed to the mail server by the worker (`manage.py db_worker`),
    which tries again when the server is down, slow or refuses for a while. It imports only
    `core` and `audit`, so that every app can send."""

    name = "asphub.mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the configuration checks)
