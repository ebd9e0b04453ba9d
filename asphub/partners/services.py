"""Every change of partner finding: one function per step, each checking permission,
validating, writing atomically and recording an audit entry.

partner_search_update: the school's coordinator keeps the school's notice.
partner_contact_send: someone of the network writes to a listed school; the message goes to
its coordinators by e-mail (through the task queue), their addresses never shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asphub.accounts.models import User
from asphub.audit.models import AuditAction
from asphub.audit.services import audit_record
from asphub.core.rate_limits import over_hourly_limit
from asphub.core.validators import DIRECTION_CONTROLS, validate_single_line
from asphub.countries.models import Country
from asphub.practices.models import ContentLanguage, EducationLevel
from asphub.roles.permissions import (
    Actor,
    actor_user,
    can_contact_partner,
    can_manage_partner_search,
    require_permission,
    roles_of,
)
from asphub.schools.models import School
from asphub.taxonomy.models import ThematicArea

from .models import (
    MAX_COUNTRIES,
    NOTE_MAX,
    PartnerSearch,
    PartnerSearchLanguage,
    PartnerSearchLevel,
)
from .selectors import coordinator_recipients, listed_partner_searches

SUBJECT_MAX = 150
MESSAGE_MAX = 5000
# Messages one person may send to partner schools in an hour (settings override it): enough
# for a real search, too few for a mailing.
DEFAULT_CONTACTS_PER_HOUR = 10
RATE_LIMIT_KIND = "partner-contact"


class ContactRefused(ValidationError):
    """A message that is not sent (nothing was queued or recorded)."""


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _plain_text(value: str, *, field: str, maximum: int) -> str:
    """Text typed by a person for a plain-text e-mail or page: line breaks and tabs allowed,
    other control characters and direction overrides refused (they could hide or reverse what
    the reader sees)."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    for character in value:
        if character in "\n\t":
            continue
        if unicodedata.category(character) == "Cc" or character in DIRECTION_CONTROLS:
            raise _field_error(
                field, _("Use ordinary text, without control characters."), "control_character"
            )
    if len(value) > maximum:
        raise _field_error(
            field,
            ngettext(
                "Keep it to at most %(count)s character.",
                "Keep it to at most %(count)s characters.",
                maximum,
            )
            % {"count": maximum},
            "too_long",
        )
    return value


def _snapshot(search: PartnerSearch | None) -> dict[str, Any] | None:
    if search is None or search.pk is None:
        return None
    return {
        "active": search.active,
        "themes": sorted(search.themes.values_list("slug", flat=True)),
        "levels": sorted(search.levels.values_list("level", flat=True)),
        "languages": sorted(search.languages.values_list("language", flat=True)),
        "countries": sorted(search.countries.values_list("code", flat=True)),
        "note": search.note,
    }


