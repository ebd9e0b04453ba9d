"""Changes to the school directory. Each function checks permission, validates, writes in one
transaction and records an audit entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.countries.models import Country
from asphub.roles.permissions import Actor, can_manage_schools, require_permission

from .csv_rows import SchoolRowForm, read_school_csv
from .models import LocationPrecision, MembershipStatus, School

__all__ = ["SchoolImportRejected", "schools_import"]

COORDINATE_STEP = Decimal("0.00001")
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
        elif name == "membership_status" and not value:
            value = school.membership_status if school.pk else MembershipStatus.MEMBER
        elif value is None:
            value = None if name in ("latitude", "longitude", "member_since") else ""
        setattr(school, name, value)


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
    file unless `skip_invalid`. With `update_existing=False` only missing schools are added."""
    require_permission(
        actor,
        lambda person: can_manage_schools(person, country),
        _("You may not change this country's school directory."),
    )
    parsed = read_school_csv(content)
    errors = list(parsed.errors)
    subdivisions = {s.code.upper(): s for s in country.subdivisions.all()}
    valid: list[tuple[int, dict[str, Any]]] = []
    seen_names: dict[str, int] = {}
    for line, row in parsed.rows:
        form = SchoolRowForm(row, subdivisions=subdivisions)
        if not form.is_valid():
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
    if errors and not skip_invalid:
        raise SchoolImportRejected(errors)

    result = SchoolImportResult(skipped=errors, ignored_columns=parsed.ignored_columns)
    with transaction.atomic():
        existing = {s.name.casefold(): s for s in School.objects.filter(country=country)}
        for _line, data in valid:
            school = existing.get(data["name"].casefold())
            if school is None:
                school = School(country=country, name=data["name"])
                _apply_row(school, data)
                school.slug = unique_school_slug(school.name)
                school.save()
                result.created.append(school.name)
                continue
            if not update_existing:
                result.unchanged.append(school.name)
                continue
            before = _snapshot(school)
            _apply_row(school, data)
            school.name = data["name"]
            after = _snapshot(school)
            if before == after:
                result.unchanged.append(school.name)
                continue
            school.save()
            result.updated.append(school.name)
            audit_record(
                actor=actor, action=AuditAction.SCHOOL_UPDATED_BY_IMPORT, obj=school,
                country_code=country.code, before=before, after=after,
            )  # fmt: skip
        # An import that changed nothing (a repeated `make run`) leaves no entry.
        if result.created or result.updated or result.skipped:
            audit_record(
                actor=actor,
                action=AuditAction.SCHOOLS_IMPORTED,
                country_code=country.code,
                after={
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "unchanged": len(result.unchanged),
                    "skipped_lines": [line for line, _message in result.skipped],
                },
            )
    return result
