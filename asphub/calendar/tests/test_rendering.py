"""The month grid, the items and the filters' selects written in Python (rendering.py,
filters.GroupedSelect) against the template markup they replace, rendered by Django's template
engine from the same objects: the same HTML (up to white space between tags), escaped the
same, translated the same, in both languages."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from asphub.calendar.filters import CalendarFilterForm, GroupedSelect, kind_choices
from asphub.calendar.rendering import Writer
from asphub.calendar.selectors import CalendarItem, DayCell, MonthView
from asphub.practices.tests.factories import InternationalDayFactory

RIGA = ZoneInfo("Europe/Riga")

# An item as templates/calendar/_item.html writes it (the reference), in its <li> as the month
# and list templates wrapped it; the weeks as month.html's loop wrote them before rendering.py.
ITEM = (
    '{% load i18n %}<li class="calendar-item calendar-{{ item.source }}{% if item.cancelled %}'
    ' is-cancelled{% endif %}">{% include "calendar/_item.html" %}</li>'
)
WEEKS = (
    "{% load i18n %}{% for week in view.weeks %}<tr>"
    '{% for cell in week %}{% if cell.in_month %}<td class="calendar-day{% if cell.date == today %}'
    ' today{% endif %}"{% if cell.date == today %} aria-current="date"{% endif %}>'
    '<a class="day-number" href="{{ list_url }}?{% if filter_query %}{{ filter_query }}&amp;'
    "{% endif %}start={{ cell.date|date:'Y-m-d' }}&amp;end={{ cell.date|date:'Y-m-d' }}\" "
    "aria-label=\"{{ cell.date|date:'DATE_FORMAT' }}\">{{ cell.date.day }}</a>"
    '<span class="day-name" aria-hidden="true">{{ cell.date|date:"l" }}</span>'
    '{% for day in cell.international_days %}<p class="international-day"><span lang="'
    '{{ day.name.language }}">{{ day.name }}</span></p>{% endfor %}'
    '{% if cell.items %}<ul class="calendar-items">{% for item in cell.items %}ITEM{% endfor %}'
    "</ul>{% endif %}"
    '{% if cell.more %}<a class="calendar-more" href="{{ list_url }}?{% if filter_query %}'
    "{{ filter_query }}&amp;{% endif %}start={{ cell.date|date:'Y-m-d' }}&amp;end="
    "{{ cell.date|date:'Y-m-d' }}\">{% blocktranslate trimmed count counter=cell.more %}"
    "+{{ counter }} more{% plural %}+{{ counter }} more{% endblocktranslate %}</a>{% endif %}"
    '</td>{% else %}<td class="calendar-day outside"><span class="day-number">'
    "{{ cell.date.day }}</span></td>{% endif %}{% endfor %}</tr>{% endfor %}"
).replace("ITEM", ITEM.removeprefix("{% load i18n %}"))


def _same(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def _items() -> list[CalendarItem]:
    starts_at = datetime.datetime(2026, 12, 3, 9, 30, tzinfo=RIGA)
    return [
        CalendarItem("activity", 7, 'Ūdens <b>"nedēļa"</b> & co', "lv", "project", "projekts",
                     datetime.date(2026, 12, 2), datetime.date(2026, 12, 2), "Ozolu <skola>",
                     "/activities/7/", False),
        CalendarItem("activity", 8, "Water's week", "en", "campaign_week", "kampaņas nedēļa",
                     datetime.date(2026, 11, 28), datetime.date(2027, 1, 4), "O'Brien School",
                     "/activities/8/", True),
        CalendarItem("event", 9, "Seminārs", "lv", "seminar", "seminārs",
                     datetime.date(2026, 12, 3), datetime.date(2026, 12, 4), "Latvija",
                     "/events/9/", True, cancelled=True, starts_at=starts_at),
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_items_are_the_templates_markup(language):
    with translation.override(language):
        writer = Writer()
        for item in _items():
            expected = Template(ITEM).render(Context({"item": item}))
            assert _same(writer.item(item)) == _same(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("filter_query", ["", "kind=activity&country=LV&q=%3Cx%3E"])
def test_the_weeks_are_the_templates_markup(language, filter_query):
    international_day = InternationalDayFactory(month=12, day=10, name_en="Human <Rights> Day")
    items = _items()
    first = datetime.date(2026, 12, 1)
    weeks = []
    day = datetime.date(2026, 11, 30)
    for _week in range(5):
        cells = []
        for _weekday in range(7):
            cell = DayCell(day, day.month == 12)
            if cell.in_month and day.day == 2:
                cell.items, cell.more = items[:2], 1
            if cell.in_month and day.day == 3:
                cell.items, cell.more = items[2:], 1234
            if cell.in_month and day.day == 10:
                cell.international_days = [international_day]
            cells.append(cell)
            day += datetime.timedelta(days=1)
        weeks.append(cells)
    view = MonthView(first, datetime.date(2026, 12, 31), weeks, [], 0)
    today = datetime.date(2026, 12, 3)
    with translation.override(language):
        written = Writer(list_url="/calendar/list/", filter_query=filter_query).weeks(view, today)
        expected = Template(WEEKS).render(
            Context(
                {
                    "view": view,
                    "today": today,
                    "list_url": "/calendar/list/",
                    "filter_query": filter_query,
                }
            )
        )
    assert _same(written) == _same(expected)
    assert "kind=activity&amp;country=LV" in written or not filter_query
    assert "<Rights>" not in written


@pytest.mark.parametrize("value", ["", "activity", "event.seminar", "day", "nonsense"])
def test_the_kinds_select_is_djangos(value):
    with translation.override("lv"):
        choices = kind_choices()
        attrs = {"id": "id_kind", "aria-invalid": True, "data-x": '"quoted"'}
        fast = GroupedSelect(choices=choices).render("kind", value, attrs)
        django = forms.Select(choices=choices).render("kind", value, attrs)
    assert fast == django


@pytest.mark.django_db
def test_the_filter_form_renders_as_with_djangos_widgets(school):
    data = {"kind": "activity.project", "country": "LV", "school": school.slug, "theme": "x"}
    fast = CalendarFilterForm(data)
    fast.is_valid()
    plain = CalendarFilterForm(data)
    plain.is_valid()
    for field in plain.fields.values():
        field.widget = forms.Select(choices=field.choices)
    for name in fast.fields:
        assert str(fast[name]) == str(plain[name]), name
