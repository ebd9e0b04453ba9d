"""Who holds which role where, and the invitations that give roles.

Teachers and school coordinators hold their role for one school; reviewers and national
coordinators for one country; administrators for the whole platform. A person may hold any
number of roles. A role is never deleted when it is taken away: it is marked revoked, so the
history of who could do what stays readable.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

INVITATION_VALIDITY = timedelta(days=7)


class Role(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    SCHOOL_COORDINATOR = "school_coordinator", _("school coordinator")
    REVIEWER = "reviewer", _("reviewer")
    NATIONAL_COORDINATOR = "national_coordinator", _("national coordinator")
    ADMINISTRATOR = "administrator", _("administrator")


SCHOOL_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_COORDINATOR})
COUNTRY_ROLES = frozenset({Role.REVIEWER, Role.NATIONAL_COORDINATOR})

_SCOPE_IS_VALID = (
    Q(role__in=sorted(SCHOOL_ROLES), school__isnull=False, country__isnull=True)
    | Q(role__in=sorted(COUNTRY_ROLES), school__isnull=True, country__isnull=False)
    | Q(role=Role.ADMINISTRATOR, school__isnull=True, country__isnull=True)
)


class Scoped(models.Model):
    """The role and where it applies: a school, a country, or (administrators) everywhere."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    country = models.ForeignKey(
        "countries.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        if self.school is not None:
            return str(self.school)
        if self.country is not None:
            return str(self.country)
        return str(_("the whole platform"))


def held_now(path: str = "") -> Q:
    """Roles held now (not taken back); `path` reaches them from another model, e.g.
    held_now("roleassignments__") from a school."""
    return Q(**{f"{path}revoked_at__isnull": True})


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self) -> RoleAssignmentQuerySet:
        """Roles held now (not taken back)."""
        return self.filter(held_now())


class RoleAssignment(Scoped):
    """One person holding one role at one school, in one country or on the whole platform."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(condition=_SCOPE_IS_VALID, name="role_scope_matches_role"),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(revoked_at__isnull=True, school__isnull=False),
                name="one_active_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "country"],
                condition=Q(revoked_at__isnull=True, country__isnull=False),
                name="one_active_country_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True, role="administrator"),
                name="one_active_administrator_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", pgettext_lazy("an invitation", "withdrawn")


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(Scoped):
    """A single-use link, sent by e-mail, that gives its holder one role."""

    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language of the e-mail"), max_length=8, choices=settings.LANGUAGES, default="lv"
    )
    # Only a hash of the link's secret is stored: a database leak does not leak usable links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(
        pgettext_lazy("an invitation", "withdrawn"), null=True, blank=True
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_SCOPE_IS_VALID, name="invitation_scope_matches_role")
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_role_display()} · {self.scope_label}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING
