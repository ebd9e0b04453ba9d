"""Invitations sent and accepted at the same moment, from two processes on a real database (a
SQLite file, or PostgreSQL when the suite runs on it): a double submission makes one
invitation, and two invitations accepted at once for the same new address make one account,
the other person being told to sign in. Nobody gets a server error."""

import subprocess
import sys
import time

from asphub.core.tests.servers import PROJECT, live_database, manage

SEED = """
from asphub.countries.models import Country
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

latvia, _ = Country.objects.get_or_create(
    code="LV", defaults={"name_lv": "Latvija", "name_en": "Latvia", "has_national_network": True}
)
school = SchoolFactory(country=latvia, subdivision=None)
coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, email="coordinator@example.org")
print(school.pk)
"""

INVITE = """
import time
from django.core.exceptions import ValidationError
from asphub.accounts.models import User
from asphub.roles.models import Role
from asphub.roles.services import invitation_create
from asphub.schools.models import School

school = School.objects.select_related("country").get(pk={pk})
coordinator = User.objects.get(email="coordinator@example.org")
while time.time() < {start}:
    time.sleep(0.001)
try:
    invitation_create(actor=coordinator, email="new@example.org", role=Role.TEACHER, school=school)
    print("INVITED")
except ValidationError as refused:
    print("REFUSED", refused.code)
"""

TWO_INVITATIONS = """
from asphub.audit.models import StandIn
from asphub.roles.models import Role
from asphub.roles.services import invitation_create
from asphub.roles.tests.factories import InvitationFactory
from asphub.schools.models import School

school = School.objects.get(pk={pk})
InvitationFactory(token="token-one", email="same@example.org", role=Role.TEACHER, school=school)
InvitationFactory(
    token="token-two", email="same@example.org", role=Role.REVIEWER, country=school.country
)
"""

ACCEPT = """
import time
from django.core.exceptions import ValidationError
from asphub.roles.services import invitation_accept

while time.time() < {start}:
    time.sleep(0.001)
try:
    invitation_accept(
        token="{token}", full_name="Anna Ozola", password="Zaļā upe tek uz jūru 2024",
        preferred_language="lv",
    )
    print("ACCEPTED")
except ValidationError as refused:
    print("REFUSED", refused.code)
"""


def _at_once(env, scripts: list[str]) -> list[str]:
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for script in scripts
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    return sorted(stdout.strip().splitlines()[-1] for stdout, _stderr in outputs)


def test_a_double_submitted_invitation_makes_one(tmp_path):
    with live_database(tmp_path) as database:
        env = database.environment()
        pk = int(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        start = time.time() + 4
        results = _at_once(env, [INVITE.format(pk=pk, start=start)] * 2)
        assert results == ["INVITED", "REFUSED duplicate"]
        count = database.query(
            "SELECT count(*) FROM roles_invitation WHERE email = 'new@example.org'"
        )
        assert count == [(1,)]


def test_two_invitations_accepted_at_once_open_one_account(tmp_path):
    with live_database(tmp_path) as database:
        env = database.environment()
        pk = int(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        manage(env, "shell", "-c", TWO_INVITATIONS.format(pk=pk))
        start = time.time() + 4
        results = _at_once(
            env, [ACCEPT.format(start=start, token=token) for token in ("token-one", "token-two")]
        )
        assert results == ["ACCEPTED", "REFUSED account_exists"]
        accounts = database.query(
            "SELECT count(*) FROM accounts_user WHERE email = 'same@example.org'"
        )
        assert accounts == [(1,)]
