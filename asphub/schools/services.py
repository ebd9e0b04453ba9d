"""Changes to the school directory. Each function checks permission, validates, writes in one
transaction and records an audit entry."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from asphub.accounts.models import User
from asphub.audit.models import AuditAction, AuditNote, StandIn
from asphub.audit.services import audit_record
from asphub.core.text import latvian_sort_key
from asphub.countries.models import Country
from asphub.roles.permissions import (
    Actor,
    can_decide_membership,
    can_manage_schools,
    is_command_line,
    require_permission,
)

from .csv_rows import SchoolRowForm, read_school_csv
from .lifecycle import TRANSITIONS, transition_for
from .models import (
    APPLICATION_STATUSES,
    LocationPrecision,
    MembershipAction,
    MembershipChange,
    MembershipStatus,
    School,
    WithdrawalRequest,
    school_search_refresh,
)
from .selectors import name_taken_in_network

__all__ = [
    "SchoolImportRejected",
    "StatusChangeRefused",
    "membership_history_start",
    "school_status_change",
    "schools_import",
]

COORDINATE_STEP = Decimal("0.00001")
# Rows written per transaction. A transaction holds SQLite's one write lock (on PostgreSQL,
# the country's row) until it commits: a batch takes a few tens of milliseconds, so sign-ins
# and other changes wait that long at most, never for the whole import.
IMPORT_BATCH_ROWS = 250
# How long an import leaves SQLite's write lock free between two batches (see
# _let_others_write).
IMPORT_PAUSE_SECONDS = 0.02
IMPORTED_FIELDS = (
    "institution_type", "ownership", "settlement", "address", "latitude", "longitude",
    "location_precision", "membership_status", "member_since", "website", "email", "phone",
)  # fmt: skip


class SchoolImportRejected(Exception):
    """The file had errors and the coordinator did not ask to skip bad rows: nothing changed."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(_("The file has errors; nothing was imported."))
        self.errors = errors


@dataclass
class SchoolImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def unique_school_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "school")[:100]
    slug, number = base, 2
    taken = School.objects.exclude(pk=exclude_pk) if exclude_pk else School.objects.all()
    while taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _free_slugs(names: list[str]) -> list[str]:
    """A directory address for each of `names` (new schools), taken neither by a school nor by
    another of them: one query for the whole list, more only for names whose address is taken."""
    bases = [(slugify(name) or "school")[:100] for name in names]
    taken = set(School.objects.filter(slug__in=bases).values_list("slug", flat=True))
    slugs: list[str] = []
    for base in bases:
        slug, number = base, 2
        while slug in taken or (number > 2 and School.objects.filter(slug=slug).exists()):
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _snapshot(school: School) -> dict[str, Any]:
    """The imported fields as JSON-safe values, for the audit log's before and after."""
    values: dict[str, Any] = {name: getattr(school, name) for name in IMPORTED_FIELDS}
    values["subdivision"] = school.subdivision.code if school.subdivision else None
    for name in ("latitude", "longitude"):
        if values[name] is not None:
            values[name] = str(Decimal(values[name]).quantize(COORDINATE_STEP))
    return values


def _apply_row(school: School, data: dict[str, Any]) -> None:
    school.subdivision = data["subdivision"]
    for name in IMPORTED_FIELDS:
        value = data.get(name)
        if name == "location_precision" and not value:
            value = school.location_precision or LocationPrecision.SETTLEMENT
        elif name == "membership_status" and (school.pk or not value):
            # A school's status changes only along the lifecycle (school_status_change);
            # the file gives the status of the schools it adds.
            value = school.membership_status if school.pk else MembershipStatus.MEMBER
        elif value is None:
            value = None if name in ("latitude", "longitude", "member_since") else ""
        setattr(school, name, value)


def _checked_rows(
    country: Country, content: bytes
) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str]], list[str]]:
    """Every row of the file checked: (line, cleaned row) of the good ones, (line, reason) of
    the bad ones, and the columns the import does not know."""
    parsed = read_school_csv(content)
    errors = list(parsed.errors)
    form = SchoolRowForm(subdivisions={s.code.upper(): s for s in country.subdivisions.all()})
    valid: list[tuple[int, dict[str, Any]]] = []
    seen_names: dict[str, int] = {}
    for line, row in parsed.rows:
        if not form.check(row):
            errors.append((line, form.error_text()))
            continue
        name_key = form.cleaned_data["name"].casefold()
        if name_key in seen_names:
            errors.append(
                (line, _("The school is listed twice (first on line %(line)s).")
                 % {"line": seen_names[name_key]})
            )  # fmt: skip
            continue
        seen_names[name_key] = line
        valid.append((line, form.cleaned_data))
    errors.sort()
    return valid, errors, parsed.ignored_columns


