"""Writing CSV that people open in spreadsheets."""

from __future__ import annotations


class EchoBuffer:
    """A file-like object for csv.writer that hands each written line back (for streaming)."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: object) -> object:
    # Spreadsheets run cells that start with these characters as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
