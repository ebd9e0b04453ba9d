"""Attachments are judged by their content: the accepted kinds pass with their real type,
pictures lose their metadata, and every hostile or broken file is refused with its own code.
Downloads stream under the author's name, in ASCII and exactly."""

import hashlib
import io
import random
import re
import unicodedata
import warnings
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from PIL import Image

from asphub.core import documents
from asphub.core.documents import (
    ATTACHMENT_TYPES,
    REFUSALS,
    CheckedAttachment,
    attachment_kind,
    member_chunks,
    open_office_archive,
    random_storage_name,
    safe_filename,
    validate_attachment,
)
from asphub.core.files import ascii_filename, attachment_download

from . import samples
from .samples import (
    BILLION_LAUGHS,
    DOCM_MAIN,
    DOTX_MAIN,
    EXIF_GPS_IFD,
    EXIF_MAKE,
    EXIF_ORIENTATION,
    ODT,
    XLSM_MAIN,
    docx,
    odf,
    upload,
    zipped,
)


def code_of(content: bytes, name: str = "file.pdf", **options) -> str | None:
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload(content, name), **options)
    return refused.value.code


# -- accepted ---------------------------------------------------------------------------------

ACCEPTED = {
    "pdf": lambda: samples.pdf("Water cycle"),
    "docx": lambda: docx("Ūdens aprite"),
    "pptx": lambda: samples.pptx({1: "Slaids"}),
    "xlsx": lambda: samples.xlsx(["Šūna"]),
    "odt": lambda: samples.odt("Teksts"),
    "odp": lambda: samples.odp("Slaids"),
    "ods": lambda: samples.ods("Šūna"),
    "png": samples.png_with_metadata,
    "jpg": samples.jpeg_with_location,
}


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_each_accepted_kind_is_recognised_from_its_content(kind):
    content = ACCEPTED[kind]()
    # The name and the declared type say otherwise: neither is believed.
    checked = validate_attachment(upload(content, "Nodarbība.bin", "text/html"))
    assert isinstance(checked, CheckedAttachment)
    assert checked.kind == kind
    assert checked.extension == ATTACHMENT_TYPES[kind].extension
    assert checked.content_type == ATTACHMENT_TYPES[kind].content_type
    assert checked.original_name == f"Nodarbība.{checked.extension}"
    assert checked.size == len(checked.content)
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    if kind not in ("png", "jpg"):
        assert checked.content == content


def test_the_real_content_types_are_given():
    assert ATTACHMENT_TYPES["docx"].content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert ATTACHMENT_TYPES["jpg"].content_type == "image/jpeg"
    assert ATTACHMENT_TYPES["ods"].content_type == "application/vnd.oasis.opendocument.spreadsheet"
    assert ".jpeg" in documents.ACCEPT_ATTRIBUTE and ".docx" in documents.ACCEPT_ATTRIBUTE


def test_a_document_with_an_external_hyperlink_and_web_picture_is_accepted():
    rels = samples.relationships(
        ("rId1", "hyperlink", "https://unesco.org/", True),
        ("rId2", "image", "https://example.org/a.png", True),
        ("rId3", "video", "https://www.youtube.com/embed/x", True),
    )
    content = docx(extra={"word/_rels/document.xml.rels": rels})
    assert attachment_kind(content) == "docx"


def test_a_document_whose_main_type_is_the_default_for_xml_is_accepted():
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="xml" ContentType="{samples.DOCX_MAIN}"/></Types>'
    )
    assert attachment_kind(docx(extra={"[Content_Types].xml": types})) == "docx"


def test_an_odf_file_with_the_empty_basic_library_libreoffice_writes_is_accepted():
    content = odf(
        ODT,
        "<office:text><text:p>Teksts</text:p></office:text>",
        **{
            "Basic/script-lc.xml": "<x/>",
            "Basic/Standard/script-lb.xml": "<x/>",
        },
    )
    assert attachment_kind(content) == "odt"


def test_the_upload_is_left_at_its_start():
    file = upload(samples.pdf("Text"))
    validate_attachment(file)
    assert file.tell() == 0


# -- pictures ---------------------------------------------------------------------------------


