"""The forms of network events: the national coordinator's event form, a school's registration
(the members of its team it sends), cancelling, and the attendance record.

The services decide (deadline, seats, whose team); the forms turn what was typed into their
arguments, and every refusal comes back next to the field it concerns, with what was typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.validators import EARLIEST_YEAR, LATEST_YEAR
from asphub.schools.models import School, TeamMember

from .models import CAPACITY_MAX, MEMBERS_PER_SCHOOL_MAX, EventParticipant, NetworkEvent
from .services import EVENT_FIELDS

# What a datetime-local input sends and shows (minutes; seconds are of no use here).
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """A date and time, in the current time zone (the views set the event's country's). The
    browser's bounds are the years the model accepts (asphub.core.validators)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        bounds = {"min": f"{EARLIEST_YEAR}-01-01T00:00", "max": f"{LATEST_YEAR}-12-31T23:59"}
        super().__init__({**bounds, **(attrs or {})}, format=DATETIME_LOCAL)


def _form_field(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        # A link typed without its scheme is a web address (https).
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EventForm(forms.ModelForm):
    """Everything the national coordinator writes about an event. `seen_sequence` is the
    revision the form was opened on: for a change the service refuses a save without it, or
    over someone else's newer one (StaleEdit, shown with everything typed kept).

    Times are read and shown in the current time zone: the views bind and render the form
    under timezone.override(country.zone), the zone of the event's country."""

    # Not required by the form itself: a change posted without it goes on to the service,
    # which refuses it as stale, so that the page says so and carries the token for next time.
    seen_sequence = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NetworkEvent
        fields = list(EVENT_FIELDS)
        formfield_callback = _form_field
        widgets = {
            "kind": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_deadline": DateTimeLocalInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_deadline"):
            field = self.fields[name]
            if isinstance(field, forms.DateTimeField):
                field.input_formats = [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        # The browser's own bounds, as the model's validators (a PositiveIntegerField's form
        # field would offer 0).
        for name, most in (
            ("capacity", CAPACITY_MAX),
            ("members_per_school", MEMBERS_PER_SCHOOL_MAX),
        ):
            self.fields[name].widget.attrs.update({"min": 1, "max": most})
        if self.instance.pk:
            self.fields["seen_sequence"].initial = self.instance.sequence

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        deadline = data.get("registration_deadline")
        if starts and ends and ends <= starts:
            self.add_error(
                "ends_at",
                ValidationError(_("The event must end after it starts."), code="ends_before_start"),
            )
        if starts and deadline and deadline > starts:
            self.add_error(
                "registration_deadline",
                ValidationError(
                    _("The registration deadline must not be later than the start of the event."),
                    code="deadline_after_start",
                ),
            )
        if (
            not data.get("place")
            and not data.get("online_url")
            and "place" not in self.errors
            and "online_url" not in self.errors
        ):
            self.add_error(
                "place",
                ValidationError(
                    _("Give the place of the event, its online link, or both."),
                    code="place_required",
                ),
            )
        return data

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EVENT_FIELDS}


class TeamMembersField(forms.ModelMultipleChoiceField):
    """Members of one school's team, as checkboxes. A choice from outside it (another school's
    member, or someone removed from the team meanwhile) is refused with the services' code."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                raise ValidationError(
                    _("Name members of the school's own team only."),
                    code="member_of_other_school",
                ) from error
            raise


class ParticipantsForm(forms.Form):
    """Whom a school sends: members of its own team (how many, the services check against the
    event)."""

    members = TeamMembersField(
        label=_("Who takes part"),
        queryset=TeamMember.objects.none(),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        school: School,
        event: NetworkEvent,
        team: Iterable[TeamMember] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", f"school-{school.pk}")
        super().__init__(*args, **kwargs)
        self.school = school
        members = self.fields["members"]
        assert isinstance(members, TeamMembersField)
        members.queryset = TeamMember.objects.filter(school_id=school.pk).order_by("order", "id")
        if team is not None:
            # The team read with the page (a prefetch): the checkboxes need no query of their own.
            members.choices = [(member.pk, member.full_name) for member in team]
        members.help_text = _(
            "Members of the school's team, as its profile lists them: at most %(count)s."
        ) % {"count": event.members_per_school}


class CancelEventForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the schools registered"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Why the event is cancelled, and what happens instead. Sent with the notice."),
    )


ATTENDED, ABSENT, UNKNOWN = "yes", "no", ""
ATTENDANCE_CHOICES = [
    (ATTENDED, _("attended")),
    (ABSENT, _("did not attend")),
    (UNKNOWN, _("not recorded")),
]
_VALUES = {ATTENDED: True, ABSENT: False, UNKNOWN: None}


class AttendanceForm(forms.Form):
    """Whether each participant of one page of registrations attended: a choice per person."""

    def __init__(self, *args: Any, participants: Iterable[EventParticipant], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for participant in self.participants:
            initial = {True: ATTENDED, False: ABSENT}.get(participant.attended, UNKNOWN)
            self.fields[self.field_name(participant)] = forms.ChoiceField(
                label=participant.full_name,
                choices=ATTENDANCE_CHOICES,
                initial=initial,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(participant: EventParticipant) -> str:
        return f"participant-{participant.pk}"

    def field_for(self, participant: EventParticipant) -> forms.BoundField:
        return self[self.field_name(participant)]

    def attendance(self) -> dict[int, bool | None]:
        return {
            participant.pk: _VALUES[self.cleaned_data[self.field_name(participant)]]
            for participant in self.participants
        }
