"""The audit log, as national coordinators (their country) and administrators (all) read it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import islice

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from asphub.audit.display import recorded_values
from asphub.audit.models import AuditEntry
from asphub.core.http import read_only
from asphub.core.spreadsheets import EchoBuffer, spreadsheet_safe
from asphub.roles.models import Role
from asphub.roles.permissions import can_view_any_audit_log, visible_audit_entries
from asphub.schools.models import MembershipStatus

from ..audit_filters import AuditEntryFilter
from ..audit_labels import object_labels, object_type_label

PAGE_SIZE = 50
# Recorded values shown with their labels: the audit app stores codes and knows no roles.
VALUE_CHOICES = {"role": Role, "membership_status": MembershipStatus}


def _filtered(request: HttpRequest) -> AuditEntryFilter:
    if not can_view_any_audit_log(request.user):
        raise PermissionDenied(_("Only national coordinators and administrators read the log."))
    return AuditEntryFilter(
        request.GET or None, queryset=visible_audit_entries(request.user), user=request.user
    )


def _matching(entries: AuditEntryFilter):
    """The entries the filters ask for; none while a filter is invalid (its error is shown),
    never all of them by mistake."""
    if entries.is_bound and not entries.form.is_valid():
        return entries.queryset.none()
    return entries.qs


@login_required
@read_only
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = _filtered(request)
    page = Paginator(_matching(entries), PAGE_SIZE).get_page(request.GET.get("page"))
    objects = object_labels(page)
    rows = [
        {
            "entry": entry,
            "object": objects[entry.pk],
            "before": recorded_values(entry.before, value_choices=VALUE_CHOICES),
            "after": recorded_values(entry.after, value_choices=VALUE_CHOICES),
        }
        for entry in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"filter": entries, "page": page, "rows": rows, "query_string": query.urlencode()},
    )


@login_required
@read_only
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    entries = _filtered(request)
    if entries.is_bound and not entries.form.is_valid():
        problems = " ".join(
            f"{entries.form[name].label}: {' '.join(errors)}"
            for name, errors in entries.form.errors.items()
        )
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(EchoBuffer())
    # Codes stay in their own columns (stable for scripts); beside each, the same in words in
    # the reader's language.
    header = [_("When"), _("Who"), _("Action"), _("Action code"), _("Object type"),
              _("Object type code"), _("Object"), _("Country"), _("Before"), _("Before (codes)"),
              _("After"), _("After (codes)"), _("Note")]  # fmt: skip

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for batch in _batches(entries.qs.iterator(chunk_size=CSV_BATCH), CSV_BATCH):
            objects = object_labels(batch)
            for entry in batch:
                yield writer.writerow(
                    [
                        timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                        spreadsheet_safe(entry.who),
                        entry.action_label,
                        entry.action,
                        object_type_label(entry.object_type),
                        entry.object_type,
                        spreadsheet_safe(objects[entry.pk]),
                        entry.country_code,
                        spreadsheet_safe(_in_words(entry.before)),
                        spreadsheet_safe(_json(entry.before)),
                        spreadsheet_safe(_in_words(entry.after)),
                        spreadsheet_safe(_json(entry.after)),
                        spreadsheet_safe(entry.note_label),
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"asphub-audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


CSV_BATCH = 500


def _batches(items: Iterator[AuditEntry], size: int) -> Iterator[list[AuditEntry]]:
    """The entries in lists of `size`, so that their objects are looked up a batch at a time."""
    while batch := list(islice(items, size)):
        yield batch


def _in_words(values) -> str:
    return "; ".join(
        f"{key}: {value}" if key else value
        for key, value in recorded_values(values, value_choices=VALUE_CHOICES)
    )


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
