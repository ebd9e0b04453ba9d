"""The audit log reads in the reader's language: its dates, its object column and its CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.services import audit_record
from asphub.roles.models import Role
from asphub.roles.tests.factories import InvitationFactory, person_with

pytestmark = pytest.mark.django_db

LOG = "/audit/"
CSV = "/audit/export.csv"


@pytest.fixture
def reader(client, national_coordinator):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    return national_coordinator


def rows_about(response, needle: str) -> list[dict]:
    """The CSV's rows that mention `needle`, by column name."""
    content = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    header, *rows = csv.reader(io.StringIO(content))
    return [
        dict(zip(header, row, strict=True)) for row in rows if any(needle in cell for cell in row)
    ]


def object_cells(response) -> list[str]:
    return [row["object"] for row in response.context["rows"]]


def test_english_dates_and_times_read_day_month_year_and_24_hours(client, reader):
    entry = audit_record(actor=reader, action="role.granted", country_code="LV")
    when = datetime(2026, 12, 1, 9, 54, tzinfo=ZoneInfo("Europe/Riga"))
    models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), created_at=when)
    english = client.get("/en" + LOG).content.decode()
    assert "1 Dec 2026, 09:54" in english
    assert "12/01/2026" not in english
    assert "a.m." not in english
    assert "1.12.2026 09:54" in client.get(LOG).content.decode()


def test_the_object_column_names_an_invitations_role_in_the_readers_language(
    client, reader, school
):
    invitation = InvitationFactory(email="t@example.org", role=Role.TEACHER, school=school)
    recorded = AuditEntry.objects.get(action="invitation.created", object_id=str(invitation.pk))
    # Recorded in the site's language, whoever reads it later.
    assert recorded.object_label == "t@example.org: skolotājs · Ozolu pamatskola"

    english = client.get("/en" + LOG, {"action": "invitation.created"})
    assert object_cells(english) == ["t@example.org: teacher · Ozolu pamatskola"]
    assert "skolotājs" not in english.content.decode().split("<tbody>", 1)[1]
    latvian = client.get(LOG, {"action": "invitation.created"})
    assert object_cells(latvian) == ["t@example.org: skolotājs · Ozolu pamatskola"]


def test_the_object_column_names_a_country_in_the_readers_language(client, reader, latvia):
    audit_record(actor=reader, action="admin.changed", obj=latvia, country_code="LV")
    assert object_cells(client.get("/en" + LOG, {"action": "admin.changed"})) == ["Latvia"]
    assert object_cells(client.get(LOG, {"action": "admin.changed"})) == ["Latvija"]


def test_an_object_that_is_gone_keeps_its_recorded_label(client, reader, latvia):
    audit_record(
        actor=reader, action="admin.deleted", country_code="LV", note="gone"
    )  # no object at all
    entry = audit_record(actor=reader, action="admin.deleted", obj=latvia, country_code="LV")
    models.QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), object_id="999999")
    cells = object_cells(client.get("/en" + LOG, {"action": "admin.deleted"}))
    assert "Latvija" in cells  # as recorded: there is no country 999999 to name in English
    assert "" in cells


def test_a_former_members_label_is_never_replaced_by_the_object(client, reader, school):
    invitation = InvitationFactory(email="left@example.org", role=Role.TEACHER, school=school)
    entry = AuditEntry.objects.get(action="invitation.created", object_id=str(invitation.pk))
    AuditEntry.objects.filter(pk=entry.pk).scrub_personal_data(
        object_label=StandIn.FORMER_MEMBER.value
    )
    cells = object_cells(client.get("/en" + LOG, {"action": "invitation.created"}))
    assert cells == ["former member"]


def test_the_log_page_looks_objects_up_once_per_kind_however_many_entries(
    client, reader, school, latvia
):
    def queries() -> int:
        client.get("/en" + LOG)  # what pages keep per data version, rebuilt once after a change
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en" + LOG).status_code == 200
        return len(captured)

    def add_entries(n: int) -> None:
        for i in range(n):
            person = person_with(Role.TEACHER, school=school, email=f"t{i}-{n}@example.org")
            InvitationFactory(email=f"i{i}-{n}@example.org", role=Role.TEACHER, school=school)
            audit_record(actor=reader, action="admin.changed", obj=latvia, country_code="LV")
            audit_record(actor=reader, action="admin.changed", obj=person, country_code="LV")

    add_entries(2)
    queries()  # warm up (session, content types)
    few = queries()
    add_entries(10)
    assert queries() == few


def test_the_csv_has_the_object_and_the_values_in_words_beside_the_codes(client, reader, school):
    InvitationFactory(email="t@example.org", role=Role.TEACHER, school=school)
    [english] = rows_about(
        client.get("/en" + CSV, {"action": "invitation.created"}), "t@example.org"
    )
    assert english["Object"] == "t@example.org: teacher · Ozolu pamatskola"
    assert english["Object type code"] == "roles.invitation"
    assert english["Object type"] == "invitation"
    assert '"role": "teacher"' in english["After (codes)"]
    assert "role: teacher" in english["After"]
    [latvian] = rows_about(client.get(CSV, {"action": "invitation.created"}), "t@example.org")
    assert latvian["Objekts"] == "t@example.org: skolotājs · Ozolu pamatskola"
    assert "loma: skolotājs" in latvian["Pēc"]
