"""Validators shared by the apps."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Embeddings, overrides and isolates: each changes the direction of the text after it (U+202A to
# U+202E, U+2066 to U+2069), so that a name could show one thing and be another.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_single_line(value: str) -> None:
    """A name or an address is one line of text: no line breaks, tabs or other control
    characters (a name goes into plain-text e-mails, where a line break would let it write
    lines of its own), and no direction overrides (they would reverse the rest of the line)."""
    for character in value:
        # Cc: control characters; Zl, Zp: the line and paragraph separators (U+2028, U+2029).
        if unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in DIRECTION_CONTROLS:
            raise ValidationError(
                _("Use one line of ordinary text, without line breaks or control characters."),
                code="control_character",
            )


# The years a dated record of the network (an activity, an event) may fall in: far enough back
# for the oldest records anyone will type in, and forward for any plan; a date outside is a
# typo (a year 9999 would also break the calendar's feeds, which add a day to the end).
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
EARLIEST_DATE = datetime.date(EARLIEST_YEAR, 1, 1)
LATEST_DATE = datetime.date(LATEST_YEAR, 12, 31)


def validate_year_in_range(value: datetime.date) -> None:
    """A date in the years EARLIEST_YEAR to LATEST_YEAR."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Choose a date in the years %(earliest)s to %(latest)s."),
            code="year_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


# The same range as instants, for moments (an event's start) and their database constraints:
# from the first moment of EARLIEST_YEAR to the end of LATEST_YEAR, in UTC. The validator
# checks the instant in UTC, so that nothing it accepts is refused by a constraint.
EARLIEST_MOMENT = datetime.datetime(EARLIEST_YEAR, 1, 1, tzinfo=datetime.UTC)
AFTER_LATEST_MOMENT = datetime.datetime(LATEST_YEAR + 1, 1, 1, tzinfo=datetime.UTC)


def validate_moment_in_range(value: datetime.datetime) -> None:
    """A moment in the years EARLIEST_YEAR to LATEST_YEAR (code "year_out_of_range", as
    validate_year_in_range). PostgreSQL would store a year 0001 as a BC timestamp that Python
    cannot read back; a year 9999 cannot always be converted to UTC at all."""
    year = value.year
    if EARLIEST_YEAR <= year <= LATEST_YEAR and value.tzinfo is not None:
        # Only now: a moment far outside the range may not convert.
        year = value.astimezone(datetime.UTC).year
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValidationError(
            _("Choose a date in the years %(earliest)s to %(latest)s."),
            code="year_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
