"""The audit log as national coordinators (their country) and administrators (all) read it."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.services import audit_record
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

LOG = "/audit/"
CSV = "/audit/export.csv"


# The readers have held their roles since long before anything the tests write: the entries
# that record those roles being given are dated then, and shown() and rows() leave them out, so
# that each test reads back exactly the entries it wrote.
READERS_SINCE = "2020-01-01T12:00:00"


def reader(user):
    """A reader of the log (from conftest.py), enrolled in two-factor sign-in."""
    enrol_authenticator(user)
    models.QuerySet.update(
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)),
        created_at=_aware(datetime.fromisoformat(READERS_SINCE)),
    )
    return user


@pytest.fixture
def national_coordinator(national_coordinator):
    return reader(national_coordinator)


@pytest.fixture
def administrator(administrator):
    return reader(administrator)


def entry(*, actor="Kārlis Koordinators", action="role.granted", country="LV", when=None, **kw):
    created = audit_record(actor=actor, action=action, country_code=country, **kw)
    if when is not None:
        # Entries are append-only; a test may still date one in the past.
        models.QuerySet.update(
            AuditEntry.objects.filter(pk=created.pk),
            created_at=_aware(datetime.fromisoformat(when)),
        )
    return created


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def shown(response) -> list[AuditEntry]:
    assert response.status_code == 200
    readers_since = _aware(datetime.fromisoformat(READERS_SINCE))
    return [e for e in response.context["page"].object_list if e.created_at != readers_since]


def rows(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")  # spreadsheets then read it as UTF-8
    header, *entries = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    return [header, *(row for row in entries if not row[0].startswith(READERS_SINCE[:11]))]


# -- who may read it --------------------------------------------------------------------------


def test_a_national_coordinator_sees_their_countrys_entries_only(
    client, national_coordinator, estonia
):
    entry(actor="Latvietis", note="LV entry", country="LV")
    entry(actor="Igaunis", note="EE entry", country="EE")
    entry(actor="Nobody", note="no country", country="")
    client.force_login(national_coordinator)
    response = client.get(LOG)
    notes = [e.note for e in shown(response)]
    assert notes == ["LV entry"]
    body = response.content.decode()
    assert "Latvietis" in body
    assert "Igaunis" not in body and "EE entry" not in body


def test_asking_for_another_country_does_not_show_it(client, national_coordinator, estonia):
    entry(note="LV entry", country="LV")
    entry(note="EE entry", country="EE")
    client.force_login(national_coordinator)
    response = client.get(LOG, {"country": "EE"})
    assert response.context["filter"].form.errors["country"]
    assert shown(response) == []
    assert "EE entry" not in response.content.decode()
    refused = client.get(CSV, {"country": "EE"})
    assert refused.status_code == 400
    assert "EE entry" not in refused.content.decode()


def test_an_administrator_sees_every_country(client, administrator, latvia, estonia):
    entry(note="LV entry", country="LV")
    entry(note="EE entry", country="EE")
    entry(note="platform entry", country="")
    client.force_login(administrator)
    assert {e.note for e in shown(client.get(LOG))} == {"LV entry", "EE entry", "platform entry"}
    assert [e.note for e in shown(client.get(LOG, {"country": "EE"}))] == ["EE entry"]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_COORDINATOR, Role.REVIEWER, None])
def test_other_people_may_not_read_the_log(client, latvia, role):
    entry(note="secret", country="LV")
    if role in (Role.TEACHER, Role.SCHOOL_COORDINATOR):
        user = person_with(role, school=SchoolFactory(country=latvia))
    elif role == Role.REVIEWER:
        user = person_with(role, country=latvia)
    else:
        user = UserFactory()
    client.force_login(user)
    for page in [LOG, CSV]:
        response = client.get(page)
        assert response.status_code == 403, page
        content = b"".join(response) if response.streaming else response.content
        assert b"secret" not in content, page


def test_a_former_national_coordinator_may_not_read_the_log(client, national_coordinator):
    national_coordinator.role_assignments.update(revoked_at=timezone.now())
    client.force_login(national_coordinator)
    assert client.get(LOG).status_code == 403


@pytest.mark.parametrize("page", [LOG, CSV, "/en" + LOG])
def test_anonymous_visitors_are_asked_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert "/accounts/login/?next=" in response["Location"]


# -- filters ----------------------------------------------------------------------------------


def test_filtering_by_action(client, national_coordinator):
    entry(action="role.granted", note="granted")
    entry(action="role.revoked", note="revoked")
    entry(action="invitation.created", note="invited")
    client.force_login(national_coordinator)
    response = client.get(LOG, {"action": "role.revoked"})
    assert [e.note for e in shown(response)] == ["revoked"]
    choices = [value for value, _ in response.context["filter"].form.fields["action"].choices]
    assert {"role.granted", "role.revoked", "invitation.created"} <= set(choices)


def test_filtering_by_who(client, national_coordinator):
    entry(actor="Anna Bērziņa", note="anna")
    entry(actor="Jānis Kalniņš", note="janis")
    client.force_login(national_coordinator)
    assert [e.note for e in shown(client.get(LOG, {"who": "bērziņa"}))] == ["anna"]
    assert [e.note for e in shown(client.get(LOG, {"who": "Kalni"}))] == ["janis"]
    assert shown(client.get(LOG, {"who": "nobody of that name"})) == []


def test_filtering_by_date(client, national_coordinator):
    entry(note="january", when="2025-01-10T12:00:00")
    entry(note="february", when="2025-02-15T12:00:00")
    entry(note="march", when="2025-03-20T12:00:00")
    client.force_login(national_coordinator)
    assert [e.note for e in shown(client.get(LOG, {"since": "2025-02-01"}))] == [
        "march",
        "february",
    ]
    assert [e.note for e in shown(client.get(LOG, {"until": "2025-02-15"}))] == [
        "february",
        "january",
    ]
    both = {"since": "2025-02-01", "until": "2025-02-28"}
    assert [e.note for e in shown(client.get(LOG, both))] == ["february"]


def test_filters_combine(client, national_coordinator):
    entry(actor="Anna", action="role.granted", note="anna granted")
    entry(actor="Anna", action="role.revoked", note="anna revoked")
    entry(actor="Jānis", action="role.revoked", note="janis revoked")
    client.force_login(national_coordinator)
    response = client.get(LOG, {"who": "anna", "action": "role.revoked"})
    assert [e.note for e in shown(response)] == ["anna revoked"]


@pytest.mark.parametrize("value", ["not-a-date", "2025-13-45", "31.02.2025"])
def test_an_invalid_date_is_a_form_error_not_a_crash(client, national_coordinator, value):
    entry(note="kept")
    client.force_login(national_coordinator)
    response = client.get("/en" + LOG, {"since": value})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["since"]
    assert "Enter a valid date." in response.content.decode()
    # Nothing is listed or exported as if the filter were not there.
    assert shown(response) == []
    assert client.get(CSV, {"since": value}).status_code == 400


def test_an_unknown_action_is_a_form_error_not_a_crash(client, national_coordinator):
    entry(note="kept")
    client.force_login(national_coordinator)
    response = client.get(LOG, {"action": "no.such.action"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["action"]


def test_the_log_pages_newest_first(client, national_coordinator):
    for day in range(60):
        entry(note=f"day {day:02d}", when=f"{date(2025, 1, 1) + timedelta(days=day)}T12:00:00")
    client.force_login(national_coordinator)
    first = client.get(LOG)
    notes = [e.note for e in shown(first)]
    assert notes == [f"day {day:02d}" for day in range(59, 9, -1)]
    assert first.context["page"].has_next()
    second = client.get(LOG, {"page": 2})
    assert [e.note for e in shown(second)] == [f"day {day:02d}" for day in range(9, -1, -1)]
    # A page number that is not one shows a page, not an error.
    assert client.get(LOG, {"page": "abc"}).status_code == 200
    assert client.get(LOG, {"page": 999}).context["page"].number == 2


def test_the_page_links_keep_the_filters(client, national_coordinator):
    for _ in range(55):
        entry(actor="Anna", action="role.granted")
    client.force_login(national_coordinator)
    body = client.get(LOG, {"who": "Anna"}).content.decode()
    assert "?who=Anna&amp;page=2" in body
    assert 'href="/audit/export.csv?who=Anna"' in body


def test_html_in_entries_is_shown_as_text(client, national_coordinator):
    entry(actor="<script>alert(1)</script>", note="<img src=x onerror=alert(2)>",
          after={"full_name": "<b>bold</b>"})  # fmt: skip
    client.force_login(national_coordinator)
    body = client.get(LOG).content.decode()
    assert "<script>alert(1)" not in body
    assert "<img src=x" not in body
    assert "<b>bold</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_former_member_is_shown_as_such(client, national_coordinator):
    entry(actor=StandIn.FORMER_MEMBER, note="by someone who left")
    client.force_login(national_coordinator)
    assert "former member" in client.get("/en" + LOG).content.decode()
    assert "bijušais dalībnieks" in client.get(LOG).content.decode()


# -- CSV export -------------------------------------------------------------------------------


def test_the_csv_export_has_a_header_and_one_row_per_entry(client, national_coordinator):
    entry(actor="Anna", action="role.granted", after={"role": "teacher"}, note="one")
    entry(actor="Jānis", action="role.revoked", before={"role": "reviewer"}, note="two")
    client.force_login(national_coordinator)
    response = client.get("/en" + CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="asphub-audit-log-')
    assert response["Cache-Control"] == "no-store"
    table = rows(response)
    assert table[0] == ["When", "Who", "Action", "Action code", "Object type",
                        "Object type code", "Object", "Country", "Before", "Before (codes)",
                        "After", "After (codes)", "Note"]  # fmt: skip
    assert len(table) == 3
    by_note = {row[12]: row for row in table[1:]}
    assert by_note["one"][1:4] == ["Anna", "role given", "role.granted"]
    assert by_note["one"][10:12] == ["role: teacher", '{"role": "teacher"}']
    assert by_note["two"][1:4] == ["Jānis", "role taken back", "role.revoked"]
    assert by_note["two"][8:10] == ["role: reviewer", '{"role": "reviewer"}']
    assert all(row[7] == "LV" for row in table[1:])


def test_the_csv_header_is_in_the_pages_language(client, national_coordinator):
    client.force_login(national_coordinator)
    latvian = rows(client.get(CSV))[0]
    assert len(latvian) == 13
    assert latvian != rows(client.get("/en" + CSV))[0]


def test_the_csv_export_respects_filters_and_country(client, national_coordinator, estonia):
    entry(actor="Anna", action="role.granted", note="anna LV")
    entry(actor="Anna", action="role.granted", note="anna EE", country="EE")
    entry(actor="Jānis", action="role.granted", note="janis LV")
    entry(actor="Anna", action="role.revoked", note="anna revoked LV", when="2024-06-01T12:00")
    client.force_login(national_coordinator)
    assert {r[12] for r in rows(client.get(CSV))[1:]} == {
        "anna LV",
        "janis LV",
        "anna revoked LV",
    }
    assert [
        r[12] for r in rows(client.get(CSV, {"who": "anna", "action": "role.granted"}))[1:]
    ] == ["anna LV"]
    assert [r[12] for r in rows(client.get(CSV, {"until": "2024-12-31"}))[1:]] == [
        "anna revoked LV"
    ]


def test_the_csv_export_keeps_formulas_from_running(client, national_coordinator):
    target = UserFactory(full_name='=HYPERLINK("http://evil.example","click")')
    entry(actor="=1+2", obj=target, before={"x": 1}, note="@SUM(A1:A2)")
    entry(actor="+44 20 7946 0000", note="-2+3")
    client.force_login(national_coordinator)
    table = rows(client.get(CSV))
    cells = [cell for row in table[1:] for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_who = {row[1]: row for row in table[1:]}
    assert "'=1+2" in by_who
    assert by_who["'=1+2"][6] == '\'=HYPERLINK("http://evil.example","click")'
    assert by_who["'=1+2"][12] == "'@SUM(A1:A2)"
    assert by_who["'+44 20 7946 0000"][12] == "'-2+3"


def test_the_csv_export_shows_former_members_by_the_label(client, national_coordinator):
    entry(actor=StandIn.FORMER_MEMBER, note="left")
    client.force_login(national_coordinator)
    assert rows(client.get("/en" + CSV))[1][1] == "former member"


# -- the log is append-only -------------------------------------------------------------------


def test_the_log_page_offers_no_way_to_change_entries(client, national_coordinator):
    entry(note="kept")
    client.force_login(national_coordinator)
    body = client.get(LOG).content.decode()
    assert 'method="post"' not in body.split("<main")[1]


# -- bounded work -----------------------------------------------------------------------------


def queries_for(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def make_entries(n: int, user) -> None:
    for i in range(n):
        audit_record(actor=user, action=f"action.{i % 4}", obj=user, country_code="LV",
                     after={"i": i}, note=f"entry {i}")  # fmt: skip


def test_the_log_page_needs_the_same_queries_for_5_and_60_entries(client, national_coordinator):
    client.force_login(national_coordinator)
    make_entries(5, national_coordinator)
    queries_for(client, LOG)  # warm up (session, content types)
    few = queries_for(client, LOG)
    make_entries(55, national_coordinator)
    many = queries_for(client, LOG)
    assert few == many
    assert few <= 12


def test_the_csv_export_needs_the_same_queries_for_5_and_60_entries(client, national_coordinator):
    client.force_login(national_coordinator)
    make_entries(5, national_coordinator)
    queries_for(client, CSV)
    few = queries_for(client, CSV)
    make_entries(55, national_coordinator)
    assert queries_for(client, CSV) == few


def test_a_very_long_who_is_refused_with_a_message_not_a_server_error(client, administrator):
    client.force_login(administrator)
    response = client.get(LOG, {"who": "a" * 60000})
    assert response.status_code == 200
    assert "who" in response.context["filter"].form.errors
    export = client.get(LOG + "export.csv", {"who": "a" * 60000})
    assert export.status_code == 400
