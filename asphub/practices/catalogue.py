"""The public catalogue's search: the request's query, filters and sort read into a search of
the platform's engine, and its facets given labels a reader understands. Unknown values are
ignored (a link from an old page still works); nothing here can reveal an unpublished item,
since only published items are in the index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import Subdivision
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


def _labels(name: str, values: Sequence[str]) -> dict[str, str]:
    """Labels of one facet's values, in one query at most (only for the values shown)."""
    choices = {
        "kind": PracticeKind,
        "level": EducationLevel,
        "language": ContentLanguage,
        "licence": Licence,
    }
    if name in choices:
        return {value: str(label) for value, label in choices[name].choices}
    if name == "theme":
        return {a.slug: str(a) for a in ThematicArea.objects.filter(slug__in=values)}
    if name == "pillar":
        return {p.slug: str(p) for p in Pillar.objects.filter(slug__in=values)}
    if name == "flagship":
        return {f.slug: str(f) for f in FlagshipNetwork.objects.filter(slug__in=values)}
    if name == "sdg":
        numbers = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 3]
        return {
            str(goal.number): f"{goal.number}. {goal}"
            for goal in SustainableDevelopmentGoal.objects.filter(number__in=numbers)
        }
    if name == "school":
        # Listed schools only: a filter value must not confirm that an application exists.
        return dict(public_schools().filter(slug__in=values).values_list("slug", "name"))
    if name == "municipality":
        return {s.code: str(s) for s in Subdivision.objects.filter(code__in=values)}
    return {value: value for value in values}


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
    facets = []
    for name in FACETS:
        counted = result.facets.get(name, [])
        chosen = set(filters.get(name, []))
        shown = counted[:FACET_VALUES_SHOWN]
        # A chosen value stays visible (to be unticked) even when it counts nothing now.
        shown_values = {value for value, _count in shown}
        shown += [(value, 0) for value in sorted(chosen - shown_values)]
        if not shown:
            continue
        labels = _labels(name, [value for value, _count in shown])
        facets.append(
            Facet(
                name=name,
                title=str(FACET_TITLES[name]),
                values=[
                    FacetValue(
                        value=value,
                        label=labels.get(value, value),
                        count=count,
                        selected=value in chosen,
                        dom_id=f"facet-{name}-{slugify(value)}",
                        count_text=str(count),
                    )
                    for value, count in shown
                    if value in labels or name == "year"
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
