"""Files for the certificate tests: a plain PDF and a picture that are accepted, and the
disguised or active files that must be refused. Each is made here, in a few bytes."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from asphub.schools.models import School


def _pdf(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def plain_pdf() -> bytes:
    return _pdf(_blank())


def pdf_with_open_action_script() -> bytes:
    writer = _blank()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello')"),
        }
    )
    return _pdf(writer)


def pdf_opening_on_its_first_page() -> bytes:
    """An /OpenAction that only says where to open (most PDF writers add one): harmless."""
    writer = _blank()
    writer.open_destination = writer.pages[0]
    return _pdf(writer)


def pdf_opening_a_web_address() -> bytes:
    writer = _blank()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://attacker.example/"),
        }
    )
    return _pdf(writer)


def pdf_with_document_script() -> bytes:
    """A script in the document's name tree (/Names /JavaScript), run when it opens."""
    writer = _blank()
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): writer._add_object(script)}
            )
        }
    )
    return _pdf(writer)


def pdf_with_attachment() -> bytes:
    writer = _blank()
    writer.add_attachment("payload.exe", b"MZ\x90\x00not really")
    return _pdf(writer)


def pdf_with_launch_action_on_page() -> bytes:
    writer = _blank()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("cmd.exe"),
                }
            )
        }
    )
    return _pdf(writer)


def pdf_with_escaped_script_name() -> bytes:
    """/J#61vaScript is /JavaScript to a PDF reader (names may escape their letters)."""
    return plain_pdf().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (1) >>"
    )


def encrypted_pdf() -> bytes:
    writer = _blank()
    writer.encrypt("secret", algorithm="RC4-128")
    return _pdf(writer)


def damaged_pdf() -> bytes:
    return b"%PDF-1.7\nthis is not a PDF at all\n%%EOF\n"


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def png_picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 61, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(content: bytes, name: str = "certificate.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def certificate_storage():
    return School._meta.get_field("certificate_file").storage


def stored_files(path: str = "") -> set[str]:
    """Every file in the private storage the certificates go to."""
    storage = certificate_storage()
    folders, files = storage.listdir(path)
    found = {f"{path}{name}" for name in files}
    for folder in folders:
        found |= stored_files(f"{path}{folder}/")
    return found


def empty_storage() -> None:
    storage = certificate_storage()
    for name in stored_files():
        storage.delete(name)
