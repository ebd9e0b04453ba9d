"""The activities' forms: an activity with its links, and a photo with its consent.

Each refusal is said next to its field, with its own code; the services check everything again
(the forms are for people, the services for every caller). A photo is checked and re-encoded
here (asphub.schools.images.checked_image): a file that is not really a JPEG, PNG or WebP
picture, whatever its name says, is refused."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from asphub.core.forms import LinkForm as BaseLinkForm
from asphub.core.validators import EARLIEST_DATE, LATEST_DATE, validate_single_line
from asphub.practices.models import ContentLanguage, Practice
from asphub.schools.images import (
    ACCEPTED_CONTENT_TYPES,
    PHOTO_MAX_SIDE,
    CheckedImage,
    checked_image,
)
from asphub.schools.models import School
from asphub.schools.selectors import public_schools, school_search
from asphub.taxonomy.forms import VocabularyFields

from .models import MAX_OTHERS, MAX_PUPILS, MAX_TEACHERS, Activity, validate_web_link
from .selectors import own_practice_choices
from .services import MANY_FIELDS, MAX_LINKS, MAX_PARTNER_SCHOOLS, TEXT_FIELDS

# How many schools one search for partners offers (the search says to be more precise).
PARTNER_HITS = 20
# The button of the editor that searches the directory for partners instead of saving.
FIND_PARTNERS = "find_partners"

# Countries whose language code is not their country code in lower case.
COUNTRY_LANGUAGES = {"UA": "uk", "EE": "et", "GB": "en", "US": "en", "IE": "en", "AT": "de"}


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, which every browser reads."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        # The picker offers only the years a date may have (the form and service check again).
        bounds = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        super().__init__(attrs={**bounds, **(attrs or {})}, format="%Y-%m-%d")


class PracticeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class SchoolChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.country.name})"


def _count_widget(maximum: int) -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": 0, "max": maximum, "inputmode": "numeric"})


class ActivityForm(VocabularyFields, forms.ModelForm):
    """Everything a school records about an activity (DOMAIN.md). `seen_sequence` is the
    revision the form was opened on: for a change the service refuses a save without it, or
    over someone else's newer one (StaleEdit, shown with everything typed kept)."""

    partner_schools = SchoolChoiceField(
        label=_("Partner schools from the directory"),
        queryset=School.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    produced_practice = PracticeChoiceField(
        label=_("The library item it produced"),
        queryset=Practice.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("One of your school's own library items, whatever its status."),
    )
    # Finds schools of the directory, of any country, to offer as partners: the editor posts
    # the form with FIND_PARTNERS, nothing is saved and everything typed is kept.
    partner_query = forms.CharField(
        label=_("Find a partner school in the directory"),
        max_length=100,
        required=False,
        help_text=_("Part of the school's name or town, in any country of the network."),
    )
    # Not required by the form itself: a change posted without it goes on to the service,
    # which refuses it as stale, so that the page says so and carries the token for next time.
    seen_sequence = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [*TEXT_FIELDS, *MANY_FIELDS]
        widgets = {
            "kind": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 10}),
            "description_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "pupils": _count_widget(MAX_PUPILS),
            "teachers": _count_widget(MAX_TEACHERS),
            "others": _count_widget(MAX_OTHERS),
            "partners_abroad": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, school: School, finding: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A search for partners (finding) shows what was typed without judging it.
        self.finding = finding
        self._offer_partners(school)
        cast(
            forms.ModelChoiceField, self.fields["produced_practice"]
        ).queryset = own_practice_choices(school, self.instance.produced_practice_id)
        if self.instance.pk:
            self.fields["seen_sequence"].initial = self.instance.sequence
        else:
            # A new activity is written in the school's country's language, most likely.
            language = COUNTRY_LANGUAGES.get(school.country.code, school.country.code.lower())
            if language in ContentLanguage.values:
                self.initial["language"] = language

    def _offer_partners(self, school: School) -> None:
        """Any public school of the directory is accepted (the service checks it again); the
        boxes offered are the chosen ones and at most PARTNER_HITS found by the search, so the
        page stays short whatever the size of the network."""
        field = cast(forms.ModelMultipleChoiceField, self.fields["partner_schools"])
        others = public_schools().exclude(pk=school.pk).select_related("country")
        field.queryset = others
        if self.is_bound:
            posted = self.data.get(self.add_prefix("partner_schools")) or []
            if hasattr(self.data, "getlist"):
                posted = self.data.getlist(self.add_prefix("partner_schools"))
            chosen = [
                int(pk)
                for pk in (str(value) for value in posted)
                if pk.isascii() and pk.isdigit() and len(pk) <= 18
            ][: MAX_PARTNER_SCHOOLS + 1]
        elif self.instance.pk:
            chosen = [partner.pk for partner in self.instance.partner_schools.all()]
        else:
            chosen = []
        self.partner_search_text = (self.data.get(self.add_prefix("partner_query")) or "").strip()
        self.partner_hits: list[School] = []
        if self.partner_search_text:
            self.partner_hits = list(
                school_search(others, self.partner_search_text[:100])
                .exclude(pk__in=chosen)
                .order_by("sort_key", "id")[:PARTNER_HITS]
            )
        offered = list(others.filter(pk__in=chosen).order_by("sort_key", "id")) + self.partner_hits
        field.widget.choices = [
            (school.pk, field.label_from_instance(school)) for school in offered
        ]

    def full_clean(self) -> None:
        if self.finding:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on",
                ValidationError(
                    _("The activity ends before it starts: the end date must not be before the "
                      "start."),
                    code="ends_before_start",
                ),
            )  # fmt: skip
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*TEXT_FIELDS, *MANY_FIELDS)}


