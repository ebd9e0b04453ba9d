"""The signed-in person's workspace: their dashboard, their school's team, their country's
network. Every object is fetched through the permission layer's querysets, so anything outside
a person's scope is not found (404) and nothing reveals that it exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from asphub.roles import permissions
from asphub.roles.forms import InviteForm
from asphub.roles.models import Role
from asphub.roles.services import invitation_create, invitation_revoke, role_revoke

from .selectors import country_overviews, country_team, dashboard_for, school_team


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/index.html", {"dashboard": dashboard_for(request.user)})


def _invite(request: HttpRequest, form: InviteForm, *, school=None, country=None) -> bool:
    """Send the invitation the form asks for; True when it went out."""
    if not form.is_valid():
        return False
    try:
        invitation = invitation_create(
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            school=school,
            country=country,
            language=form.cleaned_data["language"],
            site_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(
        request,
        _("Invitation sent to %(email)s. The link works once, for 7 days.")
        % {"email": invitation.email},
    )
    return True


def _invite_form_or_redirect(
    request: HttpRequest,
    *,
    roles: tuple[Role, ...],
    scope: dict,
    refused: str,
) -> InviteForm | HttpResponse | None:
    """The invite form of a team page (the roles this person may give here), handling a
    POST; returns the redirect after a sent invitation, else the form (None: may invite no one).
    """
    invitable = [role for role in roles if permissions.can_invite(request.user, role, **scope)]
    form = InviteForm(request.POST or None, roles=invitable) if invitable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(refused)
        if _invite(request, form, **scope):
            return redirect(request.path)  # the same team page, with the invitation listed
    return form


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
@require_http_methods(["GET", "POST"])
def school_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(
        permissions.workspace_schools(request.user).select_related("country"), pk=pk
    )
    form = _invite_form_or_redirect(
        request,
        roles=(Role.TEACHER, Role.SCHOOL_COORDINATOR),
        scope={"school": school},
        refused=_("You may not invite people to this school."),
    )
    if isinstance(form, HttpResponse):
        return form
    members, invitations = school_team(school)
    context = {"school": school, "form": form, **_team_context(request, members, invitations)}
    return render(request, "dashboard/school.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def country_workspace(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(permissions.coordinated_countries(request.user), code=code.upper())
    form = _invite_form_or_redirect(
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


def _manageable_ids(manageable: QuerySet, shown: list) -> set[int]:
    """Which of the rows shown this person may act on (one query)."""
    return set(manageable.filter(pk__in=[row.pk for row in shown]).values_list("pk", flat=True))


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_role(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (taking a role back cannot be undone, only given again by a new
    invitation); POST takes it back."""
    assignment = get_object_or_404(
        permissions.manageable_role_assignments(request.user).select_related(
            "user", "school__country", "country"
        ),
        pk=pk,
    )
    if request.method == "GET":
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return render(
            request, "dashboard/revoke_confirm.html", {"assignment": assignment, "back": back}
        )
    try:
        role_revoke(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(person)s is no longer %(role)s for %(scope)s.")
            % {
                "person": assignment.user,
                "role": assignment.get_role_display(),
                "scope": assignment.scope_label,
            },
        )
    return _back(request, "dashboard:index")


@login_required
@require_POST
def withdraw_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        permissions.manageable_invitations(request.user).select_related(
            "school__country", "country"
        ),
        pk=pk,
    )
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return _back(request, "dashboard:index")
