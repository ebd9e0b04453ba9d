"""Writing the editable public pages."""

from django.db import transaction

from asphub.countries.models import Country

from .models import Page


@transaction.atomic
def pages_load_defaults(*, country: Country, pages: list[dict]) -> int:
    """Create the national network's pages that do not exist yet; edited pages stay as they are."""
    created = 0
    for item in pages:
        values = dict(item)
        slug = values.pop("slug")
        _, made = Page.objects.get_or_create(country=country, slug=slug, defaults=values)
        created += int(made)
    return created
