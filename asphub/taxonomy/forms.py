"""The form fields that tag a record (a library item, a school's activity) with the network's
vocabulary. A form class mixes them in: `class PracticeForm(VocabularyFields, forms.ModelForm)`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)


class VocabularyFields(forms.Form):
    """Thematic areas, pillars of education and SDGs as checkboxes; one flagship network and
    one international day, each optional."""

    thematic_areas = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=ThematicArea.objects.order_by("position", "slug"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pillars = forms.ModelMultipleChoiceField(
        label=_("Pillars of education"),
        queryset=Pillar.objects.order_by("position", "slug"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sdgs = forms.ModelMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        queryset=SustainableDevelopmentGoal.objects.order_by("number"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    flagship = forms.ModelChoiceField(
        label=_("Flagship network"),
        queryset=FlagshipNetwork.objects.order_by("position", "slug"),
        required=False,
        empty_label=_("None"),
    )
    international_day = forms.ModelChoiceField(
        label=_("International day"),
        queryset=InternationalDay.objects.order_by("position", "slug"),
        required=False,
        empty_label=_("None"),
    )
