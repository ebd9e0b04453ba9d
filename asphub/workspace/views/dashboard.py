"""The signed-in person's workspace: their dashboard, their school's team, their country's
network. Every object is fetched through the permission layer's querysets, so anything outside
a person's scope is not found (404) and nothing reveals that it exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from asphub.core.http import page_with_form, read_only
from asphub.countries.models import CONTACT_FIELDS, Country
from asphub.membership.certificates import has_certificate
from asphub.membership.selectors import membership_history
from asphub.pages.forms import CountryContactForm
from asphub.pages.services import country_contact_update
from asphub.roles import permissions
from asphub.roles.models import Role
from asphub.roles.views import invite_form_or_redirect
from asphub.schools.models import School

from ..selectors import country_overviews, country_team, dashboard_for, school_team
from .school_profile import school_workspace_extras

# The school's own page shows its latest membership steps (the national coordinator's page
# has them all).
HISTORY_SHOWN = 20


@login_required
@read_only
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/index.html", {"dashboard": dashboard_for(request.user)})


def _team_context(request: HttpRequest, members: list, invitations: list) -> dict:
    return {
        "members": members,
        "invitations": invitations,
        "manageable_roles": _manageable_ids(
            permissions.manageable_role_assignments(request.user), members
        ),
        "manageable_invitations": _manageable_ids(
            permissions.manageable_invitations(request.user), invitations
        ),
    }


@login_required
@page_with_form
def school_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(
        permissions.workspace_schools(request.user, School.objects.select_related("country")),
        pk=pk,
    )
    form = invite_form_or_redirect(
        request,
        roles=(Role.TEACHER, Role.SCHOOL_COORDINATOR),
        scope={"school": school},
        refused=_("You may not invite people to this school."),
    )
    if isinstance(form, HttpResponse):
        return form
    members, invitations = school_team(school)
    context = {
        "school": school,
        "form": form,
        "has_certificate": has_certificate(school),
        "can_manage_partner_search": permissions.can_manage_partner_search(request.user, school),
        "history": membership_history(school)[:HISTORY_SHOWN],
        **_team_context(request, members, invitations),
        **school_workspace_extras(request, school),
    }
    return render(request, "dashboard/school.html", context)


@login_required
@page_with_form
def country_workspace(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    form = invite_form_or_redirect(
        request,
        roles=(Role.REVIEWER, Role.NATIONAL_COORDINATOR),
        scope={"country": country},
        refused=_("You may not invite people to this country's network."),
    )
    if isinstance(form, HttpResponse):
        return form
    members, invitations = country_team(country)
    context = {
        "country": country,
        "overview": country_overviews([country])[0],
        "form": form,
        **_team_context(request, members, invitations),
    }
    return render(request, "dashboard/country.html", context)


@login_required
@page_with_form
def country_contact(request: HttpRequest, code: str) -> HttpResponse:
    """The national network's contact details, as its coordinator keeps them."""
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    # The form validates onto its own copy, so that the service still sees the stored values.
    form = CountryContactForm(request.POST or None, instance=Country.objects.get(pk=country.pk))
    if request.method == "POST" and form.is_valid():
        try:
            country_contact_update(
                actor=request.user,
                country=country,
                **{name: form.cleaned_data[name] for name in CONTACT_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The contact details are saved."))
            return redirect("dashboard:country", code=country.code)
    return render(request, "dashboard/country_contact.html", {"country": country, "form": form})


def _manageable_ids(manageable: QuerySet, shown: list) -> set[int]:
    """Which of the rows shown this person may act on (one query)."""
    return set(manageable.filter(pk__in=[row.pk for row in shown]).values_list("pk", flat=True))
