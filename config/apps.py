from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app with asphub's administration site (config/admin.py)."""

    default_site = "config.admin.AdminSite"
