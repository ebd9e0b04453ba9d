"""Forms of the membership certificate: the national coordinator records UNESCO's certificate;
anyone looks a certificate number up. The rules themselves are the service's
(services/certificates.py), which reports its refusals under these forms' field names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.certificates import NUMBER_MAX_LENGTH

ACCEPTED_FILE_TYPES = "application/pdf,image/png,image/jpeg"


class CertificateRecordForm(forms.Form):
    """UNESCO's certificate of a school: its number, its date, and the file UNESCO sent."""

    number = forms.CharField(
        label=_("Certificate number"),
        max_length=NUMBER_MAX_LENGTH,
        help_text=_("As it is printed on UNESCO's certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date = forms.DateField(
        label=_("Certificate date"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    file = forms.FileField(
        label=_("UNESCO's certificate (file)"),
        required=False,
        help_text=_(
            "Optional: a PDF, PNG or JPEG file of at most 10 MB. Leave it empty to keep the "
            "file recorded before."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILE_TYPES}),
    )


class CertificateLookupForm(forms.Form):
    """The public verification page's one field (a plain GET form: it works without scripts)."""

    number = forms.CharField(
        label=_("Certificate number"),
        max_length=100,
        help_text=_("As it is printed on the certificate, e.g. LV-2026-017."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
        ),
    )
