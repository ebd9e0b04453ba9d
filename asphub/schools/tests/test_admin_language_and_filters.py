"""The administration, where staff still need it: it is asphub's, speaks correct Latvian, and
its school list filters by the countries that have schools, not by every country of the world.
(The Latvian wording comes from locale/lv, compiled by `make test` before the suite.)"""

import re

import pytest

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.countries.models import Country
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db

SCHOOLS = "/admin/schools/school/"


def signed_in(client, role, **scope):
    person = person_with(role, **scope)
    enrol_authenticator(person)
    client.force_login(person)
    return person


def text_of(response) -> str:
    html = re.sub(
        r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(), flags=re.S
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def schools(latvia, estonia):
    SchoolFactory(country=latvia, name="Ozolu pamatskola")
    SchoolFactory(country=estonia, name="Tallinna Kesklinna Kool")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_administration_is_asphubs_not_djangos(client, schools, prefix):
    signed_in(client, Role.ADMINISTRATOR)
    for url in ["/admin/", SCHOOLS, f"{SCHOOLS}add/"]:
        text = text_of(client.get(prefix + url))
        assert "asphub" in text, url
        assert "Django" not in text, url


def test_the_latvian_administration_fits_the_names_into_its_sentences(client, schools):
    signed_in(client, Role.ADMINISTRATOR)
    changelist = text_of(client.get(SCHOOLS))
    add = text_of(client.get(f"{SCHOOLS}add/"))
    index = text_of(client.get("/admin/"))
    # Django's own Latvian says "Pievienot skola" and "Atlasīt skola, lai izmainītu" (the name in
    # the nominative where the sentence needs another case) and "2 skolas" for any count.
    for wrong in ["Pievienot skola", "Atlasīt skola", "Labot skola", "Pievienot saiti", "2 skolas"]:
        assert wrong not in changelist + add + index, wrong
    assert "Izvēlieties, ko labot: skola" in changelist
    assert "Pievienot: skola" in changelist
    assert "2 ieraksti" in changelist
    assert "asphub administrēšana" in index
    # The sign-in records' app and models have Latvian names too.
    assert "Ieiešanas aizsardzība" in index
    assert "Access attempts" not in index


def test_the_school_list_filters_by_the_countries_that_have_schools(client, schools):
    assert Country.objects.count() == 2  # the test's; the platform loads all 249
    Country.objects.create(code="FI", name_lv="Somija", name_en="Finland")
    signed_in(client, Role.ADMINISTRATOR)
    response = client.get(SCHOOLS)
    [country_filter] = [spec for spec in response.context["cl"].filter_specs
                        if getattr(spec, "parameter_name", "") == "country"]  # fmt: skip
    assert [label for _code, label in country_filter.lookup_choices] == ["Igaunija", "Latvija"]
    assert "Somija" not in response.content.decode()
    estonian = client.get(SCHOOLS, {"country": "EE"})
    assert [s.name for s in estonian.context["cl"].result_list] == ["Tallinna Kesklinna Kool"]


def test_a_national_coordinator_is_offered_no_country_filter_for_one_country(
    client, schools, latvia
):
    signed_in(client, Role.NATIONAL_COORDINATOR, country=latvia)
    response = client.get(SCHOOLS)
    assert [s.name for s in response.context["cl"].result_list] == ["Ozolu pamatskola"]
    assert all(getattr(spec, "parameter_name", "") != "country" or not spec.has_output()
               for spec in response.context["cl"].filter_specs)  # fmt: skip
    assert "Igaunija" not in text_of(response)