class LinkForm(BaseLinkForm):
    """A link the activity's page lets people follow: a web page (no other scheme)."""

    url = forms.URLField(
        label=_("Web address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_link],
        help_text=_("A web page starting with https:// or http://."),
    )


LinkFormSet = forms.formset_factory(
    LinkForm, extra=2, max_num=MAX_LINKS, absolute_max=MAX_LINKS, validate_max=True
)


def link_formset(data: Any = None, *, activity: Activity | None = None) -> Any:
    initial = (
        [{"url": link.url, "title": link.title} for link in activity.links.all()]
        if activity is not None
        else []
    )
    return LinkFormSet(data, initial=initial, prefix="links")


class PhotoForm(forms.Form):
    """A photo, what it shows, and the consent of the people shown. Without the consent box
    ticked the photo is refused and not kept at all; with it ticked, a photo that passed its
    checks is held (`held`) while another field is corrected, so it need not be chosen again."""

    image = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
        help_text=_("Read aloud to people who cannot see the photo."),
    )
    caption = forms.CharField(
        label=_("Caption (shown under the photo)"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
    )
    consent_confirmed = forms.BooleanField(
        label=_("The people shown in the photo (for pupils: their parents) agreed to its "
                "publication on this platform."),
        required=False,
    )  # fmt: skip
    consent_note = forms.CharField(
        label=_("How and when they agreed"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: the parents signed the school's photo consent form in September."
        ),
    )
    held = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, has_held: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_held = has_held
        # The upload re-encoded, once it passed its checks.
        self.checked: CheckedImage | None = None

    def clean_image(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        self.checked = checked_image(upload, max_side=PHOTO_MAX_SIDE)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_held and not data.get("image") and "image" not in self.errors:
            self.add_error("image", ValidationError(_("Choose a photo."), code="required"))
        if not data.get("consent_confirmed"):
            self.add_error(
                "consent_confirmed",
                ValidationError(
                    _("Tick the box to confirm that the people shown agreed: no photo is kept "
                      "without this confirmation. The photo was not kept; choose it again."),
                    code="consent_required",
                ),
            )  # fmt: skip
            # A photo without consent is not kept, not even for the next try.
            self.checked = None
        if not (data.get("consent_note") or "").strip():
            self.add_error(
                "consent_note",
                ValidationError(
                    _("Say how and when the people shown agreed (for example, a signed form)."),
                    code="consent_note_required",
                ),
            )
        if not (data.get("alt_text") or "").strip() and "alt_text" not in self.errors:
            self.add_error(
                "alt_text",
                ValidationError(
                    _("Say in a sentence what the photo shows: people who cannot see it hear "
                      "this."),
                    code="describe_photo",
                ),
            )  # fmt: skip
        return data
