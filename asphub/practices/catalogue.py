"""The public catalogue's search: the request's query, filters and sort read into a search of
the platform's engine, and its facets given labels a reader understands. Unknown values are
ignored (a link from an old page still works); nothing here can reveal an unpublished item,
since only published items are in the index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connections, router
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import current_content_language, localized
from asphub.countries.models import Subdivision
from asphub.schools.page_cache import current_version, memoized
from asphub.schools.selectors import public_schools
from asphub.search.selectors import SearchResult, search
from asphub.taxonomy.models import FlagshipNetwork, Pillar, SustainableDevelopmentGoal, ThematicArea

from .indexing import FACETS, SEARCH_KIND
from .models import ContentLanguage, EducationLevel, Licence, PracticeKind

PAGE_SIZE = 20
MAX_QUERY_CHARS = 200
# Values a filter may name at once (more than any real reader chooses).
MAX_VALUES_PER_FILTER = 20
FACET_VALUES_SHOWN = 12
SORTS = {
    "relevance": _("Relevance"),
    "newest": _("Newest"),
    "title": _("Title"),
}
FACET_TITLES = {
    "kind": _("Kind"),
    "level": _("Education level"),
    "theme": _("Thematic area"),
    "pillar": _("Pillar of education"),
    "sdg": _("Sustainable Development Goal"),
    "flagship": _("Flagship network"),
    "language": _("Language"),
    "licence": _("Licence"),
    "school": _("School"),
    "municipality": _("Municipality"),
    "year": _("Year published"),
}
# Filters that are not facets shown with counts, but may be set by links.
EXTRA_FILTERS = ("country", "recommended")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    # Worked out here rather than by template filters: a catalogue page shows up to 130 of
    # these, and each filter or localized number there costs a translation lookup.
    dom_id: str = ""
    count_text: str = ""


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(value.selected for value in self.values)


@dataclass
class CatalogueSearch:
    query: str
    sort: str
    page_number: int
    filters: dict[str, list[str]]
    result: SearchResult
    facets: list[Facet]

    @property
    def has_values(self) -> bool:
        return bool(self.query or self.filters)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.result.total // PAGE_SIZE))


def read_filters(data: QueryDict | Mapping) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for name in (*FACETS, *EXTRA_FILTERS):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else ([data[name]] if name in data else [])
        cleaned = [str(v)[:100] for v in values if str(v).strip()][:MAX_VALUES_PER_FILTER]
        if cleaned:
            filters[name] = list(dict.fromkeys(cleaned))
    return filters


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


def name_in(language: str, name_lv: str, name_en: str) -> str:
    """A bilingual name in `language`, falling back to the other (as str() of the models)."""
    return localized(SimpleNamespace(name_lv=name_lv, name_en=name_en), "name", language).text


_CHOICES = {
    "kind": PracticeKind,
    "level": EducationLevel,
    "language": ContentLanguage,
    "licence": Licence,
}
# Translated once per process and language: the labels are the code's own and the
# translations do not change while it runs (each lazy label costs a lookup of the active
# language, some 40 per page).
_translated: dict[tuple[str | None, str], dict[str, str]] = {}


def _translated_once(language: str | None, what: str) -> dict[str, str]:
    """`language`: the active translation's (get_language(); None when none is active)."""
    key = (language, what)
    if key not in _translated:
        if what == "titles":
            _translated[key] = {name: str(title) for name, title in FACET_TITLES.items()}
        else:
            _translated[key] = {value: str(label) for value, label in _CHOICES[what].choices}
    return _translated[key]


# The vocabulary tables a facet names values of, with the column a value is.
_TAXONOMY = {"theme": ThematicArea, "pillar": Pillar, "sdg": SustainableDevelopmentGoal}


