"""What other apps read of an activity (the calendar and its iCal feeds, later the annual
report): the names they rely on stay, and the indexes the calendar's month view needs exist."""

from asphub.activities.models import Activity

# The calendar reads these (asphub.calendar); renaming one breaks its feeds.
CALENDAR_FIELDS = ("school", "kind", "title", "title_en", "description", "starts_on", "ends_on",
                   "place", "visibility", "thematic_areas", "sequence", "updated_at")  # fmt: skip


def test_the_fields_the_calendar_reads_are_there():
    names = {field.name for field in Activity._meta.get_fields()}
    assert set(CALENDAR_FIELDS) <= names


def test_the_calendar_and_the_schools_lists_have_their_indexes():
    indexed = {tuple(index.fields) for index in Activity._meta.indexes if index.fields}
    assert {
        ("starts_on", "ends_on"),
        ("school", "starts_on"),
        ("visibility", "starts_on", "id", "school"),
        ("country", "starts_on", "visibility", "school"),
        ("school", "visibility", "starts_on"),
    } <= indexed
    # What goes on from before a day, by length class (asphub.calendar.selectors; the
    # calendar's tests check the database uses them: test_indexes.py).
    names = {index.name for index in Activity._meta.indexes}
    assert {"activity_running", "activity_country_running"} <= names
