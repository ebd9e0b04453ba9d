"""Every change to the library: one function per step, each checking permission, validating,
writing atomically (locking the item's row) and recording an audit entry.

Develop: practice_create, practice_update, files_hold, practice_delete_draft.
Evaluate: practice_submit, reviewers_assign, reviewer_remove, review_save, practice_decide.
Disseminate: practice_set_recommended, practice_archive (publishing is a decision).
The rubric: rubric_for, rubric_update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asphub.accounts.models import User
from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.documents import CheckedAttachment, random_storage_name
from asphub.core.edits import StaleEdit, locked
from asphub.countries.models import Country
from asphub.countries.selectors import country_code
from asphub.mail.services import send_templated_mail
from asphub.roles.models import Role, RoleAssignment
from asphub.roles.permissions import (
    LIBRARY_SCHOOL_STATUSES,
    Actor,
    actor_user,
    can_author_network_material,
    can_author_practice,
    can_edit_practice,
    can_manage_library,
    can_review_practice,
    can_submit_practice,
    is_command_line,
    require_permission,
)
from asphub.schools.models import School

from .indexing import index_practice
from .models import (
    MIN_REVIEWERS,
    DecisionKind,
    Practice,
    PracticeDecision,
    PracticeFile,
    PracticeLink,
    PracticeRevision,
    PracticeStatus,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)
from .rubric import DEFAULT_RUBRIC
from .selectors import sent_reviews_of_round
from .tasks import extract_file_text

MAX_FILES = 20
MAX_LINKS = 20
# Files held for a form with errors are attached when it is saved; older ones are removed.
HELD_FILE_HOURS = 24

# The fields a form may write (everything else the services set).
TEXT_FIELDS = (
    "kind",
    "title",
    "summary",
    "title_en",
    "summary_en",
    "body",
    "language",
    "authors",
    "education_levels",
    "age_from",
    "age_to",
    "subjects",
    "flagship",
    "international_day",
    "duration",
    "licence",
)
MANY_FIELDS = ("thematic_areas", "pillars", "sdgs")


# -- develop ----------------------------------------------------------------------------------


def files_hold(*, actor: Actor, attachments: Sequence[CheckedAttachment]) -> list[PracticeFile]:
    """Store checked uploads before the form they came with is valid, so that an error in the
    text never makes the author upload again. They belong to the uploader until attached."""
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied(_("Sign in to upload files."))
    held = []
    with transaction.atomic():
        for attachment in attachments:
            stored = PracticeFile(
                uploaded_by=user,
                original_name=attachment.original_name,
                kind=attachment.kind,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
            )
            stored.file.save(
                random_storage_name(attachment.extension),
                ContentFile(attachment.content),
                save=False,
            )
            stored.save()
            held.append(stored)
        transaction.on_commit(purge_stale_held_files)
    return held


HELD_PURGE_BATCH = 200


def purge_stale_held_files() -> int:
    """Remove files held for a form that was never saved, once they are a day old (a few
    hundred at a time: run after each upload, so the held files never pile up)."""
    cutoff = timezone.now() - timedelta(hours=HELD_FILE_HOURS)
    stale = list(
        PracticeFile.objects.filter(practice__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", "file")[:HELD_PURGE_BATCH]
    )
    if not stale:
        return 0
    removed = []
    with transaction.atomic():
        for pk, name in stale:
            # One by one, each only if still unattached: a file attached meanwhile stays.
            deleted, _kinds = PracticeFile.objects.filter(pk=pk, practice__isnull=True).delete()
            if deleted:
                removed.append(name)
        transaction.on_commit(partial(_delete_stored, removed))
    return len(removed)


def held_files(actor: Actor, ids: Iterable[Any]) -> list[PracticeFile]:
    """Of these ids, the files this person uploaded and has not attached yet."""
    user = actor_user(actor)
    wanted = [
        int(pk) for pk in ids if str(pk).isascii() and str(pk).isdigit() and len(str(pk)) <= 18
    ][:MAX_FILES]
    if user is None or not wanted:
        return []
    return list(PracticeFile.objects.filter(pk__in=wanted, uploaded_by=user, practice__isnull=True))


def _delete_stored(names: Sequence[str]) -> None:
    """Remove stored files once the rows that named them are gone (after the commit: a
    rolled-back change keeps its files)."""
    storage = PracticeFile.file.field.storage
    for name in names:
        storage.delete(name)


def _attach(practice: Practice, files: Sequence[PracticeFile]) -> list[PracticeFile]:
    if not files:
        return []
    count = practice.files.count()
    if count + len(files) > MAX_FILES:
        raise ValidationError(
            ngettext(
                "An item may have at most %(count)s file.",
                "An item may have at most %(count)s files.",
                MAX_FILES,
            )
            % {"count": MAX_FILES},
            code="too_many_files",
        )
    ids = [held.pk for held in files]
    PracticeFile.objects.filter(pk__in=ids, practice__isnull=True).update(practice=practice)
    attached = list(practice.files.filter(pk__in=ids))
    for file in attached:
        transaction.on_commit(partial(extract_file_text.enqueue, file.pk))
    return attached


def _write_links(practice: Practice, links: Sequence[dict[str, str]] | None) -> None:
    if links is None:
        return
    if len(links) > MAX_LINKS:
        raise ValidationError(
            ngettext(
                "An item may have at most %(count)s link.",
                "An item may have at most %(count)s links.",
                MAX_LINKS,
            )
            % {"count": MAX_LINKS},
            code="too_many_links",
        )
    practice.links.all().delete()
    PracticeLink.objects.bulk_create(
        PracticeLink(practice=practice, url=link["url"], title=link.get("title", ""), position=i)
        for i, link in enumerate(links)
    )


def _apply(practice: Practice, data: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if name in data:
            setattr(practice, name, data[name])
    practice.full_clean(exclude=["country", "school", "created_by"])


def _set_many(practice: Practice, data: dict[str, Any]) -> None:
    for name in MANY_FIELDS:
        if name in data:
            getattr(practice, name).set(data[name])


def _snapshot(practice: Practice) -> dict[str, Any]:
    return {
        "status": practice.status,
        "title": practice.title,
        "edit_version": practice.edit_version,
    }


def practice_create(
    *,
    actor: Actor,
    data: dict[str, Any],
    school: School | None = None,
    country: Country | None = None,
    links: Sequence[dict[str, str]] = (),
    files: Sequence[PracticeFile] = (),
) -> Practice:
    """A new draft of the school (or, without a school, network-level material of the
    country)."""
    if school is not None:
        require_permission(
            actor,
            lambda user: can_author_practice(user, school),
            _("Only the school's teachers and coordinator may add to its library."),
        )
        country_id = school.country_id
    else:
        if country is None:
            raise ValueError("a practice belongs to a school or a country")
        require_permission(
            actor,
            lambda user: can_author_network_material(user, country),
            _("Only the national coordinator may add network-level materials."),
        )
        country_id = country.pk
    with transaction.atomic():
        practice = Practice(
            country_id=country_id,
            school=school,
            created_by=actor_user(actor),
            status=PracticeStatus.DRAFT,
        )
        _apply(practice, data)
        practice.save()
        _set_many(practice, data)
        _write_links(practice, links)
        _attach(practice, files)
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_CREATED,
            obj=practice,
            country_code=country_code(practice.country_id),
            after=_snapshot(practice),
        )
    return practice


def practice_update(
    *,
    actor: Actor,
    practice: Practice,
    data: dict[str, Any],
    seen_version: int | None,
    links: Sequence[dict[str, str]] | None = None,
    files: Sequence[PracticeFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> Practice:
    """Save the authors' changes to a draft or to an item sent back for changes. A form opened
    before someone else's save is refused (StaleEdit), so no one's work is overwritten."""
    require_permission(
        actor,
        lambda user: can_edit_practice(user, practice),
        _("This item cannot be changed now."),
    )
    with transaction.atomic():
        stored = locked(practice)
        require_permission(
            actor,
            lambda user: can_edit_practice(user, stored),
            _("This item cannot be changed now."),
        )
        if seen_version is not None and seen_version != stored.edit_version:
            raise StaleEdit(
                _(
                    "Someone saved this item after you opened it. Your text is kept below: "
                    "compare it with the saved version and save again."
                ),
                current=stored.edit_version,
            )
        before = _snapshot(stored)
        _apply(stored, data)
        stored.edit_version += 1
        stored.save()
        _set_many(stored, data)
        _write_links(stored, links)
        removed = list(stored.files.filter(pk__in=list(remove_file_ids)))
        for file in removed:
            name = file.file.name
            file.delete()
            transaction.on_commit(partial(_delete_stored, [name]))
        _attach(stored, files)
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_CHANGED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=before,
            after=_snapshot(stored),
        )
    return stored


def practice_delete_draft(*, actor: Actor, practice: Practice) -> None:
    """A draft never submitted may be deleted by its authors; anything reviewed is kept."""
    with transaction.atomic():
        stored = locked(practice)
        require_permission(
            actor,
            lambda user: can_edit_practice(user, stored) and stored.round == 0,
            _("Only a draft that was never submitted can be deleted."),
        )
        names = list(stored.files.values_list("file", flat=True))
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_DELETED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=_snapshot(stored),
        )
        stored.delete()
        transaction.on_commit(partial(_delete_stored, names))


# -- evaluate ---------------------------------------------------------------------------------


def revision_details(practice: Practice) -> dict[str, Any]:
    """The metadata of a version as readable lines, so that versions can be compared: in the
    site's default language whoever submits, so that a diff never shows a change of language
    as a change of the item."""
    with translation.override(settings.LANGUAGE_CODE):
        return _revision_lines(practice)


def _revision_lines(practice: Practice) -> dict[str, Any]:
    return {
        "kind": practice.get_kind_display(),
        "language": practice.get_language_display(),
        "authors": practice.authors,
        "education_levels": ", ".join(practice.education_levels or []),
        "ages": (
            f"{practice.age_from or ''}–{practice.age_to or ''}"
            if practice.age_from or practice.age_to
            else ""
        ),
        "subjects": practice.subjects,
        "thematic_areas": ", ".join(str(area) for area in practice.thematic_areas.all()),
        "pillars": ", ".join(str(pillar) for pillar in practice.pillars.all()),
        "sdgs": ", ".join(str(goal.number) for goal in practice.sdgs.all()),
        "flagship": str(practice.flagship) if practice.flagship_id else "",
        "international_day": str(practice.international_day)
        if practice.international_day_id
        else "",
        "duration": practice.duration,
        "licence": practice.licence,
        "links": [f"{link.title} {link.url}".strip() for link in practice.links.all()],
        "files": [f"{file.original_name} ({file.sha256[:12]})" for file in practice.files.all()],
    }


def practice_submit(*, actor: Actor, practice: Practice, seen_version: int | None = None):
    """Send the item for review: a new version is kept as it is now, and the national
    coordinator is told. Submitting twice (a double click) submits once."""
    with transaction.atomic():
        stored = locked(practice)
        if stored.status == PracticeStatus.SUBMITTED and seen_version == stored.edit_version:
            return stored  # the same form sent again
        require_permission(
            actor,
            lambda user: can_submit_practice(user, stored),
            _("Only the school coordinator may submit the school's items for review."),
        )
        if stored.school is not None and (
            stored.school.membership_status not in LIBRARY_SCHOOL_STATUSES
        ):
            raise PermissionDenied(
                _("The school is no longer in the network: its items cannot be submitted.")
            )
        if seen_version is not None and seen_version != stored.edit_version:
            raise StaleEdit(
                _("Someone changed this item after you opened it. Look at it again first."),
                current=stored.edit_version,
            )
        before = _snapshot(stored)
        resubmission = stored.status == PracticeStatus.CHANGES_REQUESTED
        stored.round += 1
        stored.status = PracticeStatus.SUBMITTED
        stored.submitted_at = timezone.now()
        stored.save(update_fields=["round", "status", "submitted_at", "updated_at"])
        PracticeRevision.objects.create(
            practice=stored,
            number=stored.round,
            title=stored.title,
            summary=stored.summary,
            title_en=stored.title_en,
            summary_en=stored.summary_en,
            body=stored.body,
            details=revision_details(stored),
            created_by=actor_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_SUBMITTED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=before,
            after={**_snapshot(stored), "round": stored.round},
        )
        _tell_national_coordinators(
            stored,
            "practices/email/submitted",
            {"resubmission": resubmission},
            besides=actor,
        )
    return stored


def eligible_reviewers(practice: Practice):
    """Reviewers of the item's country who may review it: not of its school, not its author."""
    reviewers = User.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.active()
        .filter(role=Role.REVIEWER, country_id=practice.country_id)
        .values("user_id"),
    )
    if practice.school_id is not None:
        reviewers = reviewers.exclude(
            pk__in=RoleAssignment.objects.active()
            .filter(school_id=practice.school_id)
            .values("user_id")
        )
    if practice.created_by_id is not None:
        reviewers = reviewers.exclude(pk=practice.created_by_id)
    return reviewers.order_by("full_name", "email")


