"""Partner finding: a school of the network says it is looking for partner schools.

The school's coordinator keeps one notice per school (PartnerSearch): the themes it wants to
work on, the education levels and languages it can work in, the countries it would like
partners from and a short note. While it is active and the school is in the network, the
notice is listed on /partners/, where others filter the list and write to the school through
the platform: the message goes to the school's coordinators by e-mail, and their addresses are
never shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.models import TimeStampedModel
from asphub.practices.models import ContentLanguage, EducationLevel

# The note is a short introduction, not a project description: the message exchange is where
# details go.
NOTE_MAX = 600
MAX_COUNTRIES = 30


class PartnerSearch(TimeStampedModel):
    """A school's notice that it looks for partner schools, and for which kind of work."""

    school = models.OneToOneField(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="partner_search",
    )
    active = models.BooleanField(_("looking for partners now"), default=True)
    themes = models.ManyToManyField(
        "taxonomy.ThematicArea", verbose_name=_("themes"), blank=True, related_name="+"
    )
    # Empty: partners from any country are welcome.
    countries = models.ManyToManyField(
        "countries.Country",
        verbose_name=_("partners from these countries"),
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner search")
        verbose_name_plural = _("partner searches")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["active", "-updated_at"])]

    def __str__(self) -> str:
        return str(self.school)


class PartnerSearchLevel(models.Model):
    """An education level the school would work at with its partners (one row each, so that
    the list filters by level with an index on both databases)."""

    search = models.ForeignKey(
        PartnerSearch,
        verbose_name=_("partner search"),
        on_delete=models.CASCADE,
        related_name="levels",
    )
    level = models.CharField(_("education level"), max_length=20, choices=EducationLevel.choices)

    class Meta:
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")
        constraints = [
            models.UniqueConstraint(fields=["search", "level"], name="partner_level_once")
        ]
        indexes = [models.Index(fields=["level", "search"])]

    def __str__(self) -> str:
        return self.get_level_display()


class PartnerSearchLanguage(models.Model):
    """A language the school can work in with its partners (ISO 639-1)."""

    search = models.ForeignKey(
        PartnerSearch,
        verbose_name=_("partner search"),
        on_delete=models.CASCADE,
        related_name="languages",
    )
    language = models.CharField(_("language"), max_length=8, choices=ContentLanguage.choices)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [
            models.UniqueConstraint(fields=["search", "language"], name="partner_language_once")
        ]
        indexes = [models.Index(fields=["language", "search"])]

    def __str__(self) -> str:
        return self.get_language_display()
