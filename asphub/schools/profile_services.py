"""Changes to a school's own profile: its public description, contact and pictures, its UNESCO
team, the flagship networks it takes part in, and its request to withdraw from the network.

The school's coordinator keeps the profile; the national coordinator of its country (and an
administrator) may correct all of it, including what identifies the school (name, type,
ownership, place, coordinates), which the school's coordinator may not change. Each function
checks permission, validates, writes in one transaction and records an audit entry; a refused
call changes nothing. The public profile shows a change at once (database triggers give the
directory's page cache a new version, asphub.schools.page_cache).

Concurrent editing: an editor passes `seen_updated_at`, the School.updated_at of the profile
they opened. If the school has changed since (another editor saved), the change is refused with
code "changed_meanwhile" and nothing is written. Team and flagship changes move updated_at on
too, so one token covers the whole profile page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asphub.accounts.models import User
from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.bilingual import localized
from asphub.core.validators import validate_single_line
from asphub.countries.models import Country, Subdivision
from asphub.mail.services import send_templated_mail
from asphub.roles.models import Role, RoleAssignment
from asphub.roles.permissions import (
    Actor,
    can_edit_school_profile,
    can_manage_schools,
    can_request_withdrawal,
    is_command_line,
    require_permission,
)
from asphub.taxonomy.models import FlagshipNetwork

from .images import LOGO_MAX_SIDE, PHOTO_MAX_SIDE, CheckedImage, checked_image
from .lifecycle import TRANSITIONS, MembershipAction
from .models import (
    APPLICATION_STATUSES,
    FlagshipParticipation,
    School,
    TeamMember,
    TeamRole,
    WithdrawalRequest,
    school_search_refresh,
)
from .selectors import name_taken_in_network

__all__ = [
    "IDENTITY_FIELDS",
    "IMAGE_FIELDS",
    "PROFILE_FIELDS",
    "ProfileChangeRefused",
    "TeamRuleShortfall",
    "school_flagships_update",
    "school_profile_update",
    "school_team_update",
    "school_withdrawal_request",
    "team_rule_description",
    "team_rule_shortfalls",
    "withdrawal_request_pending",
]

# What the school's coordinator keeps up to date.
PROFILE_FIELDS = (
    "description_lv", "description_en", "website", "email", "phone", "address",
    "photo_description",
)  # fmt: skip
IMAGE_FIELDS = ("logo", "photo")
IMAGE_MAX_SIDE = {"logo": LOGO_MAX_SIDE, "photo": PHOTO_MAX_SIDE}
# What identifies the school: the national coordinator (or an administrator) corrects these.
IDENTITY_FIELDS = (
    "name", "institution_type", "ownership", "subdivision", "settlement", "latitude",
    "longitude", "location_precision",
)  # fmt: skip
EDITABLE_FIELDS = PROFILE_FIELDS + IMAGE_FIELDS + IDENTITY_FIELDS
# Fields of one line of text (a line break would write lines of its own into e-mails).
SINGLE_LINE_FIELDS = ("name", "settlement", "address", "phone", "photo_description")
COORDINATE_STEP = Decimal("0.00001")
# A bound on one request's work; no school's UNESCO team comes near it.
MAX_TEAM_SIZE = 60
FIRST_NETWORK_YEAR = 1953
# Statuses from which a school can leave the network (the national coordinator then records
# the withdrawal: the lifecycle's RECORD_WITHDRAWAL step).
WITHDRAWABLE_STATUSES = TRANSITIONS[MembershipAction.RECORD_WITHDRAWAL].sources


class ProfileChangeRefused(ValidationError):
    """The change was refused (see its code, or its fields' codes); nothing was written."""


def _field_refusal(field: str, message: str, code: str) -> ProfileChangeRefused:
    """A refusal that belongs to one field of the form (ValidationError's own dict form
    would drop the code)."""
    return ProfileChangeRefused({field: [ValidationError(message, code=code)]})


def _check_seen(stored: School, seen_updated_at: datetime.datetime | None) -> None:
    if seen_updated_at is not None and stored.updated_at != seen_updated_at:
        raise ProfileChangeRefused(
            _("Someone else saved this school's profile after you opened it; nothing of yours "
              "was saved. What you typed is still in the form: look at the profile as it is "
              "now and save again to keep your version."),
            code="changed_meanwhile",
        )  # fmt: skip


def _locked_school(school: School) -> School:
    return (
        School.objects.select_for_update(of=("self",))
        .select_related("country", "subdivision")
        .get(pk=school.pk)
    )


def _touch(stored: School, school: School) -> None:
    """A team or flagship change is a change of the school's profile: it moves updated_at on
    (the token concurrent editors compare)."""
    now = timezone.now()
    School.objects.filter(pk=stored.pk).update(updated_at=now)
    stored.updated_at = school.updated_at = now


# -- the profile ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _coordinate(name: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(COORDINATE_STEP)
    except ArithmeticError:
        raise _field_refusal(name, _("Give the coordinates as numbers."), "coordinates") from None


def _recorded(name: str, value: Any) -> Any:
    """A field's value as the audit log keeps it (JSON-safe)."""
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Subdivision):
        return value.code
    if isinstance(value, Decimal):
        return str(value.quantize(COORDINATE_STEP))
    return value