def reviewers_assign(
    *, actor: Actor, practice: Practice, reviewers: Sequence[User]
) -> list[ReviewAssignment]:
    """Assign reviewers to the current round. Every reviewer is checked here, under the item's
    lock, against the roles as they are now: a reviewer of the item's country, of no role at its
    school, not its author. The round must end up with at least two reviewers."""
    require_permission(
        actor,
        lambda user: can_manage_library(user, practice.country),
        _("Only the national coordinator assigns reviewers."),
    )
    with transaction.atomic():
        stored = locked(practice)
        if stored.status not in (PracticeStatus.SUBMITTED, PracticeStatus.IN_REVIEW):
            raise ValidationError(
                _("Reviewers are assigned to submitted items only."), code="not_submitted"
            )
        wanted = {person.pk for person in reviewers}
        # Lock the people's roles too: a role taken back meanwhile must not slip through.
        list(
            RoleAssignment.objects.select_for_update()
            .filter(user_id__in=wanted)
            .values_list("pk", flat=True)
        )
        allowed = set(eligible_reviewers(stored).filter(pk__in=wanted).values_list("pk", flat=True))
        refused = wanted - allowed
        if refused:
            raise ValidationError(
                _("Reviewers must be reviewers of this country, and not of the item's own school."),
                code="reviewer_not_allowed",
            )
        already = set(
            stored.assignments.filter(round=stored.round).values_list("reviewer_id", flat=True)
        )
        if len(already | wanted) < MIN_REVIEWERS:
            raise ValidationError(
                ngettext(
                    "Assign at least %(count)s reviewer.",
                    "Assign at least %(count)s reviewers.",
                    MIN_REVIEWERS,
                )
                % {"count": MIN_REVIEWERS},
                code="too_few_reviewers",
            )
        created = [
            ReviewAssignment.objects.create(
                practice=stored,
                round=stored.round,
                reviewer_id=pk,
                assigned_by=actor_user(actor),
            )
            for pk in sorted(wanted - already)
        ]
        if stored.status == PracticeStatus.SUBMITTED:
            stored.status = PracticeStatus.IN_REVIEW
            stored.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_REVIEWERS_ASSIGNED,
            obj=stored,
            country_code=country_code(stored.country_id),
            after={
                "status": stored.status,
                "round": stored.round,
                "reviewers": sorted(str(a.reviewer) for a in created),
            },
        )
        for assignment in created:
            reviewer = assignment.reviewer
            send_templated_mail(
                "practices/email/review_assigned",
                to=reviewer.email,
                language=reviewer.preferred_language or settings.LANGUAGE_CODE,
                context=_mail_context(stored, assignment=assignment),
            )
    return created


