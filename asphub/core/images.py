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

# The structure a picture without metadata about people or places may have, walked segment by
# segment (Pillow's image.info does not list unknown JPEG APPn segments or private PNG chunks,
# which can carry anything). JPEG: JFIF, colour profile and Adobe colour-transform segments,
# tables, frame and scan headers, restart intervals. PNG: the image, its palette and
# transparency, gamma, colour space and profile, physical pixel size.
JPEG_SEGMENTS_KEPT = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,
     0xDB, 0xDD, 0xDA}
)  # fmt: skip
JPEG_APP_SEGMENTS_KEPT = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
PNG_CHUNKS_KEPT = frozenset(
    {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"gAMA", b"sRGB", b"iCCP", b"cHRM", b"pHYs"}
)

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
    """A single, upright picture within size whose every segment is one that carries only the
    picture (see JPEG_SEGMENTS_KEPT, PNG_CHUNKS_KEPT), with nothing after its end."""
    if getattr(image, "n_frames", 1) != 1 or _orientation(image) != 1:
        return False
    if max_side is not None and max(image.size) > max_side:
        return False
    source.seek(0)
    content = source.read()
    if image.format == "JPEG":
        return _jpeg_is_bare(content)
    if image.format == "PNG":
        return _png_is_bare(content)
    return False


def _jpeg_is_bare(content: bytes) -> bool:
    position = 2  # after SOI
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return False
        marker = content[position + 1]
        if marker == 0xD9:  # EOI: the end, and nothing may follow it
            return position + 2 == len(content)
        length = int.from_bytes(content[position + 2 : position + 4], "big")
        segment = content[position + 4 : position + 2 + length]
        if marker in JPEG_APP_SEGMENTS_KEPT:
            if not segment.startswith(JPEG_APP_SEGMENTS_KEPT[marker]):
                return False
        elif marker not in JPEG_SEGMENTS_KEPT:
            return False  # other APPn, comments, anything unknown
        position += 2 + length
        if marker == 0xDA:  # a scan: entropy-coded data up to the next marker
            while position + 1 < len(content):
                if content[position] == 0xFF and content[position + 1] not in (
                    0x00,
                    *range(0xD0, 0xD8),
                ):
                    break
                position += 1
    return False


def _png_is_bare(content: bytes) -> bool:
    position = 8  # after the signature
    while position + 12 <= len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        kind = content[position + 4 : position + 8]
        end = position + 12 + length
        if kind == b"IEND":
            return end == len(content)
        if kind not in PNG_CHUNKS_KEPT:
            return False
        position = end
    return False


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
