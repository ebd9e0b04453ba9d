"""What every page shows of the national network it speaks for (the footer's contact)."""

from django import template

from asphub.countries.models import Country
from asphub.countries.selectors import network_country as _network_country

register = template.Library()


@register.simple_tag
def network_country() -> Country | None:
    return _network_country()
