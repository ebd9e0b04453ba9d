from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from asphub.search.registry import register_kind


class SchoolsConfig(AppConfig):
    name = "asphub.schools"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Schools")

    def ready(self) -> None:
        from .models import SEARCH_KIND, school_search_rebuild

        # The search app is below this one: it learns here how to rebuild the schools' part.
        register_kind(SEARCH_KIND, school_search_rebuild)
