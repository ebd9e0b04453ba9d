"""Content written by people in Latvian and English (pages, descriptions, profiles).

Each translatable text is a pair of fields, `<name>_lv` and `<name>_en`. A reader gets the text in
their language; when it is missing they get the other one, marked so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CONTENT_LANGUAGES = ("lv", "en")


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str
    requested_language: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.requested_language

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def current_content_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0]


def localized(obj: object, field: str, language: str | None = None) -> LocalizedText:
    wanted = language or current_content_language()
    order = [wanted] + [code for code in CONTENT_LANGUAGES if code != wanted]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "") or ""
        if value.strip():
            return LocalizedText(value, code, wanted)
    return LocalizedText("", wanted, wanted)


LANGUAGE_NAMES = {"lv": _("Latvian"), "en": _("English")}
