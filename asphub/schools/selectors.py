"""Reads of the school directory. Visibility rules live here, not in views or templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from asphub.core.bilingual import LocalizedText, current_content_language
from asphub.search.selectors import matching_ids, search
from asphub.taxonomy.models import FlagshipNetwork

from .models import (
    APPLICATION_STATUSES,
    PUBLIC_STATUSES,
    SEARCH_KIND,
    FlagshipParticipation,
    LocationPrecision,
    School,
)
from .page_cache import current_version, memoized


def public_schools() -> QuerySet[School]:
    """Schools any visitor may see: endorsed, candidates, members and dormant members."""
    return School.objects.filter(membership_status__in=PUBLIC_STATUSES)


def school_directory() -> QuerySet[School]:
    """The public directory in Latvian alphabetical order, with what a list row shows."""
    return (
        public_schools()
        # The country by a second query, not a join: with the join SQLite reads the schools
        # country by country and sorts them all, instead of walking the sort_key index.
        .select_related("subdivision")
        .prefetch_related(
            "country",
            Prefetch("flagship_networks", queryset=FlagshipNetwork.objects.order_by("position")),
        )
        .order_by("sort_key", "id")
    )


@dataclass(eq=False)
class DirectoryRow:
    """A school as a row of the directory shows it, read as values: building model objects
    with their subdivisions, countries and flagship networks cost more than the rest of the
    page's queries together."""

    pk: int
    name: str
    slug: str
    institution_type: str
    ownership: str
    membership_status: str
    settlement: str
    subdivision_name: str | None  # None: no municipality recorded
    flagships: tuple[LocalizedText, ...] = ()


_ROW_FIELDS = (
    "pk", "name", "slug", "institution_type", "ownership", "membership_status", "settlement",
    "subdivision__name",
)  # fmt: skip


def _flagship_badges() -> dict[int, tuple[LocalizedText, ...]]:
    """The names of each school's flagship networks in the current language, in the networks'
    order, for every school that takes part in one: kept per data version (see
    `_directory_rows`), a page then asks nothing about them. Read participations first: a
    network they name that is deleted meanwhile is left out rather than failing the page."""
    taken = list(FlagshipParticipation.objects.values_list("school_id", "flagship_id"))
    networks = {
        network.pk: ((network.position, network.slug), network.name)
        for network in FlagshipNetwork.objects.only("pk", "slug", "position", "name_lv", "name_en")
    }
    by_school: dict[int, list[tuple[tuple[int, str], LocalizedText]]] = {}
    for school_id, flagship_id in taken:
        if flagship_id in networks:
            by_school.setdefault(school_id, []).append(networks[flagship_id])
    return {
        school_id: tuple(name for _, name in sorted(badges, key=lambda badge: badge[0]))
        for school_id, badges in by_school.items()
    }


def _directory_rows(values: Sequence[dict]) -> list[DirectoryRow]:
    """Rows from `_ROW_FIELDS` values, each with its flagship networks. The networks of all
    schools are kept per data version, like the filters' option lists (participations and
    networks have the version's triggers): a few thousand pairs, cheaper to keep than to ask
    for on every page."""
    if not values:
        return []
    badges = memoized(
        current_version(), ("flagship_badges", current_content_language()), _flagship_badges
    )
    return [
        DirectoryRow(
            pk=value["pk"],
            name=value["name"],
            slug=value["slug"],
            institution_type=value["institution_type"],
            ownership=value["ownership"],
            membership_status=value["membership_status"],
            settlement=value["settlement"],
            subdivision_name=value["subdivision__name"],
            flagships=badges.get(value["pk"], ()),
        )
        for value in values
    ]


class _FoundSchools(Sequence):
    """One page of schools the search engine found, as the Paginator's object list: its
    length is the number found, and the page's slice is the rows already read."""

    def __init__(self, total: int, offset: int, rows: list[DirectoryRow]):
        self.total, self.offset, self.rows = total, offset, rows

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or (index.start or 0) != self.offset:
            raise IndexError("Only the page that was searched for can be read.")
        return self.rows


