"""Fixtures shared by every app's tests."""

from io import StringIO

import pytest

from asphub.accounts.models import User
from asphub.countries.models import Country
from asphub.countries.services import subdivisions_load_iso
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import School
from asphub.schools.tests.factories import SchoolFactory


@pytest.fixture
def latvia(db) -> Country:
    country, _ = Country.objects.get_or_create(
        code="LV",
        defaults={"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True},
    )
    subdivisions_load_iso(country)
    return country


@pytest.fixture
def estonia(db) -> Country:
    """A second country, for everything that must stay inside one country's scope."""
    country, _ = Country.objects.get_or_create(
        code="EE", defaults={"name_lv": "Igaunija", "name_en": "Estonia"}
    )
    return country


# -- a school and its people, made through the services (see the factories) -------------------


@pytest.fixture
def school(latvia) -> School:
    """The school the people below belong to."""
    return SchoolFactory(country=latvia, name="Ozolu pamatskola")


@pytest.fixture
def other_school(latvia) -> School:
    """Another school of the same country."""
    return SchoolFactory(country=latvia, name="Bērzu vidusskola")


@pytest.fixture
def foreign_school(estonia) -> School:
    return SchoolFactory(country=estonia, name="Tallinna Kesklinna Kool")


@pytest.fixture
def coordinator(school) -> User:
    """The school's coordinator."""
    return person_with(
        Role.SCHOOL_COORDINATOR, school=school, email="ilze@example.org", full_name="Ilze Kalna"
    )


@pytest.fixture
def teacher(school) -> User:
    return person_with(Role.TEACHER, school=school, email="skolotajs@example.org")


@pytest.fixture
def national_coordinator(latvia) -> User:
    """Latvia's national coordinator, not yet enrolled in two-factor sign-in."""
    return person_with(
        Role.NATIONAL_COORDINATOR,
        country=latvia,
        email="national@example.org",
        full_name="Laura Nacionālā",
    )


@pytest.fixture
def administrator(db) -> User:
    """An administrator, not yet enrolled in two-factor sign-in."""
    return person_with(Role.ADMINISTRATOR, email="admin@example.org", full_name="Admins Adminovs")


@pytest.fixture(autouse=True)
def fresh_cache(request):
    """allauth keeps its rate limits and the two-factor codes already used in the default
    cache, which outlives each test: every test starts with it empty. The cache is a database
    table (or Redis), so only tests that use the database can reach it."""
    from django.core.cache import caches
    from pytest_django.django_compat import is_django_unittest

    if not is_django_unittest(request):
        if not (
            "_django_db_helper" in request.fixturenames
            or request.node.get_closest_marker("django_db")
        ):
            yield
            return
        # The test's database first (with its transaction, if the test has one).
        request.getfixturevalue("_django_db_helper")
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def loaded_network(db):
    """The whole Latvian network as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_network", stdout=StringIO())
    return Country.objects.get(code="LV")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, whatever the previous one requested."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def mail_backend_is_the_queue(django_test_environment):
    """Django's test set-up sends e-mail straight to its outbox; put the queue back, so that
    every e-mail a test causes is queued and sent by the worker, as in production."""
    from django.conf import settings

    from asphub.mail.checks import QUEUE_BACKEND

    settings.EMAIL_BACKEND = QUEUE_BACKEND


@pytest.fixture(autouse=True)
def mail_outbox_runs_the_worker(monkeypatch):
    """`django.core.mail.outbox` (and pytest-django's `mailoutbox`) is a QueuedOutbox: reading
    it first runs the worker on the tasks queued and due, so tests assert on what the worker
    sent. (A Django TestCase class replaces the outbox before each test; call
    asphub.mail.tests.queue.run_queued_tasks() there.)"""
    from django.core import mail
    from django_tasks.signals import task_enqueued

    from asphub.mail.tests.queue import QueuedOutbox

    outbox = QueuedOutbox()
    monkeypatch.setattr(mail, "outbox", outbox)
    task_enqueued.connect(outbox.note_queued, dispatch_uid="test-outbox")
    yield outbox
    task_enqueued.disconnect(dispatch_uid="test-outbox")
