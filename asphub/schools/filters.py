"""The directory's filters. Unknown values are reported on the form and otherwise ignored."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import Country, Subdivision
from asphub.taxonomy.models import FlagshipNetwork

from .models import PUBLIC_STATUSES, InstitutionType, MembershipStatus, Ownership, School
from .selectors import school_search


class SchoolDirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"),
        method="search_name",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        max_length=100,
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        field_name="country",
        to_field_name="code",
        queryset=Country.objects.filter(schools__isnull=False).distinct(),
        empty_label=_("All countries"),
    )
    institution_type = django_filters.ChoiceFilter(
        label=_("Institution type"), choices=InstitutionType.choices, empty_label=_("All types")
    )
    ownership = django_filters.ChoiceFilter(
        label=_("Ownership"), choices=Ownership.choices, empty_label=_("Any ownership")
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        field_name="subdivision",
        to_field_name="code",
        queryset=Subdivision.objects.none(),
        empty_label=_("All municipalities"),
    )
    flagship = django_filters.ModelChoiceFilter(
        label=_("Flagship network"),
        field_name="flagship_networks",
        to_field_name="slug",
        queryset=FlagshipNetwork.objects.all(),
        empty_label=_("Any flagship network"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        field_name="membership_status",
        choices=[(s.value, s.label) for s in MembershipStatus if s in PUBLIC_STATUSES],
        empty_label=_("Any status"),
    )

    class Meta:
        model = School
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        code = (self.data.get("country") or settings.ASPHUB_DEFAULT_COUNTRY) if self.data else None
        code = code or settings.ASPHUB_DEFAULT_COUNTRY
        self.filters["municipality"].queryset = Subdivision.objects.filter(
            country__code=str(code)[:2]
        ).order_by("sort_key")

    def search_name(self, queryset, name, value):
        return school_search(queryset, value)

    @property
    def has_values(self) -> bool:
        return any(self.data.get(name) for name in self.filters) if self.data else False