def test_a_jpeg_loses_its_location_and_camera_and_is_turned_upright():
    original = samples.jpeg_with_location(size=(40, 20), orientation=6)
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(EXIF_GPS_IFD)
    checked = validate_attachment(upload(original, "photo.jpg", "image/jpeg"))
    assert checked.content != original
    assert b"Spy Camera" not in checked.content and b"Ilze" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.format == "JPEG"
        exif = image.getexif()
        assert not exif.get_ifd(EXIF_GPS_IFD)
        assert EXIF_MAKE not in exif
        # Orientation 6 (turn 90°) is applied to the pixels, and no tag is left to apply again.
        assert EXIF_ORIENTATION not in exif
        assert image.size == (20, 40)


def test_a_png_loses_its_text_and_exif():
    original = samples.png_with_metadata()
    checked = validate_attachment(upload(original, "diagram.png", "image/png"))
    assert b"Ilze" not in checked.content and b"Spy Camera" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.format == "PNG"
        assert not image.getexif()
        assert "Comment" not in image.info
        assert image.size == (16, 8)
        assert image.mode == "RGBA"


def test_a_decompression_bomb_is_refused_before_it_is_unpacked():
    bomb = samples.png_claiming_size(100_000, 100_000)
    assert len(bomb) < 1000
    assert code_of(bomb, "bomb.png") == "too_many_pixels"
    assert code_of(samples.png_claiming_size(10_000, 10_000), "b.png") == "too_many_pixels"


@pytest.mark.parametrize(
    "content",
    [
        samples.jpeg_with_location()[:200],
        samples.png_with_metadata()[:40],
        b"\x89PNG\r\n\x1a\n",
        b"\x89PNG\r\n\x1a\n" + b"not a png at all" * 10,
        b"\xff\xd8\xff" + b"\x00" * 100,
    ],
    ids=["truncated_jpeg", "truncated_png", "png_signature_only", "png_garbage", "jpeg_garbage"],
)
def test_a_picture_that_does_not_decode_is_refused(content):
    assert code_of(content, "picture.png") == "image_damaged"


# -- refused by type --------------------------------------------------------------------------

DISGUISED = {
    "windows_executable": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500,
    "linux_executable": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500,
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg_with_xml_header": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    "html": b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
    "text": "Ūdens aprite: nodarbības plāns.\n".encode() * 10,
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "empty_zip": b"PK\x05\x06" + b"\x00" * 18,
    "zip_of_anything": zipped({"notes.txt": "hello", "run.exe": b"MZ\x90\x00"}),
    "java_archive": zipped(
        {"META-INF/MANIFEST.MF": "Main-Class: Evil\n", "Evil.class": b"\xca\xfe"}
    ),
    "pdf_later_in_the_file": b"junk before " + samples.pdf("Text"),
}


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_a_file_of_another_type_is_refused_whatever_its_name(kind):
    assert code_of(DISGUISED[kind], "lesson-plan.pdf") == "unsupported_type"


def test_an_old_office_file_is_refused_with_its_own_advice():
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert code_of(cfb, "plan.doc") == "old_office_format"


@pytest.mark.parametrize(
    "content",
    [
        docx(main_type=DOTX_MAIN),
        # An office-looking zip with no content types, or two main parts.
        zipped({"word/document.xml": samples.docx_xml("Text")}),
        samples.ooxml(
            "word/document.xml",
            samples.DOCX_MAIN,
            {
                "word/document.xml": samples.docx_xml("Text"),
                "xl/workbook.xml": "<workbook/>",
            },
        ),
        # The main part is not the document its type says.
        samples.ooxml("word/document.xml", samples.DOCX_MAIN, {"word/document.xml": "<html/>"}),
        # An OpenDocument template, a mimetype with a trailing newline, no content.xml.
        odf(ODT + "-template", "<office:text/>"),
        odf(ODT + "\n", "<office:text/>"),
        zipped({"mimetype": ODT}, first="mimetype"),
        # Both kinds of package at once.
        zipped({"mimetype": ODT, "[Content_Types].xml": samples.content_types({})}),
    ],
    ids=[
        "word_template",
        "no_content_types",
        "two_main_parts",
        "wrong_root",
        "odf_template",
        "odf_mimetype_newline",
        "odf_without_content",
        "both_packages",
    ],
)
def test_a_zip_that_is_not_one_of_the_accepted_documents_is_refused(content):
    assert code_of(content, "a.docx") == "unsupported_type"


