"""The application form's steps, the coordinator's decision and rules forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.uploads import validate_pdf
from asphub.core.validators import validate_single_line
from asphub.countries.models import Country
from asphub.schools.lifecycle import MembershipAction
from asphub.schools.models import TeamRole
from asphub.taxonomy.models import FlagshipNetwork, ThematicArea

from .checklist import CHECKLIST_CRITERIA
from .models import Application, ApplicationQuestion
from .services.applications import (
    INSTITUTION_FIELDS,
    PLAN_FIELDS,
    REASON_MAX_WORDS,
    word_count,
)

SINGLE_LINE_FIELDS = {
    "name", "settlement", "registration_number", "address", "phone", "principal_title",
    "principal_name", "coordinator_name", "coordinator_position", "heard_from_other",
}  # fmt: skip


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    formfield = field.formfield(**kwargs)
    if formfield is not None and field.name in SINGLE_LINE_FIELDS:
        formfield.validators.append(validate_single_line)
    return formfield


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by the stylesheet, skipped by screen readers and the
    keyboard) and bots fill in."""

    nickname = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("nickname")))


class InstitutionForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = list(INSTITUTION_FIELDS)
        formfield_callback = _formfield
        widgets = {
            "social_links": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        help_texts = {
            "name": _("It is printed on the membership certificate exactly as you write it."),
            "registration_number": _("As in the register of educational institutions."),
        }

    def __init__(self, *args: Any, country: Country, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subdivisions = country.subdivisions.order_by("sort_key")
        self.fields["subdivision"].queryset = subdivisions
        self.fields["subdivision"].required = subdivisions.exists()
        self.fields["ownership"].required = True
        self.fields["ownership"].choices = [
            ("", "---------"),
            *self.fields["ownership"].choices[1:],
        ]

    def clean_social_links(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["social_links"].splitlines()]
        lines = [line for line in lines if line]
        validator = forms.URLField(assume_scheme="https")
        cleaned = []
        for line in lines[:10]:
            try:
                cleaned.append(validator.clean(line))
            except ValidationError:
                raise ValidationError(
                    _("“%(line)s” is not a web address.") % {"line": line[:80]}, code="invalid"
                ) from None
        return "\n".join(cleaned)


class PeopleForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "principal_title", "principal_name", "principal_email", "coordinator_name",
            "coordinator_position", "coordinator_email",
        ]  # fmt: skip
        formfield_callback = _formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            if name != "principal_title":
                self.fields[name].required = True


class TeamMemberForm(forms.Form):
    full_name = forms.CharField(
        label=_("full name"), max_length=200, required=False, validators=[validate_single_line]
    )
    position = forms.CharField(
        label=_("position at the school"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    team_role = forms.ChoiceField(
        label=_("part in the team"), choices=[("", "---------"), *TeamRole.choices], required=False
    )
    email = forms.EmailField(label=_("e-mail"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("full_name") and not data.get("team_role"):
            self.add_error("team_role", ValidationError(_("Choose the part."), code="required"))
        return data


def team_formset(data: Any = None, *, team: list[dict], country: Country) -> Any:
    """The team's rows, and blank ones up to the country's minimum plus two."""
    initial = [dict(member) for member in team]
    blank = max(country.minimum_team_size - len(initial), 0) + 2
    formset_class = forms.formset_factory(TeamMemberForm, extra=blank, max_num=30, absolute_max=30)
    return formset_class(data, initial=initial, prefix="team")


def team_from(formset: Any) -> list[dict]:
    return [
        {
            "full_name": form.cleaned_data["full_name"],
            "position": form.cleaned_data.get("position", ""),
            "team_role": form.cleaned_data.get("team_role", ""),
            "email": form.cleaned_data.get("email", ""),
        }
        for form in formset.forms
        if form.cleaned_data.get("full_name")
    ]


class PlansForm(forms.ModelForm):
    flagship_interests = forms.ModelMultipleChoiceField(
        label=_("Flagship networks the school is interested in"),
        queryset=FlagshipNetwork.objects.filter(status=FlagshipNetwork.Status.ACTIVE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Application
        fields = [name for name in PLAN_FIELDS if name != "planned_activities"]
        formfield_callback = _formfield
        widgets = {
            "time_available": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "reason": _("At most 100 words."),
            "time_available": _("E.g. hours a month the team can give to ASPnet activities."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_available"].required = True
        self.fields["reason"].required = True
        self.areas = list(ThematicArea.objects.order_by("position", "slug"))
        planned = (self.instance.planned_activities or {}) if self.instance else {}
        for area in self.areas:
            self.fields[f"activities_{area.slug}"] = forms.CharField(
                label=area.name.text if hasattr(area.name, "text") else str(area.name),
                required=False,
                max_length=3000,
                initial=planned.get(area.slug, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if self.instance and self.instance.pk:
            self.fields["flagship_interests"].initial = list(
                self.instance.flagship_interests.values_list("pk", flat=True)
            )

    def activity_fields(self) -> list:
        return [self[f"activities_{area.slug}"] for area in self.areas]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        count = word_count(reason)
        if count > REASON_MAX_WORDS:
            raise ValidationError(
                _("%(count)s words: write at most %(max)s.")
                % {"count": count, "max": REASON_MAX_WORDS},
                code="too_many_words",
            )
        return reason

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["planned_activities"] = {
            area.slug: self.cleaned_data[f"activities_{area.slug}"].strip()
            for area in self.areas
            if self.cleaned_data[f"activities_{area.slug}"].strip()
        }
        data["flagship_interests"] = list(self.cleaned_data["flagship_interests"])
        return data


class ConfirmForm(forms.Form):
    letter = forms.FileField(
        label=_("Signed letter of the principal (PDF, at most 10 MB; optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the data in this application are processed to decide the "
                "school's membership, as the privacy notice describes."),
        required=True,
    )  # fmt: skip

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(
            ApplicationQuestion.objects.filter(country=application.country, active=True)
        )
        answers = application.extra_answers or {}
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text.text,
                required=question.required,
                max_length=3000,
                initial=answers.get(str(question.pk), ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["consent"].initial = application.consent_at is not None

    def clean_letter(self) -> Any:
        letter = self.cleaned_data.get("letter")
        if letter:
            validate_pdf(letter, max_megabytes=10)
        return letter

    def question_fields(self) -> list:
        return [self[f"question_{question.pk}"] for question in self.questions]

    def answers(self) -> dict[str, str]:
        return {
            str(question.pk): self.cleaned_data[f"question_{question.pk}"].strip()
            for question in self.questions
        }


# -- the coordinator's forms --------------------------------------------------------------------


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=MembershipAction.choices, widget=forms.HiddenInput)
    seen_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (the school reads it)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note (only the national network's team reads it)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChecklistForm(forms.Form):
    ticked = forms.MultipleChoiceField(
        label=_("Checklist"),
        choices=CHECKLIST_CRITERIA,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CountryRulesForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Needed only with a candidate stage (checked in clean()).
        self.fields["candidate_stage_months"].required = False

    class Meta:
        model = Country
        fields = [
            "uses_candidate_stage", "candidate_stage_months", "renewal_period_years",
            "minimum_team_size", "minimum_team_teachers", "minimum_team_administration",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        size = data.get("minimum_team_size") or 0
        parts = (data.get("minimum_team_teachers") or 0) + (
            data.get("minimum_team_administration") or 0
        )
        if parts > size:
            raise ValidationError(
                _("The teachers and administration required are more than the team's minimum "
                  "size."),
                code="team_rule",
            )  # fmt: skip
        if data.get("uses_candidate_stage") and not data.get("candidate_stage_months"):
            self.add_error(
                "candidate_stage_months",
                ValidationError(_("Give the candidate stage's length."), code="required"),
            )
        elif not data.get("uses_candidate_stage") and not data.get("candidate_stage_months"):
            # Without a candidate stage its length does not matter: the stored one stays.
            data["candidate_stage_months"] = self.instance.candidate_stage_months
        return data


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ApplicationQuestion
        fields = ["text_lv", "text_en", "required", "active", "position"]


QuestionFormSet = forms.modelformset_factory(
    ApplicationQuestion, form=QuestionForm, extra=1, can_delete=False, max_num=20,
    validate_max=True, absolute_max=20,
)  # fmt: skip
