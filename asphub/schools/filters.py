"""The directory's filters. Unknown values are reported on the form and otherwise ignored."""

from __future__ import annotations

from functools import partial

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import Country, Subdivision
from asphub.taxonomy.models import FlagshipNetwork

from .models import PUBLIC_STATUSES, InstitutionType, MembershipStatus, Ownership, School
from .page_cache import current_version, memoized
from .selectors import school_search


def _attributes(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name.
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        html.append(" " + conditional_escape(name))
        if value is not True:
            html.append('="' + conditional_escape(str(value)) + '"')
    return "".join(html)


def _rendered(field: forms.ChoiceField) -> RenderedOptions:
    return RenderedOptions(field.choices)


class RenderedOptions(BaseChoiceIterator):
    """An option list as text, with the HTML of each option written once: the lists are
    memoized per data version (see SchoolDirectoryFilter._reuse_option_lists), so a page only
    joins the pieces, instead of escaping some 250 values and labels again on every request.
    Iterates as the (value, label) pairs of text it was made from. Raises ValueError for option
    groups, which FastSelect leaves to Django."""

    def __init__(self, choices):
        pairs = []
        html = []
        for option_value, option_label in choices:
            if isinstance(option_label, (list, tuple)):  # option groups: not used here
                raise ValueError("option groups")
            option_value = "" if option_value is None else str(option_value)
            # As {{ widget.label }} does: localized if not text (str() of a lazy translation
            # is what escaping it gives).
            if not isinstance(option_label, str):
                option_label = localize(option_label)
            option_label = str(option_label)
            pairs.append((option_value, option_label))
            html.append(
                (
                    option_value,
                    f'\n  <option value="{conditional_escape(option_value)}"',
                    f">{conditional_escape(option_label)}</option>\n",
                )
            )
        self.pairs = tuple(pairs)
        self.html = tuple(html)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


class FastSelect(forms.Select):
    """Django's Select, rendered in Python: exactly the HTML of its templates (select.html,
    select_option.html, attrs.html), without rendering a template for every option. The
    country list has one option per country with schools, and rendering those templates was
    most of the directory page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        options = self.choices
        if not isinstance(options, RenderedOptions):
            try:
                options = RenderedOptions(options)
            except ValueError:
                return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        html = [f'<select name="{conditional_escape(name)}"']
        html.append(_attributes(self.build_attrs(self.attrs, attrs)) + ">")
        has_selected = False
        for option_value, start, end in options.html:
            if not has_selected and option_value in chosen:
                has_selected = True
                html.append(start + " selected" + end)
            else:
                html.append(start + end)
        html.append("\n</select>")  # the form renderer strips the trailing newline
        return mark_safe("".join(html))


# (filter, search facet, attribute of the chosen object holding the facet's value)
_FACETS = (
    ("country", "country", "code"),
    ("municipality", "subdivision", "code"),
    ("institution_type", "institution_type", ""),
    ("ownership", "ownership", ""),
    ("status", "status", ""),
    ("flagship", "flagship", "slug"),
)


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
        # Countries that have schools in the directory, as one index lookup per country
        # (applicants do not count: they are not listed).
        queryset=Country.objects.filter(
            Exists(
                School.objects.filter(country=OuterRef("pk"), membership_status__in=PUBLIC_STATUSES)
            )
        ),
        empty_label=_("All countries"),
        widget=FastSelect,
    )
    institution_type = django_filters.ChoiceFilter(
        label=_("Institution type"),
        choices=InstitutionType.choices,
        empty_label=_("All types"),
        widget=FastSelect,
    )
    ownership = django_filters.ChoiceFilter(
        label=_("Ownership"),
        choices=Ownership.choices,
        empty_label=_("Any ownership"),
        widget=FastSelect,
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        field_name="subdivision",
        to_field_name="code",
        queryset=Subdivision.objects.none(),
        empty_label=_("All municipalities"),
        widget=FastSelect,
    )
    flagship = django_filters.ModelChoiceFilter(
        label=_("Flagship network"),
        field_name="flagship_networks",
        to_field_name="slug",
        queryset=FlagshipNetwork.objects.all(),
        empty_label=_("Any flagship network"),
        widget=FastSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("Membership status"),
        field_name="membership_status",
        choices=[(s.value, s.label) for s in MembershipStatus if s in PUBLIC_STATUSES],
        empty_label=_("Any status"),
        widget=FastSelect,
    )

    class Meta:
        model = School
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        code = (self.data.get("country") if self.data else None) or settings.ASPHUB_DEFAULT_COUNTRY
        self._municipality_country = str(code)[:2]
        self.filters["municipality"].queryset = Subdivision.objects.filter(
            country__code=self._municipality_country
        ).order_by("sort_key")

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            self._reuse_option_lists(form)
        return self._form

    def _reuse_option_lists(self, form) -> None:
        """The option lists change only with the directory's data (and the language): build
        each once per data version and language in this process, with its HTML
        (RenderedOptions), instead of querying and building them on every request. Correct
        with the page cache on or off: the version changes in the same statement as the data
        (database triggers, see page_cache). Only the widgets get the lists; validation still
        looks values up in the fields' querysets."""
        version = current_version()
        language = get_language()
        for name, extra in (
            ("country", ""),
            ("municipality", self._municipality_country),
            ("flagship", ""),
            ("institution_type", ""),
            ("ownership", ""),
            ("status", ""),
        ):
            field = form.fields[name]
            field.widget.choices = memoized(
                version, ("options", name, extra, language), partial(_rendered, field)
            )

    def search_name(self, queryset, name, value):
        return school_search(queryset, value)

    def search_arguments(self) -> tuple[str, dict[str, list[str]]]:
        """The query and the valid filters as the search engine's facets (documents of
        asphub.schools.models.SEARCH_KIND); values the form refused are left out, as `qs`
        leaves them out."""
        if not self.is_bound:
            return "", {}
        form = self.form
        form.is_valid()  # cleaned_data then holds the fields that are valid
        cleaned = form.cleaned_data
        facets: dict[str, list[str]] = {}
        for name, facet, attribute in _FACETS:
            value = cleaned.get(name)
            if value:
                facets[facet] = [getattr(value, attribute) if attribute else str(value)]
        return cleaned.get("q") or "", facets

    @property
    def has_values(self) -> bool:
        return any(self.data.get(name) for name in self.filters) if self.data else False
