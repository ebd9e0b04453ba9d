"""Validators shared by the apps."""

from __future__ import annotations

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
