import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asphub.schools.models import MembershipStatus, School
from asphub.taxonomy.models import FlagshipNetwork

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/schools/"


def names(response) -> list[str]:
    return [school.name for school in response.context["page"].object_list]


def test_directory_lists_the_31_latvian_members_in_latvian_order(client, loaded_network, settings):
    settings.ASPHUB_DIRECTORY_PAGE_SIZE = 50
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    listed = names(response)
    assert len(listed) == 31
    assert (
        listed.index("Amatas novada Skujenes pamatskola")
        < listed.index("Ādažu Brīvā Valdorfa skola")
        < listed.index("Brocēnu vidusskola")
    )
    assert listed.index("Cēsu Pilsētas vidusskola") < listed.index("Daugavpils Valsts ģimnāzija")
    assert listed[-1] == "Zentas Mauriņas Grobiņas novada vidusskola"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cesu", "Cēsu Pilsētas vidusskola"),
        ("ģimnāzijas", "Talsu Valsts ģimnāzija"),
        ("tehnikumā", "Kuldīgas Tehnoloģiju un tūrisma tehnikums"),
        ("RIGAS montessori", "Rīgas Montessori sākumskola"),
        ("saulespuķe", 'Rundāles novada Speciālā pirmsskolas iestāde "Saulespuķe"'),
    ],
)
def test_name_search_ignores_diacritics_and_inflection(client, loaded_network, query, expected):
    response = client.get(DIRECTORY, {"q": query})
    assert expected in names(response)


def test_search_for_gymnasiums_finds_all_six_and_nothing_else(client, loaded_network):
    found = names(client.get(DIRECTORY, {"q": "ģimnāzijas"}))
    assert len(found) == 6
    assert all("ģimnāzija" in name for name in found)


def test_filters_combine(client, loaded_network):
    response = client.get(DIRECTORY, {"institution_type": "vocational", "municipality": "LV-RIX"})
    assert names(response) == ["Rīgas Tūrisma un radošās industrijas tehnikums"]


def test_ownership_filter(client, loaded_network):
    assert names(client.get(DIRECTORY, {"ownership": "private"})) == ["Ādažu Brīvā Valdorfa skola"]


def test_flagship_filter(client, loaded_network):
    school = School.objects.get(name="Talsu Valsts ģimnāzija")
    school.flagshipparticipation_set.create(
        flagship=FlagshipNetwork.objects.get(slug="baltic-sea-project")
    )
    assert names(client.get(DIRECTORY, {"flagship": "baltic-sea-project"})) == [school.name]


def test_status_filter_only_offers_public_statuses(client, loaded_network):
    response = client.get(DIRECTORY, {"status": "rejected"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert len(response.context["page"].paginator.object_list) == 31


@pytest.mark.parametrize(
    "params",
    [
        {"institution_type": "castle"},
        {"municipality": "LV-999"},
        {"flagship": "no-such-network"},
        {"country": "ZZ"},
        {"page": "999"},
        {"page": "-1"},
        {"page": "abc"},
        {"q": "x" * 500},
        {"q": "'; DROP TABLE schools_school; --"},
        {"q": "%_\\"},
    ],
)
def test_unknown_filter_values_and_pages_never_fail(client, loaded_network, params):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    assert School.objects.count() == 31


def test_htmx_request_gets_only_the_results_fragment(client, loaded_network):
    response = client.get(DIRECTORY, {"q": "cesu"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "Cēsu Pilsētas vidusskola" in body


def test_filters_work_without_javascript_as_plain_get_form(client, loaded_network):
    body = client.get(DIRECTORY).content.decode()
    assert 'method="get"' in body and 'action="/schools/"' in body
    assert '<label for="id_institution_type">' in body


def test_pagination_keeps_filters(client, latvia, settings):
    settings.ASPHUB_DIRECTORY_PAGE_SIZE = 2
    for number in range(5):
        SchoolFactory(country=latvia, name=f"Vidusskola {number}", slug=f"v-{number}")
    response = client.get(DIRECTORY, {"q": "vidusskola", "page": 2})
    assert names(response) == ["Vidusskola 2", "Vidusskola 3"]
    assert "q=vidusskola&amp;page=3" in response.content.decode()


def test_non_public_schools_are_not_listed_and_have_no_profile(client, latvia):
    hidden = SchoolFactory(country=latvia, membership_status=MembershipStatus.REJECTED)
    assert hidden.name not in names(client.get(DIRECTORY))
    assert client.get(reverse("schools:detail", args=[hidden.slug])).status_code == 404


def test_school_profile_shows_facts_and_marks_approximate_location(client, loaded_network):
    school = School.objects.get(name="Jaunsilavas pamatskola")
    response = client.get(school.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jaunsilavas pamatskola" in body
    assert "Līvānu novads" in body
    assert "Approximate location" in body or "Aptuvena atrašanās vieta" in body


def test_html_in_school_text_is_shown_as_text(client, latvia):
    school = SchoolFactory(
        country=latvia,
        name='<script>alert("x")</script>',
        description_lv="<img src=x onerror=alert(1)>",
    )
    body = client.get(school.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    assert "<img src=x" not in body
    body = client.get(DIRECTORY).content.decode()
    assert "<script>alert" not in body


def test_csv_export_follows_the_filters(client, loaded_network):
    response = client.get(reverse("schools:export_csv"), {"municipality": "LV-DGV"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == [
        "Daugavpils 20. pirmsskolas izglītības iestāde",
        "Daugavpils Valsts ģimnāzija",
        "Daugavpils Vienības pamatskola",
    ]
    assert rows[0]["municipality_code"] == "LV-DGV"


def test_csv_export_defuses_spreadsheet_formulas(client, latvia):
    SchoolFactory(country=latvia, name='=HYPERLINK("http://evil")')
    response = client.get(reverse("schools:export_csv"))
    assert "'=HYPERLINK" in response.getvalue().decode("utf-8-sig")


def test_json_export_follows_the_search(client, loaded_network):
    response = client.get(reverse("schools:export_json"), {"q": "tehnikumā"})
    data = json.loads(response.getvalue())
    assert sorted(s["name"] for s in data["schools"]) == [
        "Kuldīgas Tehnoloģiju un tūrisma tehnikums",
        "Rīgas Tūrisma un radošās industrijas tehnikums",
    ]


# The map's pages and data: test_map.py; what the exports stream: test_exports.py.


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/", DIRECTORY, DIRECTORY + "?q=rigas&institution_type=secondary&municipality=LV-RIX"]
)
def test_page_queries_do_not_grow_with_the_number_of_schools(client, loaded_network, url):
    flagship = FlagshipNetwork.objects.first()
    for school in School.objects.all()[:5]:
        school.flagshipparticipation_set.create(flagship=flagship)
    small = _query_count(client, url)
    subdivision = School.objects.get(name="Rīgas 74. vidusskola").subdivision
    School.objects.bulk_create(
        [
            School(
                country=loaded_network,
                subdivision=subdivision,
                name=f"Rīgas skola numur {n}",
                slug=f"skola-numur-{n}",
                institution_type="secondary",
                membership_status="member",
                search_text=f" rigas rig skola skol numur {n} ",
                sort_key=f"S{n:05d}",
            )
            for n in range(3000 - 31)
        ]
    )
    assert School.objects.count() == 3000
    assert _query_count(client, url) == small
