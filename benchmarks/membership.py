"""The membership pages at world scale: the national coordinator's queue, a school's case, the
schools to act on, the rules page and the application's first step.

    .venv/bin/python -m benchmarks.membership [--applications 20000] [--requests 30]

A command, not a test: it prints, per page, the median and 95th-percentile time of rendering
it in-process (Django's test client, production-like settings: config.settings.bench, DEBUG
off) and the number of SQL queries, which must not grow with the data. It works on its own
copy of the world directory (var/bench/membership.sqlite3: the 11,500 schools of
`benchmarks.world` plus `--applications` applications with their history, all in Latvia, the
busiest national network one coordinator could have), never on the development database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DIRECTORY = BASE_DIR / "var" / "bench" / "directory.sqlite3"
DATABASE = BASE_DIR / "var" / "bench" / "membership.sqlite3"
# Targets on the project's 2-core machine (one request at a time).
P95_TARGET_MS = 250
STATUS_SHARES = (("submitted", 5), ("under_review", 3), ("changes_requested", 2),
                 ("endorsed", 1), ("rejected", 2))  # fmt: skip


def prepare() -> None:
    """The world directory (made by benchmarks.world in its own process, as the directory
    benchmark makes it), copied to this benchmark's own file."""
    subprocess.run([sys.executable, "-m", "benchmarks.world", "--database", str(DIRECTORY)],
                   cwd=BASE_DIR, check=True)  # fmt: skip
    shutil.copyfile(DIRECTORY, DATABASE)
    for suffix in ("-wal", "-shm"):
        Path(str(DATABASE) + suffix).unlink(missing_ok=True)


def populate(applications: int) -> None:
    import random

    from django.db import transaction
    from django.utils import timezone

    from asphub.countries.models import Country
    from asphub.membership.models import Application
    from asphub.schools.models import MembershipChange, School

    rng = random.Random(20261201)
    latvia = Country.objects.get(code="LV")
    subdivisions = list(latvia.subdivisions.all())
    shares = [status for status, weight in STATUS_SHARES for _ in range(weight)]
    now = timezone.now()
    made = 0
    while made < applications:
        count = min(2000, applications - made)
        with transaction.atomic():
            schools = [
                School(
                    country=latvia,
                    subdivision=rng.choice(subdivisions),
                    name=f"Pieteikuma skola {made + n:06d}",
                    slug=f"pieteikums-{made + n:06d}",
                    institution_type="basic",
                    membership_status=rng.choice(shares),
                    status_changed_at=now - timezone.timedelta(days=rng.randint(0, 400)),
                    registration_number=f"43{made + n:08d}",
                )
                for n in range(count)
            ]
            for school in schools:
                school.refresh_derived_fields()
            School.objects.bulk_create(schools, batch_size=500)
            Application.objects.bulk_create(
                [
                    Application(
                        country=latvia,
                        school=school,
                        reference=f"LV-2026-{made + n:06d}",
                        token_hash=f"{made + n:064d}",
                        submitted_at=school.status_changed_at,
                        name=school.name,
                        institution_type="basic",
                        ownership="municipal",
                        subdivision=school.subdivision,
                        registration_number=school.registration_number,
                        address="Skolas iela 1",
                        email="skola@example.lv",
                        principal_name="Direktore",
                        principal_email="direktore@example.lv",
                        coordinator_name="Koordinatore",
                        coordinator_position="skolotāja",
                        coordinator_email="koordinatore@example.lv",
                        team=[
                            {"full_name": f"Skolotājs {i}", "team_role": "teacher"}
                            for i in range(3)
                        ],  # fmt: skip
                        reason="Miers un ilgtspēja.",
                    )
                    for n, school in enumerate(schools)
                ],
                batch_size=500,
            )
            MembershipChange.objects.bulk_create(
                [
                    MembershipChange(school=school, action="submit", to_status="submitted",
                                     actor_label="applicant", created_at=school.status_changed_at)
                    for school in schools
                ],
                batch_size=500,
            )  # fmt: skip
        made += count
        print(f"  {made} applications", flush=True)


def measure(requests: int) -> list[tuple[str, float, float, int, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
    from asphub.countries.models import Country
    from asphub.membership.models import Application
    from asphub.roles.models import Role
    from asphub.roles.services import role_grant

    latvia = Country.objects.get(code="LV")
    person = UserFactory(email=f"bench-{time.time_ns()}@example.org")
    role_grant(actor="command line", user=person, role=Role.NATIONAL_COORDINATOR, country=latvia)
    enrol_authenticator(person)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(person)
    case = Application.objects.order_by("-pk").values_list("school_id", flat=True).first()
    pages = [
        ("queue (undecided, first page)", "/dashboard/membership/"),
        ("queue, status filter, page 50", "/dashboard/membership/?status=submitted&page=50"),
        ("queue, older than 90 days", "/dashboard/membership/?older_than=90"),
        ("a school's case", f"/dashboard/membership/schools/{case}/"),
        ("schools to act on", "/dashboard/membership/countries/LV/act-on/"),
        ("schools to act on, page 100", "/dashboard/membership/countries/LV/act-on/?page=100"),
        ("membership rules", "/dashboard/membership/countries/LV/rules/"),
        ("application, first step", "/apply/LV/"),
    ]
    results = []
    for name, path in pages:
        timings = []
        queries = 0
        size = 0
        for number in range(requests + 2):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if number >= 2:  # the first two warm the caches
                timings.append(elapsed)
            queries, size = len(captured), len(response.content)
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        results.append((name, statistics.median(timings), p95, queries, size))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    print("Preparing the world directory (benchmarks.world)...", flush=True)
    prepare()
    os.environ["ASPHUB_BENCH_DATABASE"] = str(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command

    # Production's hashed static files, as the directory benchmark collects them.
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Adding {args.applications} applications to {DATABASE}...", flush=True)
    populate(args.applications)
    print(f"Measuring ({args.requests} requests a page)...", flush=True)
    failed = False
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>7}  verdict")
    for name, median, p95, queries, size in measure(args.requests):
        verdict = "PASS" if p95 < P95_TARGET_MS and queries <= 20 else "FAIL"
        failed |= verdict == "FAIL"
        print(f"{name:32} {median:10.1f} {p95:8.1f} {queries:8d} {size / 1024:7.1f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
