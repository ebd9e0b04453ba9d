"""What schools do on UNESCO topics, recorded so that the network's year is visible and the annual
report can be written from it later (nothing typed twice).

An activity belongs to one school and is recorded by its teachers and coordinator. Its
participants are counts only (never names); its photos are kept only with a recorded consent
that the people shown agreed, re-encoded without location data and stored under random names in
the private storage (a view that checks the activity's visibility sends them). An activity is
public (on the school's profile, the calendar, anyone's reading) or network-only (people with a
role in the country's network).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import language_in_reader_language, text_in_reader_language
from asphub.core.models import TimeStampedModel
from asphub.core.storage import private_storage
from asphub.core.validators import (
    EARLIEST_DATE,
    LATEST_DATE,
    validate_single_line,
    validate_year_in_range,
)
from asphub.practices.models import ContentLanguage


class ActivityKind(models.TextChoices):
    PROJECT = "project", _("project")
    EVENT = "event", _("event")
    SEMINAR = "seminar", _("seminar")
    SPECIAL_LESSON = "special_lesson", _("special lesson")
    CAMPAIGN_WEEK = "campaign_week", _("campaign week")
    INTERNATIONAL_DAY = "international_day", _("international-day observance")
    EXCHANGE = "exchange", _("exchange")
    CONTEST = "contest", _("contest")


class ActivityVisibility(models.TextChoices):
    PUBLIC = "public", _("public: anyone may read it")
    # Read by people with a role in the country's network (asphub.roles.permissions).
    NETWORK = "network", _("network only: people with a role in the country's network")


TITLE_MAX = 200
# As a network event's description (asphub.events): room for a long page, not for a text whose
# Markdown takes a noticeable time to render.
DESCRIPTION_MAX = 10_000
PLACE_MAX = 200
PARTNERS_ABROAD_MAX = 1000
# More people than any school's activity has, per kind of participant; a typo of a few extra
# digits is refused. Pupils: the largest schools and a few together; teachers: as many schools'
# staff; others: a public event the school runs (a festival, a concert) may have many visitors.
MAX_PUPILS = 20_000
MAX_TEACHERS = 2_000
MAX_OTHERS = 100_000
MAX_PARTICIPANTS = {"pupils": MAX_PUPILS, "teachers": MAX_TEACHERS, "others": MAX_OTHERS}
# Web addresses people may follow from an activity's page (no javascript:, data:, ftp:).
LINK_SCHEMES = ("http", "https")


def validate_web_link(value: str) -> None:
    URLValidator(schemes=list(LINK_SCHEMES))(value)


# How long activities last, in classes: 0 for one day, then k when it ends 2**(k-1) to
# 2**k - 1 days after it starts, the last class for anything longer.
LENGTH_CLASSES = 11


class LengthClass(models.Func):
    """An activity's length class (LENGTH_CLASSES), computed by the database from its dates.

    What began before a day and goes on into it is found class by class: an activity of class
    k ending on or after the day began at most 2**k - 1 days before it, so each class is read
    from an index on this expression over a bounded range of start dates (the calendar's
    counts, asphub.calendar.selectors). The SQL has no parameters, so that a query's
    expression is the index's own and the database uses the index."""

    output_field = models.PositiveSmallIntegerField()

    def __init__(self) -> None:
        super().__init__(F("starts_on"), F("ends_on"))

    def as_sql(self, compiler, connection, **extra_context):
        starts, _params = compiler.compile(self.source_expressions[0])
        ends, _params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            days = f"CAST(julianday({ends}) - julianday({starts}) AS INTEGER)"
        else:
            days = f"({ends} - {starts})"
        classes = " ".join(
            f"WHEN {days} < {2**number} THEN {number}" for number in range(LENGTH_CLASSES - 1)
        )
        return f"(CASE {classes} ELSE {LENGTH_CLASSES - 1} END)", []


