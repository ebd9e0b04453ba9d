from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from asphub.accounts.models import User
from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.roles.models import Role
from asphub.roles.services import role_grant
from asphub.schools.models import School
from asphub.seed.demo_activities import demo_activities_create

DEMO_PASSWORD = "asphub-demo-2026"
# (e-mail, name, role): the school roles go to the first school of the default country.
DEMO_USERS = [
    ("admin@asphub.test", "Anna Administratore", Role.ADMINISTRATOR),
    ("coordinator@asphub.test", "Jānis Koordinators", Role.NATIONAL_COORDINATOR),
    ("reviewer@asphub.test", "Līga Recenzente", Role.REVIEWER),
    # A library item needs two reviewers.
    ("reviewer2@asphub.test", "Māris Vērtētājs", Role.REVIEWER),
    ("school@asphub.test", "Pēteris Skolas-Koordinators", Role.SCHOOL_COORDINATOR),
    ("teacher@asphub.test", "Ilze Skolotāja", Role.TEACHER),
]


class Command(BaseCommand):
    help = "Create one sign-in per role for a local trial (development settings only)."

    def handle(self, *args, **options):
        if not getattr(settings, "ASPHUB_ALLOW_DEMO_USERS", False):
            raise CommandError("Demo sign-ins exist only in the development setup.")
        country = Country.objects.filter(code=settings.ASPHUB_DEFAULT_COUNTRY).first()
        school = School.objects.filter(country=country).order_by("sort_key").first()
        if country is None or school is None:
            raise CommandError("Load the network first: manage.py load_network")
        with transaction.atomic():
            for email, full_name, role in DEMO_USERS:
                if User.objects.filter(email=email).exists():
                    # Already there: roles given or taken back since then stay as they are.
                    continue
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                role_grant(
                    actor=StandIn.COMMAND_LINE,
                    user=user,
                    role=role,
                    school=school if role in (Role.SCHOOL_COORDINATOR, Role.TEACHER) else None,
                    country=country if role in (Role.NATIONAL_COORDINATOR, Role.REVIEWER) else None,
                )
        added = demo_activities_create(
            country, recorded_by=User.objects.filter(email="teacher@asphub.test").first()
        )
        self.stdout.write(f"Demo activities of the first schools: {added} added.")
        self.stdout.write(
            f"Sign-ins for a local trial (password for each: {DEMO_PASSWORD}, unless you changed "
            "it; sign-ins and roles you changed are kept as they are):"
        )
        with translation.override("en"):
            for email, _full_name, role in DEMO_USERS:
                if role in (Role.SCHOOL_COORDINATOR, Role.TEACHER):
                    where = school.name
                elif role == Role.ADMINISTRATOR:
                    where = "the whole platform"
                else:
                    where = str(country)
                self.stdout.write(f"  {str(role.label):<22} {email:<26} {where}")
        self.stdout.write(
            f"Sign in at {settings.ASPHUB_SITE_URL.rstrip('/')}/accounts/login/. The administrator "
            "and the national coordinator set up two-factor sign-in (an authenticator app) the "
            "first time."
        )
