"""django-axes' commands that lift sign-in pauses or delete sign-in records, recorded in the
audit log. Each `axes_reset*` command of this app takes the place of django-axes' own (this app
stands before "axes" in INSTALLED_APPS) and does exactly what it did, then records that it
ran: in the log of each country of the people it named, else in the platform's log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from asphub.accounts.models import User
from asphub.audit.models import AuditAction, StandIn
from asphub.audit.services import audit_record

from .selectors import role_country_codes

RECORDED_OPTIONS = ("ip", "username", "age")


def audited(axes_command: type[BaseCommand], name: str) -> type[BaseCommand]:
    class Command(axes_command):  # type: ignore[valid-type,misc]
        help = f"{str(axes_command.help).rstrip('.')}. The run is recorded in the audit log."

        def handle(self, *args: Any, **options: Any) -> Any:
            with transaction.atomic():
                result = super().handle(*args, **options)
                named = options.get("username") or []
                usernames = [named] if isinstance(named, str) else list(named)
                people = User.objects.filter(email__in=[u.lower() for u in usernames])
                codes = sorted({code for person in people for code in role_country_codes(person)})
                after = {"command": name}
                for key in RECORDED_OPTIONS:
                    if options.get(key) is not None:
                        after[key] = options[key]
                for code in codes or [""]:
                    audit_record(
                        actor=StandIn.COMMAND_LINE,
                        action=AuditAction.SIGNIN_LOCKOUTS_CLEARED,
                        country_code=code,
                        after=after,
                    )
            return result

    return Command
