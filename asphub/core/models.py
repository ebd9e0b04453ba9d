from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    """Entries are never deleted or changed in bulk; the one exception, replacing what names a
    person who deleted their account, goes through `scrub_personal_data`."""

    def delete(self):
        raise ValueError("Audit entries are append-only.")

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only.")

    def scrub_personal_data(self, **fields) -> int:
        allowed = {"actor_label", "object_label", "before", "after"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"Only {sorted(allowed)} may be scrubbed.")
        return super().update(**fields)


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, with the state before and after.

    Append-only: entries are written by services through `record_audit` and never edited.
    """

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    country_code = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")

    @property
    def who(self) -> str:
        """The actor as people read it: stand-ins (system, command line, former member) are
        stored in English and shown in the reader's language."""
        from .audit import STAND_IN_LABELS

        if self.actor_label in STAND_IN_LABELS:
            return str(STAND_IN_LABELS[self.actor_label])
        return self.actor_label

    @property
    def note_label(self) -> str:
        from .audit import NOTE_LABELS

        return str(NOTE_LABELS.get(self.note, self.note))

    @property
    def action_label(self) -> str:
        from .audit import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def what(self) -> str:
        from .audit import STAND_IN_LABELS

        if self.object_label in STAND_IN_LABELS:
            return str(STAND_IN_LABELS[self.object_label])
        return self.object_label
