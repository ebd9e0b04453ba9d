"""Checking uploaded documents by their content, never by their name or declared type."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MEGABYTE = 1024 * 1024

# What, in a PDF, runs code, acts by itself or carries other files: as a key of a dictionary
# (/AA: actions run when a page opens or a field changes) or as a name anywhere (an action's
# type, /S /JavaScript; an annotation's, /Subtype /FileAttachment).
PDF_ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia",
     "/XFA"}
)  # fmt: skip
PDF_ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/FileAttachment",
     "/RichMedia", "/EmbeddedFile", "/Rendition", "/Sound", "/Movie", "/GoToR"}
)  # fmt: skip
# What a document does when it opens (/OpenAction): only where to open it is allowed, a
# destination ([page /Fit]; most PDF writers put one there) or a /GoTo action. Any other
# action (a script, a web address, another file) is refused.
PDF_OPENING_ACTIONS = frozenset({"/GoTo"})
# The same keys written in the file, found also outside every object the reader lists (viewers
# repair a damaged file and then find them), once the #-escapes of names are undone (#4A is J).
PDF_ACTIVE_BYTES = re.compile(
    rb"/(?:JavaScript|JS|AA|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s/<>\[\]()%]|$)"
)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Streams (pictures, compressed page content) are left out of that search: their bytes are
# arbitrary and would match by chance; the reader's walk below sees the objects inside them.
PDF_STREAM_START = re.compile(rb"stream\r?\n")
PDF_WALK_LIMIT = 100_000


def validate_pdf(upload: UploadedFile, *, max_megabytes: int = 10) -> bytes:
    """A real PDF of at most `max_megabytes`, with no scripts, automatic actions or attached
    files (a letter has no need of them, and they are how PDFs carry attacks). Returns its
    content."""
    too_large = ValidationError(
        _("The file is larger than %(size)s MB.") % {"size": max_megabytes}, code="too_large"
    )
    if upload.size is not None and upload.size > max_megabytes * MEGABYTE:
        raise too_large
    upload.seek(0)
    content = upload.read(max_megabytes * MEGABYTE + 1)
    upload.seek(0)
    if len(content) > max_megabytes * MEGABYTE:
        raise too_large
    if not content.startswith(b"%PDF-"):
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    check_pdf_content(content)
    return content


def check_pdf_content(content: bytes) -> None:
    """Refuse a PDF (its bytes) that cannot be read, has a password, or holds active content."""
    unreadable = ValidationError(
        _("The PDF cannot be read: it is damaged, or not a PDF."), code="pdf_unreadable"
    )
    active = ValidationError(
        _("The PDF contains scripts, automatic actions or attached files. Save it again as a "
          "plain PDF (for example, print it to PDF) and upload that."),
        code="pdf_active_content",
    )  # fmt: skip
    outside_streams = _outside_streams(content)
    unescaped = PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), outside_streams)
    if PDF_ACTIVE_BYTES.search(unescaped):
        raise active
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is protected with a password: upload it without one."),
                code="pdf_encrypted",
            )
        if len(reader.pages) == 0:
            raise unreadable
        found_active = _has_active_content(reader)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds of errors on a damaged or hostile file
        raise unreadable from None
    if found_active:
        raise active


def _has_active_content(reader: PdfReader) -> bool:
    """Whether any object of the document (every one its cross-reference tables list, and
    every one reached from its trailer) has an active key or name. Too many objects to walk
    count as active: such a file is no certificate."""
    pending: list[Any] = [reader.trailer]
    for generation, objects in reader.xref.items():
        pending.extend(IndirectObject(idnum, generation, reader) for idnum in objects)
    pending.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    walked = 0
    while pending:
        node = pending.pop()
        walked += 1
        if walked > PDF_WALK_LIMIT:
            return True
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, NameObject):
            if node in PDF_ACTIVE_NAMES:
                return True
        elif isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in PDF_ACTIVE_KEYS:
                    return True
                if name == "/OpenAction" and not _only_opens_a_page(value.get_object()):
                    return True
                if name == "/URI" and _leaves_the_web(value.get_object()):
                    return True
                pending.append(value)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return False


def _leaves_the_web(uri: Any) -> bool:
    """A link that runs a script or opens a local or network file (a network path can make
    Windows send the reader's credentials)."""
    text = str(uri).strip().lower()
    return text.startswith(("javascript:", "file:", "\\\\", "smb:", "vbscript:", "data:"))


def _only_opens_a_page(action: Any) -> bool:
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and action.get("/S") in PDF_OPENING_ACTIONS


def _outside_streams(content: bytes) -> bytes:
    """The file with every stream's body left out, in one pass: a stream without its end
    (a damaged or hostile file) ends the search there, so the work grows with the file's
    size, never with its square."""
    parts = []
    position = 0
    while True:
        start = PDF_STREAM_START.search(content, position)
        if start is None:
            parts.append(content[position:])
            break
        parts.append(content[position : start.start()] + b"stream endstream")
        end = content.find(b"endstream", start.end())
        if end == -1:
            break
        position = end + len(b"endstream")
    return b"".join(parts)
