"""What the apps' forms share: a service's refusal shown on the form it came from, the refusal
of a save over someone else's newer one, and the rows of web links a record carries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .edits import StaleEdit
from .validators import validate_single_line


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal beside the field it is about where the form has that field, else
    above the form, with its codes."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def show_stale_edit(form: forms.BaseForm, error: StaleEdit, *, field: str) -> None:
    """A save refused because someone saved meanwhile: the refusal above the form, which keeps
    everything typed and now carries the revision stored (in its hidden `field`), so that a
    second save, made once the person has compared, is made against what they have seen."""
    add_service_error(form, error)
    typed = form.data.copy()
    typed[form.add_prefix(field)] = str(error.current)
    form.data = typed


class LinkForm(forms.Form):
    """One web link of a record (a practice, an activity): its address and the text shown."""

    url = forms.URLField(
        label=_("Web address"), max_length=500, required=False, assume_scheme="https"
    )
    title = forms.CharField(
        label=_("Link text"), max_length=200, required=False, validators=[validate_single_line]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("url") and "url" not in self.errors:
            self.add_error("url", ValidationError(_("Give the web address."), code="required"))
        return data


def links_from(formset: Any) -> list[dict[str, str]]:
    """The links a valid formset of LinkForms holds, in order (a row without an address is
    none)."""
    return [
        {"url": form.cleaned_data["url"], "title": form.cleaned_data.get("title", "")}
        for form in formset.forms
        if form.cleaned_data.get("url")
    ]