def reviewer_remove(*, actor: Actor, assignment: ReviewAssignment) -> None:
    """Take back an assignment not yet reviewed (the reviewer cannot do it, or is away)."""
    practice = assignment.practice
    require_permission(
        actor,
        lambda user: can_manage_library(user, practice.country),
        _("Only the national coordinator assigns reviewers."),
    )
    with transaction.atomic():
        locked(practice)
        stored = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if stored.submitted_at is not None:
            raise ValidationError(_("A review that was sent is kept."), code="review_already_sent")
        stored.delete()
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_REVIEWER_REMOVED,
            obj=practice,
            country_code=country_code(practice.country_id),
            before={"reviewer": str(stored.reviewer)},
        )


@dataclass(frozen=True)
class ScoreInput:
    score: int | None  # None: not applicable
    comment: str = ""


def _may_review(actor: Actor, assignment: ReviewAssignment) -> bool:
    """The assignment's reviewer, still a reviewer of the country and of no role at the item's
    school, on the item's current round while it is in review."""
    if is_command_line(actor):
        return True
    user = actor_user(actor)
    if user is None or assignment.reviewer_id != user.pk:
        return False
    return can_review_practice(user, assignment.practice)


def review_save(
    *,
    actor: Actor,
    assignment: ReviewAssignment,
    scores: dict[int, ScoreInput],
    comment: str,
    send: bool,
) -> ReviewAssignment:
    """Save a review (a draft of it, or sent). A sent review needs every active criterion of
    the country's rubric scored 0–3 or marked not applicable; once sent it cannot change.
    When the round's last review is sent, the national coordinator is told."""
    with transaction.atomic():
        practice = locked(assignment.practice)
        stored = (
            ReviewAssignment.objects.select_for_update(of=("self",))
            .select_related("reviewer")
            .get(pk=assignment.pk)
        )
        stored.practice = practice
        if not _may_review(actor, stored):
            raise PermissionDenied(_("This review is not assigned to you."))
        if (
            stored.round != practice.round
            or practice.status != PracticeStatus.IN_REVIEW
            or stored.submitted_at is not None
        ):
            raise ValidationError(_("This review is closed."), code="review_closed")
        criteria = {c.pk: c for c in rubric_for(practice.country)}
        errors = []
        unknown = set(scores) - set(criteria)
        if unknown:
            errors.append(ValidationError(_("Unknown rubric criterion."), code="unknown_criterion"))
        for value in scores.values():
            if value.score is not None and not 0 <= value.score <= 3:
                errors.append(
                    ValidationError(_("Scores go from 0 to 3."), code="score_out_of_range")
                )
        if send and set(criteria) - set(scores):
            errors.append(
                ValidationError(
                    _("Score every criterion, or mark it not applicable, before sending."),
                    code="criterion_missing",
                )
            )
        if errors:
            raise ValidationError(errors)
        stored.comment = comment
        for pk, value in scores.items():
            ReviewScore.objects.update_or_create(
                assignment=stored,
                criterion_id=pk,
                defaults={"score": value.score, "comment": value.comment},
            )
        if send:
            stored.submitted_at = timezone.now()
        stored.save(update_fields=["comment", "submitted_at"])
        if send:
            audit_record(
                actor=actor,
                action=AuditAction.PRACTICE_REVIEWED,
                obj=practice,
                country_code=country_code(practice.country_id),
                after={"round": practice.round},
            )
            still_open = practice.assignments.filter(
                round=practice.round, submitted_at__isnull=True
            ).exists()
            if not still_open:
                _tell_national_coordinators(practice, "practices/email/reviews_complete", {})
    return stored


