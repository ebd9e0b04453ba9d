"""Validators shared by the apps."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_single_line(value: str) -> None:
    """A name or an address is one line of text: no line breaks, tabs or other control
    characters (a name goes into plain-text e-mails, where a line break would let it write
    lines of its own), and no direction overrides (they would reverse the rest of the line)."""
    for character in value:
        if unicodedata.category(character) == "Cc" or character in "\u202a\u202b\u202d\u202e":
            raise ValidationError(
                _("Use one line of ordinary text, without line breaks or control characters."),
                code="control_character",
            )
