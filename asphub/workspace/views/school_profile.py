"""A school's own profile in the workspace: the public profile, the team and the flagship
networks on one page with one Save button (it works without JavaScript), and the request to
withdraw from the network.

As everywhere in the workspace, a school outside a person's scope is not found (404); a person
who may see the school's workspace but not do this (a teacher) is refused (403).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from asphub.core.forms import add_service_error
from asphub.core.http import page_with_form
from asphub.roles import permissions
from asphub.schools.models import FlagshipParticipation, School, TeamMember
from asphub.schools.profile_forms import (
    SchoolProfileForm,
    WithdrawalRequestForm,
    flagship_formset,
    team_formset,
)
from asphub.schools.profile_services import (
    IDENTITY_FIELDS,
    PROFILE_FIELDS,
    school_flagships_update,
    school_profile_update,
    school_team_update,
    school_withdrawal_request,
    team_rule_description,
    team_rule_shortfalls,
    withdrawal_request_pending,
)
from asphub.taxonomy.models import FlagshipNetwork


def _workspace_school(request: HttpRequest, pk: int) -> School:
    return get_object_or_404(
        permissions.workspace_schools(
            request.user, School.objects.select_related("country", "subdivision")
        ),
        pk=pk,
    )


def _seen_updated_at(request: HttpRequest, school: School) -> datetime.datetime:
    """The School.updated_at of the profile as the editor opened it (carried in the form)."""
    try:
        seen = parse_datetime(request.POST.get("seen_updated_at", "")) if request.POST else None
    except ValueError:  # well formed, but not a moment (month 13)
        seen = None
    return seen or school.updated_at


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        items = [item for errors in error.error_dict.values() for item in errors]
    else:
        items = error.error_list
    return {item.code or "" for item in items}


def _differing_fields(form: SchoolProfileForm, stored: School) -> list[str]:
    """Labels of the fields whose saved value now differs from what the editor typed."""
    labels = []
    for name in (*IDENTITY_FIELDS, *PROFILE_FIELDS):
        if name not in form.fields or name not in form.cleaned_data:
            continue
        typed, saved = form.cleaned_data[name], getattr(stored, name)
        if (typed or "") != (saved or ""):
            labels.append(str(form.fields[name].label))
    return labels


@login_required
@page_with_form
def school_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the school's public profile, its team and its flagship networks (the school's
    coordinator; the national coordinator and administrators also what identifies it)."""
    school = _workspace_school(request, pk)
    if not permissions.can_edit_school_profile(request.user, school):
        raise PermissionDenied(_("Only the school's coordinator may change its profile."))
    may_change_identity = permissions.can_manage_schools(request.user, school.country)
    team = list(TeamMember.objects.filter(school=school).order_by("order", "pk"))
    networks = list(FlagshipNetwork.objects.order_by("position", "slug"))
    participations = {
        participation.flagship_id: participation
        for participation in FlagshipParticipation.objects.filter(school=school)
    }
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    # The form validates onto its own copy, so that the services still see the stored values.
    editing = School.objects.select_related("country", "subdivision").get(pk=school.pk)
    form = SchoolProfileForm(post, files, instance=editing, may_change_identity=may_change_identity)
    team_forms = team_formset(post, team=team, minimum_size=school.country.minimum_team_size)
    flagship_forms = flagship_formset(post, networks=networks, participations=participations)
    seen = _seen_updated_at(request, school)
    changed_meanwhile: list[str] | None = None

    if post is not None:
        valid = form.is_valid() & team_forms.is_valid() & flagship_forms.is_valid()
        if valid:
            try:
                with transaction.atomic():
                    school_profile_update(
                        actor=request.user,
                        school=school,
                        seen_updated_at=seen,
                        **form.service_fields(),
                    )
                    school_team_update(
                        actor=request.user,
                        school=school,
                        members=team_forms.members(),
                        seen_updated_at=school.updated_at,
                    )
                    school_flagships_update(
                        actor=request.user,
                        school=school,
                        participations=flagship_forms.participations(),
                        seen_updated_at=school.updated_at,
                    )
            except ValidationError as error:
                # The school as it is stored (a first service may have changed it in memory
                # before a later one refused, and everything was rolled back).
                school.refresh_from_db()
                if "changed_meanwhile" in _codes(error):
                    stored = School.objects.select_related("subdivision").get(pk=school.pk)
                    changed_meanwhile = _differing_fields(form, stored)
                    # Saving again now keeps this editor's version, knowingly.
                    seen = stored.updated_at
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The profile is saved; the public profile shows it now.")
                )
                for shortfall in team_rule_shortfalls(school.country, team_forms.team_roles()):
                    messages.warning(request, shortfall.message)
                return redirect("dashboard:school_profile", pk=school.pk)

    team_roles = (
        team_forms.team_roles()
        if post is not None and team_forms.is_valid()
        else [member.team_role for member in team]
    )
    context = {
        "school": school,
        "form": form,
        "team_forms": team_forms,
        "flagship_forms": flagship_forms,
        "flagship_rows": list(zip(networks, flagship_forms.forms, strict=False)),
        "seen_updated_at": seen.isoformat(),
        "changed_meanwhile": changed_meanwhile,
        "may_change_identity": may_change_identity,
        "identity_fields": IDENTITY_FIELDS,
        "team_rule": team_rule_description(school.country),
        "team_shortfalls": team_rule_shortfalls(school.country, team_roles),
        "may_request_withdrawal": permissions.can_request_withdrawal(request.user, school),
    }
    return render(request, "dashboard/school_profile.html", context)


@login_required
@page_with_form
def school_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's coordinator asks the national coordinator to record the school's
    withdrawal, with the reason."""
    school = _workspace_school(request, pk)
    if not permissions.can_request_withdrawal(request.user, school):
        raise PermissionDenied(_("Only the school's coordinator may ask for its withdrawal."))
    pending = withdrawal_request_pending(school)
    form = WithdrawalRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            school_withdrawal_request(
                actor=request.user, school=school, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent to the national coordinator, who will record the "
                  "withdrawal or contact the school."),
            )  # fmt: skip
            return redirect("dashboard:school", pk=school.pk)
    context = {"school": school, "form": form, "pending": pending}
    return render(request, "dashboard/school_withdraw.html", context)


def school_workspace_extras(request: HttpRequest, school: School) -> dict[str, Any]:
    """What the school's workspace page (dashboard/school.html) shows of this: links to the
    profile and withdrawal pages for those who may use them, and a pending withdrawal request.
    One query (the request), whatever else the page holds."""
    return {
        "can_edit_profile": permissions.can_edit_school_profile(request.user, school),
        "can_request_withdrawal": permissions.can_request_withdrawal(request.user, school),
        "withdrawal_request": withdrawal_request_pending(school),
    }
