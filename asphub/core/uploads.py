"""Checking uploaded documents by their content, never by their name or declared type."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MEGABYTE = 1024 * 1024
# Keys and action types in a PDF that run code, open something or carry other files. (An
# /OpenAction or /AA entry is harmless when it only says where to open: the actions it may
# hold are caught by their type, /S.)
ACTIVE_PDF_KEYS = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile",
                   "/RichMedia", "/XFA"}  # fmt: skip
ACTIVE_PDF_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE"}
# How many objects of a document the check walks at most (a letter has a few hundred).
WALK_LIMIT = 50_000


class _ActiveContent(Exception):
    pass


def validate_pdf(upload: UploadedFile, *, max_megabytes: int = 10) -> None:
    """A real PDF of at most `max_megabytes`, with no scripts, automatic actions or embedded
    files (a letter has no need of them, and they are how PDFs carry attacks)."""
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
    not_pdf = ValidationError(_("The file is not a PDF document."), code="not_pdf")
    if not content.startswith(b"%PDF-"):
        raise not_pdf
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is protected with a password: upload it without one."),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise not_pdf
        _walk(reader.trailer["/Root"])
    except ValidationError:
        raise
    except _ActiveContent:
        raise ValidationError(
            _(
                "The PDF contains scripts, automatic actions or attached files; save it again as "
                "a plain PDF (print to PDF) and upload that."
            ),
            code="active_content",
        ) from None
    except Exception:  # pypdf raises many kinds of errors on a damaged or hostile file
        raise not_pdf from None
    # A name written in the file outside the objects reached from its catalogue counts too.
    if any(key.encode() in content for key in ("/JavaScript", "/Launch")):
        raise ValidationError(
            _(
                "The PDF contains scripts, automatic actions or attached files; save it again as "
                "a plain PDF (print to PDF) and upload that."
            ),
            code="active_content",
        )


def _walk(root: Any) -> None:
    """Every object reachable from the catalogue, once each; raises _ActiveContent at the
    first active key or action."""
    seen: set[tuple[int, int]] = set()
    pending = [root]
    walked = 0
    while pending:
        node = pending.pop()
        walked += 1
        if walked > WALK_LIMIT:
            raise _ActiveContent
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in ACTIVE_PDF_KEYS:
                    raise _ActiveContent
                if name == "/S" and isinstance(value, NameObject) and value in ACTIVE_PDF_ACTIONS:
                    raise _ActiveContent
                if name != "/Parent":
                    pending.append(value)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
