"""The directory's caching (asphub.schools.page_cache): pages and option lists kept under the
data version, which database triggers change, and the Python-rendered selects. The rest of the
suite runs with ASPHUB_DIRECTORY_CACHE off."""

import pytest
from django import forms
from django.core.management.color import no_style
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test.utils import CaptureQueriesContext
from django_htmx.middleware import HtmxDetails

from asphub.accounts.models import User
from asphub.countries.models import Country, Subdivision
from asphub.schools import page_cache
from asphub.schools.filters import FastSelect, SchoolDirectoryFilter
from asphub.schools.models import DirectoryVersion, FlagshipParticipation, School
from asphub.schools.page_cache import anonymous_page_cache, data_version
from asphub.schools.selectors import school_directory
from asphub.taxonomy.models import FlagshipNetwork

from .factories import FlagshipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/schools/"


@pytest.fixture
def cached(settings):
    settings.ASPHUB_DIRECTORY_CACHE = True  # also empties the caches (setting_changed)


def rendered(response) -> bool:
    """Whether the view rendered a template for this response (a cached one renders none)."""
    return response.context is not None


def test_a_page_is_rendered_once_then_served_from_the_cache(client, latvia, cached):
    SchoolFactory(country=latvia, name="Cēsu Pilsētas vidusskola")
    first = client.get(DIRECTORY)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(DIRECTORY)
    assert rendered(first) and not rendered(again)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert len(queries) == 1  # the data version, nothing else


@pytest.mark.parametrize(
    "change",
    [
        "rename_school",
        "hide_school",
        "delete_school",
        "rename_subdivision",
        "rename_flagship",
        "join_flagship",
        "leave_flagship",
    ],
)
def test_any_change_to_what_the_pages_show_is_shown_at_once(client, latvia, cached, change):
    school = SchoolFactory(country=latvia, name="Talsu Valsts ģimnāzija")
    flagship = FlagshipFactory(name_lv="Baltijas jūras projekts", name_en="Baltic Sea Project")
    school.flagshipparticipation_set.create(flagship=flagship, since_year=1999)
    urls = [DIRECTORY, DIRECTORY + "?q=talsu", school.get_absolute_url()]
    before = {url: client.get(url).content.decode() for url in urls}
    if change == "rename_school":
        school.name = "Talsu 2. vidusskola"
        school.save()
        expected = "Talsu 2. vidusskola"
    elif change == "hide_school":
        school.membership_status = "withdrawn"
        school.save()
        expected = None
    elif change == "delete_school":
        School.objects.filter(pk=school.pk).delete()
        expected = None
    elif change == "rename_subdivision":
        school.subdivision.name = "Talsu novads (jauns)"
        school.subdivision.save()
        expected = "Talsu novads (jauns)"
    elif change == "rename_flagship":
        flagship.name_lv = "Baltijas jūras tīkls"
        flagship.save()
        expected = "Baltijas jūras tīkls"
    elif change == "join_flagship":
        other = FlagshipFactory(name_lv="Smilšu sardze", name_en="Sandwatch")
        school.flagship_networks.add(other)
        expected = "Smilšu sardze"
    else:
        school.flagshipparticipation_set.all().delete()
        expected = "Baltijas"
    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        assert rendered(response) or response.status_code == 404, url
        if change in ("hide_school", "delete_school"):
            assert "Talsu Valsts ģimnāzija" not in body, url
        elif change == "leave_flagship":
            assert body != before[url], url
            if url != DIRECTORY + "?q=talsu":
                assert expected not in body.split('id="results"')[-1], url
        elif url != DIRECTORY + "?q=talsu" or change != "rename_school":
            assert expected in body, url


def test_country_list_follows_new_countries(client, latvia, cached):
    SchoolFactory(country=latvia)
    assert 'value="EE"' not in client.get(DIRECTORY).content.decode()
    estonia = Country.objects.create(code="EE", name_lv="Igaunija", name_en="Estonia")
    SchoolFactory(country=estonia, subdivision=None, name="Tallinna Reaalkool", slug="tallinn")
    assert 'value="EE">Igaunija<' in client.get(DIRECTORY).content.decode()


def test_language_and_htmx_fragment_are_kept_apart(client, latvia, cached):
    SchoolFactory(country=latvia)
    full_lv = client.get(DIRECTORY).content.decode()
    full_en = client.get("/en" + DIRECTORY).content.decode()
    fragment = client.get(DIRECTORY, headers={"HX-Request": "true"}).content.decode()
    assert 'lang="lv"' in full_lv and 'lang="en"' in full_en
    assert "<html" not in fragment and 'id="results"' in fragment
    assert client.get(DIRECTORY).content.decode() == full_lv
    assert client.get(DIRECTORY, headers={"HX-Request": "true"}).content.decode() == fragment


