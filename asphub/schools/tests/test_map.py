"""The map: its page with the list of schools, its points (map.json) and the schools of one
point (map/place.json), for any visitor."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from asphub.schools import views
from asphub.schools.models import LocationPrecision, MembershipStatus, School

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db

MAP = "/schools/map/"
POINTS = "/schools/map.json"
PLACE = "/schools/map/place.json"
RIGA = {"lat": "56.94900", "lng": "24.10600"}  # six of Latvia's 31 schools share this point
RIGA_SCHOOLS = 6


def list_items(body: str) -> list[str]:
    section = body.split('<ul class="map-list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", section, re.S)


def add_schools(country, count: int) -> None:
    """`count` more public schools, each at a point of its own, in one statement."""
    subdivision = School.objects.filter(country=country).first().subdivision
    School.objects.bulk_create(
        [
            School(
                country=country,
                subdivision=subdivision,
                name=f"Skola numur {n}",
                slug=f"skola-numur-{n}",
                institution_type="secondary",
                membership_status="member",
                latitude=Decimal("56.00000") + Decimal(n) / 1000,
                longitude=Decimal("24.00000") + Decimal(n % 97) / 100,
                location_precision=LocationPrecision.EXACT if n % 2 else LocationPrecision.CITY,
                search_text=f" skola skol numur {n} ",
                sort_key=f"S{n:05d}",
            )
            for n in range(count)
        ]
    )


# A school with coordinates but neither municipality nor settlement -----------------------------


@pytest.mark.parametrize(
    ("with_municipality", "settlement", "place"),
    [(True, "Skujene", "Skujene"), (True, "", "Cēsu novads"), (False, "", "Latvija")],
)
def test_place_label_is_the_settlement_else_the_municipality_else_the_country(
    latvia, with_municipality, settlement, place
):
    school = SchoolFactory(
        country=latvia,
        subdivision=latvia.subdivisions.get(code="LV-022") if with_municipality else None,
        settlement=settlement,
    )
    assert School.objects.select_related("country", "subdivision").get(
        pk=school.pk
    ).place_label == (place)
    with translation.override("en"):
        assert school.place_label == ("Latvia" if place == "Latvija" else place)


def test_a_located_school_without_municipality_or_settlement_has_a_profile_and_a_map(
    client, loaded_network
):
    # A national coordinator can save such a school in the administration.
    school = SchoolFactory(
        country=loaded_network,
        subdivision=None,
        settlement="",
        name="Vietas nezinošā skola",
        latitude="57.10000",
        longitude="25.20000",
        location_precision=LocationPrecision.CITY,
    )
    profile = client.get(school.get_absolute_url())
    assert profile.status_code == 200
    caption = profile.content.decode().split('<figure class="profile-map">', 1)[1]
    assert "Latvija" in caption.split("</figure>", 1)[0]
    english = client.get("/en" + school.get_absolute_url())
    assert english.status_code == 200
    assert "Latvia" in english.content.decode().split('<figure class="profile-map">', 1)[1]

    page = client.get(MAP)
    assert page.status_code == 200
    row = next(item for item in list_items(page.content.decode()) if school.name in item)
    assert "Latvija" in row
    assert [57.1, 25.2, 1, 1] in client.get(POINTS).json()["places"]
    here = client.get(PLACE, {"lat": "57.10000", "lng": "25.20000"}).json()
    assert [s["name"] for s in here["schools"]] == [school.name]


# The points --------------------------------------------------------------------------------------


def test_points_are_one_per_shared_point_with_their_number_of_schools(client, loaded_network):
    answer = client.get(POINTS).json()
    places = answer["places"]
    points = set(School.objects.values_list("latitude", "longitude"))
    assert len(places) == len(points) == 22
    assert sum(place[2] for place in places) == 31
    assert [56.949, 24.106, RIGA_SCHOOLS, 1] in places
    # Latvia's schools are all placed at their town's centre: every point is approximate.
    assert {place[3] for place in places} == {1}
    # The number of schools of each point, in words of the page's language.
    assert answer["labels"] == {"1": "1 skola", "2": "2 skolas", "3": "3 skolas", "6": "6 skolas"}
    assert client.get("/en" + POINTS).json()["labels"]["6"] == "6 schools"


def test_a_point_is_exact_when_any_of_its_schools_is_placed_exactly(client, loaded_network):
    School.objects.filter(name="Rīgas 74. vidusskola").update(
        location_precision=LocationPrecision.EXACT
    )
    assert [56.949, 24.106, RIGA_SCHOOLS, 0] in client.get(POINTS).json()["places"]


def test_points_follow_the_directory_filters(client, loaded_network):
    places = client.get(POINTS, {"institution_type": "gymnasium"}).json()["places"]
    assert sum(place[2] for place in places) == 6
    hidden = School.objects.get(name="Rīgas 74. vidusskola")
    hidden.membership_status = MembershipStatus.REJECTED
    hidden.save()
    assert [56.949, 24.106, RIGA_SCHOOLS - 1, 1] in client.get(POINTS).json()["places"]


def test_schools_without_a_location_are_listed_but_not_on_the_map(client, loaded_network):
    school = SchoolFactory(country=loaded_network, latitude=None, longitude=None, name="Bez kartes")
    assert sum(place[2] for place in client.get(POINTS).json()["places"]) == 31
    row = next(i for i in list_items(client.get(MAP).content.decode()) if school.name in i)
    assert "atrašanās vieta nav norādīta" in row


# The schools of one point --------------------------------------------------------------------------


def test_a_point_names_its_schools_in_the_directory_order_with_their_profiles(
    client, loaded_network
):
    answer = client.get(PLACE, RIGA).json()
    expected = School.objects.filter(latitude="56.949", longitude="24.106").order_by("sort_key")
    assert answer["count"] == RIGA_SCHOOLS
    assert answer["schools"] == [
        {"name": school.name, "url": school.get_absolute_url()} for school in expected
    ]
    assert answer["more"] == ""


def test_a_crowded_point_names_the_first_schools_and_counts_the_rest(
    client, loaded_network, monkeypatch
):
    monkeypatch.setattr(views, "MAP_PLACE_LIMIT", 2)
    answer = client.get("/en" + PLACE, RIGA).json()
    assert answer["count"] == RIGA_SCHOOLS
    assert len(answer["schools"]) == 2
    assert answer["more"] == "and 4 more schools"
    assert client.get(PLACE, RIGA).json()["more"] == "un vēl 4 skolas"


def test_a_point_follows_the_filters_and_shows_only_public_schools(client, loaded_network):
    hidden = School.objects.get(name="Rīgas 74. vidusskola")
    hidden.membership_status = MembershipStatus.REJECTED
    hidden.save()
    names = [s["name"] for s in client.get(PLACE, RIGA).json()["schools"]]
    assert len(names) == RIGA_SCHOOLS - 1 and hidden.name not in names
    answer = client.get(PLACE, {**RIGA, "institution_type": "gymnasium"}).json()
    assert {s["name"] for s in answer["schools"]} == {
        "Rīgas Valsts 2.ģimnāzija",
        "Rīgas Valsts Klasiskā ģimnāzija",
    }
    assert client.get(PLACE, {"lat": "10.00000", "lng": "10.00000"}).json()["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": "56.949"},
        {"lat": "abc", "lng": "24.106"},
        {"lat": "91", "lng": "24.106"},
        {"lat": "56.949", "lng": "-180.5"},
        {"lat": "56.9490001", "lng": "24.106"},
        {"lat": "NaN", "lng": "24.106"},
        {"lat": "1e400", "lng": "24.106"},
        {"lat": "56.949'; DROP TABLE schools_school; --", "lng": "24.106"},
    ],
)
def test_a_point_that_cannot_be_on_the_map_is_refused(client, loaded_network, params):
    response = client.get(PLACE, params)
    assert response.status_code == 400
    assert "errors" in response.json()
    assert School.objects.count() == 31


# The page ------------------------------------------------------------------------------------------


def test_map_page_lists_the_schools_without_javascript(client, loaded_network):
    body = client.get(MAP).content.decode()
    rows = list_items(body)
    assert len(rows) == 31
    assert any("Valmieras Valsts ģimnāzija" in row and "Valmiera" in row for row in rows)
    # Before the map: the way past it, to the list, which is its text alternative.
    assert body.index('href="#places"') < body.index('id="map"') < body.index('id="places"')


def test_map_page_lists_a_page_of_schools_at_a_time_keeping_the_filters(
    client, loaded_network, monkeypatch
):
    monkeypatch.setattr(views, "MAP_LIST_PAGE_SIZE", 10)
    municipal = 26
    body = client.get(MAP, {"ownership": "municipal"}).content.decode()
    assert len(list_items(body)) == 10
    assert 'href="?ownership=municipal&amp;page=2#places" rel="next"' in body
    last = client.get(MAP, {"ownership": "municipal", "page": 3}).content.decode()
    assert len(list_items(last)) == municipal - 20
    assert 'rel="next"' not in last
    # The map shows all the filtered schools, whatever page of the list is open.
    assert 'data-points-url="/schools/map.json?ownership=municipal"' in last
    assert 'data-place-url="/schools/map/place.json?ownership=municipal"' in last


def test_home_map_comes_after_the_way_to_its_list_and_past_it(client, loaded_network):
    body = client.get("/").content.decode()
    assert body.index('href="/schools/map/?country=LV#places"') < body.index('id="map"')
    assert body.index('href="#map-end"') < body.index('id="map"') < body.index('id="map-end"')


# World scale ---------------------------------------------------------------------------------------


def _measured(client, url: str) -> tuple[int, int]:
    """(queries, bytes) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body = response.getvalue()
    return len(queries), len(body)


MAP_URLS = [
    MAP,
    MAP + "?ownership=municipal&page=2",
    POINTS,
    POINTS + "?q=skola",
    PLACE + "?lat=56.94900&lng=24.10600",
]


@pytest.mark.parametrize("url", MAP_URLS)
def test_map_queries_do_not_grow_with_the_number_of_schools(client, loaded_network, url):
    few, _ = _measured(client, url)
    add_schools(loaded_network, 3000)
    many, _ = _measured(client, url)
    assert many == few


def test_map_page_weighs_the_same_for_few_and_many_schools(client, loaded_network):
    add_schools(loaded_network, 3000)
    queries, page_bytes = _measured(client, MAP)
    assert len(list_items(client.get(MAP).content.decode())) == views.MAP_LIST_PAGE_SIZE
    assert page_bytes < 60_000
    # The points: a few bytes each (no names), one per point.
    _, points_bytes = _measured(client, POINTS)
    places = len(client.get(POINTS).json()["places"])
    assert places > 3000
    assert points_bytes / places < 32
