"""Network events, school teams and registrations, for tests.

`NetworkEventFactory` makes a published public event ten days ahead, registration open for
eight more days; pass `status=EventStatus.DRAFT` for a draft. `TeamMemberFactory` adds a person
to a school's team. `registration_of` writes a registration straight to the database (for
building many quickly: the services are tested on their own)."""

from datetime import timedelta

import factory
from django.utils import timezone

from asphub.events.models import (
    EventKind,
    EventParticipant,
    EventRegistration,
    EventStatus,
    EventVisibility,
    NetworkEvent,
    RegistrationStatus,
)
from asphub.schools.models import TeamMember, TeamRole
from asphub.schools.tests.factories import CountryFactory


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    full_name = factory.Sequence(lambda n: f"Skolotāja {n}")
    position = "skolotāja"
    team_role = TeamRole.TEACHER
    email = factory.Sequence(lambda n: f"team{n}@example.org")


def _published_at(event):
    return None if event.status == EventStatus.DRAFT else timezone.now()


class NetworkEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkEvent

    country = factory.SubFactory(CountryFactory)
    kind = EventKind.SEMINAR
    language = "lv"
    title = factory.Sequence(lambda n: f"Plānošanas seminārs {n}")
    description = "Tīkla skolu koordinatoru seminārs."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=6))
    registration_deadline = factory.LazyAttribute(lambda event: event.starts_at - timedelta(days=2))
    place = "Rīga, Pils laukums 4"
    capacity = 10
    members_per_school = 3
    status = EventStatus.PUBLISHED
    visibility = EventVisibility.PUBLIC
    published_at = factory.LazyAttribute(_published_at)


def registration_of(
    event: NetworkEvent,
    school,
    *,
    status: str = RegistrationStatus.CONFIRMED,
    members=(),
) -> EventRegistration:
    registration = EventRegistration.objects.create(
        event=event,
        school=school,
        status=status,
        confirmed_at=timezone.now() if status == RegistrationStatus.CONFIRMED else None,
    )
    EventParticipant.objects.bulk_create(
        EventParticipant(registration=registration, team_member=member, full_name=member.full_name)
        for member in members
    )
    return registration
