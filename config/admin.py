"""The administration site as asphub's, in correct Latvian.

Django's own Latvian catalogue puts a model's name into sentences in the nominative case
("Pievienot skola", "Labot skola"), which Latvian grammar does not allow, and it names Django
where people expect asphub. The strings below are those sentences: they are listed here so that
`make messages` keeps them in locale/lv, where they are worded to fit any name ("Pievienot:
skola"); the project's catalogue comes before Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy


class AdminSite(admin.AdminSite):
    site_header = _("asphub administration")
    site_title = _("asphub administration")
    index_title = _("Administration")

    # Apps and models whose own names are not translatable (plain strings, or none at all).
    APP_NAMES = {
        "axes": _("Sign-in protection"),
        "django_tasks_database": _("Task queue"),
        "mfa": _("Two-factor sign-in"),
    }
    MODEL_NAMES = {("mfa", "Authenticator"): _("Authenticator apps")}

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = self.APP_NAMES.get(app["app_label"], app["name"])
            for model in app["models"]:
                key = (app["app_label"], model["object_name"])
                model["name"] = self.MODEL_NAMES.get(key, model["name"])
        return app_list


# Django's admin sentences, re-translated in locale/lv (see the module's docstring).
ADMIN_SENTENCES = (
    gettext_noop("Add %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the '
        "following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but "
        "your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Django site admin"),
    gettext_noop("Django administration"),
    gettext_noop("Site administration"),
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
        "count",
    ),
    ngettext_lazy("%(counter)s result", "%(counter)s results", "counter"),
    # django-axes' and django-tasks' names of their records, which they leave untranslated.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
