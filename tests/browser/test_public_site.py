"""What a visitor sees on the public site, in a real Chromium.

Each test is one journey through the site with the Latvian network loaded (see conftest.py).
Assertions rest on structure and data (counts, names, URLs, `lang`) rather than on the
Latvian interface wording, which translators change; only a few English source strings are
checked on the English pages.
"""

import re
import warnings
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import DESKTOP, MOBILE

pytestmark = pytest.mark.browser

SCHOOLS = 31
PAGE_SIZE = 24
CESIS_SCHOOL = "Cēsu Pilsētas vidusskola"
TECHNICAL_SCHOOLS = [
    "Kuldīgas Tehnoloģiju un tūrisma tehnikums",
    "Rīgas Tūrisma un radošās industrijas tehnikums",
]
# The network's gymnasiums, in the directory's (Latvian alphabetical) order: the same six
# whether found by institution type or by name.
GYMNASIUM_TYPE = "gymnasium"
GYMNASIUM_NAMES = [
    "Daugavpils Valsts ģimnāzija",
    "Pļaviņu novada ģimnāzija",
    "Rīgas Valsts 2.ģimnāzija",
    "Rīgas Valsts Klasiskā ģimnāzija",
    "Talsu Valsts ģimnāzija",
    "Valmieras Valsts ģimnāzija",
]
GYMNASIUMS = len(GYMNASIUM_NAMES)
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Network:
    base_url: str
    profile_slug: str
    flagship_slug: str


@pytest.fixture
def site(network) -> Network:
    """Facts read from the database before the browser starts (the live server may share the
    test thread's SQLite connection, so the test does its own queries while the site is idle)."""
    from asphub.schools.models import School
    from asphub.taxonomy.models import FlagshipNetwork

    schools = School.objects.all()
    assert schools.count() == SCHOOLS
    by_type = schools.filter(institution_type=GYMNASIUM_TYPE).values_list("name", flat=True)
    assert sorted(by_type) == sorted(GYMNASIUM_NAMES)
    flagship = FlagshipNetwork.objects.get(slug="baltic-sea-project")
    return Network(
        base_url=network,
        profile_slug=schools.get(name=CESIS_SCHOOL).slug,
        flagship_slug=flagship.slug,
    )


def count_text(count: int) -> re.Pattern:
    """The results heading: '31 schools', '31 skola', '6 skolas'..."""
    return re.compile(rf"^\s*{count}\b")


def results_heading(page):
    return page.locator("#results-heading")


def school_names(page):
    return page.locator("#results .school-card h3")


def assert_clean(browsing):
    problems = browsing.log.problems()
    assert not problems, "The browser reported problems:\n" + "\n".join(problems)


def expect_whole_directory(page, count: int):
    """The directory as a full page, not only the htmx fragment of the results."""
    # The count first: it is what changes once a restored page has been swapped in.
    expect(results_heading(page)).to_have_text(count_text(count))
    expect(page.locator("header.site-header"), "the page header is missing").to_be_visible()
    expect(page.locator("form.filters"), "the filter form is missing").to_be_visible()


def switch_language(page, code: str):
    """Use the header's language switch (a link, or a button of a POST form)."""
    page.locator(f'.language-switch :is(a, button)[lang="{code}"]').click()


def distinct_places(**filters) -> int:
    from asphub.schools.models import School

    return len(set(School.objects.filter(**filters).values_list("latitude", "longitude")))


def wait_for_map(page, markers: int | None = None):
    element = page.locator("#map")
    if markers is None:
        expect(element).to_have_attribute("data-markers", re.compile(r"^\d+$"))
    else:
        expect(element).to_have_attribute("data-markers", str(markers))
    return element


# 1. Browse ------------------------------------------------------------------------------------


