"""A person's own account: their profile, the download of their data, deleting the account."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import translation

from asphub.accounts.models import User
from asphub.accounts.tests.factories import PASSWORD, UserFactory, enrol_authenticator
from asphub.audit.models import AuditEntry, StandIn
from asphub.audit.services import audit_record
from asphub.roles.models import Invitation, Role, RoleAssignment
from asphub.roles.services import invitation_accept, invitation_create
from asphub.roles.tests.factories import InvitationFactory, grant, person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
PERSONAL_DATA = "/accounts/profile/personal-data.json"
DELETE = "/accounts/profile/delete/"
EVIL_NAME = '<script>alert("x")</script><b>Bold</b>'


def test_the_urls_are_where_the_pages_link_to():
    assert reverse("accounts:profile") == PROFILE
    assert reverse("accounts:personal_data") == PERSONAL_DATA
    assert reverse("accounts:delete") == DELETE


@pytest.mark.parametrize("page", [PROFILE, PERSONAL_DATA, DELETE, "/en" + PROFILE])
def test_anonymous_visitors_are_asked_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert "/accounts/login/?next=" in response["Location"]


def test_anonymous_visitors_cannot_delete_anything(client):
    user = UserFactory()
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert User.objects.filter(pk=user.pk).exists()


# -- profile ----------------------------------------------------------------------------------


def test_the_profile_saves_name_and_language_and_records_the_change(client):
    user = UserFactory(full_name="Anna Bērziņa", preferred_language="lv")
    client.force_login(user)
    page = client.get("/en" + PROFILE)
    assert page.status_code == 200
    assert user.email in page.content.decode()
    response = client.post(PROFILE, {"full_name": "  Anna Kalniņa ", "preferred_language": "en"})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    user.refresh_from_db()
    assert user.full_name == "Anna Kalniņa"
    assert user.preferred_language == "en"
    entry = AuditEntry.objects.get(action="account.profile_changed")
    assert entry.actor == user
    assert entry.object_id == str(user.pk)
    assert entry.before == {"full_name": "Anna Bērziņa", "preferred_language": "lv"}
    assert entry.after == {"full_name": "Anna Kalniņa", "preferred_language": "en"}
    followed = client.get(response["Location"])
    assert "Anna Kalniņa" in followed.content.decode()


def test_saving_an_unchanged_profile_records_nothing(client):
    user = UserFactory(full_name="Anna", preferred_language="lv")
    client.force_login(user)
    client.post(PROFILE, {"full_name": "Anna", "preferred_language": "lv"})
    assert not AuditEntry.objects.filter(action="account.profile_changed").exists()


def test_an_unknown_language_is_refused_and_nothing_changes(client):
    user = UserFactory(full_name="Anna", preferred_language="lv")
    client.force_login(user)
    response = client.post(PROFILE, {"full_name": "Someone Else", "preferred_language": "de"})
    assert response.status_code == 200
    assert response.context["form"].errors["preferred_language"]
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Anna", "lv")
    # The header still shows the saved name, not the refused one.
    assert "Someone Else" not in response.content.decode().split("<main")[0]
    assert not AuditEntry.objects.filter(action="account.profile_changed").exists()


def test_the_profile_cannot_change_the_address_or_staff_status(client):
    user = UserFactory()
    client.force_login(user)
    client.post(
        PROFILE,
        {
            "full_name": "Anna",
            "preferred_language": "en",
            "email": "taken-over@example.org",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    user.refresh_from_db()
    assert user.email != "taken-over@example.org"
    assert not user.is_staff and not user.is_superuser


def test_html_in_the_full_name_is_shown_as_text(client):
    user = UserFactory()
    client.force_login(user)
    client.post(PROFILE, {"full_name": EVIL_NAME, "preferred_language": "en"})
    for page in [PROFILE, "/dashboard/", "/"]:
        body = client.get(page).content.decode()
        assert "<script>alert" not in body, page
        assert "<b>Bold</b>" not in body, page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body, page


# -- personal data download -------------------------------------------------------------------


def download(client) -> tuple[object, dict]:
    response = client.get(PERSONAL_DATA)
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    return response, json.loads(content)


def test_the_personal_data_download_holds_what_the_platform_knows(client, latvia, school):
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, email="coord@example.org")
    other_school = SchoolFactory(country=latvia, name="Cēsu Valsts ģimnāzija")
    # Three invitations: one from the coordinator (still open), one with the address in other
    # letter case, and the one they accepted.
    invitation_create(
        actor=coordinator, email="teacher@example.org", role=Role.TEACHER, school=school
    )
    user = UserFactory(email="teacher@example.org", full_name="Līga Liepa")
    # The services store addresses in lower case and refuse a second open invitation to the
    # same role; this one is to a third school and its row is written in other letters.
    other_case = InvitationFactory(
        email="teacher@example.org", role=Role.TEACHER, school=SchoolFactory(country=latvia)
    )
    Invitation.objects.filter(pk=other_case.pk).update(email="TEACHER@example.org")
    token = "the-link-secret-of-the-accepted-invitation"
    InvitationFactory(
        email="teacher@example.org", role=Role.TEACHER, school=other_school, token=token
    )
    invitation_accept(token=token, user=user)
    audit_record(actor=user, action="account.profile_changed", obj=user, after={"full_name": "x"})
    secret = enrol_authenticator(user)
    client.force_login(user)

    response, data = download(client)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".json" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"

    assert data["account"]["email"] == "teacher@example.org"
    assert data["account"]["full_name"] == "Līga Liepa"
    assert data["email_addresses"] == [
        {"email": "teacher@example.org", "verified": True, "primary": True}
    ]
    assert [(role["role"], role["school"]) for role in data["roles"]] == [
        ("teacher", "Cēsu Valsts ģimnāzija")
    ]
    assert len(data["invitations_received"]) == 3
    assert {i["role"] for i in data["invitations_received"]} == {"teacher"}
    assert any(i["accepted_at"] for i in data["invitations_received"])
    actions = {entry["action"] for entry in data["activity"]}
    assert {"invitation.accepted", "role.granted", "account.profile_changed"} <= actions
    assert [method["type"] for method in data["two_factor_methods"]] == ["totp"]

    raw = response.content.decode()
    user.refresh_from_db()
    assert user.password not in raw
    assert user.password.split("$")[-1] not in raw
    assert secret not in raw
    assert "seed" not in raw
    assert token not in raw
    assert Invitation.hash_token(token) not in raw
    # Non-ASCII letters are written as themselves, not as escapes.
    assert "Līga Liepa" in raw


def test_the_personal_data_download_never_holds_another_persons_data(client, latvia, school):
    me = person_with(Role.TEACHER, school=school, email="me@example.org", full_name="Es Pats")
    other = person_with(
        Role.SCHOOL_COORDINATOR,
        school=SchoolFactory(country=latvia, name="Citas skolas nosaukums"),
        email="someone.else@example.org",
        full_name="Cits Cilvēks",
    )
    enrol_authenticator(other)
    InvitationFactory(email="someone.else@example.org", role=Role.TEACHER, school=school)
    audit_record(actor=other, action="account.profile_changed", obj=other,
                 before={"full_name": "Vecais Vārds"}, after={"full_name": "Cits Cilvēks"})  # fmt: skip
    client.force_login(me)
    response, data = download(client)
    raw = response.content.decode()
    assert data["account"]["email"] == "me@example.org"
    for trace in ["someone.else@example.org", "Cits Cilvēks", "Vecais Vārds",
                  "Citas skolas nosaukums"]:  # fmt: skip
        assert trace not in raw
    assert [method for method in data["two_factor_methods"]] == []
    # Only their own role being given (by the command line, as the test world is made).
    assert [(entry["action"], entry["object"]) for entry in data["activity"]] == [
        ("role.granted", "Es Pats")
    ]
    assert data["invitations_received"] == []


def test_each_person_downloads_their_own_data(client):
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    assert download(client)[1]["account"]["email"] == first.email
    client.force_login(second)
    assert download(client)[1]["account"]["email"] == second.email


# -- deleting the account ---------------------------------------------------------------------


def test_the_delete_page_asks_for_the_password_and_the_checkbox(client):
    user = UserFactory()
    client.force_login(user)
    body = client.get("/en" + DELETE).content.decode()
    assert 'name="password"' in body
    assert 'name="confirm"' in body
    assert 'type="checkbox"' in body


def test_a_wrong_password_deletes_nothing(client, school):
    user = person_with(Role.TEACHER, school=school)
    client.force_login(user)
    response = client.post("/en" + DELETE, {"password": "not my password", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert "The password is not correct." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert RoleAssignment.objects.filter(user=user).exists()
    assert SESSION_KEY in client.session
    assert not AuditEntry.objects.filter(action="account.deleted").exists()


def test_without_the_checkbox_nothing_is_deleted(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    assert User.objects.filter(pk=user.pk).exists()


def test_a_get_request_deletes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    client.get(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_the_account_removes_the_person_and_their_traces(client, latvia, school):
    national = person_with(Role.NATIONAL_COORDINATOR, country=latvia, full_name="Nacionālā K.")
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Skolas K.")
    email = "leaving.teacher@example.org"
    name = "Aiziet Projām"
    # They were invited, accepted, changed their profile, invited nobody, and got locked out.
    # (InvitationFactory sends the invitation through invitation_create, as the coordinator.)
    user = UserFactory(email=email, full_name=name)
    token = "the-secret-of-the-leaving-teachers-link"
    InvitationFactory(email=email, role=Role.TEACHER, school=school, token=token,
                      invited_by=coordinator)  # fmt: skip
    invitation_accept(token=token, user=user)
    grant(user, Role.SCHOOL_COORDINATOR, school=SchoolFactory(country=latvia))
    audit_record(actor=user, action="account.profile_changed", obj=user,
                 before={"full_name": "Old"}, after={"full_name": name})  # fmt: skip
    enrol_authenticator(user)
    made_by_them = list(AuditEntry.objects.filter(actor=user).values_list("pk", flat=True))
    assert made_by_them
    kept_entries = AuditEntry.objects.count()

    client.force_login(user)
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert SESSION_KEY not in client.session

    assert not User.objects.filter(pk=user.pk).exists()
    assert not User.objects.filter(email__iexact=email).exists()
    assert not RoleAssignment.objects.filter(user_id=user.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not Authenticator.objects.filter(user_id=user.pk).exists()
    assert not Invitation.objects.filter(email__iexact=email).exists()
    # Others keep their roles.
    assert RoleAssignment.objects.filter(user=national).exists()
    assert RoleAssignment.objects.filter(user=coordinator).exists()

    # Every entry stays; the ones they made now read "former member".
    assert AuditEntry.objects.count() > kept_entries
    for entry in AuditEntry.objects.filter(pk__in=made_by_them):
        assert entry.actor_id is None
        assert entry.actor_label == StandIn.FORMER_MEMBER
        with translation.override("en"):
            assert entry.who == "former member"
        with translation.override("lv"):
            assert entry.who == "bijušais dalībnieks"
    assert AuditEntry.objects.filter(
        action="account.deleted", actor_label=StandIn.FORMER_MEMBER
    ).exists()
    for entry in AuditEntry.objects.all():
        row = json.dumps(
            [entry.actor_label, entry.object_label, entry.before, entry.after, entry.note],
            ensure_ascii=False,
        )
        assert email not in row.lower(), entry.action
        assert name not in row, entry.action


def test_a_deleted_account_stays_out_of_the_audit_log_after_a_lockout(client):
    user = UserFactory(email="locked.out@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong password"})
    assert AuditEntry.objects.filter(action="signin.locked_out").exists()
    client.force_login(user)
    # From this address the lockout also refuses the password on the deletion form...
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 429
    assert User.objects.filter(pk=user.pk).exists()
    # ...from another one the person deletes their account.
    client.post(DELETE, {"password": PASSWORD, "confirm": "on"}, REMOTE_ADDR="10.9.8.7")
    assert not User.objects.filter(pk=user.pk).exists()
    for entry in AuditEntry.objects.all():
        row = json.dumps([entry.actor_label, entry.object_label, entry.before, entry.after])
        assert "locked.out@example.org" not in row, entry.action


def test_the_deleted_person_cannot_sign_in_any_more(client):
    user = UserFactory()
    client.force_login(user)
    client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_last_administrator_cannot_delete_their_account(client):
    admin = person_with(Role.ADMINISTRATOR)
    enrol_authenticator(admin)
    client.force_login(admin)
    response = client.post("/en" + DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "You are the only administrator" in response.content.decode()
    assert User.objects.filter(pk=admin.pk).exists()
    assert RoleAssignment.objects.filter(user=admin, role=Role.ADMINISTRATOR).exists()
    assert SESSION_KEY in client.session


def test_an_administrator_can_leave_when_another_one_remains(client):
    admin = person_with(Role.ADMINISTRATOR)
    person_with(Role.ADMINISTRATOR)
    enrol_authenticator(admin)
    client.force_login(admin)
    response = client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=admin.pk).exists()


def test_a_revoked_administrator_does_not_count_as_the_one_remaining(client):
    from django.utils import timezone

    admin = person_with(Role.ADMINISTRATOR)
    former = person_with(Role.ADMINISTRATOR)
    RoleAssignment.objects.filter(user=former).update(revoked_at=timezone.now())
    enrol_authenticator(admin)
    client.force_login(admin)
    client.post(DELETE, {"password": PASSWORD, "confirm": "on"})
    assert User.objects.filter(pk=admin.pk).exists()
