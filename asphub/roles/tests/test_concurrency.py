"""Two administrators stepping down at the same moment: the platform keeps one.

Real concurrent transactions (threads, each on its own database connection), on SQLite and
PostgreSQL alike: the last-administrator check is asked with every administrator locked."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from asphub.accounts.models import User
from asphub.roles.models import Role, RoleAssignment
from asphub.roles.services import account_delete, role_revoke
from asphub.roles.tests.factories import person_with

pytestmark = pytest.mark.django_db(transaction=True)


def at_the_same_moment(*calls):
    """Run each call in its own thread, released together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
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
        thread.join(timeout=30)
    return outcomes


def administrators_left() -> int:
    return (
        User.objects.filter(
            role_assignments__role=Role.ADMINISTRATOR, role_assignments__revoked_at__isnull=True
        )
        .distinct()
        .count()
    )


def test_two_administrators_deleting_their_accounts_at_once_leave_one(db):
    first, second = person_with(Role.ADMINISTRATOR), person_with(Role.ADMINISTRATOR)
    outcomes = at_the_same_moment(
        lambda: account_delete(actor=first, user=first),
        lambda: account_delete(actor=second, user=second),
    )
    assert outcomes.count("done") <= 1, outcomes
    assert administrators_left() == 1


def test_two_administrators_taking_each_others_role_at_once_leave_one(db):
    first, second = person_with(Role.ADMINISTRATOR), person_with(Role.ADMINISTRATOR)
    first_role = RoleAssignment.objects.get(user=first)
    second_role = RoleAssignment.objects.get(user=second)
    outcomes = at_the_same_moment(
        lambda: role_revoke(actor=first, assignment=second_role),
        lambda: role_revoke(actor=second, assignment=first_role),
    )
    assert outcomes.count("done") <= 1, outcomes
    assert administrators_left() == 1
