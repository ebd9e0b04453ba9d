"""The library's catalogue in and out: the export (CSV and JSON, streamed) and the import that
reads exactly that format back, row by row, like the school import.

The export holds published items only (published_practices), with stable codes and, beside each,
a `_label` column in the language of the page or command. The folder an export writes
(`manage.py export_practices`) holds the catalogue and `files/<sha256>/<file name>`; an import
given that folder brings the same catalogue into another platform (or an empty database).

In CSV, lists of codes are separated by ";"; links and files take one line each of their cell
("<url> <link text>"; "<sha256>  <path>" as `sha256sum` writes it, or only "<path>"). JSON has
real lists, numbers, booleans and nulls, and each file's name, type, size, checksum, download
address and path in the folder.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator, MinValueValidator, URLValidator
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.bilingual import current_content_language
from asphub.core.documents import random_storage_name, validate_attachment
from asphub.core.spreadsheets import (
    FORMULA_STARTS,
    EchoBuffer,
    spreadsheet_reader,
    spreadsheet_safe,
)
from asphub.core.storage import private_storage
from asphub.core.validators import validate_single_line
from asphub.countries.models import Country
from asphub.roles.permissions import Actor, can_manage_library, require_permission
from asphub.schools.models import APPLICATION_STATUSES, School
from asphub.taxonomy.models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)

from .indexing import index_practices
from .models import (
    ContentLanguage,
    EducationLevel,
    Licence,
    Practice,
    PracticeFile,
    PracticeKind,
    PracticeLink,
    PracticeStatus,
)
from .selectors import published_practices
from .tasks import extract_file_text

EXPORT_COLUMNS = [
    "id", "url", "status", "kind", "kind_label", "title", "summary", "title_en", "summary_en",
    "body", "language", "language_label", "authors", "country", "country_label", "school",
    "school_name", "education_levels", "education_levels_label", "age_from", "age_to",
    "subjects", "thematic_areas", "thematic_areas_label", "pillars", "pillars_label", "sdgs",
    "sdgs_label", "flagship", "flagship_label", "international_day", "international_day_label",
    "duration", "licence", "licence_label", "licence_url", "recommended", "published_at",
    "links", "files",
]  # fmt: skip
# What the import reads; the rest (labels, addresses, the source's id) it leaves aside.
IMPORTED_COLUMNS = (
    "status", "kind", "title", "summary", "title_en", "summary_en", "body", "language",
    "authors", "country", "school", "school_name", "education_levels", "age_from", "age_to",
    "subjects", "thematic_areas", "pillars", "sdgs", "flagship", "international_day",
    "duration", "licence", "recommended", "published_at", "links", "files",
)  # fmt: skip
INFORMATIVE_COLUMNS = frozenset(EXPORT_COLUMNS) - frozenset(IMPORTED_COLUMNS)
LIST_COLUMNS = ("education_levels", "thematic_areas", "pillars", "sdgs")
LIST_SEPARATOR = ";"
FILES_FOLDER = "files"
EXPORT_CHUNK_ROWS = 200
MAX_FILE_MEGABYTES = 25
# The largest catalogue file an import reads (the files themselves are separate).
MAX_CATALOGUE_BYTES = 50 * 1024 * 1024
_CHECKSUMMED_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


# -- the export -------------------------------------------------------------------------------


def catalogue_practices(country: Country | None = None) -> QuerySet[Practice]:
    """What the export holds: the published library (of one country), oldest first, with
    everything a row shows in a fixed number of queries per chunk of rows."""
    items = published_practices()
    if country is not None:
        items = items.filter(country=country)
    return (
        items.select_related("school", "country", "flagship", "international_day")
        .prefetch_related("thematic_areas", "pillars", "sdgs", "links", "files")
        .order_by("published_at", "pk")
    )


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _file_path(file: PracticeFile) -> str:
    # By checksum, so that two items' files of one name never meet, and by the original name,
    # so that the folder reads well and the import finds the name again. (Uploads refuse names
    # with separators or control characters; one that slipped in is not written as given.)
    name = file.original_name
    if not name or name in (".", "..") or _UNSAFE_NAME.search(name):
        name = f"file.{file.kind or 'bin'}"
    return f"{FILES_FOLDER}/{file.sha256}/{name}"


def file_download_path(practice_pk: int, file_pk: int) -> str:
    return reverse("practices:download", kwargs={"pk": practice_pk, "file_pk": file_pk})


def item_path(practice_pk: int) -> str:
    return reverse("practices:detail", kwargs={"pk": practice_pk})


def catalogue_rows(
    practices: QuerySet[Practice], *, absolute_url: Callable[[str], str]
) -> Iterator[dict[str, Any]]:
    """Each item as a JSON-ready row (lists, numbers, booleans, nulls); csv_row() flattens one.
    The labels are in the language active when this is called."""
    language = current_content_language()
    labels = {
        "kind": _labels(PracticeKind.choices),
        "language": _labels(ContentLanguage.choices),
        "level": _labels(EducationLevel.choices),
        "licence": _labels(Licence.choices),
    }
    return _rows(practices, absolute_url, labels, language)


def _name(named, language: str) -> str:
    other = "en" if language == "lv" else "lv"
    return getattr(named, f"name_{language}") or getattr(named, f"name_{other}")


def _rows(practices, absolute_url, labels, language) -> Iterator[dict[str, Any]]:
    for practice in practices.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        school = practice.school
        areas = list(practice.thematic_areas.all())
        pillars = list(practice.pillars.all())
        goals = list(practice.sdgs.all())
        levels = list(practice.education_levels or [])
        yield {
            "id": practice.pk,
            "url": absolute_url(item_path(practice.pk)),
            "status": practice.status,
            "kind": practice.kind,
            "kind_label": labels["kind"].get(practice.kind, ""),
            "title": practice.title,
            "summary": practice.summary,
            "title_en": practice.title_en,
            "summary_en": practice.summary_en,
            "body": practice.body,
            "language": practice.language,
            "language_label": labels["language"].get(practice.language, ""),
            "authors": practice.authors,
            "country": practice.country.code,
            "country_label": _name(practice.country, language),
            "school": school.slug if school else "",
            "school_name": school.name if school else "",
            "education_levels": levels,
            "education_levels_label": [labels["level"].get(level, level) for level in levels],
            "age_from": practice.age_from,
            "age_to": practice.age_to,
            "subjects": practice.subjects,
            "thematic_areas": [area.slug for area in areas],
            "thematic_areas_label": [_name(area, language) for area in areas],
            "pillars": [pillar.slug for pillar in pillars],
            "pillars_label": [_name(pillar, language) for pillar in pillars],
            "sdgs": [goal.number for goal in goals],
            "sdgs_label": [_name(goal, language) for goal in goals],
            "flagship": practice.flagship.slug if practice.flagship else "",
            "flagship_label": _name(practice.flagship, language) if practice.flagship else "",
            "international_day": (
                practice.international_day.slug if practice.international_day else ""
            ),
            "international_day_label": (
                _name(practice.international_day, language) if practice.international_day else ""
            ),
            "duration": practice.duration,
            "licence": practice.licence,
            "licence_label": labels["licence"].get(practice.licence, ""),
            "licence_url": practice.licence_url,
            "recommended": practice.recommended,
            "published_at": (
                practice.published_at.astimezone(datetime.UTC).isoformat(timespec="seconds")
                if practice.published_at
                else None
            ),
            "links": [{"url": link.url, "title": link.title} for link in practice.links.all()],
            "files": [
                {
                    "name": file.original_name,
                    "type": file.content_type,
                    "size": file.size,
                    "sha256": file.sha256,
                    "url": absolute_url(file_download_path(practice.pk, file.pk)),
                    "path": _file_path(file),
                }
                for file in practice.files.all()
            ],
        }


def csv_row(row: dict[str, Any]) -> dict[str, object]:
    """A JSON-ready row as spreadsheet cells: lists joined, links and files one per line,
    nothing a spreadsheet would run as a formula."""
    cells: dict[str, object] = {}
    for key in EXPORT_COLUMNS:
        value = row[key]
        if key == "links":
            value = "\n".join(f"{link['url']} {link['title']}".strip() for link in value)
        elif key == "files":
            value = "\n".join(f"{file['sha256']}  {file['path']}" for file in value)
        elif isinstance(value, list):
            separator = "; " if key.endswith("_label") else LIST_SEPARATOR
            value = separator.join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = ""
        cells[key] = spreadsheet_safe(value)
    return cells


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.DictWriter(EchoBuffer(), fieldnames=EXPORT_COLUMNS)
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    yield "\ufeff" + writer.writeheader()
    for row in rows:
        yield writer.writerow(csv_row(row))


def json_parts(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """{"generated": ..., "practices": [...]}, one row at a time."""
    generated = json.dumps(timezone.now().isoformat(timespec="seconds"))
    yield f'{{"generated": {generated}, "practices": ['
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def in_pieces(parts: Iterable[str], size: int = EXPORT_CHUNK_ROWS) -> Iterator[str]:
    """Join every `size` parts into one piece of a streamed response."""
    piece: list[str] = []
    for part in parts:
        piece.append(part)
        if len(piece) >= size:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


@dataclass
class ExportWritten:
    catalogue: Path
    items: int = 0
    files: int = 0


def catalogue_export_folder(
    folder: Path, *, file_format: str = "json", country: Country | None = None
) -> ExportWritten:
    """Write the catalogue (catalogue.json or catalogue.csv) and its files into `folder`, in
    the format the import reads back. Addresses start with ASPHUB_SITE_URL."""
    site = settings.ASPHUB_SITE_URL.rstrip("/")
    practices = catalogue_practices(country)
    folder.mkdir(parents=True, exist_ok=True)
    written = ExportWritten(catalogue=folder / f"catalogue.{file_format}")

    def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            written.items += 1
            yield row

    rows = counted(catalogue_rows(practices, absolute_url=lambda path: site + path))
    parts = csv_lines(rows) if file_format == "csv" else json_parts(rows)
    newline = "" if file_format == "csv" else None
    with written.catalogue.open("w", encoding="utf-8", newline=newline) as out:
        for part in parts:
            out.write(part)
    exported = published_practices()
    if country is not None:
        exported = exported.filter(country=country)
    for file in PracticeFile.objects.filter(practice__in=exported).order_by("pk"):
        target = folder / _file_path(file)
        written.files += 1
        # Named by its checksum: a file already there (an earlier export) is this one.
        if target.exists() and target.stat().st_size == file.size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with file.file.open("rb") as stored, target.open("wb") as copy:
            for chunk in stored.chunks():
                copy.write(chunk)
    return written


# -- reading an import file -------------------------------------------------------------------


class CatalogueFileError(Exception):
    """The file as a whole cannot be read (encoding, syntax, missing columns); `code` says
    which."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong with one row: its number (the CSV line, or the item's position in the
    JSON list, from 1), the column ("" for the row as a whole), the message and its code."""

    row: int
    field: str
    message: str
    code: str

    def __str__(self) -> str:
        if self.field:
            return _("Row %(row)s, %(field)s: %(message)s") % {
                "row": self.row, "field": self.field, "message": self.message,
            }  # fmt: skip
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ParsedCatalogue:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def read_catalogue(content: bytes, *, file_format: str) -> ParsedCatalogue:
    """The rows of a catalogue file, each as the row form's data (text for single values,
    lists for lists, links as (url, title), files as {"path", "name", "sha256"})."""
    if file_format not in ("csv", "json"):
        raise CatalogueFileError(_("Import a .csv or a .json file."), code="format")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise CatalogueFileError(
            _("The file is not UTF-8 text (line %(line)s).") % {"line": line}, code="encoding"
        ) from error
    return _read_csv(text) if file_format == "csv" else _read_json(text)


def _unsafe_undone(value: str) -> str:
    # The export writes "'" before a cell a spreadsheet would run ("=...", "+...").
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        candidate = value[1:]
        if spreadsheet_safe(candidate) == value:
            return candidate
    return value


def _read_csv(text: str) -> ParsedCatalogue:
    reader = spreadsheet_reader(text)
    try:
        header = next(reader)
    except StopIteration as empty:
        raise CatalogueFileError(_("The file is empty."), code="empty") from empty
    except csv.Error as error:
        raise CatalogueFileError(
            _("The header line cannot be read: %(error)s") % {"error": error}, code="header"
        ) from error
    columns = [name.strip().lower() for name in header]
    _require_columns(columns)
    parsed = ParsedCatalogue(
        ignored_columns=[
            name for name in columns
            if name and name not in IMPORTED_COLUMNS and name not in INFORMATIVE_COLUMNS
        ]
    )  # fmt: skip
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            parsed.problems.append(
                ImportProblem(start, "", _("The line cannot be read: %(error)s")
                              % {"error": error}, "unreadable")
            )  # fmt: skip
            break
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(columns):
            parsed.problems.append(
                ImportProblem(
                    start,
                    "",
                    _("Expected %(expected)s values but found %(found)s.")
                    % {"expected": len(columns), "found": len(values)},
                    "column_count",
                )
            )
            continue
        cells = {
            name: _unsafe_undone(value)
            for name, value in zip(columns, values, strict=True)
            if name in IMPORTED_COLUMNS
        }
        parsed.rows.append((start, _csv_data(cells)))
    return parsed


def _csv_data(cells: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in cells.items():
        if name in LIST_COLUMNS:
            data[name] = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        elif name == "links":
            data[name] = [_link_line(line) for line in value.splitlines() if line.strip()]
        elif name == "files":
            data[name] = [_file_line(line) for line in value.splitlines() if line.strip()]
        elif name == "body":
            data[name] = value
        else:
            data[name] = value.strip()
    return data


def _link_line(line: str) -> dict[str, str]:
    url, _space, title = line.strip().partition(" ")
    return {"url": url, "title": title.strip()}


def _file_line(line: str) -> dict[str, str]:
    line = line.strip()
    checksummed = _CHECKSUMMED_LINE.fullmatch(line)
    if checksummed:
        return {"sha256": checksummed[1], "path": checksummed[2]}
    return {"path": line}


def _require_columns(columns: Iterable[str]) -> None:
    missing = [name for name in ("title", "summary") if name not in columns]
    if missing:
        raise CatalogueFileError(
            _("The file lacks the required columns: %(columns)s.")
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )


def _read_json(text: str) -> ParsedCatalogue:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueFileError(
            _("The file is not valid JSON (line %(line)s).") % {"line": error.lineno},
            code="syntax",
        ) from error
    items = document.get("practices") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise CatalogueFileError(
            _("The file holds no list of practices (“practices”)."), code="no_list"
        )
    parsed = ParsedCatalogue()
    ignored: dict[str, None] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.problems.append(
                ImportProblem(number, "", _("Each practice is a JSON object."), "not_object")
            )
            continue
        for name in item:
            if name not in IMPORTED_COLUMNS and name not in INFORMATIVE_COLUMNS:
                ignored[name] = None
        try:
            parsed.rows.append((number, _json_data(item)))
        except _WrongType as wrong:
            parsed.problems.append(
                ImportProblem(number, wrong.field, _("This value has the wrong type."),
                              "wrong_type")
            )  # fmt: skip
    parsed.ignored_columns = list(ignored)
    return parsed


class _WrongType(Exception):
    """A JSON value of a kind the column cannot hold (an object for a title, say)."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _json_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise TypeError