def test_browse_from_the_home_page_to_the_directory(page, browsing, site):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.locator('[data-count="schools"]')).to_have_text(str(SCHOOLS))
    expect(page.locator('[data-count="subdivisions"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    # The newest members, by the year they joined (Latvia's list records no years yet).
    expect(page.locator("section[aria-labelledby=newest-heading]")).to_be_visible()

    nav = page.locator("nav.site-nav")
    expect(nav.locator('a[aria-current="page"]')).to_have_attribute("href", "/")
    nav.locator('a[href="/schools/"]').click()

    expect(page).to_have_url(site.base_url + "/schools/")
    expect(nav.locator('a[aria-current="page"]')).to_have_attribute("href", "/schools/")
    expect(results_heading(page)).to_have_text(count_text(SCHOOLS))
    expect(school_names(page)).to_have_count(PAGE_SIZE)

    page.locator('#results .pagination a[rel="next"]').click()
    expect(page).to_have_url(re.compile(r"/schools/\?page=2$"))
    expect(results_heading(page)).to_have_text(count_text(SCHOOLS))
    expect(school_names(page)).to_have_count(SCHOOLS - PAGE_SIZE)
    assert_clean(browsing)


# 2. Filter ------------------------------------------------------------------------------------


def test_filter_by_institution_type_in_place_and_without_javascript(page, browsing, site):
    page.goto("/schools/")
    expect(results_heading(page)).to_have_text(count_text(SCHOOLS))
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(
        lambda response: (
            "institution_type=gymnasium" in response.url
            and response.request.headers.get("hx-request") == "true"
        )
    ):
        page.locator("#id_institution_type").select_option(GYMNASIUM_TYPE)

    expect(results_heading(page)).to_have_text(count_text(GYMNASIUMS))
    expect(school_names(page)).to_have_text(GYMNASIUM_NAMES)
    expect(page).to_have_url(re.compile(r"/schools/\?.*\binstitution_type=gymnasium\b"))
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    type_label = page.locator("#id_institution_type option:checked").inner_text().strip()
    for meta in page.locator("#results .school-card .meta").all_inner_texts():
        assert meta.startswith(type_label), meta

    # The same without JavaScript: the form is an ordinary GET form.
    plain = browsing.page(javascript=False)
    plain.goto("/schools/")
    plain.locator("#id_institution_type").select_option(GYMNASIUM_TYPE)
    with plain.expect_navigation():
        plain.locator("form.filters button[type=submit]").click()
    expect(plain).to_have_url(re.compile(r"/schools/\?.*\binstitution_type=gymnasium\b"))
    expect(results_heading(plain)).to_have_text(count_text(GYMNASIUMS))
    expect(school_names(plain)).to_have_text(GYMNASIUM_NAMES)
    expect(plain.locator("#id_institution_type")).to_have_value(GYMNASIUM_TYPE)
    assert_clean(browsing)


def test_back_button_after_filtering_shows_the_whole_directory(page, browsing, site):
    """htmx swaps only #results and pushes the URL; the back button must still give whole pages."""
    page.goto("/schools/")
    page.locator("#id_institution_type").select_option(GYMNASIUM_TYPE)
    expect(results_heading(page)).to_have_text(count_text(GYMNASIUMS))
    expect(page).to_have_url(re.compile(r"institution_type=gymnasium"))

    # Back within the page: htmx restores the previous URL (from the server, since the site
    # sets historyCacheSize to 0).
    page.go_back()
    expect(page).to_have_url(site.base_url + "/schools/")
    expect_whole_directory(page, SCHOOLS)
    expect(page.locator("#id_institution_type")).to_have_value("")

    # Filter again, away to a profile and back: the browser loads the pushed URL itself.
    page.locator("#id_institution_type").select_option(GYMNASIUM_TYPE)
    expect(results_heading(page)).to_have_text(count_text(GYMNASIUMS))
    page.locator("#results .school-card h3 a").first.click()
    expect(page.locator("article.profile h1")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"institution_type=gymnasium"))
    expect_whole_directory(page, GYMNASIUMS)
    expect(page.locator("#id_institution_type")).to_have_value(GYMNASIUM_TYPE)
    assert_clean(browsing)


# 3. Search ------------------------------------------------------------------------------------


def test_search_by_name_ignores_diacritics_and_inflection(page, browsing, site):
    page.goto("/schools/")
    search = page.locator("#id_q")

    search.press_sequentially("cesu", delay=40)
    # Only the filters that are set go into the address.
    expect(page).to_have_url(site.base_url + "/schools/?q=cesu")
    expect(school_names(page)).to_contain_text([CESIS_SCHOOL])

    search.fill("tehnikumā")
    expect(school_names(page)).to_have_text(TECHNICAL_SCHOOLS)
    expect(results_heading(page)).to_have_text(count_text(len(TECHNICAL_SCHOOLS)))

    search.fill("ģimnāzijas")
    expect(results_heading(page)).to_have_text(count_text(GYMNASIUMS))
    expect(school_names(page)).to_have_text(GYMNASIUM_NAMES)

    search.fill("qqqxyz")
    expect(results_heading(page)).to_have_text(count_text(0))
    expect(page.locator("#results .empty")).to_be_visible()
    assert_clean(browsing)


