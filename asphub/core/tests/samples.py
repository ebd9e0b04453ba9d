"""Attachments for the tests, built in code: minimal valid office packages, a PDF, pictures with
metadata, and the hostile files an upload form meets (bombs, disguised programs, macros)."""

from __future__ import annotations

import functools
import io
import struct
import warnings
import zipfile
import zlib
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from PIL import Image
from PIL.PngImagePlugin import PngInfo

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = f"{R}/officeDocument"

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
SLIDE = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
SCRIPT_NS = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"

# EXIF tags (Pillow's ExifTags numbers).
EXIF_MAKE = 0x010F
EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825


def upload(content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def zipped(members: dict[str, bytes | str], *, first: str | None = None) -> bytes:
    """A zip of `members` (with `first`, if given, stored uncompressed before the others, as
    OpenDocument wants its mimetype)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose in some tests
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            if first is not None:
                archive.writestr(
                    zipfile.ZipInfo(first), members[first], compress_type=zipfile.ZIP_STORED
                )
            for name, data in members.items():
                if name != first:
                    archive.writestr(name, data)
    return buffer.getvalue()


def content_types(overrides: dict[str, str], *, extra_defaults: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + extra_defaults
        + "".join(
            f'<Override PartName="/{part}" ContentType="{content_type}"/>'
            for part, content_type in overrides.items()
        )
        + "</Types>"
    )


def relationships(*entries: tuple[str, str, str, bool]) -> str:
    """Relationships (id, type's last part, target, external)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        + "".join(
            f'<Relationship Id="{rid}" Type="{R}/{kind}" Target="{escape(target)}"'
            + (' TargetMode="External"' if external else "")
            + "/>"
            for rid, kind, target, external in entries
        )
        + "</Relationships>"
    )


def ooxml(main_part: str, main_type: str, parts: dict[str, str | bytes], **overrides: str) -> bytes:
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types({main_part: main_type, **overrides}),
        "_rels/.rels": relationships(("rId1", "officeDocument", main_part, False)),
    }
    members.update(parts)
    return zipped(members)


def docx_xml(*paragraphs: str | list[str]) -> str:
    """A Word body; a paragraph given as a list is written as that many runs (Word splits
    words across runs where formatting or spell-checking marks change)."""
    body = ""
    for paragraph in paragraphs:
        runs = paragraph if isinstance(paragraph, list) else [paragraph]
        body += (
            "<w:p>"
            + "".join(f'<w:r><w:t xml:space="preserve">{escape(run)}</w:t></w:r>' for run in runs)
            + "</w:p>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}'
        "</w:body></w:document>"
    )


def docx(
    *paragraphs: str | list[str],
    main_type: str = DOCX_MAIN,
    extra: dict[str, str | bytes] | None = None,
) -> bytes:
    members: dict[str, str | bytes] = {"word/document.xml": docx_xml(*(paragraphs or ("Text",)))}
    members.update(extra or {})
    return ooxml("word/document.xml", main_type, members)


def slide_xml(*paragraphs: str) -> str:
    text = "".join(f"<a:p><a:r><a:t>{escape(p)}</a:t></a:r></a:p>" for p in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:a="{A}" xmlns:p="{P}"><p:cSld>'
        f"<p:spTree><p:sp><p:txBody>{text}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
    )


def pptx(slides: dict[int, str], notes: dict[int, str] | None = None) -> bytes:
    parts: dict[str, str | bytes] = {
        "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation xmlns:p="{P}"/>'
    }
    overrides = {}
    for number, text in slides.items():
        parts[f"ppt/slides/slide{number}.xml"] = slide_xml(text)
        overrides[f"ppt/slides/slide{number}.xml"] = SLIDE
    for number, text in (notes or {}).items():
        parts[f"ppt/notesSlides/notesSlide{number}.xml"] = slide_xml(text)
    return ooxml("ppt/presentation.xml", PPTX_MAIN, parts, **overrides)


def xlsx(shared: list[str], inline: str = "", *, main_type: str = XLSX_MAIN) -> bytes:
    strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
    cells = '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>42</v></c>'
    if inline:
        cells += f'<c r="C1" t="inlineStr"><is><t>{escape(inline)}</t></is></c>'
    return ooxml(
        "xl/workbook.xml",
        main_type,
        {
            "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{X}"><sheets/></workbook>',
            "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{X}">{strings}</sst>',
            "xl/worksheets/sheet1.xml": (
                f'<?xml version="1.0"?><worksheet xmlns="{X}"><sheetData><row r="1">{cells}'
                "</row></sheetData></worksheet>"
            ),
        },
    )


def odf_content(body: str, *, extra_namespaces: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{OFFICE_NS}"'
        f' xmlns:text="{TEXT_NS}" xmlns:table="{TABLE_NS}" xmlns:draw="{DRAW_NS}"'
        f' xmlns:script="{SCRIPT_NS}" xmlns:xlink="{XLINK_NS}"{extra_namespaces} office:version="1.3">'
        '<office:automatic-styles><style name="Ignored"/></office:automatic-styles>'
        f"<office:body>{body}</office:body></office:document-content>"
    )


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
    ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "{extra}</manifest:manifest>"
)


