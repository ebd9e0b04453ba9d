"""The audit log: who changed what, when, and the state before and after.

Every app records into it through `asphub.audit.services.audit_record`; this app imports no
other app of the project, so that any of them can.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What was done. The code is stored (and exported); the label is what people read."""

    ACCOUNT_CREATED = "account.created", _("account opened")
    ACCOUNT_DELETED = "account.deleted", _("account deleted")
    ACCOUNT_PROFILE_CHANGED = "account.profile_changed", _("profile changed")
    INVITATION_CREATED = "invitation.created", _("invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("invitation accepted")
    INVITATION_WITHDRAWN = "invitation.withdrawn", _("invitation withdrawn")
    INVITATION_RESENT = "invitation.resent", _("invitation sent again")
    ROLE_GRANTED = "role.granted", _("role given")
    ROLE_REVOKED = "role.revoked", _("role taken back")
    SCHOOLS_IMPORTED = "school.import", _("schools imported")
    SCHOOL_UPDATED_BY_IMPORT = "school.import_update", _("school updated by import")
    SIGNIN_LOCKED_OUT = "signin.locked_out", _("sign-in paused after failed attempts")
    COUNTRY_CONTACT_CHANGED = "country.contact_changed", _("contact details changed")
    SIGNIN_LOCKOUTS_CLEARED = "signin.lockouts_cleared", _("sign-in pauses lifted")
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", _("password changed")
    ACCOUNT_PASSWORD_RESET = "account.password_reset", _("password reset from an e-mail link")
    ACCOUNT_EMAIL_ADDED = "account.email_added", _("e-mail address added")
    ACCOUNT_EMAIL_CONFIRMED = "account.email_confirmed", _("e-mail address confirmed")
    ACCOUNT_EMAIL_REMOVED = "account.email_removed", _("e-mail address removed")
    ACCOUNT_EMAIL_CHANGED = "account.email_changed", _("sign-in address changed")
    ACCOUNT_TWO_FACTOR_ADDED = "account.two_factor_added", _("two-factor sign-in method added")
    ACCOUNT_TWO_FACTOR_REMOVED = (
        "account.two_factor_removed",
        _("two-factor sign-in method removed"),
    )
    ACCOUNT_RECOVERY_CODES_RESET = (
        "account.recovery_codes_reset",
        _("new recovery codes made"),
    )
    MEMBERSHIP_STATUS_CHANGED = "membership.status_changed", _("membership status changed")
    APPLICATION_SUBMITTED = "application.submitted", _("membership application submitted")
    APPLICATION_CHANGED = "application.changed", _("membership application changed")
    APPLICATION_NOTE_ADDED = "application.note_added", _("note on an application")
    APPLICATION_CHECKLIST_CHANGED = (
        "application.checklist_changed",
        _("application's checklist changed"),
    )
    CERTIFICATE_RECORDED = "school.certificate_recorded", _("membership certificate recorded")
    SCHOOL_PROFILE_CHANGED = "school.profile_changed", _("school profile changed")
    SCHOOL_TEAM_CHANGED = "school.team_changed", _("school team changed")
    SCHOOL_WITHDRAWAL_REQUESTED = "school.withdrawal_requested", _("withdrawal requested")
    COUNTRY_RULES_CHANGED = "country.rules_changed", _("membership rules changed")
    PRACTICE_CREATED = "practice.created", _("library item started")
    PRACTICE_CHANGED = "practice.changed", _("library item changed")
    PRACTICE_SUBMITTED = "practice.submitted", _("library item submitted for review")
    PRACTICE_REVIEWERS_ASSIGNED = "practice.reviewers_assigned", _("reviewers assigned")
    PRACTICE_REVIEWER_REMOVED = "practice.reviewer_removed", _("reviewer removed")
    PRACTICE_REVIEWED = "practice.reviewed", _("review sent")
    PRACTICE_DECIDED = "practice.decided", _("library decision recorded")
    PRACTICE_RECOMMENDED = "practice.recommended", _("library item's recommendation changed")
    PRACTICE_ARCHIVED = "practice.archived", _("library item archived")
    PRACTICE_DELETED = "practice.deleted", _("library draft deleted")
    PRACTICES_IMPORTED = "practice.import", _("library items imported")
    RUBRIC_CHANGED = "country.rubric_changed", _("review rubric changed")
    EVENT_CREATED = "event.created", _("network event created")
    EVENT_CHANGED = "event.changed", _("network event changed")
    EVENT_PUBLISHED = "event.published", _("network event published")
    EVENT_CANCELLED = "event.cancelled", _("network event cancelled")
    EVENT_REGISTERED = "event.registered", _("school registered for a network event")
    EVENT_REGISTRATION_PROMOTED = (
        "event.registration_promoted",
        _("school given a place from the waiting list"),
    )
    EVENT_REGISTRATION_CANCELLED = (
        "event.registration_cancelled",
        _("registration for a network event cancelled"),
    )
    EVENT_PARTICIPANTS_CHANGED = (
        "event.participants_changed",
        _("school's participants in a network event changed"),
    )
    EVENT_ATTENDANCE_RECORDED = (
        "event.attendance_recorded",
        _("attendance at a network event recorded"),
    )
    ACTIVITY_RECORDED = "activity.recorded", _("activity recorded")
    ACTIVITY_CHANGED = "activity.changed", _("activity changed")
    ACTIVITY_DELETED = "activity.deleted", _("activity deleted")
    ACTIVITY_PHOTO_ADDED = "activity.photo_added", _("activity photo added with consent")
    ACTIVITY_PHOTO_REMOVED = "activity.photo_removed", _("activity photo removed")
    PARTNER_SEARCH_CHANGED = "partners.search_changed", _("partner search changed")
    PARTNER_CONTACTED = "partners.contacted", _("partner school contacted")
    CALENDAR_FEED_ADDRESS_MADE = (
        "calendar.feed_address_made",
        _("personal calendar address made"),
    )
    ADMIN_ADDED = "admin.added", _("added in the administration")
    ADMIN_CHANGED = "admin.changed", _("changed in the administration")
    ADMIN_DELETED = "admin.deleted", _("deleted in the administration")
    ADMIN_RELATED_CHANGED = (
        "admin.related_changed",
        _("related records changed in the administration"),
    )


class AuditNote(models.TextChoices):
    """Why, where the reason is one of a known few (free text is stored as it is)."""

    BY_INVITATION = "by invitation", _("by invitation")
    INVITER_LOST_ROLE = "the inviter's role was taken back", _("the inviter's role was taken back")
    ACCOUNT_DELETED = "the account was deleted", _("the account was deleted")
    RECORDED_AT_IMPORT = "recorded at import", _("recorded at import")
    TOO_MANY_FAILED_SIGN_INS = (
        "too many failed sign-ins in a row",
        _("too many failed sign-ins in a row"),
    )


class StandIn(models.TextChoices):
    """Who acted, or what is named, when it is not a person with an account."""

    # The command line is trusted: whoever runs manage.py already controls the server.
    COMMAND_LINE = "command line", _("command line")
    # A person who has deleted their account.
    FORMER_MEMBER = "former member", _("former member")
    SYSTEM = "system", _("system")
    # Whoever holds an application's link (no account is needed to apply).
    APPLICANT = "applicant", _("applicant")


def label_of(choices: type[models.TextChoices], value: str) -> str:
    """The choice's label in the reader's language; an unknown value as it was recorded."""
    return str(choices(value).label) if value in choices.values else value


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

    Append-only: entries are written by services through `audit_record` and never edited.
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
        # The table was created when the log lived in the core app; it keeps its name.
        db_table = "core_auditentry"
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
        """The actor as people read it: stand-ins are stored in English and shown in the
        reader's language."""
        return label_of(StandIn, self.actor_label)

    @property
    def what(self) -> str:
        return label_of(StandIn, self.object_label)

    @property
    def action_label(self) -> str:
        return label_of(AuditAction, self.action)

    @property
    def note_label(self) -> str:
        return label_of(AuditNote, self.note)
