"""Recording the membership certificate UNESCO issued to a school: its number, its date and,
if the national coordinator has it, the file UNESCO sent (kept in private storage)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.uploads import check_pdf_content
from asphub.core.validators import validate_single_line
from asphub.roles.permissions import Actor, can_decide_membership, require_permission
from asphub.schools.models import MembershipStatus, School

__all__ = [
    "CERTIFICATE_FILE_MAX_BYTES",
    "RECORDABLE_STATUSES",
    "CertificateRefused",
    "certificate_record",
    "normalized_certificate_number",
]

S = MembershipStatus
# UNESCO certifies a school after the national coordinator has endorsed it: the certificate is
# recorded from then on, and may be corrected while the school is in the network.
RECORDABLE_STATUSES = (S.ENDORSED, S.CANDIDATE, S.MEMBER, S.DORMANT)
CERTIFICATE_FILE_MAX_BYTES = 10 * 1024 * 1024
NUMBER_MAX_LENGTH = School._meta.get_field("certificate_number").max_length or 40
# Letters and digits with the separators certificate numbers use ("LV-2026/01", "No. 12").
NUMBER_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z ./:#_-]*")
# The first certificates were issued when the network was founded.
EARLIEST_DATE = datetime.date(1953, 1, 1)
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
IMAGE_MAX_PIXELS = 60_000_000


class CertificateRefused(ValidationError):
    """The certificate was not recorded (a wrong value, or a school that cannot have one yet);
    nothing changed. Field errors are keyed by the form's field names: number, date, file."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    extension: str


def normalized_certificate_number(number: str) -> str:
    """The number as it is stored and looked up: without the spaces around it or doubled."""
    return " ".join((number or "").split())


def certificate_record(
    *,
    actor: Actor,
    school: School,
    number: str,
    date: datetime.date | None,
    file: IO[bytes] | None = None,
) -> School:
    """Record UNESCO's certificate of an endorsed, candidate, member or dormant school: the
    national coordinator of its country or an administrator. The number is one school's alone;
    the date is not in the future; the file, if given, is a plain PDF or a picture (checked by
    its content) that replaces the one recorded before."""
    require_permission(
        actor,
        lambda person: can_decide_membership(person, school.country),
        _("You may not record certificates of this country's schools."),
    )
    number = normalized_certificate_number(number)
    errors: dict[str, list[ValidationError]] = {}
    if number_errors := _number_errors(number):
        errors["number"] = number_errors
    elif _number_taken(number, school):
        # Checked here too, so that every mistake is reported at once (and again below, under
        # the lock, for a number given to another school meanwhile).
        errors["number"] = _number_taken_error(number).error_dict["number"]
    if date_errors := _date_errors(date):
        errors["date"] = date_errors
    checked: CheckedFile | None = None
    if file is not None:
        try:
            checked = checked_certificate_file(file)
        except ValidationError as error:
            errors["file"] = error.error_list
    if errors:
        raise CertificateRefused(errors)
    assert date is not None

    saved_name = ""
    try:
        with transaction.atomic():
            stored = (
                School.objects.select_for_update(of=("self",))
                .select_related("country")
                .get(pk=school.pk)
            )
            if stored.membership_status not in RECORDABLE_STATUSES:
                raise CertificateRefused(
                    _("A certificate is recorded for schools that are endorsed, candidates, "
                      "members or dormant; this school is “%(status)s”.")
                    % {"status": S(stored.membership_status).label},
                    code="status",
                )  # fmt: skip
            if _number_taken(number, stored):
                raise _number_taken_error(number)
            before = _recorded(stored)
            if checked is None and (stored.certificate_number, stored.certificate_date) == (
                number,
                date,
            ):
                return stored  # saved again unchanged: nothing to record
            old_file = stored.certificate_file.name
            stored.certificate_number = number
            stored.certificate_date = date
            fields = ["certificate_number", "certificate_date", "updated_at"]
            if checked is not None:
                stored.certificate_file.save(
                    f"certificate-{stored.pk}.{checked.extension}",
                    ContentFile(checked.content),
                    save=False,
                )
                saved_name = stored.certificate_file.name
                fields.append("certificate_file")
            try:
                # Two schools given the same number at the same moment: the database decides.
                with transaction.atomic():
                    stored.save(update_fields=fields)
            except IntegrityError:
                raise _number_taken_error(number) from None
            audit_record(
                actor=actor,
                action=AuditAction.CERTIFICATE_RECORDED,
                obj=stored,
                country_code=stored.country.code,
                before=before,
                after=_recorded(stored),
            )
            if saved_name and old_file and old_file != saved_name:
                storage = stored.certificate_file.storage
                transaction.on_commit(lambda: storage.delete(old_file))
    except BaseException:
        if saved_name:
            school.certificate_file.storage.delete(saved_name)
        raise
    school.certificate_number = stored.certificate_number
    school.certificate_date = stored.certificate_date
    school.certificate_file = stored.certificate_file
    return stored


