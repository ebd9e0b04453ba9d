"""The pages issue 8 added or changed, in a real Chromium: axe in both languages at desktop and
phone widths, the header's focus outline against the header, a 200-letter name on a 320 px
screen, and the directory's "clear filters" after an in-place filter. Screenshots of each page
(desktop and mobile, Latvian and English) go to build/screenshots/ (or ASPHUB_SCREENSHOT_DIR).
"""

import re
import warnings

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import DESKTOP, MOBILE
from .test_public_site import (
    BLOCKING_IMPACTS,
    OVERFLOWING,
    assert_clean,
    count_text,
    describe_violations,
    results_heading,
)

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
# One word of 200 letters, as a hostile or careless import may name a school.
LONG_NAME = "Skola" + "ā" * 190 + "skola"
LONG_SETTLEMENT = "Ciems" + "a" * 115
GYMNASIUMS = 6


def signed_in_cookie(email: str, role: str, country_code: str = "LV") -> tuple[str, str]:
    """A national coordinator (or administrator) with an authenticator app, signed in: the
    session cookie a browser would hold (the two-factor sign-in itself is test_people.py's)."""
    from django.conf import settings
    from django.test import Client

    from asphub.accounts.tests.factories import enrol_authenticator
    from asphub.countries.models import Country
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with

    scope = (
        {"country": Country.objects.get(code=country_code)} if role != Role.ADMINISTRATOR else {}
    )
    person = person_with(role, email=email, full_name="Laura Nacionālā", **scope)
    enrol_authenticator(person)
    client = Client()
    client.force_login(person)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""

    def luminance(color: str) -> float:
        red, green, blue = (int(part) for part in re.findall(r"\d+", color)[:3])

        def channel(value: int) -> float:
            value /= 255
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# What is drawn around the focused element, and what it is drawn on: the background of the
# nearest ancestor that has one.
FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = element.parentElement;
  while (behind && ['transparent', 'rgba(0, 0, 0, 0)'].includes(getComputedStyle(behind).backgroundColor)) {
    behind = behind.parentElement;
  }
  return {
    what: element.tagName + ' ' + (element.textContent || '').trim().slice(0, 30),
    inHeader: !!element.closest('header.site-header'),
    outline: style.outlineStyle === 'none' ? null : style.outlineColor,
    width: parseFloat(style.outlineWidth),
    background: behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)',
  };
}"""


def test_the_header_focus_outline_stands_out_from_the_header(page, network):
    page.goto("/")
    seen = []
    # From the top of the page: the skip link, then every link and button of the header.
    for _ in range(20):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if seen and not ring["inHeader"]:
            break
        if not ring["inHeader"]:
            continue
        seen.append(ring["what"])
        assert ring["outline"] is not None and ring["width"] >= 2, ring
        ratio = contrast(ring["outline"], ring["background"])
        assert ratio >= 3, (
            f"{ring['what']}: outline {ring['outline']} on {ring['background']}: {ratio:.2f}:1"
        )
    assert len(seen) >= 8, seen  # brand, sign-in, language, the six sections


@pytest.fixture
def long_named_school(network):
    from asphub.countries.models import Country
    from asphub.schools.tests.factories import SchoolFactory

    school = SchoolFactory(
        country=Country.objects.get(code="LV"), name=LONG_NAME, slug="gara-skola",
        member_since=2026, institution_type="gymnasium", settlement=LONG_SETTLEMENT,
    )  # fmt: skip
    return school


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_200_letter_name_fits_a_320_px_screen(browsing, long_named_school, prefix):
    page = browsing.page(viewport=NARROW, mobile=True)
    too_wide = []
    for path in [
        "/",
        "/schools/?institution_type=gymnasium",
        "/schools/gara-skola/",
        "/schools/map/?institution_type=gymnasium",
    ]:
        response = page.goto(prefix + path)
        assert response is not None and response.ok, path
        expect(page.get_by_text(LONG_NAME).first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            too_wide.append(f"{path}: {width}px, {', '.join(page.evaluate(OVERFLOWING))}")
    assert not too_wide, "Horizontal scrolling at 320 px:\n" + "\n".join(too_wide)
    assert_clean(browsing)


def test_clear_filters_comes_with_an_in_place_filter_and_goes_with_it(page, browsing, network):
    page.goto("/schools/")
    clear = page.locator("#results a", has_text=re.compile("Notīrīt filtrus|Clear filters"))
    expect(clear).to_have_count(0)
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.locator("#id_institution_type").select_option("gymnasium")
    expect(results_heading(page)).to_have_text(count_text(GYMNASIUMS))
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    expect(clear).to_be_visible()
    clear.click()
    expect(page).to_have_url(network + "/schools/")
    expect(results_heading(page)).to_have_text(count_text(31))
    expect(clear).to_have_count(0)
    assert_clean(browsing)


# axe and screenshots ---------------------------------------------------------------------------

PUBLIC = [
    ("home", "/"),
    ("about", "/about/"),
    ("join", "/join/"),
    ("privacy", "/privacy/"),
    ("directory-filtered", "/schools/?institution_type=gymnasium"),
    ("flagships", "/flagships/"),
]
SIGNED_IN = [
    ("country", "/dashboard/countries/LV/"),
    ("country-contact", "/dashboard/countries/LV/contact/"),
    ("audit-log", "/audit/"),
]


def test_new_and_changed_pages_pass_axe_in_both_languages_at_every_width(
    browsing, network, screenshot_dir
):
    from asphub.roles.models import Role

    cookie_name, cookie_value = signed_in_cookie("national@example.org", Role.NATIONAL_COORDINATOR)
    axe = Axe()
    blocking, advisory, too_wide = [], [], []
    for device, viewport in (("desktop", DESKTOP), ("mobile", MOBILE), ("narrow", NARROW)):
        visitor = browsing.page(viewport=viewport, mobile=viewport is not DESKTOP)
        coordinator = browsing.page(viewport=viewport, mobile=viewport is not DESKTOP)
        coordinator.context.add_cookies(
            [{"name": cookie_name, "value": cookie_value, "url": network}]
        )
        for language, prefix in (("lv", ""), ("en", "/en")):
            for tab, pages in ((visitor, PUBLIC), (coordinator, SIGNED_IN)):
                for name, path in pages:
                    response = tab.goto(prefix + path)
                    assert response is not None and response.ok, f"{prefix}{path}"
                    violations = axe.run(tab).response["violations"]
                    for violation in violations:
                        finding = describe_violations(f"{device} {prefix}{path}", [violation])
                        serious = violation["impact"] in BLOCKING_IMPACTS
                        (blocking if serious else advisory).append(finding)
                    width = tab.evaluate("document.documentElement.scrollWidth")
                    if width > viewport["width"]:
                        too_wide.append(f"{device} {prefix}{path}: {width}px")
                    if device != "narrow":
                        tab.screenshot(path=screenshot_dir / f"{language}-{name}-{device}.png",
                                       full_page=True, animations="disabled", caret="hide")  # fmt: skip
    for finding in advisory:
        warnings.warn(f"axe: {finding}", stacklevel=1)
    assert not blocking, "Serious or critical accessibility violations:\n" + "\n".join(blocking)
    assert not too_wide, "Horizontal scrolling:\n" + "\n".join(too_wide)
    assert_clean(browsing)
