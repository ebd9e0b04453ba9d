"""People holding roles, for tests. `person_with(Role.X, school=...)` is the usual entry."""

from datetime import timedelta

import factory
from django.utils import timezone

from asphub.accounts.tests.factories import UserFactory
from asphub.roles.models import COUNTRY_ROLES, SCHOOL_ROLES, Invitation, Role, RoleAssignment


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.TEACHER


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose link secret is `token` (pass token="..." to choose it)."""

    class Meta:
        model = Invitation
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnop")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.TEACHER
    language = "lv"
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash_token(o.token))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=7))


def person_with(role: Role, *, school=None, country=None, **user_fields):
    """A new person holding one active role (school roles need `school`, country roles
    `country`)."""
    user = UserFactory(**user_fields)
    grant(user, role, school=school, country=country)
    return user


def grant(user, role: Role, *, school=None, country=None) -> RoleAssignment:
    if role in SCHOOL_ROLES:
        assert school is not None, "school roles need a school"
        country = None
    elif role in COUNTRY_ROLES:
        assert country is not None, "country roles need a country"
        school = None
    else:
        school = country = None
    assignment = RoleAssignment.objects.create(user=user, role=role, school=school, country=country)
    if role in (Role.NATIONAL_COORDINATOR, Role.ADMINISTRATOR) and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if hasattr(user, "_asphub_roles"):
        del user._asphub_roles
    return assignment
