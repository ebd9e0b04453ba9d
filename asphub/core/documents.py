"""Checking a file attached to a practice (a lesson plan, slides, a worksheet, a photo) by its
content, never by its name or the type the browser declares.

Accepted: PDF; Word, PowerPoint and Excel documents (DOCX, PPTX, XLSX); OpenDocument text,
presentations and spreadsheets (ODT, ODP, ODS); PNG and JPEG pictures. Everything else is
refused, each reason with its own code (the `REFUSALS` below), so that a form can say what to
do instead and keep everything else the person typed.

* A PDF is refused if it runs scripts or acts by itself (`check_pdf_content`, as for letters).
* An office document is a zip archive. Before anything in it is unpacked, its table of
  contents must describe something an office program writes: few enough parts, each with a
  plain relative name, adding up to a bounded size at a plausible compression ratio (a zip
  bomb of a few megabytes can unpack to gigabytes). Then every part is unpacked as a stream,
  counting what actually comes out against the same bounds, and its checksum is verified.
  Its type is read from the archive itself ([Content_Types].xml and the main part; for
  OpenDocument the `mimetype` part) and must be one of the plain kinds: macro-enabled files,
  documents with active controls, documents that load a template or object from elsewhere
  (how "template injection" and Follina-style attacks reach Word) and encrypted ones are
  refused. Its XML is parsed with expat without any DOCTYPE: no office program writes one,
  and entity declarations are how XML bombs and external-entity attacks work.
* A picture is re-encoded (`asphub.core.images`): its location, camera and other metadata are
  left behind, the orientation its EXIF gave is applied to the pixels.

The stored name is random (`random_storage_name`); the person's name for the file is kept only
for display and for the download's Content-Disposition, cleaned by `safe_filename`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER, ExpatError, ParserCreate
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .images import MAX_SOURCE_PIXELS as MAX_IMAGE_PIXELS
from .images import TOO_MANY_PIXELS, ImageRefused, reencoded_image
from .uploads import MEGABYTE, check_pdf_content

# What an office document may unpack to. The largest real documents (a few hundred slides
# with photos) stay far below these; a zip bomb goes far above.
MAX_UNPACKED_BYTES = 200 * MEGABYTE
MAX_ARCHIVE_MEMBERS = 5_000
MAX_COMPRESSION_RATIO = 100
# Small parts (XML of repeated table cells) compress well past the ratio and harm nothing.
RATIO_CHECKED_ABOVE = MEGABYTE
# The small XML parts read to learn the type ([Content_Types].xml, .rels, the manifest).
MAX_DESCRIPTOR_BYTES = MEGABYTE
# The parts whose XML is searched whole for macro calls (OpenDocument content and styles).
MAX_XML_PART_BYTES = 100 * MEGABYTE
MAX_FILENAME_LENGTH = 150
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttachmentType:
    kind: str
    content_type: str
    extension: str
    # Extensions a person's file name may already end with for this kind.
    known_extensions: frozenset[str]


def _type(kind: str, content_type: str, *others: str) -> AttachmentType:
    return AttachmentType(kind, content_type, kind, frozenset({kind, *others}))


# Keyed by kind, which is also the extension given to the stored file.
ATTACHMENT_TYPES = {
    entry.kind: entry
    for entry in (
        _type("pdf", "application/pdf"),
        _type("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        _type("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        _type("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _type("odt", "application/vnd.oasis.opendocument.text"),
        _type("odp", "application/vnd.oasis.opendocument.presentation"),
        _type("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        _type("png", "image/png"),
        _type("jpg", "image/jpeg", "jpeg", "jpe", "jfif"),
    )
}
# For a file input's `accept` attribute: a hint to the browser's picker, never a check.
ACCEPT_ATTRIBUTE = ",".join(
    sorted(
        f".{extension}"
        for entry in ATTACHMENT_TYPES.values()
        for extension in entry.known_extensions
    )
)
IMAGE_KINDS = {"png": "PNG", "jpg": "JPEG"}

# OOXML: the main part of each kind and the content type [Content_Types].xml gives it.
OOXML_MAIN_PARTS = {
    "word/document.xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "document",
    ),
    "ppt/presentation.xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "presentation",
    ),
    "xl/workbook.xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "workbook",
    ),
}
# Parts and content types that carry code: VBA projects, their data, ActiveX controls.
OOXML_MACRO_PARTS = frozenset({"vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin"})
OOXML_MACRO_TYPE_MARKERS = ("macroenabled", "vbaproject", "activex")
# What an OOXML part may link to outside the document: a hyperlink (Office asks before it
# follows one) and a web picture, video or sound. Anything else fetched from elsewhere (a
# template, an OLE object, a frame, a subdocument, another workbook) is how documents load
# code or leak the reader's Windows credentials.
OOXML_EXTERNAL_ALLOWED = frozenset({"hyperlink"})
OOXML_EXTERNAL_WEB_MEDIA = frozenset({"image", "video", "audio", "media"})

ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
ODF_SCRIPT_NAMESPACE = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
# Where an OpenDocument calls a macro: its own (Basic/, Scripts/) or one installed with the
# office program, called with the document's arguments (how LibreLogo was abused).
ODF_MACRO_LINKS = ("vnd.sun.star.script:", "macro:", "vnd.sun.star.basic:", "service:")
# A Basic/ folder that only lists empty libraries is written by LibreOffice for any file.
ODF_EMPTY_BASIC_PARTS = re.compile(r"Basic/(?:[^/]+/)?(?:script|dialog)-l[bc]\.xml")

PDF_SIGNATURE = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
# Compound File Binary: .doc, .xls, .ppt, and also password-protected DOCX, XLSX and PPTX.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Invisible characters that change how a name reads (U+202E turns "gpj.exe" into "exe.jpg")
# or hide part of it. Zero-width (non-)joiners stay: scripts such as Persian need them.
_ALLOWED_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_LOOKS_LIKE_EXTENSION = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,5}")
_STORAGE_EXTENSION = re.compile(r"[a-z0-9]{1,10}")


@dataclass(frozen=True)
class CheckedAttachment:
    """An uploaded file that has passed `validate_attachment`: what to store and how to
    describe it. `content` is what to store (for a picture, its re-encoding)."""

    content: bytes
    kind: str
    content_type: str
    extension: str
    original_name: str
    size: int
    sha256: str

    def content_file(self, *, folder: str = "attachments") -> ContentFile:
        """The content as a file with a random name, ready for a FileField or a storage."""
        return ContentFile(self.content, name=random_storage_name(self.extension, folder=folder))


def validate_attachment(upload: UploadedFile, *, max_megabytes: int = 25) -> CheckedAttachment:
    """The upload checked by its content (see the module's docstring); ValidationError with a
    code of `REFUSALS` (or check_pdf_content's pdf_unreadable, pdf_encrypted,
    pdf_active_content) if it is refused."""
    limit = max_megabytes * MEGABYTE
    if upload.size == 0:
        raise _refusal("empty")
    if upload.size is not None and upload.size > limit:
        raise _refusal("too_large", size=max_megabytes)
    safe_filename(upload.name or "")
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    if not content:
        raise _refusal("empty")
    if len(content) > limit:
        raise _refusal("too_large", size=max_megabytes)
    kind, content = _checked_content(content)
    if len(content) > limit:  # a picture's new encoding, in the rare case it grew
        raise _refusal("too_large", size=max_megabytes)
    entry = ATTACHMENT_TYPES[kind]
    return CheckedAttachment(
        content=content,
        kind=kind,
        content_type=entry.content_type,
        extension=entry.extension,
        original_name=safe_filename(upload.name or "", extension=entry.extension),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def attachment_kind(content: bytes) -> str:
    """The kind of an attachment from its content, checked as `validate_attachment` checks it
    (without size limits); ValidationError if it is refused."""
    return _checked_content(content)[0]


def _checked_content(content: bytes) -> tuple[str, bytes]:
    if content.startswith(PDF_SIGNATURE):
        check_pdf_content(content)
        return "pdf", content
    if content.startswith(PNG_SIGNATURE):
        return "png", _reencoded(content, "png")
    if content.startswith(JPEG_SIGNATURE):
        return "jpg", _reencoded(content, "jpg")
    if content.startswith(ZIP_SIGNATURE):
        return _office_kind(content), content
    if content.startswith(CFB_SIGNATURE):
        raise _refusal("old_office_format")
    raise _refusal("unsupported_type")


def _reencoded(content: bytes, kind: str) -> bytes:
    try:
        return reencoded_image(
            io.BytesIO(content), formats=[IMAGE_KINDS[kind]], keep_clean_source=True
        ).content
    except ImageRefused as refused:
        if refused.code == TOO_MANY_PIXELS:
            raise _refusal("too_many_pixels", megapixels=MAX_IMAGE_PIXELS // 1_000_000) from None
        # DAMAGED, or NOT_AN_IMAGE: its signature said PNG or JPEG, yet its header is broken.
        raise _refusal("image_damaged") from None


# -- office documents -------------------------------------------------------------------------


def open_office_archive(content: bytes) -> zipfile.ZipFile:
    """The zip archive of an office document, after its table of contents is found safe to
    unpack (bounded size, ratio and number of parts; plain relative names, no duplicates; no
    encryption; only the compression methods office programs use). ValidationError (codes
    damaged, unpacks_too_large, unsafe_structure, encrypted, unsupported_type) if not."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, struct.error):  # fmt: skip
        raise _refusal("damaged") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise _refusal("unpacks_too_large")
    names: set[str] = set()
    declared = 0
    for member in members:
        name = member.filename
        # Part names are compared without case in OPC: "A.xml" and "a.xml" are one part that
        # two readers could each take differently.
        if not _is_plain_member_name(name) or name.casefold() in names:
            raise _refusal("unsafe_structure")
        names.add(name.casefold())
        if member.flag_bits & 0x1:
            raise _refusal("encrypted")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refusal("unsupported_type")
        declared += member.file_size
        if (
            member.file_size > RATIO_CHECKED_ABOVE
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise _refusal("unpacks_too_large")
    if declared > MAX_UNPACKED_BYTES:
        raise _refusal("unpacks_too_large")
    return archive


def member_chunks(
    archive: zipfile.ZipFile, name: str, *, max_bytes: int, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[bytes]:
    """The unpacked bytes of a part, in chunks, decompressed as they are read: what comes out
    is counted, never the size the archive declares. ValidationError unpacks_too_large past
    `max_bytes`, damaged if the part cannot be unpacked or its checksum is wrong."""
    produced = 0
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(chunk_bytes):
                produced += len(chunk)
                if produced > max_bytes:
                    raise _refusal("unpacks_too_large")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, RuntimeError,
            ValueError, NotImplementedError, struct.error):  # fmt: skip
        # What zipfile raises on a damaged part: besides its own error, "password required"
        # (RuntimeError), a negative offset (ValueError), a made-up version
        # (NotImplementedError), a short header (struct.error); KeyError: no such part.
        raise _refusal("damaged") from None


def read_member(archive: zipfile.ZipFile, name: str, *, max_bytes: int) -> bytes:
    return b"".join(member_chunks(archive, name, max_bytes=max_bytes))


class _StopParsing(Exception):
    pass


def parse_xml(
    chunks: Iterator[bytes] | list[bytes],
    *,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed XML to expat, calling `start(name, attributes)`, `end(name)` and `text(data)`;
    names are "namespace}local" (or just local). A document with a DOCTYPE (hence any entity)
    is refused before anything in it is expanded: ValidationError unsafe_structure; broken XML
    is ValidationError damaged. A handler may raise its own exception to stop early."""
    parser = ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*_args: Any) -> None:
        raise _refusal("unsafe_structure")

    def refuse_external(*_args: Any) -> int:
        raise _refusal("unsafe_structure")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.ExternalEntityRefHandler = refuse_external
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ExpatError:
        raise _refusal("damaged") from None


def local_name(name: str) -> str:
    return name.rpartition("}")[2]


def _root_name(archive: zipfile.ZipFile, name: str) -> str:
    """The local name of a part's root element, reading no further than it."""
    found: list[str] = []

    def first(element: str, _attributes: dict[str, str]) -> None:
        found.append(local_name(element))
        raise _StopParsing

    with contextlib.suppress(_StopParsing):
        parse_xml(member_chunks(archive, name, max_bytes=MAX_XML_PART_BYTES), start=first)
    if not found:
        raise _refusal("damaged")
    return found[0]


def _is_plain_member_name(name: str) -> bool:
    """A relative name of plain parts, as office programs write (folders end with "/")."""
    if not name or name.startswith("/") or "\\" in name:
        return False
    parts = name.removesuffix("/").split("/")
    if ":" in parts[0]:  # a drive letter or a scheme
        return False
    if any(part in ("", ".", "..") for part in parts):
        return False
    return not any(unicodedata.category(character) == "Cc" for character in name)


def _office_kind(content: bytes) -> str:
    archive = open_office_archive(content)
    with archive:
        names = {member.filename for member in archive.infolist()}
        # Unpack every part once, as a stream: a checksum that does not match, or a part that
        # unpacks to more than the archive said, shows up here rather than in a reader later.
        unpacked = 0
        for member in archive.infolist():
            if member.is_dir():
                continue
            for chunk in member_chunks(archive, member.filename, max_bytes=MAX_UNPACKED_BYTES):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise _refusal("unpacks_too_large")
        has_ooxml = "[Content_Types].xml" in names
        has_odf = "mimetype" in names
        if has_ooxml and not has_odf:
            return _ooxml_kind(archive, names)
        if has_odf and not has_ooxml:
            return _odf_kind(archive, names)
    raise _refusal("unsupported_type")


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    main_parts = [part for part in OOXML_MAIN_PARTS if part in names]
    if len(main_parts) != 1:
        raise _refusal("unsupported_type")
    main_part = main_parts[0]
    kind, main_type, root = OOXML_MAIN_PARTS[main_part]
    content_types: list[str] = []
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}

    def declared(element: str, attributes: dict[str, str]) -> None:
        if local_name(element) in ("Default", "Override"):
            content_type = attributes.get("ContentType", "").casefold()
            content_types.append(content_type)
            if "PartName" in attributes:
                overrides[attributes["PartName"].casefold()] = content_type
            if "Extension" in attributes:
                defaults[attributes["Extension"].casefold()] = content_type

    parse_xml(
        member_chunks(archive, "[Content_Types].xml", max_bytes=MAX_DESCRIPTOR_BYTES),
        start=declared,
    )
    if any(name.rpartition("/")[2].casefold() in OOXML_MACRO_PARTS for name in names) or any(
        marker in content_type
        for content_type in content_types
        for marker in OOXML_MACRO_TYPE_MARKERS
    ):
        raise _refusal("macros")
    # Embedded OLE objects (a "package" can be a program the reader starts with a double
    # click). Embedded OOXML parts, such as a chart's workbook, are documents and stay.
    if any(
        "/embeddings/" in name.casefold() and name.casefold().endswith(".bin") for name in names
    ) or any("oleobject" in content_type.casefold() for content_type in content_types):
        raise _refusal("embedded_objects")
    # Templates, slide shows and add-ins have their own main type: not accepted as documents.
    # Most programs name the main part's type; a few give it as the default for all XML.
    if overrides.get(f"/{main_part}", defaults.get("xml")) != main_type:
        raise _refusal("unsupported_type")
    if _root_name(archive, main_part) != root:
        raise _refusal("unsupported_type")
    for name in sorted(names):
        if name.endswith(".rels"):
            _check_relationships(archive, name)
    return kind


def _check_relationships(archive: zipfile.ZipFile, name: str) -> None:
    def relationship(element: str, attributes: dict[str, str]) -> None:
        if local_name(element) != "Relationship":
            return
        if attributes.get("TargetMode", "").strip().casefold() != "external":
            return
        kind = attributes.get("Type", "").rpartition("/")[2].casefold()
        target = attributes.get("Target", "").strip().casefold()
        if kind in OOXML_EXTERNAL_ALLOWED:
            return
        if kind in OOXML_EXTERNAL_WEB_MEDIA and target.startswith(("https://", "http://")):
            return
        raise _refusal("external_content")

    parse_xml(member_chunks(archive, name, max_bytes=MAX_DESCRIPTOR_BYTES), start=relationship)


def _odf_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    mimetype = read_member(archive, "mimetype", max_bytes=200)
    kind = ODF_MIMETYPES.get(mimetype)
    if kind is None or "content.xml" not in names:
        raise _refusal("unsupported_type")
    if "META-INF/manifest.xml" in names:
        manifest = read_member(archive, "META-INF/manifest.xml", max_bytes=MAX_DESCRIPTOR_BYTES)
        if b"encryption-data" in manifest:
            raise _refusal("encrypted")
    if any(
        name.startswith("Scripts/")
        or (
            name.startswith("Basic/")
            and not name.endswith("/")
            and not ODF_EMPTY_BASIC_PARTS.fullmatch(name)
        )
        for name in names
    ):
        raise _refusal("macros")
    if _root_name(archive, "content.xml") != "document-content":
        raise _refusal("unsupported_type")
    for part in ("content.xml", "styles.xml"):
        if part in names:
            _check_no_macro_calls(archive, part)
    return kind


def _check_no_macro_calls(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse event listeners (a macro run when the document opens, a control is clicked,
    the mouse passes) and links into macros."""

    def element(element: str, attributes: dict[str, str]) -> None:
        namespace, _, local = element.rpartition("}")
        if namespace == ODF_SCRIPT_NAMESPACE or local in ("event-listener", "event-listeners"):
            raise _refusal("macros")
        for value in attributes.values():
            if value.lstrip().casefold().startswith(ODF_MACRO_LINKS):
                raise _refusal("macros")

    parse_xml(member_chunks(archive, name, max_bytes=MAX_XML_PART_BYTES), start=element)


# -- names ------------------------------------------------------------------------------------


def safe_filename(name: str, *, extension: str | None = None) -> str:
    """The name a person gave the file, fit to show and to offer in a download's
    Content-Disposition; with `extension`, ending in it.

    Refused (ValidationError filename_unsafe) when it holds a path separator (/ or \\) or an
    invisible control or direction character: browsers' full paths (old Internet Explorer
    sends C:\\...\\name.pdf) never arrive here, as Django's upload parser keeps only the last
    part, so a separator comes from elsewhere (an import file) and is refused rather than
    guessed at. Refused (filename_empty) when nothing is left before the extension: ".pdf",
    "..." or "" (a generic stand-in would hide that the name was lost).

    Cleaned quietly: Unicode letters kept in their composed form (a Mac sends "ā" as a and a
    combining macron), other spaces made plain and runs of them one, leading dots (hidden
    files) and trailing dots and spaces (Windows drops them) removed, the stem shortened to
    keep the name within MAX_FILENAME_LENGTH. With `extension`, a name already ending in one
    of the kind's extensions keeps its own ("Photo.JPEG"); one ending in another extension
    gets it replaced ("report.exe" that is a PDF becomes "report.pdf", never
    "report.exe.pdf", which Windows shows as "report.exe"); anything else after its last dot
    ("Version 1.5") is kept and the extension appended.
    """
    name = unicodedata.normalize("NFC", name)
    if "/" in name or "\\" in name:
        raise _refusal("filename_unsafe")
    if any(
        unicodedata.category(character) in _REFUSED_CATEGORIES
        and character not in _ALLOWED_FORMAT_CHARACTERS
        for character in name
    ):
        raise _refusal("filename_unsafe")
    name = " ".join(name.split()).rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.lstrip(". ").rstrip(". ")
    if not stem:
        raise _refusal("filename_empty")
    if extension is not None:
        known = ATTACHMENT_TYPES.get(extension)
        known_extensions = known.known_extensions if known else frozenset({extension})
        if suffix.casefold() in known_extensions:
            pass
        elif suffix and not _LOOKS_LIKE_EXTENSION.fullmatch(suffix):
            stem, suffix = f"{stem}.{suffix}", extension
        else:
            suffix = extension
    elif suffix and not _LOOKS_LIKE_EXTENSION.fullmatch(suffix):
        stem, suffix = f"{stem}.{suffix}", ""
    room = MAX_FILENAME_LENGTH - (len(suffix) + 1 if suffix else 0)
    stem = stem[:room].rstrip(". ")
    return f"{stem}.{suffix}" if suffix else stem


def random_storage_name(extension: str, *, folder: str = "attachments") -> str:
    """A new name to store a file under, such as "attachments/3f/3f2c...e1.pdf": nothing of
    the person's name for it, and a two-character folder so that no folder grows huge."""
    if not _STORAGE_EXTENSION.fullmatch(extension):
        raise ValueError(f"Not a storage extension: {extension!r}")
    token = uuid.uuid4().hex
    return f"{folder}/{token[:2]}/{token}.{extension}"


# -- refusals ---------------------------------------------------------------------------------


def _messages() -> dict[str, str]:
    return {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(size)s MB."),
        "unsupported_type": _(
            "This type of file is not accepted. Upload a PDF, a Word, PowerPoint or Excel "
            "document (DOCX, PPTX, XLSX), an OpenDocument file (ODT, ODP, ODS), or a PNG or "
            "JPEG picture."
        ),
        "old_office_format": _(
            "This is an old-format Office file (DOC, XLS, PPT) or a document protected with a "
            "password, which is not accepted. Save it as DOCX, XLSX or PPTX (or as PDF) "
            "without a password and upload that."
        ),
        "macros": _(
            "The document contains macros or active controls. Save it as a plain document "
            "(DOCX, PPTX, XLSX or OpenDocument, without macros) and upload that."
        ),
        "embedded_objects": _(
            "The document holds embedded objects (OLE), which can carry programs. Save it "
            "without them, for instance with the objects pasted as pictures, and upload it "
            "again."
        ),
        "external_content": _(
            "The document loads content from outside itself (a linked template, object or "
            "file). Save it with that content embedded, or removed, and upload it again."
        ),
        "encrypted": _("The document is protected with a password: upload it without one."),
        "unpacks_too_large": _(
            "The document unpacks to far more data than a document holds, so it cannot be "
            "checked safely. Save it again from its program and upload the new file."
        ),
        "unsafe_structure": _(
            "The document is not built the way office programs build documents. Save it again "
            "from its program and upload the new file."
        ),
        "damaged": _(
            "The document cannot be read: it is damaged or incomplete. Save it again from its "
            "program and upload the new file."
        ),
        "too_many_pixels": _(
            "The picture has too many pixels to process (at most %(megapixels)s megapixels). "
            "Save it smaller and upload it again."
        ),
        "image_damaged": _(
            "The picture could not be read to the end; it may be damaged. Save it again from "
            "an image program and upload the new file."
        ),
        "filename_unsafe": _(
            "The file's name contains a folder path or invisible control characters. Rename "
            "the file and upload it again."
        ),
        "filename_empty": _(
            "The file has no name. Rename it (for example to lesson-plan.pdf) and upload it again."
        ),
    }


# Every code validate_attachment may raise besides check_pdf_content's.
REFUSALS = frozenset(
    {"empty", "too_large", "unsupported_type", "old_office_format", "macros",
     "embedded_objects", "external_content", "encrypted", "unpacks_too_large",
     "unsafe_structure", "damaged", "too_many_pixels", "image_damaged", "filename_unsafe",
     "filename_empty"}
)  # fmt: skip


def _refusal(code: str, **params: Any) -> ValidationError:
    message = _messages()[code]
    return ValidationError(message % params if params else message, code=code)