DECISION_STATUS = {
    DecisionKind.PUBLISH: PracticeStatus.PUBLISHED,
    DecisionKind.REQUEST_CHANGES: PracticeStatus.CHANGES_REQUESTED,
    DecisionKind.DECLINE: PracticeStatus.DECLINED,
}


def practice_decide(
    *,
    actor: Actor,
    practice: Practice,
    decision: str,
    message: str,
    seen_round: int | None = None,
) -> PracticeDecision:
    """The national coordinator's decision on the round: publish, ask for changes or
    decline, with a message. The authors get it with the round's reviews."""
    require_permission(
        actor,
        lambda user: can_manage_library(user, practice.country),
        _("Only the national coordinator decides on library items."),
    )
    if decision not in DECISION_STATUS:
        raise ValidationError(_("Choose a decision."), code="unknown_decision")
    if not message.strip():
        raise ValidationError(_("Write a message to the authors."), code="message_required")
    with transaction.atomic():
        stored = locked(practice)
        if seen_round is not None and seen_round != stored.round:
            raise ValidationError(
                _("The item was submitted again meanwhile. Look at it again."), code="stale"
            )
        if stored.status != PracticeStatus.IN_REVIEW:
            raise ValidationError(_("Only an item in review can be decided."), code="not_in_review")
        sent = stored.assignments.filter(round=stored.round, submitted_at__isnull=False).count()
        if sent < MIN_REVIEWERS:
            raise ValidationError(
                ngettext(
                    "Wait for at least %(count)s review.",
                    "Wait for at least %(count)s reviews.",
                    MIN_REVIEWERS,
                )
                % {"count": MIN_REVIEWERS},
                code="reviews_missing",
            )
        before = _snapshot(stored)
        stored.status = DECISION_STATUS[DecisionKind(decision)]
        fields = ["status", "updated_at"]
        if stored.status == PracticeStatus.PUBLISHED and stored.published_at is None:
            stored.published_at = timezone.now()
            fields.append("published_at")
        stored.save(update_fields=fields)
        # Reviews still open (a reviewer who did not answer) close with the round.
        stored.assignments.filter(round=stored.round, submitted_at__isnull=True).delete()
        record = PracticeDecision.objects.create(
            practice=stored,
            round=stored.round,
            decision=decision,
            message=message,
            decided_by=actor_user(actor),
        )
        index_practice(stored)
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_DECIDED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=before,
            after={**_snapshot(stored), "decision": decision},
            note=message[:500],
        )
        # Read once for every recipient: the round's reviews with their scores.
        reviews = list(sent_reviews_of_round(stored, stored.round))
        _tell_authors(stored, "practices/email/decided", {"decision": record, "reviews": reviews})
    return record


