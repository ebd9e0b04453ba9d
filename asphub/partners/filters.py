"""The filters of the partner list: a GET form that works without JavaScript. Within one filter
any chosen value matches (a school working in Latvian or English); filters combine (and).
Unknown values are reported on the form and otherwise ignored."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import Country
from asphub.practices.models import ContentLanguage, EducationLevel
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.taxonomy.models import ThematicArea

from .models import PartnerSearch, PartnerSearchLanguage, PartnerSearchLevel
from .selectors import countries_by_name


class PartnerSearchFilter(django_filters.FilterSet):
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Themes"),
        queryset=ThematicArea.objects.order_by("position", "slug"),
        to_field_name="slug",
        method="filter_theme",
        widget=forms.CheckboxSelectMultiple,
    )
    level = django_filters.MultipleChoiceFilter(
        label=_("Education levels"),
        choices=EducationLevel.choices,
        method="filter_level",
        widget=forms.CheckboxSelectMultiple,
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Languages"),
        choices=ContentLanguage.choices,
        method="filter_language",
        widget=forms.CheckboxSelectMultiple,
    )
    country = django_filters.ModelChoiceFilter(
        label=_("The school's country"),
        field_name="school__country",
        to_field_name="code",
        # Countries with schools in the network (one index lookup per country).
        queryset=Country.objects.filter(
            Exists(
                School.objects.filter(country=OuterRef("pk"), membership_status__in=PUBLIC_STATUSES)
            )
        ).order_by("name_en"),
        empty_label=_("All countries"),
    )
    partners_from = django_filters.ModelChoiceFilter(
        label=_("Looking for partners from"),
        to_field_name="code",
        queryset=Country.objects.order_by("name_en"),
        method="filter_partners_from",
        empty_label=_("Any country"),
        help_text=_("Schools that welcome partners from this country (or from any country)."),
    )

    class Meta:
        model = PartnerSearch
        fields: list[str] = []

    def filter_theme(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Exists(
                PartnerSearch.themes.through.objects.filter(
                    partnersearch_id=OuterRef("pk"), thematicarea__in=value
                )
            )
        )

    def filter_level(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Exists(PartnerSearchLevel.objects.filter(search=OuterRef("pk"), level__in=value))
        )

    def filter_language(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Exists(PartnerSearchLanguage.objects.filter(search=OuterRef("pk"), language__in=value))
        )

    def filter_partners_from(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        countries = PartnerSearch.countries.through.objects.filter(partnersearch_id=OuterRef("pk"))
        # No country chosen: partners from any country are welcome.
        return queryset.filter(Q(Exists(countries.filter(country=value))) | ~Q(Exists(countries)))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The country lists in the reader's alphabetical order (the querysets still validate).
        for name in ("country", "partners_from"):
            field = self.form.fields[name]
            field.widget.choices = [("", field.empty_label)] + [
                (country.code, country.name) for country in countries_by_name(field.queryset)
            ]

    @property
    def has_values(self) -> bool:
        return any(self.data.get(name) for name in self.filters) if self.data else False
