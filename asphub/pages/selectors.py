"""Reads of the editable public pages."""

from django.conf import settings

from .models import Page


def page_for(slug: str, country_code: str | None = None) -> Page | None:
    """The page a national network publishes under this slug, or None if it has none yet."""
    code = country_code or settings.ASPHUB_DEFAULT_COUNTRY
    return Page.objects.filter(country__code=code, slug=slug).select_related("country").first()
