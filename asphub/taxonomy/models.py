"""The shared vocabulary of the network: themes, pillars, goals, days and flagship networks.

Schools, practices and activities are tagged with these, so every country uses the same terms.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import localized


class BilingualNamed(models.Model):
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    name_lv = models.CharField(_("name (Latvian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_lv = models.TextField(_("description (Latvian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name.text

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")


class ThematicArea(BilingualNamed):
    """One of UNESCO's thematic areas for ASPnet (Strategic Framework for Action 2025–2029)."""

    class Meta(BilingualNamed.Meta):
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")


class Pillar(BilingualNamed):
    """One of the four pillars of education: learning to know, to do, to be, to live together."""

    class Meta(BilingualNamed.Meta):
        verbose_name = _("pillar of education")
        verbose_name_plural = _("pillars of education")


class SustainableDevelopmentGoal(BilingualNamed):
    """One of the 17 UN Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )

    class Meta(BilingualNamed.Meta):
        verbose_name = _("sustainable development goal")
        verbose_name_plural = _("sustainable development goals")
        ordering = ["number"]


class InternationalDay(BilingualNamed):
    """A UNESCO or UN international day that schools mark, on the same date every year."""

    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta(BilingualNamed.Meta):
        verbose_name = _("international day")
        verbose_name_plural = _("international days")
        ordering = ["month", "day"]


class FlagshipNetwork(BilingualNamed):
    """A regional or international flagship project of ASPnet that member schools take part in.

    Some have ended (for example the Great Volga River Route, 2004–2007); each keeps its status.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    start_year = models.PositiveSmallIntegerField(_("started in"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("ended in"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta(BilingualNamed.Meta):
        verbose_name = _("flagship network")
        verbose_name_plural = _("flagship networks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="flagship_end_not_before_start",
            ),
        ]
