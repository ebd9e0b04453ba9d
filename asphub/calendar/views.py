"""The calendar's pages: the month view, the list view, the page of feed addresses, and the
iCal feeds themselves (network, country, school, a person's own registrations).

The pages are public: what each person sees is decided by the selectors (public items for
everyone, network-only ones for people of that country's network). A feed is read by calendar
applications, which cannot sign in: the public feeds hold public items only, and the personal
feed is found by the signed address only its owner is shown. A feed that does not exist (an
unknown country, a school that is not in the public directory, an address that no longer
works) answers 404 with a short plain-text reason, and names nothing private.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asphub.core.http import post_only, read_only
from asphub.countries.models import Country
from asphub.events.models import EventVisibility
from asphub.roles.permissions import can_see_online_link
from asphub.schools.models import PUBLIC_STATUSES, School

from . import feeds, rendering
from .filters import (
    DEFAULT_LIST_SPAN,
    MAX_LIST_SPAN,
    CalendarFilterForm,
    DateRangeForm,
    MonthForm,
)
from .selectors import (
    calendar_list,
    calendar_month,
    country_feed,
    event_file,
    network_feed,
    personal_feed_address,
    personal_feed_of,
    personal_feed_owner,
    personal_registrations,
    school_feed,
    schools_of,
)
from .services import personal_feed_renew

# How long a public feed may be kept by whoever fetches it (applications fetch every few hours).
PUBLIC_FEED_MAX_AGE = 15 * 60
# What the person is told once their personal address is made: the first time, or again.
FEED_MADE = gettext_lazy("Your personal calendar address is ready.")
FEED_RENEWED = gettext_lazy(
    "Your personal calendar address is ready. Any address you had before no longer works."
)
# The query parameters that are not filters (each view sets its own).
NOT_FILTERS = ("month", "start", "end", "page")


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query.urlencode()


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@read_only
def month(request: HttpRequest) -> HttpResponse:
    filter_form = CalendarFilterForm(request.GET or None)
    today = feeds.today()
    first = today.replace(day=1)
    month_form = MonthForm(request.GET or None, initial={"month": first})
    if month_form.is_bound and month_form.is_valid() and month_form.cleaned_data["month"]:
        first = month_form.cleaned_data["month"]
    view = calendar_month(request.user, filter_form.filters(), first)
    filter_query = _filter_query(request)
    writer = rendering.Writer(list_url=reverse("calendar:list"), filter_query=filter_query)
    context = {
        "view": view,
        "weeks": writer.weeks(view, today),
        "continuing": writer.items(view.continuing),
        "filter_form": filter_form,
        "month_form": month_form,
        "filter_query": filter_query,
        "today": today,
    }
    return render(request, "calendar/month.html", context)


@read_only
def list_view(request: HttpRequest) -> HttpResponse:
    filter_form = CalendarFilterForm(request.GET or None)
    today = feeds.today()
    dates = DateRangeForm(
        request.GET or None, initial={"start": today, "end": today + DEFAULT_LIST_SPAN}
    )
    start, end = today, None
    if dates.is_bound:
        dates.is_valid()
        start = dates.cleaned_data.get("start") or today
        end = dates.cleaned_data.get("end")
    if end is None or end < start or end - start > MAX_LIST_SPAN:
        end = start + DEFAULT_LIST_SPAN
    found = calendar_list(
        request.user, filter_form.filters(), start=start, end=end, number=request.GET.get("page")
    )
    writer = rendering.Writer()
    context = {
        "found": found,
        "groups": [(group, writer.items(group.items)) for group in found.groups],
        "page": found.page,
        "filter_form": filter_form,
        "dates": dates,
        "start": start,
        "end": end,
        "today": today,
        "query_string": _query_without_page(request),
        "filter_query": _filter_query(request),
    }
    return render(request, "calendar/list.html", context)


def _feed_url(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


@read_only
def feed_list(request: HttpRequest) -> HttpResponse:
    """The feeds' addresses to copy into a calendar application; for a signed-in person, also
    their personal one (made on request, and made again to stop the old one working)."""
    personal = None
    if request.user.is_authenticated:
        token = personal_feed_address(personal_feed_of(request.user))
        if token is not None:
            personal = _feed_url(request, "calendar:feed_personal", token=token)
    countries = list(
        Country.objects.filter(schools__membership_status__in=PUBLIC_STATUSES)
        .distinct()
        .order_by("name_en")
    )
    context = {
        "network_url": _feed_url(request, "calendar:feed_network"),
        "countries": [
            (country, _feed_url(request, "calendar:feed_country", code=country.code.lower()))
            for country in countries
        ],
        "schools": [
            (school, _feed_url(request, "calendar:feed_school", pk=school.pk))
            for school in schools_of(request.user)
        ],
        "personal_url": personal,
        # Any school's feed: the address with its number (the school's pages link to it).
        "school_pattern": _feed_url(request, "calendar:feed_school", pk=0).replace(
            "/0.ics", "/N.ics"
        ),
    }
    response = render(request, "calendar/feeds.html", context)
    # The personal address is a key: never kept by a shared cache. (The page's own address,
    # the referrer it sends, holds no key. Not "no-referrer": with it browsers send the page's
    # own form with `Origin: null`, which the CSRF check refuses; "same-origin" sends nothing
    # to other sites either.)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@post_only
def feed_renew(request: HttpRequest) -> HttpResponse:
    renewed = personal_feed_of(request.user) is not None
    personal_feed_renew(user=request.user)
    messages.success(request, str(FEED_RENEWED if renewed else FEED_MADE))
    return redirect("calendar:feeds")


# -- the feeds --------------------------------------------------------------------------------


def _writer(request: HttpRequest) -> feeds.Writer:
    activity = request.build_absolute_uri(reverse("activities:detail", kwargs={"pk": 0}))[:-2]
    event = request.build_absolute_uri(reverse("events:detail", kwargs={"pk": 0}))[:-2]

    def link(kind: str, pk: int) -> str:
        return f"{activity if kind == 'activity' else event}{pk:d}/"

    return feeds.Writer(link=link)


def _ics(body: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=feeds.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_FEED_MAX_AGE)
    return response


def _not_found(reason: str) -> HttpResponse:
    return HttpResponseNotFound(reason, content_type="text/plain; charset=utf-8")


def _public_document(
    request: HttpRequest, *, name: str, description: str, activities, events
) -> bytes:
    writer = _writer(request)
    return feeds.calendar_document(
        name=name,
        description=description,
        components=[writer.event(event) for event in events]
        + [writer.activity(activity) for activity in activities],
        zones=writer.zones,
    )


@read_only
def feed_network(request: HttpRequest) -> HttpResponse:
    activities, events = network_feed(feeds.today())
    body = _public_document(
        request,
        name=_("UNESCO Associated Schools: the network's calendar"),
        description=_("Public activities of the network's schools and public network events."),
        activities=activities,
        events=events,
    )
    return _ics(body, "network.ics")


@read_only
def feed_country(request: HttpRequest, code: str) -> HttpResponse:
    country = Country.objects.filter(code=code.upper()).first() if len(code) == 2 else None
    if country is None:
        return _not_found(_("There is no country with this code on the platform."))
    activities, events = country_feed(country.pk, feeds.today())
    body = _public_document(
        request,
        name=_("UNESCO Associated Schools in %(country)s") % {"country": country.name},
        description=_("Public activities of the country's schools and its public network events."),
        activities=activities,
        events=events,
    )
    return _ics(body, f"{country.code.lower()}.ics")


@read_only
def feed_school(request: HttpRequest, pk: int) -> HttpResponse:
    school = (
        School.objects.filter(pk=pk, membership_status__in=PUBLIC_STATUSES)
        .select_related("country")
        .first()
    )
    if school is None:
        return _not_found(_("There is no school with this number in the public directory."))
    body = _public_document(
        request,
        name=school.name,
        description=_("Public activities of the school."),
        activities=school_feed(school, feeds.today()),
        events=[],
    )
    return _ics(body, f"school-{school.pk}.ics")


@read_only
def feed_personal(request: HttpRequest, token: str) -> HttpResponse:
    user = personal_feed_owner(token)
    if user is None:
        return _not_found(
            _("This calendar address does not work (any more). Make a new one on the feeds page.")
        )
    # A calendar application asks in any language: the feed is in the person's own.
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        writer = _writer(request)
        registrations = personal_registrations(user, today=feeds.today())
        components = [
            writer.registration(
                registration,
                earlier=registration.earlier,
                position=registration.ahead + 1,
                with_online_link=can_see_online_link(
                    user, registration.event, [registration.school_id]
                ),
            )
            for registration in registrations
        ]
        body = feeds.calendar_document(
            name=_("My network events"),
            description=_("The network events your schools registered for."),
            components=components,
            zones=writer.zones,
        )
    return _ics(body, "my-events.ics", private=True)


@read_only
def feed_event(request: HttpRequest, pk: int) -> HttpResponse:
    """One network event as a file to add to a calendar application (the event page's link):
    for whoever may open the event's page; otherwise 404, saying nothing of the event."""
    found = event_file(request.user, pk)
    if found is None:
        return _not_found(_("There is no such event."))
    event, online = found
    writer = _writer(request)
    body = feeds.calendar_document(
        name=event.display_title,
        description=_("A network event of the UNESCO Associated Schools."),
        components=[writer.event(event, with_online_link=online)],
        zones=writer.zones,
    )
    # Network-only events and online links are the requester's own: kept by no shared cache.
    private = request.user.is_authenticated or event.visibility != EventVisibility.PUBLIC
    return _ics(body, f"event-{event.pk}.ics", private=private)
