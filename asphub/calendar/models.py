"""The calendar keeps one thing of its own: the secret behind each person's personal feed
address. Calendar applications cannot sign in, so the address itself carries a signature
identifying the person (django.core.signing, salted with this secret): making a new address
changes the secret, and every address made before stops working."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalFeed(models.Model):
    """A person's personal calendar feed: the events their schools registered for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="personal_feed",
    )
    secret = models.CharField(max_length=64, editable=False)
    made_at = models.DateTimeField(_("address made"), auto_now=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
