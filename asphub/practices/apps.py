from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from asphub.schools.profile_sections import register_profile_section
from asphub.search.registry import register_kind


class PracticesConfig(AppConfig):
    name = "asphub.practices"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Library")

    def ready(self) -> None:
        # Models can be imported only once the apps are loaded.
        from .indexing import SEARCH_KIND, rebuild_practice_index
        from .selectors import school_profile_section

        # The search app is below this one: it learns here how to rebuild the library's part.
        register_kind(SEARCH_KIND, rebuild_practice_index)
        register_profile_section("practices/_school_section.html", school_profile_section)
