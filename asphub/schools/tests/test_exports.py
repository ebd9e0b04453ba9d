"""The directory's CSV and JSON exports are streamed: the response starts before the schools are
read, rows are written as they come from the database, and the work per request does not grow
with the number of schools (11,500 schools worldwide took 15 s and their size in memory when
the exports were built whole)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asphub.schools import views
from asphub.schools.models import School

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db

CSV = "/schools/export.csv"
JSON = "/schools/export.json"


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", [CSV, JSON])
def test_export_is_answered_before_the_schools_are_read(client, loaded_network, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        before = [q["sql"] for q in queries.captured_queries if "schools_school" in q["sql"]]
        assert response.streaming
        body = b"".join(response.streaming_content)
        during = [q["sql"] for q in queries.captured_queries if "schools_school" in q["sql"]]
    assert before == []
    assert during, "the rows come from the database while the response is sent"
    assert body


def test_csv_export_is_sent_in_pieces_of_rows(client, loaded_network, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_CHUNK_ROWS", 10)
    response = client.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="asphub-schools-')
    pieces = list(response.streaming_content)
    # The header and 31 rows, ten lines a piece.
    assert len(pieces) == 4
    body = b"".join(pieces)
    assert body.startswith("\ufeffname,".encode()) and body.count("\ufeff".encode()) == 1
    rows = csv_rows(body)
    assert len(rows) == 31
    assert list(rows[0]) == views.EXPORT_COLUMNS


def test_json_export_is_one_valid_document_of_all_rows(client, loaded_network, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_CHUNK_ROWS", 7)
    response = client.get(JSON)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].endswith('.json"')
    pieces = list(response.streaming_content)
    assert len(pieces) > 1
    data = json.loads(b"".join(pieces))
    assert data["generated"]
    assert len(data["schools"]) == 31
    assert all(list(row) == views.EXPORT_COLUMNS for row in data["schools"])


def test_json_export_of_no_school_is_an_empty_list(client, loaded_network):
    data = json.loads(client.get(JSON, {"q": "qqqxyz"}).getvalue())
    assert data["schools"] == []


def test_exported_row_has_the_schools_facts_and_its_profile(client, latvia):
    school = SchoolFactory(
        country=latvia,
        subdivision=latvia.subdivisions.get(code="LV-022"),
        name="Cēsu Pilsētas vidusskola",
        settlement="Cēsis",
        latitude="57.31200",
        longitude="25.27400",
        website="https://cesis.example",
        member_since=2001,
    )
    SchoolFactory(country=latvia, subdivision=None, settlement="", name="Bez novada")
    rows = {row["name"]: row for row in csv_rows(client.get(CSV).getvalue())}
    expected = {
        "name": school.name,
        "institution_type": "secondary",
        "ownership": "municipal",
        "country": "LV",
        "municipality_code": "LV-022",
        "municipality": "Cēsu novads",
        "settlement": "Cēsis",
        "latitude": "57.31200",
        "longitude": "25.27400",
        "location_precision": "settlement",
        "membership_status": "member",
        "member_since": "2001",
        "website": "https://cesis.example",
        "url": f"http://testserver/schools/{school.slug}/",
    }
    assert {key: rows[school.name][key] for key in expected} == expected
    assert rows["Bez novada"]["municipality_code"] == rows["Bez novada"]["municipality"] == ""
    data = json.loads(client.get(JSON).getvalue())
    exported = next(row for row in data["schools"] if row["name"] == school.name)
    assert exported["member_since"] == 2001
    assert exported["latitude"] == 57.312
    without = next(row for row in data["schools"] if row["name"] == "Bez novada")
    assert without["member_since"] is None
    assert exported["url"] == f"http://testserver/schools/{school.slug}/"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("url", [CSV, JSON, CSV + "?q=skola&ownership=municipal"])
def test_export_queries_do_not_grow_with_the_number_of_schools(client, loaded_network, url):
    _queries(client, url)  # the first export of the hour also starts the address's count
    few = _queries(client, url)
    subdivision = School.objects.first().subdivision
    School.objects.bulk_create(
        [
            School(
                country=loaded_network,
                subdivision=subdivision if n % 3 else None,
                name=f"Skola numur {n}",
                slug=f"skola-numur-{n}",
                institution_type="secondary",
                ownership="municipal",
                membership_status="member",
                latitude=Decimal("56.5") if n % 2 else None,
                longitude=Decimal("24.5") if n % 2 else None,
                search_text=f" skola skol numur {n} ",
                sort_key=f"S{n:05d}",
            )
            for n in range(3000)
        ]
    )
    # What is kept per data version is built once after the change, as in the first phase.
    _queries(client, url)
    # Several chunks of the database cursor: iterator(chunk_size=1000) reads on demand.
    assert _queries(client, url) == few
