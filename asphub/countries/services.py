"""Loading countries and their subdivisions from ISO 3166 (pycountry)."""

import gettext

import pycountry
from django.db import transaction

from .models import Country, Subdivision


def _latvian_names() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["lv"])
    except OSError:
        return gettext.NullTranslations()


@transaction.atomic
def countries_load_iso() -> int:
    """Create every ISO 3166-1 country that is missing; existing rows (and their settings,
    which coordinators may have edited) are left as they are. Returns how many were created."""
    latvian = _latvian_names()
    existing = set(Country.objects.values_list("code", flat=True))
    missing = [
        Country(
            code=country.alpha_2,
            name_en=getattr(country, "common_name", None) or country.name,
            name_lv=latvian.gettext(country.name),
        )
        for country in pycountry.countries
        if country.alpha_2 not in existing
    ]
    Country.objects.bulk_create(missing)
    return len(missing)


def _subdivision_name(country_code: str, name: str) -> str:
    # pycountry capitalises "Novads" in a few Latvian names; Latvian writes it in lower case.
    if country_code == "LV":
        return name.replace(" Novads", " novads")
    return name


@transaction.atomic
def subdivisions_load_iso(country: Country) -> int:
    """Create the country's missing ISO 3166-2 subdivisions (every level, since schools are
    placed by municipality and some countries list municipalities under counties)."""
    existing = set(country.subdivisions.values_list("code", flat=True))
    created = 0
    for item in pycountry.subdivisions.get(country_code=country.code) or []:
        if item.code in existing:
            continue
        Subdivision.objects.create(
            country=country,
            code=item.code,
            name=_subdivision_name(country.code, item.name),
            kind=item.type,
        )
        created += 1
    return created
