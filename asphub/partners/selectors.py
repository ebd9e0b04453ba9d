"""Reads of partner finding. Which notices are listed is decided here: an active notice of a
school in the network (the public directory's statuses) that has a coordinator to write to.
What a listed row shows is what the public directory shows of the school, and the notice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from asphub.accounts.models import User
from asphub.core.text import latvian_sort_key
from asphub.countries.models import Country
from asphub.practices.models import ContentLanguage, EducationLevel
from asphub.roles.models import Role, RoleAssignment
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.taxonomy.models import ThematicArea

from .models import PartnerSearch, PartnerSearchLanguage, PartnerSearchLevel


def _has_coordinator() -> Exists:
    return Exists(
        RoleAssignment.objects.active().filter(
            role=Role.SCHOOL_COORDINATOR, school_id=OuterRef("school_id"), user__is_active=True
        )
    )


def listed_partner_searches() -> QuerySet[PartnerSearch]:
    """Every notice anyone may browse: active, of a school in the network, with a coordinator
    who receives the messages; newest change first."""
    return (
        PartnerSearch.objects.filter(active=True, school__membership_status__in=PUBLIC_STATUSES)
        .filter(_has_coordinator())
        .order_by("-updated_at", "-id")
    )


def countries_by_name(countries: Iterable[Country]) -> list[Country]:
    """The countries in alphabetical order of their names in the reader's language (Latvian
    order: "Čehija" after "Centrālāfrikas Republika", before "Dānija")."""
    return sorted(countries, key=lambda country: (latvian_sort_key(country.name), country.code))


def with_row_details(searches: QuerySet[PartnerSearch]) -> QuerySet[PartnerSearch]:
    """What a row shows, in a fixed number of queries for any page: the school (its country
    and municipality), the themes, the countries wanted, the levels and the languages."""
    return searches.select_related(
        "school", "school__country", "school__subdivision"
    ).prefetch_related(
        Prefetch("themes", queryset=ThematicArea.objects.order_by("position", "slug")),
        Prefetch("countries", queryset=Country.objects.order_by("name_en")),
        Prefetch("levels", queryset=PartnerSearchLevel.objects.order_by("id")),
        Prefetch("languages", queryset=PartnerSearchLanguage.objects.order_by("id")),
    )


def listed_partner_search(school_pk: int) -> PartnerSearch:
    """A listed notice with its school, for the page that writes to the school; raises
    PartnerSearch.DoesNotExist for a school that is not listed (or does not exist)."""
    return with_row_details(listed_partner_searches()).get(school_id=school_pk)


def partner_search_of(school: School) -> PartnerSearch | None:
    """The school's notice, listed or not (for its coordinator's form)."""
    return with_row_details(PartnerSearch.objects.filter(school=school)).first()


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def coordinator_recipients(school: School) -> list[Recipient]:
    """Whom a message to the school goes to: its active coordinators, each in their own
    language (one message each, so that no one's address reaches another)."""
    people = User.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.active()
        .filter(role=Role.SCHOOL_COORDINATOR, school=school)
        .values("user_id"),
    ).order_by("pk")
    seen: dict[str, Recipient] = {}
    for person in people:
        seen.setdefault(person.email.lower(), Recipient(person.email, person.preferred_language))
    return list(seen.values())


def ordered_levels(search: PartnerSearch) -> list[str]:
    """The notice's level codes in the choices' order (from the prefetched rows)."""
    chosen = {row.level for row in search.levels.all()}
    return [value for value in EducationLevel.values if value in chosen]


def ordered_languages(search: PartnerSearch) -> list[str]:
    chosen = {row.language for row in search.languages.all()}
    return [value for value in ContentLanguage.values if value in chosen]
