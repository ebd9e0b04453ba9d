from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from asphub.core.validators import validate_single_line

from .models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth adds e-mail and password)."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, validators=[validate_single_line]
    )

    def signup(self, request: Any, user: User) -> None:
        """Fields are saved by AccountAdapter.save_user; nothing else to do here."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]
        help_texts = {
            "preferred_language": _("Every e-mail the platform sends you is in this language."),
        }


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good."), required=True
    )

    def __init__(self, *args: Any, user: User, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        # Through authenticate(), so that wrong passwords count towards the sign-in lockout.
        password = self.cleaned_data["password"]
        if authenticate(self.request, email=self.user.email, password=password) != self.user:
            raise forms.ValidationError(_("The password is not correct."), code="password")
        return password
