"""Reads of the school directory. Visibility rules live here, not in views or templates."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from asphub.core.text import query_terms
from asphub.taxonomy.models import FlagshipNetwork

from .models import PUBLIC_STATUSES, School


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


def school_map_points(queryset: QuerySet[School]) -> list[dict]:
    """Name, link and position of every located school in the queryset, for the map."""
    rows = (
        queryset.exclude(latitude__isnull=True)
        .order_by()
        .values("name", "slug", "latitude", "longitude", "location_precision")
    )
    return [
        {
            "name": row["name"],
            "slug": row["slug"],
            "lat": float(row["latitude"] or 0),
            "lng": float(row["longitude"] or 0),
            "approximate": row["location_precision"] != "exact",
        }
        for row in rows
    ]


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


def newest_schools(limit: int = 5) -> QuerySet[School]:
    return public_schools().select_related("subdivision").order_by("-created_at", "-id")[:limit]


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
