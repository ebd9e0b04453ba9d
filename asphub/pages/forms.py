from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import CONTACT_FIELDS, Country


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # A website typed without its scheme is taken to be https://, as Django 6 will do.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CountryContactForm(forms.ModelForm):
    """Whom applicants and members of a national network contact (shown on the join page, in
    every page's footer and in the platform's e-mails)."""

    class Meta:
        model = Country
        fields = list(CONTACT_FIELDS)
        formfield_callback = _formfield
        help_texts = {
            "coordinator_name": _("As it should appear on the public pages, e.g. “Anna Bērziņa”."),
            "contact_email": _("Where applicants and schools write to the national network."),
            "commission_website": _("The address of its website, starting with https://."),
        }
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "commission_website": forms.URLInput(attrs={"autocomplete": "url"}),
        }
