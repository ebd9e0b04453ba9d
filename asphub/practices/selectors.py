"""Reads of the library. Who sees what is decided here and in asphub.roles.permissions, never in
views or templates: a draft is found only by its school, so that no list, feed, export, sitemap
or harvest can show it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from asphub.countries.models import Country
from asphub.roles.permissions import Visitor, roles_of
from asphub.schools.models import School
from asphub.taxonomy.models import ThematicArea

from .models import (
    MIN_REVIEWERS,
    PUBLISHED_STATUSES,
    READABLE_STATUSES,
    Practice,
    PracticeFile,
    PracticeStatus,
    ReviewAssignment,
    ReviewScore,
)


def published_practices() -> QuerySet[Practice]:
    """What the public library lists, feeds, exports and harvests: published items (not
    archived ones)."""
    return Practice.objects.filter(status__in=PUBLISHED_STATUSES)


def readable_practices() -> QuerySet[Practice]:
    """What has a public page: published items and archived ones (marked as archived)."""
    return Practice.objects.filter(status__in=READABLE_STATUSES)


def harvestable_practices() -> QuerySet[Practice]:
    """What OAI-PMH reports: published items, and archived ones as deleted records."""
    return readable_practices()


@dataclass(frozen=True)
class CatalogueRow:
    """What a catalogue row shows of one item, read as plain values: building 20 Practice,
    School, Subdivision, Country and FlagshipNetwork objects (with every column, the body
    included) and a prefetch of ThematicArea objects cost more than the search itself."""

    pk: int
    kind: str
    language: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    published_at: datetime | None
    recommended: bool
    # None for the national coordinator's network-level materials (the row names the country).
    school_name: str | None
    country_name_lv: str
    country_name_en: str
    # The item's thematic areas as (name_lv, name_en), in the areas' own order (position, slug).
    thematic_areas: tuple[tuple[str, str], ...]


def _catalogue_rows_sql(count: int) -> str:
    """The row query for `count` ids, written once per process and size: compiling the same
    query with the ORM took a quarter of an uncached catalogue page. Names come from the
    models, so that a renamed table or column cannot leave this behind."""
    key = (connection.vendor, count)
    if key not in _ROWS_SQL:
        quote = connection.ops.quote_name
        practice, school, country = Practice._meta, School._meta, Country._meta
        area = ThematicArea._meta
        through = Practice.thematic_areas.through._meta

        def column(meta, name: str) -> str:
            return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

        def p(name: str) -> str:
            return column(practice, name)

        def a(name: str) -> str:
            return column(area, name)

        link_practice = column(through, "practice")
        link_area = column(through, "thematicarea")
        columns = [
            p("id"), p("kind"), p("language"), p("title"), p("title_en"), p("summary"),
            p("summary_en"), p("published_at"), p("recommended"), p("school"),
            column(school, "name"), column(country, "name_lv"), column(country, "name_en"),
            a("name_lv"), a("name_en"),
        ]  # fmt: skip
        statuses = ", ".join(["%s"] * len(PUBLISHED_STATUSES))
        ids = ", ".join(["%s"] * count)
        _ROWS_SQL[key] = (
            f"SELECT {', '.join(columns)} FROM {quote(practice.db_table)} "
            f"LEFT OUTER JOIN {quote(school.db_table)} ON {column(school, 'id')} = {p('school')} "
            f"INNER JOIN {quote(country.db_table)} ON {column(country, 'id')} = {p('country')} "
            f"LEFT OUTER JOIN {quote(through.db_table)} ON {link_practice} = {p('id')} "
            f"LEFT OUTER JOIN {quote(area.db_table)} ON {a('id')} = {link_area} "
            f"WHERE {p('status')} IN ({statuses}) AND {p('id')} IN ({ids}) "
            # The areas in their own order, by the database's collation as a prefetch had them.
            f"ORDER BY {p('id')}, {a('position')}, {a('slug')}"
        )
    return _ROWS_SQL[key]


_ROWS_SQL: dict[tuple[str, int], str] = {}


def catalogue_rows(ids: Sequence[int]) -> list[CatalogueRow]:
    """The published items among `ids`, in that order, with what a catalogue row shows: one
    query whatever the page holds (a row per item and thematic area)."""
    if not ids:
        return []
    areas: dict[int, list[tuple[str, str]]] = {}
    values: dict[int, tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(_catalogue_rows_sql(len(ids)), [*PUBLISHED_STATUSES, *ids])
        rows = cursor.fetchall()
    width = 13  # the item's columns; then the area's two
    for row in rows:
        pk = row[0]
        values[pk] = row[:width]
        item_areas = areas.setdefault(pk, [])
        name_lv, name_en = row[width:]
        if name_lv is not None:  # None: the outer join found no area (a name is never null)
            item_areas.append((name_lv, name_en))
    found = []
    for pk in ids:
        if pk not in values:
            continue
        (_, kind, language, title, title_en, summary, summary_en, published_at, recommended,
         school_id, school_name, country_lv, country_en) = values[pk]  # fmt: skip
        found.append(
            CatalogueRow(
                pk=pk,
                kind=kind,
                language=language,
                title=title,
                title_en=title_en,
                summary=summary,
                summary_en=summary_en,
                published_at=_aware(published_at),
                recommended=bool(recommended),
                school_name=school_name if school_id is not None else None,
                country_name_lv=country_lv,
                country_name_en=country_en,
                thematic_areas=tuple(areas[pk]),
            )
        )
    return found


def _aware(value: datetime | None) -> datetime | None:
    """A datetime column as the ORM gives it: SQLite's cursor returns UTC without a zone."""
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


