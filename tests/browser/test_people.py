"""People at work on the platform, in a real Chromium: invitations, two-factor sign-in and the
sign-in page's protections.

Each test is one journey with the Latvian network loaded (see conftest.py). People and their
roles are made in the test thread before the browser starts (the live server may share the
test thread's SQLite connection); after that the test reads the database only while the site
is idle. Wording is checked through the project's own catalogue (`translated`) or, on English
pages, against the English source strings, so that a translator's change does not break a test
but a missing or wrong translation does.

Every page a person reaches here is checked with axe and photographed at desktop and mobile
widths (build/screenshots or ASPHUB_SCREENSHOT_DIR).
"""

import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import DESKTOP, MOBILE
from .test_public_site import (
    BLOCKING_IMPACTS,
    CESIS_SCHOOL,
    OVERFLOWING,
    assert_clean,
    describe_violations,
)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Zaļā upe tek uz jūru 2024"
# The authenticator app's codes change every MFA_TOTP_PERIOD seconds; a code typed with less
# time than this left could reach the server in the next period and be refused.
CODE_MARGIN_S = 3


# Helpers --------------------------------------------------------------------------------------


def translated(language: str, message) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(message)


def path_of(page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Review:
    """Looks at each page a person reaches: axe, a desktop and a mobile screenshot, and
    horizontal scrolling at phone width. Findings are gathered and asserted at the end."""

    browsing: object
    screenshot_dir: Path
    axe: Axe = field(default_factory=Axe)
    blocking: list[str] = field(default_factory=list)
    advisory: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)

    def __call__(self, page, name: str, *, reload_on_mobile: bool = True):
        """Check the page as it is now. The mobile view is the same URL in a phone-sized
        context with the same cookies; with `reload_on_mobile=False` (a page showing the
        result of a POST) the desktop page is narrowed to phone width instead."""
        path = path_of(page)
        violations = self.axe.run(page).response["violations"]
        for violation in violations:
            finding = describe_violations(f"{name} {path}", [violation])
            (self.blocking if violation["impact"] in BLOCKING_IMPACTS else self.advisory).append(
                finding
            )
        self._shoot(page, f"{name}-desktop")

        if reload_on_mobile:
            phone = self.browsing.page(
                viewport=MOBILE, mobile=True, storage_state=page.context.storage_state()
            )
            response = phone.goto(path)
            assert response is not None and response.ok, (
                f"{path} on a phone: HTTP {response and response.status}"
            )
            self._shoot(phone, f"{name}-mobile")
            self._check_width(phone, path)
            phone.context.close()
            self.browsing.contexts.remove(phone.context)
        else:
            page.set_viewport_size(MOBILE)
            try:
                self._shoot(page, f"{name}-mobile")
                self._check_width(page, path)
            finally:
                page.set_viewport_size(DESKTOP)

    def _shoot(self, page, name: str):
        page.screenshot(
            path=self.screenshot_dir / f"{name}.png",
            full_page=True,
            animations="disabled",
            caret="hide",
        )

    def _check_width(self, page, path: str):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > MOBILE["width"] + 1:
            culprits = ", ".join(page.evaluate(OVERFLOWING))
            self.overflow.append(f"{path}: scrollWidth {width}px; too wide: {culprits}")

    def assert_clean(self):
        for finding in self.advisory:
            warnings.warn(f"axe: {finding}", stacklevel=1)
        report = []
        if self.blocking:
            report += ["Serious or critical accessibility violations:", *self.blocking]
        if self.overflow:
            report += ["Horizontal scrolling at 390 px:", *self.overflow]
        assert not report, "\n".join(report)


@pytest.fixture
def review(browsing, screenshot_dir) -> Review:
    return Review(browsing, screenshot_dir)


def expected_error(browsing, status: int, url: str):
    """An error status the journey expects: taken out of the browser log, so that the log's
    final check still catches every other one."""
    entry = f"HTTP {status} for {url}"
    assert entry in browsing.log.errors, f"expected {entry}; the log has {browsing.log.errors}"
    browsing.log.errors.remove(entry)


def sign_in_form(page):
    return page.locator("main form:has(#id_login)")


def sign_in(page, email: str, password: str):
    """Fill and send the sign-in page's form (the page must be open)."""
    form = sign_in_form(page)
    form.locator("#id_login").fill(email)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()


