"""The maps, in a real Chromium: hostile school names stay text on every page with a map, the
keyboard gets past the maps and reaches every school by the list, markers are named, and
Escape closes what pointing at or focusing a marker opened.

Pages with a map: the home page, /schools/map/ (with or without the directory's filters) and
every school profile with a location, in both languages (templates that include
includes/_map.html or load js/map.js).
"""

import csv
import io
import re
import warnings

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import DESKTOP, MOBILE
from .test_public_site import (
    BLOCKING_IMPACTS,
    assert_clean,
    describe_violations,
    screenshot_and_overflow,
    wait_for_map,
)

pytestmark = pytest.mark.browser

# Classic payloads of a hostile trial. Each would do something visible if it became markup:
# set the sentinel, open a dialog, navigate, or at least create an element of its own.
HOSTILE_NAMES = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    '<meta http-equiv="refresh" content="0;url=/pwned-by-meta/">',
    "<iframe src=\"javascript:top.__pwned = 'iframe'\"></iframe>",
    "<a href=\"javascript:window.__pwned = 'link'\">Click here</a>",
    "\"><script>window.__pwned = 'attribute'</script>",
    "'><img src=x onerror=alert('quote')>",
    "&lt;script&gt;window.__pwned = 'entity'&lt;/script&gt;",
    "&#60;img src=x onerror=alert(60)&#62;",
    "<body onload=\"window.__pwned = 'body'\">",
    "<details open ontoggle=\"window.__pwned = 'details'\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<input autofocus onfocus=\"window.__pwned = 'input'\">",
    "<video><source onerror=\"window.__pwned = 'video'\"></video>",
    "<object data=\"javascript:window.__pwned = 'object'\"></object>",
    '<base href="http://127.0.0.1:9/">',
    "<form action=\"javascript:window.__pwned = 'form'\"><button>Go</button></form>",
    "<style>body { display: none }</style>",
    "</textarea></noscript></title><script>window.__pwned = 'breakout'</script>",
    "{{ 7|add:7 }} ${7*7} {% debug %} #{7*7}",
    "<svg><animate onbegin=alert('animate') attributeName=x dur=1s>",
]
# Eight of them share one point (one marker whose tooltip and popup list several names); the
# others have points of their own.
SHARED_POINT = ("57.40000", "23.10000")
SHARED = 8
# A hostile school with a location but no municipality and no settlement (issue 8, item 1).
PLACELESS = "<img src=x onerror=\"window.__pwned = 'placeless'\"> bez vietas"

# Installed in every page before its own scripts: records what a payload would do.
WATCH = """
(() => {
  window.__created = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
  // Elements that scripts add once the page is parsed: only these kinds are Leaflet's and ours.
  const allowed = new Set(['div', 'span', 'a', 'ul', 'li', 'p', 'svg', 'g', 'path']);
  let parsed = false;
  document.addEventListener('DOMContentLoaded', () => { parsed = true; });
  new MutationObserver((records) => {
    if (!parsed) return;
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        for (const element of [node, ...node.querySelectorAll('*')]) {
          if (!allowed.has(element.localName)) window.__created.push(element.outerHTML.slice(0, 120));
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""

# Anything in the finished page that can run script or leave the page.
DANGEROUS = """() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const value = attribute.value.trim().toLowerCase();
      if (attribute.name.startsWith('on') ||
          (/^(href|src|action|formaction|data|xlink:href)$/.test(attribute.name) &&
           value.startsWith('javascript:'))) {
        found.push(element.localName + ' ' + attribute.name + '=' + attribute.value.slice(0, 60));
      }
    }
  }
  for (const element of document.querySelectorAll(
      'body script:not([src]), iframe, object, embed, base, body meta, body style, form[action^="javascript"]')) {
    found.push(element.outerHTML.slice(0, 120));
  }
  return found;
}"""


def hostile_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "institution_type", "municipality_code", "latitude", "longitude",
         "location_precision"]
    )  # fmt: skip
    for number, name in enumerate(HOSTILE_NAMES):
        if number < SHARED:
            latitude, longitude = SHARED_POINT
        else:
            latitude, longitude = f"{56.1 + number / 20:.5f}", f"{21.5 + number / 4:.5f}"
        writer.writerow([name, "secondary", "LV-022", latitude, longitude, "settlement"])
    return out.getvalue().encode()


@pytest.fixture
def hostile(network):
    """The Latvian network plus the hostile names, imported as a coordinator's file would be."""
    from asphub.audit.models import StandIn
    from asphub.countries.models import Country
    from asphub.schools.models import School
    from asphub.schools.services import schools_import

    latvia = Country.objects.get(code="LV")
    result = schools_import(actor=StandIn.COMMAND_LINE, country=latvia, content=hostile_csv())
    assert len(result.created) == len(HOSTILE_NAMES)
    School.objects.create(
        country=latvia,
        name=PLACELESS,
        slug="placeless",
        institution_type="basic",
        membership_status="member",
        latitude="56.30000",
        longitude="27.50000",
        location_precision="city",
    )
    schools = School.objects.filter(name__in=[*HOSTILE_NAMES, PLACELESS])
    return {school.name: school.get_absolute_url() for school in schools}


