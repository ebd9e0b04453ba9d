"""The public directory in the platform's search engine (asphub.search, kind "school"): what
is indexed, that it stays current whatever changes a school, and that nothing but public
schools is ever in it. Runs on SQLite and on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asphub.audit.models import StandIn
from asphub.schools.models import (
    PUBLIC_STATUSES,
    SEARCH_KIND,
    FlagshipParticipation,
    MembershipAction,
    MembershipStatus,
    School,
    school_search_refresh,
)
from asphub.schools.profile_services import school_flagships_update, school_profile_update
from asphub.schools.services import school_status_change, schools_import
from asphub.search.models import SearchDocument
from asphub.search.selectors import search

from .factories import FlagshipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/schools/"


def indexed_ids() -> set[int]:
    return set(SearchDocument.objects.filter(kind=SEARCH_KIND).values_list("object_id", flat=True))


def found(query: str = "", **options) -> list[int]:
    return search(SEARCH_KIND, query=query, **options).ids


def names(response) -> list[str]:
    return [school.name for school in response.context["page"].object_list]


def test_only_public_schools_are_indexed(latvia):
    public = [SchoolFactory(country=latvia, membership_status=s) for s in PUBLIC_STATUSES]
    hidden = [
        SchoolFactory(country=latvia, membership_status=s)
        for s in MembershipStatus
        if s not in PUBLIC_STATUSES
    ]
    assert indexed_ids() == {school.pk for school in public}
    assert not indexed_ids() & {school.pk for school in hidden}


def test_a_document_holds_name_places_and_facets(latvia):
    flagship = FlagshipFactory(slug="baltic-sea-project")
    school = SchoolFactory(
        country=latvia,
        subdivision=latvia.subdivisions.get(code="LV-022"),
        name="Priekuļu vidusskola",
        settlement="Priekuļi",
        institution_type="secondary",
        ownership="municipal",
    )
    FlagshipParticipation.objects.create(school=school, flagship=flagship)
    for query in ("priekulu", "Priekuļos", "cesu novads", "latvija", "latvia", "vidusskolas"):
        assert found(query) == [school.pk], query
    result = search(
        SEARCH_KIND,
        facets=["country", "subdivision", "institution_type", "ownership", "status", "flagship"],
    )
    assert result.facets == {
        "country": [("LV", 1)],
        "subdivision": [("LV-022", 1)],
        "institution_type": [("secondary", 1)],
        "ownership": [("municipal", 1)],
        "status": [("member", 1)],
        "flagship": [("baltic-sea-project", 1)],
    }
    assert found(filters={"flagship": ["baltic-sea-project"], "country": ["LV"]}) == [school.pk]


def test_the_directory_search_uses_the_index(client, latvia):
    school = SchoolFactory(country=latvia, name="Cēsu Pilsētas vidusskola")
    SchoolFactory(country=latvia, name="Talsu Valsts ģimnāzija")
    SearchDocument.objects.filter(kind=SEARCH_KIND, object_id=school.pk).delete()
    assert names(client.get(DIRECTORY, {"q": "cesu"})) == []
    call_command("rebuild_search_index", stdout=None)
    assert names(client.get(DIRECTORY, {"q": "cesu"})) == ["Cēsu Pilsētas vidusskola"]


def test_rename_status_change_flagships_and_delete_keep_the_index_current(latvia):
    school = SchoolFactory(country=latvia, name="Alsungas vidusskola")
    school_profile_update(actor=StandIn.COMMAND_LINE, school=school, name="Alsungas ģimnāzija")
    assert found("alsungas gimnazija") == [school.pk]
    assert found("vidusskola") == []
    flagship = FlagshipFactory(slug="sandwatch")
    school_flagships_update(
        actor=StandIn.COMMAND_LINE, school=school, participations=[{"flagship": flagship}]
    )
    assert found(filters={"flagship": ["sandwatch"]}) == [school.pk]
    school_flagships_update(actor=StandIn.COMMAND_LINE, school=school, participations=[])
    assert found(filters={"flagship": ["sandwatch"]}) == []
    school_status_change(
        actor=StandIn.COMMAND_LINE,
        school=school,
        action=MembershipAction.MARK_DORMANT,
        reason="No report.",
    )
    assert found("alsungas") == [school.pk]
    school_status_change(
        actor=StandIn.COMMAND_LINE,
        school=school,
        action=MembershipAction.RECORD_WITHDRAWAL,
        reason="Closed.",
    )
    assert found("alsungas") == []
    other = SchoolFactory(country=latvia, name="Brocēnu vidusskola")
    other.delete()
    assert found("brocenu") == []


def test_writes_that_skip_save_still_never_leave_a_hidden_school_in_the_index(latvia):
    shown = SchoolFactory(country=latvia, name="Dagdas vidusskola")
    gone = SchoolFactory(country=latvia, name="Auces vidusskola")
    assert indexed_ids() == {shown.pk, gone.pk}
    School.objects.filter(pk=shown.pk).update(membership_status=MembershipStatus.EXCLUDED)
    School.objects.filter(pk=gone.pk).delete()
    assert indexed_ids() == set()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE schools_school SET membership_status = 'member' WHERE id = %s", [shown.pk]
        )
    # Becoming public needs the analyzer: not done by the database; the rebuild does it.
    assert indexed_ids() == set()
    call_command("rebuild_search_index", "--kind", "school", stdout=None)
    assert indexed_ids() == {shown.pk}


CSV = (
    "name,institution_type,ownership,municipality_code,settlement,membership_status\n"
    "Kandavas Kārļa Mīlenbaha vidusskola,secondary,municipal,LV-099,Kandava,member\n"
    "Engures pamatskola,basic,municipal,LV-099,Engure,candidate\n"
    "Tukuma pieteikuma skola,basic,municipal,LV-099,Tukums,submitted\n"
)


def test_an_import_indexes_the_public_schools_it_creates(latvia):
    schools_import(
        actor=StandIn.COMMAND_LINE, country=latvia, content=CSV.encode(), update_existing=False
    )
    kandava = School.objects.get(name__startswith="Kandavas")
    engure = School.objects.get(name="Engures pamatskola")
    assert indexed_ids() == {kandava.pk, engure.pk}
    assert found("milenbaha") == [kandava.pk]
    assert set(found("tukuma novads")) == {kandava.pk, engure.pk}


def test_the_loaded_network_is_indexed(loaded_network):
    public = set(
        School.objects.filter(membership_status__in=PUBLIC_STATUSES).values_list("pk", flat=True)
    )
    assert public and indexed_ids() == public


def test_directory_search_queries_do_not_grow_with_the_number_of_schools(
    client, latvia, django_assert_max_num_queries
):
    def count(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [
        DIRECTORY + "?q=skola",
        DIRECTORY + "?q=rigas+skola&institution_type=secondary",
        DIRECTORY + '?q="skola+numur"',
    ]
    for n in range(10):
        SchoolFactory(country=latvia, name=f"Rīgas skola numur {n}")
    small = [count(url) for url in urls]
    schools = [
        School(
            country=latvia,
            name=f"Rīgas skola numur {n}",
            slug=f"rigas-skola-numur-{n}",
            institution_type="secondary",
            membership_status="member",
        )
        for n in range(10, 1000)
    ]
    for school in schools:
        school.refresh_derived_fields()
    created = School.objects.bulk_create(schools)
    school_search_refresh([school.pk for school in created])
    assert search(SEARCH_KIND, query="skola").total == 1000
    for url, before in zip(urls, small, strict=True):
        client.get(url)  # as in the small phase: the option lists are built once per version
        with django_assert_max_num_queries(before):
            assert client.get(url).context["page"].paginator.count > 900
