"""Sending a stored file as a download, so that no browser runs or displays it as a page of
this site: a private file (an applicant's letter, UNESCO's certificate) to the one person
allowed to read it (`private_download`), and a practice's attachment, streamed under the name
its author gave it (`attachment_download`)."""

from __future__ import annotations

import contextlib
import unicodedata
from urllib.parse import quote

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

FILE_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def private_download(stored: FieldFile, name: str) -> HttpResponse:
    """`stored` as an attachment named `name` (ASCII, without extension: the content's type
    gives it). Raises Http404 when there is no file."""
    if not stored:
        raise Http404
    try:
        with stored.open("rb") as opened:
            content = opened.read()
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type, extension = "application/octet-stream", "bin"
    for signature, known_type, known_extension in FILE_TYPES:
        if content.startswith(signature):
            content_type, extension = known_type, known_extension
            break
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


# What a sandboxed download may do if a browser showed it anyway: nothing, not even load a
# picture or a style.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
# Characters the quoted filename="..." of Content-Disposition cannot hold as they are.
_NOT_IN_QUOTED_NAME = frozenset('"\\')


def attachment_download(stored: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """`stored` streamed as an attachment named `filename` (the cleaned name its author gave,
    with its extension; see asphub.core.documents.safe_filename) of `content_type` (the type
    found from its content when it was uploaded). Raises Http404 when there is no file."""
    if not stored:
        raise Http404
    try:
        opened = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Content-Disposition is set below, both ways; FileResponse would give only one of them.
    response = FileResponse(opened, content_type=content_type)
    if "Content-Length" not in response:
        # A storage whose files cannot seek (some remote ones) still knows their size.
        with contextlib.suppress(FileNotFoundError, OSError, NotImplementedError):
            response["Content-Length"] = str(stored.size)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice (RFC 6266): as ASCII for old clients, and exactly, in
    UTF-8 (RFC 8187 / 5987), which every current browser prefers: "Pārskats.pdf" is offered as
    filename="Parskats.pdf"; filename*=UTF-8''P%C4%81rskats.pdf."""
    exact = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{exact}"


def ascii_filename(filename: str) -> str:
    """The name in ASCII: letters without their diacritics (ā a, č c, ķ k), any other
    character, and quotes, backslashes and control characters, as "_"."""
    decomposed = unicodedata.normalize("NFKD", filename)
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    safe = "".join(
        character if " " <= character <= "~" and character not in _NOT_IN_QUOTED_NAME else "_"
        for character in plain
    )
    stem, dot, extension = safe.rpartition(".")
    if dot and not stem.strip("_ "):
        return f"download.{extension}"
    return safe if safe.strip("_ .") else "download"
