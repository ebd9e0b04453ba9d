from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "asphub.schools"
    default_auto_field = "django.db.models.BigAutoField"
