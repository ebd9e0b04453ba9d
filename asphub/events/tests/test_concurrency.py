"""Schools registering at the same moment: exactly one gets the last seat, the other waits in
line; a school never holds two places; a freed seat goes to the school in line, whoever else
registers meanwhile.

Real concurrent transactions: threads, each on its own database connection, released together,
on SQLite and PostgreSQL alike. Counting the seats is slowed down on purpose, so that without the
event's lock both schools would see the seat free.

On PostgreSQL the threads use the suite's test database. The suite's SQLite database lives in
memory, where a second writer is refused at once ("database table is locked") rather than made
to wait, which no deployment does: there the threads use a migrated SQLite file opened exactly as
the settings open every connection (WAL, the busy timeout, transactions that take the write lock
when they begin; config.settings.base.database_from_url)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from asphub.core.tests.servers import thread_connections
from asphub.events import services
from asphub.events.models import EventRegistration, RegistrationStatus
from asphub.events.services import registration_cancel, registration_create
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory, registration_of
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import CountryFactory, SchoolFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Between counting the seats and writing the registration: long enough for the other thread
# to count too, were the two not served one after the other.
WINDOW_SECONDS = 0.3


@pytest.fixture
def use_connection(tmp_path):
    """A function each thread calls first to open its own connection to the database the test
    writes to (and, on SQLite, the main thread's connection for the test's own rows)."""
    with thread_connections(tmp_path) as install:
        yield install


def at_the_same_moment(use_connection, *calls):
    """Run each call in its own thread on its own connection, released together; what each
    returned ("done") or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        use_connection()
        try:
            barrier.wait()
            call()
            outcomes[index] = "done"
        except (ValidationError, DatabaseError) as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def slow_seat_count(monkeypatch):
    counted = services.seats_taken

    def slowly(event):
        taken = counted(event)
        time.sleep(WINDOW_SECONDS)
        return taken

    monkeypatch.setattr(services, "seats_taken", slowly)


def a_school(country, name):
    school = SchoolFactory(country=country, name=name)
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school)
    return school, coordinator, TeamMemberFactory(school=school)


def statuses(event) -> list[str]:
    return sorted(EventRegistration.objects.filter(event=event).values_list("status", flat=True))


def test_two_schools_taking_the_last_seat_at_once_one_gets_it_the_other_waits(
    use_connection, slow_seat_count
):
    latvia = CountryFactory(code="LV")
    event = NetworkEventFactory(country=latvia, capacity=1)
    first = a_school(latvia, "Ozolu pamatskola")
    second = a_school(latvia, "Bērzu vidusskola")

    def register(school, coordinator, member):
        return lambda: registration_create(
            actor=coordinator, event=event, school=school, members=[member]
        )

    outcomes = at_the_same_moment(use_connection, register(*first), register(*second))
    assert outcomes == ["done", "done"]
    assert statuses(event) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]


def test_one_school_sending_its_registration_twice_at_once_registers_once(
    use_connection, slow_seat_count
):
    latvia = CountryFactory(code="LV")
    event = NetworkEventFactory(country=latvia, capacity=5)
    school, coordinator, member = a_school(latvia, "Ozolu pamatskola")

    def register():
        registration_create(actor=coordinator, event=event, school=school, members=[member])

    outcomes = at_the_same_moment(use_connection, register, register)
    assert outcomes.count("done") == 1
    refused = next(outcome for outcome in outcomes if outcome != "done")
    assert isinstance(refused, ValidationError) and refused.code == "already_registered"
    assert statuses(event) == [RegistrationStatus.CONFIRMED]


def test_a_freed_seat_goes_to_the_school_in_line_while_another_registers(
    use_connection, slow_seat_count
):
    latvia = CountryFactory(code="LV")
    event = NetworkEventFactory(country=latvia, capacity=1)
    holder = a_school(latvia, "Ozolu pamatskola")
    in_line = a_school(latvia, "Bērzu vidusskola")
    newcomer = a_school(latvia, "Liepu ģimnāzija")
    held = registration_of(event, holder[0], members=[holder[2]])
    waiting = registration_of(event, in_line[0], status=RegistrationStatus.WAITING)

    outcomes = at_the_same_moment(
        use_connection,
        lambda: registration_cancel(actor=holder[1], registration=held),
        lambda: registration_create(
            actor=newcomer[1], event=event, school=newcomer[0], members=[newcomer[2]]
        ),
    )
    assert outcomes == ["done", "done"]
    by_school = dict(
        EventRegistration.objects.filter(event=event).values_list("school_id", "status")
    )
    assert by_school == {
        holder[0].pk: RegistrationStatus.CANCELLED,
        in_line[0].pk: RegistrationStatus.CONFIRMED,
        newcomer[0].pk: RegistrationStatus.WAITING,
    }
    waiting.refresh_from_db()
    assert waiting.confirmed_at is not None
