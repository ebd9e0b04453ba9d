"""Reading a coordinator's spreadsheet export of schools and checking each row.

Files may be UTF-8 with or without a byte-order mark, separated by commas or semicolons.
Each row is checked by `SchoolRowForm`; problems are reported with the file's line number.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asphub.core.spreadsheets import spreadsheet_reader
from asphub.core.text import strip_diacritics
from asphub.core.validators import validate_single_line

from .models import InstitutionType, LocationPrecision, MembershipStatus, Ownership

REQUIRED_COLUMNS = ("name", "institution_type", "municipality_code")
KNOWN_COLUMNS = (
    "name", "institution_type", "ownership", "municipality_code", "municipality", "settlement",
    "latitude", "longitude", "location_precision", "membership_status", "member_since",
    "website", "email", "phone", "address",
)  # fmt: skip


@dataclass
class ParsedFile:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class SchoolFileError(Exception):
    """The file as a whole cannot be read (encoding, missing columns)."""


def read_school_csv(content: bytes) -> ParsedFile:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise SchoolFileError(
            _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8” and try again.")
            % {"line": line}
        ) from error
    reader = spreadsheet_reader(text)
    try:
        header = next(reader)
    except StopIteration as empty:
        raise SchoolFileError(_("The file is empty.")) from empty
    except csv.Error as error:
        raise SchoolFileError(
            _("The header line cannot be read: %(error)s") % {"error": error}
        ) from error
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise SchoolFileError(
            _("The file lacks the required columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    # Spreadsheets often carry extra columns (notes, internal ids): they are reported, not fatal.
    parsed = ParsedFile(ignored_columns=[n for n in columns if n and n not in KNOWN_COLUMNS])
    line_number = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            parsed.errors.append(
                (reader.line_num, _("The line cannot be read: %(error)s") % {"error": error})
            )
            break
        line_number = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(columns):
            parsed.errors.append(
                (
                    line_number,
                    _("Expected %(expected)s values but found %(found)s.")
                    % {"expected": len(columns), "found": len(values)},
                )
            )
            continue
        row = {
            name: value.strip()
            for name, value in zip(columns, values, strict=True)
            if name in KNOWN_COLUMNS
        }
        for name in ("latitude", "longitude"):
            # Spreadsheets set to Latvian write decimal commas (57,31) in semicolon files.
            if name in row:
                row[name] = row[name].replace(",", ".")
        parsed.rows.append((line_number, row))
    return parsed


def _same_name(a: str, b: str) -> bool:
    return strip_diacritics(a).casefold().strip() == strip_diacritics(b).casefold().strip()


class SchoolRowForm(forms.Form):
    """One row of the import file. The municipality must belong to the importing country."""

    name = forms.CharField(
        label=gettext_lazy("name"), max_length=255, validators=[validate_single_line]
    )
    institution_type = forms.ChoiceField(
        label=gettext_lazy("institution type"), choices=InstitutionType.choices
    )
    ownership = forms.ChoiceField(
        label=gettext_lazy("ownership"), choices=[("", ""), *Ownership.choices], required=False
    )
    municipality_code = forms.CharField(label=gettext_lazy("municipality code"), max_length=10)
    municipality = forms.CharField(
        label=gettext_lazy("municipality"), max_length=120, required=False
    )
    settlement = forms.CharField(
        label=gettext_lazy("settlement"),
        max_length=120,
        required=False,
        validators=[validate_single_line],
    )
    address = forms.CharField(
        label=gettext_lazy("address"),
        max_length=255,
        required=False,
        validators=[validate_single_line],
    )
    latitude = forms.DecimalField(
        label=gettext_lazy("latitude"), min_value=-90, max_value=90, decimal_places=5,
        max_digits=8, required=False,
    )  # fmt: skip
    longitude = forms.DecimalField(
        label=gettext_lazy("longitude"), min_value=-180, max_value=180, decimal_places=5,
        max_digits=8, required=False,
    )  # fmt: skip
    location_precision = forms.ChoiceField(
        label=gettext_lazy("location precision"),
        choices=[("", ""), *LocationPrecision.choices],
        required=False,
    )
    membership_status = forms.ChoiceField(
        label=gettext_lazy("membership status"),
        choices=[("", ""), *MembershipStatus.choices],
        required=False,
    )
    member_since = forms.IntegerField(
        label=gettext_lazy("member since (year)"), min_value=1953, max_value=2100, required=False
    )
    website = forms.URLField(label=gettext_lazy("website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=gettext_lazy("e-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=40, required=False)

    def __init__(self, *args, subdivisions: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.subdivisions = subdivisions

    def check(self, row: dict[str, str]) -> bool:
        """Check another row with this same form; its result is then in `cleaned_data` (a new
        dict for each row) or `error_text()`. One form serves a whole file: making a form
        copies every field with its list of choices, which costs more than checking the row,
        and a file may have tens of thousands of rows."""
        self.data, self.is_bound, self._errors = row, True, None
        return self.is_valid()

    def clean(self):
        data = super().clean()
        code = (data.get("municipality_code") or "").upper()
        if code:
            subdivision = self.subdivisions.get(code)
            if subdivision is None:
                self.add_error(
                    "municipality_code",
                    _("“%(code)s” is not a municipality code of this country.") % {"code": code},
                )
            else:
                data["subdivision"] = subdivision
                named = data.get("municipality")
                if named and not _same_name(named, subdivision.name):
                    self.add_error(
                        "municipality",
                        _("“%(name)s” does not match the code %(code)s (%(expected)s).")
                        % {"name": named, "code": code, "expected": subdivision.name},
                    )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(None, _("Give both latitude and longitude, or neither."))
        return data

    def error_text(self) -> str:
        parts = []
        for field_name, errors in self.errors.items():
            label = self.fields[field_name].label if field_name in self.fields else ""
            for error in errors:
                parts.append(f"{label}: {error}" if label else str(error))
        return "; ".join(parts)
