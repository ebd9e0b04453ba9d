"""The network's events as everyone sees them, and a school's registration.

An event is fetched through selectors.event_page (the permission layer's visible_events): a
draft, or a network-only event for someone outside the country's network, is not found (404),
so nothing reveals that it exists. The event page shows a school coordinator the form to
register each school they coordinate, or their school's place (or its place in line) with the
participants it sends and a button to cancel."""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from asphub.core.forms import add_service_error
from asphub.core.html import render_markdown
from asphub.core.http import page_with_form, post_only, read_only
from asphub.roles import permissions

from ..forms import ParticipantsForm
from ..models import EventRegistration, NetworkEvent, RegistrationStatus
from ..selectors import (
    confirmed_school_ids,
    event_page,
    event_seats,
    registering_schools,
    school_registrations,
    upcoming_events,
)
from ..services import (
    registration_cancel,
    registration_create,
    registration_update_participants,
    waiting_position,
)
from . import render_in_zone

PAGE_SIZE = 20


def visible_event(request: HttpRequest, pk: int) -> NetworkEvent:
    try:
        return event_page(request.user, pk)
    except NetworkEvent.DoesNotExist as missing:
        raise Http404 from missing


@read_only
def event_list(request: HttpRequest) -> HttpResponse:
    """The events not yet ended, soonest first: those to come, those under way (marked so)
    and those cancelled (marked so, for whoever planned to come). The count is the list's;
    places left are shown only while registration is open."""
    now = timezone.now()
    events = upcoming_events(request.user, now=now).annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        )
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.seats_left = max(event.capacity - event.confirmed_count, 0)
        event.under_way = not event.is_cancelled and event.has_started(now)
        event.open_now = event.registration_open(now)
    return render(request, "events/list.html", {"page": page})


def _page(
    request: HttpRequest,
    event: NetworkEvent,
    *,
    bound: dict[int, ParticipantsForm] | None = None,
) -> HttpResponse:
    """The event page; `bound` holds the forms that came back with errors (what was typed
    is kept), by school."""
    bound = bound or {}
    user = request.user
    schools = registering_schools(user, event) if user.is_authenticated else []
    registrations = {
        registration.school_id: registration
        for registration in school_registrations(event, [school.pk for school in schools])
    }
    open_now = event.registration_open()
    started = event.has_started()
    description_html = render_markdown(event.display_description)
    entries = []
    for school in schools:
        registration = registrations.get(school.pk)
        team = list(school.team.all())
        # A school registers while registration is open, and changes whom it sends until the
        # event starts; a form that came back with errors is shown as it was typed.
        form = None
        closed = started or event.is_cancelled
        if not closed and school.pk in bound:
            form = bound[school.pk]
        elif not closed and (registration is not None or open_now):
            chosen = (
                [p.team_member_id for p in registration.participants.all()]
                if registration is not None
                else []
            )
            form = ParticipantsForm(
                initial={"members": chosen}, school=school, event=event, team=team
            )
        waiting = registration is not None and registration.status == RegistrationStatus.WAITING
        entries.append(
            {
                "school": school,
                "registration": registration,
                "position": registration.ahead + 1 if waiting else 0,
                "team": team,
                "form": form,
            }
        )
    context = {
        "event": event,
        # Markdown, as the activities' descriptions (the e-mails keep the plain text); the
        # page's summary for search engines is its text, without the Markdown.
        "description_html": description_html,
        "description_text": html.unescape(strip_tags(description_html)),
        "show_online_link": permissions.can_see_online_link(
            user, event, confirmed_school_ids(user, event)
        ),
        "seats": event_seats(event),
        "schools": entries,
        "registration_open": open_now,
        "started": started,
        "can_manage": permissions.can_manage_events(user, event.country),
    }
    return render_in_zone(request, event, "events/detail.html", context)


@read_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, visible_event(request, pk))


def _coordinated_school(request: HttpRequest, event: NetworkEvent):
    """The school named in the form, among those this person registers for the event."""
    schools = {school.pk: school for school in registering_schools(request.user, event)}
    if not schools:
        raise PermissionDenied(
            _("Only the school coordinator registers the school, while it is in the network.")
        )
    try:
        return schools[int(request.POST.get("school", ""))]
    except (KeyError, ValueError) as unknown:
        raise Http404 from unknown


@login_required
@post_only
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event(request, pk)
    school = _coordinated_school(request, event)
    form = ParticipantsForm(request.POST, school=school, event=event, team=list(school.team.all()))
    if form.is_valid():
        try:
            registration = registration_create(
                actor=request.user,
                event=event,
                school=school,
                members=list(form.cleaned_data["members"]),
            )
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(request, _("The school is registered: its place is confirmed."))
            else:
                messages.warning(
                    request,
                    _(
                        "All places are taken: the school is on the waiting list, number "
                        "%(position)s. If a place frees up, it is given to the school and the "
                        "school coordinator is told by e-mail."
                    )
                    % {"position": waiting_position(registration)},
                )
            return redirect("events:detail", pk=event.pk)
    return _page(request, event, bound={school.pk: form})


def changeable_registration(request: HttpRequest, event: NetworkEvent, pk: int):
    """A registration of the event that this person may change: their own school's (its
    coordinator) or, for the national coordinator, any; for anyone else it is not found."""
    registration = get_object_or_404(
        EventRegistration.objects.select_related("school", "event", "event__country"),
        pk=pk,
        event_id=event.pk,
    )
    user = request.user
    if permissions.can_change_school_registration(
        user, registration.school
    ) or permissions.can_manage_events(user, event.country):
        return registration
    raise Http404


@login_required
@post_only
def participants(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = visible_event(request, pk)
    registration = changeable_registration(request, event, registration_pk)
    school = registration.school
    if not permissions.can_change_school_registration(request.user, school):
        raise PermissionDenied(_("Only the school coordinator changes whom the school sends."))
    form = ParticipantsForm(
        request.POST, school=school, event=event, team=list(school.team.order_by("order", "id"))
    )
    if form.is_valid():
        try:
            registration_update_participants(
                actor=request.user,
                registration=registration,
                members=list(form.cleaned_data["members"]),
            )
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The participants are saved."))
            return redirect("events:detail", pk=event.pk)
    return _page(request, event, bound={school.pk: form})


@login_required
@page_with_form
def cancel_registration(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    """A page that says what cancelling does (a school with a place gives it to the first
    school waiting; a school waiting leaves the line), whose button posts back here and
    cancels. `next=registrations` returns to the national coordinator's list."""
    event = visible_event(request, pk)
    registration = changeable_registration(request, event, registration_pk)
    to_registrations = request.POST.get(
        "next", request.GET.get("next")
    ) == "registrations" and permissions.can_view_registrations(request.user, event)
    if request.method == "POST":
        try:
            registration_cancel(actor=request.user, registration=registration)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The registration is cancelled."))
        if to_registrations:
            return redirect("events:registrations", pk=event.pk)
        return redirect("events:detail", pk=event.pk)
    return render_in_zone(
        request,
        event,
        "events/cancel_registration.html",
        {
            "event": event,
            "registration": registration,
            "participants": list(registration.participants.all()),
            "seats": event_seats(event),
            "started": event.has_started(),
            "to_registrations": to_registrations,
        },
    )