def sign_out(page):
    page.locator(".account-nav form button[type=submit]").click()
    expect(page.locator('.account-nav a[href$="/accounts/login/"]')).to_be_visible()


def submit_code(page):
    """The two-factor forms' own submit button (the code page also has a Cancel button that
    belongs to another form)."""
    page.locator("main form:has(#id_code) button[type=submit]:not([form])").click()


def messages(page, level: str = "success"):
    return page.locator(f"main .messages .message-{level}")


def fresh_code(page, secret: str, used: set[str]) -> str:
    """The code the authenticator app shows now, once it is one not yet used and has a few
    seconds left to live (allauth takes each code once at sign-in: a second sign-in within
    the same period waits for the next code, up to MFA_TOTP_PERIOD seconds)."""
    from allauth.mfa import app_settings

    from asphub.accounts.tests.factories import current_code

    period = app_settings.TOTP_PERIOD
    deadline = time.time() + 2 * period + 5
    while True:
        left = period - time.time() % period
        code = current_code(secret)
        if code not in used and left > CODE_MARGIN_S:
            return code
        assert time.time() < deadline, "the authenticator's code did not change"
        page.wait_for_timeout(int(left * 1000) + 100)


# 1. An invitation -----------------------------------------------------------------------------


def test_school_coordinator_invites_a_teacher_who_opens_an_account(
    browsing, network, review, mailoutbox
):
    from asphub.accounts.tests.factories import PASSWORD
    from asphub.roles.models import Invitation, Role, RoleAssignment
    from asphub.roles.selectors import invitation_problem
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import School

    school = School.objects.get(name=CESIS_SCHOOL)
    coordinator = person_with(
        Role.SCHOOL_COORDINATOR, school=school, full_name="Ilze Bērziņa-Koordinatore"
    )
    teacher_email = "janis.skolotajs@example.org"
    teacher_name = "Jānis Ozoliņš"

    # The coordinator signs in through the header's link.
    page = browsing.page()
    page.goto("/")
    page.locator('.account-nav a[href="/accounts/login/"]').click()
    expect(page).to_have_url(network + "/accounts/login/")
    expect(sign_in_form(page)).to_be_visible()
    review(page, "lv-signin")
    sign_in(page, coordinator.email, PASSWORD)

    expect(page).to_have_url(network + "/dashboard/")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(".role-list li")).to_have_text(
        [f"{translated('lv', Role.SCHOOL_COORDINATOR.label)} · {school.name}"]
    )
    review(page, "lv-dashboard-school-coordinator")

    # From the dashboard to the school's team page.
    team_url = f"/dashboard/schools/{school.pk}/"
    page.locator(f'main a.button[href="{team_url}"]').click()
    expect(page).to_have_url(network + team_url)
    expect(page.locator("main h1")).to_have_text(school.name)
    members = page.locator("section[aria-labelledby=team-heading] tbody tr")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text(coordinator.email)

    # The invitation, in English.
    invite = page.locator("section[aria-labelledby=invite-heading] form")
    invite.locator("#id_email").fill(teacher_email)
    invite.locator("#id_role").select_option(Role.TEACHER.value)
    invite.locator("#id_language").select_option("en")
    invite.locator("button[type=submit]").click()

    expect(page).to_have_url(network + team_url)
    expect(messages(page)).to_contain_text(teacher_email)
    open_invitations = page.locator("section[aria-labelledby=invitations-heading] li")
    expect(open_invitations).to_have_count(1)
    expect(open_invitations.first).to_contain_text(teacher_email)
    expect(open_invitations.first).to_contain_text(translated("lv", Role.TEACHER.label))
    review(page, "lv-school-team")

    # The e-mail (the live server runs in this process, with the locmem mail backend).
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    mail = mailoutbox[0]
    assert mail.to == [teacher_email]
    assert school.name in mail.subject
    assert "teacher" in mail.body, mail.body
    links = re.findall(r"https?://\S+/invitations/\S+/", mail.body)
    assert len(links) == 1, mail.body
    link = links[0]
    assert link.startswith(network + "/en/invitations/"), link

    sign_out(page)

    # The teacher opens the link in a browser of their own.
    teacher = browsing.page()
    teacher.goto(link)
    expect(teacher.locator("html")).to_have_attribute("lang", "en")
    expect(teacher.locator("main h1")).to_have_text("You are invited")
    expect(teacher.locator("main .lead")).to_contain_text(school.name)
    expect(teacher.locator("#invitation-email")).to_have_value(teacher_email)
    expect(teacher.locator("#id_preferred_language")).to_have_value("en")
    review(teacher, "en-invitation-accept")

    form = teacher.locator("main form:has(#id_password1)")
    form.locator("#id_full_name").fill(teacher_name)
    form.locator("#id_password1").fill(NEW_PASSWORD)
    form.locator("#id_password2").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()

    # Signed in at once: no second password prompt.
    expect(teacher).to_have_url(network + "/en/dashboard/")
    expect(messages(teacher)).to_contain_text(teacher_email)
    expect(teacher.locator(".role-list li")).to_have_text([f"teacher · {school.name}"])
    expect(teacher.locator("section[aria-labelledby=schools-heading] h3")).to_have_text(
        [school.name]
    )
    expect(teacher.locator(".account-nav")).to_contain_text("Jānis")
    review(teacher, "en-dashboard-teacher")

    # The link works once.
    response = teacher.goto(link)
    assert response is not None and response.status == 410
    expected_error(browsing, 410, link)
    expect(teacher.locator("main [role=alert]")).to_contain_text("already been used")

    # A made-up link, on the Latvian site.
    forged = network + "/invitations/not-a-real-token/"
    response = teacher.goto(forged)
    assert response is not None and response.status == 404
    expected_error(browsing, 404, forged)
    expect(teacher.locator("html")).to_have_attribute("lang", "lv")
    expect(teacher.locator("main [role=alert]")).to_have_text(
        translated("lv", invitation_problem(None).messages[0])
    )

    # What the database holds now (the site is idle).
    invitation = Invitation.objects.get(email=teacher_email)
    assert invitation.accepted_by is not None
    assert invitation.accepted_by.full_name == teacher_name
    assert invitation.accepted_by.preferred_language == "en"
    assert RoleAssignment.objects.filter(
        user__email=teacher_email, role=Role.TEACHER, school=school, revoked_at__isnull=True
    ).exists()

    review.assert_clean()
    assert_clean(browsing)