# -- disseminate ------------------------------------------------------------------------------


def practice_set_recommended(*, actor: Actor, practice: Practice, recommended: bool) -> Practice:
    require_permission(
        actor,
        lambda user: can_manage_library(user, practice.country),
        _("Only the national coordinator recommends library items."),
    )
    with transaction.atomic():
        stored = locked(practice)
        if stored.status != PracticeStatus.PUBLISHED:
            raise ValidationError(
                _("Only a published item can be recommended."), code="not_published"
            )
        if stored.recommended == recommended:
            return stored
        stored.recommended = recommended
        stored.save(update_fields=["recommended", "updated_at"])
        index_practice(stored)
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_RECOMMENDED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before={"recommended": not recommended},
            after={"recommended": recommended},
        )
    return stored


def practice_archive(*, actor: Actor, practice: Practice, reason: str) -> Practice:
    """Take a published item out of the library's lists, feeds and search, with a reason. Its
    page stays (marked archived) and harvesters are told it was deleted."""
    require_permission(
        actor,
        lambda user: can_manage_library(user, practice.country),
        _("Only the national coordinator archives library items."),
    )
    if not reason.strip():
        raise ValidationError(_("Give the reason for archiving."), code="reason_required")
    with transaction.atomic():
        stored = locked(practice)
        if stored.status != PracticeStatus.PUBLISHED:
            raise ValidationError(_("Only a published item can be archived."), code="not_published")
        before = _snapshot(stored)
        stored.status = PracticeStatus.ARCHIVED
        stored.archived_reason = reason
        stored.recommended = False
        stored.save(update_fields=["status", "archived_reason", "recommended", "updated_at"])
        index_practice(stored)
        audit_record(
            actor=actor,
            action=AuditAction.PRACTICE_ARCHIVED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=before,
            after=_snapshot(stored),
            note=reason[:500],
        )
    return stored


