"""Each person's dashboard and workspaces show what they can act on, and nothing else."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.audit.models import AuditEntry
from asphub.roles.models import Invitation, Role
from asphub.roles.tests.factories import InvitationFactory, grant, person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/en/dashboard/"
EVIL_NAME = '<script>alert("x")</script><i>Ieva</i>'
ESCAPED_EVIL_NAME = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;i&gt;Ieva&lt;/i&gt;"


def school_page(school, language="en") -> str:
    return f"{'/en' if language == 'en' else ''}/dashboard/schools/{school.pk}/"


def country_page(country) -> str:
    return f"/en/dashboard/countries/{country.code}/"


@pytest.fixture
def school(latvia):
    return SchoolFactory(country=latvia, name="Cēsu Valsts ģimnāzija")


@pytest.fixture
def other_school(latvia):
    return SchoolFactory(country=latvia, name="Siguldas Valsts ģimnāzija")


def signed_in(client, user, two_factor=False):
    if two_factor:
        enrol_authenticator(user)
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# -- what each role sees ----------------------------------------------------------------------


def test_the_dashboard_asks_anonymous_visitors_to_sign_in(client):
    for page in ["/dashboard/", DASHBOARD, "/dashboard/schools/1/", "/dashboard/countries/LV/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert "/accounts/login/?next=" in response["Location"], page


def test_a_person_without_a_role_is_told_how_to_get_one(client):
    signed_in(client, UserFactory(full_name="Jauna Skolotāja"))
    response = client.get(DASHBOARD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "You have no role yet" in body
    assert "Roles come by invitation" in body
    assert "Signed in as Jauna Skolotāja." in body
    assert "Your schools" not in body and "Platform administration" not in body
    latvian = client.get("/dashboard/").content.decode()
    assert "Jums vēl nav lomas" in latvian


def test_a_teacher_sees_their_school(client, school, other_school):
    signed_in(client, person_with(Role.TEACHER, school=school))
    response = client.get(DASHBOARD)
    body = response.content.decode()
    assert "Your schools" in body
    assert "Cēsu Valsts ģimnāzija" in body
    assert "Siguldas Valsts ģimnāzija" not in body
    assert "You have no role yet" not in body
    assert "teacher · Cēsu Valsts ģimnāzija" in body
    assert f'href="{school_page(school)}"' in body
    with translation.override("en"):
        assert f'href="{school.get_absolute_url()}"' in body  # the public profile
    # A teacher does not manage the team.
    assert "Team and invitations" not in body
    assert "Platform administration" not in body


def test_a_teacher_sees_the_team_but_cannot_invite(client, school):
    teacher = signed_in(client, person_with(Role.TEACHER, school=school))
    response = client.get(school_page(school))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Invite someone" not in response.content.decode()
    refused = client.post(
        school_page(school), {"email": "x@example.org", "role": "teacher", "language": "lv"}
    )
    assert refused.status_code == 403
    assert not Invitation.objects.exists()
    assert teacher.email in response.content.decode()


def test_a_school_coordinator_sees_their_school_with_the_team_link(client, school):
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school)
    person_with(Role.TEACHER, school=school)
    signed_in(client, coordinator)
    body = client.get(DASHBOARD).content.decode()
    assert "Cēsu Valsts ģimnāzija" in body
    assert "Team and invitations" in body
    assert f'<a class="button" href="{school_page(school)}">Team and invitations</a>' in body
    assert "2 people in the school's team" in body


def test_people_cannot_open_the_workspace_of_a_school_that_is_not_theirs(
    client, school, other_school
):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    assert client.get(school_page(other_school)).status_code == 404
    assert client.get("/dashboard/schools/999999/").status_code == 404
    assert client.get(country_page(school.country)).status_code == 404


def test_a_school_coordinator_invites_a_teacher(client, school, django_capture_on_commit_callbacks):
    coordinator = signed_in(
        client, person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Daina Liepa")
    )
    page = client.get(school_page(school))
    roles = [value for value, _ in page.context["form"].fields["role"].choices]
    assert roles == ["teacher"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            school_page(school),
            {"email": "New.Teacher@Example.org", "role": "teacher", "language": "en"},
        )
    assert response.status_code == 302
    assert response["Location"] == school_page(school)

    invitation = Invitation.objects.get()
    assert invitation.email == "new.teacher@example.org"
    assert (invitation.role, invitation.school, invitation.invited_by) == (
        Role.TEACHER,
        school,
        coordinator,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teacher@example.org"]
    assert "Invitation: teacher for Cēsu Valsts ģimnāzija" in message.subject
    assert "The invitation comes from Daina Liepa." in message.body
    assert "http://testserver/en/invitations/" in message.body

    followed = client.get(response["Location"])
    assert any("Invitation sent to new.teacher@example.org" in m for m in messages_of(followed))
    body = followed.content.decode()
    assert "new.teacher@example.org: teacher" in body
    assert "Withdraw the invitation to new.teacher@example.org" in body
    entry = AuditEntry.objects.get(action="invitation.created")
    assert (entry.actor, entry.country_code) == (coordinator, "LV")


def test_a_school_coordinator_cannot_invite_a_coordinator(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    response = client.post(
        school_page(school),
        {"email": "boss@example.org", "role": "school_coordinator", "language": "en"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_invalid_address_is_refused_with_the_form_shown_again(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    response = client.post(
        school_page(school), {"email": "not an address", "role": "teacher", "language": "en"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


def test_inviting_the_same_address_twice_is_refused(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    data = {"email": "twice@example.org", "role": "teacher", "language": "en"}
    client.post(school_page(school), data)
    response = client.post(school_page(school), data)
    assert response.status_code == 200
    assert "has already been invited" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_a_school_coordinator_withdraws_an_invitation(client, school):
    coordinator = signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    client.post(
        school_page(school), {"email": "maybe@example.org", "role": "teacher", "language": "en"}
    )
    invitation = Invitation.objects.get()
    response = client.post(
        f"/en/invitations/{invitation.pk}/withdraw/", {"next": school_page(school)}
    )
    assert response.status_code == 302
    assert response["Location"] == school_page(school)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    followed = client.get(response["Location"])
    assert any("maybe@example.org is withdrawn" in m for m in messages_of(followed))
    body = followed.content.decode()
    assert "maybe@example.org: teacher" not in body
    assert "No invitation is waiting for an answer." in body
    entry = AuditEntry.objects.get(action="invitation.withdrawn")
    assert entry.actor == coordinator
    # A second withdrawal changes nothing and says why.
    again = client.post(f"/en/invitations/{invitation.pk}/withdraw/", follow=True)
    assert any("still open can be withdrawn" in m for m in messages_of(again))
    assert AuditEntry.objects.filter(action="invitation.withdrawn").count() == 1


def test_withdrawing_never_sends_people_to_another_site(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    invitation = InvitationFactory(school=school)
    response = client.post(
        f"/invitations/{invitation.pk}/withdraw/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"] == "/dashboard/"


def test_nobody_withdraws_an_invitation_outside_their_scope(client, school, other_school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    elsewhere = InvitationFactory(school=other_school)
    response = client.post(f"/invitations/{elsewhere.pk}/withdraw/")
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None


def test_withdrawing_needs_a_post(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    invitation = InvitationFactory(school=school)
    assert client.get(f"/invitations/{invitation.pk}/withdraw/").status_code == 405
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_school_coordinator_takes_back_a_teachers_role(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    teacher = person_with(Role.TEACHER, school=school, full_name="Ilze Ozola")
    assignment = teacher.role_assignments.get()
    response = client.post(
        f"/en/roles/{assignment.pk}/revoke/", {"next": school_page(school)}, follow=True
    )
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert any("Ilze Ozola is no longer teacher" in m for m in messages_of(response))
    team = response.content.decode().split('id="team-heading"')[1]
    assert "Ilze Ozola" not in team.split('id="invitations-heading"')[0]


def test_a_national_coordinator_sees_their_network(client, latvia, school, other_school, estonia):
    SchoolFactory(country=latvia, name="Kandidātu skola", membership_status="candidate")
    SchoolFactory(country=estonia, name="Tallinna Kool")
    person_with(Role.SCHOOL_COORDINATOR, school=school)
    InvitationFactory(school=other_school, role=Role.SCHOOL_COORDINATOR)
    national = signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=latvia), True)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "National network: Latvia" in body
    assert "Estonia" not in body and "Tallinna Kool" not in body
    overview = response.context["dashboard"].countries[0]
    counts = dict(overview.status_counts)
    assert counts[str(MembershipStatus.MEMBER.label)] == 2
    assert counts[str(MembershipStatus.CANDIDATE.label)] == 1
    assert "<strong>2</strong>" in body and "<strong>1</strong>" in body
    assert "Schools without a school coordinator" in body
    without = {s.name for s in overview.schools_without_coordinator}
    assert without == {"Siguldas Valsts ģimnāzija", "Kandidātu skola"}
    assert f'href="{school_page(other_school)}">Siguldas Valsts ģimnāzija</a>' in body
    assert f'href="{school_page(school)}">Cēsu' not in body
    assert "No reviewers yet" in body
    assert "1 invitation is waiting for an answer." in body
    assert f'href="{country_page(latvia)}"' in body
    assert national.is_staff


def test_a_national_coordinator_sees_their_reviewers(client, latvia):
    person_with(Role.REVIEWER, country=latvia, full_name="Rūta Recenzente")
    signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=latvia), True)
    body = client.get(DASHBOARD).content.decode()
    assert "Rūta Recenzente" in body
    assert "No reviewers yet" not in body


def test_a_national_coordinator_with_an_empty_country_is_told_so(client, estonia):
    signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=estonia), True)
    body = client.get(DASHBOARD).content.decode()
    assert "No schools are registered in this country yet." in body
    assert "Every school has a school coordinator." in body


def test_a_national_coordinator_manages_the_country_team(client, latvia, estonia, school):
    signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=latvia), True)
    person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Skolas Koordinatore")
    response = client.get(country_page(latvia))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Skolas Koordinatore" in body
    roles = [value for value, _ in response.context["form"].fields["role"].choices]
    assert roles == ["reviewer"]
    assert client.get(country_page(estonia)).status_code == 404
    # Lower case in the address works too.
    assert client.get("/en/dashboard/countries/lv/").status_code == 200


def test_a_reviewer_sees_the_reviews_waiting(client, latvia):
    signed_in(client, person_with(Role.REVIEWER, country=latvia))
    body = client.get(DASHBOARD).content.decode()
    assert "Reviews" in body
    assert "No practices are assigned to you for review." in body
    assert "You have no role yet" not in body
    assert "reviewer · Latvia" in body
    assert "Platform administration" not in body


def test_an_administrator_sees_the_platform_administration(client, latvia, estonia):
    person_with(Role.NATIONAL_COORDINATOR, country=estonia)
    signed_in(client, person_with(Role.ADMINISTRATOR), True)
    response = client.get(DASHBOARD)
    body = response.content.decode()
    assert "Platform administration" in body
    assert 'href="/en/admin/"' in body
    assert 'href="/en/audit/"' in body
    assert f'href="{country_page(estonia)}">Estonia</a>' in body
    assert f'href="{country_page(latvia)}">Latvia</a>' in body
    assert "You have no role yet" not in body
    assert client.get(country_page(estonia)).status_code == 200


def test_other_roles_do_not_see_the_administration(client, latvia, school):
    for user in [
        person_with(Role.TEACHER, school=school),
        person_with(Role.SCHOOL_COORDINATOR, school=school),
        person_with(Role.REVIEWER, country=latvia),
    ]:
        signed_in(client, user)
        body = client.get(DASHBOARD).content.decode()
        assert "Platform administration" not in body
        assert 'href="/en/admin/"' not in body


def test_a_revoked_role_no_longer_shows(client, school):
    from django.utils import timezone

    coordinator = signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    coordinator.role_assignments.update(revoked_at=timezone.now())
    body = client.get(DASHBOARD).content.decode()
    assert "You have no role yet" in body
    assert client.get(school_page(school)).status_code == 404


# -- names are text, never markup -------------------------------------------------------------


def test_html_in_a_persons_name_is_escaped_on_the_school_team_page(client, school):
    person_with(Role.TEACHER, school=school, full_name=EVIL_NAME)
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    body = client.get(school_page(school)).content.decode()
    assert "<script>alert" not in body
    assert "<i>Ieva</i>" not in body
    assert ESCAPED_EVIL_NAME in body
    assert f"Take back the role of {ESCAPED_EVIL_NAME}" in body


def test_html_in_a_persons_name_is_escaped_on_the_country_pages(client, latvia, school):
    person_with(Role.SCHOOL_COORDINATOR, school=school, full_name=EVIL_NAME)
    person_with(Role.REVIEWER, country=latvia, full_name=EVIL_NAME)
    signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=latvia), True)
    for page in [country_page(latvia), DASHBOARD, school_page(school)]:
        body = client.get(page).content.decode()
        assert "<script>alert" not in body, page
        assert "<i>Ieva</i>" not in body, page
        assert ESCAPED_EVIL_NAME in body, page


def test_html_in_a_school_name_is_escaped(client, latvia):
    school = SchoolFactory(country=latvia, name="<b>Skola</b>")
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    for page in [DASHBOARD, school_page(school)]:
        body = client.get(page).content.decode()
        assert "<b>Skola</b>" not in body, page
        assert "&lt;b&gt;Skola&lt;/b&gt;" in body, page


def test_html_in_an_invited_address_is_escaped(client, school):
    InvitationFactory(school=school, email='"<svg/onload=alert(1)>"@example.org')
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    body = client.get(school_page(school)).content.decode()
    assert "<svg/onload" not in body
    assert "&lt;svg/onload=alert(1)&gt;" in body


# -- bounded work -----------------------------------------------------------------------------


def queries_for(client, path) -> int:
    """The queries of a second visit: the first after a change also rebuilds what pages keep
    per data version (the footer's country), once, whatever the data holds."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def add_schools(country, count: int) -> None:
    """Schools with what the pages show for each: a coordinator for every other one, a teacher,
    a pending invitation, a reviewer of the country."""
    for i in range(count):
        school = SchoolFactory(country=country)
        if i % 2:
            grant(UserFactory(), Role.SCHOOL_COORDINATOR, school=school)
        grant(UserFactory(), Role.TEACHER, school=school)
        InvitationFactory(school=school, role=Role.SCHOOL_COORDINATOR)
        if i % 3 == 0:
            grant(UserFactory(), Role.REVIEWER, country=country)


@pytest.mark.parametrize("page", ["index", "country"])
def test_national_coordinator_pages_need_the_same_queries_for_3_and_30_schools(
    client, latvia, page
):
    national = signed_in(client, person_with(Role.NATIONAL_COORDINATOR, country=latvia), True)
    path = DASHBOARD if page == "index" else country_page(latvia)
    add_schools(latvia, 3)
    queries_for(client, path)  # warm up
    few = queries_for(client, path)
    add_schools(latvia, 27)
    many = queries_for(client, path)
    assert few == many
    assert few <= 20
    assert national.is_staff


def test_the_school_page_needs_the_same_queries_for_a_small_and_a_large_team(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    path = school_page(school)
    for _ in range(2):
        grant(UserFactory(), Role.TEACHER, school=school)
        InvitationFactory(school=school)
    queries_for(client, path)
    few = queries_for(client, path)
    for _ in range(25):
        grant(UserFactory(), Role.TEACHER, school=school)
        InvitationFactory(school=school)
    assert queries_for(client, path) == few


def test_a_teachers_dashboard_needs_the_same_queries_for_one_and_many_schools(client, latvia):
    teacher = signed_in(client, UserFactory())
    grant(teacher, Role.TEACHER, school=SchoolFactory(country=latvia))
    queries_for(client, DASHBOARD)
    few = queries_for(client, DASHBOARD)
    for _ in range(10):
        grant(teacher, Role.TEACHER, school=SchoolFactory(country=latvia))
    assert queries_for(client, DASHBOARD) == few


# -- asking before taking a role back; refusals on the site's own pages --------------------------


def test_taking_back_a_role_is_confirmed_first_and_nothing_changes_until_then(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    teacher = person_with(Role.TEACHER, school=school, full_name="Ilze Ozola")
    assignment = teacher.role_assignments.get()
    team = client.get(school_page(school)).content.decode()
    confirm_url = f"/en/roles/{assignment.pk}/revoke/"
    assert confirm_url in team
    page = client.get(confirm_url, {"next": school_page(school)})
    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>Ilze Ozola</strong> will no longer be teacher" in body
    assert f'name="next" value="{school_page(school)}"' in body
    assignment.refresh_from_db()
    assert assignment.revoked_at is None


def test_the_confirmation_page_never_links_to_another_site(client, school):
    signed_in(client, person_with(Role.SCHOOL_COORDINATOR, school=school))
    assignment = person_with(Role.TEACHER, school=school).role_assignments.get()
    page = client.get(f"/roles/{assignment.pk}/revoke/", {"next": "https://evil.example/"})
    body = page.content.decode()
    # (The language links keep the query string: they stay on this site.)
    assert 'href="https://evil.example/"' not in body
    assert 'value="https://evil.example/"' not in body
    assert 'href="/dashboard/"' in body


def test_a_refusal_is_explained_on_a_translated_page_of_the_site(client, school):
    signed_in(client, person_with(Role.TEACHER, school=school))
    refused = client.get("/audit/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert 'class="site-header"' in body
    with translation.override("lv"):
        expected = translation.gettext(
            "Only national coordinators and administrators read the log."
        )
    assert expected in body
    english = client.get("/en/audit/").content.decode()
    assert "Only national coordinators and administrators read the log." in english


def test_a_missing_page_is_a_page_of_the_site_with_a_way_back(client, school, other_school):
    signed_in(client, person_with(Role.TEACHER, school=school))
    response = client.get(f"/en/dashboard/schools/{other_school.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/en/dashboard/"' in body
    assert other_school.name not in body
