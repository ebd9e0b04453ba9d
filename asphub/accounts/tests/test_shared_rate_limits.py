"""Rate limits hold across processes: wrong two-factor codes sent to three server processes in
turn are counted together, so no more are checked than the limit allows (5 per person in 5
minutes, settings.ACCOUNT_RATE_LIMITS). The count lives in the shared cache: a database table
by default, Redis when REDIS_URL is set (config.settings.base.shared_cache)."""

import contextlib
import os
import random
import subprocess
import sys

import pytest
import redis

from asphub.accounts.tests.factories import PASSWORD, current_code
from asphub.core.tests.servers import PROJECT, Server, Visitor, live_database, manage
from config.settings.base import shared_cache

LIMIT = 5  # the "5/300s/key" of ACCOUNT_RATE_LIMITS["login_failed"]
WRONG_CODES = 12
PROCESSES = 3
CODE_PAGE = "/en/accounts/2fa/authenticate/"
REDIS_SERVER = os.environ.get("ASPHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379")

SEED = """
from asphub.accounts.tests.factories import enrol_authenticator
from asphub.countries.models import Country
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with

latvia, _ = Country.objects.get_or_create(
    code="LV", defaults={"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True}
)
person = person_with(Role.NATIONAL_COORDINATOR, country=latvia, email="national@example.org")
print(enrol_authenticator(person))
"""


@contextlib.contextmanager
def empty_redis_database():
    """The URL of a Redis database (of the 16 a server has) that holds nothing, emptied again
    at the end: the test's counts must not meet another run's."""
    try:
        redis.Redis.from_url(REDIS_SERVER, socket_timeout=2).ping()
    except redis.ConnectionError as error:
        pytest.fail(f"No Redis at {REDIS_SERVER} ({error}): start it with scripts/redis.sh.")
    for index in random.sample(range(1, 16), 15):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{index}")
        if client.dbsize() == 0:
            try:
                yield f"{REDIS_SERVER}/{index}"
            finally:
                client.flushdb()
            return
    pytest.fail(f"No empty database on the Redis server at {REDIS_SERVER}.")


def checked_codes(env, tmp_path) -> tuple[int, int, bool]:
    """Sign in with the password, then send WRONG_CODES wrong codes to PROCESSES servers in
    turn, then the right code. Returns how many wrong codes were checked, how many were
    refused unchecked, and whether the right code then signed in."""
    secret = manage(env, "shell", "-c", SEED).strip().splitlines()[-1]
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(Server(env, workers=1, threads=2, log=tmp_path / f"server{n}.log"))
            for n in range(PROCESSES)
        ]
        visitor = Visitor(servers[0].port)
        signed_in = visitor.sign_in("national@example.org", PASSWORD)
        assert signed_in.location == CODE_PAGE
        right = current_code(secret)
        wrong = [f"{(int(right) + step) % 1_000_000:06d}" for step in range(1, WRONG_CODES + 1)]
        checked = refused = 0
        for number, code in enumerate(wrong):
            answer = visitor.post_form(CODE_PAGE, {"code": code}, port=servers[number % 3].port)
            assert answer.status == 200, answer.status
            if "Incorrect code." in answer.body:
                checked += 1
            elif "Too many failed login attempts." in answer.body:
                refused += 1
        last = visitor.post_form(
            CODE_PAGE, {"code": current_code(secret)}, port=servers[WRONG_CODES % 3].port
        )
        return checked, refused, last.status == 302 and "/dashboard/" in last.location


def test_wrong_two_factor_codes_are_counted_across_processes(tmp_path):
    with live_database(tmp_path) as database:
        checked, refused, signed_in = checked_codes(database.environment(), tmp_path)
    assert checked == LIMIT
    assert refused == WRONG_CODES - LIMIT
    assert not signed_in


def test_with_redis_wrong_two_factor_codes_are_counted_across_processes(tmp_path):
    with empty_redis_database() as redis_url, live_database(tmp_path) as database:
        env = database.environment(REDIS_URL=redis_url)
        checked, refused, signed_in = checked_codes(env, tmp_path)
        keys = redis.Redis.from_url(redis_url).keys("*allauth:rl:*")
    assert checked == LIMIT
    assert refused == WRONG_CODES - LIMIT
    assert not signed_in
    assert keys  # the counts were kept in Redis


def test_redis_url_chooses_redis_and_its_absence_the_database():
    assert shared_cache("redis://cache.example:6379/2") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example:6379/2",
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }
    assert shared_cache("")["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.parametrize("settings_module", ["config.settings.dev", "config.settings.prod"])
@pytest.mark.parametrize("redis_url", ["", "redis://cache.example:6379/0"])
def test_every_environment_reads_redis_url(settings_module, redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "asphub.example.org",
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
    }
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.CACHES)"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert repr(shared_cache(redis_url)) in shown


def test_the_database_cache_table_is_made_by_migrate(db, settings):
    from django.db import connection

    assert settings.DATABASE_CACHE_TABLE in connection.introspection.table_names()
