"""Joining the network, in a real Chromium: a school applies without an account (saving a draft
half way and coming back by the e-mailed link), the national coordinator asks for changes, the
school changes and resubmits, the coordinator endorses, makes it a candidate, records UNESCO's
certificate and makes it a member; the school appears in the directory, its coordinator accepts
the invitation and edits the profile, and the certificate verifies.

Every page on the way is checked with axe and photographed at desktop and phone widths.
"""

import re

import pytest
from playwright.sync_api import expect

from .test_people import Review, fresh_code, messages, path_of, sign_in, translated
from .test_public_site import assert_clean

pytestmark = pytest.mark.browser

SCHOOL_NAME = "Jaunpils Ozolu pamatskola"
REGISTRATION = "4312000001"
CORRECTED_REGISTRATION = "4312000002"
PASSWORD = "Ozolu skola mācās 2026"


def _link(mailoutbox, to: str) -> str:
    bodies = [message.body for message in mailoutbox if message.to == [to]]
    assert bodies, [(message.to, message.subject) for message in mailoutbox]
    links = re.findall(r"https?://\S+/apply/continue/\S+/", bodies[-1])
    assert links, bodies[-1]
    return links[-1]


def _fill_institution(page, *, registration: str) -> None:
    page.locator("#id_name").fill(SCHOOL_NAME)
    page.locator("#id_institution_type").select_option("basic")
    page.locator("#id_ownership").select_option("municipal")
    page.locator("#id_subdivision").select_option(index=1)
    page.locator("#id_settlement").fill("Jaunpils")
    page.locator("#id_registration_number").fill(registration)
    page.locator("#id_address").fill("Skolas iela 1, Jaunpils")
    page.locator("#id_email").fill("skola@jaunpils.example")


def _fill_people(page) -> None:
    page.locator("#id_principal_name").fill("Anna Ozola")
    page.locator("#id_principal_email").fill("anna@jaunpils.example")
    page.locator("#id_coordinator_name").fill("Ilze Kalna")
    page.locator("#id_coordinator_position").fill("angļu valodas skolotāja")
    page.locator("#id_coordinator_email").fill("ilze@jaunpils.example")
    for index, (name, role) in enumerate(
        [("Ilze Kalna", "teacher"), ("Jānis Bērziņš", "teacher"), ("Anna Ozola", "administration")]
    ):
        page.locator(f"#id_team-{index}-full_name").fill(name)
        page.locator(f"#id_team-{index}-team_role").select_option(role)


