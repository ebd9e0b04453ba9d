"""The forms of a school's profile page in the workspace: the profile itself, its team and its
flagship networks, and the request to withdraw. They check what was typed; the services in
profile_services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asphub.countries.models import Subdivision
from asphub.taxonomy.models import FlagshipNetwork

from .images import ACCEPTED_CONTENT_TYPES, LOGO_MAX_SIDE, PHOTO_MAX_SIDE, checked_image
from .models import School, TeamMember, TeamRole
from .profile_services import FIRST_NETWORK_YEAR, IDENTITY_FIELDS, MAX_TEAM_SIZE, PROFILE_FIELDS


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # A website typed without its scheme is taken to be https://, as Django 6 will do.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def _picture_input() -> forms.FileInput:
    return forms.FileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES})


class SchoolProfileForm(forms.ModelForm):
    """The public profile. Those who may not change what identifies the school (its
    coordinator) get the form without those fields. Pictures are checked and re-encoded as
    they are cleaned; a picture that is refused is the only field that comes back empty."""

    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        widget=_picture_input(),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    photo = forms.FileField(
        label=_("New photo"),
        required=False,
        widget=_picture_input(),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location and camera details are removed."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = School
        fields = [*IDENTITY_FIELDS, *PROFILE_FIELDS]
        formfield_callback = _formfield
        labels = {"email": _("Public e-mail"), "phone": _("Public phone")}
        help_texts = {
            "name": _("Exactly as it is to be printed on the membership certificate."),
            "email": _("Shown on the public profile: use the school's address, not a person's."),
            "website": _("The address of the school's website, starting with https://."),
            "description_lv": _("What the school does in the network, for the public profile."),
            "latitude": _("In decimal degrees, e.g. 56.94900."),
            "longitude": _("In decimal degrees, e.g. 24.10600."),
        }
        widgets = {
            "description_lv": forms.Textarea(attrs={"rows": 6, "lang": "lv"}),
            "description_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args: Any, may_change_identity: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.may_change_identity = may_change_identity
        if may_change_identity:
            subdivisions = Subdivision.objects.filter(country_id=self.instance.country_id)
            self.fields["subdivision"].queryset = subdivisions  # type: ignore[attr-defined]
        else:
            for name in IDENTITY_FIELDS:
                del self.fields[name]

    def _clean_picture(self, name: str, max_side: int) -> Any:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        return checked_image(upload, max_side=max_side)

    def clean_logo(self) -> Any:
        return self._clean_picture("logo", LOGO_MAX_SIDE)

    def clean_photo(self) -> Any:
        return self._clean_picture("photo", PHOTO_MAX_SIDE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("logo", "photo"):
            if data.get(name) and data.get(f"remove_{name}"):
                self.add_error(
                    f"remove_{name}",
                    ValidationError(
                        _("Either upload a new picture or remove the current one, not both."),
                        code="contradiction",
                    ),
                )
        return data

    def service_fields(self) -> dict[str, Any]:
        """What school_profile_update is asked to set: every field of the form, and a picture
        only where one was uploaded (or is to be removed)."""
        data = self.cleaned_data
        fields = {
            name: data[name] for name in (*IDENTITY_FIELDS, *PROFILE_FIELDS) if name in self.fields
        }
        for name in ("logo", "photo"):
            if data.get(name):
                fields[name] = data[name]
            elif data.get(f"remove_{name}"):
                fields[name] = False
        return fields


# -- the team ---------------------------------------------------------------------------------


class TeamMemberForm(forms.Form):
    """One person of the school's UNESCO team (a blank row adds nobody)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    team_role = forms.ChoiceField(
        label=_("Part in the team"), choices=[("", "—"), *TeamRole.choices]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)


class BaseTeamFormSet(forms.BaseFormSet):
    def members(self) -> list[dict[str, Any]]:
        """The team as school_team_update takes it, in the order chosen (deleted and blank rows
        left out)."""
        return [
            {name: form.cleaned_data.get(name) for name in TeamMemberForm.base_fields}
            for form in self.ordered_forms
        ]

    def team_roles(self) -> list[str]:
        return [member["team_role"] for member in self.members()]


