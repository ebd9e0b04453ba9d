"""The plain text of an attached document, for the search index.

`extract_text` reads PDF (page by page, with pypdf), DOCX, PPTX and XLSX (the text runs of the
document, the slides and their notes, the shared and inline cell strings), ODT, ODP and ODS
(the body of content.xml). Pictures have no text here.

Made for files from anyone, so it never raises: a file it cannot read gives "" (and a warning
in the log). Its work is bounded three ways:
* archives are opened with the checks of `asphub.core.documents` (size, ratio and number of
  parts; plain names), and parts are unpacked as streams with a cap on what comes out;
* XML is parsed with expat, refusing any DOCTYPE, so no entity is ever expanded (no "billion
  laughs") or fetched;
* it stops at `max_chars` of text, and at `time_limit_seconds`, checked between PDF pages and
  between chunks of XML: the text found so far is returned. The check is cooperative: one PDF
  page that takes pypdf very long is not interrupted. A caller needing a hard limit runs this
  in a worker process it can stop (the task queue's worker, with its own timeout).

The text has its whitespace made single spaces, invisible and control characters removed
(PostgreSQL refuses NUL in text), and Unicode in its composed form.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator

from django.core.exceptions import ValidationError
from pypdf import PdfReader

from .documents import (
    MAX_XML_PART_BYTES,
    local_name,
    member_chunks,
    open_office_archive,
    parse_xml,
)

logger = logging.getLogger(__name__)

# Control characters (but whitespace, which becomes a space), lone surrogates, and invisible
# characters that would split a word in the index (soft hyphen, zero-width space, BOM,
# direction marks).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ud800-\udfff]"
)
_WHITESPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"(\d+)\.xml$")


class _Enough(Exception):
    """max_chars of text are collected."""


class _OutOfTime(Exception):
    pass


class _PartTooLarge(Exception):
    pass


class _Text:
    """Text collected up to a number of characters and a deadline."""

    def __init__(self, max_chars: int, deadline: float):
        self.max_chars = max_chars
        self.deadline = deadline
        self.parts: list[str] = []
        self.length = 0
        self.ends_with_space = True

    def add(self, text: str) -> None:
        text = _WHITESPACE.sub(" ", _INVISIBLE.sub("", text))
        if self.ends_with_space:
            text = text.lstrip(" ")
        if not text:
            return
        self.parts.append(text)
        self.length += len(text)
        self.ends_with_space = text.endswith(" ")
        if self.length > self.max_chars:
            raise _Enough

    def space(self) -> None:
        """A word boundary (the end of a paragraph, a cell, a page)."""
        self.add(" ")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _OutOfTime

    def result(self) -> str:
        text = unicodedata.normalize("NFC", "".join(self.parts)).strip()
        if len(text) <= self.max_chars:
            return text
        cut = text[: self.max_chars]
        # Not half a word at the end, unless the text has no space to cut at.
        if text[self.max_chars] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        return cut.rstrip()


def extract_text(
    content: bytes, kind: str, *, max_chars: int = 200_000, time_limit_seconds: float = 10
) -> str:
    """The text of a document of `kind` (as `asphub.core.documents` names kinds), at most
    `max_chars` long; "" for pictures, unknown kinds and files that cannot be read."""
    extractor = _EXTRACTORS.get(kind)
    if extractor is None:
        return ""
    collected = _Text(max_chars, time.monotonic() + time_limit_seconds)
    try:
        extractor(content, collected)
    except _Enough:
        pass
    except _OutOfTime:
        logger.warning(
            "Text extraction of a %s file stopped after %s s, with %s characters.",
            kind,
            time_limit_seconds,
            collected.length,
        )
    except Exception as error:  # noqa: BLE001 - any failure on a hostile file means no text
        logger.warning("No text extracted from a %s file: %s", kind, _describe(error))
        return ""
    return collected.result()


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return f"refused ({error.code})"
    return type(error).__name__


# -- PDF --------------------------------------------------------------------------------------


def _pdf_text(content: bytes, collected: _Text) -> None:
    reader = PdfReader(io.BytesIO(content), strict=False)
    # An owner password only restricts printing and copying; a user password hides the text.
    if reader.is_encrypted and not reader.decrypt(""):
        return
    failed_pages = 0
    for page in reader.pages:
        collected.check_time()
        try:
            page_text = page.extract_text()
        except Exception:  # noqa: BLE001 - one damaged page does not lose the others
            failed_pages += 1
            continue
        collected.add(page_text)
        collected.space()
    if failed_pages:
        logger.warning("Text of %s PDF page(s) could not be extracted.", failed_pages)


# -- XML in archives --------------------------------------------------------------------------


def _xml_text(
    archive: zipfile.ZipFile,
    name: str,
    collected: _Text,
    *,
    text_elements: frozenset[str] = frozenset(),
    within: str | None = None,
    spaces: frozenset[str] = frozenset(),
    breaks: frozenset[str] = frozenset(),
) -> None:
    """Add the text of one XML part: the character data inside `text_elements` (or, with
    `within`, everything inside that element), a space for each of `spaces` (a tab, a line
    break) and after each of `breaks` (a paragraph)."""
    depth = 0

    def start(element: str, _attributes: dict[str, str]) -> None:
        nonlocal depth
        local = local_name(element)
        if local in text_elements or (local == within) or depth:
            depth += 1
        if local in spaces:
            collected.space()

    def end(element: str) -> None:
        nonlocal depth
        if depth:
            depth -= 1
        if local_name(element) in breaks:
            collected.space()

    def text(data: str) -> None:
        if depth:
            collected.add(data)

    try:
        parse_xml(_timed_chunks(archive, name, collected), start=start, end=end, text=text)
    except _PartTooLarge:
        logger.warning("Text extraction read only the start of %s.", name)


def _timed_chunks(archive: zipfile.ZipFile, name: str, collected: _Text) -> Iterator[bytes]:
    try:
        for chunk in member_chunks(archive, name, max_bytes=MAX_XML_PART_BYTES):
            collected.check_time()
            yield chunk
    except ValidationError as refused:
        if refused.code == "unpacks_too_large":
            raise _PartTooLarge from None
        raise


def _numbered(names: list[str], pattern: str) -> list[str]:
    """The parts matching `pattern` in the order of their number (slide2 before slide10)."""
    found = [name for name in names if re.fullmatch(pattern, name)]
    return sorted(found, key=lambda name: int(_NUMBERED.search(name)[1]))  # type: ignore[index]


def _docx_text(content: bytes, collected: _Text) -> None:
    with open_office_archive(content) as archive:
        names = set(archive.namelist())
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            if part in names:
                # w:t holds text; w:delText (deleted revisions) and w:instrText (field codes)
                # are left out.
                _xml_text(
                    archive,
                    part,
                    collected,
                    text_elements=frozenset({"t"}),
                    spaces=frozenset({"tab", "br", "cr"}),
                    breaks=frozenset({"p", "tc"}),
                )


def _pptx_text(content: bytes, collected: _Text) -> None:
    with open_office_archive(content) as archive:
        names = archive.namelist()
        parts = _numbered(names, r"ppt/slides/slide\d+\.xml") + _numbered(
            names, r"ppt/notesSlides/notesSlide\d+\.xml"
        )
        for part in parts:
            _xml_text(
                archive,
                part,
                collected,
                text_elements=frozenset({"t"}),
                spaces=frozenset({"br"}),
                breaks=frozenset({"p"}),
            )


def _xlsx_text(content: bytes, collected: _Text) -> None:
    with open_office_archive(content) as archive:
        names = archive.namelist()
        parts = ["xl/sharedStrings.xml"] if "xl/sharedStrings.xml" in names else []
        # Cells of a worksheet hold numbers and indexes into the shared strings; its only
        # text is in inline strings (<is><t>).
        parts += _numbered(names, r"xl/worksheets/sheet\d+\.xml")
        for part in parts:
            _xml_text(
                archive,
                part,
                collected,
                text_elements=frozenset({"t"}),
                breaks=frozenset({"si", "is"}),
            )


def _odf_text(content: bytes, collected: _Text) -> None:
    with open_office_archive(content) as archive:
        _xml_text(
            archive,
            "content.xml",
            collected,
            within="body",
            spaces=frozenset({"s", "tab", "line-break"}),
            breaks=frozenset({"p", "h", "table-cell", "list-item", "frame"}),
        )


_EXTRACTORS: dict[str, Callable[[bytes, _Text], None]] = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "pptx": _pptx_text,
    "xlsx": _xlsx_text,
    "odt": _odf_text,
    "odp": _odf_text,
    "ods": _odf_text,
}
