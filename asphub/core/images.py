"""Re-encoding an uploaded picture so that only its pixels are kept.

Shared by every upload of pictures (a school's logo and photo, a practice's attached images).
Pillow must read the file as one of the formats the caller names, judged by its content; its
header must promise no more than `max_pixels` (a small file can unpack to an image that fills
the server's memory, so this is checked before the pixels are decoded). What comes back is a
new encoding of the pixels: EXIF (with GPS position and camera), XMP, text chunks and comments
are left behind, the picture is turned upright as its EXIF said, and, if asked, scaled down.

The refusal is an `ImageRefused` with a code, not a ValidationError: each caller words it for
its own form (what it accepts, what size it suggests).
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

# Larger than any camera's picture or scanned poster, far below what would exhaust memory
# (a 40-megapixel RGBA image takes 160 MB while it is re-encoded).
MAX_SOURCE_PIXELS = 40_000_000

EXIF_ORIENTATION = 0x0112
# How to turn the pixels for each EXIF orientation (as ImageOps.exif_transpose does; done here
# so that Pillow does not write the EXIF again, which fails on a malformed one).
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# What Pillow reports of a picture that carries no metadata about people or places: how it is
# encoded, its resolution and colour profile. Anything else (EXIF with its GPS position, XMP,
# comments, Photoshop/IPTC blocks, PNG text chunks) makes a picture one to re-encode.
HARMLESS_INFO = {
    "JPEG": frozenset(
        {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive",
         "progression", "icc_profile", "adobe", "adobe_transform"}
    ),
    "PNG": frozenset({"dpi", "gamma", "srgb", "transparency", "icc_profile", "aspect"}),
}  # fmt: skip
# How a complete file of each format ends (nothing may follow it).
FORMAT_ENDS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82"}

NOT_AN_IMAGE = "not_an_image"
TOO_MANY_PIXELS = "too_many_pixels"
DAMAGED = "damaged"


class ImageRefused(Exception):
    """The upload is not a picture that can be re-encoded; `code` says why (NOT_AN_IMAGE,
    TOO_MANY_PIXELS, DAMAGED)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReencodedImage:
    content: bytes
    width: int
    height: int
    # Pillow's name of the format: "JPEG", "PNG", "WEBP".
    image_format: str


def reencoded_image(
    source: IO[bytes],
    *,
    formats: Iterable[str],
    max_pixels: int = MAX_SOURCE_PIXELS,
    max_side: int | None = None,
    keep_clean_source: bool = False,
) -> ReencodedImage:
    """The picture in `source` (read from its start) encoded again in its own format, without
    metadata, upright, and at most `max_side` pixels wide and high when given. Raises
    ImageRefused if it is none of `formats` (Pillow's names), has more than `max_pixels`, or
    cannot be decoded to its end."""
    source.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns below twice its own pixel limit: here every bomb is an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=list(formats))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ImageRefused(NOT_AN_IMAGE) from None
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRefused(TOO_MANY_PIXELS)
            image_format = str(image.format)
            try:
                image.load()
                if keep_clean_source and _carries_nothing_more(source, image, max_side):
                    # Already clean (a picture this platform encoded, exported and imported
                    # again): kept byte for byte, so that an export and an import give the
                    # same file, instead of losing quality on every round.
                    source.seek(0)
                    return ReencodedImage(source.read(), width, height, image_format)
                clean = _upright_and_bounded(image, max_side)
            except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombWarning):
                raise ImageRefused(DAMAGED) from None
    return ReencodedImage(_encoded(clean, image_format), clean.width, clean.height, image_format)


def _carries_nothing_more(source: IO[bytes], image: Image.Image, max_side: int | None) -> bool:
    """A single, upright picture within size, with no metadata and nothing after its end."""
    image_format = str(image.format)
    if image_format not in HARMLESS_INFO or not set(image.info) <= HARMLESS_INFO[image_format]:
        return False
    if getattr(image, "n_frames", 1) != 1 or _orientation(image) != 1:
        return False
    if max_side is not None and max(image.size) > max_side:
        return False
    source.seek(0)
    return source.read().endswith(FORMAT_ENDS[image_format])


def _upright_and_bounded(image: Image.Image, max_side: int | None) -> Image.Image:
    """The first frame, turned as its EXIF orientation says, scaled to fit `max_side`, with
    no metadata but its colour profile."""
    icc_profile = image.info.get("icc_profile")
    turn = ORIENTATION_TRANSPOSE.get(_orientation(image))
    upright = image.transpose(turn) if turn is not None else image
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = upright.mode in ("PA", "P") and "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha or "A" in upright.mode else "RGB")
    else:
        upright = upright.copy()
    if max_side is not None:
        upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # What Pillow would write again from the source (EXIF, XMP, comments, text chunks).
    upright.info = {"icc_profile": icc_profile} if icc_profile else {}
    return upright


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, 1 (upright) if it has none or its EXIF cannot be read: a camera's
    malformed EXIF loses the turn, not the picture."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION)
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on damaged EXIF
        return 1
    return value if isinstance(value, int) else 1


def _encoded(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True, **options)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85, method=4, **options)
    else:
        image.save(out, "PNG", optimize=True, **options)
    return out.getvalue()