def school_directory_page(
    *,
    queryset: QuerySet[School] | None,
    query: str,
    filters: Mapping[str, Sequence[str]],
    number: str | None,
    per_page: int,
) -> Page:
    """A page of the public directory, in Latvian alphabetical order, as DirectoryRows. With a
    query, from the search engine: the schools matching it (every word, in the name, place,
    municipality or country) and the facet filters (country, subdivision, institution_type,
    ownership, status, flagship codes: the same filters as `queryset`'s, which is then not
    needed). Without one, `queryset` itself (the filtered directory), which needs no index. Like
    Paginator.get_page, a page number out of range gives the last page. A fixed number of
    queries, whatever the number of schools."""
    if not query:
        if queryset is None:
            raise ValueError("Without a query, the page is read from the queryset.")
        # Counted without the subdivision's join (which SQLite keeps in the COUNT, at three
        # times the cost); the page's rows are read with it.
        page = Paginator(queryset.select_related(None).prefetch_related(None), per_page).get_page(
            number
        )
        schools = cast(QuerySet[School], page.object_list)
        page.object_list = _directory_rows(list(schools.values(*_ROW_FIELDS)))  # type: ignore[assignment]
        return page
    try:
        wanted = max(1, int(number or 1))
    except (TypeError, ValueError):
        wanted = 1
    found = search(
        SEARCH_KIND,
        query=query,
        filters=filters,
        sort="title",
        offset=(wanted - 1) * per_page,
        limit=per_page,
    )
    last = max(1, -(-found.total // per_page))
    if wanted > last:
        wanted = last
        found = search(
            SEARCH_KIND,
            query=query,
            filters=filters,
            sort="title",
            offset=(wanted - 1) * per_page,
            limit=per_page,
        )
    # The directory's own visibility rule again: the index holds only public schools, and a
    # school that left them since is not shown even if its document were still there.
    by_id = {
        value["pk"]: value
        for value in public_schools().filter(pk__in=found.ids).values(*_ROW_FIELDS)
    }
    rows = _directory_rows([by_id[pk] for pk in found.ids if pk in by_id])
    paginator = Paginator(_FoundSchools(found.total, (wanted - 1) * per_page, rows), per_page)
    return paginator.page(wanted)


def school_search(queryset: QuerySet[School], query: str) -> QuerySet[School]:
    """Keep the schools the platform's search engine finds for the query, by name, place,
    municipality or country, ignoring diacritics, case and Latvian inflection ("cesu" finds
    "Cēsu", "Cēsīs"): every word must match. The index holds public schools only; the
    queryset keeps its own visibility rules and order."""
    return queryset.filter(pk__in=matching_ids(SEARCH_KIND, query))


def school_detail(slug: str) -> School:
    """A public school's profile; raises School.DoesNotExist for unknown or non-public ones."""
    return (
        public_schools()
        .select_related("country", "subdivision")
        .prefetch_related("flagshipparticipation_set__flagship")
        .get(slug=slug)
    )


def school_map_places(queryset: QuerySet[School]) -> list[list]:
    """The points where the queryset's located schools are, one per shared point, for the map:
    [latitude, longitude, number of schools, 1 if every school there is placed approximately
    (a town's centre) else 0]. Compact on purpose: names are fetched per point on demand
    (`school_map_place`): the world's 11,500 schools, 6,750 points, take 170 kB."""
    rows = (
        queryset.exclude(latitude__isnull=True)
        .order_by()
        .values("latitude", "longitude")
        .annotate(
            schools=Count("id"),
            exact=Count("id", filter=Q(location_precision=LocationPrecision.EXACT)),
        )
        .order_by("latitude", "longitude")
        .values_list("latitude", "longitude", "schools", "exact")
    )
    # Both coordinates or neither (a database constraint), and schools without are excluded.
    return [
        [
            float(cast(Decimal, latitude)),
            float(cast(Decimal, longitude)),
            schools,
            0 if exact else 1,
        ]
        for latitude, longitude, schools, exact in rows
    ]


def school_map_place(
    queryset: QuerySet[School], *, latitude: Decimal, longitude: Decimal, limit: int
) -> tuple[int, list[School]]:
    """The schools of the queryset at one point of the map: how many, and the first `limit`
    of them in the directory's order."""
    here = queryset.filter(latitude=latitude, longitude=longitude).prefetch_related(None)
    return here.count(), list(here[:limit])


def directory_counts(country_code: str | None = None) -> dict[str, int]:
    """Live figures for the home page, in one query: schools, municipalities, countries."""
    schools = public_schools()
    if country_code:
        schools = schools.filter(country__code=country_code)
    counts = schools.aggregate(
        schools=Count("id"),
        subdivisions=Count("subdivision", distinct=True),
        countries=Count("country", distinct=True),
        members=Count("id", filter=Q(membership_status="member")),
    )
    return {key: value or 0 for key, value in counts.items()}


def newest_members(limit: int = 5) -> QuerySet[School]:
    """Public schools that joined the network most recently, by the year they became members.
    Schools whose year of joining is not recorded are left out: when a row was added to the
    directory (an import) says nothing about when the school joined."""
    return (
        public_schools()
        .filter(member_since__isnull=False)
        .select_related("subdivision")
        .order_by("-member_since", "sort_key", "id")[:limit]
    )


def active_flagships_with_schools_count() -> int:
    """How many active flagship networks public schools take part in: the same participations
    the flagship pages list, so the home page's figure and those pages agree."""
    return (
        FlagshipNetwork.objects.filter(
            status=FlagshipNetwork.Status.ACTIVE,
            schools__membership_status__in=PUBLIC_STATUSES,
        )
        .distinct()
        .count()
    )


def flagship_schools(flagship: FlagshipNetwork) -> QuerySet[School]:
    """Public schools taking part in a flagship network, in Latvian alphabetical order."""
    return (
        public_schools()
        .filter(flagshipparticipation__flagship=flagship)
        .select_related("country", "subdivision")
        .order_by("sort_key", "id")
    )


def flagships_with_counts() -> QuerySet[FlagshipNetwork]:
    """Flagship networks, active ones first, each with how many public schools take part."""
    return FlagshipNetwork.objects.annotate(
        school_count=Count(
            "schools", filter=Q(schools__membership_status__in=PUBLIC_STATUSES), distinct=True
        )
    ).order_by("status", "position", "slug")


def name_taken_in_network(school: School) -> bool:
    """Whether another school of the country already holds this school's name: from
    endorsement on, a name is one school's alone (applicants may share one meanwhile)."""
    return (
        School.objects.filter(country_id=school.country_id, name__iexact=school.name)
        .exclude(membership_status__in=APPLICATION_STATUSES)
        .exclude(pk=school.pk)
        .exists()
    )
