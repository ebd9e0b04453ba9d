"""Reads of the school directory. Visibility rules live here, not in views or templates."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.db.models import Count, Prefetch, Q, QuerySet

from asphub.core.text import query_terms
from asphub.taxonomy.models import FlagshipNetwork

from .models import APPLICATION_STATUSES, PUBLIC_STATUSES, LocationPrecision, School


def public_schools() -> QuerySet[School]:
    """Schools any visitor may see: endorsed, candidates, members and dormant members."""
    return School.objects.filter(membership_status__in=PUBLIC_STATUSES)


def school_directory() -> QuerySet[School]:
    """The public directory in Latvian alphabetical order, with what a list row shows."""
    return (
        public_schools()
        .select_related("country", "subdivision")
        .prefetch_related(
            Prefetch("flagship_networks", queryset=FlagshipNetwork.objects.order_by("position"))
        )
        .order_by("sort_key", "id")
    )


def school_search(queryset: QuerySet[School], query: str) -> QuerySet[School]:
    """Keep schools whose name has, for every query word, a word starting with that word's
    stem or plain form, ignoring diacritics and case ("cesu" finds "Cēsu", "Cēsīs")."""
    for forms in query_terms(query):
        condition = Q()
        # A word that starts with "vidusskola" also starts with "vidusskol": a form that
        # extends another form of the same word adds nothing but a second scan of the column.
        for form in forms:
            if not any(other != form and form.startswith(other) for other in forms):
                condition |= Q(search_text__contains=f" {form}")
        queryset = queryset.filter(condition)
    return queryset


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
