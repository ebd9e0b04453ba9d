"""CSV that people open in spreadsheets: written safely, and read from their exports."""

from __future__ import annotations

import csv
import io
import re


class EchoBuffer:
    """A file-like object for csv.writer that hands each written line back (for streaming)."""

    def write(self, value: str) -> str:
        return value


# Spreadsheets read a cell that starts with one of these as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number as Python's str() writes it (a Decimal, a float, an int), with its sign: a
# spreadsheet reads it as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """The value as a cell that a spreadsheet shows and never runs: text that would be read as
    a formula gets a leading apostrophe (shown as text, e.g. "=HYPERLINK(...)"); plain numbers,
    negative ones too ("-33.50000", a southern latitude), stay numbers."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def spreadsheet_reader(text: str):
    """A csv reader of a spreadsheet saved as CSV: comma- or semicolon-separated (a Latvian
    Excel writes ";"), as its header line shows; strict, so a broken quote is an error."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
