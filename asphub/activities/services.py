"""Every change to a school's activities: one function per step, each checking permission,
validating, writing atomically (locking the activity's row) and recording an audit entry. A
refused step raises (PermissionDenied, ValidationError) and changes nothing.

Record: activity_create, activity_update, activity_delete.
Photos: activity_photo_hold, held_photos, held_photos_discard, activity_photo_add,
activity_photo_remove.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.documents import random_storage_name
from asphub.core.edits import locked, refuse_stale
from asphub.countries.selectors import country_code
from asphub.practices.models import READABLE_STATUSES
from asphub.roles.permissions import (
    Actor,
    actor_user,
    can_delete_activity,
    can_edit_activity,
    can_record_activity,
    can_remove_activity_photo,
    require_permission,
)
from asphub.schools.images import ACCEPTED_FORMATS, CheckedImage
from asphub.schools.models import School

from .models import Activity, ActivityLink, ActivityPhoto, validate_web_link

MAX_LINKS = 20
MAX_PARTNER_SCHOOLS = 50
MAX_PHOTOS = 30
# Photos held for a form with another error are attached when it is saved; older ones go.
HELD_PHOTO_HOURS = 24
# Photos held for one person at most (a form or two open in a few tabs); holding one more
# forgets their oldest, so that posts that never complete a form cannot fill the storage.
MAX_HELD_PER_PERSON = 10
HELD_PURGE_BATCH = 200
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# What a photo form does not write (the services set these, or the upload does).
PHOTO_FIELDS_SET_HERE = [
    "activity",
    "uploaded_by",
    "image",
    "content_type",
    "width",
    "height",
    "consent_confirmed",
    "consent_recorded_by",
    "consent_recorded_at",
    "position",
]

# The fields a form may write (the services set the school, country, author and sequence).
TEXT_FIELDS = (
    "kind",
    "title",
    "language",
    "title_en",
    "description",
    "description_en",
    "starts_on",
    "ends_on",
    "place",
    "flagship",
    "international_day",
    "pupils",
    "teachers",
    "others",
    "partners_abroad",
    "produced_practice",
    "visibility",
)
MANY_FIELDS = ("thematic_areas", "pillars", "sdgs", "partner_schools")


def _snapshot(activity: Activity) -> dict[str, Any]:
    return {
        "title": activity.title,
        "kind": activity.kind,
        "starts_on": activity.starts_on.isoformat() if activity.starts_on else None,
        "ends_on": activity.ends_on.isoformat() if activity.ends_on else None,
        "visibility": activity.visibility,
        "participants": [activity.pupils, activity.teachers, activity.others],
        "sequence": activity.sequence,
    }


def _delete_stored(names: Sequence[str]) -> None:
    """Remove stored photos once the rows that named them are gone (after the commit: a
    rolled-back change keeps its files)."""
    storage = ActivityPhoto.image.field.storage
    for name in names:
        storage.delete(name)


# -- recording --------------------------------------------------------------------------------


def _check_practice(activity: Activity) -> dict[str, list[ValidationError]]:
    practice = activity.produced_practice if activity.produced_practice_id else None
    if practice is None:
        return {}
    if practice.status in READABLE_STATUSES or practice.school_id == activity.school_id:
        return {}
    return {
        "produced_practice": [
            ValidationError(
                _("Choose one of the library's published items, or one of your school's own."),
                code="practice_not_available",
            )
        ]
    }


def _check_partners(activity: Activity, partners: Iterable[School]) -> dict[str, list]:
    errors = []
    partners = list(partners)
    if len(partners) > MAX_PARTNER_SCHOOLS:
        errors.append(
            ValidationError(
                ngettext(
                    "An activity may name at most %(count)s partner school from the directory.",
                    "An activity may name at most %(count)s partner schools from the directory.",
                    MAX_PARTNER_SCHOOLS,
                )
                % {"count": MAX_PARTNER_SCHOOLS},
                code="too_many_partners",
            )
        )
        partners = []
    for partner in partners:
        if partner.pk == activity.school_id:
            errors.append(
                ValidationError(
                    _("The school itself is not its own partner."), code="own_school_partner"
                )
            )
        elif not partner.is_public:
            errors.append(
                ValidationError(
                    _("“%(name)s” is not in the network's directory.") % {"name": partner.name},
                    code="partner_not_in_directory",
                )
            )
    return {"partner_schools": errors} if errors else {}


def _apply(activity: Activity, data: dict[str, Any]) -> None:
    """Set what the form may write and validate it (the model's fields and constraints, the
    produced practice, the partners); all errors together, by field."""
    for name in TEXT_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    errors: dict[str, list] = {}
    exclude = ["school", "country", "created_by"]
    if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
        # Said next to the end date (the database's constraint would say it for the form).
        errors["ends_on"] = [
            ValidationError(
                _("The activity ends before it starts: the end date must not be before the start."),
                code="ends_before_start",
            )
        ]
        exclude.append("ends_on")
    try:
        activity.full_clean(exclude=exclude)
    except ValidationError as invalid:
        errors.update(invalid.update_error_dict({}))
    errors.update(_check_practice(activity))
    if "partner_schools" in data:
        errors.update(_check_partners(activity, data["partner_schools"]))
    if errors:
        raise ValidationError(errors)


def _checked_links(links: Sequence[dict[str, str]] | None) -> list[dict[str, str]] | None:
    if links is None:
        return None
    if len(links) > MAX_LINKS:
        raise ValidationError(
            ngettext(
                "An activity may have at most %(count)s link.",
                "An activity may have at most %(count)s links.",
                MAX_LINKS,
            )
            % {"count": MAX_LINKS},
            code="too_many_links",
        )
    checked = []
    for link in links:
        url = (link.get("url") or "").strip()
        # The form checks too; the service is the last word (an import, the shell, the API).
        validate_web_link(url)
        link_row = ActivityLink(url=url, title=link.get("title", ""))
        link_row.full_clean(exclude=["activity", "position"])
        checked.append({"url": url, "title": link_row.title})
    return checked


def _write_links(activity: Activity, links: list[dict[str, str]] | None) -> None:
    if links is None:
        return
    activity.links.all().delete()
    ActivityLink.objects.bulk_create(
        ActivityLink(activity=activity, url=link["url"], title=link["title"], position=i)
        for i, link in enumerate(links)
    )


def _set_many(activity: Activity, data: dict[str, Any]) -> None:
    for name in MANY_FIELDS:
        if name in data:
            getattr(activity, name).set(data[name])


def activity_create(
    *,
    actor: Actor,
    school: School,
    data: dict[str, Any],
    links: Sequence[dict[str, str]] = (),
) -> Activity:
    """Record an activity of the school: its teachers and coordinator, while the school is in
    the network."""
    require_permission(
        actor,
        lambda user: can_record_activity(user, school),
        _("Only the school's teachers and coordinator record its activities."),
    )
    checked_links = _checked_links(links)
    activity = Activity(school=school, country_id=school.country_id, created_by=actor_user(actor))
    _apply(activity, data)
    with transaction.atomic():
        activity.save()
        _set_many(activity, data)
        _write_links(activity, checked_links)
        audit_record(
            actor=actor,
            action=AuditAction.ACTIVITY_RECORDED,
            obj=activity,
            country_code=country_code(activity.country_id),
            after=_snapshot(activity),
        )
    return activity


def activity_update(
    *,
    actor: Actor,
    activity: Activity,
    data: dict[str, Any],
    seen_sequence: int | None,
    links: Sequence[dict[str, str]] | None = None,
) -> Activity:
    """Save changes to an activity (its school's teachers and coordinator). A form opened
    before someone else's save, or one that does not say which `sequence` it was opened on
    (None), is refused (StaleEdit), so no one's work is overwritten; every save counts one
    more `sequence` (the calendar's feeds tell an update by it)."""
    require_permission(
        actor,
        lambda user: can_edit_activity(user, activity),
        _("Only the school's teachers and coordinator change its activities."),
    )
    checked_links = _checked_links(links)
    with transaction.atomic():
        stored = locked(activity)
        require_permission(
            actor,
            lambda user: can_edit_activity(user, stored),
            _("Only the school's teachers and coordinator change its activities."),
        )
        refuse_stale(
            seen=seen_sequence,
            current=stored.sequence,
            message=_(
                "Someone saved this activity after you opened it. Your text is kept below: "
                "compare it with the saved version and save again."
            ),
        )
        before = _snapshot(stored)
        _apply(stored, data)
        stored.sequence += 1
        stored.save()
        _set_many(stored, data)
        _write_links(stored, checked_links)
        audit_record(
            actor=actor,
            action=AuditAction.ACTIVITY_CHANGED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before=before,
            after=_snapshot(stored),
        )
    return stored


def activity_delete(*, actor: Actor, activity: Activity) -> None:
    """Delete an activity with its links and photos: the school coordinator, the teacher who
    recorded it, the country's national coordinator."""
    require_permission(
        actor,
        lambda user: can_delete_activity(user, activity),
        _("You may not delete this activity."),
    )
    with transaction.atomic():
        stored = locked(activity)
        names = list(stored.photos.values_list("image", flat=True))
        audit_record(
            actor=actor,
            action=AuditAction.ACTIVITY_DELETED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before={**_snapshot(stored), "photos": len(names)},
        )
        stored.delete()
        transaction.on_commit(partial(_delete_stored, names))


# -- photos -----------------------------------------------------------------------------------


def _consent_errors(
    *, consent_confirmed: bool, consent_note: str | None, alt_text: str | None
) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if not consent_confirmed:
        errors["consent_confirmed"] = [
            ValidationError(
                _(
                    "Tick the box to confirm that the people shown agreed: no photo is kept "
                    "without this confirmation."
                ),
                code="consent_required",
            )
        ]
    if consent_note is not None and not consent_note.strip():
        errors["consent_note"] = [
            ValidationError(
                _("Say how and when the people shown agreed (for example, a signed form)."),
                code="consent_note_required",
            )
        ]
    if alt_text is not None and not alt_text.strip():
        errors["alt_text"] = [
            ValidationError(
                _("Say in a sentence what the photo shows: people who cannot see it hear this."),
                code="describe_photo",
            )
        ]
    return errors


def _stored_photo(image: CheckedImage, **fields: Any) -> ActivityPhoto:
    photo = ActivityPhoto(
        content_type=CONTENT_TYPES[image.image_format],
        width=image.width,
        height=image.height,
        **fields,
    )
    name = random_storage_name(ACCEPTED_FORMATS[image.image_format], folder="activity-photos")
    photo.image.save(name, image, save=False)
    return photo


@contextmanager
def _forgetting_on_failure(name: str) -> Iterator[None]:
    """A failure inside removes the already stored file `name`: nothing is left in the
    storage that no row names."""
    try:
        yield
    except BaseException:
        if name:
            _delete_stored([name])
        raise


def activity_photo_hold(
    *, actor: Actor, activity: Activity, image: CheckedImage, consent_confirmed: bool
) -> ActivityPhoto:
    """Keep a checked photo while the rest of its form is corrected, so that it need not be
    chosen again; only a photo whose uploader has confirmed the consent is kept at all. It
    belongs to the uploader, unattached, for a day."""
    require_permission(
        actor,
        lambda user: can_edit_activity(user, activity),
        _("Only the school's teachers and coordinator add photos to its activities."),
    )
    user = actor_user(actor)
    errors = _consent_errors(consent_confirmed=consent_confirmed, consent_note=None, alt_text=None)
    if errors:
        raise ValidationError(errors)
    photo = _stored_photo(
        image,
        uploaded_by=user,
        consent_confirmed=True,
        consent_recorded_by=user,
        consent_recorded_at=timezone.now(),
    )
    with _forgetting_on_failure(photo.image.name), transaction.atomic():
        photo.save()
        _forget_oldest_held(user)
        transaction.on_commit(purge_stale_held_photos)
    return photo


def _forget_oldest_held(user: Any) -> None:
    """Keep this person's newest MAX_HELD_PER_PERSON held photos; the older ones go, with
    their files after the commit."""
    older = list(
        ActivityPhoto.objects.filter(uploaded_by=user, activity__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("pk", "image")[MAX_HELD_PER_PERSON:]
    )
    if not older:
        return
    ActivityPhoto.objects.filter(pk__in=[pk for pk, _name in older], activity__isnull=True).delete()
    transaction.on_commit(partial(_delete_stored, [name for _pk, name in older]))


def held_photos(actor: Actor, ids: Iterable[Any]) -> list[ActivityPhoto]:
    """Of these ids, the photos this person uploaded and has not attached yet."""
    user = actor_user(actor)
    wanted = [
        int(pk) for pk in ids if str(pk).isascii() and str(pk).isdigit() and len(str(pk)) <= 18
    ][:1]
    if user is None or not wanted:
        return []
    return list(
        ActivityPhoto.objects.filter(pk__in=wanted, uploaded_by=user, activity__isnull=True)
    )


def held_photos_discard(*, actor: Actor, photos: Sequence[ActivityPhoto]) -> None:
    """Forget photos held for this person (their consent was taken back in the form)."""
    user = actor_user(actor)
    if user is None:
        return
    with transaction.atomic():
        names = []
        for photo in photos:
            deleted, _kinds = ActivityPhoto.objects.filter(
                pk=photo.pk, uploaded_by=user, activity__isnull=True
            ).delete()
            if deleted:
                names.append(photo.image.name)
        transaction.on_commit(partial(_delete_stored, names))


def purge_stale_held_photos() -> int:
    """Remove photos held for a form that was never saved, once they are a day old (a few
    hundred at a time, run after each hold)."""
    cutoff = timezone.now() - timedelta(hours=HELD_PHOTO_HOURS)
    stale = list(
        ActivityPhoto.objects.filter(activity__isnull=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", "image")[:HELD_PURGE_BATCH]
    )
    removed = []
    with transaction.atomic():
        for pk, name in stale:
            deleted, _kinds = ActivityPhoto.objects.filter(pk=pk, activity__isnull=True).delete()
            if deleted:
                removed.append(name)
        transaction.on_commit(partial(_delete_stored, removed))
    return len(removed)


def activity_photo_add(
    *,
    actor: Actor,
    activity: Activity,
    alt_text: str,
    consent_confirmed: bool,
    consent_note: str,
    caption: str = "",
    image: CheckedImage | None = None,
    held: ActivityPhoto | None = None,
) -> ActivityPhoto:
    """Add a photo to the activity (its school's teachers and coordinator): a new checked
    image, or one held for this person. Refused without the consent confirmed and explained,
    or without saying what it shows; the consent is recorded with who confirmed it and when."""
    require_permission(
        actor,
        lambda user: can_edit_activity(user, activity),
        _("Only the school's teachers and coordinator add photos to its activities."),
    )
    if (image is None) == (held is None):
        raise ValueError("give either a new image or a held photo")
    user = actor_user(actor)
    errors = _consent_errors(
        consent_confirmed=consent_confirmed, consent_note=consent_note, alt_text=alt_text
    )
    fields = {"caption": caption, "alt_text": alt_text, "consent_note": consent_note}
    try:
        ActivityPhoto(**fields).clean_fields(exclude=PHOTO_FIELDS_SET_HERE)
    except ValidationError as invalid:
        for field, messages in invalid.update_error_dict({}).items():
            errors.setdefault(field, []).extend(messages)
    if held is not None and (
        held.activity_id is not None or user is None or held.uploaded_by_id != user.pk
    ):
        raise PermissionDenied(_("This photo is not yours to add."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    consent = {"consent_confirmed": True, "consent_recorded_by": user, "consent_recorded_at": now}
    new = _stored_photo(image, uploaded_by=user, **fields, **consent) if image is not None else None
    with _forgetting_on_failure(new.image.name if new else ""), transaction.atomic():
        stored = locked(activity)
        count = stored.photos.count()
        if count >= MAX_PHOTOS:
            raise ValidationError(
                {
                    "image": [
                        ValidationError(
                            ngettext(
                                "An activity may have at most %(count)s photo.",
                                "An activity may have at most %(count)s photos.",
                                MAX_PHOTOS,
                            )
                            % {"count": MAX_PHOTOS},
                            code="too_many_photos",
                        )
                    ]
                }
            )
        if new is not None:
            photo = new
        else:
            assert held is not None
            photo = ActivityPhoto.objects.select_for_update().get(pk=held.pk, activity__isnull=True)
            for name, value in {**fields, **consent}.items():
                setattr(photo, name, value)
        photo.activity = stored
        photo.position = count
        photo.save()
        audit_record(
            actor=actor,
            action=AuditAction.ACTIVITY_PHOTO_ADDED,
            obj=stored,
            country_code=country_code(stored.country_id),
            after={"photo": photo.pk, "consent_recorded_at": now.isoformat()},
            note=consent_note[:500],
        )
    return photo


def activity_photo_remove(*, actor: Actor, photo: ActivityPhoto) -> None:
    """Take a photo off its activity and out of the storage: the school's teachers and
    coordinator, or the country's national coordinator (when consent is withdrawn)."""
    activity = photo.activity
    if activity is None:
        raise PermissionDenied(_("This photo belongs to no activity."))
    require_permission(
        actor,
        lambda user: can_remove_activity_photo(user, activity),
        _("You may not remove this photo."),
    )
    with transaction.atomic():
        stored = locked(activity)
        name = photo.image.name
        deleted, _kinds = ActivityPhoto.objects.filter(pk=photo.pk, activity=stored).delete()
        if not deleted:
            return  # removed meanwhile (a second click)
        audit_record(
            actor=actor,
            action=AuditAction.ACTIVITY_PHOTO_REMOVED,
            obj=stored,
            country_code=country_code(stored.country_id),
            before={"photo": photo.pk, "caption": photo.caption},
        )
        transaction.on_commit(partial(_delete_stored, [name]))
