"""What the audit log's object columns say, in the reader's language.

An entry records its object's label once, in the site's default language (Latvian), so that the
log reads the same for everyone. Some labels are words rather than names (a role, a country, a
page), and an English reader would read them in Latvian. For those kinds of object the log
shows the object as it is now, in the reader's language, fetched for a whole page of entries
at once (one query per kind); an object that is gone keeps its recorded label, and so does an
entry whose label a deleted account's data was scrubbed to ("former member").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from asphub.audit.models import AuditEntry, StandIn
from asphub.countries.models import Country
from asphub.pages.models import Page
from asphub.roles.models import Invitation, RoleAssignment
from asphub.taxonomy.models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)

# The kinds of object whose label depends on the reader's language, and how to fetch some of
# them by id with what their label needs (a school's or country's name). Schools and people
# are labelled by their names, the same in every language: their recorded labels stay.
RELABELLED: dict[str, Callable[[list[str]], QuerySet]] = {
    "roles.roleassignment": lambda ids: RoleAssignment.objects.filter(pk__in=ids).select_related(
        "school", "country"
    ),
    "roles.invitation": lambda ids: Invitation.objects.filter(pk__in=ids).select_related(
        "school", "country"
    ),
    "countries.country": lambda ids: Country.objects.filter(pk__in=ids),
    "pages.page": lambda ids: Page.objects.filter(pk__in=ids),
    **{
        model._meta.label_lower: (lambda ids, model=model: model.objects.filter(pk__in=ids))
        for model in (
            FlagshipNetwork,
            InternationalDay,
            Pillar,
            SustainableDevelopmentGoal,
            ThematicArea,
        )
    },
}


def object_labels(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The object column of each of these entries (by entry id), in the reader's language."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if _relabelled(entry):
            wanted[entry.object_type].add(entry.object_id)
    now: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        for obj in RELABELLED[object_type](sorted(ids)):
            now[(object_type, str(obj.pk))] = str(obj)
    return {
        entry.pk: now.get((entry.object_type, entry.object_id), entry.what) for entry in entries
    }


def _relabelled(entry: AuditEntry) -> bool:
    return (
        entry.object_type in RELABELLED
        and entry.object_id.isdigit()
        and entry.object_label not in StandIn.values
    )


def object_type_label(object_type: str) -> str:
    """The kind of object in words ("role", "lomas"); the recorded code if it is unknown."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError, ImproperlyConfigured):
        return object_type
    return str(model._meta.verbose_name)