def _json_data(item: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in IMPORTED_COLUMNS:
        if name not in item:
            continue
        value = item[name]
        try:
            if name in LIST_COLUMNS:
                if isinstance(value, str):
                    value = value.split(LIST_SEPARATOR)
                data[name] = [_json_scalar(part).strip() for part in value or []]
                data[name] = [part for part in data[name] if part]
            elif name == "links":
                data[name] = [
                    {"url": _json_scalar(link.get("url")).strip(),
                     "title": _json_scalar(link.get("title")).strip()}
                    for link in value or []
                ]  # fmt: skip
            elif name == "files":
                data[name] = [
                    {key: _json_scalar(entry.get(key)).strip()
                     for key in ("path", "name", "sha256") if entry.get(key) is not None}
                    for entry in value or []
                ]  # fmt: skip
            elif name == "body":
                data[name] = _json_scalar(value)
            else:
                data[name] = _json_scalar(value).strip()
        except (TypeError, AttributeError):
            raise _WrongType(name) from None
    return data


# -- checking each row ------------------------------------------------------------------------

BOOLEANS = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false",
            "0": "false", "": ""}  # fmt: skip


def _model_field(name: str, **overrides) -> forms.Field:
    """The form field the model gives, with the model's own checks (one line of text, ages up
    to 99) besides those the form field makes itself."""
    model_field = Practice._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    form_field = model_field.formfield(**overrides)
    assert form_field is not None
    form_field.validators.extend(
        validator
        for validator in model_field.validators
        if not isinstance(validator, (MaxLengthValidator, MinValueValidator))
    )
    return form_field