def team_formset(
    data: Any = None, *, team: list[TeamMember], minimum_size: int = 0
) -> BaseTeamFormSet:
    """The team's rows in their order, then blank ones: enough to reach the country's minimum,
    and two more (without JavaScript, a few blank rows are the way to add people)."""
    blank = max(minimum_size - len(team), 0) + 2
    formset_class = forms.formset_factory(
        TeamMemberForm,
        formset=BaseTeamFormSet,
        extra=blank,
        can_delete=True,
        can_order=True,
        max_num=MAX_TEAM_SIZE,
        absolute_max=MAX_TEAM_SIZE,
        validate_max=True,
    )
    initial = [
        {
            "id": member.pk,
            "full_name": member.full_name,
            "position": member.position,
            "team_role": member.team_role,
            "email": member.email,
            "ORDER": number,
        }
        for number, member in enumerate(team, start=1)
    ]
    formset: BaseTeamFormSet = formset_class(data, initial=initial, prefix="team")  # type: ignore[assignment]
    for form in formset.forms:
        form.fields["ORDER"].label = _("Place in the list")
        form.fields["ORDER"].widget.attrs.update({"min": 1, "max": MAX_TEAM_SIZE})
        form.fields["DELETE"].label = _("Remove")
    return formset


# -- the flagship networks --------------------------------------------------------------------


class FlagshipParticipationForm(forms.Form):
    """Whether the school takes part in one flagship network, and from and to which year."""

    flagship = forms.IntegerField(widget=forms.HiddenInput)
    takes_part = forms.BooleanField(required=False)
    since_year = forms.IntegerField(required=False)
    until_year = forms.IntegerField(required=False)

    def __init__(self, *args: Any, network: FlagshipNetwork | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.network = network
        if network is not None:
            self.fields["takes_part"].label = network.name.text
        # Up to next year: a school may enter the year it starts in the coming school year.
        last = timezone.localdate().year + 1
        for name, label in (("since_year", _("Since (year)")), ("until_year", _("Until (year)"))):
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=FIRST_NETWORK_YEAR,
                max_value=last,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean_flagship(self) -> int:
        flagship = self.cleaned_data["flagship"]
        if self.network is None or flagship != self.network.pk:
            raise ValidationError(
                _("The list of flagship networks has changed; open the page again."),
                code="flagships_changed",
            )
        return flagship

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since_year"), data.get("until_year")
        if data.get("takes_part") and since and until and until < since:
            self.add_error(
                "until_year",
                ValidationError(
                    _("The year the school left comes before the year it joined."),
                    code="years_order",
                ),
            )
        return data


class BaseFlagshipFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, networks: list[FlagshipNetwork], **kwargs: Any):
        self.networks = networks
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        known = index is not None and index < len(self.networks)
        kwargs["network"] = self.networks[index] if known else None  # type: ignore[index]
        return kwargs

    def participations(self) -> list[dict[str, Any]]:
        """The networks ticked, as school_flagships_update takes them."""
        return [
            {
                "flagship": form.cleaned_data["flagship"],
                "since_year": form.cleaned_data.get("since_year"),
                "until_year": form.cleaned_data.get("until_year"),
            }
            for form in self.forms
            if form.cleaned_data.get("takes_part")
        ]


def flagship_formset(
    data: Any = None, *, networks: list[FlagshipNetwork], participations: dict[int, Any]
) -> BaseFlagshipFormSet:
    """One row per flagship network, in the networks' order (there are about ten): a box to
    tick and the years, so that no network can be listed twice and no choice list is needed."""
    formset_class = forms.formset_factory(
        FlagshipParticipationForm,
        formset=BaseFlagshipFormSet,
        extra=0,
        max_num=len(networks),
        absolute_max=max(len(networks), 1),
        validate_max=True,
    )
    initial = []
    for network in networks:
        participation = participations.get(network.pk)
        initial.append(
            {
                "flagship": network.pk,
                "takes_part": participation is not None,
                "since_year": participation.since_year if participation else None,
                "until_year": participation.until_year if participation else None,
            }
        )
    formset: BaseFlagshipFormSet = formset_class(  # type: ignore[assignment]
        data,
        initial=initial,
        prefix="flagships",
        networks=networks,  # type: ignore[call-arg]
    )
    return formset


# -- withdrawing ------------------------------------------------------------------------------


class WithdrawalRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the school leaving the network?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The national coordinator reads this and may contact the school about it."),
    )