# -- macros, active content, links ------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        docx(main_type=DOCM_MAIN, extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
        # Renamed to .docx, with the plain main type, but the VBA project is still there.
        docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
        samples.xlsx(["x"], main_type=XLSM_MAIN),
        docx(
            extra={
                "word/activeX/activeX1.bin": b"x",
                "[Content_Types].xml": samples.content_types(
                    {"word/document.xml": samples.DOCX_MAIN},
                    extra_defaults='<Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>',
                ),
            }
        ),
        odf(ODT, "<office:text/>", **{"Basic/Standard/Module1.xml": "<module>Shell</module>"}),
        odf(ODT, "<office:text/>", **{"Scripts/python/evil.py": "import os"}),
        odf(
            ODT,
            "<office:text><office:event-listeners><script:event-listener "
            'script:language="ooo:script" script:event-name="dom:load" '
            'xlink:href="vnd.sun.star.script:LibreLogo|LibreLogo.py$run?location=share"/>'
            "</office:event-listeners><text:p>Hi</text:p></office:text>",
        ),
        odf(
            ODT,
            '<office:text><text:p><text:a xlink:href="macro:///Tools.Misc.Run">x</text:a>'
            "</text:p></office:text>",
        ),
    ],
    ids=[
        "docm",
        "docx_with_vba_project",
        "xlsm",
        "activex",
        "odf_basic_module",
        "odf_python_script",
        "odf_event_listener",
        "odf_macro_link",
    ],
)
def test_a_document_with_macros_is_refused(content):
    assert code_of(content, "plan.docx") == "macros"


@pytest.mark.parametrize(
    "kind, target",
    [
        ("attachedTemplate", "https://attacker.example/template.dotm"),
        ("oleObject", "mhtml:https://attacker.example/x.html!x-usc:https://attacker.example/"),
        ("image", r"\\attacker.example\share\pixel.png"),
        ("image", "file://attacker.example/share/pixel.png"),
        ("frame", "https://attacker.example/"),
        ("externalLinkPath", "file:///C:/secret.xlsx"),
    ],
)
def test_a_document_that_loads_content_from_elsewhere_is_refused(kind, target):
    rels = samples.relationships(("rId9", kind, target, True))
    content = docx(extra={"word/_rels/settings.xml.rels": rels})
    assert code_of(content, "plan.docx") == "external_content"


def test_an_encrypted_opendocument_is_refused():
    content = odf(
        ODT,
        "<office:text/>",
        manifest_extra='<manifest:file-entry manifest:full-path="content.xml">'
        "<manifest:encryption-data/></manifest:file-entry>",
    )
    assert code_of(content, "secret.odt") == "encrypted"


def test_a_zip_with_encrypted_members_is_refused():
    content = bytearray(docx("Text"))
    # Set the "encrypted" flag on every member in the central directory.
    for match in re.finditer(rb"PK\x01\x02", bytes(content)):
        content[match.start() + 8] |= 0x1
    assert code_of(bytes(content), "secret.docx") == "encrypted"


def test_a_pdf_with_a_script_is_refused():
    content = samples.pdf("Text") + b"\n99 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
    assert code_of(content, "plan.pdf") == "pdf_active_content"


def test_a_damaged_pdf_is_refused():
    assert code_of(b"%PDF-1.7\n" + b"garbage " * 50, "plan.pdf") == "pdf_unreadable"


# -- bombs and unsafe archives ----------------------------------------------------------------


def test_a_document_that_unpacks_to_a_gigabyte_is_refused_before_it_is_unpacked():
    bomb = samples.docx_bomb(1024)
    assert len(bomb) < 2 * samples.MEGABYTE
    assert code_of(bomb, "plan.docx") == "unpacks_too_large"


def test_a_part_compressed_beyond_any_document_is_refused():
    # 50 MB of zeros in 50 KB: under the total limit, a thousand times over the ratio.
    assert code_of(samples.docx_bomb(50), "plan.docx") == "unpacks_too_large"