def _known(values: Iterable[str], allowed: Sequence[str], *, field: str) -> list[str]:
    chosen = list(dict.fromkeys(str(value) for value in values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise _field_error(
            field,
            _("Choose from the list: “%(value)s” is not one of the choices.")
            % {"value": unknown[0]},
            "invalid_choice",
        )
    return [value for value in allowed if value in chosen]


def partner_search_update(
    *,
    actor: Actor,
    school: School,
    active: bool,
    themes: Iterable[ThematicArea] = (),
    education_levels: Iterable[str] = (),
    languages: Iterable[str] = (),
    countries: Iterable[Country] = (),
    note: str = "",
) -> PartnerSearch:
    """Write the school's notice (making it the first time). Its coordinator, while the school
    is in the network; an inactive notice is kept (with its choices) but not listed."""
    require_permission(
        actor,
        lambda user: can_manage_partner_search(user, school),
        _("Only the school's coordinator may say that the school looks for partners."),
    )
    levels = _known(education_levels, EducationLevel.values, field="education_levels")
    codes = _known(languages, ContentLanguage.values, field="languages")
    note = _plain_text(note, field="note", maximum=NOTE_MAX)
    wanted_countries = list({country.pk: country for country in countries}.values())
    if len(wanted_countries) > MAX_COUNTRIES:
        raise _field_error(
            "countries",
            ngettext(
                "Choose at most %(count)s country, or none for any country.",
                "Choose at most %(count)s countries, or none for any country.",
                MAX_COUNTRIES,
            )
            % {"count": MAX_COUNTRIES},
            "too_many_countries",
        )
    user = actor_user(actor)
    with transaction.atomic():
        stored = School.objects.select_for_update().select_related("country").get(pk=school.pk)
        require_permission(
            actor,
            lambda person: can_manage_partner_search(person, stored),
            _("Only the school's coordinator may say that the school looks for partners."),
        )
        search = PartnerSearch.objects.select_for_update().filter(school=stored).first()
        before = _snapshot(search)
        if search is None:
            search = PartnerSearch(school=stored)
        search.active = bool(active)
        search.note = note
        search.updated_by = user
        search.save()
        search.themes.set(list(themes))
        search.countries.set(wanted_countries)
        search.levels.all().delete()
        PartnerSearchLevel.objects.bulk_create(
            PartnerSearchLevel(search=search, level=level) for level in levels
        )
        search.languages.all().delete()
        PartnerSearchLanguage.objects.bulk_create(
            PartnerSearchLanguage(search=search, language=code) for code in codes
        )
        audit_record(
            actor=actor,
            action=AuditAction.PARTNER_SEARCH_CHANGED,
            obj=search,
            country_code=stored.country.code,
            before=before,
            after=_snapshot(search),
        )
    return search


def contacts_per_hour() -> int:
    return int(getattr(settings, "ASPHUB_PARTNER_CONTACTS_PER_HOUR", DEFAULT_CONTACTS_PER_HOUR))


def partner_contact_send(*, sender: Actor, school: School, subject: str, message: str) -> int:
    """Send a person's message to a listed school's coordinators, one e-mail each in their own
    language, with the sender's address as Reply-To so that they can answer; the sender never
    sees their addresses. Anyone of a school's team or a national coordinator, never to their
    own school, at most `contacts_per_hour()` messages an hour. The audit entry records who
    wrote to which school, not what they wrote. Returns how many e-mails were queued."""
    require_permission(
        sender,
        can_contact_partner,
        _("Only people of the network's schools and national coordinators may write to partners."),
    )
    if not isinstance(sender, User):
        # A reply needs an address: the command line has none.
        raise PermissionDenied(_("Sign in to write to a school."))
    subject = _plain_text(subject, field="subject", maximum=SUBJECT_MAX)
    if not subject:
        raise _field_error("subject", _("Give the message a subject."), "required")
    try:
        validate_single_line(subject)
    except ValidationError as error:
        raise _field_error("subject", error.messages[0], "control_character") from None
    message = _plain_text(message, field="message", maximum=MESSAGE_MAX)
    if not message:
        raise _field_error("message", _("Write the message."), "required")
    if not listed_partner_searches().filter(school_id=school.pk).exists():
        raise ContactRefused(
            _("This school is not looking for partners at the moment."), code="not_listed"
        )
    if school.pk in roles_of(sender).schools:
        raise ContactRefused(_("This is your own school."), code="own_school")
    recipients = coordinator_recipients(school)
    if not recipients:  # a coordinator's role taken back since the check above
        raise ContactRefused(
            _("This school is not looking for partners at the moment."), code="not_listed"
        )
    # Counted last, so that a message refused for its text does not use up the hour.
    if over_hourly_limit(RATE_LIMIT_KIND, f"user:{sender.pk}", contacts_per_hour()):
        raise ContactRefused(
            ngettext(
                "You have written to %(count)s school this hour, the most one may. Your "
                "message is kept below: send it again later.",
                "You have written to %(count)s schools this hour, the most one may. Your "
                "message is kept below: send it again later.",
                contacts_per_hour(),
            )
            % {"count": contacts_per_hour()},
            code="rate_limited",
        )
    school = School.objects.select_related("country").get(pk=school.pk)
    sender_roles = roles_of(sender)
    sender_schools = list(
        School.objects.filter(pk__in=sender_roles.schools)
        .order_by("sort_key")
        .values_list("name", flat=True)
    )
    sender_countries = list(Country.objects.filter(pk__in=sender_roles.national_coordinator_in))
    with transaction.atomic():
        for recipient in recipients:
            _send_contact_mail(
                recipient_email=recipient.email,
                language=recipient.language,
                sender=sender,
                sender_schools=sender_schools,
                sender_countries=sender_countries,
                school=school,
                subject=subject,
                message=message,
            )
        audit_record(
            actor=sender,
            action=AuditAction.PARTNER_CONTACTED,
            obj=school,
            country_code=school.country.code,
            after={"school": school.name, "recipients": len(recipients)},
        )
    return len(recipients)


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    """E-mails are plain text: nothing in them is HTML-escaped, and nothing in them is HTML."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def _send_contact_mail(
    *,
    recipient_email: str,
    language: str,
    sender: User,
    sender_schools: list[str],
    sender_countries: list[Country],
    school: School,
    subject: str,
    message: str,
) -> None:
    with translation.override(language):
        context = {
            "sender_name": sender.full_name or sender.email,
            "sender_email": sender.email,
            "sender_schools": sender_schools,
            # Names in the recipient's language.
            "sender_countries": [country.name for country in sender_countries],
            "school": school,
            "subject": subject,
            "message": message,
            "edit_link": settings.ASPHUB_SITE_URL.rstrip("/")
            + reverse("partners:edit", kwargs={"school_pk": school.pk}),
        }
        mail_subject = " ".join(
            _render_plain("partners/email/contact_subject.txt", context).split()
        )
        body = _render_plain("partners/email/contact_message.txt", context)
    email = EmailMultiAlternatives(
        subject=mail_subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient_email],
        reply_to=[sender.email],
    )
    # Through settings.EMAIL_BACKEND (the task queue), inside this transaction.
    email.send()
