"""The directory's exports: stable codes for scripts, and beside each the same in words, in the
language of the page the export was asked from."""

import csv
import io
import json

import pytest
from django.urls import reverse

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


@pytest.fixture
def school(latvia):
    return SchoolFactory(
        country=latvia,
        name="Talsu Valsts ģimnāzija",
        institution_type="gymnasium",
        ownership="municipal",
        membership_status="member",
        location_precision="settlement",
    )


def test_the_latvian_csv_has_latvian_labels_beside_the_codes(client, school):
    [row] = csv_rows(client.get(reverse("schools:export_csv")))
    assert (row["institution_type"], row["institution_type_label"]) == ("gymnasium", "ģimnāzija")
    assert (row["ownership"], row["ownership_label"]) == ("municipal", "pašvaldības")
    assert (row["membership_status"], row["membership_status_label"]) == ("member", "dalībniece")
    assert (row["country"], row["country_label"]) == ("LV", "Latvija")
    assert row["location_precision"] == "settlement"
    assert row["location_precision_label"].startswith("aptuveni")


def test_the_english_csv_has_english_labels_and_the_same_codes(client, school):
    [row] = csv_rows(client.get("/en" + reverse("schools:export_csv")))
    assert (row["institution_type"], row["institution_type_label"]) == ("gymnasium", "gymnasium")
    assert (row["membership_status"], row["membership_status_label"]) == ("member", "member")
    assert (row["country"], row["country_label"]) == ("LV", "Latvia")
    assert row["location_precision_label"] == "approximate: settlement centre"


def test_the_json_export_has_the_labels_too(client, school):
    [item] = json.loads(b"".join(client.get(reverse("schools:export_json")).streaming_content))[
        "schools"
    ]
    assert (item["ownership"], item["ownership_label"]) == ("municipal", "pašvaldības")