# 4. Language ----------------------------------------------------------------------------------


def test_switch_language_keeps_the_page(page, browsing, site):
    html = page.locator("html")
    page.goto("/schools/?q=cesu")
    expect(html).to_have_attribute("lang", "lv")

    switch_language(page, "en")
    expect(page).to_have_url(site.base_url + "/en/schools/?q=cesu")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Member schools")
    expect(page.locator("#id_q")).to_have_value("cesu")
    expect(school_names(page)).to_contain_text([CESIS_SCHOOL])
    expect(page.locator('.language-switch [aria-current="true"]')).to_have_attribute("lang", "en")
    # The English site's own links stay in English.
    page.locator('nav.site-nav a[href="/en/"]').click()
    expect(page).to_have_url(site.base_url + "/en/")
    expect(html).to_have_attribute("lang", "en")

    switch_language(page, "lv")
    expect(page).to_have_url(site.base_url + "/")
    expect(html).to_have_attribute("lang", "lv")
    expect(page.locator('.language-switch [aria-current="true"]')).to_have_attribute("lang", "lv")

    profile = f"/schools/{site.profile_slug}/"
    page.goto(profile)
    switch_language(page, "en")
    expect(page).to_have_url(site.base_url + "/en" + profile)
    expect(html).to_have_attribute("lang", "en")
    assert_clean(browsing)


# 5. Profile -----------------------------------------------------------------------------------


def test_open_a_profile_from_the_list(page, browsing, site):
    page.goto("/schools/")
    page.locator("#results .school-card h3 a", has_text=CESIS_SCHOOL).click()

    expect(page).to_have_url(f"{site.base_url}/schools/{site.profile_slug}/")
    expect(page.locator("main h1")).to_have_text(CESIS_SCHOOL)
    facts = page.locator("dl.facts")
    municipality = facts.locator('a[href*="municipality="]')
    expect(municipality).to_have_text("Cēsu novads")
    expect(municipality).to_have_attribute("href", re.compile(r"municipality=LV-022$"))
    expect(facts).to_contain_text("Cēsis")
    wait_for_map(page, 1)
    expect(page.locator("#map")).to_have_attribute("data-approximate", "1")
    note = page.locator(".profile-map figcaption")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Cēsis")
    latvian_note = note.inner_text()

    page.goto(f"/en/schools/{site.profile_slug}/")
    note = page.locator(".profile-map figcaption")
    expect(note).to_contain_text(re.compile(r"approximate location", re.IGNORECASE))
    expect(note).to_contain_text("Cēsis")
    expect(page.locator("dl.facts")).to_contain_text("Municipality")

    # The municipality leads to the directory filtered to it.
    page.locator('dl.facts a[href*="municipality="]').click()
    expect(page).to_have_url(re.compile(r"/en/schools/\?municipality=LV-022$"))
    expect(page.locator("#id_municipality")).to_have_value("LV-022")
    expect(school_names(page)).to_contain_text([CESIS_SCHOOL])
    assert_clean(browsing)
    # Checked last so that a missing translation does not hide the rest of the journey.
    assert re.search(r"aptuven", latvian_note, re.IGNORECASE), (
        f"the Latvian profile's location note is not in Latvian: {latvian_note!r}"
    )


# 6. Map ---------------------------------------------------------------------------------------


def test_maps_show_every_school(page, browsing, site):
    for path in ("/", "/schools/map/"):
        page.goto(path)
        element = wait_for_map(page, SCHOOLS)
        expect(element).to_have_class(re.compile(r"\bmap-plain\b"))
        # Schools at one (approximate) point share a marker that lists them all.
        places = distinct_places()
        assert element.get_attribute("data-places") == str(places)
        expect(element.locator("path.leaflet-interactive")).to_have_count(places)

    expect(page.locator(".map-list li")).to_have_count(SCHOOLS)
    # A marker opens a popup that links to the school.
    element.locator("path.leaflet-interactive").last.click(force=True)
    expect(element.locator(".leaflet-popup-content a").first).to_have_attribute(
        "href", re.compile(r"^/schools/")
    )

    # The map follows the directory's filters.
    page.goto("/schools/map/?institution_type=gymnasium")
    element = wait_for_map(page, GYMNASIUMS)
    expect(element.locator("path.leaflet-interactive")).to_have_count(
        distinct_places(institution_type="gymnasium")
    )
    expect(page.locator(".map-list li")).to_have_count(GYMNASIUMS)
    assert_clean(browsing)