class Watch:
    """What the payloads could have done on the pages one browser tab visited."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.visited: list[str] = []
        self.opened: set[str] = set()
        page.add_init_script(WATCH)
        page.on("dialog", self._dialog)
        page.on("framenavigated", self._navigated)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.visited.append(frame.url)

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        self.expected = self.page.url
        self.opened.add(self.page.url)

    def check(self):
        page = self.page
        state = page.evaluate(
            "({pwned: window.__pwned, created: window.__created, violations: window.__violations})"
        )
        assert state["pwned"] is None, f"{page.url}: a payload ran ({state['pwned']})"
        assert state["created"] == [], f"{page.url}: markup from a payload: {state['created']}"
        assert state["violations"] == [], f"{page.url}: blocked by CSP: {state['violations']}"
        assert page.evaluate(DANGEROUS) == [], page.url
        assert self.dialogs == [], f"{page.url}: dialogs opened: {self.dialogs}"
        assert page.url == self.expected, f"sent from {self.expected} to {page.url}"
        assert set(self.visited) <= self.opened, f"sent away: {set(self.visited) - self.opened}"
        expect(page.locator("body")).to_be_visible()


def markers(page):
    return page.locator("#map path.leaflet-interactive")


def open_every_marker(page, *, every_way: bool = True) -> list[str]:
    """Point at, focus and open each marker in turn (or only point at each); the names its
    tooltip and popup showed."""
    shown = []
    tooltip = page.locator(".leaflet-tooltip")
    popup = page.locator(".leaflet-popup-content")
    count = markers(page).count()
    for index in range(count):
        marker = markers(page).nth(index)
        marker.hover(force=True)
        expect(tooltip).to_be_visible()
        # The count first, the names once the point's schools have come.
        expect(tooltip.locator(".map-tooltip-name").first).to_be_visible()
        shown += tooltip.locator(".map-tooltip-name").all_text_contents()
        page.keyboard.press("Escape")
        expect(tooltip).to_have_count(0)
        if every_way:
            marker.focus()
            expect(tooltip).to_be_visible()
            page.keyboard.press("Escape")
            expect(tooltip).to_have_count(0)
    if not every_way:
        return shown
    # Opening a popup pans the map to show it, which can move other markers out of sight: the
    # popups last, each opened as a click on its marker wherever the marker now is.
    for index in range(count):
        markers(page).nth(index).dispatch_event("click")
        expect(popup.locator("a").first).to_be_visible()
        shown += popup.locator("a").all_text_contents()
        page.keyboard.press("Escape")
        expect(popup).to_have_count(0)
    return shown


def test_hostile_school_names_stay_text_on_every_page_with_a_map(browsing, hostile):
    page = browsing.page()
    watch = Watch(page)
    names = set(HOSTILE_NAMES) | {PLACELESS}
    # The home page and the map page show every school; the map page filtered to the
    # municipality the file named lists the imported ones beside the map. Each marker is
    # pointed at, focused and opened on two of them, pointed at on the others.
    for path, every_way in (
        ("/", True),
        ("/en/", False),
        ("/schools/map/", False),
        ("/en/schools/map/?municipality=LV-022", True),
    ):
        watch.goto(path)
        wait_for_map(page)
        shown = open_every_marker(page, every_way=every_way)
        wanted = names if "municipality" not in path else set(HOSTILE_NAMES)
        # Every hostile name reached the map, exactly as it was typed (a tooltip names the
        # first three schools of a point, its popup all of them).
        if every_way:
            assert wanted <= set(shown), wanted - set(shown)
        else:
            assert len(wanted & set(shown)) == len(wanted) - (SHARED - 3), wanted - set(shown)
        watch.check()
    listed = page.locator(".map-list a").all_text_contents()
    assert set(HOSTILE_NAMES) <= set(listed), set(HOSTILE_NAMES) - set(listed)

    for number, (name, url) in enumerate(sorted(hostile.items())):
        # Every profile in Latvian, a few in English.
        for prefix in ("", "/en") if number < 3 else ("",):
            watch.goto(prefix + url)
            expect(page.locator("main h1")).to_have_text(name)
            wait_for_map(page, 1)
            marker = markers(page).first
            expect(marker).to_have_attribute("aria-label", re.compile(re.escape(name)))
            marker.hover(force=True)
            expect(page.locator(".leaflet-tooltip .map-tooltip-name")).to_have_text(name)
            marker.click(force=True)
            expect(page.locator(".leaflet-popup-content a")).to_have_text(name)
            watch.check()
    # The school without municipality or settlement says where it is: in its country.
    watch.goto(hostile[PLACELESS])
    expect(page.locator(".profile-map figcaption")).to_contain_text("Latvija")
    assert_clean(browsing)


# Keyboard and screen readers ------------------------------------------------------------------


FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.localName,
    href: e.getAttribute('href'),
    inMap: !!e.closest('#map'),
    marker: e.matches('path.leaflet-interactive'),
    id: e.id,
  };
}"""


