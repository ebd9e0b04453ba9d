"""Sending a stored private file (an applicant's letter, UNESCO's certificate) to the one person
allowed to read it: as a download of the type its content shows, so that no browser runs or
displays it as a page of this site."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse

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
