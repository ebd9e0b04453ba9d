"""Every change to data is recorded, whichever way it is made: the administration (bulk delete,
a person's address, deactivation or password, a country's rules, sign-in records), a person's
own sign-in settings, and the lockout commands."""

from datetime import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from asphub.accounts.models import User
from asphub.accounts.tests.factories import PASSWORD, enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import School
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(client, role, **scope):
    person = person_with(role, **scope)
    enrol_authenticator(person)
    client.force_login(person)
    return person


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def change_form_data(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if getattr(field, "disabled", False):
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = (
                local.date().isoformat(),
                local.time().isoformat(),
            )
        elif value is not None:
            data[name] = value
    data.update(changes)
    return data


def test_deleting_selected_schools_in_the_admin_records_each_one(client, latvia):
    first = SchoolFactory(country=latvia, name="Pirmā skola")
    second = SchoolFactory(country=latvia, name="Otrā skola")
    signed_in(client, Role.ADMINISTRATOR)
    response = client.post(
        "/en/admin/schools/school/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not School.objects.filter(pk__in=[first.pk, second.pk]).exists()
    deleted = entries(AuditAction.ADMIN_DELETED)
    assert sorted(entry.object_label for entry in deleted) == ["Otrā skola", "Pirmā skola"]
    assert {entry.country_code for entry in deleted} == {"LV"}


def test_a_persons_address_and_deactivation_changed_in_the_admin_are_recorded(client, school):
    teacher = person_with(Role.TEACHER, school=school, email="old@example.org")
    signed_in(client, Role.ADMINISTRATOR)
    url = f"/en/admin/accounts/user/{teacher.pk}/change/"
    data = change_form_data(client, url, email="New.Address@Example.ORG")
    data.pop("is_active", None)  # unticked: deactivated
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    teacher.refresh_from_db()
    assert (teacher.email, teacher.is_active) == ("new.address@example.org", False)
    (entry,) = entries(AuditAction.ADMIN_CHANGED)
    assert entry.country_code == school.country.code
    assert (entry.before["email"], entry.before["is_active"]) == ("old@example.org", True)
    assert (entry.after["email"], entry.after["is_active"]) == ("new.address@example.org", False)


def test_a_password_set_in_the_admin_is_recorded_without_the_password(client, school):
    teacher = person_with(Role.TEACHER, school=school)
    signed_in(client, Role.ADMINISTRATOR)
    new_password = "a brand new long passphrase 42"
    response = client.post(
        f"/en/admin/accounts/user/{teacher.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    (entry,) = entries(AuditAction.ADMIN_CHANGED)
    assert entry.after == {"password": "changed"}
    assert new_password not in str(entry.after) + str(entry.before)


def test_an_address_typed_in_capitals_in_the_admin_cannot_open_a_second_account(client):
    signed_in(client, Role.ADMINISTRATOR)
    password = "a long enough passphrase 42"
    for typed in ("Anna.Berzina@Example.ORG", "anna.berzina@example.org"):
        client.post(
            "/en/admin/accounts/user/add/",
            {
                "email": typed,
                "password1": password,
                "password2": password,
                "usable_password": "true",
            },
        )
    assert list(
        User.objects.filter(email__iexact="anna.berzina@example.org").values_list(
            "email", flat=True
        )
    ) == ["anna.berzina@example.org"]
    (added,) = entries(AuditAction.ADMIN_ADDED)
    assert added.object_type == "accounts.user"


def test_a_countrys_rules_changed_in_the_admin_are_in_its_log(client, latvia):
    signed_in(client, Role.ADMINISTRATOR)
    url = f"/en/admin/countries/country/{latvia.pk}/change/"
    before = latvia.school_year_start_month
    data = change_form_data(client, url, school_year_start_month=before % 12 + 1)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = entries(AuditAction.ADMIN_CHANGED)
    assert entry.country_code == "LV"
    assert entry.before["school_year_start_month"] == before
    assert entry.after["school_year_start_month"] == before % 12 + 1


def test_deleting_a_lockout_in_the_admin_is_recorded_for_the_persons_country(client, school):
    teacher = person_with(Role.TEACHER, school=school)
    attempt = AccessAttempt.objects.create(
        username=teacher.email, ip_address="203.0.113.9", user_agent="x", failures_since_start=5,
        attempt_time=timezone.now(), get_data="", post_data="",
    )  # fmt: skip
    signed_in(client, Role.ADMINISTRATOR)
    response = client.post(f"/en/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    (entry,) = entries(AuditAction.ADMIN_DELETED)
    assert (entry.object_type, entry.country_code) == ("axes.accessattempt", school.country.code)


def test_the_lockout_commands_are_recorded(school):
    teacher = person_with(Role.TEACHER, school=school)
    AccessAttempt.objects.create(
        username=teacher.email, ip_address="203.0.113.9", user_agent="x", failures_since_start=5,
        attempt_time=timezone.now(), get_data="", post_data="",
    )  # fmt: skip
    call_command("axes_reset_username", teacher.email, stdout=StringIO())
    call_command("axes_reset", stdout=StringIO())
    assert not AccessAttempt.objects.exists()
    by_username, everything = entries(AuditAction.SIGNIN_LOCKOUTS_CLEARED)
    assert by_username.after == {"command": "axes_reset_username", "username": [teacher.email]}
    assert by_username.country_code == school.country.code
    assert (by_username.actor_label, everything.after, everything.country_code) == (
        "command line", {"command": "axes_reset"}, "",
    )  # fmt: skip


def test_changing_ones_own_password_is_recorded(client, school):
    teacher = person_with(Role.TEACHER, school=school)
    client.force_login(teacher)
    new_password = "another long passphrase 42"
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    (entry,) = entries(AuditAction.ACCOUNT_PASSWORD_CHANGED)
    assert (entry.actor, entry.object_id, entry.country_code) == (
        teacher, str(teacher.pk), school.country.code,
    )  # fmt: skip


def test_adding_an_address_to_ones_account_is_recorded(client, school):
    teacher = person_with(Role.TEACHER, school=school)
    client.force_login(teacher)
    response = client.post("/en/accounts/email/", {"action_add": "", "email": "second@example.org"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=teacher, email="second@example.org").exists()
    (entry,) = entries(AuditAction.ACCOUNT_EMAIL_ADDED)
    assert entry.after == {"email": "second@example.org"}
    assert entry.country_code == school.country.code
