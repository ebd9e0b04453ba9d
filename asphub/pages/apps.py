from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "asphub.pages"
    default_auto_field = "django.db.models.BigAutoField"