# 7. Keyboard ----------------------------------------------------------------------------------


def test_keyboard_skip_link(page, browsing, site):
    page.goto("/")
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport(ratio=1)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), page.evaluate(
        "document.activeElement.outerHTML"
    )
    assert_clean(browsing)


# 8. Accessibility -----------------------------------------------------------------------------


def accessibility_pages(site: Network) -> list[str]:
    pages = [
        "/",
        "/schools/",
        f"/schools/{site.profile_slug}/",
        "/about/",
        "/join/",
        f"/flagships/{site.flagship_slug}/",
        "/schools/map/",
    ]
    return pages + ["/en" + path for path in pages]


def describe_violations(path: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ").strip()
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def test_accessibility_axe(page, browsing, site):
    axe = Axe()
    blocking, advisory = [], []
    for path in accessibility_pages(site):
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        if page.locator("#map").count():
            wait_for_map(page)
        violations = axe.run(page).response["violations"]
        blocking += [
            describe_violations(path, [v]) for v in violations if v["impact"] in BLOCKING_IMPACTS
        ]
        advisory += [
            describe_violations(path, [v])
            for v in violations
            if v["impact"] not in BLOCKING_IMPACTS
        ]
    for finding in advisory:
        warnings.warn(f"axe: {finding}", stacklevel=1)
    assert not blocking, "Serious or critical accessibility violations:\n" + "\n".join(blocking)
    assert_clean(browsing)


# 9. Screenshots -------------------------------------------------------------------------------


def screenshot_and_overflow(page, file, path: str, *, mobile: bool) -> list[str]:
    """Take the page's full screenshot; on a phone, say what makes it scroll sideways."""
    page.screenshot(path=file, full_page=True, animations="disabled", caret="hide")
    if not mobile:
        return []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= MOBILE["width"] + 1:
        return []
    culprits = ", ".join(page.evaluate(OVERFLOWING))
    return [f"{path}: scrollWidth {width}px; too wide: {culprits}"]


OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .filter((e) => !e.closest('.leaflet-container') || e.classList.contains('leaflet-container'))
    .slice(0, 6)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (typeof e.className === 'string' && e.className.trim()
        ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
      ' (right ' + Math.round(e.getBoundingClientRect().right) + 'px)');
}"""


def screenshot_pages(site: Network) -> list[tuple[str, str]]:
    latvian = [
        ("home", "/"),
        ("directory", "/schools/"),
        ("directory-filtered", "/schools/?institution_type=gymnasium"),
        ("profile", f"/schools/{site.profile_slug}/"),
        ("about", "/about/"),
        ("join", "/join/"),
        ("flagships", "/flagships/"),
        ("map", "/schools/map/"),
    ]
    english = [
        ("home", "/en/"),
        ("directory", "/en/schools/"),
        ("profile", f"/en/schools/{site.profile_slug}/"),
    ]
    return [(f"lv-{name}", path) for name, path in latvian] + [
        (f"en-{name}", path) for name, path in english
    ]


def test_screenshots_desktop_and_mobile(browsing, site, screenshot_dir):
    overflow = []
    for device, viewport, mobile in (("desktop", DESKTOP, False), ("mobile", MOBILE, True)):
        page = browsing.page(viewport=viewport, mobile=mobile)
        for name, path in screenshot_pages(site):
            response = page.goto(path)
            assert response is not None and response.ok, (
                f"{path}: HTTP {response and response.status}"
            )
            if page.locator("#map").count():
                wait_for_map(page)
            overflow += screenshot_and_overflow(
                page, screenshot_dir / f"{name}-{device}.png", path, mobile=mobile
            )
    assert not overflow, "Horizontal scrolling at 390 px:\n" + "\n".join(overflow)
    assert_clean(browsing)