def _existing_schools(country: Country, names: list[str]) -> dict[str, School]:
    """The country's schools that have one of `names`, matched as the import matches them
    (whatever the case), by name folded to lower case."""
    wanted = {name.casefold() for name in names}
    # The sort key is the same for names that differ only in case, and indexed; the exact
    # name also catches a school whose sort key was not kept up to date (raw SQL, say).
    candidates = (
        School.objects.filter(country=country)
        .exclude(membership_status__in=APPLICATION_STATUSES)
        .filter(Q(sort_key__in={latvian_sort_key(name) for name in names}) | Q(name__in=names))
    )
    return {
        school.name.casefold(): school
        for school in candidates.select_related("subdivision")
        if school.name.casefold() in wanted
    }


def _new_school(country: Country, data: dict[str, Any]) -> School:
    """The school a row makes if none has its name yet: made before its batch's transaction
    starts (working out the search and sort columns takes longer than writing the row)."""
    school = School(country=country, name=data["name"], status_changed_at=timezone.now())
    _apply_row(school, data)
    # bulk_create does not call save(): set here what save() derives from the name.
    school.refresh_derived_fields()
    return school


@dataclass
class _BatchWritten:
    created: list[School] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0


def _write_batch(
    *,
    actor: Actor,
    country: Country,
    rows: list[tuple[dict[str, Any], School]],
    update_existing: bool,
    result: SchoolImportResult,
) -> _BatchWritten:
    """Write one batch of checked rows (each with the school it would create), in the
    caller's transaction. Each update is recorded in the audit log."""
    # Concurrent imports into one country take turns batch by batch, so that each sees the
    # schools the other has just created (on SQLite the write lock, taken at BEGIN, does this).
    list(Country.objects.select_for_update().filter(pk=country.pk).values_list("pk"))
    existing = _existing_schools(country, [data["name"] for data, _new in rows])
    written = _BatchWritten()
    for data, new_school in rows:
        school = existing.get(data["name"].casefold())
        if school is None:
            written.created.append(new_school)
            continue
        if not update_existing:
            result.unchanged.append(school.name)
            written.unchanged += 1
            continue
        before = _snapshot(school)
        _apply_row(school, data)
        school.name = data["name"]
        after = _snapshot(school)
        if before == after:
            result.unchanged.append(school.name)
            written.unchanged += 1
            continue
        school.save()
        result.updated.append(school.name)
        written.updated += 1
        audit_record(
            actor=actor, action=AuditAction.SCHOOL_UPDATED_BY_IMPORT, obj=school,
            country_code=country.code, before=before, after=after,
        )  # fmt: skip
    slugs = _free_slugs([school.name for school in written.created])
    for school, slug in zip(written.created, slugs, strict=True):
        school.slug = slug
    School.objects.bulk_create(written.created)
    # bulk_create skips save(), which keeps the search index current.
    school_search_refresh([school.pk for school in written.created])
    membership_history_start(written.created, actor=actor)
    result.created.extend(school.name for school in written.created)
    return written


def schools_import(
    *,
    actor: Actor,
    country: Country,
    content: bytes,
    skip_invalid: bool = False,
    update_existing: bool = True,
) -> SchoolImportResult:
    """Import a CSV of schools into a country's directory: a school is matched by its exact
    name, so importing again updates it and never duplicates it. Any bad row rejects the whole
    file unless `skip_invalid`. With `update_existing=False` only missing schools are added.

    Every row is checked before anything is written; then the rows are written in batches of
    IMPORT_BATCH_ROWS, each in its own short transaction with its audit entries: one per
    updated school, and one "schools imported" entry naming the schools the batch created
    (the first one written also lists the skipped lines). An import stopped midway (a crash,
    Ctrl+C) keeps the batches already written, each recorded; importing the same file again
    finishes it, since the rows already written are then found unchanged."""
    require_permission(
        actor,
        lambda person: can_manage_schools(person, country),
        _("You may not change this country's school directory."),
    )
    valid, errors, ignored_columns = _checked_rows(country, content)
    if errors and not skip_invalid:
        raise SchoolImportRejected(errors)

    result = SchoolImportResult(skipped=errors, ignored_columns=ignored_columns)
    skipped_lines = [line for line, _message in errors]
    for start in range(0, len(valid), IMPORT_BATCH_ROWS):
        batch = valid[start : start + IMPORT_BATCH_ROWS]
        rows = [(data, _new_school(country, data)) for _line, data in batch]
        last = start + IMPORT_BATCH_ROWS >= len(valid)
        with transaction.atomic():
            written = _write_batch(
                actor=actor,
                country=country,
                rows=rows,
                update_existing=update_existing,
                result=result,
            )
            # A batch that changed nothing (a repeated `make run`) leaves no entry.
            if written.created or written.updated or (last and skipped_lines):
                _record_batch(actor, country, written, skipped_lines)
                skipped_lines = []
        if not last:
            _let_others_write()
    if skipped_lines:  # not one valid row
        _record_batch(actor, country, _BatchWritten(), skipped_lines)
    return result


def _record_batch(
    actor: Actor, country: Country, written: _BatchWritten, skipped_lines: list[int]
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.SCHOOLS_IMPORTED,
        country_code=country.code,
        after={
            "created": len(written.created),
            "created_schools": [school.name for school in written.created],
            "created_school_ids": [school.pk for school in written.created],
            "updated": written.updated,
            "unchanged": written.unchanged,
            "skipped_lines": skipped_lines,
        },
    )


