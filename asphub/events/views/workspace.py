"""The national coordinator's network events: the list, the event form, publishing and
cancelling, the registrations with the waiting list, and the attendance record.

Every event is fetched among the events of the countries the person coordinates
(permissions.coordinated_countries): another country's event is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from asphub.core.edits import StaleEdit
from asphub.core.forms import add_service_error, show_stale_edit
from asphub.core.http import page_with_form, post_only, read_only
from asphub.countries.models import Country
from asphub.roles import permissions

from ..forms import AttendanceForm, CancelEventForm, EventForm
from ..models import EventStatus, NetworkEvent, RegistrationStatus
from ..selectors import attendance_registrations, event_registrations, event_seats, managed_events
from ..services import (
    attendance_record,
    event_cancel,
    event_create,
    event_publish,
    event_update,
)
from . import render_in_zone

PAGE_SIZE = 50
# Registrations per page of the attendance form (each with up to members_per_school people).
ATTENDANCE_PAGE_SIZE = 25


def managed_event(request: HttpRequest, pk: int) -> NetworkEvent:
    return get_object_or_404(
        NetworkEvent.objects.filter(
            country__in=permissions.coordinated_countries(request.user)
        ).select_related("country"),
        pk=pk,
    )


@login_required
@read_only
def event_list(request: HttpRequest) -> HttpResponse:
    countries = list(permissions.coordinated_countries(request.user).order_by("name_lv"))
    if not countries:
        raise PermissionDenied(_("Only the national coordinator runs the network's events."))
    chosen = [c for c in countries if c.code == request.GET.get("country", "").upper()]
    shown = chosen or countries
    events = managed_events([country.pk for country in shown])
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # An administrator sees every country: the list offers those with a national network.
    offered = [c for c in countries if c.has_national_network or c in chosen]
    return render(
        request,
        "events/workspace/list.html",
        {
            "page": page,
            "countries": offered if len(countries) > 1 else countries,
            "country": chosen[0] if chosen else None,
        },
    )


def _editor(
    request: HttpRequest, *, event: NetworkEvent | None = None, country: Country | None = None
) -> HttpResponse:
    """The one form for a new event and a change. An error anywhere keeps what was typed.
    Times are typed and shown in the time zone of the event's country (for a new event, the
    country of the address)."""
    if event is not None:
        country = event.country
    assert country is not None
    with timezone.override(country.zone):
        return _editor_in_zone(request, event=event, country=country)


def _editor_in_zone(
    request: HttpRequest, *, event: NetworkEvent | None, country: Country
) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    instance = event or NetworkEvent(country=country)
    form = EventForm(post, instance=instance)
    stale = False
    if post is not None and form.is_valid():
        try:
            if event is None:
                saved = event_create(actor=request.user, country=country, data=form.service_data())
            else:
                saved = event_update(
                    actor=request.user,
                    event=event,
                    data=form.service_data(),
                    seen_sequence=form.cleaned_data.get("seen_sequence"),
                )
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except StaleEdit as error:
            stale = True
            show_stale_edit(form, error, field="seen_sequence")
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:manage", pk=saved.pk)
    return render(
        request,
        "events/workspace/edit.html",
        {"form": form, "event": event, "country": country, "stale": stale},
    )


@login_required
@page_with_form
def create(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    return _editor(request, country=country)


@login_required
@page_with_form
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events:manage", pk=event.pk)
    return _editor(request, event=event)


@login_required
@read_only
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    return render_in_zone(
        request,
        event,
        "events/workspace/event.html",
        {"event": event, "seats": event_seats(event), "started": event.has_started()},
    )


@login_required
@post_only
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    try:
        event_publish(actor=request.user, event=event)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The event is published: schools may register."))
    return redirect("events:manage", pk=event.pk)


@login_required
@page_with_form
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event_cancel(actor=request.user, event=event, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The event is cancelled. The schools registered are told by e-mail.")
            )
            return redirect("events:manage", pk=event.pk)
    return render_in_zone(
        request,
        event,
        "events/workspace/cancel.html",
        {"event": event, "form": form, "seats": event_seats(event)},
    )


REGISTRATION_LISTS = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.CANCELLED,
)


@login_required
@read_only
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    if not permissions.can_view_registrations(request.user, event):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in REGISTRATION_LISTS:
        status = RegistrationStatus.CONFIRMED
    page = Paginator(event_registrations(event, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The waiting list's order is its line: the place in it follows from the page.
    for number, registration in enumerate(page.object_list, start=page.start_index()):
        registration.position = number if status == RegistrationStatus.WAITING else 0
    seats = event_seats(event)
    counts = {
        RegistrationStatus.CONFIRMED: seats.confirmed,
        RegistrationStatus.WAITING: seats.waiting,
        RegistrationStatus.CANCELLED: seats.cancelled,
    }
    return render_in_zone(
        request,
        event,
        "events/workspace/registrations.html",
        {
            "event": event,
            "seats": seats,
            "status": status,
            "lists": [
                (value, RegistrationStatus(value).label, counts[value])
                for value in REGISTRATION_LISTS
            ],
            "page": page,
            "started": event.has_started(),
        },
    )


@login_required
@page_with_form
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event(request, pk)
    if event.status != EventStatus.PUBLISHED or not event.has_started():
        messages.error(request, _("Attendance can be recorded once the event has started."))
        return redirect("events:manage", pk=event.pk)
    page = Paginator(attendance_registrations(event), ATTENDANCE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    people = [p for registration in page.object_list for p in registration.participants.all()]
    form = AttendanceForm(request.POST or None, participants=people)
    if request.method == "POST" and form.is_valid():
        try:
            changed = attendance_record(actor=request.user, event=event, attended=form.attendance())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Attendance is saved (%(count)s changed).") % {"count": changed},
            )
            query = f"?page={page.number}" if page.number > 1 else ""
            return redirect(f"{request.path}{query}")
    rows = [
        {
            "registration": registration,
            "fields": [form.field_for(p) for p in registration.participants.all()],
        }
        for registration in page.object_list
    ]
    return render_in_zone(
        request,
        event,
        "events/workspace/attendance.html",
        {"event": event, "form": form, "page": page, "rows": rows},
    )
