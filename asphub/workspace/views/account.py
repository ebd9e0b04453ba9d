"""A person's own account: profile, personal data download, deletion. These pages live in the
workspace because they gather what every app below holds about the person."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from asphub.accounts.forms import AccountDeleteForm, ProfileForm
from asphub.accounts.models import User
from asphub.accounts.services import profile_update
from asphub.core.http import page_with_form, read_only
from asphub.roles.services import account_delete

from ..selectors import personal_data


@login_required
@page_with_form
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    # The form validates onto its own copy: a ModelForm writes the posted values into its
    # instance, and profile_update must still see the stored ones (to save and to record them).
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        profile_update(
            actor=user,
            user=user,
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@read_only
def personal_data_download(request: HttpRequest) -> HttpResponse:
    data = personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"asphub-personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@page_with_form
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(actor=user, user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("pages:home")
    return render(request, "accounts/delete.html", {"form": form})
