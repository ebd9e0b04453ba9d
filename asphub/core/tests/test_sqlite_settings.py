"""SQLite as the settings open it (config.settings.base.database_from_url): every new connection
is in WAL mode and waits up to SQLITE_BUSY_TIMEOUT_SECONDS for the write lock, and a transaction
takes that lock at its start. Behaviour under load: schools/tests/test_import_concurrency.py."""

import sqlite3

import pytest
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import ConnectionHandler

from config.settings.base import SQLITE_BUSY_TIMEOUT_SECONDS, database_from_url


@pytest.fixture
def connection(tmp_path, django_db_blocker):
    """A connection of its own to a file of its own, opened as the settings open any."""
    alias = "sqlite-settings-test"
    config = database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    filled = ConnectionHandler().configure_settings({"default": config})["default"]
    wrapper = DatabaseWrapper(filled, alias)
    connections[alias] = wrapper
    with django_db_blocker.unblock():
        yield wrapper
        wrapper.close()
    del connections[alias]


def pragma(connection, name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_every_new_connection_is_in_wal_mode_with_the_busy_timeout(connection):
    for _reconnect in range(2):
        connection.ensure_connection()
        assert pragma(connection, "journal_mode") == "wal"
        assert pragma(connection, "busy_timeout") == SQLITE_BUSY_TIMEOUT_SECONDS * 1000
        assert pragma(connection, "synchronous") == 1  # NORMAL
        connection.close()


def test_a_transaction_takes_the_write_lock_when_it_begins(connection, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE note (text TEXT)")
    other = sqlite3.connect(tmp_path / "db.sqlite3", timeout=0, isolation_level=None)
    try:
        # Nothing written yet, and yet no other writer can start: the transaction will not
        # fail halfway for want of the lock.
        with (
            transaction.atomic(using=connection.alias, durable=True),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