class Activity(TimeStampedModel):
    """Something a school did or will do on UNESCO topics: a project, an event, a seminar, a
    special lesson, a campaign week, an international-day observance, an exchange or a
    contest, with its dates, themes, participants (counts only) and partners."""

    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    # The school's country, kept on the activity (as a practice keeps it) so that the
    # network-only rule and the calendar's country filter need no join.
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="activities",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.PROJECT
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=[validate_single_line])
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        # A TextField's max_length only sizes the form's box: the validator is the rule.
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
        help_text=_("Markdown: headings, lists, links, emphasis. Raw HTML is shown as text."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=ContentLanguage.choices, default="lv"
    )
    title_en = models.CharField(
        _("title in English"), max_length=TITLE_MAX, blank=True, validators=[validate_single_line]
    )
    description_en = models.TextField(
        _("description in English"),
        max_length=DESCRIPTION_MAX,
        blank=True,
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
    )
    starts_on = models.DateField(_("starts on"), validators=[validate_year_in_range])
    ends_on = models.DateField(_("ends on"), validators=[validate_year_in_range])
    place = models.CharField(
        _("place"),
        max_length=PLACE_MAX,
        blank=True,
        validators=[validate_single_line],
        help_text=_("For example: the school's hall, Cēsis castle park, online."),
    )
    thematic_areas = models.ManyToManyField(
        "taxonomy.ThematicArea", verbose_name=_("thematic areas"), blank=True
    )
    pillars = models.ManyToManyField(
        "taxonomy.Pillar", verbose_name=_("pillars of education"), blank=True
    )
    sdgs = models.ManyToManyField(
        "taxonomy.SustainableDevelopmentGoal",
        verbose_name=_("Sustainable Development Goals"),
        blank=True,
    )
    flagship = models.ForeignKey(
        "taxonomy.FlagshipNetwork",
        verbose_name=_("flagship network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    international_day = models.ForeignKey(
        "taxonomy.InternationalDay",
        verbose_name=_("international day"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Counts only: an activity never names its pupils.
    pupils = models.PositiveIntegerField(
        _("pupils taking part"), default=0, validators=[MaxValueValidator(MAX_PUPILS)]
    )
    teachers = models.PositiveIntegerField(
        _("teachers taking part"), default=0, validators=[MaxValueValidator(MAX_TEACHERS)]
    )
    others = models.PositiveIntegerField(
        _("others taking part"),
        default=0,
        validators=[MaxValueValidator(MAX_OTHERS)],
        help_text=_("Parents, guests, pupils of other schools: how many, not who."),
    )
    partner_schools = models.ManyToManyField(
        "schools.School",
        verbose_name=_("partner schools from the directory"),
        blank=True,
        related_name="partner_activities",
    )
    partners_abroad = models.TextField(
        _("partner schools abroad"),
        max_length=PARTNERS_ABROAD_MAX,
        blank=True,
        help_text=_("Schools not in the directory: name, town and country, one per line."),
    )
    produced_practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("practice it produced"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    visibility = models.CharField(
        _("who may read it"),
        max_length=10,
        choices=ActivityVisibility.choices,
        default=ActivityVisibility.PUBLIC,
    )
    # Counts saves of the activity (not its photos): the iCal feed's SEQUENCE beside a stable
    # UID, and the token that refuses a form saved over someone else's newer save.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_on", "-id"]
        indexes = [
            # The calendar asks for what overlaps a month; a school's list, newest first.
            models.Index(fields=["starts_on", "ends_on"], name="activity_dates"),
            models.Index(fields=["school", "starts_on"], name="activity_school_dates"),
            # The calendar counts the public activities of each day on these alone and reads
            # a day's first few in their order (asphub.calendar.selectors); the same per
            # country; a school's public list; what goes on from before a day (LengthClass).
            # Each ends with the school, which the listed-school rule checks
            # (asphub.activities.selectors.LISTED_SCHOOL), so that no count reads the rows.
            models.Index(
                fields=["visibility", "starts_on", "id", "school"], name="activity_public_starts"
            ),
            models.Index(
                fields=["country", "starts_on", "visibility", "school"],
                name="activity_country_starts",
            ),
            models.Index(
                fields=["school", "visibility", "starts_on"], name="activity_school_public"
            ),
            models.Index(
                LengthClass(),
                F("visibility"),
                F("starts_on"),
                F("ends_on"),
                F("school"),
                name="activity_running",
            ),
            models.Index(
                LengthClass(),
                F("country"),
                F("starts_on"),
                F("ends_on"),
                F("visibility"),
                F("school"),
                name="activity_country_running",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="activity_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The activity ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(pupils__lte=MAX_PUPILS)
                & Q(teachers__lte=MAX_TEACHERS)
                & Q(others__lte=MAX_OTHERS),
                name="activity_participants_bounded_per_kind",
                violation_error_code="too_many_participants",
                violation_error_message=_("A participant count is larger than any activity's."),
            ),
            # One row dated in the year 9999 would break every calendar feed (asphub.calendar).
            models.CheckConstraint(
                condition=Q(starts_on__gte=EARLIEST_DATE)
                & Q(starts_on__lte=LATEST_DATE)
                & Q(ends_on__gte=EARLIEST_DATE)
                & Q(ends_on__lte=LATEST_DATE),
                name="activity_dates_in_year_range",
                violation_error_code="year_out_of_range",
                violation_error_message=_(
                    "The activity's dates are outside the years it may have."
                ),
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=ActivityVisibility.values),
                name="activity_visibility_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", kwargs={"pk": self.pk})

    # The activity's own language first; its English version for readers of English pages.
    display_title = text_in_reader_language("title")
    display_language = language_in_reader_language("title")
    display_description = text_in_reader_language("description")
    description_language = language_in_reader_language("description")

    @property
    def is_public(self) -> bool:
        return self.visibility == ActivityVisibility.PUBLIC

    @property
    def participants_total(self) -> int:
        return self.pupils + self.teachers + self.others

    @property
    def is_one_day(self) -> bool:
        return self.starts_on == self.ends_on


class ActivityLink(models.Model):
    """A web page about the activity (the school's news item, a video, the partner's page)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="links"
    )
    url = models.URLField(_("web address"), max_length=500, validators=[validate_web_link])
    title = models.CharField(
        _("link text"), max_length=200, blank=True, validators=[validate_single_line]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="activity_link_is_web_address",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url


class ActivityPhoto(models.Model):
    """A photo of the activity, kept only with a recorded consent: the uploader confirms that
    the people shown agreed and says how and when. The stored file is a new encoding of the
    picture's pixels (no EXIF, GPS position or camera data) under a random name, in the
    private storage; the activity's page sends it to whoever may read the activity."""

    # Empty while the photo is held for a form that had another error (the uploader had
    # already confirmed the consent); attached when the form is saved, removed after a day.
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="photos",
        null=True,
        blank=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    image = models.FileField(_("photo"), storage=private_storage, max_length=200)
    content_type = models.CharField(_("file type"), max_length=40)
    width = models.PositiveIntegerField(_("width in pixels"))
    height = models.PositiveIntegerField(_("height in pixels"))
    caption = models.CharField(
        _("caption"), max_length=300, blank=True, validators=[validate_single_line]
    )
    alt_text = models.CharField(
        _("what the photo shows"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Read aloud to people who cannot see the photo."),
    )
    consent_confirmed = models.BooleanField(_("the people shown agreed"), default=False)
    consent_note = models.TextField(
        _("how and when they agreed"),
        max_length=1000,
        blank=True,
        help_text=_(
            "For example: the parents signed the school's photo consent form in September."
        ),
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        constraints = [
            # No photo is stored, not even held, without the consent confirmed and dated.
            models.CheckConstraint(
                condition=Q(consent_confirmed=True) & Q(consent_recorded_at__isnull=False),
                name="activity_photo_consent_recorded",
            ),
            # An attached photo says how the consent was given, and what it shows.
            models.CheckConstraint(
                condition=Q(activity__isnull=True) | (~Q(consent_note="") & ~Q(alt_text="")),
                name="activity_photo_consent_explained",
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.alt_text or f"{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("activities:photo", kwargs={"pk": self.activity_id, "photo_pk": self.pk})