def test_a_part_that_lies_about_its_size_is_not_believed():
    # It says 1,000 bytes and holds 10 MB: the reader stops at what it said and finds the
    # checksum wrong, rather than unpacking what it holds.
    assert code_of(samples.docx_bomb(10, declared=1000), "plan.docx") == "damaged"


def test_unpacking_counts_what_comes_out_not_what_the_archive_says():
    picture = random.Random(0).randbytes(2 * samples.MEGABYTE)  # does not compress
    content = docx(extra={"word/media/big.bin": picture})
    with open_office_archive(content) as archive, pytest.raises(ValidationError) as refused:
        for _chunk in member_chunks(archive, "word/media/big.bin", max_bytes=samples.MEGABYTE):
            pass
    assert refused.value.code == "unpacks_too_large"


def test_a_document_of_too_many_parts_is_refused():
    parts = {f"word/media/{number}.xml": "" for number in range(documents.MAX_ARCHIVE_MEMBERS)}
    assert code_of(docx(extra=parts), "plan.docx") == "unpacks_too_large"


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:/Windows/evil.dll",
     "word\\..\\evil.xml", "word//double.xml", "./word/x.xml"],
)  # fmt: skip
def test_a_document_with_unsafe_part_names_is_refused(name):
    assert code_of(docx(extra={name: "<x/>"}), "plan.docx") == "unsafe_structure"


@pytest.mark.parametrize("second_name", ["word/document.xml", "WORD/Document.xml"])
def test_a_document_with_two_parts_of_one_name_is_refused(second_name):
    # Two readers could each take a different one of them.
    buffer = io.BytesIO(docx("Text"))
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")
        archive.writestr(second_name, samples.docx_xml("Other text"))
    assert code_of(buffer.getvalue(), "plan.docx") == "unsafe_structure"


def test_xml_with_a_doctype_is_refused_before_any_entity_is_expanded():
    laughs = BILLION_LAUGHS + "<Types>&lol4;</Types>"
    content = docx(extra={"[Content_Types].xml": laughs})
    assert code_of(content, "plan.docx") == "unsafe_structure"
    external = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    )
    assert code_of(docx(extra={"word/_rels/document.xml.rels": external}), "a.docx") == (
        "unsafe_structure"
    )


@pytest.mark.parametrize(
    "content",
    [
        docx("Text")[:-30],
        docx("Text")[:100],
        docx(extra={"[Content_Types].xml": "<Types><Override"}),
    ],
    ids=["no_directory_end", "cut_short", "broken_xml"],
)
def test_a_damaged_document_is_refused(content):
    assert code_of(content, "plan.docx") == "damaged"


def test_a_member_whose_bytes_are_damaged_is_refused():
    content = bytearray(docx("Some text that will be damaged " * 20))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        member = archive.getinfo("word/document.xml")
    start = member.header_offset + 30 + len(member.filename) + 10
    content[start : start + 8] = b"\xff" * 8
    assert code_of(bytes(content), "plan.docx") == "damaged"


# -- size -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert code_of(b"", "plan.pdf") == "empty"


def test_a_file_over_the_limit_is_refused():
    content = samples.pdf("Text") + b"%" + b" " * samples.MEGABYTE
    assert code_of(content, "plan.pdf", max_megabytes=1) == "too_large"


def test_the_bytes_read_count_not_the_size_the_upload_declares():
    file = upload(samples.pdf("Text") + b"%" + b" " * samples.MEGABYTE, "plan.pdf")
    file.size = 10
    with pytest.raises(ValidationError) as refused:
        validate_attachment(file, max_megabytes=1)
    assert refused.value.code == "too_large"


def test_every_refusal_has_a_message():
    assert set(documents._messages()) == REFUSALS
    for code in REFUSALS:
        error = documents._refusal(code, size=25, megapixels=40)
        assert error.code == code and str(error.message)


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../report.pdf", "..\\report.pdf", "a\\b.pdf", "C:\\Users\\ilze\\report.pdf",
     "folder/report.pdf", "re\x00port.pdf", "report\n.pdf", "report\t.pdf",
     "gpj\u202eexe.pdf", "a\u2066b.pdf", "a\u200eb.pdf", "a\u2028b.pdf", "soft\u00adhyphen.pdf"],
)  # fmt: skip
def test_a_name_with_a_path_or_control_characters_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        safe_filename(name)
    assert refused.value.code == "filename_unsafe"


