"""Giving and taking roles: answering an invitation (the only page of this app that someone
without a role reaches), the invite form of the team pages, withdrawing an invitation and
taking a role back."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from asphub.accounts.models import User
from asphub.accounts.selectors import address_has_account
from asphub.core.http import page_with_form, post_only, read_only

from . import permissions
from .forms import AcceptWithNewAccountForm, InviteForm
from .models import Invitation, InvitationStatus, Role
from .selectors import invitation_by_token, invitation_problem, is_addressed_to
from .services import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    role_revoke,
)

# The backend that checks e-mail and password (settings.AUTHENTICATION_BACKENDS).
PASSWORD_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@never_cache
@page_with_form
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    problem = invitation_problem(invitation)
    if problem is not None:
        status = 404 if invitation is None else 410
        return render(
            request, "roles/invitation_problem.html", {"problem": problem.messages[0]},
            status=status,
        )  # fmt: skip
    assert invitation is not None and invitation.status == InvitationStatus.PENDING
    user = request.user
    context: dict = {"invitation": invitation}
    if user.is_authenticated:
        if request.method == "POST":
            try:
                invitation_accept(token=token, user=user)
            except ValidationError as error:
                context["problem"] = error.messages[0]
            else:
                messages.success(
                    request,
                    _("You are now %(role)s for %(scope)s.")
                    % {"role": invitation.get_role_display(), "scope": invitation.scope_label},
                )
                return redirect("dashboard:index")
        elif not is_addressed_to(invitation, user):
            context["problem"] = _(
                "This invitation was sent to %(email)s, but you are signed in as %(current)s. "
                "Sign out and open the link again."
            ) % {"email": invitation.email, "current": user.email}
        return render(request, "roles/invitation_accept.html", context)

    if address_has_account(invitation.email):
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        context["login_url"] = login_url
        return render(request, "roles/invitation_accept.html", context)

    form = AcceptWithNewAccountForm(
        request.POST or None, initial={"preferred_language": invitation.language}
    )
    if request.method == "POST" and form.is_valid():
        candidate = User(email=invitation.email, full_name=form.cleaned_data["full_name"])
        form.password_errors_for(candidate)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The link proved the address and the password was just chosen: asking for it
            # again would prove nothing more. Roles that need two-factor sign-in are sent on
            # to set it up by RequireTwoFactorMiddleware.
            login(request, assignment.user, backend=PASSWORD_BACKEND)
            # allauth asks for the password again before setting up two-factor sign-in unless
            # the session records a recent one: record this one, as its own sign-in does.
            record_authentication(
                request, assignment.user, method="password", email=invitation.email
            )
            messages.success(
                request,
                _("Your account is ready, and you are signed in as %(email)s.")
                % {"email": invitation.email},
            )
            return redirect("dashboard:index")
    context["form"] = form
    return render(request, "roles/invitation_accept.html", context)


@read_only
def admin_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The administration's "view on site" shortcut answers for any object id, in any country;
    only administrators get it (national coordinators open the public pages directly)."""
    if not permissions.roles_of(request.user).administrator:
        raise Http404
    return shortcut(request, content_type_id, object_id)


# -- the invite form of a team page -----------------------------------------------------------


def _invite(request: HttpRequest, form: InviteForm, scope: dict[str, Any]) -> bool:
    """Send the invitation the form asks for; True when it went out."""
    if not form.is_valid():
        return False
    try:
        invitation = invitation_create(
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            language=form.cleaned_data["language"],
            site_url=request.build_absolute_uri("/"),
            **scope,
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


def invite_form_or_redirect(
    request: HttpRequest,
    *,
    roles: tuple[Role, ...],
    scope: dict[str, Any],
    refused: str,
) -> InviteForm | HttpResponse | None:
    """The invite form of a team page (the roles this person may give here, at `scope`:
    school= or country=), handling its POST. Returns the redirect after a sent invitation,
    else the form (bound, with its errors, after a refused one), or None: may invite no one."""
    invitable = [role for role in roles if permissions.can_invite(request.user, role, **scope)]
    form = InviteForm(request.POST or None, roles=invitable) if invitable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(refused)
        if _invite(request, form, scope):
            return redirect(request.path)  # the same team page, with the invitation listed
    return form


# -- taking back --------------------------------------------------------------------------------


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
@page_with_form
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
            request, "roles/revoke_confirm.html", {"assignment": assignment, "back": back}
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


def _manageable_invitation(request: HttpRequest, pk: int) -> Invitation:
    """The invitation, if this person may act on it; else 404, as if it did not exist."""
    return get_object_or_404(
        permissions.manageable_invitations(request.user).select_related(
            "school__country", "country"
        ),
        pk=pk,
    )


@login_required
@post_only
def withdraw_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _manageable_invitation(request, pk)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return _back(request, "dashboard:index")


@login_required
@post_only
def resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an open invitation again, with a new link (the old one stops working)."""
    invitation = _manageable_invitation(request, pk)
    try:
        invitation_resend(
            actor=request.user, invitation=invitation, site_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is sent again, with a new link that works for 7 days.")
            % {"email": invitation.email},
        )
    return _back(request, "dashboard:index")
