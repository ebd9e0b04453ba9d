"""The membership certificate: whether a number belongs to a school whose certificate holds,
and the certificate itself as a PDF the school prints.

A certificate holds while the school is in the network: a candidate, a member, or a dormant
member (a dormant school has not left; the verification page says that it is dormant). It no
longer holds once the school has withdrawn or been excluded. A number recorded for a school
whose membership has not begun yet (endorsed, waiting to be made a candidate or a member) is
not valid yet.

The certificate is always in Latvian and English, whatever the reader's language: it is a
document with both texts on it, not a page of the interface, so its words are written here
and not taken from the translation catalogue.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import segno
from django.utils import timezone
from fpdf import FPDF

from asphub.schools.models import MembershipStatus, School

from .services.certificates import normalized_certificate_number

__all__ = [
    "CERTIFIED_STATUSES",
    "NoCertificate",
    "Verdict",
    "CertificateVerification",
    "certificate_pdf",
    "certificate_qr",
    "certificate_verification",
    "date_in_english",
    "date_in_latvian",
    "has_certificate",
]

S = MembershipStatus
# Statuses in which a recorded certificate holds (and the school may download it).
CERTIFIED_STATUSES = (S.CANDIDATE, S.MEMBER, S.DORMANT)
ENDED_STATUSES = (S.WITHDRAWN, S.EXCLUDED)
NOT_STARTED_STATUSES = (S.ENDORSED,)

FONT_DIRECTORY = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"

LATVIAN_MONTHS = (
    "janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts",
    "septembris", "oktobris", "novembris", "decembris",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


class NoCertificate(Exception):
    """The school has no certificate to print (none recorded, or its status has none)."""


class Verdict(enum.StrEnum):
    VALID = "valid"
    NOT_VALID = "not_valid"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CertificateVerification:
    """What the public verification page says about a number. The school is named only when
    it is or was in the public directory; nothing about people is part of it."""

    number: str
    verdict: Verdict
    status: str = ""
    school_name: str = ""
    school_url: str = ""
    country_name: str = ""
    certificate_date: datetime.date | None = None
    status_since: datetime.date | None = None

    @property
    def is_valid(self) -> bool:
        return self.verdict == Verdict.VALID

    @property
    def status_label(self) -> str:
        return str(S(self.status).label) if self.status else ""


def has_certificate(school: School) -> bool:
    return bool(
        school.certificate_number
        and school.certificate_date
        and school.membership_status in CERTIFIED_STATUSES
    )


def certificate_verification(number: str) -> CertificateVerification:
    """The verdict on a certificate number, as anyone may ask it (one query). An unknown
    number, and one of a school that never entered the network, are only "unknown"."""
    number = normalized_certificate_number(number)
    unknown = CertificateVerification(number=number, verdict=Verdict.UNKNOWN)
    if not number or len(number) > 40:
        return unknown
    matches = list(
        School.objects.filter(certificate_number__iexact=number)
        .select_related("country")
        .only(
            "name", "slug", "membership_status", "status_changed_at", "certificate_number",
            "certificate_date", "country__name_lv", "country__name_en",
        )[:2]
    )  # fmt: skip
    if len(matches) > 1:  # only numbers that differ in capitals: the exact one, if any
        matches = [school for school in matches if school.certificate_number == number]
    if len(matches) != 1:
        return unknown
    school = matches[0]
    status = school.membership_status
    if status in NOT_STARTED_STATUSES:
        return CertificateVerification(number=number, verdict=Verdict.NOT_VALID, status=status)
    if status not in CERTIFIED_STATUSES + ENDED_STATUSES:
        return unknown
    since = school.status_changed_at
    return CertificateVerification(
        number=school.certificate_number,
        verdict=Verdict.VALID if status in CERTIFIED_STATUSES else Verdict.NOT_VALID,
        status=status,
        school_name=school.name,
        school_url=school.get_absolute_url() if school.is_public else "",
        country_name=school.country.name,
        certificate_date=school.certificate_date,
        status_since=timezone.localdate(since) if since and status in ENDED_STATUSES else None,
    )


def date_in_latvian(date: datetime.date) -> str:
    """As Latvian documents write a date: "2026. gada 1. decembris"."""
    return f"{date.year}. gada {date.day}. {LATVIAN_MONTHS[date.month - 1]}"


def date_in_english(date: datetime.date) -> str:
    return f"{date.day} {ENGLISH_MONTHS[date.month - 1]} {date.year}"


def certificate_qr(verify_url: str) -> segno.QRCode:
    """The QR code printed on the certificate: the address of its verification page."""
    return segno.make(verify_url, error="m", micro=False)


# -- the PDF --------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, in millimetres
BRAND = (11, 61, 107)
MUTED = (74, 85, 97)
INK = (26, 31, 36)
# Where the QR code is drawn (x, y of its top left corner and its size, with its quiet zone).
QR_SIZE = 40.0
QR_X = PAGE_WIDTH - 28.0 - QR_SIZE
QR_Y = 138.0
QR_BORDER = 2  # modules of white around the code (it sits on white paper)


@dataclass(frozen=True)
class Statement:
    lv: str
    en: str


STATEMENTS = {
    S.CANDIDATE: Statement(
        "ir UNESCO Asociēto skolu tīkla kandidātskola",
        "is a candidate school of the UNESCO Associated Schools Network",
    ),
    S.MEMBER: Statement(
        "ir UNESCO Asociēto skolu tīkla dalībskola",
        "is a member school of the UNESCO Associated Schools Network",
    ),
}


def certificate_pdf(school: School, *, verify_url: str) -> bytes:
    """The school's membership certificate: one A4 landscape page in Latvian and English with
    the school's name exactly as recorded, its country, the certificate's number and date, the
    National Commission, and a QR code of `verify_url` with the address printed under it."""
    if not has_certificate(school):
        raise NoCertificate
    assert school.certificate_date is not None
    country = school.country
    statement = STATEMENTS.get(S(school.membership_status), STATEMENTS[S.MEMBER])

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIRECTORY / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIRECTORY / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"UNESCO ASPnet · {school.name}")
    pdf.set_subject(f"Sertifikāts / Certificate {school.certificate_number}")
    pdf.set_lang("lv")
    pdf.set_creator("asphub")
    pdf.add_page()

    _frame(pdf)
    width = PAGE_WIDTH - 50
    pdf.set_y(24)
    _line(pdf, "UNESCO Asociēto skolu tīkls", 22, bold=True, color=BRAND, height=10)
    _line(pdf, "UNESCO Associated Schools Network", 14, color=MUTED, height=8)
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(0.4)
    pdf.line(PAGE_WIDTH / 2 - 30, pdf.get_y() + 3, PAGE_WIDTH / 2 + 30, pdf.get_y() + 3)
    pdf.set_y(pdf.get_y() + 8)
    _line(pdf, "SERTIFIKĀTS · CERTIFICATE", 13, bold=True, color=BRAND, height=8, spacing=1.2)
    pdf.set_y(pdf.get_y() + 4)
    _line(pdf, "Ar šo apliecina, ka", 13, color=INK, height=7)
    _line(pdf, "This is to certify that", 11, color=MUTED, height=6)
    pdf.set_y(pdf.get_y() + 3)
    _school_name(pdf, school.name, width)
    pdf.set_y(pdf.get_y() + 2)
    _line(pdf, f"{country.name_lv} · {country.name_en}", 12, color=MUTED, height=7)
    pdf.set_y(pdf.get_y() + 3)
    _line(pdf, statement.lv, 13, color=INK, height=7)
    _line(pdf, statement.en, 11, color=MUTED, height=6)

    _details(pdf, school)
    _qr(pdf, verify_url)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_WIDTH - 20, PAGE_HEIGHT - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, PAGE_WIDTH - 26, PAGE_HEIGHT - 26)


def _line(
    pdf: FPDF,
    text: str,
    size: float,
    *,
    color: tuple[int, int, int],
    height: float,
    bold: bool = False,
    spacing: float = 0,
) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.set_char_spacing(spacing)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)


def _school_name(pdf: FPDF, name: str, width: float) -> None:
    """The name as large as it fits on two lines, down to 14 pt; a name that still takes more
    than four lines (one long word, wide letters) gets smaller still, to 8 pt, so that it never
    runs into the text below it."""
    size = 28.0
    while size > 8:
        pdf.set_font(FONT_FAMILY, "B", size)
        lines = pdf.multi_cell(width, size * 0.45, name, align="C", dry_run=True, output="LINES")
        count = len(cast(list[str], lines))
        if count <= 2 or (size <= 14 and count <= 4):
            break
        size -= 2
    pdf.set_text_color(*INK)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(width, size * 0.45, name, align="C", new_x="LMARGIN", new_y="NEXT")


def _details(pdf: FPDF, school: School) -> None:
    """The number, the date and the National Commission, at the bottom left."""
    assert school.certificate_date is not None
    country = school.country
    rows = [
        ("Sertifikāta numurs · Certificate number", [school.certificate_number]),
        (
            "Datums · Date",
            [date_in_latvian(school.certificate_date), date_in_english(school.certificate_date)],
        ),
    ]
    commission = [name for name in (country.commission_name_lv, country.commission_name_en) if name]
    if commission:
        rows.append(("Nacionālā komisija · National Commission", commission))
    x, width = 28.0, QR_X - 28.0 - 12
    pdf.set_y(QR_Y - 2)
    for label, values in rows:
        pdf.set_x(x)
        pdf.set_font(FONT_FAMILY, "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width, 4.5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.set_text_color(*INK)
        for value in values:
            pdf.set_x(x)
            pdf.multi_cell(width, 5.5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(pdf.get_y() + 2)


def _qr(pdf: FPDF, verify_url: str) -> None:
    """The QR code drawn as squares (sharp at any print size), with the address under it."""
    code = certificate_qr(verify_url)
    rows = [list(row) for row in code.matrix_iter(border=QR_BORDER)]
    module = QR_SIZE / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            pdf.rect(QR_X + start * module, QR_Y + y * module, (x - start) * module, module, "F")
    # The address on one line if it fits (in a smaller type if need be), else wrapped.
    width = QR_SIZE + 36
    size = 7.0
    pdf.set_font(FONT_FAMILY, "", size)
    while size > 5 and pdf.get_string_width(verify_url) > width - 2:
        size -= 0.5
        pdf.set_font(FONT_FAMILY, "", size)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(QR_X + QR_SIZE / 2 - width / 2, QR_Y + QR_SIZE + 0.5)
    pdf.multi_cell(width, 3.2, "Pārbaudīt · Verify:", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(width, 3.2, verify_url, align="C", new_x="LEFT", new_y="NEXT")