def _wanted_value(stored: School, name: str, value: Any) -> Any:
    """The value asked for, in the form the model stores (images aside)."""
    if name == "subdivision":
        if value in (None, ""):
            return None
        if isinstance(value, Subdivision):
            return value
        found = Subdivision.objects.filter(pk=value).first()
        if found is None:
            raise _field_refusal(
                "subdivision",
                _("Choose a municipality or region of the school's country."),
                "subdivision",
            )
        return found
    if name in ("latitude", "longitude"):
        return _coordinate(name, value)
    if name == "location_precision" and not value:
        return stored.location_precision
    return _text(value)


def _differs(stored: School, name: str, wanted: Any) -> bool:
    current = getattr(stored, name)
    if name == "subdivision":
        return (current.pk if current else None) != (wanted.pk if wanted else None)
    if name in ("latitude", "longitude"):
        return (None if current is None else Decimal(current).quantize(COORDINATE_STEP)) != wanted
    return (current or "") != wanted


def _image_change(name: str, value: Any) -> CheckedImage | bool | None:
    """What is asked of an image field: a new picture (checked and re-encoded here unless
    the form already did), False to remove the current one, or None to leave it as it is (a
    FieldFile is the stored picture handed back by a form: no change either)."""
    if value is None or isinstance(value, FieldFile):
        return None
    if value is False or value == "":
        return False
    if isinstance(value, CheckedImage):
        return value
    try:
        return checked_image(value, max_side=IMAGE_MAX_SIDE[name])
    except ValidationError as error:
        raise ProfileChangeRefused({name: [error]}) from None


