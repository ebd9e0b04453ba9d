"""Reads of the schools' activities. Who sees what is decided here and in
asphub.roles.permissions (can_view_activity), never in views or templates: a network-only
activity is found only by people with a role in its country's network, so that no list, page or
photo shows it to anyone else."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from asphub.practices.models import Practice
from asphub.roles.permissions import Visitor, network_countries, roles_of
from asphub.schools.models import PUBLIC_STATUSES, School

from .models import Activity, ActivityPhoto, ActivityVisibility

# Rows of a list page (a school's activities, in the workspace and in public).
PAGE_SIZE = 25
# How many of its public activities a school's profile lists (the full list has them all).
PROFILE_ITEMS = 5


# An activity is shown only while its school is listed in the directory: a school that
# withdrew or was excluded has no public profile or feed, and its activities leave the
# calendar, the feeds and their pages too (as permissions.can_view_activity). Written as a
# check of each activity's own school (EXISTS on its primary key): the database reads the
# activities by their dates, as the calendar's indexes (which end with the school) give them,
# and looks each school up. A join on the school's status let SQLite read every listed
# school's activities first (the month's "going on from before": 140 ms at 300,000
# activities), and "not one of the unlisted schools" read the schools' index again for each
# day of a month (docs/benchmarks.md, "Calendar and activities").
LISTED_SCHOOL = Q(
    Exists(School.objects.filter(pk=OuterRef("school_id"), membership_status__in=PUBLIC_STATUSES))
)


def public_activities() -> QuerySet[Activity]:
    """What anyone may read: the public activities of the schools in the directory."""
    return Activity.objects.filter(LISTED_SCHOOL, visibility=ActivityVisibility.PUBLIC)


def activities_visible_to(viewer: Visitor) -> QuerySet[Activity]:
    """Every activity this person may read (as permissions.can_view_activity): of the schools
    in the directory, public ones and network-only ones of the countries in whose network they
    hold a role; and whatever the school's status, their own schools' activities and, for a
    national coordinator, their country's (all of them for administrators)."""
    roles = roles_of(viewer)
    if roles.administrator:
        return Activity.objects.all()
    countries = network_countries(roles)
    own = Q(school_id__in=roles.schools) | Q(country_id__in=roles.national_coordinator_in)
    if not countries and not roles.schools:
        return public_activities()
    readable = Q(visibility=ActivityVisibility.PUBLIC) | Q(country_id__in=countries)
    return Activity.objects.filter((LISTED_SCHOOL & readable) | own)


def newest_first(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.order_by("-starts_on", "-id")


def school_activities(school: School, viewer: Visitor) -> QuerySet[Activity]:
    """The school's activities this person may read, newest first (its own people and the
    national coordinator: all of them; others: the public ones)."""
    return newest_first(activities_visible_to(viewer).filter(school=school))


def school_public_activities(school: School) -> QuerySet[Activity]:
    """The school's public activities, newest first (its public list and profile)."""
    return newest_first(public_activities().filter(school=school))


def page_of(activities: QuerySet[Activity], number: Any) -> Page:
    """One page of a list: two queries (the count and the rows) however long the list is."""
    return Paginator(activities, PAGE_SIZE).get_page(number)


def with_page_details(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """What an activity's page shows, in a fixed number of queries."""
    return activities.select_related(
        "school", "country", "flagship", "international_day", "produced_practice"
    ).prefetch_related(
        "thematic_areas",
        "pillars",
        "sdgs",
        "links",
        Prefetch(
            "partner_schools",
            queryset=School.objects.filter(membership_status__in=PUBLIC_STATUSES).order_by(
                "sort_key", "id"
            ),
        ),
        Prefetch("photos", queryset=ActivityPhoto.objects.order_by("position", "id")),
    )


def activity_for(viewer: Visitor, pk: int) -> Activity:
    """An activity's page for this person; Activity.DoesNotExist when it is unknown or not
    theirs to read (so a network-only activity is not found rather than refused)."""
    return with_page_details(activities_visible_to(viewer)).get(pk=pk)


def visible_photo(viewer: Visitor, activity_pk: int, photo_pk: int) -> ActivityPhoto:
    """A photo of an activity this person may read; ActivityPhoto.DoesNotExist otherwise."""
    return ActivityPhoto.objects.only("pk", "image", "content_type", "activity_id").get(
        pk=photo_pk,
        activity_id=activity_pk,
        activity__in=activities_visible_to(viewer).values("pk"),
    )


def school_profile_section(school: School) -> dict[str, Any]:
    """The school's latest public activities for its public profile: one query, two when
    there are more than the profile lists."""
    items = list(school_public_activities(school)[: PROFILE_ITEMS + 1])
    total = len(items)
    if total > PROFILE_ITEMS:
        total = school_public_activities(school).count()
    return {
        "items": items[:PROFILE_ITEMS],
        "more": total > PROFILE_ITEMS,
        "total": total,
        "school_slug": school.slug,
        "school_pk": school.pk,  # for the address of its iCal feed
    }


# -- what the editor offers -------------------------------------------------------------------


def own_practice_choices(school: School, current_pk: int | None = None) -> QuerySet[Practice]:
    """What the editor offers as the library item an activity produced: the school's own items
    (any status), and the one the activity names already (kept when it is another's)."""
    wanted = Q(school=school) | Q(pk=current_pk) if current_pk else Q(school=school)
    return Practice.objects.filter(wanted).only("pk", "title").order_by("title", "id")
