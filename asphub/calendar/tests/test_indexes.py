"""The calendar's statements can use the indexes made for them (activities/0003): each
statement the month view sends is explained by the database, on SQLite with EXPLAIN QUERY
PLAN, on PostgreSQL with EXPLAIN and sequential scans off (a table of a few rows is otherwise
rightly read whole), and the plan names the index. The expression index of the length classes
is used only when the query's expression is exactly the index's (LengthClass writes it without
parameters), which this checks on both databases."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asphub.activities.models import Activity
from asphub.calendar.filters import CalendarFilters
from asphub.calendar.selectors import calendar_month
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DEC = datetime.date(2026, 12, 1)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _statements(filters: CalendarFilters) -> dict[str, str]:
    """The month view's statements on activities, by what they do, with their plans."""
    with CaptureQueriesContext(connection) as captured:
        calendar_month(None, filters, DEC)
    found = {}
    for query in captured.captured_queries:
        sql = query["sql"]
        if "activities_activity" not in sql:
            continue
        if "SELECT (SELECT COUNT(*)" in sql:
            found["running"] = _plan(sql)
        elif "GROUP BY" in sql:
            found["per day"] = _plan(sql)
        elif "IN (SELECT" in sql and "UNION ALL" in sql:
            found["rows"] = _plan(sql)
    assert set(found) == {"running", "per day", "rows"}, list(found)
    return found


@pytest.fixture
def activities(latvia, school):
    other = SchoolFactory(country=latvia)
    Activity.objects.bulk_create(
        Activity(
            school=school if number % 2 else other,
            country=latvia,
            title=f"Aktivitāte {number}",
            starts_on=DEC + datetime.timedelta(days=number % 60 - 30),
            ends_on=DEC + datetime.timedelta(days=number % 60 - 30 + number % 7 * 3),
            visibility="public" if number % 3 else "network",
        )
        for number in range(120)
    )


RUNNING = ("activity_running", "activity_country_running")  # by length class
STARTS = ("activity_public_starts", "activity_country_starts")


def _uses(plan: str, indexes: tuple[str, ...]) -> bool:
    return any(name in plan for name in indexes)


def test_the_month_reads_the_public_activities_from_their_indexes(activities):
    plans = _statements(CalendarFilters())
    assert _uses(plans["running"], RUNNING), plans["running"]
    assert _uses(plans["per day"], STARTS), plans["per day"]
    assert _uses(plans["rows"], STARTS), plans["rows"]


def test_a_countrys_month_reads_its_activities_from_the_indexes(activities, latvia):
    plans = _statements(CalendarFilters(country=latvia))
    assert _uses(plans["running"], RUNNING), plans["running"]
    assert _uses(plans["per day"], STARTS), plans["per day"]
    if connection.vendor == "sqlite":
        # Without the country's length-class index SQLite prefers the country's dates and
        # reads every earlier activity of the country (the planner has no statistics on
        # the expression); PostgreSQL has them, and may pick either.
        assert "activity_country_running" in plans["running"]
