"""The calendar's month grid and its items (an activity or a network event) as HTML, written
in Python: the month's 35 days and up to 130 items cost several times the rest of the page
through the template engine (an include, some fifteen variables and filters each), and the
catalogue of the library does the same for its rows (asphub.practices.views.public).

Every value is escaped with html.escape, the function Django's autoescaping uses, and every
text is translated with the same message ids the templates used (they stay in the
catalogues). An item's markup is templates/calendar/_item.html's, which stays as its
reference: test_rendering.py renders it with Django and compares, as it compares the weeks
with the template loop they replace. Change the template and this together."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from html import escape

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import time as format_time
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .selectors import CalendarItem, DayCell, MonthView


@functools.lru_cache(maxsize=4096)
def _formatted(day: datetime.date, format_string: str, language: str | None) -> str:
    """A date as the `date` filter writes it, escaped: the same few hundred dates in each
    language month after month, so they are formatted once in a process."""
    return escape(format_date(day, format_string))


class Writer:
    """Writes items and day cells; labels, formats and addresses are worked out once a page."""

    def __init__(self, *, list_url: str = "", filter_query: str = ""):
        self.language = get_language()
        self.cancelled = escape(gettext("cancelled"))
        self.network_only = escape(gettext("network only"))
        self.from_to = gettext("%(first)s–%(last)s")
        # As the templates write `{% url 'calendar:list' %}?{{ filter_query }}&amp;start=`.
        self.day_link = escape(f"{list_url}?" + (f"{filter_query}&" if filter_query else ""))

    def _date(self, day: datetime.date, format_string: str) -> str:
        return _formatted(day, format_string, self.language)

    def item(self, item: CalendarItem) -> str:
        """One item as `<li class="calendar-item ...">` with its link, kind, place, dates and
        badges."""
        meta = []
        if item.is_event:
            meta.append(escape(format_time(item.starts_at, "TIME_FORMAT")) + " · ")
        meta.append(f"{escape(item.kind_label)} · {escape(item.where)}")
        if item.several_days:
            dates = self.from_to % {
                "first": self._date(item.starts, "MONTH_DAY_FORMAT"),
                "last": self._date(item.ends, "MONTH_DAY_FORMAT"),
            }
            meta.append(f" · {dates}")
        badges = ""
        if item.cancelled:
            badges += f'<span class="badge badge-cancelled">{self.cancelled}</span>'
        if item.network_only:
            badges += f'<span class="badge badge-network">{self.network_only}</span>'
        return (
            f'<li class="calendar-item calendar-{escape(item.source)}'
            f'{" is-cancelled" if item.cancelled else ""}">'
            f'<a href="{escape(item.url)}" lang="{escape(item.language)}">'
            f"{escape(item.title)}</a>\n"
            f'<span class="calendar-meta">{"".join(meta)}</span>\n'
            f"{badges}\n</li>"
        )

    def items(self, items: Iterable[CalendarItem]) -> SafeString:
        return mark_safe("".join(self.item(item) for item in items))

    def _day_range(self, day: datetime.date) -> str:
        iso = day.isoformat()
        return f"{self.day_link}start={iso}&amp;end={iso}"

    def cell(self, cell: DayCell, today: datetime.date) -> str:
        if not cell.in_month:
            return (
                f'<td class="calendar-day outside"><span class="day-number">{cell.date.day}'
                "</span></td>"
            )
        day = cell.date
        opening = (
            '<td class="calendar-day today" aria-current="date">'
            if day == today
            else '<td class="calendar-day">'
        )
        html = [
            f"{opening}\n      "
            f'<a class="day-number" href="{self._day_range(day)}" '
            f'aria-label="{self._date(day, "DATE_FORMAT")}">{day.day}</a>'
            f'<span class="day-name" aria-hidden="true">{self._date(day, "l")}</span>\n      '
        ]
        for international_day in cell.international_days:
            name = international_day.name
            html.append(
                f'<p class="international-day"><span lang="{escape(name.language)}">'
                f"{escape(str(name))}</span></p>"
            )
        html.append("\n      ")
        if cell.items:
            html.append(f'<ul class="calendar-items">{self.items(cell.items)}</ul>')
        html.append("\n      ")
        if cell.more:
            more = ngettext("+%(counter)s more", "+%(counter)s more", cell.more) % {
                "counter": localize(cell.more)
            }
            html.append(
                f'<a class="calendar-more" href="{self._day_range(day)}">{escape(more)}</a>'
            )
        html.append("\n    </td>")
        return "".join(html)

    def weeks(self, view: MonthView, today: datetime.date) -> SafeString:
        """The month's rows (`<tr>` of seven `<td>`), Monday first."""
        return mark_safe(
            "\n  ".join(
                "<tr>\n    " + "".join(self.cell(cell, today) for cell in week) + "\n  </tr>"
                for week in view.weeks
            )
        )
