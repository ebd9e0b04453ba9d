"""The calendar's filters: one GET form for the month and the list views (it works without
JavaScript). Unknown values are reported on the form and otherwise ignored, as in the
directory. The lists of municipalities and schools are those of the chosen country (else the
site's default country), so that no page lists the schools of the whole world."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from asphub.activities.models import ActivityKind
from asphub.countries.models import Country, Subdivision
from asphub.events.models import EventKind
from asphub.schools.filters import FastSelect, RenderedOptions, _attributes
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.schools.page_cache import current_version, memoized
from asphub.taxonomy.models import ThematicArea

ACTIVITIES = "activity"
EVENTS = "event"
DAYS = "day"
SOURCES = (ACTIVITIES, EVENTS, DAYS)
# The calendar's dates stay within these years (a month or a date outside is a typo).
FIRST_YEAR = 1953
LAST_YEAR = 2100


_kind_options_by_language: dict[str | None, GroupedOptions] = {}


def _kind_options(language: str | None) -> GroupedOptions:
    """The kinds' options in a language: the code's own labels, the same for the whole
    process."""
    found = _kind_options_by_language.get(language)
    if found is None:
        found = _kind_options_by_language[language] = GroupedOptions(kind_choices())
    return found


def kind_choices() -> list:
    """What the calendar shows, grouped: everything of one source, or one kind of it. The
    values name the source and the kind ("activity.project", "event.seminar"), since both
    sources have seminars."""
    return [
        ("", _("Everything")),
        (
            _("School activities"),
            [(ACTIVITIES, _("All school activities"))]
            + [(f"{ACTIVITIES}.{value}", label) for value, label in ActivityKind.choices],
        ),
        (
            _("Network events"),
            [(EVENTS, _("All network events"))]
            + [(f"{EVENTS}.{value}", label) for value, label in EventKind.choices],
        ),
        (DAYS, _("UNESCO international days")),
    ]


class GroupedOptions(BaseChoiceIterator):
    """An option list with groups (the kinds: of school activities, of network events) as
    text, each option's HTML written once, as RenderedOptions does for flat lists."""

    def __init__(self, choices: Iterable) -> None:
        pairs: list[tuple[str, str]] = []
        html: list[tuple[str | None, str, str]] = []  # (value or None for markup, start, end)
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                html.append((None, f'\n  <optgroup label="{conditional_escape(str(value))}">', ""))
                for option_value, option_label in label:
                    self._option(pairs, html, option_value, option_label)
                html.append((None, "\n  </optgroup>", ""))
            else:
                self._option(pairs, html, value, label)
        self.pairs = tuple(pairs)
        self.html = tuple(html)

    @staticmethod
    def _option(pairs, html, value, label) -> None:
        value, label = str(value), str(label)
        pairs.append((value, label))
        html.append(
            (
                value,
                f'\n  <option value="{conditional_escape(value)}"',
                f">{conditional_escape(label)}</option>\n",
            )
        )

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


class GroupedSelect(forms.Select):
    """Django's Select with option groups, rendered in Python: exactly the HTML of its
    templates (select.html, select_option.html, attrs.html), as FastSelect does for flat
    lists."""

    def render(self, name, value, attrs=None, renderer=None):
        options = self.choices
        if not isinstance(options, GroupedOptions):
            options = GroupedOptions(options)
        chosen = self.format_value(value)
        html = [f'<select name="{conditional_escape(name)}"']
        html.append(_attributes(self.build_attrs(self.attrs, attrs)) + ">")
        has_selected = False
        for option_value, start, end in options.html:
            if not has_selected and option_value is not None and option_value in chosen:
                has_selected = True
                html.append(start + " selected" + end)
            else:
                html.append(start + end)
        html.append("\n</select>")
        return mark_safe("".join(html))


@dataclass(frozen=True)
class CalendarFilters:
    """The valid filters of a request, as the selectors apply them."""

    source: str | None = None  # ACTIVITIES, EVENTS or DAYS; None: all of them
    kind: str | None = None  # a kind of that source
    theme: ThematicArea | None = None
    school: School | None = None
    municipality: Subdivision | None = None
    country: Country | None = None

    def shows(self, source: str) -> bool:
        if self.source not in (None, source):
            return False
        if source == ACTIVITIES:
            return True
        # Network events and international days have no school, municipality or theme: a
        # filter on one of these shows the schools' activities only.
        return self.theme is None and self.school is None and self.municipality is None


class CalendarFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("calendar filter", "What"), required=False, widget=GroupedSelect
    )
    theme = forms.ModelChoiceField(
        label=_("Thematic area"),
        queryset=ThematicArea.objects.order_by("position", "slug"),
        to_field_name="slug",
        required=False,
        empty_label=_("All themes"),
        widget=FastSelect,
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.filter(
            Exists(
                School.objects.filter(country=OuterRef("pk"), membership_status__in=PUBLIC_STATUSES)
            )
        ).order_by("name_en"),
        to_field_name="code",
        required=False,
        empty_label=_("All countries"),
        widget=FastSelect,
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Subdivision.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All municipalities"),
        widget=FastSelect,
    )
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All schools"),
        widget=FastSelect,
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        code = str((data.get("country") if data else None) or settings.ASPHUB_DEFAULT_COUNTRY)
        code = code[:2].upper()
        self.fields["municipality"].queryset = Subdivision.objects.filter(
            country__code=code
        ).order_by("sort_key")
        self.fields["school"].queryset = (
            School.objects.filter(country__code=code, membership_status__in=PUBLIC_STATUSES)
            .only("pk", "name", "slug", "sort_key")
            .order_by("sort_key", "id")
        )
        self._reuse_option_lists(code)

    def _reuse_option_lists(self, code: str) -> None:
        """The option lists as their HTML (RenderedOptions, GroupedOptions), built once per
        process and language: the countries, municipalities and schools under the
        directory's data version (their tables' triggers change it, see
        asphub.schools.page_cache), so a page joins some 500 options' pieces instead of
        rendering a template for each. Only the widgets get the lists; validation still
        looks values up in the fields' querysets. The thematic areas (three, in a table
        without a data version) are read on every page."""
        fields = self.fields
        language = get_language()
        version = current_version()
        for name, extra in (("country", ""), ("municipality", code), ("school", code)):
            field = fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.widget.choices = memoized(
                version,
                ("calendar-options", name, extra, language),
                functools.partial(RenderedOptions, field.choices),
            )
        fields["kind"].widget.choices = _kind_options(language)
        theme = fields["theme"]
        assert isinstance(theme, forms.ModelChoiceField)
        # As theme.choices gives them, from one plain query (the field's own choices read
        # through a server-side cursor on PostgreSQL: three statements).
        areas = theme.queryset if theme.queryset is not None else ThematicArea.objects.none()
        theme.widget.choices = RenderedOptions(
            [("", theme.empty_label)]
            + [(area.slug, theme.label_from_instance(area)) for area in areas]
        )

    def filters(self) -> CalendarFilters:
        """The filters that are valid (an invalid one is left out, and the form reports it)."""
        if not self.is_bound:
            return CalendarFilters()
        self.is_valid()
        cleaned = self.cleaned_data
        source, _dot, kind = (cleaned.get("kind") or "").partition(".")
        return CalendarFilters(
            source=source or None,
            kind=kind or None,
            theme=cleaned.get("theme"),
            school=cleaned.get("school"),
            municipality=cleaned.get("municipality"),
            country=cleaned.get("country"),
        )

    @property
    def has_values(self) -> bool:
        return bool(self.data) and any(self.data.get(name) for name in self.fields)


def _parse_month(value: str) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in value.split("-"))
    except ValueError:
        return None
    if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
        return year, month
    return None


class MonthField(forms.Field):
    """A month as YYYY-MM (the address /calendar/?month=2026-12; a browser's month picker)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"})
    default_error_messages = {
        "invalid": _("Give the month as year and month, for example 2026-12."),
    }

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        parsed = _parse_month(value[:20])
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(parsed[0], parsed[1], 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, datetime.date) else value


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)


def _in_range(value: datetime.date | None) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="out_of_range",
        )


# The list view's dates: without an end, a month from the start; at most a year.
DEFAULT_LIST_SPAN = datetime.timedelta(days=30)
MAX_LIST_SPAN = datetime.timedelta(days=366)


class DateRangeForm(forms.Form):
    """The list view's dates: what happens from one day (today, unless given) to another (a
    month later, unless given)."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end - start > MAX_LIST_SPAN:
            self.add_error(
                "end",
                forms.ValidationError(
                    _("Choose at most a year from the start."), code="span_too_long"
                ),
            )
        if start and end and end < start:
            self.add_error(
                "end",
                forms.ValidationError(_("The end is before the start."), code="end_before_start"),
            )
        return cleaned
