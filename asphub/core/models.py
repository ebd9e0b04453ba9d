from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """A record that keeps when it was made and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class HourlyCount(models.Model):
    """How many times something happened for one key in one clock hour (asphub.core.
    rate_limits): counted in the database with one atomic statement, so that concurrent
    requests in any process all count (the database cache's incr() reads and writes in two
    steps, and let bursts through)."""

    key = models.CharField(_("key"), max_length=100)
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("hourly count")
        verbose_name_plural = _("hourly counts")
        constraints = [
            models.UniqueConstraint(fields=["key", "hour"], name="core_hourly_count_unique")
        ]
        indexes = [models.Index(fields=["hour"], name="core_hourly_count_hour")]

    def __str__(self) -> str:
        return f"{self.key} {self.hour:%Y-%m-%d %H}: {self.count}"
