"""Loading the network's shared vocabulary from the project's reference data file."""

from django.db import transaction

from asphub.countries.models import Country

from .models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)

REFERENCE_MODELS = {
    "thematic_areas": (ThematicArea, "slug"),
    "pillars": (Pillar, "slug"),
    "sdgs": (SustainableDevelopmentGoal, "number"),
    "international_days": (InternationalDay, "slug"),
    "flagship_networks": (FlagshipNetwork, "slug"),
    "countries": (Country, "code"),
}


@transaction.atomic
def reference_data_load(data: dict) -> dict[str, int]:
    """Create missing reference rows. Rows that exist keep their (possibly edited) values, so
    loading again never undoes a coordinator's correction. Returns created counts per kind."""
    created: dict[str, int] = {}
    for key, (model, natural_key) in REFERENCE_MODELS.items():
        created[key] = 0
        for item in data.get(key, []):
            values = dict(item)
            lookup = {natural_key: values.pop(natural_key)}
            if key == "countries":
                # ISO loading may have created the country already; the network's settings
                # are applied only until someone edits them (has_national_network still off).
                country, made = Country.objects.get_or_create(**lookup, defaults=values)
                if not made and not country.has_national_network:
                    for name, value in values.items():
                        setattr(country, name, value)
                    country.save()
                created[key] += int(made)
                continue
            _, made = model._default_manager.get_or_create(**lookup, defaults=values)
            created[key] += int(made)
    return created
