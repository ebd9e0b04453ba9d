"""Who is told what about network events. Every message is queued in the transaction of the
change that causes it (asphub.mail): a change that rolls back tells no one. Its times are in
the time zone of the event's country, whoever receives it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from asphub.accounts.models import User
from asphub.mail.services import send_templated_mail
from asphub.roles.models import Role, RoleAssignment

from .models import EventRegistration, NetworkEvent, RegistrationStatus


def mail_context(event: NetworkEvent, **extra: Any) -> dict[str, Any]:
    # Links in e-mails need the site's address (the templates add each page's path to it).
    site_url = settings.ASPHUB_SITE_URL.rstrip("/")
    return {"event": event, "network": event.country, "site_url": site_url, **extra}


def school_coordinators(school_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active school coordinators of these schools, by school (one query)."""
    wanted = set(school_ids)
    people: dict[int, list[User]] = {pk: [] for pk in wanted}
    if not wanted:
        return people
    rows = (
        RoleAssignment.objects.active()
        .filter(role=Role.SCHOOL_COORDINATOR, school_id__in=wanted, user__is_active=True)
        .select_related("user")
        .order_by("school_id", "user__email")
    )
    for assignment in rows:
        if assignment.school_id is not None:
            people[assignment.school_id].append(assignment.user)
    return people


def _mail(template: str, *, to: str, language: str, context: dict[str, Any]) -> None:
    """One message about context["event"], rendered in the time zone of its country."""
    event: NetworkEvent = context["event"]
    with timezone.override(event.country.zone):
        send_templated_mail(template, to=to, language=language, context=context)


def _send(template: str, person: User, context: dict[str, Any]) -> None:
    _mail(
        template,
        to=person.email,
        language=person.preferred_language or settings.LANGUAGE_CODE,
        context=context,
    )


def tell_schools(
    event: NetworkEvent,
    registrations: Iterable[EventRegistration],
    template: str,
    **extra: Any,
) -> int:
    """Each registration's school coordinators, each in their language, about their own
    school's registration (the one who acted too: the message is the school's record of
    it). Returns how many messages were queued."""
    registrations = list(registrations)
    coordinators = school_coordinators(registration.school_id for registration in registrations)
    sent = 0
    for registration in registrations:
        context = mail_context(
            event,
            registration=registration,
            school=registration.school,
            # The rule of permissions.can_see_online_link: only a confirmed place gets it.
            online_link=registration.status == RegistrationStatus.CONFIRMED,
            **extra,
        )
        for person in coordinators.get(registration.school_id, []):
            _send(template, person, context)
            sent += 1
    return sent


def remind_participants(event: NetworkEvent, registration: EventRegistration) -> int:
    """The reminder before the event: the school's coordinators and the participants named
    who have an e-mail address, each address once."""
    context = mail_context(
        event,
        registration=registration,
        school=registration.school,
        participants=list(registration.participants.order_by("id")),
        online_link=registration.status == RegistrationStatus.CONFIRMED,
    )
    addresses: set[str] = set()
    sent = 0
    for person in school_coordinators([registration.school_id])[registration.school_id]:
        if person.email.lower() not in addresses:
            addresses.add(person.email.lower())
            _send("events/email/reminder", person, context)
            sent += 1
    for participant in registration.participants.select_related("team_member"):
        member = participant.team_member
        if member is None or not member.email or member.email.lower() in addresses:
            continue
        addresses.add(member.email.lower())
        _mail(
            "events/email/reminder",
            to=member.email,
            language=event.language
            if event.language in dict(settings.LANGUAGES)
            else settings.LANGUAGE_CODE,
            context=context,
        )
        sent += 1
    return sent
