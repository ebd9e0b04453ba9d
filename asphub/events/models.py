"""The national coordinator's network events: planning seminars, summer schools, conferences.

A school registers through its school coordinator, naming members of its UNESCO team. Each
registration takes one of the event's seats (`capacity`); when none is free the school waits in
line, and a seat that frees up goes to the first school waiting (asphub.events.services). After
the event starts the national coordinator records who attended; that record feeds the school's
profile and its annual report.

Lifecycle of an event: draft → published → cancelled (a draft may be cancelled too).
Lifecycle of a registration: confirmed | waiting → (waiting → confirmed) → cancelled.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import language_in_reader_language, text_in_reader_language
from asphub.core.models import TimeStampedModel
from asphub.core.validators import (
    AFTER_LATEST_MOMENT,
    EARLIEST_MOMENT,
    validate_moment_in_range,
    validate_single_line,
)
from asphub.practices.models import ContentLanguage
from asphub.schools.models import TeamMember


class EventKind(models.TextChoices):
    PLANNING_SEMINAR = "planning_seminar", _("planning seminar")
    SEMINAR = "seminar", _("seminar")
    SUMMER_SCHOOL = "summer_school", _("summer school")
    CONFERENCE = "conference", _("conference")
    WORKSHOP = "workshop", _("workshop")
    OTHER = "other", _("other event")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class EventVisibility(models.TextChoices):
    PUBLIC = "public", _("public")
    # People with a role in the event's country: its schools' teachers and coordinators, its
    # reviewers and national coordinators.
    NETWORK = "network", _("the country's network only")


TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PLACE_MAX = 300
# No network event has more schools than the world network has; a number beyond it is a typo.
CAPACITY_MAX = 12_000
MEMBERS_PER_SCHOOL_MAX = 20


class NetworkEvent(TimeStampedModel):
    """An event the national coordinator runs for the country's network, with a number of
    seats for schools (each registration takes one), a registration deadline and, once it has
    started, the record of who attended."""

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="network_events",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.SEMINAR
    )
    language = models.CharField(
        _("language"), max_length=8, choices=ContentLanguage.choices, default="lv"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=[validate_single_line])
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    title_en = models.CharField(
        _("title in English"), max_length=TITLE_MAX, blank=True, validators=[validate_single_line]
    )
    description_en = models.TextField(
        _("description in English"), max_length=DESCRIPTION_MAX, blank=True
    )
    starts_at = models.DateTimeField(_("starts"), validators=[validate_moment_in_range])
    ends_at = models.DateTimeField(_("ends"), validators=[validate_moment_in_range])
    place = models.CharField(
        _("place"),
        max_length=PLACE_MAX,
        blank=True,
        validators=[validate_single_line],
        help_text=_("The address, or the building and town."),
    )
    online_url = models.URLField(
        _("online link"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("For an online or hybrid event: the address participants open."),
    )
    capacity = models.PositiveIntegerField(
        _("places for schools"),
        validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)],
        help_text=_("How many schools may take part. Schools registering beyond it wait in line."),
    )
    members_per_school = models.PositiveSmallIntegerField(
        _("participants per school"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MEMBERS_PER_SCHOOL_MAX)],
        help_text=_("How many members of its team a school may name."),
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"), validators=[validate_moment_in_range]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    visibility = models.CharField(
        _("who sees it"),
        max_length=20,
        choices=EventVisibility.choices,
        default=EventVisibility.PUBLIC,
    )
    # RFC 5545 SEQUENCE: moves on with every change, so that calendar applications replace
    # their copy of the event (whose UID stays the same).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancellation_note = models.TextField(_("why it is cancelled"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("network event")
        verbose_name_plural = _("network events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"], name="event_starts_at"),
            models.Index(fields=["country", "starts_at"], name="event_country_starts_at"),
        ]
        constraints = [
            # The years of asphub.core.validators (a year 0001 would be stored by PostgreSQL
            # as a BC timestamp that no page could read back).
            models.CheckConstraint(
                condition=Q(
                    starts_at__gte=EARLIEST_MOMENT,
                    starts_at__lt=AFTER_LATEST_MOMENT,
                    ends_at__gte=EARLIEST_MOMENT,
                    ends_at__lt=AFTER_LATEST_MOMENT,
                    registration_deadline__gte=EARLIEST_MOMENT,
                    registration_deadline__lt=AFTER_LATEST_MOMENT,
                ),
                name="event_dates_in_range",
                violation_error_code="year_out_of_range",
                violation_error_message=_(
                    "The event's dates are outside the years the platform accepts."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=F("starts_at")),
                name="event_deadline_before_start",
                violation_error_code="deadline_after_start",
                violation_error_message=_(
                    "The registration deadline must not be later than the start of the event."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""),
                name="event_has_place_or_link",
                violation_error_code="place_required",
                violation_error_message=_("Give the place of the event, its online link, or both."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(members_per_school__gte=1),
                name="event_has_seats",
                violation_error_code="no_seats",
                violation_error_message=_(
                    "An event needs at least one place, and each school at least one participant."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # The event's own language first; its English version for readers of English pages (and
    # of English e-mails), field by field.
    display_title = text_in_reader_language("title")
    display_language = language_in_reader_language("title")
    display_description = text_in_reader_language("description")
    description_language = language_in_reader_language("description")

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    def registration_open(self, now: datetime | None = None) -> bool:
        """Published, not cancelled, and before the deadline."""
        return self.status == EventStatus.PUBLISHED and (
            (now or timezone.now()) <= self.registration_deadline
        )


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class EventRegistration(models.Model):
    """A school's place at an event (or its place in line for one), with the members of its
    team it sends. The waiting list is first come, first served: by created_at, then id."""

    event = models.ForeignKey(
        NetworkEvent,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    members: models.ManyToManyField[TeamMember, EventParticipant] = models.ManyToManyField(
        "schools.TeamMember",
        verbose_name=_("participants"),
        through="EventParticipant",
        related_name="event_registrations",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When the school got its seat (at registration, or later from the waiting list).
    confirmed_at = models.DateTimeField(_("seat given"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The reminder before the event is sent once (the task may run more than once).
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # Plain columns: ordering by the event would join it to every query of registrations.
        ordering = ["event_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "school"],
                condition=~Q(status="cancelled"),
                name="event_registration_once_per_school",
                violation_error_code="already_registered",
                violation_error_message=_("The school is already registered for this event."),
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registration_line"),
            models.Index(fields=["school", "status"], name="registration_school"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} / {self.school_id} ({self.status})"


class EventParticipant(models.Model):
    """A member of the school's team named for an event, and whether they attended (empty
    until the national coordinator records it). The name is kept as it was, so that the
    record stays when the person later leaves the team."""

    registration = models.ForeignKey(
        EventRegistration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    team_member = models.ForeignKey(
        "schools.TeamMember",
        verbose_name=_("team member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_participations",
    )
    full_name = models.CharField(_("name"), max_length=200)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        # Plain columns: ordering by the registration would join it (and its event).
        ordering = ["registration_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "team_member"],
                condition=Q(team_member__isnull=False),
                name="event_participant_once",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