def test_query_string_is_part_of_the_key(client, latvia, cached, settings):
    settings.ASPHUB_DIRECTORY_PAGE_SIZE = 1
    SchoolFactory(country=latvia, name="Alsungas vidusskola", slug="a")
    SchoolFactory(country=latvia, name="Brocēnu vidusskola", slug="b")
    assert "Alsungas" in client.get(DIRECTORY, {"page": 1}).content.decode()
    assert "Brocēnu" in client.get(DIRECTORY, {"page": 2}).content.decode()
    assert "Brocēnu" in client.get(DIRECTORY, {"q": "brocenu"}).content.decode()
    assert "Alsungas" in client.get(DIRECTORY, {"q": "alsungas"}).content.decode()


def test_signed_in_people_always_get_a_fresh_page(client, latvia, cached):
    SchoolFactory(country=latvia)
    staff = User.objects.create_user("staff@example.org", "x" * 14, is_staff=True)
    client.get(DIRECTORY)  # kept for anonymous visitors
    client.force_login(staff)
    response = client.get(DIRECTORY)
    assert rendered(response)
    assert "/admin/" in response.content.decode()


def test_not_found_is_not_kept(client, latvia, cached):
    assert client.get("/schools/no-such-school/").status_code == 404
    school = SchoolFactory(country=latvia, slug="no-such-school")
    assert client.get("/schools/no-such-school/").status_code == 200
    assert school.name in client.get("/schools/no-such-school/").content.decode()


def test_version_is_a_new_random_token_on_every_change(latvia):
    DirectoryVersion.objects.all().delete()
    assert data_version() == ""
    school = SchoolFactory(country=latvia)
    first = data_version()
    School.objects.filter(pk=school.pk).update(name="Jauns nosaukums")
    second = data_version()
    assert first and second and first != second
    assert DirectoryVersion.objects.count() == 1


def test_a_page_with_the_visitors_own_csrf_token_is_not_kept(rf, cached):
    """A cached view must render with page_cache.render; one that puts the visitor's own CSRF
    token in the page anyway is not kept for the next visitor."""

    @anonymous_page_cache
    def view(request):
        return HttpResponse(f"token {get_token(request)}")

    def visit() -> str:
        request = rf.get("/own-token/")
        request.htmx = HtmxDetails(request)
        CsrfViewMiddleware(view).process_request(request)
        return view(request).content.decode()

    assert visit() != visit()


def test_option_lists_are_reused_until_the_data_changes(rf, latvia, cached):
    SchoolFactory(country=latvia)

    def form_queries() -> int:
        request = rf.get(DIRECTORY)
        with CaptureQueriesContext(connection) as queries:
            school_filter = SchoolDirectoryFilter(
                None, queryset=school_directory(), request=request
            )
            str(school_filter.form["country"]), str(school_filter.form["municipality"])
        return len(queries)

    first = form_queries()
    assert form_queries() == 1  # the version only
    SchoolFactory(country=latvia, name="Jauna skola", slug="jauna-skola")
    assert form_queries() == first


class _Form(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "—"), ("a&b", "A & <b>"), ("x", "X")], required=False, widget=forms.Select
    )
    fast = forms.ChoiceField(
        choices=[("", "—"), ("a&b", "A & <b>"), ("x", "X")], required=False, widget=FastSelect
    )


@pytest.mark.parametrize(
    "data", [None, {}, {"plain": "x", "fast": "x"}, {"plain": "?", "fast": "?"}]
)
def test_fast_select_renders_exactly_what_django_renders(data):
    form = _Form(data)
    if data is not None:
        form.is_valid()
    plain = str(form["plain"]).replace("plain", "FIELD")
    fast = str(form["fast"]).replace("fast", "FIELD")
    assert fast == plain


@pytest.mark.parametrize("cache", [False, True])
def test_directory_filters_render_as_with_django_widgets(rf, latvia, settings, cache):
    settings.ASPHUB_DIRECTORY_CACHE = cache
    SchoolFactory(country=latvia)
    for params in ({}, {"country": "LV", "institution_type": "secondary"}, {"status": "bogus"}):
        school_filter = SchoolDirectoryFilter(
            params or None, queryset=school_directory(), request=rf.get(DIRECTORY, params)
        )
        school_filter.form.is_valid()
        for bound in school_filter.form:
            widget = bound.field.widget
            if isinstance(widget, FastSelect):
                django_select = forms.Select(attrs=widget.attrs, choices=widget.choices)
                assert bound.as_widget() == bound.as_widget(widget=django_select), bound.name


# Every way of writing to the tables the cached pages read must show at once: the data version
# is changed by database triggers, so writes that send no model signals count too.

OLD_NAME = "Talsu Valsts ģimnāzija"
NEW_NAME = "Kurzemes jūras ģimnāzija"
FLAGSHIP = "Baltijas jūras projekts"


@pytest.fixture
def shown(client, latvia, cached):
    """A school in a flagship network, with its directory page and profile kept in the cache."""
    school = SchoolFactory(country=latvia, name=OLD_NAME)
    flagship = FlagshipFactory(name_lv=FLAGSHIP, name_en="Baltic Sea Project")
    school.flagshipparticipation_set.create(flagship=flagship, since_year=1999)
    pages = {"list": DIRECTORY, "profile": school.get_absolute_url()}
    for url in pages.values():
        assert rendered(client.get(url)), url
        assert not rendered(client.get(url)), url  # now served from the cache
    return school, flagship, pages


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rename_by_save(school, flagship):
    school.name = NEW_NAME
    school.save()


