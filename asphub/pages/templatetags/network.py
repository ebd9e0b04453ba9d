"""What every page shows of the national network it speaks for (the footer's contact)."""

from django import template
from django.conf import settings

from asphub.countries.models import Country
from asphub.countries.selectors import network_country as _network_country
from asphub.schools.page_cache import current_version, memoized

register = template.Library()


@register.simple_tag
def network_country() -> Country | None:
    # Kept per data version (the page cache's triggers cover the countries table): every page
    # shows it, and reading it was a tenth of an uncached catalogue page.
    code = settings.ASPHUB_DEFAULT_COUNTRY
    return memoized(current_version(), ("network_country", code), lambda: _network_country(code))