# 2. Two-factor sign-in ------------------------------------------------------------------------


def test_national_coordinator_sets_up_and_uses_two_factor_sign_in(browsing, network, review):
    from allauth.mfa.adapter import DefaultMFAAdapter

    from asphub.accounts.tests.factories import PASSWORD
    from asphub.countries.models import Country
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with

    latvia = Country.objects.get(code="LV")
    coordinator = person_with(
        Role.NATIONAL_COORDINATOR, country=latvia, full_name="Anna Kalniņa-Valsts"
    )
    latvia_lv = translated("lv", latvia)
    reviewer_email = "recenzente@example.org"

    page = browsing.page()
    page.goto("/accounts/login/")
    sign_in(page, coordinator.email, PASSWORD)

    # The role needs an authenticator app before anything else.
    setup_url = network + "/accounts/2fa/totp/activate/"
    expect(page).to_have_url(setup_url)
    expect(messages(page, "warning")).to_be_visible()
    expect(page.locator("main img[src^='data:image/svg+xml']")).to_be_visible()
    # Looking at the set-up page again (here: on the phone) makes a new secret; the desktop
    # page is reloaded afterwards and its secret is the one that counts.
    review(page, "lv-totp-setup")
    page.reload()
    expect(page).to_have_url(setup_url)
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret

    # allauth (65.x) does not count the set-up code as used at sign-in, so signing in again
    # needs no wait for the authenticator's next code.
    used: set[str] = set()
    code = fresh_code(page, secret, used)
    page.locator("#id_code").fill(code)
    submit_code(page)

    # allauth shows the recovery codes next.
    expect(page).to_have_url(network + "/accounts/2fa/recovery-codes/")
    codes_box = page.locator("#recovery_codes")
    expect(codes_box).to_be_visible()
    recovery_codes = codes_box.input_value().split()
    assert len(recovery_codes) >= 8 and all(c.isalnum() for c in recovery_codes), recovery_codes
    review(page, "lv-recovery-codes")

    # Now the dashboard opens: the national network of Latvia.
    page.locator('.account-nav a[href="/dashboard/"]').click()
    expect(page).to_have_url(network + "/dashboard/")
    country_heading = page.locator("h2#country-LV")
    expect(country_heading).to_contain_text(latvia_lv)
    expect(
        page.locator("section[aria-labelledby=country-LV] .compact-list li").first
    ).to_be_visible()
    review(page, "lv-dashboard-national-coordinator")
    page.goto("/en/dashboard/")
    expect(page.locator("h2#country-LV")).to_have_text("National network: Latvia")

    # The coordinator invites a reviewer from the country page: the audit log has something.
    page.goto("/dashboard/")
    page.locator(
        'section[aria-labelledby=country-LV] a.button[href="/dashboard/countries/LV/"]'
    ).click()
    expect(page).to_have_url(network + "/dashboard/countries/LV/")
    invite = page.locator("section[aria-labelledby=invite-heading] form")
    invite.locator("#id_email").fill(reviewer_email)
    invite.locator("#id_role").select_option(Role.REVIEWER.value)
    invite.locator("button[type=submit]").click()
    expect(messages(page)).to_contain_text(reviewer_email)
    review(page, "lv-country-team")

    page.goto("/dashboard/")
    page.locator('section[aria-labelledby=country-LV] a[href="/audit/?country=LV"]').click()
    expect(page).to_have_url(network + "/audit/?country=LV")
    rows = page.locator("main table.data-table tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_text="invitation.created")).to_have_count(1)
    expect(rows.filter(has_text="invitation.created")).to_contain_text(reviewer_email)
    page.goto("/audit/")
    expect(rows.filter(has_text="invitation.created")).to_have_count(1)
    review(page, "lv-audit-log")

    # Signing in again asks for a code; a wrong one is refused.
    sign_out(page)
    page.goto("/accounts/login/")
    sign_in(page, coordinator.email, PASSWORD)
    expect(page).to_have_url(network + "/accounts/2fa/authenticate/")
    review(page, "lv-two-factor-code", reload_on_mobile=False)

    code = fresh_code(page, secret, used)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.locator("#id_code").fill(wrong)
    submit_code(page)
    expect(page).to_have_url(network + "/accounts/2fa/authenticate/")
    expect(page.locator("main .errorlist")).to_have_text(
        translated("lv", DefaultMFAAdapter.error_messages["incorrect_code"])
    )
    expect(page.locator(".account-nav a[href='/dashboard/']")).to_have_count(0)
    review(page, "lv-two-factor-wrong-code", reload_on_mobile=False)

    code = fresh_code(page, secret, used)
    used.add(code)
    page.locator("#id_code").fill(code)
    submit_code(page)
    expect(page).to_have_url(network + "/dashboard/")
    expect(page.locator("h2#country-LV")).to_contain_text(latvia_lv)

    review.assert_clean()
    assert_clean(browsing)


# 3. Sign-in protection ------------------------------------------------------------------------


def test_sign_in_keeps_the_address_and_never_leaves_the_site(browsing, network, review):
    from allauth.account.adapter import DefaultAccountAdapter

    from asphub.accounts.tests.factories import PASSWORD
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import School

    teacher = person_with(Role.TEACHER, school=School.objects.get(name=CESIS_SCHOOL))
    mismatch = DefaultAccountAdapter.error_messages["email_password_mismatch"]

    page = browsing.page()
    page.goto("/accounts/login/?next=https://evil.example/")
    sign_in(page, teacher.email, "not the password at all")

    # A translated error; the address stays, the password does not.
    error = sign_in_form(page).locator(".errorlist")
    expect(error).to_have_text(translated("lv", mismatch))
    assert translated("lv", mismatch) != translated("en", mismatch), "not translated"
    expect(page.locator("#id_login")).to_have_value(teacher.email)
    expect(page.locator("#id_password")).to_have_value("")
    review(page, "lv-signin-error", reload_on_mobile=False)

    # The right password: to the dashboard, not to the address in `next`.
    page.locator("#id_password").fill(PASSWORD)
    sign_in_form(page).locator("button[type=submit]").click()
    expect(page).to_have_url(network + "/dashboard/")
    assert not browsing.log.outside_requests, browsing.log.outside_requests

    # The same with a protocol-relative address; a path on the site is followed.
    sign_out(page)
    page.goto("/accounts/login/?next=//evil.example/schools/")
    sign_in(page, teacher.email, PASSWORD)
    expect(page).to_have_url(network + "/dashboard/")
    sign_out(page)
    page.goto("/en/accounts/login/?next=/en/schools/")
    sign_in(page, teacher.email, PASSWORD)
    expect(page).to_have_url(network + "/en/schools/")

    review.assert_clean()
    assert_clean(browsing)