def _rename_by_update(school, flagship):
    School.objects.filter(pk=school.pk).update(name=NEW_NAME)


def _rename_by_raw_sql(school, flagship):
    _raw(f"UPDATE {_table(School)} SET name = %s WHERE id = %s", [NEW_NAME, school.pk])


def _add_by_bulk_create(school, flagship):
    School.objects.bulk_create(
        [
            School(
                country=school.country,
                subdivision=school.subdivision,
                name=NEW_NAME,
                slug="kurzemes-juras-gimnazija",
                institution_type=school.institution_type,
                membership_status=school.membership_status,
            )
        ]
    )


def _delete(school, flagship):
    School.objects.filter(pk=school.pk).delete()


def _join_by_m2m_add(school, flagship):
    school.flagship_networks.add(FlagshipFactory(name_lv=NEW_NAME, name_en="Sea Schools"))


def _join_by_bulk_create(school, flagship):
    [other] = FlagshipNetwork.objects.bulk_create(
        [FlagshipNetwork(slug="sea-schools", name_lv=NEW_NAME, name_en="Sea Schools")]
    )
    FlagshipParticipation.objects.bulk_create(
        [FlagshipParticipation(school=school, flagship=other)]
    )


def _leave_by_raw_sql(school, flagship):
    _raw(f"DELETE FROM {_table(FlagshipParticipation)} WHERE school_id = %s", [school.pk])


def _rename_country_by_update(school, flagship):
    Country.objects.filter(pk=school.country_id).update(name_lv=NEW_NAME)


def _rename_flagship_by_update(school, flagship):
    FlagshipNetwork.objects.filter(pk=flagship.pk).update(name_lv=NEW_NAME)


def _rename_subdivision_by_bulk_update(school, flagship):
    subdivision = school.subdivision
    subdivision.name = NEW_NAME
    Subdivision.objects.bulk_update([subdivision], ["name"])


def _empty_by_flush(school, flagship):
    # What `manage.py flush` and TransactionTestCase run: TRUNCATE on PostgreSQL, which refuses
    # to run while this test's rows still await their deferred foreign key checks.
    connection.check_constraints()
    tables = [School._meta.db_table, FlagshipParticipation._meta.db_table]
    for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
        _raw(statement, [])


@pytest.mark.parametrize(
    "change, present, absent",
    [
        pytest.param(change, present, absent, id=change.__name__.lstrip("_"))
        for change, present, absent in [
            (_rename_by_save, NEW_NAME, OLD_NAME),
            (_rename_by_update, NEW_NAME, OLD_NAME),
            (_rename_by_raw_sql, NEW_NAME, OLD_NAME),
            (_add_by_bulk_create, {"list": NEW_NAME}, None),
            (_delete, None, OLD_NAME),
            (_join_by_m2m_add, NEW_NAME, None),
            (_join_by_bulk_create, NEW_NAME, None),
            (_leave_by_raw_sql, None, FLAGSHIP),
            (_rename_country_by_update, NEW_NAME, None),
            (_rename_flagship_by_update, NEW_NAME, FLAGSHIP),
            (_rename_subdivision_by_bulk_update, NEW_NAME, None),
            (_empty_by_flush, None, OLD_NAME),
        ]
    ],
)
def test_every_write_path_shows_on_cached_pages_at_once(client, shown, change, present, absent):
    school, flagship, pages = shown
    change(school, flagship)
    for page, url in pages.items():
        body = client.get(url).content.decode()
        expected = present.get(page) if isinstance(present, dict) else present
        if expected:
            assert expected in body, page
        if absent:
            # The filters list every flagship network, shown or not: look at the results only.
            assert absent not in body.split('id="results"')[-1], page


def _triggered(connection) -> set[tuple[str, str]]:
    """(table, event) of each trigger that writes the data version, from the database catalog."""
    version = DirectoryVersion._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                "WHERE action_statement LIKE %s",
                ["%schools_directory_changed%"],
            )
            return set(cursor.fetchall())
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {
            (table, event)
            for table, sql in cursor.fetchall()
            for event in ("INSERT", "UPDATE", "DELETE")
            if f"AFTER {event} ON" in sql and version in sql
        }


def test_every_table_the_pages_read_has_its_triggers():
    """On SQLite a migration that rebuilds a table (to add a NOT NULL column, say) drops its
    triggers: it must create them again (see schools/migrations/0003)."""
    tables = [School, FlagshipParticipation, Country, Subdivision, FlagshipNetwork]
    expected = {
        (model._meta.db_table, event)
        for model in tables
        for event in ("INSERT", "UPDATE", "DELETE")
    }
    assert expected <= _triggered(connection)


def test_made_up_filter_values_do_not_grow_the_memo_without_end():
    for n in range(page_cache.MEMO_MAX_ENTRIES * 3):
        page_cache.memoized("a-version", ("made-up", n), lambda value=n: value)
    assert len(page_cache._memo[1]) <= page_cache.MEMO_MAX_ENTRIES
