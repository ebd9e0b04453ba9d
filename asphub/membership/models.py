"""Applications to join a national network, and what the national coordinator keeps about them.

An application is a draft until the applicant submits it; submitting creates the school (status
"application submitted", not public), and from then on the school's status is the application's
(asphub.schools.lifecycle). The applicant needs no account: a secret link, e-mailed to them,
opens their application (only its SHA-256 is stored).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import localized
from asphub.core.models import TimeStampedModel
from asphub.core.storage import private_storage
from asphub.schools.models import InstitutionType, Ownership


class HeardFrom(models.TextChoices):
    NATIONAL_COMMISSION = "national_commission", _("from the National Commission for UNESCO")
    ANOTHER_SCHOOL = "another_school", _("from another ASPnet school")
    UNESCO_WEBSITE = "unesco_website", _("on UNESCO's website")
    EVENT = "event", _("at an event or a seminar")
    MEDIA = "media", _("in the media or social networks")
    OTHER = "other", _("another way")


class Application(TimeStampedModel):
    """An institution's application, with the fields of UNESCO's Expression of Interest."""

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    school = models.OneToOneField(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="application",
        null=True,
        blank=True,
    )
    reference = models.CharField(_("reference number"), max_length=30, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="lv")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A second submit (a double click, the Back button) finds the same key and does nothing.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    # The institution
    name = models.CharField(_("name, exactly as it is to be printed on the certificate"),
                            max_length=255)  # fmt: skip
    institution_type = models.CharField(
        _("institution type"), max_length=20, choices=InstitutionType.choices
    )
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    subdivision = models.ForeignKey(
        "countries.Subdivision",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settlement = models.CharField(_("town or village"), max_length=120, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40)
    address = models.CharField(_("address"), max_length=255)
    email = models.EmailField(_("institution's e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    social_links = models.TextField(_("social network pages (one address a line)"), blank=True)

    # The people
    principal_title = models.CharField(_("principal's title"), max_length=80, blank=True)
    principal_name = models.CharField(_("principal's name"), max_length=200)
    principal_email = models.EmailField(_("principal's e-mail"))
    coordinator_name = models.CharField(_("school coordinator's name"), max_length=200)
    coordinator_position = models.CharField(_("school coordinator's position"), max_length=200)
    coordinator_email = models.EmailField(_("school coordinator's e-mail"))
    # [{"full_name", "position", "team_role", "email"}], checked against the country's rule.
    team = models.JSONField(_("school team"), default=list, blank=True)

    # The plans
    time_available = models.TextField(_("time available for ASPnet activities"), blank=True)
    resources = models.TextField(_("resources and cooperation"), blank=True)
    reason = models.TextField(_("reason for joining"), blank=True)
    # {thematic area slug: planned first-year activities}
    planned_activities = models.JSONField(_("planned first-year activities"), default=dict,
                                          blank=True)  # fmt: skip
    flagship_interests = models.ManyToManyField(
        "taxonomy.FlagshipNetwork",
        verbose_name=_("flagship networks of interest"),
        blank=True,
        related_name="+",
    )
    heard_from = models.CharField(
        _("how the school heard of ASPnet"), max_length=30, choices=HeardFrom.choices, blank=True
    )
    heard_from_other = models.CharField(_("how, in a few words"), max_length=200, blank=True)
    # {question id: answer} for the country's own questions.
    extra_answers = models.JSONField(_("answers to the country's questions"), default=dict,
                                     blank=True)  # fmt: skip
    letter = models.FileField(
        _("signed letter (PDF)"),
        upload_to="applications/%Y/",
        storage=private_storage,
        blank=True,
    )
    consent_at = models.DateTimeField(_("consent to data processing given"), null=True,
                                      blank=True)  # fmt: skip

    # What the national coordinator keeps
    # {criterion code: true} for the checklist's criteria the coordinator has ticked.
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    # [{"kind": "school" | "application", "pk", "name", "why"}], found at submission.
    possible_duplicates = models.JSONField(_("possible duplicates"), default=list, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["country", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class ApplicationQuestion(models.Model):
    """A question a country adds to its application form (its own rule, not code)."""

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.CASCADE,
        related_name="application_questions",
    )
    text_lv = models.CharField(_("question (Latvian)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text.text

    @property
    def text(self):
        return localized(self, "text")


class ApplicationNote(models.Model):
    """An internal note on an application: the national network's team reads it, the
    applicant never does."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    author_label = models.CharField(_("author"), max_length=255)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
