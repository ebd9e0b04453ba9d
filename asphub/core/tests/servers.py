"""Real servers for the tests that need more than one process: a migrated database of the
suite's kind (a SQLite file with the settings' own options, or a PostgreSQL database when the
suite runs on PostgreSQL), gunicorn on a free loopback port, and a small HTTP client that keeps
its cookies. Everything started here is stopped or dropped by the test that started it.

The processes run config.settings.test (fast password hashing, e-mail only queued) with
DATABASE_URL pointing at that database, so the database and cache settings are base.py's.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from django.conf import settings
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.utils import ConnectionHandler

from config.settings.base import database_from_url

PROJECT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
SETTINGS = "config.settings.test"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    """Run a manage.py command to its end; fails the test with its output if it fails."""
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
        )
    return completed.stdout


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=database_url,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class LiveDatabase:
    """A migrated database for servers and commands started by a test."""

    url: str
    sqlite_path: Path | None = None

    def environment(self, **extra: str) -> dict[str, str]:
        """The environment of a server or command using this database: no REDIS_URL unless
        given (the database cache)."""
        return {**_environment(self.url), **extra}

    def connect(self) -> Any:
        """A DB-API connection in autocommit mode (every query sees what others committed)."""
        if self.sqlite_path is not None:
            return sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
        return psycopg.connect(self.url, autocommit=True)

    def query(self, sql: str) -> list[tuple]:
        with contextlib.closing(self.connect()) as connection:
            return list(connection.execute(sql).fetchall())


def _postgres_admin() -> psycopg.Connection:
    suite = settings.DATABASES["default"]
    return psycopg.connect(
        host=suite["HOST"] or HOST,
        port=suite["PORT"] or 5432,
        user=suite["USER"],
        password=suite["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _postgres_url(name: str) -> str:
    suite = settings.DATABASES["default"]
    password = f":{suite['PASSWORD']}" if suite["PASSWORD"] else ""
    host, port = suite["HOST"] or HOST, suite["PORT"] or 5432
    return f"postgres://{suite['USER']}{password}@{host}:{port}/{name}"


_numbers = itertools.count()


@functools.cache
def _migrated_template() -> str:
    """One migrated database per test session, copied for each test (migrating takes seconds):
    a SQLite file's path, or a PostgreSQL database's name."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        name = f"asphub_live_{os.getpid()}_template"
        with contextlib.closing(_postgres_admin()) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_postgres, name)
        manage(_environment(_postgres_url(name)), "migrate", "--noinput", "-v", "0")
        return name
    directory = Path(tempfile.mkdtemp(prefix="asphub-live-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    database = directory / "template.sqlite3"
    manage(_environment(f"sqlite:///{database}"), "migrate", "--noinput", "-v", "0")
    return str(database)


def _drop_postgres(name: str) -> None:
    with contextlib.closing(_postgres_admin()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def live_database(directory: Path) -> Iterator[LiveDatabase]:
    """A freshly migrated database of the suite's kind, removed at the end. (A SQLite copy of
    the template is complete: the template was closed cleanly, so the main file holds all.)"""
    template = _migrated_template()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        database = directory / "asphub.sqlite3"
        shutil.copyfile(template, database)
        yield LiveDatabase(f"sqlite:///{database}", sqlite_path=database)
        return
    name = f"asphub_live_{os.getpid()}_{next(_numbers)}"
    with contextlib.closing(_postgres_admin()) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield LiveDatabase(_postgres_url(name))
    finally:
        _drop_postgres(name)


@contextlib.contextmanager
def thread_connections(directory: Path) -> Iterator[Callable[[], None]]:
    """For tests of concurrent transactions in threads: a function each thread calls first to
    open its own connection to the database the test writes to. On PostgreSQL that is the
    suite's test database (nothing to do). The suite's SQLite database lives in memory, where
    a second writer is refused at once rather than made to wait, which no deployment does:
    there the test's connections, the main thread's included, go to a migrated SQLite file
    opened exactly as the settings open every connection (WAL, the busy timeout, transactions
    that take the write lock when they begin)."""
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    with live_database(directory) as live:
        configured = ConnectionHandler().configure_settings(
            {"default": database_from_url(live.url)}
        )["default"]
        suite_connection = connections["default"]

        def install() -> None:
            connections["default"] = SQLiteDatabaseWrapper(dict(configured), "default")

        install()
        try:
            yield install
        finally:
            connections["default"].close()
            connections["default"] = suite_connection


class Server:
    """gunicorn serving config.wsgi on 127.0.0.1 with `workers` processes of `threads` threads.

    Use as a context manager: the server is stopped, with its workers, at the end."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, threads: int = 4, log: Path):
        self.env = env
        self.workers = workers
        self.threads = threads
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "gthread",
            "--threads", str(self.threads),
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
            "--chdir", str(PROJECT),
        ]  # fmt: skip
        # gunicorn's messages and Django's (server errors with their traceback) in one file.
        with self.log.open("ab") as log:
            # Its own process group, so that stopping it stops the workers too.
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=self.env,
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited at start-up:\n{self.log_text()}")
            try:
                if Visitor(self.port).get("/healthz").status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer within 60 s:\n{self.log_text()}")

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def log_text(self) -> str:
        try:
            return self.log.read_text()
        except OSError:
            return ""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Visitor:
    """One browser: keeps its cookies (for every port of 127.0.0.1, as browsers do) and
    follows no redirects. `port` is the server it talks to unless a request names another."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60
    language_prefix: str = "/en"

    def request(
        self, method: str, path: str, data: dict | None = None, *, port: int | None = None
    ) -> Response:
        connection = http.client.HTTPConnection(HOST, port or self.port, timeout=self.timeout)
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(response.status, response.headers, text)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict, **kwargs) -> Response:
        """GET the page, then POST `data` with the page's CSRF token, as a browser submits."""
        page = self.get(path, **kwargs)
        found = _CSRF_INPUT.search(page.body)
        if found is None:
            raise AssertionError(f"no form on {path} (HTTP {page.status})")
        return self.request("POST", path, {"csrfmiddlewaretoken": found.group(1), **data}, **kwargs)

    def sign_in(self, email: str, password: str, **kwargs) -> Response:
        return self.post_form(
            f"{self.language_prefix}/accounts/login/",
            {"login": email, "password": password},
            **kwargs,
        )
