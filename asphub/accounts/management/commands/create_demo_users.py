from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from asphub.accounts.models import User

DEMO_PASSWORD = "asphub-demo-2026"
NATIONAL_COORDINATORS = "National coordinators"
NATIONAL_COORDINATOR_PERMISSIONS = {
    "schools": ["add_school", "change_school", "view_school", "add_flagshipparticipation",
                "change_flagshipparticipation", "delete_flagshipparticipation",
                "view_flagshipparticipation"],
    "pages": ["change_page", "view_page"],
    "taxonomy": ["change_flagshipnetwork", "view_flagshipnetwork"],
    "countries": ["view_country", "view_subdivision"],
}  # fmt: skip
DEMO_USERS = [
    ("admin@asphub.test", "Administrator", {"is_staff": True, "is_superuser": True}),
    ("coordinator@asphub.test", "National coordinator (LV)", {"is_staff": True}),
]


class Command(BaseCommand):
    help = "Create one sign-in per role for a local trial (development settings only)."

    def handle(self, *args, **options):
        if not getattr(settings, "ASPHUB_ALLOW_DEMO_USERS", False):
            raise CommandError("Demo sign-ins exist only in the development setup.")
        group, _ = Group.objects.get_or_create(name=NATIONAL_COORDINATORS)
        for app_label, codenames in NATIONAL_COORDINATOR_PERMISSIONS.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        for email, full_name, flags in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **flags)
            if not user.is_superuser:
                user.groups.add(group)
        self.stdout.write(f"Sign-ins for a local trial (password for each: {DEMO_PASSWORD}):")
        for email, full_name, _flags in DEMO_USERS:
            self.stdout.write(f"  {full_name:<28} {email}")
        self.stdout.write("Sign in at http://127.0.0.1:8000/admin/")
