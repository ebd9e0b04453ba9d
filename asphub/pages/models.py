from django.db import models
from django.utils.translation import gettext_lazy as _

from asphub.core.bilingual import localized
from asphub.core.html import sanitize_html
from asphub.core.models import TimeStampedModel


class Page(TimeStampedModel):
    """A public text of a national network (about, how to join, ...) that its coordinator edits.

    Bodies are limited HTML, cleaned on save so that no script or style reaches a visitor.
    """

    class Slug(models.TextChoices):
        HOME = "home", _("home page introduction")
        ABOUT = "about", _("about the network")
        JOIN = "join", _("how to join")
        PRIVACY = "privacy", _("privacy notice")

    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        on_delete=models.CASCADE,
        related_name="pages",
    )
    slug = models.CharField(_("page"), max_length=40, choices=Slug.choices)
    title_lv = models.CharField(_("title (Latvian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_lv = models.TextField(_("summary (Latvian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body_lv = models.TextField(_("body (Latvian)"), blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["country", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["country", "slug"], name="page_unique_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.get_slug_display()} ({self.country_id})"

    def save(self, *args, **kwargs):
        self.body_lv = sanitize_html(self.body_lv)
        self.body_en = sanitize_html(self.body_en)
        super().save(*args, **kwargs)

    @property
    def title(self):
        return localized(self, "title")

    @property
    def summary(self):
        return localized(self, "summary")

    @property
    def body(self):
        return localized(self, "body")
