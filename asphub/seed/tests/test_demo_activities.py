"""The local trial's demo activities: made with the demo sign-ins, around today's date, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from asphub.activities.models import Activity
from asphub.seed.demo_activities import DEMO

pytestmark = pytest.mark.django_db


def test_the_demo_set_up_records_a_few_activities_once(loaded_network):
    call_command("create_demo_users", stdout=StringIO())
    activities = list(Activity.objects.select_related("school", "created_by"))
    assert len(activities) == len(DEMO)
    assert {activity.school.country.code for activity in activities} == {"LV"}
    assert {activity.visibility for activity in activities} == {"public", "network"}
    # The demo teacher recorded their school's; the dates are around today.
    assert any(a.created_by and a.created_by.email == "teacher@asphub.test" for a in activities)
    today = timezone.localdate()
    assert all(abs((a.starts_on - today).days) <= 60 for a in activities)
    call_command("create_demo_users", stdout=StringIO())
    assert Activity.objects.count() == len(DEMO)
