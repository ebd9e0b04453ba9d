"""The administration site under the permission layer: country scope, audit, privileges."""

import pytest
from django.contrib.contenttypes.models import ContentType

from asphub.accounts.models import User
from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditEntry
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus, School
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(client, role, **scope):
    person = person_with(role, **scope)
    enrol_authenticator(person)
    client.force_login(person)
    return person


def test_view_on_site_shortcut_reveals_nothing_to_a_national_coordinator(client, latvia, estonia):
    hidden = SchoolFactory(
        country=estonia, slug="slepena-skola", membership_status=MembershipStatus.SUBMITTED
    )
    signed_in(client, Role.NATIONAL_COORDINATOR, country=latvia)
    content_type = ContentType.objects.get_for_model(School)
    response = client.get(f"/admin/r/{content_type.pk}/{hidden.pk}/")
    assert response.status_code == 404
    assert "slepena-skola" not in response.content.decode()


def test_administrators_keep_the_view_on_site_shortcut(client, latvia):
    school = SchoolFactory(country=latvia, slug="redzama-skola")
    signed_in(client, Role.ADMINISTRATOR)
    content_type = ContentType.objects.get_for_model(School)
    response = client.get(f"/admin/r/{content_type.pk}/{school.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith("/schools/redzama-skola/")


def test_a_school_changed_in_the_admin_is_in_the_countrys_audit_log(client, latvia):
    school = SchoolFactory(country=latvia, name="Ozolu pamatskola", phone="")
    signed_in(client, Role.NATIONAL_COORDINATOR, country=latvia)
    page = client.get(f"/admin/schools/school/{school.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({
        "phone": "+371 60000000",
        "flagshipparticipation_set-TOTAL_FORMS": "0",
        "flagshipparticipation_set-INITIAL_FORMS": "0",
    })  # fmt: skip
    response = client.post(f"/admin/schools/school/{school.pk}/change/", data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.changed", object_type="schools.school")
    assert entry.country_code == "LV"
    assert entry.before == {"phone": ""}
    assert entry.after == {"phone": "+371 60000000"}


def test_only_a_superuser_hands_out_superuser_rights(client):
    administrator = signed_in(client, Role.ADMINISTRATOR)
    response = client.get(f"/admin/accounts/user/{administrator.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields

    root = User.objects.create_superuser("root@example.org", "a long root passphrase")
    enrol_authenticator(root)
    client.force_login(root)
    response = client.get(f"/admin/accounts/user/{administrator.pk}/change/")
    assert "is_superuser" in response.context["adminform"].form.fields


def test_a_school_cannot_be_given_another_countrys_municipality(client, latvia, estonia):
    from asphub.schools.tests.factories import SubdivisionFactory

    school = SchoolFactory(country=latvia)
    harju = SubdivisionFactory(country=estonia, code="EE-37", name="Harjumaa")
    signed_in(client, Role.NATIONAL_COORDINATOR, country=latvia)
    page = client.get(f"/admin/schools/school/{school.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({
        "subdivision": harju.pk,
        "flagshipparticipation_set-TOTAL_FORMS": "0",
        "flagshipparticipation_set-INITIAL_FORMS": "0",
    })  # fmt: skip
    response = client.post(f"/admin/schools/school/{school.pk}/change/", data)
    assert response.status_code == 200
    assert "subdivision" in response.context["adminform"].form.errors
    school.refresh_from_db()
    assert school.subdivision != harju
