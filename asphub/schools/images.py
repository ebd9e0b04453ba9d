"""Checking and re-encoding the pictures a school puts on its public profile (logo, photo).

A file is judged by its content, never by its name or the type the browser claims: Pillow must
read it as JPEG, PNG or WebP (no SVG, which can carry scripts), within a size in bytes and in
pixels (a small file can unpack to an image that fills the server's memory). What is stored is
not the upload but a new encoding of its pixels: EXIF (with GPS position and camera), XMP, text
chunks and comments are left behind, the picture is turned upright as its EXIF said, and it is
scaled down to a bounded size. The stored name is random, so nothing of the original name
(which may name a person, or be hostile text) reaches the page.
"""

from __future__ import annotations

import io
import secrets
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from asphub.core.images import NOT_AN_IMAGE, TOO_MANY_PIXELS, ImageRefused, reencoded_image

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Larger than any camera's picture a school would upload, far below what would exhaust memory
# (a 40-megapixel RGBA image takes 160 MB while it is re-encoded).
MAX_SOURCE_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 2000
LOGO_MAX_SIDE = 800
# Pillow's format name: the extension the stored file gets.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"


class CheckedImage(ContentFile):
    """An image that has been checked and re-encoded here (the services take it as it is)."""

    def __init__(self, content: bytes, name: str, *, width: int, height: int, image_format: str):
        super().__init__(content, name=name)
        self.width = width
        self.height = height
        self.image_format = image_format


def checked_image(upload: IO[bytes], *, max_side: int = PHOTO_MAX_SIDE) -> CheckedImage:
    """The uploaded picture re-encoded without its metadata, at most `max_side` pixels wide and
    high; ValidationError (codes too_large, not_an_image, too_many_pixels, damaged) if it is not
    a JPEG, PNG or WebP image of acceptable size."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; a picture may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    try:
        image = reencoded_image(
            upload, formats=ACCEPTED_FORMATS, max_pixels=MAX_SOURCE_PIXELS, max_side=max_side
        )
    except ImageRefused as refused:
        if refused.code == TOO_MANY_PIXELS:
            raise _too_many_pixels(max_side) from None
        if refused.code == NOT_AN_IMAGE:
            raise _not_an_image() from None
        raise ValidationError(
            _("The picture could not be read to the end; it may be damaged. Save it "
              "again from an image program and upload the new file."),
            code="damaged",
        ) from None  # fmt: skip
    name = f"{secrets.token_hex(12)}.{ACCEPTED_FORMATS[image.image_format]}"
    return CheckedImage(
        image.content, name, width=image.width, height=image.height, image_format=image.image_format
    )


def _too_many_pixels(max_side: int) -> ValidationError:
    return ValidationError(
        _("The picture has too many pixels to process. Save it smaller (at most %(max)s "
          "pixels on its longer side is enough) and upload it again.") % {"max": max_side},
        code="too_many_pixels",
    )  # fmt: skip


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not a picture the site can show. Upload a JPEG, PNG or WebP image "
          "(SVG and other formats are not accepted)."),
        code="not_an_image",
    )  # fmt: skip