class PracticeRowForm(forms.Form):
    """One row of a catalogue file, checked as the library's own forms check an item; the
    vocabulary, the schools and the country are the importing country's."""

    status = forms.ChoiceField(
        label=gettext_lazy("status"),
        choices=[("", ""), (PracticeStatus.PUBLISHED, PracticeStatus.PUBLISHED.label),
                 (PracticeStatus.DRAFT, PracticeStatus.DRAFT.label)],
        required=False,
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), choices=[("", ""), *PracticeKind.choices], required=False
    )
    language = forms.ChoiceField(
        label=gettext_lazy("language"), choices=[("", ""), *ContentLanguage.choices],
        required=False,
    )  # fmt: skip
    licence = forms.ChoiceField(
        label=gettext_lazy("licence"), choices=[("", ""), *Licence.choices], required=False
    )
    country = forms.CharField(label=gettext_lazy("country"), max_length=2, required=False)
    school = forms.CharField(label=gettext_lazy("school"), max_length=255, required=False)
    school_name = forms.CharField(label=gettext_lazy("school"), max_length=255, required=False)
    education_levels = forms.MultipleChoiceField(
        label=gettext_lazy("education levels"), choices=EducationLevel.choices, required=False
    )
    thematic_areas = forms.MultipleChoiceField(label=gettext_lazy("thematic areas"), required=False)
    pillars = forms.MultipleChoiceField(label=gettext_lazy("pillars of education"),
                                        required=False)  # fmt: skip
    sdgs = forms.MultipleChoiceField(
        label=gettext_lazy("Sustainable Development Goals"), required=False
    )
    flagship = forms.ChoiceField(label=gettext_lazy("flagship network"), required=False)
    international_day = forms.ChoiceField(label=gettext_lazy("international day"), required=False)
    recommended = forms.ChoiceField(
        label=gettext_lazy("recommended"),
        choices=[(value, value) for value in ("", "true", "false")],
        required=False,
    )
    published_at = forms.DateTimeField(label=gettext_lazy("published"), required=False)

    def __init__(self, data: dict[str, Any], *, vocabulary: Vocabulary, country: Country):
        data = dict(data)
        if "recommended" in data:
            data["recommended"] = BOOLEANS.get(str(data["recommended"]).lower(),
                                               data["recommended"])  # fmt: skip
        super().__init__(data)
        self.vocabulary = vocabulary
        self.importing_country = country
        for name in ("title", "summary", "title_en", "summary_en", "authors", "subjects",
                     "duration", "age_from", "age_to"):  # fmt: skip
            self.fields[name] = _model_field(name)
        self.fields["body"] = _model_field("body", strip=False)
        self._choice_field("thematic_areas").choices = vocabulary.choices(vocabulary.thematic_areas)
        self._choice_field("pillars").choices = vocabulary.choices(vocabulary.pillars)
        self._choice_field("sdgs").choices = vocabulary.choices(vocabulary.sdgs)
        self._choice_field("flagship").choices = [
            ("", ""),
            *vocabulary.choices(vocabulary.flagships),
        ]
        self._choice_field("international_day").choices = [
            ("", ""),
            *vocabulary.choices(vocabulary.days),
        ]
        # Problems are reported in the order of the file's columns.
        self.order_fields(IMPORTED_COLUMNS)

    def _choice_field(self, name: str) -> forms.ChoiceField:
        form_field = self.fields[name]
        assert isinstance(form_field, forms.ChoiceField)
        return form_field

    def clean(self):
        data = super().clean()
        code = (data.get("country") or "").upper()
        if code and code != self.importing_country.code:
            self.add_error(
                "country",
                ValidationError(
                    _("The row is of %(row)s, but this import is into %(country)s.")
                    % {"row": code, "country": self.importing_country.code},
                    code="wrong_country",
                ),
            )
        slug, name = data.get("school") or "", data.get("school_name") or ""
        data["school_object"] = None
        if slug or name:
            school = self.vocabulary.school(slug, name)
            if school is None:
                self.add_error(
                    "school" if slug else "school_name",
                    ValidationError(
                        _("No school “%(school)s” in this country's directory.")
                        % {"school": slug or name},
                        code="unknown_school",
                    ),
                )
            data["school_object"] = school
        age_from, age_to = data.get("age_from"), data.get("age_to")
        if age_from is not None and age_to is not None and age_from > age_to:
            self.add_error(
                "age_to",
                ValidationError(_("The ages end before they start."), code="ages_order"),
            )
        return data

    def problems(self, row: int) -> list[ImportProblem]:
        found = []
        for name, errors in self.errors.as_data().items():
            column = "" if name == NON_FIELD_ERRORS else name
            for error in errors:
                for message in error.messages:
                    found.append(ImportProblem(row, column, message, error.code or "invalid"))
        return found


