"""What people write in its own language with optional English versions: a reader of English
pages gets each field's English version where it is given, field by field; everyone else gets
the original."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from asphub.core.bilingual import in_reader_language


def content(**fields):
    values = {"language": "lv", "title": "Miera diena", "title_en": "", "body": "Teksts"}
    values.update(fields)
    values.setdefault("body_en", "")
    return SimpleNamespace(**values)


def test_an_english_reader_gets_the_english_version_of_each_field_that_has_one():
    item = content(title_en="Peace day")
    title = in_reader_language(item, "title", "en")
    body = in_reader_language(item, "body", "en")
    assert (str(title), title.language) == ("Peace day", "en")
    # The body has no English version: the original, said to be in its own language.
    assert (str(body), body.language, body.is_fallback) == ("Teksts", "lv", True)


def test_an_english_field_shows_without_an_english_title():
    item = content(body_en="Text")
    assert str(in_reader_language(item, "title", "en")) == "Miera diena"
    assert str(in_reader_language(item, "body", "en")) == "Text"


def test_other_readers_and_english_content_get_the_original():
    assert str(in_reader_language(content(title_en="Peace day"), "title", "lv")) == "Miera diena"
    english = content(language="en", title="Peace day", title_en="Ignored")
    assert str(in_reader_language(english, "title", "en")) == "Peace day"
    assert in_reader_language(content(title_en="   "), "title", "en").language == "lv"


def test_the_reader_language_is_the_current_one_by_default():
    item = content(title_en="Peace day")
    with translation.override("en"):
        assert str(in_reader_language(item, "title")) == "Peace day"
    with translation.override("lv"):
        assert str(in_reader_language(item, "title")) == "Miera diena"
