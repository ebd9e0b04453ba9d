"""Giving and taking roles through the services: inviting, accepting, withdrawing, revoking.

Each service checks permission, validates, writes in one transaction and records an audit
entry; a refused call leaves everything as it was and sends no e-mail.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from asphub.accounts.models import User
from asphub.accounts.services import profile_update
from asphub.accounts.tests.factories import UserFactory
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.tests.recorded import entries_from_now_on
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.permissions import require_permission
from asphub.roles.selectors import invitation_by_token
from asphub.roles.services import (
    account_delete,
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    role_grant,
    role_revoke,
)
from asphub.roles.tests.factories import InvitationFactory, grant, person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "seven quiet rivers under the old bridge"
TOKEN = "a-test-token-that-only-this-test-knows-0123456789"
LINK = re.compile(
    r"(?P<base>https?://[^/\s]+)(?P<path>(?P<prefix>/en)?/invitations/(?P<token>[A-Za-z0-9_-]+)/)"
)


def state() -> dict[str, list]:
    """Everything a refused call must leave exactly as it was."""
    return {
        "people": list(User.objects.order_by("pk").values()),
        "addresses": list(EmailAddress.objects.order_by("pk").values()),
        "roles": list(RoleAssignment.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def link_in(message) -> re.Match:
    match = LINK.search(message.body)
    assert match is not None, message.body
    return match


def sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# -- invitation_create ------------------------------------------------------------------------


def test_a_coordinator_invites_a_teacher_and_one_email_with_a_working_link_goes_out(
    client, coordinator, school, django_capture_on_commit_callbacks
):
    recorded = entries_from_now_on()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=coordinator,
            email="  Jana.Liepa@Example.org ",
            role=Role.TEACHER,
            school=school,
            language="lv",
            site_url="https://asphub.example/",
        )

    assert invitation.email == "jana.liepa@example.org"
    assert invitation.is_pending
    assert invitation.invited_by == coordinator
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)

    entry = recorded.get()
    assert entry.action == "invitation.created"
    assert entry.actor == coordinator
    assert entry.country_code == "LV"
    assert entry.after == {
        "role": "teacher",
        "school": "Ozolu pamatskola",
        "country": None,
        "email": "jana.liepa@example.org",
    }

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jana.liepa@example.org"]
    assert "Ozolu pamatskola" in message.subject
    link = link_in(message)
    assert link["base"] == "https://asphub.example"
    assert link["path"] == f"/invitations/{link['token']}/"
    # Only a hash of the secret is kept; the secret itself is nowhere in the database.
    token = link["token"]
    assert Invitation.hash_token(token) == invitation.token_hash
    assert token not in str(state())

    page = client.get(link["path"])
    assert page.status_code == 200
    assert "Ozolu pamatskola" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "country_name", "other_name", "prefix"),
    [("lv", "Latvija", "Latvia", ""), ("en", "Latvia", "Latvija", "/en")],
)
def test_the_email_is_written_in_the_language_of_the_invitation(
    national_coordinator,
    latvia,
    language,
    country_name,
    other_name,
    prefix,
    django_capture_on_commit_callbacks,
):
    # Nobody has this address yet: the inviter's choice of language decides.
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=national_coordinator,
            email="recenzente@example.org",
            role=Role.REVIEWER,
            country=latvia,
            language=language,
        )
    [message] = mail.outbox
    assert country_name in message.subject and other_name not in message.subject
    assert country_name in message.body and other_name not in message.body
    with translation.override(language):
        expected_subject = gettext("Invitation: %(role)s for %(scope)s") % {
            "role": gettext("reviewer"),
            "scope": country_name,
        }
        instruction = gettext("Open this link to accept. It works once and expires in 7 days:")
        closing = gettext(
            "If you did not expect this invitation, ignore this e-mail; nothing happens without "
            "the link."
        )
    assert message.subject == expected_subject
    assert instruction in message.body
    assert closing in message.body
    link = link_in(message)
    assert link["base"] == "http://127.0.0.1:8000"  # ASPHUB_SITE_URL, outside a request
    assert link["path"] == f"{prefix}/invitations/{link['token']}/"
    if language == "en":
        assert message.subject == "Invitation: reviewer for Latvia"
        assert "Open this link to accept. It works once and expires in 7 days:" in message.body
    else:
        assert message.subject.startswith("Uzaicinājums")
        assert "vērtētājs" in message.subject
        assert "uzaicinājum" in message.body.lower()
        assert "Open this link" not in message.body


def test_names_in_the_email_are_written_as_they_are(latvia, django_capture_on_commit_callbacks):
    """The e-mail is plain text: quotes and ampersands are not turned into HTML entities."""
    school = SchoolFactory(country=latvia, name='Rīgas "Avotu" skola & partneri')
    inviter = person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Dž. O'Braiene")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=inviter, email="new@example.org", role=Role.TEACHER, school=school, language="en"
        )
    [message] = mail.outbox
    assert 'Rīgas "Avotu" skola & partneri' in message.subject
    assert 'Rīgas "Avotu" skola & partneri' in message.body
    assert "Dž. O'Braiene" in message.body
    assert "&quot;" not in message.subject + message.body
    assert "&amp;" not in message.subject + message.body


def test_an_invitation_rolled_back_sends_no_email(
    coordinator, school, django_capture_on_commit_callbacks
):
    recorded = entries_from_now_on()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(
            actor=coordinator, email="new@example.org", role=Role.TEACHER, school=school
        )
        raise RuntimeError("something later in the same transaction failed")
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    assert not recorded.exists()


def test_a_second_invitation_to_the_same_role_is_refused_while_the_first_is_open(
    coordinator, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=coordinator, email="anna@example.org", role=Role.TEACHER, school=school
        )
    before = state()
    with (
        django_capture_on_commit_callbacks(execute=True),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        invitation_create(
            actor=coordinator, email="Anna@Example.org", role=Role.TEACHER, school=school
        )
    assert refused.value.code == "duplicate"
    assert refused.value.messages == [
        "anna@example.org has already been invited to this role; the invitation is still open."
    ]
    assert state() == before
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "first",
    [
        {"revoked_at": timezone.now},
        {"expires_at": lambda: timezone.now() - timedelta(minutes=1)},
        {"accepted_at": timezone.now},
    ],
    ids=["withdrawn", "expired", "used"],
)
def test_a_closed_invitation_does_not_block_a_new_one(
    coordinator, school, first, django_capture_on_commit_callbacks
):
    InvitationFactory(
        email="anna@example.org",
        role=Role.TEACHER,
        school=school,
        **{field: make() for field, make in first.items()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=coordinator, email="anna@example.org", role=Role.TEACHER, school=school
        )
    assert invitation.is_pending
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 1


def test_someone_who_already_holds_the_role_is_not_invited_again(
    coordinator, teacher, school, django_capture_on_commit_callbacks
):
    before = state()
    with (
        django_capture_on_commit_callbacks(execute=True),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        invitation_create(
            actor=coordinator, email=teacher.email.upper(), role=Role.TEACHER, school=school
        )
    assert refused.value.code == "has_role"
    assert refused.value.messages == [f"{teacher.email} already holds this role."]
    assert state() == before
    assert mail.outbox == []


def test_someone_whose_role_was_taken_back_can_be_invited_again(
    coordinator, teacher, school, django_capture_on_commit_callbacks
):
    RoleAssignment.objects.filter(user=teacher).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=coordinator, email=teacher.email, role=Role.TEACHER, school=school)
    assert len(mail.outbox) == 1


# (who invites, role, scope): each is refused with PermissionDenied.
FORBIDDEN_INVITATIONS = [
    ("teacher", Role.TEACHER, "school"),
    ("coordinator", Role.TEACHER, "other_school"),
    ("coordinator", Role.TEACHER, "foreign_school"),
    ("coordinator", Role.SCHOOL_COORDINATOR, "school"),
    ("coordinator", Role.REVIEWER, "latvia"),
    ("reviewer", Role.REVIEWER, "latvia"),
    ("reviewer", Role.TEACHER, "school"),
    ("national", Role.TEACHER, "school"),
    ("national", Role.SCHOOL_COORDINATOR, "foreign_school"),
    ("national", Role.REVIEWER, "estonia"),
    ("national", Role.NATIONAL_COORDINATOR, "latvia"),
    ("national", Role.ADMINISTRATOR, None),
    ("former_coordinator", Role.TEACHER, "school"),
    ("no_role", Role.TEACHER, "school"),
    ("anonymous", Role.TEACHER, "school"),
]


@pytest.mark.parametrize(("who", "role", "where"), FORBIDDEN_INVITATIONS)
def test_roles_one_may_not_give_are_refused_and_nothing_is_written(
    request, who, role, where, school, latvia, django_capture_on_commit_callbacks
):
    people = {
        "teacher": lambda: person_with(Role.TEACHER, school=school),
        "coordinator": lambda: request.getfixturevalue("coordinator"),
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "national": lambda: request.getfixturevalue("national_coordinator"),
        "former_coordinator": lambda: _former_coordinator(school),
        "no_role": UserFactory,
        "anonymous": AnonymousUser,
    }
    actor = people[who]()
    scope = {}
    if where is not None:
        target = request.getfixturevalue(where)
        scope = {"school": target} if "school" in where else {"country": target}
    before = state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        invitation_create(actor=actor, email="newcomer@example.org", role=role, **scope)
    assert state() == before
    assert mail.outbox == []


def _former_coordinator(school):
    user = person_with(Role.SCHOOL_COORDINATOR, school=school)
    role_revoke(actor=StandIn.COMMAND_LINE, assignment=user.role_assignments.get())
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    "email", ["not-an-address", "", "two@@example.org", "spaces in@example.org", "anna@"]
)
def test_a_bad_address_is_refused(coordinator, school, email, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        invitation_create(actor=coordinator, email=email, role=Role.TEACHER, school=school)
    assert state() == before
    assert mail.outbox == []


def test_a_role_given_for_the_wrong_kind_of_place_is_refused(administrator, school, latvia):
    before = state()
    with translation.override("en"):
        for role, scope, message in [
            (Role.TEACHER, {"country": latvia}, "Choose the school this role is for."),
            (Role.REVIEWER, {"school": school}, "Choose the country this role is for."),
            (
                Role.ADMINISTRATOR,
                {"country": latvia},
                "The administrator role is for the whole platform.",
            ),
            ("headmaster", {"school": school}, "Choose a role."),
        ]:
            with pytest.raises(ValidationError) as refused:
                invitation_create(actor=administrator, email="x@example.org", role=role, **scope)
            assert refused.value.messages == [message]
    assert state() == before


def test_an_unknown_language_falls_back_to_latvian(
    coordinator, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=coordinator,
            email="new@example.org",
            role=Role.TEACHER,
            school=school,
            language="de",
        )
    assert invitation.language == "lv"
    assert link_in(mail.outbox[0])["prefix"] is None


def test_the_command_line_may_invite_the_first_administrator(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=StandIn.COMMAND_LINE, email="first.admin@example.org", role=Role.ADMINISTRATOR
        )
    assert invitation.invited_by is None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label, entry.country_code) == (
        "invitation.created",
        "command line",
        "",
    )
    assert mail.outbox[0].to == ["first.admin@example.org"]


# -- invitation_accept ------------------------------------------------------------------------


@pytest.fixture
def invitation(coordinator, school):
    return InvitationFactory(
        token=TOKEN,
        email="liga.ozola@example.org",
        role=Role.TEACHER,
        school=school,
        invited_by=coordinator,
        language="en",
    )


def test_a_new_person_opens_an_account_and_gets_the_role(client, invitation, coordinator, school):
    recorded = entries_from_now_on()
    assignment = invitation_accept(
        token=TOKEN, full_name="  Līga Ozola ", password=GOOD_PASSWORD, preferred_language="lv"
    )

    person = User.objects.get(email="liga.ozola@example.org")
    assert person.full_name == "Līga Ozola"
    assert person.preferred_language == "lv"
    assert person.check_password(GOOD_PASSWORD)
    assert not person.is_staff
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.verified, address.primary) == (person.email, True, True)

    assert assignment.user == person
    assert (assignment.role, assignment.school, assignment.is_active) == (
        Role.TEACHER,
        school,
        True,
    )
    assert assignment.granted_by == coordinator
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert invitation.accepted_at is not None

    entries = {entry.action: entry for entry in recorded.all()}
    assert set(entries) == {"account.created", "invitation.accepted", "role.granted"}
    assert entries["account.created"].actor == person
    assert entries["invitation.accepted"].actor == person
    assert entries["invitation.accepted"].country_code == "LV"
    assert entries["role.granted"].actor == coordinator
    assert entries["role.granted"].after == {
        "role": "teacher",
        "school": "Ozolu pamatskola",
        "country": None,
    }

    # The new person signs in straight away (the link proved the address) and sees the school.
    response = sign_in(client, "liga.ozola@example.org", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:index")
    assert int(client.session[SESSION_KEY]) == person.pk
    assert "Ozolu pamatskola" in client.get(reverse("dashboard:index")).content.decode()
    assert client.get(reverse("dashboard:school", args=[school.pk])).status_code == 200


def test_the_new_account_takes_the_invitations_language_when_none_is_chosen(invitation):
    invitation_accept(token=TOKEN, full_name="Līga", password=GOOD_PASSWORD)
    assert User.objects.get(email=invitation.email).preferred_language == "en"


def test_an_invitation_made_by_the_service_is_accepted_with_the_link_from_the_email(
    coordinator, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=coordinator, email="juris@example.org", role=Role.TEACHER, school=school
        )
    token = link_in(mail.outbox[0])["token"]
    assignment = invitation_accept(token=token, full_name="Juris", password=GOOD_PASSWORD)
    assert assignment.user.email == "juris@example.org"
    assert assignment.school == school


def test_a_signed_in_person_accepts_with_their_existing_account(invitation, school):
    person = UserFactory(email="Liga.Ozola@Example.org")  # the address is not case sensitive
    people = User.objects.count()
    recorded = entries_from_now_on()
    assignment = invitation_accept(token=TOKEN, user=person)
    assert assignment.user == person
    assert assignment.school == school
    assert User.objects.count() == people
    assert not AuditEntry.objects.filter(action="account.created").exists()
    assert set(recorded.values_list("action", flat=True)) == {
        "invitation.accepted",
        "role.granted",
    }


def test_a_signed_in_person_who_already_holds_the_role_keeps_one_role(invitation, school):
    person = UserFactory(email=invitation.email)
    existing = grant(person, Role.TEACHER, school=school)
    assert invitation_accept(token=TOKEN, user=person) == existing
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_an_invitation_for_someone_else_is_refused(invitation):
    stranger = UserFactory(email="stranger@example.org")
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_accept(token=TOKEN, user=stranger)
    assert refused.value.code == "wrong_account"
    assert refused.value.messages == [
        "This invitation was sent to liga.ozola@example.org, but you are signed in as "
        "stranger@example.org. Sign out and open the link again."
    ]
    assert state() == before


def test_opening_an_account_for_an_address_that_has_one_asks_to_sign_in(invitation):
    UserFactory(email=invitation.email)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_accept(token=TOKEN, full_name="Someone", password=GOOD_PASSWORD)
    assert refused.value.code == "account_exists"
    assert refused.value.messages == ["An account with this address exists already: sign in first."]
    assert state() == before


def test_an_address_added_to_another_account_cannot_open_a_second_one(invitation):
    owner = UserFactory(email="liga@example.org")
    EmailAddress.objects.create(user=owner, email=invitation.email, verified=True, primary=False)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_accept(token=TOKEN, full_name="Someone", password=GOOD_PASSWORD)
    assert refused.value.code == "account_exists"
    assert state() == before


def _expire(invitation):
    invitation.created_at = timezone.now() - timedelta(days=8)
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()


def _use(invitation):
    invitation_accept(token=TOKEN, full_name="Līga", password=GOOD_PASSWORD)


def _withdraw(invitation):
    invitation_revoke(actor=invitation.invited_by, invitation=invitation)


@pytest.mark.parametrize(
    ("spoil", "token", "code", "words"),
    [
        (_expire, TOKEN, "expired", ["This invitation expired on", "Ask for a new one."]),
        (
            _use,
            TOKEN,
            "used",
            ["This invitation has already been used.", "Sign in with the account it opened"],
        ),
        (
            _withdraw,
            TOKEN,
            "revoked",
            ["This invitation was withdrawn. Ask the person who invited you."],
        ),
        (None, "forged-" + TOKEN, "invalid", ["This invitation link is not valid."]),
        (None, TOKEN + "x" * 100, "invalid", ["This invitation link is not valid."]),
        (None, "", "invalid", ["This invitation link is not valid."]),
    ],
    ids=["expired", "used", "withdrawn", "forged", "too-long", "empty"],
)
@pytest.mark.parametrize("signed_in", [False, True], ids=["new-account", "signed-in"])
def test_a_link_that_no_longer_works_is_refused_with_a_clear_message(
    invitation, spoil, token, code, words, signed_in
):
    if spoil is not None:
        spoil(invitation)
    user = None
    if signed_in:
        # For the used invitation, the person signed in is the one who used it.
        user = User.objects.filter(email=invitation.email).first() or UserFactory(
            email=invitation.email
        )
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_accept(
            token=token, user=user, full_name="Līga Ozola", password=GOOD_PASSWORD + " again"
        )
    assert refused.value.code == code
    for phrase in words:
        assert phrase in refused.value.messages[0]
    assert state() == before


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short pw", "password_too_short"),
        ("password1234", "password_too_common"),
        ("384726195038", "password_entirely_numeric"),
        ("liga.ozola@example.org", "password_too_similar"),
        ("a long sentence that goes on " * 5, "password_too_long"),
    ],
    ids=["short", "common", "numeric", "like-the-address", "over-128"],
)
def test_a_weak_password_is_refused_and_no_account_is_opened(invitation, password, code):
    before = state()
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=TOKEN, full_name="Līga Ozola", password=password)
    assert code in {error.code for error in refused.value.error_list}
    assert state() == before
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_invitation_works_only_once(invitation):
    invitation_accept(token=TOKEN, full_name="Līga", password=GOOD_PASSWORD)
    before = state()
    person = User.objects.get(email=invitation.email)
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=TOKEN, user=person)
    assert refused.value.code == "used"
    assert state() == before
    assert RoleAssignment.objects.filter(user=person).count() == 1


# -- role_revoke and role_grant ---------------------------------------------------------------


def test_a_role_taken_back_stops_working_on_the_next_request(client, coordinator, teacher, school):
    client.force_login(teacher)
    workspace = reverse("dashboard:school", args=[school.pk])
    assert client.get(workspace).status_code == 200
    assert school.name in client.get(reverse("dashboard:index")).content.decode()

    assignment = teacher.role_assignments.get()
    recorded = entries_from_now_on()
    role_revoke(actor=coordinator, assignment=assignment)

    response = client.get(workspace)
    assert response.status_code == 404
    assert school.name not in response.content.decode()
    assert school.name not in client.get(reverse("dashboard:index")).content.decode()

    # The role is kept in the history, marked as taken back, and the log says who did it.
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert assignment.revoked_by == coordinator
    entry = recorded.get()
    assert (entry.action, entry.actor, entry.country_code) == ("role.revoked", coordinator, "LV")
    assert entry.before == {"role": "teacher", "school": school.name, "country": None}


def test_a_role_cannot_be_taken_back_twice(coordinator, teacher):
    assignment = teacher.role_assignments.get()
    role_revoke(actor=coordinator, assignment=assignment)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        role_revoke(actor=coordinator, assignment=assignment)
    assert refused.value.messages == ["This role was already taken back."]
    assert state() == before


@pytest.mark.parametrize("who", ["teacher", "national", "other_coordinator", "no_role"])
def test_taking_back_a_role_one_may_not_give_is_refused(request, who, teacher, other_school):
    actor = {
        "teacher": lambda: person_with(Role.TEACHER, school=teacher.role_assignments.get().school),
        "national": lambda: request.getfixturevalue("national_coordinator"),
        "other_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=other_school),
        "no_role": UserFactory,
    }[who]()
    before = state()
    with pytest.raises(PermissionDenied):
        role_revoke(actor=actor, assignment=teacher.role_assignments.get())
    assert state() == before


def test_the_staff_flag_follows_the_national_coordinator_role(administrator, latvia, estonia):
    person = UserFactory()
    assert not person.is_staff
    in_latvia = role_grant(
        actor=administrator, user=person, role=Role.NATIONAL_COORDINATOR, country=latvia
    )
    person.refresh_from_db()
    assert person.is_staff
    in_estonia = role_grant(
        actor=administrator, user=person, role=Role.NATIONAL_COORDINATOR, country=estonia
    )

    role_revoke(actor=administrator, assignment=in_latvia)
    person.refresh_from_db()
    assert person.is_staff  # still national coordinator of Estonia
    role_revoke(actor=administrator, assignment=in_estonia)
    person.refresh_from_db()
    assert not person.is_staff


def test_a_superuser_stays_staff_when_a_role_is_taken_back(administrator, latvia):
    root = UserFactory(is_superuser=True, is_staff=True)
    assignment = role_grant(
        actor=administrator, user=root, role=Role.NATIONAL_COORDINATOR, country=latvia
    )
    role_revoke(actor=administrator, assignment=assignment)
    root.refresh_from_db()
    assert root.is_staff


def test_granting_a_role_already_held_changes_nothing(administrator, school):
    person = UserFactory()
    recorded = entries_from_now_on()
    first = role_grant(actor=administrator, user=person, role=Role.TEACHER, school=school)
    before = state()
    again = role_grant(actor=administrator, user=person, role=Role.TEACHER, school=school)
    assert again == first
    assert state() == before
    assert recorded.filter(action="role.granted").count() == 1


def test_a_national_coordinator_may_not_make_another(national_coordinator, latvia):
    person = UserFactory()
    before = state()
    with pytest.raises(PermissionDenied):
        role_grant(
            actor=national_coordinator, user=person, role=Role.NATIONAL_COORDINATOR, country=latvia
        )
    assert state() == before


def test_the_command_line_grants_the_first_administrator():
    person = UserFactory()
    role_grant(actor=StandIn.COMMAND_LINE, user=person, role=Role.ADMINISTRATOR)
    person.refresh_from_db()
    assert person.is_staff
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label) == ("role.granted", "command line")


# -- invitation_revoke ------------------------------------------------------------------------


def test_a_coordinator_withdraws_an_invitation_and_the_link_stops_working(
    client, invitation, coordinator
):
    recorded = entries_from_now_on()
    invitation_revoke(actor=coordinator, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    entry = recorded.get()
    assert (entry.action, entry.actor, entry.country_code) == (
        "invitation.withdrawn",
        coordinator,
        "LV",
    )
    assert entry.before["email"] == invitation.email

    response = client.get(reverse("roles:accept", args=[TOKEN]))
    assert response.status_code == 410
    with pytest.raises(ValidationError):
        invitation_accept(token=TOKEN, full_name="Līga", password=GOOD_PASSWORD)


@pytest.mark.parametrize("spoil", [_expire, _use, _withdraw], ids=["expired", "used", "withdrawn"])
def test_only_an_open_invitation_can_be_withdrawn(invitation, coordinator, spoil):
    spoil(invitation)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        invitation_revoke(actor=coordinator, invitation=invitation)
    assert refused.value.messages == ["Only an invitation that is still open can be withdrawn."]
    assert state() == before


@pytest.mark.parametrize("who", ["teacher", "national", "other_coordinator", "anonymous"])
def test_withdrawing_an_invitation_one_may_not_give_is_refused(
    request, who, invitation, school, other_school
):
    actor = {
        "teacher": lambda: person_with(Role.TEACHER, school=school),
        "national": lambda: request.getfixturevalue("national_coordinator"),
        "other_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=other_school),
        "anonymous": AnonymousUser,
    }[who]()
    before = state()
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=actor, invitation=invitation)
    assert state() == before
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_invitation_to_a_verified_secondary_address_is_accepted_when_signed_in(latvia):
    from allauth.account.models import EmailAddress

    from asphub.schools.tests.factories import SchoolFactory

    school = SchoolFactory(country=latvia)
    person = UserFactory(email="main@example.org")
    EmailAddress.objects.create(user=person, email="work@school.lv", verified=True)
    InvitationFactory(token="secondary-token-0001", email="work@school.lv", school=school)

    assignment = invitation_accept(token="secondary-token-0001", user=person)

    assert assignment.user == person
    assert assignment.school == school


@pytest.mark.parametrize(("chosen", "preferred"), [("lv", "en"), ("en", "lv")])
def test_someone_with_an_account_is_invited_in_their_own_language(
    national_coordinator, latvia, chosen, preferred, django_capture_on_commit_callbacks
):
    UserFactory(email="recenzente@example.org", preferred_language=preferred)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=national_coordinator,
            email="recenzente@example.org",
            role=Role.REVIEWER,
            country=latvia,
            language=chosen,
        )
    [message] = mail.outbox
    assert invitation.language == preferred
    if preferred == "en":
        assert message.subject == "Invitation: reviewer for Latvia"
        assert "/en/invitations/" in message.body
    else:
        assert message.subject.startswith("Uzaicinājums")
        assert "/en/invitations/" not in message.body


# -- after the review: invitations follow their inviter's role; the last administrator stays --


def test_an_invitation_lapses_when_its_sender_loses_the_role_that_allowed_it(
    coordinator, school, national_coordinator
):
    invitation = invitation_create(
        actor=coordinator, email="jauna@example.org", role=Role.TEACHER, school=school
    )
    role_revoke(actor=national_coordinator, assignment=coordinator.role_assignments.get())

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    withdrawn = AuditEntry.objects.get(action="invitation.withdrawn")
    assert withdrawn.note == "the inviter's role was taken back"
    assert invitation.status == "revoked"


def test_an_invitation_from_someone_no_longer_allowed_cannot_be_accepted(school, coordinator):
    InvitationFactory(
        token="lapsed-token-000001", email="jauna@example.org", school=school,
        invited_by=coordinator,
    )  # fmt: skip
    RoleAssignment.objects.filter(user=coordinator).update(revoked_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        invitation_accept(
            token="lapsed-token-000001", full_name="Jauna", password="a long enough passphrase"
        )
    assert refused.value.code == "inviter_lost_role"
    assert not User.objects.filter(email="jauna@example.org").exists()


def test_the_last_administrator_cannot_take_back_their_own_role(db):
    administrator = person_with(Role.ADMINISTRATOR)
    assignment = administrator.role_assignments.get()
    with pytest.raises(ValidationError) as refused:
        role_revoke(actor=administrator, assignment=assignment)
    assert refused.value.code == "last_administrator"
    assignment.refresh_from_db()
    assert assignment.revoked_at is None


def test_an_administrator_may_step_down_when_another_remains(db):
    first, second = person_with(Role.ADMINISTRATOR), person_with(Role.ADMINISTRATOR)
    role_revoke(actor=second, assignment=first.role_assignments.get())
    assert not RoleAssignment.objects.filter(user=first, revoked_at__isnull=True).exists()


def test_deleting_an_account_ends_the_invitations_to_and_from_it(school, coordinator):
    sent = InvitationFactory(school=school, invited_by=coordinator, email="a@example.org")
    received = InvitationFactory(school=school, email=coordinator.email, role=Role.TEACHER)
    account_delete(actor=coordinator, user=coordinator)
    for invitation in (sent, received):
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None


# -- the one guard: a person by their roles, the command line as trusted ----------------------


def test_the_guard_lets_the_command_line_act_and_a_person_only_where_allowed(school):
    person = person_with(Role.TEACHER, school=school)
    asked = []

    def allowed(who):
        asked.append(who)
        return who == person

    require_permission(StandIn.COMMAND_LINE, allowed, "refused")
    assert asked == []  # the command line is not asked about
    require_permission(person, allowed, "refused")
    for refused in (
        person_with(Role.TEACHER, school=school),
        AnonymousUser(),
        StandIn.SYSTEM,
        "command-line",
    ):
        with pytest.raises(PermissionDenied, match="refused"):
            require_permission(refused, allowed, "refused")


# -- sending an invitation again ----------------------------------------------------------------


def test_an_open_invitation_is_sent_again_with_a_new_link_and_the_old_one_stops(
    coordinator, school, mailoutbox
):
    invitation = InvitationFactory(
        school=school, invited_by=coordinator, role=Role.TEACHER, email="liga@example.org",
        token="the-first-link-secret-0123456789",
    )  # fmt: skip
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    recorded = entries_from_now_on()

    invitation_resend(actor=coordinator, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert invitation_by_token("the-first-link-secret-0123456789") is None
    (message,) = mailoutbox
    assert message.to == ["liga@example.org"]
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    assert invitation_by_token(token) == invitation
    (entry,) = recorded
    assert (entry.action, entry.actor, entry.country_code) == (
        "invitation.resent",
        coordinator,
        "LV",
    )


def test_only_whoever_may_withdraw_an_invitation_may_send_it_again(
    coordinator, school, other_school
):
    invitation = InvitationFactory(school=school, invited_by=coordinator, role=Role.TEACHER)
    stranger = person_with(Role.SCHOOL_COORDINATOR, school=other_school)
    before = Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk)
    recorded = entries_from_now_on()
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=stranger, invitation=invitation)
    assert (
        Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk) == before
    )
    assert not recorded.exists()


def test_a_withdrawn_invitation_cannot_be_sent_again(coordinator, school, mailoutbox):
    invitation = InvitationFactory(school=school, invited_by=coordinator, role=Role.TEACHER)
    invitation_revoke(actor=coordinator, invitation=invitation)
    mailoutbox.clear()
    with pytest.raises(ValidationError) as refused:
        invitation_resend(actor=coordinator, invitation=invitation)
    assert refused.value.code == "not_pending"
    assert mailoutbox == []


# -- after the hostile trial --------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ['"a\x0bBcc:injected@evil.example"@x.test', '"a\x0cb\x1cc"@x.test', "a\u202e@x.test"]
)
def test_an_address_with_control_characters_is_refused(coordinator, school, email, mailoutbox):
    with pytest.raises(ValidationError):
        invitation_create(actor=coordinator, email=email, role=Role.TEACHER, school=school)
    assert not Invitation.objects.filter(invited_by=coordinator).exists()
    assert mailoutbox == []


def test_a_name_cannot_write_lines_of_its_own_into_emails(coordinator):
    with pytest.raises(ValidationError):
        profile_update(actor=coordinator, user=coordinator,
                       full_name="Pēteris\n\nURGENT: open https://evil.example", preferred_language="lv")  # fmt: skip
    coordinator.refresh_from_db()
    assert coordinator.full_name == "Ilze Kalna"


def test_one_person_may_send_only_so_many_invitations_an_hour(coordinator, school, settings):
    settings.ASPHUB_INVITATIONS_PER_HOUR = 3
    for n in range(3):
        invitation_create(actor=coordinator, email=f"t{n}@example.org", role=Role.TEACHER, school=school)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=coordinator, email="t9@example.org", role=Role.TEACHER, school=school)  # fmt: skip
    assert refused.value.code == "too_many"
    assert Invitation.objects.filter(invited_by=coordinator).count() == 3
    # The command line is not a person and is not limited.
    invitation_create(actor=StandIn.COMMAND_LINE, email="t9@example.org", role=Role.TEACHER, school=school)  # fmt: skip


def test_invitations_that_lapse_with_a_deleted_account_are_each_recorded(coordinator, school):
    sent = InvitationFactory(school=school, invited_by=coordinator, email="a@example.org")
    recorded = entries_from_now_on()
    account_delete(actor=coordinator, user=coordinator)
    withdrawn = recorded.filter(action="invitation.withdrawn")
    assert [entry.object_id for entry in withdrawn] == [str(sent.pk)]
    assert withdrawn.get().note == "the account was deleted"


def test_nobody_invites_themselves(school, coordinator):
    with pytest.raises(ValidationError) as refused:
        invitation_create(
            actor=coordinator, email=coordinator.email.upper(), role=Role.TEACHER, school=school
        )
    assert refused.value.code == "self"
    assert not Invitation.objects.exists()
