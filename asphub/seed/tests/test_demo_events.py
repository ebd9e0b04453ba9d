from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asphub.events.models import EventStatus, NetworkEvent

pytestmark = pytest.mark.django_db


def test_demo_events_are_published_once(latvia):
    call_command("create_demo_events", stdout=StringIO())
    call_command("create_demo_events", stdout=StringIO())
    events = list(NetworkEvent.objects.filter(country=latvia))
    assert len(events) == 2
    assert {event.status for event in events} == {EventStatus.PUBLISHED}
    assert all(event.registration_deadline < event.starts_at < event.ends_at for event in events)


def test_demo_events_exist_only_in_the_development_setup(latvia, settings):
    settings.ASPHUB_ALLOW_DEMO_USERS = False
    with pytest.raises(CommandError):
        call_command("create_demo_events", stdout=StringIO())
    assert not NetworkEvent.objects.exists()
