"""Fixtures of the roles tests."""

import pytest

from asphub.countries.models import Country
from asphub.schools.tests.factories import CountryFactory


@pytest.fixture
def latvia(db) -> Country:
    """Latvia without its municipalities: nothing about roles depends on them, and loading
    them (the root fixture's Latvia) costs every test that asks for a school."""
    return CountryFactory(code="LV", name_lv="Latvija", name_en="Latvia")