def tab_through(page, presses: int) -> list[dict]:
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    return stops


def test_keyboard_gets_past_the_maps_and_escape_closes_what_markers_open(page, browsing, site_map):
    # Home: the page's main links come first, then the way to the list and past the map; the
    # map itself is one stop (arrow keys move it) with its zoom buttons, never its markers.
    page.goto("/")
    wait_for_map(page, site_map["schools"])
    stops = tab_through(page, 30)
    assert not [stop for stop in stops if stop["marker"]], "markers are Tab stops"
    hrefs = [stop["href"] for stop in stops]
    alternative = hrefs.index("/schools/map/?country=LV#places")
    for href in ("/", "/about/", "/schools/", "/schools/map/", "/flagships/", "/join/"):
        assert href in hrefs[:alternative], (href, hrefs)
    skip = hrefs.index("#map-end")
    container = next(i for i, stop in enumerate(stops) if stop["id"] == "map")
    assert alternative < skip < container
    after = next(i for i, stop in enumerate(stops) if i > container and not stop["inMap"])
    # The zoom buttons and Leaflet's credit link are the map's other stops.
    assert after - container <= 4, stops[container:after]

    page.locator('a[href="#map-end"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#map-end")).to_be_focused()
    page.keyboard.press("Tab")
    assert not page.evaluate(FOCUSED)["inMap"]

    # The map page: past the map straight to the list of schools, which reaches every school.
    page.goto("/schools/map/")
    wait_for_map(page)
    page.locator('a[href="#places"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#places")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".map-list a").first).to_be_focused()

    # Every marker has a name of its own, as text, and a role; none is a Tab stop.
    for marker in markers(page).all():
        expect(marker).to_have_attribute("aria-label", re.compile(r"\S"))
        expect(marker).to_have_attribute("role", "button")
        expect(marker).to_have_attribute("tabindex", "-1")
    labels = [marker.get_attribute("aria-label") for marker in markers(page).all()]
    shared = [i for i, label in enumerate(labels) if label.startswith(f"{len(site_map['riga'])} ")]
    assert len(shared) == 1, labels
    riga = markers(page).nth(shared[0])

    # A marker focused (by a screen reader, or a click) shows its tooltip and a ring above the
    # markers around it; Escape closes the tooltip and keeps the focus.
    tooltip = page.locator(".leaflet-tooltip")
    riga.focus()
    expect(tooltip).to_be_visible()
    expect(page.locator(".leaflet-asphubHighlight-pane path")).to_have_count(1)
    expect(tooltip).to_contain_text(site_map["riga"][0])
    expect(riga).to_have_attribute("aria-label", re.compile(re.escape(site_map["riga"][0])))
    page.keyboard.press("Escape")
    expect(tooltip).to_have_count(0)
    expect(riga).to_be_focused()
    # Pointing opens it too, and Escape closes it where the pointer is.
    riga.hover(force=True)
    expect(tooltip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tooltip).to_have_count(0)

    # Six schools share Rīga's point: its popup lists all six, each a link; Escape from inside
    # the popup closes it and brings the focus back to the map.
    riga.click(force=True)
    links = page.locator(".leaflet-popup-content a")
    expect(links).to_have_text(site_map["riga"])
    links.first.focus()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(page.locator("#map")).to_be_focused()
    assert_clean(browsing)


@pytest.fixture
def site_map(network):
    from asphub.schools.models import School

    riga = School.objects.filter(latitude="56.949", longitude="24.106").order_by("sort_key")
    return {"schools": School.objects.count(), "riga": list(riga.values_list("name", flat=True))}


# axe and screenshots --------------------------------------------------------------------------


def map_pages(profile_url: str) -> list[tuple[str, str]]:
    pages = [("home", "/"), ("map", "/schools/map/"), ("profile", profile_url)]
    return [(f"lv-{name}", path) for name, path in pages] + [
        (f"en-{name}", "/en" + path) for name, path in pages
    ]


def test_map_pages_pass_axe_and_fit_both_widths(browsing, hostile, screenshot_dir):
    from asphub.schools.models import School

    axe = Axe()
    blocking, advisory, overflow = [], [], []
    profile = School.objects.get(name="Cēsu Pilsētas vidusskola").get_absolute_url()
    pages = [*map_pages(profile), ("lv-profile-hostile", hostile[PLACELESS])]
    for device, viewport, mobile in (("desktop", DESKTOP, False), ("mobile", MOBILE, True)):
        page = browsing.page(viewport=viewport, mobile=mobile)
        for name, path in pages:
            response = page.goto(path)
            assert response is not None and response.ok, path
            wait_for_map(page)
            overflow += screenshot_and_overflow(
                page, screenshot_dir / f"maps-{name}-{device}.png", path, mobile=mobile
            )
            # As it is, with a marker's tooltip open, and with its popup open.
            marker = page.locator("#map path.leaflet-interactive").last
            for state in ("page", "tooltip", "popup"):
                if state == "tooltip":
                    marker.focus()
                    expect(page.locator(".leaflet-tooltip")).to_be_visible()
                elif state == "popup":
                    marker.click(force=True)
                    expect(page.locator(".leaflet-popup-content a").first).to_be_visible()
                    if name == "lv-map":
                        page.screenshot(
                            path=screenshot_dir / f"maps-{name}-popup-{device}.png",
                            animations="disabled",
                            caret="hide",
                        )
                where = f"{path} ({device}, {state})"
                for violation in axe.run(page).response["violations"]:
                    text = describe_violations(where, [violation])
                    (blocking if violation["impact"] in BLOCKING_IMPACTS else advisory).append(text)
            page.keyboard.press("Escape")
    for finding in advisory:
        warnings.warn(f"axe: {finding}", stacklevel=1)
    assert not blocking, "Serious or critical accessibility violations:\n" + "\n".join(blocking)
    assert not overflow, "Horizontal scrolling at 390 px:\n" + "\n".join(overflow)
    assert_clean(browsing)
