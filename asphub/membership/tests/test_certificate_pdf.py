"""The certificate as a PDF, and the verdict on a certificate number: what the page says, in
both languages and with the Latvian letters intact, and the QR code drawn on it (read back
from the page's drawing and compared with the code segno makes of the address)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from asphub.membership import certificates
from asphub.membership.certificates import (
    NoCertificate,
    Verdict,
    certificate_pdf,
    certificate_qr,
    certificate_verification,
    date_in_english,
    date_in_latvian,
)
from asphub.membership.tests.certificate_files import plain_pdf
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

S = MembershipStatus
NAME = "Ābeļu Čiekurkalna Ģimnāzija “Īķļņšūž” āčēģīķļņšūž"
URL = "https://asphub.example.lv/certificates/LV-2026-017/"
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture
def certified(latvia):
    latvia.commission_name_lv = "Latvijas Nacionālā UNESCO komisija"
    latvia.commission_name_en = "Latvian National Commission for UNESCO"
    latvia.save()
    return SchoolFactory(
        country=latvia,
        name=NAME,
        certificate_number="LV-2026-017",
        certificate_date=datetime.date(2026, 12, 1),
    )


def page_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def drawn_qr(content: bytes, size: int) -> list[list[bool]]:
    """The squares drawn in the QR code's place, as a matrix of `size` modules a side."""
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    height = float(page.mediabox.height)
    module = certificates.QR_SIZE / size
    matrix = [[False] * size for _ in range(size)]
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator != b"re":
            continue
        x, y, width, rect_height = (float(value) / MM for value in operands)
        top = height / MM - y
        if rect_height > 0:  # drawn upwards from its bottom edge
            top -= rect_height
        if not (
            certificates.QR_X - 0.01 <= x < certificates.QR_X + certificates.QR_SIZE
            and certificates.QR_Y - 0.01 <= top < certificates.QR_Y + certificates.QR_SIZE
        ):
            continue
        row = round((top - certificates.QR_Y) / module)
        first = round((x - certificates.QR_X) / module)
        for column in range(first, first + round(width / module)):
            matrix[row][column] = True
    return matrix


# -- the PDF -------------------------------------------------------------------------------------


def test_the_certificate_is_one_a4_landscape_page_in_both_languages(certified):
    content = certificate_pdf(certified, verify_url=URL)
    assert content.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    text = page_text(content)
    for expected in [
        NAME,  # exactly as recorded, with its Latvian letters
        "LV-2026-017",
        "2026. gada 1. decembris",
        "1 December 2026",
        "UNESCO Asociēto skolu tīkls",
        "UNESCO Associated Schools Network",
        "Latvija · Latvia",
        "Latvijas Nacionālā UNESCO komisija",
        "Latvian National Commission for UNESCO",
        "ir UNESCO Asociēto skolu tīkla dalībskola",
        "is a member school of the UNESCO Associated Schools Network",
        URL,
    ]:
        assert expected in text, expected


def test_the_fonts_are_embedded_so_that_the_letters_print_anywhere(certified):
    reader = PdfReader(io.BytesIO(certificate_pdf(certified, verify_url=URL)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_the_qr_code_on_the_page_is_the_code_of_the_verification_address(certified):
    expected = [
        [bool(module) for module in row]
        for row in certificate_qr(URL).matrix_iter(border=certificates.QR_BORDER)
    ]
    # The same address always makes the same code; another address makes another one.
    assert expected != [
        [bool(m) for m in row]
        for row in certificate_qr(URL + "x").matrix_iter(border=certificates.QR_BORDER)
    ]
    content = certificate_pdf(certified, verify_url=URL)
    assert drawn_qr(content, len(expected)) == expected


def test_the_qr_code_encodes_the_address_it_is_given(certified, monkeypatch):
    encoded = []
    make = certificates.segno.make
    monkeypatch.setattr(
        certificates.segno,
        "make",
        lambda content, **options: encoded.append(content) or make(content, **options),
    )
    certificate_pdf(certified, verify_url=URL)
    assert encoded == [URL]


def test_a_candidate_school_is_certified_as_a_candidate(certified):
    certified.membership_status = S.CANDIDATE
    text = page_text(certificate_pdf(certified, verify_url=URL))
    assert "ir UNESCO Asociēto skolu tīkla kandidātskola" in text
    assert "is a candidate school of the UNESCO Associated Schools Network" in text


def test_a_long_name_is_printed_whole(certified):
    certified.name = "Rēzeknes novada pašvaldības Dricānu vidusskolas struktūrvienība " * 3
    text = page_text(certificate_pdf(certified, verify_url=URL))
    assert " ".join(certified.name.split()) in text
    assert "LV-2026-017" in text


def test_without_a_national_commission_its_line_is_left_out(certified):
    certified.country.commission_name_lv = certified.country.commission_name_en = ""
    text = page_text(certificate_pdf(certified, verify_url=URL))
    assert "National Commission" not in text


def test_the_certificate_passes_the_check_of_uploaded_pdfs(certified):
    from asphub.membership.services.certificates import checked_certificate_file

    checked = checked_certificate_file(io.BytesIO(certificate_pdf(certified, verify_url=URL)))
    assert checked.extension == "pdf"
    assert checked_certificate_file(io.BytesIO(plain_pdf())).extension == "pdf"


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("certificate_number", ""),
        ("certificate_date", None),
        ("membership_status", S.ENDORSED),
        ("membership_status", S.WITHDRAWN),
        ("membership_status", S.EXCLUDED),
    ],
)
def test_only_a_school_with_a_recorded_certificate_in_the_network_has_one(certified, change, value):
    setattr(certified, change, value)
    with pytest.raises(NoCertificate):
        certificate_pdf(certified, verify_url=URL)