def school_profile_update(
    *,
    actor: Actor,
    school: School,
    seen_updated_at: datetime.datetime | None = None,
    **fields: Any,
) -> School:
    """Change the school's profile: any of PROFILE_FIELDS and IMAGE_FIELDS (the school's
    coordinator, the national coordinator of its country, an administrator) and of
    IDENTITY_FIELDS (the national coordinator and administrators only; a field passed with its
    current value is no change). An image is a file (checked and re-encoded), False to remove
    it, or None to keep it. Records the changed fields' values before and after."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of the school profile: {', '.join(sorted(unknown))}")
    require_permission(
        actor,
        lambda person: can_edit_school_profile(person, school),
        _("You may not change this school's profile."),
    )
    # Pictures are checked before the school is locked: re-encoding takes a moment.
    asked = {name: _image_change(name, fields.pop(name)) for name in IMAGE_FIELDS if name in fields}
    written: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            stored = _locked_school(school)
            _check_seen(stored, seen_updated_at)
            wanted = {name: _wanted_value(stored, name, value) for name, value in fields.items()}
            changed = [
                name
                for name in EDITABLE_FIELDS
                if name in wanted and _differs(stored, name, wanted[name])
            ]
            identity = [name for name in changed if name in IDENTITY_FIELDS]
            if identity:
                require_permission(
                    actor,
                    lambda person: can_manage_schools(person, stored.country),
                    _("Only the national coordinator may change the school's name, type, "
                      "ownership, place or coordinates."),
                )  # fmt: skip
            # Removing a picture the school does not have is no change.
            images = {
                name: change
                for name, change in asked.items()
                if change is not None and (change is not False or getattr(stored, name))
            }
            changed += list(images)
            if not changed:
                school.updated_at = stored.updated_at
                return stored
            before = {name: _recorded(name, getattr(stored, name)) for name in changed}
            for name in changed:
                if name not in images:
                    setattr(stored, name, wanted[name])
            _validate_profile(stored, changed, new_photo=bool(images.get("photo")))
            old_files = []
            for name, change in images.items():
                field_file = getattr(stored, name)
                if field_file:
                    old_files.append((field_file.storage, field_file.name))
                if change is False:
                    setattr(stored, name, "")
                elif isinstance(change, File):
                    field_file.save(change.name, change, save=False)
                    written.append((field_file.storage, field_file.name))
            update_fields = [*changed, "updated_at"]
            if "name" in changed:
                update_fields += ["sort_key", "search_text"]
            stored.save(update_fields=update_fields)
            audit_record(
                actor=actor,
                action=AuditAction.SCHOOL_PROFILE_CHANGED,
                obj=stored,
                country_code=stored.country.code,
                before=before,
                after={name: _recorded(name, getattr(stored, name)) for name in changed},
            )
            # The replaced pictures go once the change is committed (not before: a rollback
            # keeps the profile pointing at them).
            transaction.on_commit(lambda: _delete_files(old_files))
    except IntegrityError:
        _delete_files(written)
        raise _field_refusal(
            "name", _("This country's network already has a school with this name."), "name_taken"
        ) from None
    except BaseException:
        _delete_files(written)
        raise
    for name in changed:
        setattr(school, name, getattr(stored, name))
    school.updated_at = stored.updated_at
    return stored


def _validate_profile(stored: School, changed: list[str], *, new_photo: bool) -> None:
    others = [field.name for field in School._meta.fields if field.name not in changed]
    errors: dict[str, list[ValidationError]] = {}
    try:
        stored.clean_fields(exclude=others)
    except ValidationError as error:
        errors.update(error.error_dict)
    for name in SINGLE_LINE_FIELDS:
        if name in changed and name not in errors:
            try:
                validate_single_line(getattr(stored, name))
            except ValidationError as error:
                errors[name] = [error]
    if "name" in changed and not stored.name:
        errors["name"] = [ValidationError(_("Give the school's name."), code="required")]
    if (stored.latitude is None) != (stored.longitude is None):
        errors["latitude"] = [
            ValidationError(_("Give both coordinates, or neither."), code="coordinates")
        ]
    # A photo the school keeps, or a new one, is described for people who cannot see it.
    has_photo = new_photo or (bool(stored.photo) and "photo" not in changed)
    describing = new_photo or "photo_description" in changed
    if has_photo and describing and not stored.photo_description:
        errors["photo_description"] = [
            ValidationError(
                _(
                    "Say in a sentence what the photo shows: people who cannot see it hear "
                    "this instead."
                ),
                code="describe_photo",
            )
        ]
    website = stored.website.lower()
    if website and "website" in changed and not website.startswith(("https://", "http://")):
        errors.setdefault("website", []).append(
            ValidationError(_("Give a web address starting with https://."), code="website")
        )
    subdivision = stored.subdivision
    if "subdivision" in changed and subdivision and subdivision.country_id != stored.country_id:
        errors["subdivision"] = [
            ValidationError(
                _("Choose a municipality or region of the school's country."), code="subdivision"
            )
        ]
    if errors:
        raise ProfileChangeRefused(errors)
    if (
        "name" in changed
        and stored.membership_status not in APPLICATION_STATUSES
        and name_taken_in_network(stored)
    ):
        raise _field_refusal(
            "name",
            _("This country's network already has a school with this name."),
            "name_taken",
        )


def _delete_files(files: Iterable[tuple[Storage, str]]) -> None:
    for storage, name in files:
        if name:
            storage.delete(name)


# -- the team ---------------------------------------------------------------------------------


def _member_line(member: Mapping[str, Any]) -> str:
    """A team member as the audit log lists them."""
    details = [member["team_role"], member.get("position") or "", member.get("email") or ""]
    return f"{member['full_name']} ({', '.join(part for part in details if part)})"


def _member_values(member: TeamMember) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "position": member.position,
        "team_role": member.team_role,
        "email": member.email,
    }


def _checked_member(row: int, member: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        "full_name": _text(member.get("full_name")),
        "position": _text(member.get("position")),
        "team_role": _text(member.get("team_role")),
        "email": _text(member.get("email")),
    }
    if not values["full_name"]:
        raise ProfileChangeRefused(
            _("Person %(row)s of the team has no name.") % {"row": row}, code="name_required"
        )
    for name in ("full_name", "position"):
        if len(values[name]) > 200:
            raise ProfileChangeRefused(
                _("Person %(row)s of the team: the name and position may have at most 200 "
                  "characters each.") % {"row": row},
                code="too_long",
            )  # fmt: skip
        validate_single_line(values[name])
    if values["team_role"] not in TeamRole.values:
        raise ProfileChangeRefused(
            _("Person %(row)s of the team: choose their part in the team.") % {"row": row},
            code="team_role",
        )
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise ProfileChangeRefused(
                _("Person %(row)s of the team: the e-mail address is not valid.") % {"row": row},
                code="email",
            ) from None
    return values


def school_team_update(
    *,
    actor: Actor,
    school: School,
    members: Sequence[Mapping[str, Any]],
    seen_updated_at: datetime.datetime | None = None,
) -> list[TeamMember]:
    """Set the school's UNESCO team to `members`, in this order: each a mapping of full_name,
    position, team_role (TeamRole), email and, for a person already on the team, their `id`;
    people left out are removed. Whoever may change the profile may change the team. Records
    the team before and after as lists. The country's team rule is not enforced here (see
    team_rule_shortfalls): a team is saved as it is while the school completes it."""
    require_permission(
        actor,
        lambda person: can_edit_school_profile(person, school),
        _("You may not change this school's team."),
    )
    if len(members) > MAX_TEAM_SIZE:
        raise ProfileChangeRefused(
            _("A team may list at most %(count)s people.") % {"count": MAX_TEAM_SIZE},
            code="too_many",
        )
    wanted = [(member.get("id"), _checked_member(row, member))
              for row, member in enumerate(members, start=1)]  # fmt: skip
    with transaction.atomic():
        stored = _locked_school(school)
        _check_seen(stored, seen_updated_at)
        current = {member.pk: member for member in TeamMember.objects.filter(school=stored)}
        ordered = sorted(current.values(), key=lambda member: (member.order, member.pk))
        ids = [member_id for member_id, _values in wanted if member_id]
        if len(set(ids)) != len(ids) or not set(ids) <= set(current):
            raise ProfileChangeRefused(
                _("The team has changed since the page was opened; open it again."),
                code="unknown_member",
            )
        before = [_member_values(member) for member in ordered]
        after = [values for _id, values in wanted]
        kept_order = [member.pk for member in ordered]
        if before == after and ids == kept_order:
            school.updated_at = stored.updated_at
            return ordered
        removed = set(current) - set(ids)
        TeamMember.objects.filter(pk__in=removed).delete()
        kept, added = [], []
        for order, (member_id, values) in enumerate(wanted):
            if member_id:
                member = current[member_id]
                for name, value in values.items():
                    setattr(member, name, value)
                member.order = order
                kept.append(member)
            else:
                added.append(TeamMember(school=stored, order=order, **values))
        TeamMember.objects.bulk_update(
            kept, ["full_name", "position", "team_role", "email", "order"]
        )
        TeamMember.objects.bulk_create(added)
        _touch(stored, school)
        audit_record(
            actor=actor,
            action=AuditAction.SCHOOL_TEAM_CHANGED,
            obj=stored,
            country_code=stored.country.code,
            before={"team": [_member_line(values) for values in before]},
            after={"team": [_member_line(values) for values in after]},
        )
    return sorted(kept + added, key=lambda member: member.order)


@dataclass(frozen=True)
class TeamRuleShortfall:
    """How a team falls short of its country's rule (shown as a warning; saving goes on)."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def team_rule_description(country: Country) -> str:
    """The country's team rule in words, e.g. "at least 3 people: at least 2 teachers and at
    least 1 member of the administration"."""
    size = ngettext(
        "The national network asks for a school team of at least %(count)s person.",
        "The national network asks for a school team of at least %(count)s people.",
        country.minimum_team_size,
    ) % {"count": country.minimum_team_size}
    parts = [size]
    if country.minimum_team_teachers:
        parts.append(
            ngettext(
                "At least %(count)s of them is a teacher.",
                "At least %(count)s of them are teachers.",
                country.minimum_team_teachers,
            )
            % {"count": country.minimum_team_teachers}
        )
    if country.minimum_team_administration:
        parts.append(
            ngettext(
                "At least %(count)s of them is from the school's administration.",
                "At least %(count)s of them are from the school's administration.",
                country.minimum_team_administration,
            )
            % {"count": country.minimum_team_administration}
        )
    return " ".join(parts)


