"""A country's time zone: its own from the tz database unless its settings name another."""

import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from asphub.countries.models import Country, default_time_zone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "zone"),
    [("LV", "Europe/Riga"), ("DE", "Europe/Berlin"), ("us", "America/New_York"),
     ("EE", "Europe/Tallinn")],
)  # fmt: skip
def test_each_country_starts_in_its_own_time_zone(code, zone):
    assert default_time_zone(code) == zone
    assert Country(code=code.upper()).zone == zoneinfo.ZoneInfo(zone)


def test_a_country_may_name_another_time_zone():
    country = Country(code="ES", name_lv="Spānija", name_en="Spain", time_zone="Atlantic/Canary")
    country.full_clean()
    assert country.zone == zoneinfo.ZoneInfo("Atlantic/Canary")


def test_an_unknown_time_zone_is_refused():
    country = Country(code="LV", name_lv="Latvija", name_en="Latvia", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as refused:
        country.full_clean(exclude=["code"])
    assert [e.code for e in refused.value.error_dict["time_zone"]] == ["unknown_time_zone"]