def file_downloaded(file: PracticeFile) -> None:
    """Count a download (one UPDATE: concurrent downloads all count)."""
    PracticeFile.objects.filter(pk=file.pk).update(download_count=F("download_count") + 1)


# -- the rubric -------------------------------------------------------------------------------


def rubric_for(country: Country) -> list[RubricCriterion]:
    """The country's active criteria; a country without a rubric yet starts from the default."""
    criteria = list(RubricCriterion.objects.filter(country=country, active=True))
    if criteria or RubricCriterion.objects.filter(country=country).exists():
        return criteria
    with transaction.atomic():
        Country.objects.select_for_update().filter(pk=country.pk).first()
        if not RubricCriterion.objects.filter(country=country).exists():
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    country=country,
                    name_lv=name_lv,
                    name_en=name_en,
                    guidance_lv=guidance_lv,
                    guidance_en=guidance_en,
                    position=position,
                )
                for position, (name_lv, name_en, guidance_lv, guidance_en) in enumerate(
                    DEFAULT_RUBRIC, start=1
                )
            )
    return list(RubricCriterion.objects.filter(country=country, active=True))


def rubric_update(
    *,
    actor: Actor,
    country: Country,
    criteria: Sequence[dict[str, Any]],
) -> list[RubricCriterion]:
    """Save the country's rubric: each entry has name_lv, name_en, guidance_lv, guidance_en,
    position, active and, for an existing criterion, its pk. Criteria are retired, not
    deleted, so that earlier reviews keep their meaning."""
    require_permission(
        actor,
        lambda user: can_manage_library(user, country),
        _("Only the national coordinator edits the rubric."),
    )
    with transaction.atomic():
        Country.objects.select_for_update().filter(pk=country.pk).first()
        existing = {c.pk: c for c in RubricCriterion.objects.filter(country=country)}
        before = [c.name_lv for c in existing.values() if c.active]
        for entry in criteria:
            pk = entry.get("pk")
            criterion = existing.get(pk) if pk else RubricCriterion(country=country)
            if criterion is None:
                raise ValidationError(_("Unknown rubric criterion."), code="unknown_criterion")
            for name in ("name_lv", "name_en", "guidance_lv", "guidance_en", "position", "active"):
                if name in entry:
                    setattr(criterion, name, entry[name])
            criterion.full_clean(exclude=["country"])
            criterion.save()
        active = list(RubricCriterion.objects.filter(country=country, active=True))
        if not active:
            raise ValidationError(_("A rubric needs at least one criterion."), code="empty_rubric")
        audit_record(
            actor=actor,
            action=AuditAction.RUBRIC_CHANGED,
            obj=country,
            country_code=country.code,
            before={"criteria": before},
            after={"criteria": [c.name_lv for c in active]},
        )
    return active