def team_rule_shortfalls(country: Country, team_roles: Iterable[str]) -> list[TeamRuleShortfall]:
    """Where a team with these parts (TeamRole values, one per person) falls short of the
    country's rule: its minimum size, teachers and members of the administration."""
    team_roles = list(team_roles)
    counts = {
        "size": (len(team_roles), country.minimum_team_size),
        "teachers": (team_roles.count(TeamRole.TEACHER), country.minimum_team_teachers),
        "administration": (
            team_roles.count(TeamRole.ADMINISTRATION),
            country.minimum_team_administration,
        ),
    }
    messages = {
        "size": lambda count: ngettext(
            "The team lists %(count)s person; fewer than the rule asks for.",
            "The team lists %(count)s people; fewer than the rule asks for.",
            count,
        ),
        "teachers": lambda count: ngettext(
            "The team has %(count)s teacher; fewer than the rule asks for.",
            "The team has %(count)s teachers; fewer than the rule asks for.",
            count,
        ),
        "administration": lambda count: ngettext(
            "The team has %(count)s person from the administration; fewer than the rule asks for.",
            "The team has %(count)s people from the administration; fewer than the rule asks for.",
            count,
        ),
    }
    return [
        TeamRuleShortfall(code, messages[code](count) % {"count": count})
        for code, (count, minimum) in counts.items()
        if count < minimum
    ]