@dataclass
class Vocabulary:
    """The importing country's schools and the network's vocabulary, read once per file."""

    country: Country
    thematic_areas: dict[str, ThematicArea]
    pillars: dict[str, Pillar]
    sdgs: dict[str, SustainableDevelopmentGoal]
    flagships: dict[str, FlagshipNetwork]
    days: dict[str, InternationalDay]
    schools_by_slug: dict[str, School]
    schools_by_name: dict[str, School]

    @classmethod
    def of(cls, country: Country) -> Vocabulary:
        schools = list(
            School.objects.filter(country=country)
            .exclude(membership_status__in=APPLICATION_STATUSES)
            .only("pk", "slug", "name", "country_id")
        )
        return cls(
            country=country,
            thematic_areas={area.slug: area for area in ThematicArea.objects.all()},
            pillars={pillar.slug: pillar for pillar in Pillar.objects.all()},
            sdgs={str(goal.number): goal for goal in SustainableDevelopmentGoal.objects.all()},
            flagships={item.slug: item for item in FlagshipNetwork.objects.all()},
            days={day.slug: day for day in InternationalDay.objects.all()},
            schools_by_slug={school.slug: school for school in schools},
            schools_by_name={school.name: school for school in schools},
        )

    @staticmethod
    def choices(terms: dict[str, Any]) -> list[tuple[str, str]]:
        return [(key, key) for key in terms]

    def school(self, slug: str, name: str) -> School | None:
        """By its directory address, else by its exact name (either column may hold it)."""
        return (
            self.schools_by_slug.get(slug)
            or self.schools_by_name.get(name)
            or self.schools_by_name.get(slug)
        )


# -- files --------------------------------------------------------------------------------


@dataclass
class StagedFile:
    """A file checked and already stored (under a random name) for a row still to write."""

    stored_name: str
    original_name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def _problem(row: int, message: str, code: str) -> ImportProblem:
    return ImportProblem(row, "files", message, code)


def _stage_files(
    row: int, entries: list[dict[str, str]], folder: Path | None
) -> tuple[list[StagedFile], list[ImportProblem]]:
    """Check each file of a row by its content and store it; on any problem, store none."""
    staged: list[StagedFile] = []
    problems: list[ImportProblem] = []
    if entries and folder is None:
        return [], [_problem(row, _("The row lists files: give their folder (--files)."),
                             "no_files_folder")]  # fmt: skip
    for entry in entries:
        path = entry.get("path", "")
        located = _located(folder, path) if folder is not None else None
        if located is None:
            problems.append(
                _problem(row, _("“%(path)s” is not a path inside the files folder.")
                         % {"path": path}, "unsafe_path")
            )  # fmt: skip
            continue
        if not located.is_file():
            problems.append(
                _problem(row, _("There is no file “%(path)s” in the files folder.")
                         % {"path": path}, "file_missing")
            )  # fmt: skip
            continue
        name = entry.get("name") or located.name
        try:
            with located.open("rb") as opened:
                upload = UploadedFile(opened, name=name, size=located.stat().st_size)
                checked = validate_attachment(upload, max_megabytes=MAX_FILE_MEGABYTES)
        except ValidationError as refused:
            for message in refused.messages:
                problems.append(_problem(row, f"{path}: {message}", refused.code or "invalid_file"))
            continue
        expected = entry.get("sha256", "").lower()
        if expected and expected != _sha256_of(located):
            problems.append(
                _problem(row, _("“%(path)s” is not the file the catalogue describes (its "
                                "checksum differs).") % {"path": path}, "checksum_mismatch")
            )  # fmt: skip
            continue
        staged.append(
            StagedFile(
                stored_name=private_storage().save(
                    random_storage_name(checked.extension), ContentFile(checked.content)
                ),
                original_name=checked.original_name,
                kind=checked.kind,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
        )
    if problems:
        _discard(staged)
        return [], problems
    return staged, []


def _located(folder: Path, path: str) -> Path | None:
    relative = Path(path)
    if not path or relative.is_absolute() or ".." in relative.parts or "\\" in path:
        return None
    located = (folder / relative).resolve()
    return located if located.is_relative_to(folder.resolve()) else None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as opened:
        for block in iter(lambda: opened.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _discard(staged: Iterable[StagedFile]) -> None:
    storage = private_storage()
    for file in staged:
        storage.delete(file.stored_name)


# -- the import -----------------------------------------------------------------------------


class PracticeImportRejected(Exception):
    """The file had errors and no partial import was asked for: nothing changed."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(_("The file has errors; nothing was imported."))
        self.problems = problems


@dataclass
class PracticeImportResult:
    created: list[Practice] = field(default_factory=list)
    skipped: list[ImportProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class _CheckedRow:
    row: int
    data: dict[str, Any]
    links: list[tuple[str, str]]
    files: list[StagedFile]


def _checked_links(row: int, entries: list[dict[str, str]]) -> tuple[list, list[ImportProblem]]:
    links, problems = [], []
    check_url = URLValidator(schemes=["http", "https"])
    title_length = PracticeLink._meta.get_field("title").max_length or 200
    url_length = PracticeLink._meta.get_field("url").max_length or 500
    for entry in entries:
        url, title = entry.get("url", ""), entry.get("title", "")
        try:
            check_url(url)
            if len(url) > url_length:
                raise ValidationError("", code="max_length")
        except ValidationError:
            problems.append(ImportProblem(row, "links", _("“%(url)s” is not a web address.")
                                          % {"url": url}, "invalid_link"))  # fmt: skip
            continue
        try:
            validate_single_line(title)
            if len(title) > title_length:
                raise ValidationError("", code="max_length")
        except ValidationError as error:
            problems.append(ImportProblem(row, "links", _("The text of the link to %(url)s is "
                                          "too long or not one line.") % {"url": url},
                                          error.code or "invalid"))  # fmt: skip
            continue
        links.append((url, title))
    return links, problems


def _duplicate_key(data: dict[str, Any]) -> tuple[int | None, str]:
    school = data["school_object"]
    return (school.pk if school else None, data["title"].casefold())


def _check_rows(
    parsed: ParsedCatalogue, vocabulary: Vocabulary, folder: Path | None
) -> tuple[list[_CheckedRow], list[ImportProblem]]:
    country = vocabulary.country
    problems = list(parsed.problems)
    checked: list[_CheckedRow] = []
    seen: dict[tuple[int | None, str], int] = {}
    existing = {
        (school_id, title.casefold())
        for school_id, title in Practice.objects.filter(country=country).values_list(
            "school_id", "title"
        )
    }
    for row, data in parsed.rows:
        form = PracticeRowForm(data, vocabulary=vocabulary, country=country)
        links, link_problems = _checked_links(row, data.get("links", []))
        if not form.is_valid() or link_problems:
            problems.extend(form.problems(row) if form.errors else [])
            problems.extend(link_problems)
            continue
        key = _duplicate_key(form.cleaned_data)
        if key in seen:
            problems.append(ImportProblem(
                row, "title", _("The same item is listed twice (first on row %(row)s).")
                % {"row": seen[key]}, "duplicate_in_file"))  # fmt: skip
            continue
        if key in existing:
            problems.append(ImportProblem(
                row, "title", _("The library already holds an item of this title from this "
                                "school."), "already_in_library"))  # fmt: skip
            continue
        files, file_problems = _stage_files(row, data.get("files", []), folder)
        if file_problems:
            problems.extend(file_problems)
            continue
        seen[key] = row
        checked.append(_CheckedRow(row=row, data=form.cleaned_data, links=links, files=files))
    problems.sort(key=lambda problem: problem.row)
    return checked, problems


def _new_practice(
    country: Country, row: _CheckedRow, vocabulary: Vocabulary, now: datetime.datetime
) -> Practice:
    data = row.data
    status = data["status"] or PracticeStatus.PUBLISHED
    published_at = None
    if status == PracticeStatus.PUBLISHED:
        published_at = data["published_at"] or now
    return Practice(
        country=country,
        school=data["school_object"],
        status=status,
        kind=data["kind"] or PracticeKind.GOOD_PRACTICE,
        title=data["title"],
        summary=data["summary"],
        title_en=data["title_en"],
        summary_en=data["summary_en"],
        body=data["body"],
        language=data["language"] or ContentLanguage.LATVIAN,
        authors=data["authors"],
        education_levels=list(data["education_levels"]),
        age_from=data["age_from"],
        age_to=data["age_to"],
        subjects=data["subjects"],
        duration=data["duration"],
        licence=data["licence"] or Licence.CC_BY,
        recommended=data["recommended"] == "true" and status == PracticeStatus.PUBLISHED,
        published_at=published_at,
        flagship=vocabulary.flagships.get(data["flagship"]),
        international_day=vocabulary.days.get(data["international_day"]),
    )


def practices_import(
    *,
    actor: Actor,
    country: Country,
    content: bytes,
    file_format: str,
    files_folder: Path | None = None,
    partial: bool = False,
) -> PracticeImportResult:
    """Bring a catalogue file (the export's format, CSV or JSON, with its folder of files) into
    a country's library: the national coordinator's (or the command line's) import of earlier
    project cycles. Every row and every file is checked first; any problem rejects the whole
    file unless `partial`, which imports the good rows and reports the others. Imported items
    are published (unless a row says draft) and entered in the search engine, in one
    transaction with one audit entry."""
    require_permission(
        actor,
        lambda person: can_manage_library(person, country),
        _("You may not change this country's library."),
    )
    parsed = read_catalogue(content, file_format=file_format)
    vocabulary = Vocabulary.of(country)
    checked, problems = _check_rows(parsed, vocabulary, files_folder)
    staged = [file for row in checked for file in row.files]
    if problems and not partial:
        _discard(staged)
        raise PracticeImportRejected(problems)
    result = PracticeImportResult(skipped=problems, ignored_columns=parsed.ignored_columns)
    committed = False
    try:
        with transaction.atomic():
            now = timezone.now()
            for row in checked:
                practice = _new_practice(country, row, vocabulary, now)
                practice.save()
                data = row.data
                practice.thematic_areas.set(
                    [vocabulary.thematic_areas[slug] for slug in data["thematic_areas"]]
                )
                practice.pillars.set([vocabulary.pillars[slug] for slug in data["pillars"]])
                practice.sdgs.set([vocabulary.sdgs[number] for number in data["sdgs"]])
                PracticeLink.objects.bulk_create(
                    PracticeLink(practice=practice, url=url, title=title, position=position)
                    for position, (url, title) in enumerate(row.links)
                )
                PracticeFile.objects.bulk_create(
                    PracticeFile(
                        practice=practice,
                        file=file.stored_name,
                        original_name=file.original_name,
                        kind=file.kind,
                        content_type=file.content_type,
                        size=file.size,
                        sha256=file.sha256,
                        position=position,
                    )
                    for position, file in enumerate(row.files)
                )
                result.created.append(practice)
            index_practices([practice.pk for practice in result.created])
            imported_files = PracticeFile.objects.filter(practice__in=result.created)
            for file_pk in imported_files.values_list("pk", flat=True):
                # The worker reads each file's text for the search, as for a file uploaded.
                transaction.on_commit(functools.partial(extract_file_text.enqueue, file_pk))
            audit_record(
                actor=actor,
                action=AuditAction.PRACTICES_IMPORTED,
                country_code=country.code,
                after={
                    "created": len(result.created),
                    "created_ids": [practice.pk for practice in result.created],
                    # The first titles, to recognise the import by (the ids name them all).
                    "created_titles": [practice.title for practice in result.created[:20]],
                    "files": len(staged),
                    "skipped_rows": sorted({problem.row for problem in problems}),
                },
            )
        committed = True
    except BaseException:
        # Only files of rows that were never written: after the commit they are the items'.
        if not committed:
            _discard(staged)
        raise
    return result
