"""The search index gets the text of every attached document kind, bounded in length, and
nothing (never an error) from a file that cannot be read."""

import logging
import random
import unicodedata

import pytest

from asphub.core.text_extraction import extract_text

from . import samples
from .samples import BILLION_LAUGHS, ODT, docx, odf


@pytest.mark.parametrize(
    "kind, content, expected",
    [
        ("pdf", lambda: samples.pdf("Water cycle lesson", "Second page"), "Water cycle lesson Second page"),
        # Word splits words into runs; a paragraph ends a word.
        ("docx", lambda: docx("Ūdens aprite", ["Ūde", "ns ", "ciklā"]), "Ūdens aprite Ūdens ciklā"),
        # Slides in their numbers' order (2 before 10), then the speaker's notes.
        (
            "pptx",
            lambda: samples.pptx({10: "Desmitais", 2: "Otrais", 1: "Pirmais"}, {1: "Piezīmes"}),
            "Pirmais Otrais Desmitais Piezīmes",
        ),
        # Shared strings and inline strings; numbers are not text.
        ("xlsx", lambda: samples.xlsx(["Skolēni", "Klase"], "Iekļauts"), "Skolēni Klase Iekļauts"),
        ("odt", lambda: samples.odt("Teksts ar ā", "Otrā rindkopa"), "Virsraksts Teksts ar ā Otrā rindkopa"),
        ("odp", lambda: samples.odp("Pirmais slaids", "Otrais"), "Pirmais slaids Otrais"),
        ("ods", lambda: samples.ods("Šūna", "Otra šūna"), "Šūna Otra šūna"),
    ],
    ids=["pdf", "docx", "pptx", "xlsx", "odt", "odp", "ods"],
)  # fmt: skip
def test_the_text_of_each_document_kind_is_extracted(kind, content, expected):
    assert extract_text(content(), kind) == expected


def test_word_text_left_out_is_deleted_revisions_and_field_codes():
    document = samples.W
    body = (
        f'<?xml version="1.0"?><w:document xmlns:w="{document}"><w:body><w:p>'
        "<w:r><w:t>Kept</w:t></w:r><w:r><w:delText>Deleted</w:delText></w:r>"
        "<w:r><w:instrText>HYPERLINK x</w:instrText></w:r><w:r><w:tab/><w:t>after</w:t></w:r>"
        "</w:p></w:body></w:document>"
    )
    content = docx(extra={"word/document.xml": body})
    assert extract_text(content, "docx") == "Kept after"


def test_odf_text_comes_from_the_body_only():
    content = odf(
        ODT,
        "<office:text><text:p>Viens<text:s/>divi<text:tab/>trīs<text:line-break/>četri</text:p>"
        "</office:text>",
    )
    assert extract_text(content, "odt") == "Viens divi trīs četri"


def test_whitespace_is_single_spaces_and_invisible_characters_are_removed():
    content = docx("  Ūd\u00adens \u200bap\ufeffrite  ", "\t\nrinda\u00a0divi")
    assert extract_text(content, "docx") == "Ūdens aprite rinda divi"


def test_the_text_is_in_composed_unicode():
    content = docx(unicodedata.normalize("NFD", "Cēsis"))
    assert extract_text(content, "docx") == "Cēsis"


def test_the_length_cap_is_respected_and_no_word_is_cut():
    words = " ".join(f"vārds{number}" for number in range(20_000))
    content = docx(*[words[i : i + 500] for i in range(0, len(words), 500)])
    text = extract_text(content, "docx", max_chars=1000)
    assert 900 < len(text) <= 1000
    assert text.split()[-1] in words.split()
    assert len(extract_text(content, "docx")) <= 200_000


def test_the_cap_is_respected_for_pdf_too():
    content = samples.pdf(*(f"Page {number} of the lesson" for number in range(30)))
    text = extract_text(content, "pdf", max_chars=50)
    assert len(text) <= 50 and text.startswith("Page 0 of the lesson Page 1")


def test_out_of_time_gives_what_was_found_and_a_warning(caplog):
    content = samples.pdf("First", "Second")
    with caplog.at_level(logging.WARNING, logger="asphub.core.text_extraction"):
        assert extract_text(content, "pdf", time_limit_seconds=-1) == ""
        assert extract_text(docx("Text"), "docx", time_limit_seconds=-1) == ""
    assert "stopped after" in caplog.text


@pytest.mark.parametrize("kind", ["png", "jpg", "exe", "svg", ""])
def test_pictures_and_unknown_kinds_have_no_text(kind):
    assert extract_text(samples.png_with_metadata(), kind) == ""


HOSTILE = {
    "empty": b"",
    "garbage": b"\x00\xff" * 1000,
    "truncated_docx": docx("Text")[:200],
    "truncated_pdf": samples.pdf("Text")[:300],
    "pdf_header_only": b"%PDF-1.7\n",
    "zip_bomb": samples.docx_bomb(1024),
    "billion_laughs": docx(extra={"word/document.xml": BILLION_LAUGHS + "<w>&lol4;</w>"}),
    "external_entity": docx(
        extra={
            "word/document.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
            '"file:///etc/passwd">]><x>&e;</x>'
        }
    ),
    "broken_xml": docx(extra={"word/document.xml": "<w:document><w:body><w:t>Te"}),
    "unsafe_names": docx(extra={"../evil.xml": "<x/>"}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("kind", ["pdf", "docx", "pptx", "xlsx", "odt", "odp", "ods"])
def test_a_broken_or_hostile_file_gives_no_text_and_no_error(name, kind):
    assert extract_text(HOSTILE[name], kind) == ""


def test_a_document_of_another_kind_than_said_gives_no_text():
    assert extract_text(samples.odt("Teksts"), "docx") == ""
    assert extract_text(docx("Text"), "odt") == ""
    assert extract_text(docx("Text"), "pdf") == ""


def test_a_broken_file_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="asphub.core.text_extraction"):
        assert extract_text(HOSTILE["billion_laughs"], "docx") == ""
    assert "unsafe_structure" in caplog.text


@pytest.mark.parametrize(
    "kind, content",
    [
        ("pdf", lambda: samples.pdf("Water cycle", "Second page")),
        ("docx", lambda: docx("Ūdens aprite " * 50)),
        ("pptx", lambda: samples.pptx({1: "Slaids", 2: "Otrais"})),
        ("xlsx", lambda: samples.xlsx(["Šūna", "Otra"], "Iekļauts")),
        ("odt", lambda: samples.odt("Teksts " * 40)),
    ],
    ids=["pdf", "docx", "pptx", "xlsx", "odt"],
)
def test_a_file_damaged_at_random_never_raises(kind, content):
    rng = random.Random(kind)
    original = content()
    for _ in range(100):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        assert isinstance(extract_text(bytes(damaged), kind), str)