# -- the flagship networks --------------------------------------------------------------------


def _flagship_line(flagship: FlagshipNetwork, since: int | None, until: int | None) -> str:
    name = localized(flagship, "name", settings.LANGUAGE_CODE).text or flagship.slug
    if since is None and until is None:
        return name
    return f"{name} ({since or ''}–{until or ''})"


def _checked_year(value: Any, flagship: FlagshipNetwork) -> int | None:
    if value in (None, ""):
        return None
    last = timezone.localdate().year + 1
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_NETWORK_YEAR <= year <= last:
        raise ProfileChangeRefused(
            _("%(network)s: give a year from %(first)s to %(last)s.")
            % {"network": flagship, "first": FIRST_NETWORK_YEAR, "last": last},
            code="year",
        )
    return year


def school_flagships_update(
    *,
    actor: Actor,
    school: School,
    participations: Sequence[Mapping[str, Any]],
    seen_updated_at: datetime.datetime | None = None,
) -> list[FlagshipParticipation]:
    """Set the flagship networks the school takes part in: each a mapping of `flagship` (a
    FlagshipNetwork or its id), since_year and until_year (either may be None); networks left
    out are no longer listed. Whoever may change the profile may change these. Records the
    list before and after."""
    require_permission(
        actor,
        lambda person: can_edit_school_profile(person, school),
        _("You may not change this school's flagship networks."),
    )
    wanted_ids = [getattr(item["flagship"], "pk", item["flagship"]) for item in participations]
    networks = FlagshipNetwork.objects.in_bulk(wanted_ids)
    if len(set(wanted_ids)) != len(wanted_ids):
        raise ProfileChangeRefused(_("A flagship network is listed twice."), code="duplicate")
    wanted: dict[int, tuple[int | None, int | None]] = {}
    for item, flagship_id in zip(participations, wanted_ids, strict=True):
        flagship = networks.get(flagship_id)
        if flagship is None:
            raise ProfileChangeRefused(_("Choose a flagship network."), code="unknown_flagship")
        since = _checked_year(item.get("since_year"), flagship)
        until = _checked_year(item.get("until_year"), flagship)
        if since is not None and until is not None and until < since:
            raise ProfileChangeRefused(
                _("%(network)s: the year the school left comes before the year it joined.")
                % {"network": flagship},
                code="years_order",
            )
        wanted[flagship.pk] = (since, until)
    with transaction.atomic():
        stored = _locked_school(school)
        _check_seen(stored, seen_updated_at)
        current = {
            participation.flagship_id: participation
            for participation in FlagshipParticipation.objects.filter(school=stored)
            .select_related("flagship")
            .order_by("flagship__position", "flagship__slug")
        }
        before = {fid: (p.since_year, p.until_year) for fid, p in current.items()}
        if before == wanted:
            school.updated_at = stored.updated_at
            return list(current.values())
        FlagshipParticipation.objects.filter(school=stored).exclude(
            flagship_id__in=list(wanted)
        ).delete()
        changed = []
        for flagship_id, (since, until) in wanted.items():
            participation = current.get(flagship_id)
            if participation is None:
                continue
            if (participation.since_year, participation.until_year) != (since, until):
                participation.since_year, participation.until_year = since, until
                changed.append(participation)
        FlagshipParticipation.objects.bulk_update(changed, ["since_year", "until_year"])
        FlagshipParticipation.objects.bulk_create(
            FlagshipParticipation(school=stored, flagship_id=fid, since_year=s, until_year=u)
            for fid, (s, u) in wanted.items()
            if fid not in current
        )
        # The bulk writes above skip FlagshipParticipation.save(): the flagship facet.
        school_search_refresh([stored.pk])
        _touch(stored, school)
        every = {**{p.flagship_id: p.flagship for p in current.values()}, **networks}
        ordering = sorted(every.values(), key=lambda network: (network.position, network.slug))
        audit_record(
            actor=actor,
            action=AuditAction.SCHOOL_PROFILE_CHANGED,
            obj=stored,
            country_code=stored.country.code,
            before={"flagship_networks": [_flagship_line(n, *before[n.pk])
                                          for n in ordering if n.pk in before]},
            after={"flagship_networks": [_flagship_line(n, *wanted[n.pk])
                                         for n in ordering if n.pk in wanted]},
        )  # fmt: skip
        result = list(
            FlagshipParticipation.objects.filter(school=stored)
            .select_related("flagship")
            .order_by("flagship__position", "flagship__slug")
        )
    return result


