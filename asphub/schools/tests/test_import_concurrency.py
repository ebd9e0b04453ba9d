"""A large import while people sign in and change things, over a real server (gunicorn, two
processes) on a database with the settings' own options (a SQLite file; PostgreSQL when the
suite runs on it); and several imports at once. Nobody may get a server error or lose a
change, and no import may die.

SQLite has one write lock: the import writes in short batches (schools_import), and every
transaction takes the lock at its start and waits for it (config.settings.base).
"""

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from asphub.core.tests.servers import (
    PROJECT,
    LiveDatabase,
    Server,
    Visitor,
    live_database,
    manage,
)

PASSWORD = "correct horse battery staple"  # asphub.accounts.tests.factories.PASSWORD
PEOPLE = 6
# Each person signs in again every few changes, 3 times at most: 18 sign-ins in all, under
# allauth's limit of 30 a minute from one address.
ROUNDS_PER_SIGN_IN = 6
SIGN_INS_EACH = 3
# Bounds the test if the import hangs.
ROUNDS_AT_MOST = 300
HEADER = "name,institution_type,ownership,municipality_code,settlement,latitude,longitude,location_precision\n"
CODES = ("LV-050", "LV-022", "LV-007", "LV-011", "LV-026")

SEED = f"""
from asphub.countries.models import Country
from asphub.countries.services import subdivisions_load_iso
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

latvia, _ = Country.objects.get_or_create(
    code="LV", defaults={{"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True}}
)
subdivisions_load_iso(latvia)
school = SchoolFactory(country=latvia, name="Ozolu pamatskola")
for number in range({PEOPLE}):
    person_with(Role.SCHOOL_COORDINATOR, school=school, email=f"coordinator{{number}}@example.org")
print(school.pk)
"""


def school_rows(first: int, count: int, *, settlement: str = "Ciems") -> str:
    lines = [
        f"Importa skola {number:05d},basic,municipal,{CODES[number % 5]},{settlement} {number % 100},"
        f"56.{number % 1000:03d},-21.{number % 997:03d},settlement\n"
        for number in range(first, first + count)
    ]
    return HEADER + "".join(lines)


@dataclass
class Outcome:
    """What the people saw, and the changes the server said it made (with when)."""

    statuses: list[tuple[str, int]] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    change_times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, what: str, status: int) -> None:
        with self.lock:
            self.statuses.append((what, status))


def person_at_work(
    number: int, port: int, school_pk: int, importing: subprocess.Popen, outcome: Outcome
) -> None:
    """For as long as the import runs: invite a teacher, rename oneself; now and then sign
    out and in again."""
    email = f"coordinator{number}@example.org"
    visitor = Visitor(port)
    try:
        for round_ in range(ROUNDS_AT_MOST):
            if round_ and importing.poll() is not None:
                return
            if round_ % ROUNDS_PER_SIGN_IN == 0 and round_ < ROUNDS_PER_SIGN_IN * SIGN_INS_EACH:
                if round_:
                    outcome.saw("sign-out", visitor.post_form("/en/accounts/logout/", {}).status)
                signed_in = visitor.sign_in(email, PASSWORD)
                outcome.saw("sign-in", signed_in.status)
                if signed_in.status != 302 or "login" in signed_in.location:
                    outcome.failures.append(f"{email} not signed in: HTTP {signed_in.status}")
                    return
            invitee = f"teacher-{number}-{round_}@example.org"
            invited = visitor.post_form(
                f"/en/dashboard/schools/{school_pk}/",
                {"email": invitee, "role": "teacher", "language": "lv"},
            )
            outcome.saw("invitation", invited.status)
            full_name = f"Koordinators {number} {round_}"
            renamed = visitor.post_form(
                "/en/accounts/profile/", {"full_name": full_name, "preferred_language": "lv"}
            )
            outcome.saw("profile", renamed.status)
            with outcome.lock:
                if invited.status == 302:
                    outcome.invited.append(invitee)
                if renamed.status == 302:
                    outcome.names[email] = full_name
                outcome.change_times.append(time.monotonic())
            time.sleep(0.5)  # a person reads the page before the next change
    except Exception as error:  # a hung or dropped connection is a failure too
        outcome.failures.append(f"{email}: {error!r}")


