"""Fixtures shared by every app's tests."""

from io import StringIO

import pytest

from asphub.countries.models import Country
from asphub.countries.services import subdivisions_load_iso


@pytest.fixture
def latvia(db) -> Country:
    country, _ = Country.objects.get_or_create(
        code="LV",
        defaults={"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True},
    )
    subdivisions_load_iso(country)
    return country


@pytest.fixture
def estonia(db) -> Country:
    """A second country, for everything that must stay inside one country's scope."""
    country, _ = Country.objects.get_or_create(
        code="EE", defaults={"name_lv": "Igaunija", "name_en": "Estonia"}
    )
    return country


@pytest.fixture(autouse=True)
def fresh_cache():
    """allauth keeps its rate limits and the two-factor codes already used in the default
    cache, which outlives each test: every test starts with it empty."""
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def loaded_network(db):
    """The whole Latvian network as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_network", stdout=StringIO())
    return Country.objects.get(code="LV")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, whatever the previous one requested."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