# -- telling people ---------------------------------------------------------------------------


def _mail_context(practice: Practice, **extra: Any) -> dict[str, Any]:
    # Links in e-mails need the site's address (the templates add each page's path to it).
    site_url = settings.ASPHUB_SITE_URL.rstrip("/")
    return {"practice": practice, "network": practice.country, "site_url": site_url, **extra}


def _tell_national_coordinators(
    practice: Practice, template: str, extra: dict, *, besides: Actor | None = None
) -> None:
    """The country's national coordinators, each in their language; not the one who acted
    (a national coordinator submitting network material needs no e-mail about it)."""
    people = User.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.active()
        .filter(role=Role.NATIONAL_COORDINATOR, country_id=practice.country_id)
        .values("user_id"),
    )
    acting = actor_user(besides) if besides is not None else None
    if acting is not None:
        people = people.exclude(pk=acting.pk)
    for person in people:
        send_templated_mail(
            template,
            to=person.email,
            language=person.preferred_language or settings.LANGUAGE_CODE,
            context=_mail_context(practice, **extra),
        )


def _tell_authors(practice: Practice, template: str, extra: dict) -> None:
    """The item's author and its school's coordinators (the national coordinator's own
    network-level materials: the author alone)."""
    people: dict[int, User] = {}
    if practice.created_by_id is not None:
        # The author while they still belong: a school's teacher or coordinator, or for
        # network materials a national coordinator of the country.
        belongs = RoleAssignment.objects.active().filter(user_id=practice.created_by_id)
        belongs = (
            belongs.filter(school_id=practice.school_id)
            if practice.school_id is not None
            else belongs.filter(role=Role.NATIONAL_COORDINATOR, country_id=practice.country_id)
        )
        author = User.objects.filter(
            pk=practice.created_by_id, is_active=True, pk__in=belongs.values("user_id")
        ).first()
        if author is not None:
            people[author.pk] = author
    if practice.school_id is not None:
        for person in User.objects.filter(
            is_active=True,
            pk__in=RoleAssignment.objects.active()
            .filter(role=Role.SCHOOL_COORDINATOR, school_id=practice.school_id)
            .values("user_id"),
        ):
            people[person.pk] = person
    for person in people.values():
        send_templated_mail(
            template,
            to=person.email,
            language=person.preferred_language or settings.LANGUAGE_CODE,
            context=_mail_context(practice, **extra),
        )