def with_page_details(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    return queryset.select_related(
        "school", "school__subdivision", "country", "flagship", "international_day"
    ).prefetch_related(
        "thematic_areas",
        "pillars",
        "sdgs",
        "links",
        Prefetch("files", queryset=PracticeFile.objects.order_by("position", "id")),
    )


def public_practice(pk: int) -> Practice:
    """A public item's page; raises Practice.DoesNotExist for drafts and unknown ones."""
    return with_page_details(readable_practices()).get(pk=pk)


def school_published_practices(school) -> QuerySet[Practice]:
    return published_practices().filter(school=school).order_by("-published_at", "-id")


# How many of its items a school's profile lists (the catalogue, filtered by school, has all).
PROFILE_ITEMS = 10


def school_profile_section(school) -> dict:
    """The school's published items for its public profile: two queries."""
    items = list(school_published_practices(school)[: PROFILE_ITEMS + 1])
    total = len(items)
    if total > PROFILE_ITEMS:
        total = school_published_practices(school).count()
    return {
        "items": items[:PROFILE_ITEMS],
        "more": total > PROFILE_ITEMS,
        "total": total,
        "school_slug": school.slug,
    }


def related_practices(practice: Practice, limit: int = 4) -> list[Practice]:
    """Published items sharing the most thematic areas with this one, newest first; the same
    school's or country's newest when none share a theme."""
    themes = list(practice.thematic_areas.values_list("pk", flat=True))
    candidates = published_practices().exclude(pk=practice.pk)
    if themes:
        candidates = (
            candidates.filter(thematic_areas__in=themes)
            .annotate(shared=Count("thematic_areas", filter=Q(thematic_areas__in=themes)))
            .order_by("-shared", "-published_at", "-id")
        )
    else:
        candidates = candidates.filter(country_id=practice.country_id).order_by(
            "-published_at", "-id"
        )
    return list(candidates.select_related("school")[:limit])


# -- the workspace ----------------------------------------------------------------------------


def authored_practices(user: Visitor) -> QuerySet[Practice]:
    """The items this person writes: every item of their schools (drafts included) and, for
    national coordinators, their countries' network-level materials; newest change first."""
    roles = roles_of(user)
    return (
        Practice.objects.filter(
            Q(school_id__in=roles.schools)
            | Q(school__isnull=True, country_id__in=roles.national_coordinator_in)
        )
        .select_related("school", "country")
        .order_by("-updated_at", "-id")
    )


def visible_practices(user: Visitor) -> QuerySet[Practice]:
    """Every item this person may open: public ones, their schools' own (drafts included),
    their countries' submitted ones (national coordinators), the ones assigned to them."""
    roles = roles_of(user)
    if roles.administrator:
        return Practice.objects.all()
    condition = Q(status__in=READABLE_STATUSES) | Q(school_id__in=roles.schools)
    condition |= Q(country_id__in=roles.national_coordinator_in) & (
        ~Q(status=PracticeStatus.DRAFT) | Q(school__isnull=True)
    )
    if user is not None and user.is_authenticated and roles.reviewer_in:
        # Only while the person is still a reviewer of the item's country: a role taken back
        # stops working on the next request, assignments or not.
        condition |= (
            Q(Exists(ReviewAssignment.objects.filter(practice=OuterRef("pk"), reviewer_id=user.pk)))
            & Q(country_id__in=roles.reviewer_in)
            & ~Q(status=PracticeStatus.DRAFT)
        )
    return Practice.objects.filter(condition)


def assigned_reviews(user) -> QuerySet[ReviewAssignment]:
    """The reviewer's queue "assigned to me": reviews still to write on items in review, the
    oldest assignment first."""
    return (
        ReviewAssignment.objects.filter(
            reviewer=user,
            practice__country_id__in=roles_of(user).reviewer_in,
            submitted_at__isnull=True,
            round=F("practice__round"),
            practice__status=PracticeStatus.IN_REVIEW,
        )
        .select_related("practice", "practice__school")
        .order_by("assigned_at", "id")
    )


def sent_reviews(user) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.filter(
            reviewer=user,
            practice__country_id__in=roles_of(user).reviewer_in,
            submitted_at__isnull=False,
        )
        .select_related("practice", "practice__school")
        .order_by("-submitted_at", "-id")
    )


