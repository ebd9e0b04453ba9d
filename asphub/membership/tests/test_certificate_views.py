"""The certificate's pages, each with its permission ladder: the national coordinator's form
and the file UNESCO sent; the school's PDF download; the public verification page, in both
languages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.membership.tests import certificate_files as files
from asphub.membership.views.certificates import certificate_url
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus, School
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
S = MembershipStatus
NAME = "Ogres Valsts ģimnāzija “Ķīļu ņūžš”"
NUMBER = "LV-2026-017"


@pytest.fixture(autouse=True)
def empty_private_storage():
    files.empty_storage()
    yield
    files.empty_storage()


@pytest.fixture
def school(latvia):
    return SchoolFactory(
        country=latvia,
        name=NAME,
        email="info@ogres.example.lv",
        phone="+371 65 000 000",
        certificate_number=NUMBER,
        certificate_date=datetime.date(2026, 3, 2),
    )


def signed_in(client, user, *, two_factor: bool = False):
    if two_factor:
        enrol_authenticator(user)
    client.force_login(user)
    return user


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return certificate_url(name, **kwargs)


def error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


PEOPLE = {
    "teacher": lambda school: person_with(Role.TEACHER, school=school),
    "coordinator": lambda school: person_with(Role.SCHOOL_COORDINATOR, school=school),
    "reviewer": lambda school: person_with(Role.REVIEWER, country=school.country),
    "other_school_coordinator": lambda school: person_with(
        Role.SCHOOL_COORDINATOR, school=SchoolFactory(country=school.country)
    ),
    "other_country_coordinator": lambda school: person_with(
        Role.NATIONAL_COORDINATOR,
        country=SchoolFactory(
            country__code="EE", country__name_lv="Igaunija", country__name_en="Estonia"
        ).country,
    ),
    "national_coordinator": lambda school: person_with(
        Role.NATIONAL_COORDINATOR, country=school.country
    ),
    "administrator": lambda school: person_with(Role.ADMINISTRATOR),
}
TWO_FACTOR = {"national_coordinator", "administrator", "other_country_coordinator"}


# -- recording: /dashboard/membership/schools/<pk>/certificate/ ----------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client, school):
    for name in ("certificate_record", "certificate_file", "certificate_download"):
        response = client.get(url(name, pk=school.pk))
        assert response.status_code == 302, name
        assert "/accounts/login/?next=" in response["Location"], name


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("teacher", 404),
        ("coordinator", 404),
        ("reviewer", 404),
        ("other_school_coordinator", 404),
        ("other_country_coordinator", 404),
        ("national_coordinator", 200),
        ("administrator", 200),
    ],
)
def test_only_the_countrys_coordinator_opens_the_recording_form(client, school, person, status):
    signed_in(client, PEOPLE[person](school), two_factor=person in TWO_FACTOR)
    page = url("certificate_record", pk=school.pk)
    assert client.get(page).status_code == status
    posted = client.post(page, {"number": "LV-1", "date": "2026-01-05"})
    assert posted.status_code == (302 if status == 200 else 404)
    if status != 200:
        assert School.objects.get(pk=school.pk).certificate_number == NUMBER
        assert not AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_RECORDED).exists()


def test_the_coordinator_records_a_certificate_with_its_file(client, latvia):
    school = SchoolFactory(country=latvia, membership_status=S.ENDORSED, name="Jaunā skola")
    coordinator = signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    page = url("certificate_record", pk=school.pk)
    form = client.get(page)
    body = form.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert '<label for="id_number">' in body and 'type="date"' in body
    response = client.post(
        page,
        {"number": " LV-2026-020 ", "date": "2026-01-05", "file": files.upload(files.plain_pdf())},
    )
    assert response.status_code == 302
    assert response["Location"] == page
    school.refresh_from_db()
    assert (school.certificate_number, school.certificate_date) == (
        "LV-2026-020",
        datetime.date(2026, 1, 5),
    )
    assert school.certificate_file
    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_RECORDED)
    assert entry.actor == coordinator
    shown = client.get(page)
    assert [str(message) for message in shown.context["messages"]]
    assert "LV-2026-020" in shown.content.decode()
    assert f'href="{url("certificate_file", pk=school.pk)}"' in shown.content.decode()


def test_a_refused_form_comes_back_with_what_was_typed(client, school, other_school):
    School.objects.filter(pk=other_school.pk).update(certificate_number="LV-9")
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    page = url("certificate_record", pk=school.pk)
    response = client.post(
        page,
        {"number": "LV-9", "date": "2026-01-05", "file": files.upload(files.windows_executable())},
    )
    assert response.status_code == 200
    assert error_codes(response, "number") == ["number_taken"]
    assert error_codes(response, "file") == ["file_type"]
    body = response.content.decode()
    assert 'value="LV-9"' in body and 'value="2026-01-05"' in body
    assert School.objects.get(pk=school.pk).certificate_number == NUMBER
    assert files.stored_files() == set()


def test_a_date_in_the_future_comes_back_with_its_error(client, school):
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("certificate_record", pk=school.pk), {"number": "LV-3", "date": tomorrow.isoformat()}
    )
    assert error_codes(response, "date") == ["future"]


def test_a_pdf_with_a_script_comes_back_refused(client, school):
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    response = client.post(
        url("certificate_record", pk=school.pk),
        {
            "number": "LV-3",
            "date": "2026-01-05",
            "file": files.upload(files.pdf_with_open_action_script()),
        },
    )
    assert error_codes(response, "file") == ["pdf_active_content"]
    assert files.stored_files() == set()


def test_a_school_that_left_shows_why_no_certificate_is_recorded(client, school):
    School.objects.filter(pk=school.pk).update(membership_status=S.EXCLUDED)
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    page = url("certificate_record", pk=school.pk)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["can_record"] is False
    assert '<form method="post" enctype' not in response.content.decode()
    refused = client.post(page, {"number": "LV-3", "date": "2026-01-05"})
    assert error_codes(refused, "__all__") == ["status"]


def test_the_recording_form_answers_only_get_and_post(client, school):
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    assert client.put(url("certificate_record", pk=school.pk)).status_code == 405
    assert client.delete(url("certificate_record", pk=school.pk)).status_code == 405


# -- the file UNESCO sent: /dashboard/membership/schools/<pk>/certificate/file -------------------


def _with_file(school, content: bytes, extension: str) -> None:
    stored = School.objects.get(pk=school.pk)
    stored.certificate_file.save(f"certificate-{school.pk}.{extension}", io.BytesIO(content))


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("teacher", 404),
        ("coordinator", 404),
        ("reviewer", 404),
        ("other_country_coordinator", 404),
        ("national_coordinator", 200),
        ("administrator", 200),
    ],
)
def test_only_the_countrys_coordinator_reads_the_file_from_unesco(client, school, person, status):
    _with_file(school, files.plain_pdf(), "pdf")
    signed_in(client, PEOPLE[person](school), two_factor=person in TWO_FACTOR)
    response = client.get(url("certificate_file", pk=school.pk))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == (
            'attachment; filename="unesco-aspnet-certificate-ogres-valsts-gimnazija-kilu-nuzs.pdf"'
        )
        assert b"".join(response) == files.plain_pdf()


def test_a_stored_file_is_served_as_what_its_content_is(client, school):
    """A file put there some other way (the administration) that is not a PDF or a picture
    is sent as plain bytes, never as a page the browser would show."""
    _with_file(school, b"<html><script>alert(1)</script>", "pdf")
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    response = client.get(url("certificate_file", pk=school.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.bin"')


def test_without_a_file_there_is_nothing_to_read(client, school):
    signed_in(client, PEOPLE["national_coordinator"](school), two_factor=True)
    assert client.get(url("certificate_file", pk=school.pk)).status_code == 404


# -- the school's PDF: /dashboard/schools/<pk>/certificate.pdf ----------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("teacher", 200),
        ("coordinator", 200),
        ("national_coordinator", 200),
        ("administrator", 200),
        ("reviewer", 404),
        ("other_school_coordinator", 404),
        ("other_country_coordinator", 404),
    ],
)
def test_the_schools_people_download_its_certificate(
    client, school, person, status, django_assert_max_num_queries
):
    signed_in(client, PEOPLE[person](school), two_factor=person in TWO_FACTOR)
    # The session, the person, their roles, the two-factor check and the school.
    with django_assert_max_num_queries(8):
        response = client.get(url("certificate_download", pk=school.pk))
    assert response.status_code == status
    if status != 200:
        return
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="unesco-aspnet-certificate-ogres-valsts-gimnazija-kilu-nuzs.pdf"'
    )
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert NAME in text and NUMBER in text
    # The QR code's address, printed under it: the Latvian (default) verification page.
    assert f"http://testserver/certificates/{NUMBER}/" in text


@pytest.mark.parametrize(
    "change",
    [
        {"certificate_number": ""},
        {"certificate_date": None},
        {"membership_status": S.WITHDRAWN},
        {"membership_status": S.ENDORSED},
    ],
    ids=["no-number", "no-date", "withdrawn", "endorsed"],
)
def test_a_school_without_a_certificate_has_nothing_to_download(client, school, change):
    School.objects.filter(pk=school.pk).update(**change)
    signed_in(client, PEOPLE["coordinator"](school))
    assert client.get(url("certificate_download", pk=school.pk)).status_code == 404


def test_the_download_answers_only_get(client, school):
    signed_in(client, PEOPLE["coordinator"](school))
    assert client.post(url("certificate_download", pk=school.pk)).status_code == 405


# -- the public verification page ------------------------------------------------------------


def verdict_of(response) -> str:
    body = response.content.decode()
    return body.split('data-verdict="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize(
    ("status", "verdict", "named"),
    [
        (S.MEMBER, "valid", True),
        (S.DORMANT, "valid", True),
        (S.CANDIDATE, "valid", True),
        (S.WITHDRAWN, "not_valid", True),
        (S.EXCLUDED, "not_valid", True),
        (S.ENDORSED, "not_valid", False),
    ],
)
def test_the_verification_page_says_whether_the_certificate_is_valid(
    client, school, language, status, verdict, named, django_assert_max_num_queries
):
    School.objects.filter(pk=school.pk).update(membership_status=status)
    # The school with its country, and the data version (the footer's national contact is
    # kept per version: read by the first visit after a change).
    client.get(url("certificate_verify_number", language, number=NUMBER))
    with django_assert_max_num_queries(2):
        response = client.get(url("certificate_verify_number", language, number=NUMBER))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert verdict_of(response) == verdict
    assert response.context["result"].status == status
    assert (NAME in body) is named
    with translation.override(language):
        assert str(S(status).label) in body
    # Nothing about the school beyond its name and status; nothing about people.
    assert "info@ogres.example.lv" not in body and "+371 65" not in body
    assert '<meta name="robots" content="noindex">' in body


@pytest.mark.parametrize("language", ["lv", "en"])
def test_an_unknown_number_is_only_unknown(client, school, language):
    response = client.get(url("certificate_verify_number", language, number="LV-2026-999"))
    assert response.status_code == 200
    assert verdict_of(response) == "unknown"
    assert NAME not in response.content.decode()
    assert "LV-2026-999" in response.content.decode()


def test_the_typed_number_is_checked_by_a_plain_get_form(client, school):
    page = url("certificate_verify")
    empty = client.get(page)
    body = empty.content.decode()
    assert empty.context["result"] is None
    assert f'<form method="get" action="{page}"' in body
    assert '<label for="id_number">' in body
    response = client.get(page, {"number": " lv-2026-017 "})
    assert verdict_of(response) == "valid"
    assert NAME in response.content.decode()


def test_a_number_with_slashes_is_found_by_its_address(client, latvia):
    SchoolFactory(
        country=latvia, certificate_number="LV/2026/5", certificate_date=datetime.date(2026, 1, 1)
    )
    address = url("certificate_verify_number", number="LV/2026/5")
    assert address == "/en/certificates/LV/2026/5/"
    assert verdict_of(client.get(address)) == "valid"


def test_what_the_visitor_typed_is_shown_escaped(client, school):
    response = client.get(url("certificate_verify"), {"number": "<b>x</b>"})
    assert verdict_of(response) == "unknown"
    assert "<b>x</b>" not in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_a_number_too_long_for_the_form_is_not_looked_up(client, school, django_assert_num_queries):
    client.get(url("certificate_verify"))  # the footer's national contact, kept from here on
    with django_assert_num_queries(1):  # the data version the footer's contact is kept under
        response = client.get(url("certificate_verify"), {"number": "x" * 101})
    assert response.context["result"] is None
    assert error_codes(response, "number") == ["max_length"]


def test_the_verification_page_answers_only_get(client, school):
    assert client.post(url("certificate_verify")).status_code == 405
    assert client.head(url("certificate_verify_number", number=NUMBER)).status_code == 200
