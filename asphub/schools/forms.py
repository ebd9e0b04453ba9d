"""Forms of the public directory's own requests (the filters are in filters.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MapPlaceForm(forms.Form):
    """One point of the map, as the map's script asks for the schools there: the coordinates
    exactly as the points list gave them (five decimals, as stored)."""

    lat = forms.DecimalField(
        label=_("latitude"), max_digits=8, decimal_places=5, min_value=-90, max_value=90
    )
    lng = forms.DecimalField(
        label=_("longitude"), max_digits=8, decimal_places=5, min_value=-180, max_value=180
    )