@pytest.mark.parametrize("name", ["..\\..\\evil.pdf", "re\x00port.pdf", "gpj\u202eexe.pdf"])
def test_a_refused_name_is_refused_by_validate_attachment_too(name):
    # UploadedFile keeps only what follows the last "/" itself; these get through to here.
    assert code_of(samples.pdf("Text"), name) == "filename_unsafe"


@pytest.mark.parametrize("name", ["", "   ", ".pdf", "...", ". .pdf", "..", ".bashrc"])
def test_a_name_with_nothing_before_its_extension_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        safe_filename(name, extension="pdf")
    assert refused.value.code == "filename_empty"


@pytest.mark.parametrize(
    "name, extension, expected",
    [
        ("Ūdens aprite — 5. klase.pdf", "pdf", "Ūdens aprite — 5. klase.pdf"),
        ("Ķekava: ēdināšana.docx", "docx", "Ķekava: ēdināšana.docx"),
        (unicodedata.normalize("NFD", "Cēsis.odt"), "odt", "Cēsis.odt"),
        ("  many   spaces\u00a0here .pdf", "pdf", "many spaces here.pdf"),
        ("..hidden.pdf", "pdf", "hidden.pdf"),
        ("name.pdf. . ", "pdf", "name.pdf"),
        ("report.exe", "pdf", "report.pdf"),
        ("lesson.doc", "docx", "lesson.docx"),
        ("Photo.JPEG", "jpg", "Photo.JPEG"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
        ("Report.PDF", "pdf", "Report.PDF"),
        ("Lesson plan", "docx", "Lesson plan.docx"),
        ("Version 1.5", "pdf", "Version 1.5.pdf"),
        ("Tabula.ods", "xlsx", "Tabula.xlsx"),
        ("فارسی\u200cنامه.pdf", "pdf", "فارسی\u200cنامه.pdf"),
    ],
)
def test_a_name_is_cleaned_and_ends_in_the_detected_extension(name, extension, expected):
    assert safe_filename(name, extension=extension) == expected


def test_a_long_name_is_shortened_keeping_its_extension():
    cleaned = safe_filename("ā" * 400 + ".pdf", extension="pdf")
    assert len(cleaned) == documents.MAX_FILENAME_LENGTH
    assert cleaned.endswith("ā.pdf")


def test_a_name_without_extension_is_only_cleaned():
    assert safe_filename("  Plāns  v2 ") == "Plāns v2"
    assert safe_filename("report.final version") == "report.final version"


def test_storage_names_are_random_and_carry_nothing_of_the_person():
    first, second = random_storage_name("pdf"), random_storage_name("pdf")
    assert first != second
    assert re.fullmatch(r"attachments/([0-9a-f]{2})/\1[0-9a-f]{30}\.pdf", first)
    assert random_storage_name("jpg", folder="practices").startswith("practices/")
    for extension in ("../pdf", "pdf/../x", "", "PDF", "p df"):
        with pytest.raises(ValueError):
            random_storage_name(extension)


def test_a_checked_attachment_gives_a_file_under_a_random_name():
    checked = validate_attachment(upload(samples.pdf("Text"), "Plāns.pdf"))
    file = checked.content_file()
    assert isinstance(file, ContentFile)
    assert re.fullmatch(r"attachments/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", file.name)
    assert file.read() == checked.content


# -- downloads --------------------------------------------------------------------------------


@pytest.fixture
def storage():
    return InMemoryStorage()


def field_file(storage, name: str) -> FieldFile:
    """A stored file as a model's FileField gives it (no model needed here)."""
    return FieldFile(None, FileField(storage=storage), name)  # type: ignore[arg-type]


def stored_file(storage, content: bytes, name: str = "attachments/ab/abc.pdf") -> FieldFile:
    return field_file(storage, storage.save(name, ContentFile(content)))


def test_an_attachment_is_streamed_under_its_name_in_ascii_and_in_utf8(storage):
    content = samples.pdf("Text") * 3
    response = attachment_download(
        stored_file(storage, content), filename="Ūdens aprite.pdf", content_type="application/pdf"
    )
    assert isinstance(response, FileResponse) and response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Udens aprite.pdf\"; filename*=UTF-8''%C5%AAdens%20aprite.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == content


def test_quotes_and_unencodable_letters_cannot_break_the_header(storage):
    response = attachment_download(
        stored_file(storage, b"x"), filename='say "hi"; x=1 \\.pdf', content_type="application/pdf"
    )
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename=\"say _hi_; x=1 _.pdf\"; filename*=UTF-8''")
    assert '"' not in header.split("filename*=")[1]
    assert ascii_filename("日本語.docx") == "download.docx"
    assert ascii_filename("Ķīļu ģimnāzija.odt") == "Kilu gimnazija.odt"