def odf(mimetype: str, body: str, *, manifest_extra: str = "", **parts: str | bytes) -> bytes:
    members: dict[str, str | bytes] = {
        "mimetype": mimetype,
        "content.xml": odf_content(body),
        "META-INF/manifest.xml": MANIFEST.format(mimetype=mimetype, extra=manifest_extra),
    }
    members.update(parts)
    return zipped(members, first="mimetype")


def odt(*paragraphs: str) -> bytes:
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    return odf(ODT, f"<office:text><text:h>Virsraksts</text:h>{body}</office:text>")


def odp(*slides: str) -> bytes:
    pages = "".join(
        f'<draw:page draw:name="p{i}"><draw:frame><draw:text-box><text:p>{escape(s)}</text:p>'
        "</draw:text-box></draw:frame></draw:page>"
        for i, s in enumerate(slides)
    )
    return odf(ODP, f"<office:presentation>{pages}</office:presentation>")


def ods(*cells: str) -> bytes:
    row = "".join(
        f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>" for c in cells
    )
    return odf(
        ODS,
        f'<office:spreadsheet><table:table table:name="Lapa1"><table:table-row>{row}'
        "</table:table-row></table:table></office:spreadsheet>",
    )


def pdf(*pages: str) -> bytes:
    document = FPDF()
    document.set_font("Helvetica", size=12)
    for text in pages:
        document.add_page()
        document.cell(text=text)
    return bytes(document.output())


def jpeg_with_location(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF names its camera and where it was taken, and says to turn it."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[EXIF_MAKE] = "Spy Camera Co."
    exif[EXIF_ORIENTATION] = orientation
    exif.get_ifd(EXIF_GPS_IFD).update({1: "N", 2: (56.0, 57.0, 1.0), 3: "E", 4: (24.0, 6.0, 1.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at Ilze's home")
    return out.getvalue()


def png_with_metadata(size: tuple[int, int] = (16, 8)) -> bytes:
    image = Image.new("RGBA", size, (0, 120, 200, 128))
    info = PngInfo()
    info.add_text("Comment", "Ilze's home, Cēsis")
    exif = Image.Exif()
    exif[EXIF_MAKE] = "Spy Camera Co."
    exif.get_ifd(EXIF_GPS_IFD).update({1: "N", 2: (56.0, 57.0, 1.0)})
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A small valid PNG whose header says it is `width` × `height` (a decompression bomb as
    the server first sees it)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    data = out.getvalue()
    ihdr_start = 8 + 8  # the signature, then the chunk's length and type
    header = bytearray(data[ihdr_start : ihdr_start + 13])
    header[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(header)) & 0xFFFFFFFF)
    return data[:ihdr_start] + bytes(header) + crc + data[ihdr_start + 13 + 4 :]


# -- zip bombs --------------------------------------------------------------------------------

MEGABYTE = 1024 * 1024


@functools.cache
def _deflated_megabyte_of_zeros() -> bytes:
    """A megabyte of zeros as a raw deflate block that ends byte-aligned with a fresh history,
    so that repeating it makes a valid stream of as many megabytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(MEGABYTE)) + compressor.flush(zlib.Z_FULL_FLUSH)


@functools.cache
def _crc_of_zeros(megabytes: int) -> int:
    crc = 0
    zeros = bytes(MEGABYTE)
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return crc


def raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written byte by byte: (name, deflated data, CRC-32, declared unpacked size), so
    that what it declares can differ from what it holds."""
    local, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in entries:
        encoded = name.encode()
        offset = local.tell()
        local.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                        len(encoded), 0) + encoded + data
        )  # fmt: skip
        central.write(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                        len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )  # fmt: skip
    directory = central.getvalue()
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory),
        local.tell(), 0,
    )  # fmt: skip
    return local.getvalue() + directory + end


def zeros_member(name: str, megabytes: int, *, declared: int | None = None):
    data = _deflated_megabyte_of_zeros() * megabytes + zlib.compressobj(9, 8, -15).flush()
    size = megabytes * MEGABYTE if declared is None else declared
    return (name, data, _crc_of_zeros(megabytes), size)


def docx_bomb(megabytes: int = 1024, *, declared: int | None = None) -> bytes:
    """A Word document with a part of `megabytes` of zeros (1 GB packs into about 1 MB)."""
    small = [
        ("[Content_Types].xml", content_types({"word/document.xml": DOCX_MAIN}).encode()),
        ("word/document.xml", docx_xml("Text").encode()),
    ]
    entries = []
    for name, data in small:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        entries.append(
            (name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))
        )
    entries.append(zeros_member("word/media/zeros.bin", megabytes, declared=declared))
    return raw_zip(entries)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