def _let_others_write() -> None:
    """Between two batches, leave SQLite's write lock free for a moment. A connection waiting
    for it tries again every 100 ms at most (SQLite's busy handler), and one that tries while
    a batch is being written goes back to sleep: without a pause the import would take the
    lock back at once, again and again, and a request could wait for the whole import."""
    if connection.vendor == "sqlite":
        time.sleep(IMPORT_PAUSE_SECONDS)


# -- the membership lifecycle ------------------------------------------------------------------


class StatusChangeRefused(ValidationError):
    """The step is not possible from the school's current status (or someone else has just
    moved the school on); nothing changed."""


def school_status_change(
    *,
    actor: Actor,
    school: School,
    action: MembershipAction | str,
    reason: str = "",
    seen_status: str | None = None,
) -> MembershipChange:
    """Move a school along the membership lifecycle: the one writer of a school's status.

    The national coordinator of the school's country (or an administrator) takes every step
    but the applicant's own (resubmitting after changes were requested), which the membership
    app takes on the applicant's behalf once it has checked their link. `seen_status` is the
    status the person deciding was looking at: if the school has moved on since (another
    coordinator decided at the same moment), the step is refused and nothing changes.
    Writes the status, the history entry and the audit entry in one transaction."""
    step = TRANSITIONS.get(MembershipAction(action)) if action in MembershipAction.values else None
    if step is None:
        raise StatusChangeRefused(_("This is not a membership step."), code="unknown_action")
    if step.by_applicant:
        if not (is_command_line(actor) or actor == StandIn.APPLICANT):
            raise PermissionDenied(_("Only the applicant resubmits an application."))
    else:
        require_permission(
            actor,
            lambda person: can_decide_membership(person, school.country),
            _("You may not decide this country's memberships."),
        )
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise StatusChangeRefused(_("Give the reason: the school will read it."), code="reason")
    with transaction.atomic():
        stored = (
            School.objects.select_for_update(of=("self",))
            .select_related("country")
            .get(pk=school.pk)
        )
        current = stored.membership_status
        if seen_status is not None and current != seen_status:
            raise StatusChangeRefused(
                _("Someone has just changed this school's status (it is now “%(status)s”); "
                  "nothing was changed. Look at the school again before deciding.")
                % {"status": MembershipStatus(current).label},
                code="changed_meanwhile",
            )  # fmt: skip
        if transition_for(step.action, current, stored.country) is None:
            raise StatusChangeRefused(
                _("This step is not possible for a school that is “%(current)s”.")
                % {"current": MembershipStatus(current).label},
                code="not_allowed",
            )
        now = timezone.now()
        stored.membership_status = step.target
        stored.status_changed_at = now
        fields = ["membership_status", "status_changed_at", "updated_at"]
        if step.target == MembershipStatus.MEMBER and stored.member_since is None:
            stored.member_since = timezone.localdate(now).year
            fields.append("member_since")
        if current in APPLICATION_STATUSES and step.target not in APPLICATION_STATUSES:
            _check_name_free(stored)
        stored.save(update_fields=fields)
        # A step answers the school's open request to withdraw, if it made one.
        WithdrawalRequest.objects.filter(school=stored, answered_at__isnull=True).update(
            answered_at=now
        )
        change = MembershipChange.objects.create(
            school=stored,
            action=step.action,
            from_status=current,
            to_status=step.target,
            reason=reason,
            actor=actor if isinstance(actor, User) else None,
            actor_label=str(actor) if actor else StandIn.SYSTEM.value,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.MEMBERSHIP_STATUS_CHANGED,
            obj=stored,
            country_code=stored.country.code,
            before={"membership_status": current},
            after={"membership_status": step.target},
            note=reason,
        )
    school.membership_status = stored.membership_status
    school.status_changed_at = stored.status_changed_at
    school.member_since = stored.member_since
    return change


def _check_name_free(school: School) -> None:
    """From endorsement on a name is one school's alone in its country."""
    if name_taken_in_network(school):
        raise StatusChangeRefused(
            _("This country's network already has a school named “%(name)s”: correct the "
              "name first, or treat this application as that school's.") % {"name": school.name},
            code="name_taken",
        )  # fmt: skip


def membership_history_start(schools: list[School], *, actor: Actor) -> None:
    """Record, for schools just added to the directory (an import, the administration), the
    status each starts with, as the first entry of its history."""
    actor_user = actor if isinstance(actor, User) else None
    MembershipChange.objects.bulk_create(
        MembershipChange(
            school_id=school.pk,
            action=MembershipAction.RECORDED,
            to_status=school.membership_status,
            reason=AuditNote.RECORDED_AT_IMPORT,
            actor=actor_user,
            actor_label=str(actor) if actor else StandIn.SYSTEM.value,
            created_at=school.status_changed_at or timezone.now(),
        )
        for school in schools
    )
