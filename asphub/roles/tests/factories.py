"""People holding roles and invitations, for tests. `person_with(Role.X, school=...)` is the
usual entry. Roles and invitations are made through the roles services, as the command line (or
the inviting person) makes them in production: the same checks, staff flag and audit entries."""

from types import SimpleNamespace
from unittest import mock

import factory
from django.test import override_settings

from asphub.accounts.tests.factories import UserFactory
from asphub.audit.models import StandIn
from asphub.roles import services
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.services import invitation_create, role_grant

# What happened to an invitation after it was sent: written over what the service recorded.
LATER_HISTORY = ("created_at", "expires_at", "accepted_at", "accepted_by", "revoked_at")


class InvitationFactory(factory.Factory):
    """An invitation sent by `invited_by` (or from the command line, when None) through
    roles.services.invitation_create. Its link secret is `token` (pass token="..." to choose
    it). Pass revoked_at, expires_at, accepted_at ... for an invitation further along.

    The invitation e-mail is left out (the services' own tests read it), so that a test's
    outbox holds only what the test itself causes."""

    class Meta:
        model = Invitation

    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnop")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.TEACHER
    school = None
    country = None
    language = "lv"
    invited_by = None

    @classmethod
    def _create(cls, model_class, *, token, invited_by, **fields):
        later = {name: fields.pop(name) for name in LATER_HISTORY if name in fields}
        # The service draws the link secret at random; here the test chooses it.
        chosen_secret = SimpleNamespace(token_urlsafe=lambda nbytes=None: token)
        with (
            mock.patch.object(services, "secrets", chosen_secret),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        ):
            invitation = invitation_create(actor=invited_by or StandIn.COMMAND_LINE, **fields)
        if later:
            model_class.objects.filter(pk=invitation.pk).update(**later)
            invitation.refresh_from_db()
        return invitation


def person_with(role: Role, *, school=None, country=None, **user_fields):
    """A new person holding one active role (school roles need `school`, country roles
    `country`)."""
    user = UserFactory(**user_fields)
    grant(user, role, school=school, country=country)
    return user


def grant(user, role: Role, *, school=None, country=None) -> RoleAssignment:
    """Give `user` the role from the command line (roles.services.role_grant)."""
    return role_grant(
        actor=StandIn.COMMAND_LINE, user=user, role=role, school=school, country=country
    )
