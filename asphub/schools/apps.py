from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "asphub.schools"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .versioning import connect_signals

        connect_signals()