# -- asking to withdraw -----------------------------------------------------------------------


def withdrawal_request_pending(school: School) -> WithdrawalRequest | None:
    """The school's request to withdraw that the national coordinator has not answered yet
    (recording the withdrawal, or any other change of the school's status, answers it)."""
    if school.membership_status not in WITHDRAWABLE_STATUSES:
        return None
    return WithdrawalRequest.objects.filter(school=school, answered_at__isnull=True).first()


def _national_coordinators(country: Country) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=RoleAssignment.objects.active()
            .filter(role=Role.NATIONAL_COORDINATOR, country=country)
            .values("user_id"),
        ).order_by("pk")
    )


def _withdrawal_recipients(country: Country) -> list[tuple[str, str]]:
    """(address, language) of whom a withdrawal request goes to: the country's national
    coordinators in their own language, and its contact address in the network's language."""
    recipients: dict[str, str] = {}
    for person in _national_coordinators(country):
        recipients.setdefault(person.email.lower(), person.preferred_language)
    if country.contact_email:
        network_language = (country.languages or [settings.LANGUAGE_CODE])[0]
        if network_language not in dict(settings.LANGUAGES):
            network_language = settings.LANGUAGE_CODE
        recipients.setdefault(country.contact_email.lower(), network_language)
    return list(recipients.items())


