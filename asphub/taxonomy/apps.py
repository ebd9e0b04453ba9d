from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "asphub.taxonomy"
    default_auto_field = "django.db.models.BigAutoField"
