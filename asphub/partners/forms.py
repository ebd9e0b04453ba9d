"""The forms of partner finding: the school coordinator's notice and a message to a school.
The services validate again (they are the rule); the forms give each field its own error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from asphub.core.validators import validate_single_line
from asphub.countries.models import Country
from asphub.practices.models import ContentLanguage, EducationLevel
from asphub.taxonomy.models import ThematicArea

from .models import NOTE_MAX
from .selectors import countries_by_name
from .services import MESSAGE_MAX, SUBJECT_MAX


class PartnerSearchForm(forms.Form):
    active = forms.BooleanField(
        label=_("The school is looking for partners now"),
        required=False,
        help_text=_(
            "While this is ticked, the school is listed among the schools looking for partners."
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=ThematicArea.objects.order_by("position", "slug"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    education_levels = forms.MultipleChoiceField(
        label=_("Education levels"),
        choices=EducationLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the school can work in"),
        choices=ContentLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Partners from these countries"),
        queryset=Country.objects.order_by("name_en"),
        # Boxes in a scrolling group (no Ctrl-click), in the reader's alphabetical order.
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose none to welcome partners from any country."),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX,
        required=False,
        help_text=_(
            "A few sentences about the project the school has in mind. Shown publicly with "
            "the school's name; do not write anyone's contact details here."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        countries = self.fields["countries"]
        countries.widget.choices = [
            (country.pk, country.name) for country in countries_by_name(Country.objects.all())
        ]


class ContactForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=SUBJECT_MAX, validators=[validate_single_line]
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MESSAGE_MAX,
        help_text=_(
            "Plain text. The school's coordinator receives it by e-mail and answers you at "
            "your address; theirs stays hidden until they answer."
        ),
    )
