"""Content written by people in Latvian and English (pages, descriptions, profiles).

Each translatable text is a pair of fields, `<name>_lv` and `<name>_en`. A reader gets the text in
their language; when it is missing they get the other one, marked so the page can say so
(`localized`).

What schools and coordinators write (a practice, an activity, an event) is different: it is in
its own `language`, with optional English versions of some fields (`<name>_en`) for readers of
English pages (`in_reader_language`).
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


def in_reader_language(obj: object, field: str, language: str | None = None) -> LocalizedText:
    """User content written in its own language (`obj.language`, the text in `field`) with an
    optional English version (`<field>_en`): a reader of English pages gets the English version
    where the content is in another language and that field's English version is given;
    everyone else gets the original. Decided field by field: an English title alone does not
    put an untranslated description in English, nor hide an English description."""
    wanted = language or current_content_language()
    own = getattr(obj, "language", "") or ""
    english = getattr(obj, f"{field}_en", "") or ""
    if wanted == "en" and own != "en" and english.strip():
        return LocalizedText(english, "en", wanted)
    return LocalizedText(getattr(obj, field, "") or "", own, wanted)


def text_in_reader_language(field: str) -> property:
    """A model property: `field` in the reader's language (`in_reader_language`), as text."""
    return property(lambda obj: str(in_reader_language(obj, field)))


def language_in_reader_language(field: str) -> property:
    """A model property: the language the reader gets `field` in (for lang attributes)."""
    return property(lambda obj: in_reader_language(obj, field).language)


LANGUAGE_NAMES = {"lv": _("Latvian"), "en": _("English")}
