"""Answering an invitation: the only page of this app that someone without a role reaches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import AcceptWithNewAccountForm
from .models import InvitationStatus
from .services import (
    address_has_account,
    invitation_accept,
    invitation_by_token,
    invitation_problem,
    is_addressed_to,
)


@never_cache
@require_http_methods(["GET", "POST"])
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
        candidate = get_user_model()(
            email=invitation.email, full_name=form.cleaned_data["full_name"]
        )
        form.password_errors_for(candidate)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your account is ready. Sign in with %(email)s and your new password.")
                % {"email": invitation.email},
            )
            return redirect(reverse("account_login") + "?" + urlencode({"login": invitation.email}))
    context["form"] = form
    return render(request, "roles/invitation_accept.html", context)


def admin_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The administration's "view on site" shortcut answers for any object id, in any country;
    only administrators get it (national coordinators open the public pages directly)."""
    from django.contrib.contenttypes.views import shortcut
    from django.http import Http404

    from .permissions import roles_of

    if not roles_of(request.user).administrator:
        raise Http404
    return shortcut(request, content_type_id, object_id)
