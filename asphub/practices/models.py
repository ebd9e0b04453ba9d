"""The library of the network: good-practice examples and teaching materials.

A practice is written by a school's teachers and coordinator (or, as network-level material, by
the national coordinator), submitted, reviewed against the country's rubric by at least two
reviewers from other schools, and decided by the national coordinator. Published items are the
network's open library. Every submitted version is kept (PracticeRevision).

Lifecycle (asphub.practices.lifecycle):
draft → submitted → in review ⇄ changes requested → published (recommended) | declined;
published → archived.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import language_in_reader_language, localized, text_in_reader_language
from asphub.core.models import TimeStampedModel
from asphub.core.storage import private_storage
from asphub.core.validators import validate_single_line


class PracticeKind(models.TextChoices):
    GOOD_PRACTICE = "good_practice", _("good-practice example")
    TEACHING_MATERIAL = "teaching_material", _("teaching material")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    IN_REVIEW = "in_review", _("in review")
    CHANGES_REQUESTED = "changes_requested", _("changes requested")
    PUBLISHED = "published", _("published")
    DECLINED = "declined", _("declined")
    ARCHIVED = "archived", _("archived")


# What the authors may still change; everything else is in the reviewers' or the public's hands.
EDITABLE_STATUSES = (PracticeStatus.DRAFT, PracticeStatus.CHANGES_REQUESTED)
# What anyone may read: the public library (archived items keep their page, marked archived,
# so that links and citations do not break; they leave lists, feeds and search).
PUBLISHED_STATUSES = (PracticeStatus.PUBLISHED,)
READABLE_STATUSES = (PracticeStatus.PUBLISHED, PracticeStatus.ARCHIVED)


class EducationLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-school")
    PRIMARY = "primary", _("primary (grades 1–6)")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary (grades 7–9)")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary (grades 10–12)")
    VOCATIONAL = "vocational", _("vocational")
    TEACHER_TRAINING = "teacher_training", _("teacher training")
    NON_FORMAL = "non_formal", _("non-formal education")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC_BY_NC = "CC-BY-NC-4.0", _("Creative Commons Attribution-NonCommercial 4.0 (CC BY-NC 4.0)")
    CC_BY_NC_SA = (
        "CC-BY-NC-SA-4.0",
        _("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 (CC BY-NC-SA 4.0)"),
    )
    CC0 = "CC0-1.0", _("Public domain dedication (CC0 1.0)")


LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class ContentLanguage(models.TextChoices):
    """The language an item is written in (ISO 639-1)."""

    LATVIAN = "lv", _("Latvian")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    LITHUANIAN = "lt", _("Lithuanian")
    ESTONIAN = "et", _("Estonian")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    POLISH = "pl", _("Polish")
    UKRAINIAN = "uk", _("Ukrainian")


TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 50_000


class Practice(TimeStampedModel):
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="practices",
    )
    # Empty for the national coordinator's network-level materials.
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="practices",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=PracticeKind.choices, default=PracticeKind.GOOD_PRACTICE
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PracticeStatus.choices,
        default=PracticeStatus.DRAFT,
        db_index=True,
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=[validate_single_line])
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX)
    title_en = models.CharField(
        _("title in English"), max_length=TITLE_MAX, blank=True, validators=[validate_single_line]
    )
    summary_en = models.TextField(_("summary in English"), max_length=SUMMARY_MAX, blank=True)
    body = models.TextField(
        _("description"),
        max_length=BODY_MAX,
        blank=True,
        help_text=_("Markdown: headings, lists, links, emphasis. Raw HTML is shown as text."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=ContentLanguage.choices, default="lv"
    )
    authors = models.CharField(
        _("authors"),
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Names of the people who made it, separated by commas."),
    )
    education_levels = models.JSONField(_("education levels"), default=list, blank=True)
    age_from = models.PositiveSmallIntegerField(
        _("ages from"), null=True, blank=True, validators=[MaxValueValidator(99)]
    )
    age_to = models.PositiveSmallIntegerField(
        _("ages to"), null=True, blank=True, validators=[MaxValueValidator(99)]
    )
    subjects = models.CharField(
        _("subjects"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("School subjects, separated by commas."),
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
    duration = models.CharField(
        _("duration"),
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text=_("For example: two lessons, one week, a school year."),
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY
    )

    # The review
    round = models.PositiveSmallIntegerField(_("review round"), default=0)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    recommended = models.BooleanField(_("recommended"), default=False)
    archived_reason = models.TextField(_("reason for archiving"), blank=True)
    # Counts edits, so that a form saved over someone else's newer edit is refused.
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["country", "status", "submitted_at"]),
            models.Index(fields=["school", "status"]),
            # Harvests ask for what changed between two dates.
            models.Index(fields=["status", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_from__isnull=True)
                | Q(age_to__isnull=True)
                | Q(age_from__lte=models.F("age_to")),
                name="practice_ages_in_order",
                violation_error_code="ages_order",
                violation_error_message=_(
                    "The age range ends before it starts: “ages to” must not be below “ages from”."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # The item's own language first; its English version for readers of English pages.
    display_title = text_in_reader_language("title")
    display_language = language_in_reader_language("title")
    display_summary = text_in_reader_language("summary")
    summary_language = language_in_reader_language("summary")

    @property
    def is_network_material(self) -> bool:
        return self.school_id is None

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(Licence(self.licence), "") if self.licence in Licence.values else ""

    @property
    def is_public(self) -> bool:
        return self.status in READABLE_STATUSES


class PracticeLink(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("web address"), max_length=500)
    title = models.CharField(
        _("link text"), max_length=200, blank=True, validators=[validate_single_line]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title or self.url


class PracticeFile(models.Model):
    """An attached file, stored under a random name; the original name is only for display
    and for the download's file name."""

    # Empty while the file is held for a form that had errors (kept, so nothing is lost).
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="files", null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    extracted_text = models.TextField(blank=True, editable=False)
    extracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.original_name


