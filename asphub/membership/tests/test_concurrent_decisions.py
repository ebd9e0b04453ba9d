"""Two national coordinators decide the same application at the same moment, in two processes
on a real database (a SQLite file, or PostgreSQL when the suite runs on it): exactly one
decision is recorded, and the other coordinator is told."""

import subprocess
import sys
import time

from asphub.core.tests.servers import PROJECT, live_database, manage

SEED = """
from asphub.countries.models import Country
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

latvia, _ = Country.objects.get_or_create(
    code="LV", defaults={"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True}
)
school = SchoolFactory(country=latvia, membership_status=MembershipStatus.SUBMITTED, subdivision=None)
print(school.pk)
"""

# Each process waits for the same moment, then decides, as a coordinator who saw the
# application "submitted" would.
DECIDE = """
import time
from django.core.exceptions import ValidationError
from asphub.audit.models import StandIn
from asphub.schools.models import School
from asphub.schools.services import school_status_change

school = School.objects.select_related("country").get(pk={pk})
while time.time() < {start}:
    time.sleep(0.001)
try:
    school_status_change(
        actor=StandIn.COMMAND_LINE, school=school, action="{action}", reason="Decided.",
        seen_status="submitted",
    )
    print("DECIDED")
except ValidationError as refused:
    print("REFUSED", refused.code)
"""


def test_two_decisions_at_once_record_exactly_one(tmp_path):
    with live_database(tmp_path) as database:
        env = database.environment()
        pk = int(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        start = time.time() + 4  # both processes are up and waiting by then
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "-c",
                    DECIDE.format(pk=pk, start=start, action=action),
                ],
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for action in ("endorse", "reject")
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
        results = sorted(stdout.strip().splitlines()[-1] for stdout, _stderr in outputs)
        assert results == ["DECIDED", "REFUSED changed_meanwhile"], outputs
        history = database.query(
            f"SELECT to_status FROM schools_membershipchange WHERE school_id = {pk}"
        )
        assert len(history) == 1
        status = database.query(f"SELECT membership_status FROM schools_school WHERE id = {pk}")
        assert status[0][0] == history[0][0]