def test_a_missing_file_is_not_found(storage):
    with pytest.raises(Http404):
        attachment_download(field_file(storage, ""), filename="a.pdf", content_type="x/y")
    with pytest.raises(Http404):
        attachment_download(
            field_file(storage, "attachments/no/such.pdf"),
            filename="a.pdf",
            content_type="application/pdf",
        )


# -- damaged at random ------------------------------------------------------------------------


def mutations(content: bytes, count: int, seed: int):
    """`count` copies of `content`, each with a few bytes changed or its end cut off."""
    rng = random.Random(seed)
    for _ in range(count):
        damaged = bytearray(content)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.2:
            damaged = damaged[: rng.randrange(len(damaged))]
        yield bytes(damaged)


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_a_damaged_file_is_refused_with_a_code_and_never_an_error(kind):
    # Found this way: zipfile's ValueError and NotImplementedError on a damaged part header,
    # Pillow's struct.error on malformed EXIF; each now a refusal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about truncated EXIF
        for content in mutations(ACCEPTED[kind](), 150, seed=len(kind)):
            try:
                attachment_kind(content)
            except ValidationError as refused:
                assert refused.code in REFUSALS | {
                    "pdf_unreadable",
                    "pdf_encrypted",
                    "pdf_active_content",
                }


@pytest.mark.parametrize(
    ("picture", "name"),
    [(samples.jpeg_with_location, "photo.jpg"), (samples.png_with_metadata, "picture.png")],
)
def test_a_picture_cleaned_once_is_kept_byte_for_byte_when_uploaded_again(picture, name):
    first = validate_attachment(samples.upload(picture(), name, "image/jpeg"))
    again = validate_attachment(samples.upload(first.content, name, "image/jpeg"))

    assert first.content != picture()
    assert again.content == first.content
    assert again.sha256 == first.sha256


def _with_jpeg_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    segment = bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def _with_png_chunk(png: bytes, kind: bytes, payload: bytes) -> bytes:
    chunk = len(payload).to_bytes(4, "big") + kind + payload
    chunk += zlib.crc32(kind + payload).to_bytes(4, "big")
    return png[:33] + chunk + png[33:]  # after the signature and IHDR


def test_a_clean_picture_with_a_hidden_segment_is_encoded_again_not_kept():
    clean_jpeg = validate_attachment(
        samples.upload(samples.jpeg_with_location(), "a.jpg", "image/jpeg")
    ).content
    clean_png = validate_attachment(
        samples.upload(samples.png_with_metadata(), "a.png", "image/png")
    ).content
    hidden = b"LAT=56.9496 LON=24.1052"

    jpeg = validate_attachment(
        samples.upload(_with_jpeg_segment(clean_jpeg, 0xE4, hidden), "b.jpg", "image/jpeg")
    )
    png = validate_attachment(
        samples.upload(_with_png_chunk(clean_png, b"prIv", hidden), "b.png", "image/png")
    )

    assert hidden not in jpeg.content
    assert hidden not in png.content


def test_a_document_with_an_embedded_ole_object_is_refused():
    compound_file = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    document = samples.docx("Teksts", extra={"word/embeddings/oleObject1.bin": compound_file})

    with pytest.raises(ValidationError) as refused:
        validate_attachment(samples.upload(document, "a.docx", "application/octet-stream"))

    assert refused.value.code == "embedded_objects"
