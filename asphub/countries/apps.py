from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "asphub.countries"
    default_auto_field = "django.db.models.BigAutoField"
