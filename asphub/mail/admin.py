"""The task queue in the administration, with each e-mail's recipients and subject: where an
administrator sees a message that could not be sent (status "Failed", with the error)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .tasks import send_email

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """View only, as django-tasks-db makes it: the worker alone changes tasks. Seeing them
    needs the model's view permission, which administrators hold and national coordinators do
    not (a queued e-mail holds its one-time link)."""

    list_display = (
        "task_name",
        "status",
        "email_recipients",
        "email_subject",
        "email_attempt",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )

    @admin.display(description=_("recipients"))
    def email_recipients(self, obj: DBTaskResult) -> str:
        message = _queued_message(obj)
        return ", ".join(message["to"] + message["cc"] + message["bcc"]) if message else ""

    @admin.display(description=_("subject"))
    def email_subject(self, obj: DBTaskResult) -> str:
        message = _queued_message(obj)
        return message["subject"] if message else ""

    @admin.display(description=_("attempt"))
    def email_attempt(self, obj: DBTaskResult) -> int | None:
        if _queued_message(obj) is None:
            return None
        return int(obj.args_kwargs["kwargs"].get("attempt", 1))


def _queued_message(obj: DBTaskResult) -> dict[str, Any] | None:
    if obj.task_path != send_email.module_path:
        return None
    return obj.args_kwargs["args"][0]
