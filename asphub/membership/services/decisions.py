"""The national coordinator's decisions: one service per step of the lifecycle, each moving
the school through `school_status_change` (which checks permission, the table of allowed
steps and that nobody decided meanwhile) and then telling the people concerned. Notes and
the checklist are the coordinator's own records of an application."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from asphub.accounts.models import User
from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.mail.services import send_templated_mail
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.permissions import Actor, can_decide_membership, require_permission
from asphub.roles.services import invitation_create
from asphub.schools.lifecycle import MembershipAction
from asphub.schools.models import MembershipChange, MembershipStatus, School
from asphub.schools.services import school_status_change

from ..checklist import CHECKLIST_CRITERIA
from ..models import Application, ApplicationNote
from .applications import application_link, application_token_hash, mail_applicant

logger = logging.getLogger(__name__)


def _application_of(school: School) -> Application | None:
    return Application.objects.filter(school=school).select_related("country").first()


def _decide(
    *,
    actor: Actor,
    school: School,
    action: MembershipAction,
    reason: str,
    seen_status: str | None,
) -> MembershipChange:
    with transaction.atomic():
        change = school_status_change(
            actor=actor, school=school, action=action, reason=reason, seen_status=seen_status
        )
        if change.to_status in TOLD_STATUSES:
            _tell_school(school, change)
    return change


def membership_request_changes(
    *,
    actor: Actor,
    school: School,
    reason: str,
    seen_status: str | None = None,
    site_url: str = "",
) -> MembershipChange:
    """Ask the applicant to change the application: they get an e-mail with what to change
    and a new link to edit it (the old link stops working)."""
    with transaction.atomic():
        change = _decide(
            actor=actor,
            school=school,
            action=MembershipAction.REQUEST_CHANGES,
            reason=reason,
            seen_status=seen_status,
        )
        application = _application_of(school)
        if application is not None:
            token = secrets.token_urlsafe(32)
            application.token_hash = application_token_hash(token)
            application.save(update_fields=["token_hash", "updated_at"])
            mail_applicant(
                application,
                "membership/email/changes_requested",
                site_url=site_url,
                reason=change.reason,
                link=application_link(application, token, site_url),
            )
    return change


def _step(
    action: MembershipAction,
    doc: str,
    *,
    applicant_mail: str = "",
    invites_coordinator: bool = False,
) -> Callable[..., MembershipChange]:
    """The service of one step: the status, its history and the log (school_status_change),
    the school told of a status it reaches (TOLD_STATUSES), then, in the same transaction,
    what the step itself sends: `applicant_mail` (a template prefix) to the applicant, and an
    invitation to the school coordinator named on the application."""

    def service(
        *,
        actor: Actor,
        school: School,
        reason: str = "",
        seen_status: str | None = None,
        site_url: str = "",
    ) -> MembershipChange:
        with transaction.atomic():
            change = _decide(
                actor=actor, school=school, action=action, reason=reason, seen_status=seen_status
            )
            if applicant_mail:
                _tell_applicant(school, applicant_mail, change)
            if invites_coordinator:
                _invite_school_coordinator(actor, school, site_url)
        return change

    service.__name__ = service.__qualname__ = f"membership_{action.value}"
    service.__doc__ = doc
    return service


membership_start_review = _step(
    MembershipAction.START_REVIEW, "The coordinator starts looking at a submitted application."
)
membership_reject = _step(
    MembershipAction.REJECT,
    "The application is refused (a reason is required); the applicant is told why.",
    applicant_mail="membership/email/rejected",
)
membership_endorse = _step(
    MembershipAction.ENDORSE,
    "The national coordinator recommends the school to UNESCO; the applicant is told.",
    applicant_mail="membership/email/endorsed",
)
membership_make_candidate = _step(
    MembershipAction.MAKE_CANDIDATE,
    "The school enters the directory as a candidate; its school coordinator is invited.",
    invites_coordinator=True,
)
membership_make_member = _step(
    MembershipAction.MAKE_MEMBER,
    "The school becomes a member; its school coordinator is invited if it has none.",
    invites_coordinator=True,
)
membership_mark_dormant = _step(
    MembershipAction.MARK_DORMANT, "A member that no longer takes part (a reason is required)."
)
membership_reactivate = _step(MembershipAction.REACTIVATE, "A dormant member takes part again.")
membership_record_withdrawal = _step(
    MembershipAction.RECORD_WITHDRAWAL, "The school has left the network (a reason is required)."
)
membership_exclude = _step(
    MembershipAction.EXCLUDE, "The network excludes the school (a reason is required)."
)

# Each step's service, by the action the workbench's forms post.
DECISIONS: dict[MembershipAction, Callable[..., MembershipChange]] = {
    MembershipAction.START_REVIEW: membership_start_review,
    MembershipAction.REQUEST_CHANGES: membership_request_changes,
    MembershipAction.REJECT: membership_reject,
    MembershipAction.ENDORSE: membership_endorse,
    MembershipAction.MAKE_CANDIDATE: membership_make_candidate,
    MembershipAction.MAKE_MEMBER: membership_make_member,
    MembershipAction.MARK_DORMANT: membership_mark_dormant,
    MembershipAction.REACTIVATE: membership_reactivate,
    MembershipAction.RECORD_WITHDRAWAL: membership_record_withdrawal,
    MembershipAction.EXCLUDE: membership_exclude,
}


# The statuses a school is told of by e-mail when it reaches them (the application's own
# steps send their own e-mails).
TOLD_STATUSES = (
    MembershipStatus.CANDIDATE,
    MembershipStatus.MEMBER,
    MembershipStatus.DORMANT,
    MembershipStatus.WITHDRAWN,
    MembershipStatus.EXCLUDED,
)


def _tell_school(school: School, change: MembershipChange) -> None:
    """Tell the school its new status: its coordinators (each in their language); a school
    without one yet, at the addresses of its application or, failing that, its own."""
    context: dict[str, Any] = {"school": school, "change": change, "network": school.country}
    coordinators = list(
        User.objects.filter(
            is_active=True,
            pk__in=RoleAssignment.objects.active()
            .filter(school=school, role=Role.SCHOOL_COORDINATOR)
            .values("user_id"),
        )
    )
    if coordinators:
        for person in coordinators:
            send_templated_mail(
                "membership/email/status_changed",
                to=person.email,
                language=person.preferred_language or settings.LANGUAGE_CODE,
                context=context,
            )
        return
    application = _application_of(school)
    if application is not None:
        mail_applicant(application, "membership/email/status_changed", school=school, change=change)
    elif school.email:
        send_templated_mail(
            "membership/email/status_changed",
            to=school.email,
            language=settings.LANGUAGE_CODE,
            context=context,
        )


def _tell_applicant(school: School, prefix: str, change: MembershipChange) -> None:
    application = _application_of(school)
    if application is not None:
        mail_applicant(application, prefix, reason=change.reason)


def _invite_school_coordinator(actor: Actor, school: School, site_url: str) -> None:
    """Invite the school coordinator named on the application, unless the school has one or
    an invitation is open."""
    application = _application_of(school)
    if application is None or not application.coordinator_email:
        return
    has_coordinator = (
        RoleAssignment.objects.active().filter(school=school, role=Role.SCHOOL_COORDINATOR).exists()
    )
    invited = (
        Invitation.objects.pending().filter(school=school, role=Role.SCHOOL_COORDINATOR).exists()
    )
    if has_coordinator or invited:
        return
    try:
        with transaction.atomic():
            invitation_create(
                actor=actor,
                email=application.coordinator_email,
                role=Role.SCHOOL_COORDINATOR,
                school=school,
                language=application.language,
                site_url=site_url or settings.ASPHUB_SITE_URL,
            )
    except ValidationError as refused:
        # The decision stands without it (e.g. the coordinator's hundred invitations an hour
        # are used up): the school is then listed among the schools to act on, without a
        # school coordinator, to be invited from its page.
        logger.info("No invitation for %s's coordinator: %s", school, refused.messages)


# -- the coordinator's records ------------------------------------------------------------------


def application_note_add(*, actor: Actor, application: Application, text: str) -> ApplicationNote:
    require_permission(
        actor,
        lambda person: can_decide_membership(person, application.country),
        _("You may not keep notes on this country's applications."),
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note first."), code="empty")
    if len(text) > 5000:
        raise ValidationError(_("A note has at most 5,000 characters."), code="too_long")
    with transaction.atomic():
        note = ApplicationNote.objects.create(
            application=application,
            author=actor if isinstance(actor, User) else None,
            author_label=str(actor),
            text=text,
        )
        audit_record(
            actor=actor,
            action=AuditAction.APPLICATION_NOTE_ADDED,
            obj=application,
            country_code=application.country.code,
            after={"note": text},
        )
    return note


def application_checklist_update(
    *, actor: Actor, application: Application, ticked: set[str]
) -> Application:
    require_permission(
        actor,
        lambda person: can_decide_membership(person, application.country),
        _("You may not change this country's applications."),
    )
    known = {code for code, _label in CHECKLIST_CRITERIA}
    unknown = ticked - known
    if unknown:
        raise ValidationError(_("Unknown checklist item."), code="unknown")
    with transaction.atomic():
        stored = Application.objects.select_for_update().get(pk=application.pk)
        before = sorted(code for code, value in (stored.checklist or {}).items() if value)
        after = sorted(ticked)
        if before != after:
            stored.checklist = {code: True for code in after}
            stored.save(update_fields=["checklist", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.APPLICATION_CHECKLIST_CHANGED,
                obj=stored,
                country_code=stored.country.code,
                before={"ticked": before},
                after={"ticked": after},
            )
    application.checklist = stored.checklist
    return stored