def _sign_in_with_code(page, email: str, secret: str, used: set[str]) -> None:
    page.goto("/accounts/login/")
    from asphub.accounts.tests.factories import PASSWORD as ACCOUNT_PASSWORD

    sign_in(page, email, ACCOUNT_PASSWORD)
    code = fresh_code(page, secret, used)
    used.add(code)
    page.locator("#id_code").fill(code)
    page.locator("main form:has(#id_code) button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def _decide(page, action: str, reason: str = "") -> None:
    form = page.locator(f"main form:has(input[name=action][value={action}])")
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    expect(messages(page)).to_be_visible()


def test_a_school_joins_from_application_to_verified_certificate(
    browsing, network, screenshot_dir, mailoutbox
):
    from asphub.accounts.tests.factories import enrol_authenticator
    from asphub.countries.models import Country
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import MembershipStatus, School

    review = Review(browsing, screenshot_dir)
    latvia = Country.objects.get(code="LV")
    latvia.minimum_team_teachers, latvia.minimum_team_administration = 2, 1
    latvia.save()
    national = person_with(Role.NATIONAL_COORDINATOR, country=latvia, full_name="Līga Valsts")
    secret = enrol_authenticator(national)
    used_codes: set[str] = set()

    # 1. A visitor finds the application on the home page and starts it.
    applicant = browsing.page()
    applicant.goto("/")
    applicant.locator('main a[href="/apply/"]').first.click()
    expect(applicant).to_have_url(network + "/apply/LV/")
    review(applicant, "lv-apply-institution")
    _fill_institution(applicant, registration=REGISTRATION)
    applicant.locator("button[name=next]").click()
    expect(applicant).to_have_url(network + "/apply/application/people/")
    _fill_people(applicant)
    review(applicant, "lv-apply-people", reload_on_mobile=False)
    # Half way: save and get a link by e-mail.
    applicant.locator("button[name=save_link]").click()
    expect(applicant).to_have_url(network + "/apply/application/")
    expect(messages(applicant)).to_contain_text("ilze@jaunpils.example")
    link = _link(mailoutbox, "ilze@jaunpils.example")

    # 2. Later, in another browser, the link opens the draft; the rest is filled in.
    later = browsing.page()
    later.goto(link)
    expect(later).to_have_url(network + "/apply/application/institution/")
    expect(later.locator("#id_name")).to_have_value(SCHOOL_NAME)
    later.locator("button[name=next]").click()
    expect(later.locator("#id_team-2-full_name")).to_have_value("Anna Ozola")
    later.locator("button[name=next]").click()
    expect(later).to_have_url(network + "/apply/application/plans/")
    later.locator("#id_time_available").fill("Divas stundas nedēļā.")
    later.locator("#id_reason").fill("Gribam mācīt mieru un ilgtspēju kopā ar citām skolām.")
    later.locator("textarea[id^=id_activities_]").first.fill("Miera nedēļa septembrī.")
    review(later, "lv-apply-plans", reload_on_mobile=False)
    later.locator("button[name=next]").click()
    expect(later).to_have_url(network + "/apply/application/confirm/")
    later.locator("#id_consent").check()
    review(later, "lv-apply-confirm", reload_on_mobile=False)
    later.locator("button[name=submit]").click()
    expect(later).to_have_url(network + "/apply/application/")
    reference = later.locator("main dl.facts dd").first.inner_text()
    assert re.fullmatch(r"LV-\d{4}-\d{6}", reference), reference
    review(later, "lv-apply-status")
    assert any(reference in message.subject for message in mailoutbox)

    # 3. The national coordinator asks for a change.
    school = School.objects.get(name=SCHOOL_NAME)
    assert school.membership_status == MembershipStatus.SUBMITTED
    coordinator = browsing.page()
    _sign_in_with_code(coordinator, national.email, secret, used_codes)
    coordinator.goto("/dashboard/membership/")
    review(coordinator, "lv-membership-queue")
    coordinator.locator(f'main a[href="/dashboard/membership/schools/{school.pk}/"]').click()
    review(coordinator, "lv-membership-case")
    _decide(coordinator, "request_changes", "Lūdzu, pārbaudiet reģistrācijas numuru.")

    # 4. The school changes the application and sends it again.
    link = _link(mailoutbox, "ilze@jaunpils.example")
    again = browsing.page()
    again.goto(link)
    again.locator("#id_registration_number").fill(CORRECTED_REGISTRATION)
    again.locator("button[name=next]").click()
    again.goto("/apply/application/confirm/")
    again.locator("#id_consent").check()
    again.locator("button[name=submit]").click()
    expect(again).to_have_url(network + "/apply/application/")
    expect(messages(again)).to_be_visible()

    # 5. The coordinator endorses it, makes it a candidate, records the certificate and makes
    # it a member.
    coordinator.reload()
    _decide(coordinator, "endorse")
    _decide(coordinator, "make_candidate")
    coordinator.locator(
        f'main a[href="/dashboard/membership/schools/{school.pk}/certificate/"]'
    ).click()
    coordinator.locator("#id_number").fill("LV-ASP-2026-07")
    coordinator.locator("#id_date").fill("2026-11-20")
    review(coordinator, "lv-certificate-record", reload_on_mobile=False)
    coordinator.locator("main form button[type=submit]").click()
    expect(messages(coordinator)).to_be_visible()
    coordinator.goto(f"/dashboard/membership/schools/{school.pk}/")
    _decide(coordinator, "make_member")
    review(coordinator, "lv-membership-case-member")
    school.refresh_from_db()
    assert school.membership_status == MembershipStatus.MEMBER
    assert school.registration_number == CORRECTED_REGISTRATION
    assert [change.to_status for change in school.history.order_by("created_at", "id")] == [
        "submitted", "changes_requested", "under_review", "endorsed", "candidate", "member",
    ]  # fmt: skip

    # 6. The school is in the directory.
    visitor = browsing.page()
    visitor.goto("/schools/?q=Jaunpils")
    expect(visitor.locator("main")).to_contain_text(SCHOOL_NAME)

    # 7. Its coordinator accepts the invitation and edits the profile.
    invitations = [
        m for m in mailoutbox if m.to == ["ilze@jaunpils.example"] and "/invitations/" in m.body
    ]
    assert len(invitations) == 1, [m.subject for m in mailoutbox]
    invitation_link = re.findall(r"https?://\S+/invitations/\S+/", invitations[0].body)[0]
    school_coordinator = browsing.page()
    school_coordinator.goto(invitation_link)
    form = school_coordinator.locator("main form:has(#id_password1)")
    form.locator("#id_full_name").fill("Ilze Kalna")
    form.locator("#id_password1").fill(PASSWORD)
    form.locator("#id_password2").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(school_coordinator).to_have_url(re.compile(r"/dashboard/$"))
    school_coordinator.goto(f"/dashboard/schools/{school.pk}/profile/")
    review(school_coordinator, "lv-school-profile-edit")
    school_coordinator.locator("#id_description_lv").fill("Skola pie Jaunpils ozoliem.")
    school_coordinator.locator("main form button[type=submit]").first.click()
    expect(messages(school_coordinator)).to_be_visible()
    visitor.goto(school.get_absolute_url())
    expect(visitor.locator("main")).to_contain_text("Skola pie Jaunpils ozoliem.")
    review(visitor, "lv-school-profile-public")

    # 8. The certificate verifies, publicly.
    visitor.goto("/certificates/verify/")
    visitor.locator("main form[role=search] input[name=number]").fill("LV-ASP-2026-07")
    visitor.locator("main form[role=search] button[type=submit]").click()
    expect(visitor.locator("main")).to_contain_text(SCHOOL_NAME)
    review(visitor, "lv-certificate-verified")
    assert path_of(visitor).startswith("/certificates/")
    assert translated("lv", MembershipStatus.MEMBER.label) in visitor.locator("main").inner_text()

    review.assert_clean()
    assert_clean(browsing)