def _recorded(school: School) -> dict[str, Any]:
    return {
        "certificate_number": school.certificate_number,
        "certificate_date": (
            school.certificate_date.isoformat() if school.certificate_date else None
        ),
        "certificate_file": school.certificate_file.name or "",
    }


def _number_errors(number: str) -> list[ValidationError]:
    if not number:
        return [ValidationError(_("Type the certificate's number."), code="required")]
    if len(number) > NUMBER_MAX_LENGTH:
        return [
            ValidationError(
                _("The number is at most %(length)s characters long.")
                % {"length": NUMBER_MAX_LENGTH},
                code="number_too_long",
            )
        ]
    try:
        validate_single_line(number)
    except ValidationError as error:
        return error.error_list
    # A part "." or ".." would change the verification address the QR code holds
    # (/certificates/LV/../17/ is /certificates/17/ to a browser).
    if not NUMBER_PATTERN.fullmatch(number) or any(
        part.strip() in (".", "..") for part in number.split("/")
    ):
        return [
            ValidationError(
                _("Type the number as it is printed on the certificate: Latin letters, digits, "
                  "spaces and the signs . / : # _ -"),
                code="number_format",
            )
        ]  # fmt: skip
    return []


def _date_errors(date: datetime.date | None) -> list[ValidationError]:
    if date is None:
        return [ValidationError(_("Give the certificate's date."), code="required")]
    if date > timezone.localdate():
        return [
            ValidationError(_("The certificate's date cannot be in the future."), code="future")
        ]
    if date < EARLIEST_DATE:
        return [
            ValidationError(
                _("The network was founded in 1953: check the certificate's date."),
                code="too_early",
            )
        ]
    return []


def _number_taken(number: str, school: School) -> bool:
    # Numbers that differ only in capitals are the same number to whoever reads them.
    return School.objects.filter(certificate_number__iexact=number).exclude(pk=school.pk).exists()


def _number_taken_error(number: str) -> CertificateRefused:
    return CertificateRefused(
        {
            "number": ValidationError(
                _("Another school's certificate has the number %(number)s: check the number.")
                % {"number": number},
                code="number_taken",
            )
        }
    )


# -- the file UNESCO sent -----------------------------------------------------------------------


def checked_certificate_file(file: IO[bytes]) -> CheckedFile:
    """The file's content if it is what it claims to be: a PDF without scripts, automatic
    actions or attached files, or a PNG or JPEG picture; at most 10 MB. Its name and declared
    type are not trusted."""
    too_large = ValidationError(
        _("The file is larger than %(size)s MB.")
        % {"size": CERTIFICATE_FILE_MAX_BYTES // (1024 * 1024)},
        code="file_too_large",
    )
    size = getattr(file, "size", None)
    if size is not None and size > CERTIFICATE_FILE_MAX_BYTES:
        raise too_large
    file.seek(0)
    content = file.read(CERTIFICATE_FILE_MAX_BYTES + 1)
    file.seek(0)
    if len(content) > CERTIFICATE_FILE_MAX_BYTES:
        raise too_large
    if content.startswith(b"%PDF-"):
        check_pdf_content(content)
        return CheckedFile(content, "pdf")
    extension = _picture_extension(content)
    if extension is None:
        raise ValidationError(
            _("Upload the certificate as a PDF document or a PNG or JPEG picture."),
            code="file_type",
        )
    return CheckedFile(content, extension)


def _picture_extension(content: bytes) -> str | None:
    if not (content.startswith(b"\x89PNG\r\n\x1a\n") or content.startswith(b"\xff\xd8\xff")):
        return None
    try:
        with Image.open(io.BytesIO(content)) as picture:
            found = picture.format
            if picture.width * picture.height > IMAGE_MAX_PIXELS:
                return None
            picture.verify()
    except Exception:  # Pillow raises many kinds of errors on a damaged or hostile file
        return None
    return IMAGE_FORMATS.get(found or "")