# -- dates as the certificate writes them ------------------------------------------------------


def test_dates_are_written_as_latvian_and_english_documents_write_them():
    assert date_in_latvian(datetime.date(2026, 12, 1)) == "2026. gada 1. decembris"
    assert date_in_english(datetime.date(2026, 12, 1)) == "1 December 2026"
    assert date_in_latvian(datetime.date(2025, 3, 21)) == "2025. gada 21. marts"
    months = [date_in_latvian(datetime.date(2026, month, 5)).split()[-1] for month in range(1, 13)]
    assert months == [
        "janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts",
        "septembris", "oktobris", "novembris", "decembris",
    ]  # fmt: skip


# -- the verdict on a number ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "verdict", "named"),
    [
        (S.MEMBER, Verdict.VALID, True),
        (S.CANDIDATE, Verdict.VALID, True),
        (S.DORMANT, Verdict.VALID, True),
        (S.WITHDRAWN, Verdict.NOT_VALID, True),
        (S.EXCLUDED, Verdict.NOT_VALID, True),
        (S.ENDORSED, Verdict.NOT_VALID, False),
        (S.SUBMITTED, Verdict.UNKNOWN, False),
        (S.REJECTED, Verdict.UNKNOWN, False),
    ],
)
def test_the_verdict_follows_the_schools_status(certified, status, verdict, named):
    type(certified).objects.filter(pk=certified.pk).update(membership_status=status)
    result = certificate_verification("LV-2026-017")
    assert result.verdict == verdict
    assert (result.school_name == NAME) is named
    assert result.status == ("" if verdict == Verdict.UNKNOWN else status)


def test_a_number_is_found_however_it_is_typed(certified, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        result = certificate_verification("  lv-2026-017 ")
    assert result.is_valid
    assert result.number == "LV-2026-017"
    assert result.country_name == "Latvija"
    assert result.certificate_date == datetime.date(2026, 12, 1)
    assert result.school_url == certified.get_absolute_url()


@pytest.mark.parametrize("number", ["LV-2026-018", "", "x" * 200, "LV-2026-01"])
def test_an_unknown_number_says_nothing_more(certified, number):
    result = certificate_verification(number)
    assert result.verdict == Verdict.UNKNOWN
    assert (result.school_name, result.status, result.certificate_date) == ("", "", None)


def test_a_school_that_left_shows_since_when(certified):
    left = datetime.datetime(2027, 3, 1, 23, 30, tzinfo=datetime.UTC)  # 2 March in Riga
    type(certified).objects.filter(pk=certified.pk).update(
        membership_status=S.WITHDRAWN, status_changed_at=left
    )
    result = certificate_verification("LV-2026-017")
    assert result.status_since == datetime.date(2027, 3, 2)
    assert result.school_url == ""  # no longer in the public directory


def test_the_verdict_holds_no_personal_data(certified):
    fields = set(vars(certificate_verification("LV-2026-017")))
    assert fields == {
        "number", "verdict", "status", "school_name", "school_url", "country_name",
        "certificate_date", "status_since",
    }  # fmt: skip
    assert not re.search(r"mail|phone|address|person|coordinator", " ".join(fields))