def school_withdrawal_request(*, actor: Actor, school: School, reason: str) -> WithdrawalRequest:
    """The school's coordinator (or an administrator) asks the national coordinator to record
    the school's withdrawal from the network, giving the reason. Records the request in the
    audit log and e-mails the country's national coordinators and contact address; the status
    changes only when the national coordinator records the withdrawal. A second request while
    one is waiting is refused (code "already_requested")."""
    require_permission(
        actor,
        lambda person: can_request_withdrawal(person, school),
        _("Only the school's coordinator may ask for the school's withdrawal."),
    )
    reason = _text(reason)
    if not reason:
        raise _field_refusal(
            "reason",
            _("Say why the school is leaving: the national coordinator reads it."),
            "reason",
        )
    if len(reason) > 2000:
        raise _field_refusal("reason", _("Keep the reason to at most 2000 characters."), "too_long")
    with transaction.atomic():
        stored = _locked_school(school)
        if stored.membership_status not in WITHDRAWABLE_STATUSES:
            raise ProfileChangeRefused(
                _("Only a candidate or member school can withdraw; this school is “%(status)s”.")
                % {"status": stored.get_membership_status_display()},
                code="not_a_member",
            )
        if withdrawal_request_pending(stored) is not None:
            raise ProfileChangeRefused(
                _("The school has already asked to withdraw; the national coordinator has not "
                  "answered yet."),
                code="already_requested",
            )  # fmt: skip
        requested_by = "" if is_command_line(actor) else str(actor)
        request = WithdrawalRequest.objects.create(
            school=stored,
            reason=reason,
            requested_by=actor if isinstance(actor, User) else None,
            requested_by_label=requested_by,
        )
        audit_record(
            actor=actor,
            action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED,
            obj=stored,
            country_code=stored.country.code,
            after={"membership_status": stored.membership_status},
            note=reason,
        )
        for address, language in _withdrawal_recipients(stored.country):
            send_templated_mail(
                "schools/email/withdrawal_request",
                to=address,
                language=language,
                context={
                    "school": stored,
                    "reason": reason,
                    "requested_by": requested_by,
                    "link": _workspace_link(stored, language),
                },
            )
    return request


def _workspace_link(school: School, language: str) -> str:
    """The school's page in the national coordinator's workbench, where the withdrawal is
    recorded."""
    with translation.override(language):
        path = reverse("membership:school", kwargs={"pk": school.pk})
    return settings.ASPHUB_SITE_URL.rstrip("/") + path