def watch_writing(database: LiveDatabase, importing: subprocess.Popen, seen: dict) -> None:
    """Note when the import's first rows appear and when it ends."""
    connection = database.connect()
    try:
        while importing.poll() is None:
            rows = connection.execute("SELECT count(*) FROM schools_school").fetchone()[0]
            if rows > 1 and "first_rows" not in seen:
                seen["first_rows"] = time.monotonic()
            time.sleep(0.05)
    finally:
        connection.close()
        seen["ended"] = time.monotonic()


def test_a_large_import_leaves_sign_ins_and_other_changes_working(tmp_path):
    with live_database(tmp_path) as database:
        env = database.environment()
        school_pk = int(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        csv_file = tmp_path / "schools.csv"
        csv_file.write_text(school_rows(0, 20_000), encoding="utf-8")
        outcome = Outcome()
        seen: dict[str, float] = {}
        with Server(env, workers=2, threads=4, log=tmp_path / "gunicorn.log") as server:
            importing = subprocess.Popen(
                [sys.executable, "manage.py", "import_schools", str(csv_file)],
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            watcher = threading.Thread(target=watch_writing, args=(database, importing, seen))
            people = [
                threading.Thread(
                    target=person_at_work, args=(n, server.port, school_pk, importing, outcome)
                )
                for n in range(PEOPLE)
            ]
            try:
                for thread in (watcher, *people):
                    thread.start()
                for thread in (watcher, *people):
                    thread.join(timeout=180)
                stdout, stderr = importing.communicate(timeout=60)
            finally:
                if importing.poll() is None:
                    importing.kill()
            log = server.log_text()
        invited = {email for (email,) in database.query("SELECT email FROM roles_invitation")}
        names = dict(database.query("SELECT email, full_name FROM accounts_user"))
        schools = database.query("SELECT count(*) FROM schools_school")[0][0]

    assert importing.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert not outcome.failures, outcome.failures
    server_errors = [(what, status) for what, status in outcome.statuses if status >= 500]
    assert not server_errors, f"{server_errors}\n{log}"
    assert {status for _what, status in outcome.statuses} == {302}, log
    assert "database is locked" not in log
    # The changes really were made while the import was writing.
    assert "first_rows" in seen
    during = [t for t in outcome.change_times if seen["first_rows"] <= t <= seen["ended"]]
    assert len(during) >= PEOPLE * 2
    # None was lost.
    assert set(outcome.invited) == invited
    assert all(names[email] == full_name for email, full_name in outcome.names.items())
    assert schools == 20_001
    assert "20000" in stdout


def test_several_imports_at_once_all_finish(tmp_path):
    """Overlapping files imported side by side: each waits its turn batch by batch, none dies,
    every school exists once, and the audit log names each school created."""
    with live_database(tmp_path) as database:
        env = database.environment()
        manage(env, "shell", "-c", SEED)
        files = []
        for number, first in enumerate((0, 1_000, 2_000, 500)):
            path = tmp_path / f"part-{number}.csv"
            rows = school_rows(first, 1_500, settlement=f"Ciems{number}")
            path.write_text(rows, encoding="utf-8")
            files.append(path)
        imports = [
            subprocess.Popen(
                [sys.executable, "manage.py", "import_schools", str(path)],
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in files
        ]
        results = [process.communicate(timeout=240) for process in imports]
        schools = dict(database.query("SELECT id, name FROM schools_school"))
        imported = [
            json.loads(after) if isinstance(after, str) else after
            for (after,) in database.query(
                "SELECT after FROM core_auditentry WHERE action = 'school.import'"
            )
        ]

    for process, (_stdout, stderr) in zip(imports, results, strict=True):
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    assert len(schools) == len(set(schools.values())) == 3_501
    recorded = {
        school_id: name
        for entry in imported
        for school_id, name in zip(
            entry["created_school_ids"], entry["created_schools"], strict=True
        )
    }
    assert recorded == {pk: name for pk, name in schools.items() if name.startswith("Importa")}
    assert sum(entry["created"] for entry in imported) == 3_500
