"""The directory's caching: pages and option lists kept under the data version, and the
Python-rendered selects. The rest of the suite runs with ASPHUB_DIRECTORY_CACHE off."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asphub.accounts.models import User
from asphub.countries.models import Country
from asphub.schools.filters import FastSelect, SchoolDirectoryFilter
from asphub.schools.models import DirectoryVersion, School
from asphub.schools.selectors import school_directory
from asphub.schools.versioning import directory_changed, directory_version

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
    assert directory_version() == ""
    directory_changed()
    first = directory_version()
    directory_changed()
    second = directory_version()
    assert first and second and first != second
    assert DirectoryVersion.objects.count() == 1


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
