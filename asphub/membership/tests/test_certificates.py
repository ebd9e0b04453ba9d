"""Recording UNESCO's certificate (certificate_record): the national coordinator of the
school's country (or an administrator) records the number, the date and the file; every other
role is refused; every refusal changes nothing, not even the private storage."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from fpdf import FPDF
from pypdf import PdfWriter
from pypdf.annotations import Link

from asphub.audit.models import AuditAction, AuditEntry
from asphub.core.uploads import _outside_streams, check_pdf_content
from asphub.membership.services import certificates as service
from asphub.membership.services.certificates import (
    CertificateRefused,
    certificate_record,
)
from asphub.membership.tests import certificate_files as files
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus, School
from asphub.schools.tests.factories import SchoolFactory

S = MembershipStatus
DATE = datetime.date(2025, 11, 3)


@pytest.fixture(autouse=True)
def empty_private_storage():
    files.empty_storage()
    yield
    files.empty_storage()


def codes(error: ValidationError, field: str = "__all__") -> list[str]:
    if hasattr(error, "error_dict"):
        return [item.code for item in error.error_dict.get(field, [])]
    return [item.code for item in error.error_list] if field == "__all__" else []


def recorded_state(school: School) -> tuple:
    stored = School.objects.get(pk=school.pk)
    return (stored.certificate_number, stored.certificate_date, stored.certificate_file.name)


def assert_nothing_changed(school: School, before: tuple) -> None:
    assert recorded_state(school) == before
    assert not AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_RECORDED).exists()
    assert files.stored_files() == set()


# -- the allowed path ----------------------------------------------------------------------------


def test_the_national_coordinator_records_number_date_and_file(school, national_coordinator):
    stored = certificate_record(
        actor=national_coordinator,
        school=school,
        number="  LV-2025   017 ",
        date=DATE,
        file=files.upload(files.plain_pdf()),
    )
    school.refresh_from_db()
    assert school.certificate_number == "LV-2025 017"
    assert school.certificate_date == DATE
    assert (
        school.certificate_file.name
        == f"certificates/{timezone.now():%Y}/certificate-{school.pk}.pdf"
    )
    with school.certificate_file.open("rb") as kept:
        assert kept.read() == files.plain_pdf()
    assert stored.certificate_number == "LV-2025 017"
    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_RECORDED)
    assert entry.actor == national_coordinator
    assert entry.country_code == "LV"
    assert entry.object_id == str(school.pk)
    assert entry.before == {
        "certificate_number": "",
        "certificate_date": None,
        "certificate_file": "",
    }
    assert entry.after == {
        "certificate_number": "LV-2025 017",
        "certificate_date": "2025-11-03",
        "certificate_file": school.certificate_file.name,
    }


def test_an_administrator_records_a_certificate_without_a_file(school, administrator):
    certificate_record(actor=administrator, school=school, number="17", date=DATE)
    assert recorded_state(school) == ("17", DATE, "")
    assert files.stored_files() == set()


@pytest.mark.parametrize("picture", [files.png_picture, files.jpeg_picture], ids=["png", "jpeg"])
def test_a_picture_of_the_certificate_is_kept_under_its_real_type(
    school, national_coordinator, picture
):
    # The name and declared type say PDF; the content decides.
    certificate_record(
        actor=national_coordinator, school=school, number="A-1", date=DATE,
        file=files.upload(picture(), name="scan.pdf", content_type="application/pdf"),
    )  # fmt: skip
    extension = "png" if picture is files.png_picture else "jpg"
    assert School.objects.get(pk=school.pk).certificate_file.name.endswith(f".{extension}")


def test_a_pdf_that_only_says_where_to_open_is_accepted(school, national_coordinator):
    certificate_record(
        actor=national_coordinator, school=school, number="A-1", date=DATE,
        file=files.upload(files.pdf_opening_on_its_first_page()),
    )  # fmt: skip
    assert School.objects.get(pk=school.pk).certificate_file


def test_a_correction_keeps_the_file_and_is_recorded_with_before_and_after(
    school, national_coordinator, django_capture_on_commit_callbacks
):
    certificate_record(
        actor=national_coordinator, school=school, number="LV-1", date=DATE,
        file=files.upload(files.plain_pdf()),
    )  # fmt: skip
    first_file = School.objects.get(pk=school.pk).certificate_file.name
    certificate_record(
        actor=national_coordinator, school=school, number="LV-1", date=datetime.date(2025, 11, 4)
    )
    assert recorded_state(school) == ("LV-1", datetime.date(2025, 11, 4), first_file)
    latest = AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_RECORDED).first()
    assert latest.before["certificate_date"] == "2025-11-03"
    assert latest.after["certificate_date"] == "2025-11-04"


def test_a_new_file_replaces_the_old_one_once_saved(
    school, national_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate_record(
            actor=national_coordinator, school=school, number="LV-1", date=DATE,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        certificate_record(
            actor=national_coordinator, school=school, number="LV-1", date=DATE,
            file=files.upload(files.png_picture(), name="scan.png", content_type="image/png"),
        )  # fmt: skip
    assert files.stored_files() == {School.objects.get(pk=school.pk).certificate_file.name}
    assert files.stored_files().pop().endswith(".png")


def test_todays_date_is_accepted(school, national_coordinator):
    certificate_record(
        actor=national_coordinator, school=school, number="1", date=timezone.localdate()
    )
    assert School.objects.get(pk=school.pk).certificate_date == timezone.localdate()


@pytest.mark.parametrize("status", [S.ENDORSED, S.CANDIDATE, S.MEMBER, S.DORMANT])
def test_a_certificate_is_recorded_for_schools_in_or_entering_the_network(
    latvia, national_coordinator, status
):
    school = SchoolFactory(country=latvia, membership_status=status)
    certificate_record(actor=national_coordinator, school=school, number="LV-9", date=DATE)
    assert recorded_state(school)[0] == "LV-9"


# -- who is refused ------------------------------------------------------------------------------


@pytest.fixture(
    params=["teacher", "coordinator", "reviewer", "other_country", "other_school", "anonymous"]
)
def refused_actor(request, school, latvia, estonia):
    if request.param == "teacher":
        return person_with(Role.TEACHER, school=school)
    if request.param == "coordinator":
        return person_with(Role.SCHOOL_COORDINATOR, school=school)
    if request.param == "reviewer":
        return person_with(Role.REVIEWER, country=latvia)
    if request.param == "other_country":
        return person_with(Role.NATIONAL_COORDINATOR, country=estonia)
    if request.param == "other_school":
        return person_with(Role.SCHOOL_COORDINATOR, school=SchoolFactory(country=latvia))
    return AnonymousUser()


def test_no_one_but_the_countrys_coordinator_records_a_certificate(school, refused_actor):
    before = recorded_state(school)
    with pytest.raises(PermissionDenied):
        certificate_record(
            actor=refused_actor, school=school, number="LV-1", date=DATE,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    assert_nothing_changed(school, before)


@pytest.mark.parametrize(
    "status",
    [S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.REJECTED, S.WITHDRAWN, S.EXCLUDED],
)
def test_no_certificate_is_recorded_for_an_application_or_a_school_that_left(
    latvia, national_coordinator, status
):
    school = SchoolFactory(country=latvia, membership_status=status)
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="LV-1", date=DATE,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    assert codes(refused.value) == ["status"]
    assert_nothing_changed(school, before)


# -- what is refused -----------------------------------------------------------------------------


def test_a_number_another_school_has_is_refused_whatever_its_capitals(
    school, other_school, national_coordinator
):
    School.objects.filter(pk=other_school.pk).update(certificate_number="LV-2025-017")
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="lv-2025-017", date=DATE,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    assert codes(refused.value, "number") == ["number_taken"]
    assert_nothing_changed(school, before)


def test_two_schools_given_one_number_at_once_leave_the_second_unchanged(
    school, other_school, national_coordinator, monkeypatch
):
    """The check before writing passed for both; the database's constraint refuses the
    second, and the file it had stored is removed again."""
    School.objects.filter(pk=other_school.pk).update(certificate_number="LV-7")
    monkeypatch.setattr(service, "_number_taken", lambda number, school: False)
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="LV-7", date=DATE,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    assert codes(refused.value, "number") == ["number_taken"]
    assert_nothing_changed(school, before)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("x" * 41, "number_too_long"),
        ("LV-1\u202e", "control_character"),
        ("<script>", "number_format"),
        ("LV–1", "number_format"),  # an en dash
        ("-17", "number_format"),
    ],
)
def test_a_malformed_number_is_refused(school, national_coordinator, number, code):
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(actor=national_coordinator, school=school, number=number, date=DATE)
    assert codes(refused.value, "number") == [code]
    assert_nothing_changed(school, before)


@pytest.mark.parametrize(
    ("date", "code"),
    [
        (None, "required"),
        (timezone.localdate() + datetime.timedelta(days=1), "future"),
        (datetime.date(1952, 12, 31), "too_early"),
    ],
    ids=["missing", "tomorrow", "before-1953"],
)
def test_a_date_in_the_future_or_before_the_network_is_refused(
    school, national_coordinator, date, code
):
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="LV-1", date=date,
            file=files.upload(files.plain_pdf()),
        )  # fmt: skip
    assert codes(refused.value, "date") == [code]
    assert_nothing_changed(school, before)


DISGUISED_FILES = {
    "executable-named-pdf": (files.windows_executable, "file_type"),
    "elf-named-pdf": (lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "file_type"),
    "html-named-pdf": (lambda: b"<!doctype html><script>alert(1)</script>", "file_type"),
    "png-header-only": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "file_type"),
    "damaged-pdf": (files.damaged_pdf, "pdf_unreadable"),
    "pdf-script-on-opening": (files.pdf_with_open_action_script, "pdf_active_content"),
    "pdf-opening-a-web-address": (files.pdf_opening_a_web_address, "pdf_active_content"),
    "pdf-document-script": (files.pdf_with_document_script, "pdf_active_content"),
    "pdf-escaped-script-name": (files.pdf_with_escaped_script_name, "pdf_active_content"),
    "pdf-launch-on-page-open": (files.pdf_with_launch_action_on_page, "pdf_active_content"),
    "pdf-with-attached-file": (files.pdf_with_attachment, "pdf_active_content"),
    "pdf-with-password": (files.encrypted_pdf, "pdf_encrypted"),
    "oversized-pdf": (
        lambda: b"%PDF-1.4\n" + b"0" * service.CERTIFICATE_FILE_MAX_BYTES,
        "file_too_large",
    ),
}


@pytest.mark.parametrize("kind", DISGUISED_FILES)
def test_a_disguised_or_active_file_is_refused_and_nothing_is_stored(
    school, national_coordinator, kind
):
    make, code = DISGUISED_FILES[kind]
    before = recorded_state(school)
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="LV-1", date=DATE,
            file=files.upload(make(), name="certificate.pdf", content_type="application/pdf"),
        )  # fmt: skip
    assert codes(refused.value, "file") == [code]
    assert_nothing_changed(school, before)


def test_every_wrong_value_is_reported_at_once(school, national_coordinator):
    with pytest.raises(CertificateRefused) as refused:
        certificate_record(
            actor=national_coordinator, school=school, number="", date=None,
            file=files.upload(files.windows_executable()),
        )  # fmt: skip
    assert set(refused.value.error_dict) == {"number", "date", "file"}


def test_a_stream_without_its_end_ends_the_search_for_names_outside_streams():
    """Found by a hostile trial: 1 MB of "stream" lines without "endstream" held a server
    process for its whole timeout (a pattern that scanned the rest of the file again for each
    one). The search now stops at the first stream that has no end."""
    hostile = b"%PDF-1.4\n" + b"stream\n" * 150_000
    assert _outside_streams(hostile) == b"%PDF-1.4\nstream endstream"
    closed = b"%PDF-1.4\n1 0 obj<</JS (x)>>stream\n/JS inside\nendstream\n%%EOF"
    assert _outside_streams(closed) == b"%PDF-1.4\n1 0 obj<</JS (x)>>stream endstream\n%%EOF"
    with pytest.raises(ValidationError):
        check_pdf_content(hostile)


@pytest.mark.parametrize("number", ["LV/2026/../17", "LV/./17", "../LV"])
def test_a_number_that_would_change_the_verification_address_is_refused(number):
    assert [error.code for error in service._number_errors(number)] == ["number_format"]


@pytest.mark.parametrize(
    "uri", ["javascript:app.alert(1)", "file:///etc/passwd", "\\\\evil.example\\share"]
)
def test_a_pdf_whose_links_leave_the_web_is_refused(uri):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Letter")
    writer = PdfWriter()
    writer.append(io.BytesIO(bytes(pdf.output())))
    writer.add_annotation(page_number=0, annotation=Link(rect=(10, 10, 100, 40), url=uri))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError) as refused:
        check_pdf_content(out.getvalue())
    assert refused.value.code == "pdf_active_content"