def sent_reviews_of_round(practice: Practice, round_number: int) -> QuerySet[ReviewAssignment]:
    """The reviews sent for one round, with their scores and criteria (three queries)."""
    return (
        ReviewAssignment.objects.filter(
            practice=practice, round=round_number, submitted_at__isnull=False
        )
        .select_related("reviewer")
        .prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
        )
        .order_by("submitted_at", "id")
    )


def current_assignments(practice: Practice) -> QuerySet[ReviewAssignment]:
    return (
        practice.assignments.filter(round=practice.round)
        .select_related("reviewer")
        .order_by("assigned_at", "id")
    )


class Queue:
    """The national coordinator's queues of the library."""

    TO_ASSIGN = "to_assign"
    WAITING_FOR_REVIEWERS = "waiting_for_reviewers"
    AWAITING_DECISION = "awaiting_decision"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    ALL = (TO_ASSIGN, WAITING_FOR_REVIEWERS, AWAITING_DECISION, PUBLISHED, ARCHIVED)


def _open_review_in_round() -> Exists:
    return Exists(
        ReviewAssignment.objects.filter(
            practice=OuterRef("pk"), round=OuterRef("round"), submitted_at__isnull=True
        )
    )


def _queue_conditions() -> dict[str, Q]:
    """What puts an item in each queue. An item in review that has lost reviewers (one was
    removed) waits again to be assigned some; it is reviewed once no review is open and at
    least MIN_REVIEWERS reviews were assigned (and so sent)."""
    in_review = Q(status=PracticeStatus.IN_REVIEW)
    enough = Q(reviewers_in_round__gte=MIN_REVIEWERS)
    open_review = Q(_open_review_in_round())
    return {
        Queue.TO_ASSIGN: Q(status=PracticeStatus.SUBMITTED) | (in_review & ~enough),
        Queue.WAITING_FOR_REVIEWERS: in_review & enough & open_review,
        Queue.AWAITING_DECISION: in_review & enough & ~open_review,
        Queue.PUBLISHED: Q(status=PracticeStatus.PUBLISHED),
        Queue.ARCHIVED: Q(status=PracticeStatus.ARCHIVED),
    }


def _with_round_size(items: QuerySet[Practice]) -> QuerySet[Practice]:
    return items.annotate(
        reviewers_in_round=Count(
            "assignments", filter=Q(assignments__round=F("round")), distinct=True
        )
    )


def library_queue(country_ids, queue: str) -> QuerySet[Practice]:
    """One queue of the countries' library, oldest submission first (published and archived:
    newest first)."""
    chosen = queue if queue in Queue.ALL else Queue.TO_ASSIGN
    items = _with_round_size(
        Practice.objects.filter(country_id__in=country_ids).select_related("school")
    ).filter(_queue_conditions()[chosen])
    if chosen in (Queue.PUBLISHED, Queue.ARCHIVED):
        return items.order_by("-published_at", "-id")
    return items.order_by("submitted_at", "id")


def library_queue_counts(country_ids) -> dict[str, int]:
    """How many items wait in each queue: one count per queue (five queries, whatever the
    library holds)."""
    return {queue: library_queue(country_ids, queue).order_by().count() for queue in Queue.ALL}