def _taxonomy_labels(shown: Mapping[str, Sequence[str]], language: str) -> dict[str, dict]:
    """The labels of the thematic areas, pillars and goals shown, in one query without the
    ORM (which built whole objects, descriptions included, in three: 1.7 ms a page). These
    tables have no data version, so they are read on every page rather than kept."""
    connection = connections[router.db_for_read(ThematicArea)]
    quote = connection.ops.quote_name
    parts, params = [], []
    for name, model in _TAXONOMY.items():
        values: list[str | int] = list(shown.get(name, ()))
        if name == "sdg":
            values = [
                int(v) for v in shown.get(name, ()) if v.isascii() and v.isdigit() and len(v) <= 3
            ]
        if not values:
            continue
        column = "number" if name == "sdg" else "slug"
        number = quote("number") if name == "sdg" else "0"
        parts.append(
            f"SELECT %s, {quote('slug')}, {number}, {quote('name_lv')}, {quote('name_en')}"
            f" FROM {quote(model._meta.db_table)}"
            f" WHERE {quote(column)} IN ({', '.join(['%s'] * len(values))})"
        )
        params += [name, *values]
    labels: dict[str, dict] = {name: {} for name in _TAXONOMY}
    if not parts:
        return labels
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for name, slug, number, name_lv, name_en in cursor.fetchall():
            text = name_in(language, name_lv, name_en)
            if name == "sdg":
                labels[name][str(number)] = f"{number}. {text}"
            else:
                labels[name][slug] = text
    return labels


def _directory_labels(version: str, name: str, language: str) -> dict[str, str]:
    """Every school's, municipality's or flagship network's label, kept in this process under
    the directory's data version: its triggers cover exactly these tables (schools,
    subdivisions, flagship networks), so the labels are never older than the data. Listed
    schools only: a filter value must not confirm that an application exists."""

    def build() -> dict[str, str]:
        if name == "school":
            return dict(public_schools().values_list("slug", "name"))
        if name == "municipality":
            # A subdivision's label is its name (Subdivision.__str__).
            return dict(Subdivision.objects.values_list("code", "name"))
        return {
            slug: name_in(language, name_lv, name_en)
            for slug, name_lv, name_en in FlagshipNetwork.objects.values_list(
                "slug", "name_lv", "name_en"
            )
        }

    # Names of schools and municipalities are not translated: one map for every language.
    key = ("practices.catalogue.labels", name, language if name == "flagship" else "")
    return memoized(version, key, build)


def _labels(shown: Mapping[str, Sequence[str]]) -> dict[str, Mapping[str, str]]:
    """The labels of every facet's values shown, by facet: at most one query, and one read of
    the data version."""
    language = current_content_language()
    version = None
    labels: dict[str, Mapping[str, str]] = {}
    for name in shown:
        if name in _CHOICES:
            labels[name] = _translated_once(get_language(), name)
        elif name in ("school", "municipality", "flagship"):
            if version is None:
                # Read before the labels it keeps (see asphub.schools.page_cache).
                version = current_version()
            labels[name] = _directory_labels(version, name, language)
        elif name == "year":
            labels[name] = {value: value for value in shown[name]}
    if any(name in _TAXONOMY for name in shown):
        labels.update(_taxonomy_labels(shown, language))
    return labels


def catalogue_search(data: QueryDict) -> CatalogueSearch:
    query = (data.get("q") or "")[:MAX_QUERY_CHARS]
    sort = data.get("sort") or ""
    if sort not in SORTS:
        sort = "relevance" if query.strip() else "newest"
    filters = read_filters(data)
    page_number = _page_number(data.get("page"))
    result = search(
        SEARCH_KIND,
        query=query,
        filters=filters,
        sort=sort,
        offset=(page_number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        facets=FACETS,
        # More would not be shown (a chosen value beyond them is shown with 0, as before).
        max_values=FACET_VALUES_SHOWN,
    )
    shown_by_facet: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        counted = result.facets.get(name, [])
        chosen = set(filters.get(name, []))
        shown = counted[:FACET_VALUES_SHOWN]
        # A chosen value stays visible (to be unticked) even when it counts nothing now.
        shown_values = {value for value, _count in shown}
        shown += [(value, 0) for value in sorted(chosen - shown_values)]
        if shown:
            shown_by_facet[name] = shown
    labels = _labels(
        {name: [value for value, _count in shown] for name, shown in shown_by_facet.items()}
    )
    titles = _translated_once(get_language(), "titles")
    facets = []
    for name, shown in shown_by_facet.items():
        chosen = set(filters.get(name, []))
        facet_labels = labels.get(name, {})
        facets.append(
            Facet(
                name=name,
                title=titles[name],
                values=[
                    FacetValue(
                        value=value,
                        label=facet_labels[value],
                        count=count,
                        selected=value in chosen,
                        dom_id=f"facet-{name}-{slugify(value)}",
                        count_text=str(count),
                    )
                    for value, count in shown
                    if value in facet_labels
                ],
            )
        )
    return CatalogueSearch(
        query=query,
        sort=sort,
        page_number=page_number,
        filters=filters,
        result=result,
        facets=facets,
    )
