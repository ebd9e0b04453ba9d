"""A readable comparison of two versions of a library item: for each field, the text as a list
of segments, each kept, added or removed, word by word. The template renders the segments
(escaped like any text, with <ins> and <del>): nothing here builds HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import PracticeRevision

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

# A word with the spaces after it, or a run of spaces (a paragraph break stays a segment).
_WORDS = re.compile(r"\S+\s*|\s+")

# The fields a version keeps, in the order the item's form shows them.
TEXT_FIELDS: tuple[tuple[str, Promise], ...] = (
    ("title", _("title")),
    ("summary", _("summary")),
    ("title_en", _("title in English")),
    ("summary_en", _("summary in English")),
    ("body", _("description")),
)
DETAIL_FIELDS: tuple[tuple[str, Promise], ...] = (
    ("kind", _("kind")),
    ("language", _("language")),
    ("authors", _("authors")),
    ("education_levels", _("education levels")),
    ("ages", _("ages")),
    ("subjects", _("subjects")),
    ("thematic_areas", _("thematic areas")),
    ("pillars", _("pillars of education")),
    ("sdgs", _("Sustainable Development Goals")),
    ("flagship", _("flagship network")),
    ("international_day", _("international day")),
    ("duration", _("duration")),
    ("licence", _("licence")),
    ("links", _("links")),
    ("files", _("files")),
)


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: Promise
    segments: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return any(operation != EQUAL for operation, _text in self.segments)


def _merged(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for operation, text in segments:
        if not text:
            continue
        if merged and merged[-1][0] == operation:
            merged[-1] = (operation, merged[-1][1] + text)
        else:
            merged.append((operation, text))
    return merged


# Word comparison costs about the product of the two lengths: past this, a changed block is
# shown as removed and added whole (a 50,000-character paragraph compared word by word took
# seconds of a server process).
MAX_WORD_PAIRS = 2_000_000


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    if len(old_words) * len(new_words) > MAX_WORD_PAIRS:
        return [(DELETE, old), (INSERT, new)]
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append((EQUAL, "".join(old_words[i1:i2])))
            continue
        # Removed words first, then what replaced them: the order people read a correction in.
        segments.append((DELETE, "".join(old_words[i1:i2])))
        segments.append((INSERT, "".join(new_words[j1:j2])))
    return segments


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The segments turning `old` into `new`. Lines are matched first and words only within
    the lines that changed, so that a long description is compared quickly and an edit in one
    paragraph never seems to touch the others."""
    old, new = old or "", new or ""
    if old == new:
        return [(EQUAL, old)] if old else []
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append((EQUAL, "".join(old_lines[i1:i2])))
        elif tag == "delete":
            segments.append((DELETE, "".join(old_lines[i1:i2])))
        elif tag == "insert":
            segments.append((INSERT, "".join(new_lines[j1:j2])))
        else:
            segments += _word_diff("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]))
    return _merged(segments)


def _detail_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "" if value is None else str(value)


def revision_diff(old: PracticeRevision, new: PracticeRevision) -> list[FieldDiff]:
    """Every field of the two versions, compared (unchanged fields too: the page may fold
    them)."""
    fields = [
        FieldDiff(name, label, text_diff(getattr(old, name), getattr(new, name)))
        for name, label in TEXT_FIELDS
    ]
    old_details, new_details = old.details or {}, new.details or {}
    fields += [
        FieldDiff(
            name,
            label,
            text_diff(_detail_text(old_details.get(name)), _detail_text(new_details.get(name))),
        )
        for name, label in DETAIL_FIELDS
    ]
    return fields