class PracticeRevision(models.Model):
    """The item as it was submitted for one review round: kept for ever, compared in diffs."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.TextField()
    title_en = models.CharField(max_length=TITLE_MAX, blank=True)
    summary_en = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The rest of the metadata, links and files (names and checksums), as readable text lines.
    details = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["practice", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "number"], name="practice_revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} v{self.number}"


class RubricCriterion(models.Model):
    """One criterion of a country's rubric. Criteria are retired (inactive), never deleted
    once used, so that old reviews keep their meaning."""

    country = models.ForeignKey(
        "countries.Country", on_delete=models.CASCADE, related_name="rubric_criteria"
    )
    name_lv = models.CharField(
        _("criterion (Latvian)"), max_length=200, validators=[validate_single_line]
    )
    name_en = models.CharField(
        _("criterion (English)"), max_length=200, validators=[validate_single_line]
    )
    guidance_lv = models.TextField(_("what reviewers look for (Latvian)"), blank=True)
    guidance_en = models.TextField(_("what reviewers look for (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["country", "position", "id"]

    def __str__(self) -> str:
        return self.name.text

    @property
    def name(self):
        return localized(self, "name")

    @property
    def guidance(self):
        return localized(self, "guidance")


SCORE_MIN = 0
SCORE_MAX = 3
# Reviews an item needs before the national coordinator decides (DOMAIN.md: at least two).
MIN_REVIEWERS = 2


class ReviewAssignment(models.Model):
    """A reviewer asked to evaluate one round of a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="assignments")
    round = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("review sent"), null=True, blank=True)
    comment = models.TextField(_("overall comment"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["practice", "round", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "round", "reviewer"], name="review_once_per_round"
            )
        ]
        indexes = [models.Index(fields=["reviewer", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.practice} / {self.reviewer}"


class ReviewScore(models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    # Empty: not applicable to this item.
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=3000)

    class Meta:
        ordering = ["assignment", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="review_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=SCORE_MAX),
                name="review_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class DecisionKind(models.TextChoices):
    PUBLISH = "publish", _("publish")
    REQUEST_CHANGES = "request_changes", _("ask for changes")
    DECLINE = "decline", _("decline")


class PracticeDecision(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    message = models.TextField(_("message to the authors"), max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["practice", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.practice} / {self.decision}"
