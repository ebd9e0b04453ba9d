"""Activities, network events and the calendar, in a real Chromium.

1. A teacher records an activity of the school through the workspace's forms and adds a photo
   with the consent of the people shown; the activity is then in the calendar (its month and
   the list) and on the school's public profile, and its page shows the photo (re-encoded,
   without its location).
2. The national coordinator creates a seminar with two places and publishes it; three schools'
   coordinators register, each naming a member of their own team; the third school is put on
   the waiting list (its page says so, with its place); one of the first two cancels; the third
   gets the place (its page says so) and its coordinator is told by e-mail; the network's,
   the country's and the coordinator's own iCal feeds hold the event.

Every page on the way is checked with axe and photographed at desktop and phone widths
(build/screenshots or ASPHUB_SCREENSHOT_DIR), as in the other journeys (see test_people.py).
People and data are made in the test thread while the site is idle (conftest.py).
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from .test_people import Review, fresh_code, messages, sign_in
from .test_public_site import CESIS_SCHOOL, assert_clean

pytestmark = pytest.mark.browser

ACTIVITY_TITLE = "Ūdens taupīšanas nedēļa, Cēsis"
SEMINAR_TITLE = "Plānošanas seminārs: ilgtspējīga skola, 2. daļa"
EXIF_GPS_IFD = 0x8825
EXIF_MAKE = 0x010F


def _sign_in(browsing, person, *, secret: str | None = None, used: set[str] | None = None):
    """A new tab, signed in as `person` (with the authenticator's code when `secret`)."""
    from asphub.accounts.tests.factories import PASSWORD

    page = browsing.page()
    page.goto("/accounts/login/")
    sign_in(page, person.email, PASSWORD)
    if secret is not None:
        assert used is not None
        code = fresh_code(page, secret, used)
        used.add(code)
        page.locator("#id_code").fill(code)
        page.locator("main form:has(#id_code) button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return page


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _feed_events(page, url: str) -> dict[str, object]:
    """The feed at `url`, fetched by the browser's context and parsed with icalendar: its
    VEVENTs by UID."""
    from icalendar import Calendar

    response = page.request.get(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    assert response.headers["content-type"].startswith("text/calendar")
    document = Calendar.from_ical(response.body())
    return {str(event["UID"]): event for event in document.walk("VEVENT")}


# 1. An activity with a photo ------------------------------------------------------------------


def test_a_school_records_an_activity_with_a_photo_seen_in_the_calendar_and_on_its_profile(
    browsing, network, screenshot_dir
):
    from django.utils import timezone
    from PIL import Image

    from asphub.activities.models import Activity, ActivityPhoto, ActivityVisibility
    from asphub.calendar.feeds import uid_domain
    from asphub.core.tests.samples import jpeg_with_location
    from asphub.partners.tests.factories import PartnerSearchFactory
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import School
    from asphub.taxonomy.models import SustainableDevelopmentGoal, ThematicArea

    review = Review(browsing, screenshot_dir)
    school = School.objects.select_related("country").get(name=CESIS_SCHOOL)
    teacher = person_with(Role.TEACHER, school=school, full_name="Ilze Skolotāja")
    theme = ThematicArea.objects.order_by("position", "slug").first()
    goal = SustainableDevelopmentGoal.objects.get(number=6)
    assert theme is not None
    # Three other schools look for partners (the list's screenshot shows real cards).
    others = list(
        School.objects.filter(country=school.country).exclude(pk=school.pk).order_by("name")[:3]
    )
    for other in others:
        person_with(Role.SCHOOL_COORDINATOR, school=other)
        PartnerSearchFactory(school=other, themes=[theme], countries=[school.country])
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Anna Vadītāja")
    starts = _next_month(timezone.localdate()).replace(day=10)
    ends = starts + datetime.timedelta(days=2)

    # The teacher opens the school's activities from the dashboard and records one.
    author = _sign_in(browsing, teacher)
    author.locator(f'main a[href="/dashboard/schools/{school.pk}/activities/"]').first.click()
    expect(author.locator("main h1")).to_be_visible()
    review(author, "lv-activities-school-list")
    author.locator(f'main a[href="/dashboard/schools/{school.pk}/activities/new/"]').click()
    review(author, "lv-activity-new")
    form = author.locator("main form.stack-form")
    form.locator("input[name=kind][value=campaign_week]").check()
    form.locator("#id_title").fill(ACTIVITY_TITLE)
    form.locator("#id_description").fill(
        "Skolēni nedēļu mēra, cik ūdens skola patērē, un kopā ar vecākiem to taupa."
    )
    form.locator("#id_starts_on").fill(starts.isoformat())
    form.locator("#id_ends_on").fill(ends.isoformat())
    form.locator("#id_place").fill("Skolas zāle un Gaujas krasts")
    form.locator("#id_pupils").fill("64")
    form.locator("#id_teachers").fill("5")
    form.locator("#id_others").fill("12")
    form.locator(f"input[name=thematic_areas][value='{theme.pk}']").check()
    form.locator(f"input[name=sdgs][value='{goal.pk}']").check()
    form.locator("#id_links-0-url").fill("https://example.org/cesis/udens-nedela")
    form.locator("#id_links-0-title").fill("Ziņa skolas mājaslapā")
    form.locator(f"input[name=visibility][value={ActivityVisibility.PUBLIC}]").check()
    # The visible save button (the form also has the partner search's and a hidden default).
    form.locator("p.form-actions button[type=submit]:not([name])").click()
    expect(messages(author)).to_be_visible()
    activity = Activity.objects.get(title=ACTIVITY_TITLE)
    expect(author).to_have_url(f"{network}/activities/{activity.pk}/")
    assert (activity.school_id, activity.starts_on, activity.ends_on) == (school.pk, starts, ends)
    assert (activity.pupils, activity.teachers, activity.others) == (64, 5, 12)
    assert activity.created_by == teacher

    # A photo, with the consent of the people shown, from the activity's page.
    author.locator(f'main a[href="/dashboard/activities/{activity.pk}/photos/new/"]').click()
    review(author, "lv-activity-photo-add")
    photo_form = author.locator("main form.stack-form")
    photo_form.locator("#id_image").set_input_files(
        files=[
            {
                "name": "IMG_2041.jpg",
                "mimeType": "image/jpeg",
                "buffer": jpeg_with_location((960, 640), orientation=1),
            }
        ]
    )
    photo_form.locator("#id_alt_text").fill("Skolēni pie Gaujas ar mērglāzēm rokās.")
    photo_form.locator("#id_caption").fill("Ūdens paraugu ņemšana Gaujā")
    photo_form.locator("#id_consent_confirmed").check()
    photo_form.locator("#id_consent_note").fill(
        "Vecāki parakstīja skolas foto piekrišanas veidlapu septembrī."
    )
    photo_form.locator("button[type=submit]").click()
    expect(messages(author)).to_be_visible()
    expect(author).to_have_url(f"{network}/activities/{activity.pk}/")
    photo = ActivityPhoto.objects.get(activity=activity)
    assert photo.consent_confirmed and photo.consent_recorded_by == teacher
    stored = Image.open(io.BytesIO(photo.image.open("rb").read()))
    exif = stored.getexif()
    assert EXIF_MAKE not in exif and not exif.get_ifd(EXIF_GPS_IFD), "the location was kept"

    # The activity's page shows the photo (it loads: the private storage's view sends it).
    image = author.locator(f'main img[src="/activities/{activity.pk}/photos/{photo.pk}/"]')
    expect(image).to_have_attribute("alt", "Skolēni pie Gaujas ar mērglāzēm rokās.")
    image.scroll_into_view_if_needed()
    author.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )
    review(author, "lv-activity-page-own")
    author.goto(f"/dashboard/schools/{school.pk}/activities/")
    expect(author.locator(f'main a[href="/activities/{activity.pk}/"]')).to_have_text(
        ACTIVITY_TITLE
    )
    review(author, "lv-activities-school-list-one")

    # A visitor sees it in the calendar's month (the next one, from this month's page) ...
    visitor = browsing.page()
    visitor.goto("/calendar/")
    review(visitor, "lv-calendar-month-this")
    visitor.locator("main .month-nav a[rel=next]").click()
    expect(visitor).to_have_url(re.compile(rf"month={starts:%Y-%m}"))
    day = visitor.locator("main table.calendar-month td.calendar-day").filter(
        has=visitor.locator(f'a.day-number:text-is("{starts.day}")')
    )
    expect(day.locator(f'a[href="/activities/{activity.pk}/"]')).to_have_text(ACTIVITY_TITLE)
    review(visitor, "lv-calendar-month")

    # ... in the list of that month (once, under its first day) ...
    visitor.locator("main .month-nav a[href^='/calendar/list/']").click()
    expect(visitor).to_have_url(re.compile(r"/calendar/list/\?"))
    listed = visitor.locator(f'main .calendar-list a[href="/activities/{activity.pk}/"]')
    expect(listed).to_have_count(1)
    expect(listed).to_have_text(ACTIVITY_TITLE)
    review(visitor, "lv-calendar-list")

    # ... and it opens the activity's page, with the photo.
    visitor.locator(f'main .calendar-list a[href="/activities/{activity.pk}/"]').first.click()
    expect(visitor.locator("main h1")).to_have_text(ACTIVITY_TITLE)
    visitor_image = visitor.locator(f'main img[src="/activities/{activity.pk}/photos/{photo.pk}/"]')
    visitor_image.scroll_into_view_if_needed()
    visitor.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=visitor_image.element_handle()
    )
    expect(visitor.locator("main figcaption")).to_contain_text("Ūdens paraugu ņemšana Gaujā")
    expect(
        visitor.locator(f'main a[href="/dashboard/activities/{activity.pk}/edit/"]')
    ).to_have_count(0)
    review(visitor, "lv-activity-page")

    # The school's public profile lists it, and so does its list of activities.
    visitor.goto(school.get_absolute_url())
    section = visitor.locator("main section[aria-labelledby=school-activities]")
    expect(section.locator(f'a[href="/activities/{activity.pk}/"]')).to_have_text(ACTIVITY_TITLE)
    review(visitor, "lv-school-profile-activities")
    section.locator(f'a[href="/schools/{school.slug}/activities/"]').click()
    expect(visitor.locator(f'main a[href="/activities/{activity.pk}/"]')).to_have_text(
        ACTIVITY_TITLE
    )
    review(visitor, "lv-school-activities-public")

    # The school's and the network's feeds hold it, all day, from its first to its last day.
    uid = f"activity-{activity.pk}@{uid_domain()}"
    for feed in (f"/calendar/feeds/school/{school.pk}.ics", "/calendar/feeds/network.ics"):
        item = _feed_events(visitor, network + feed)[uid]
        assert str(item["SUMMARY"]) == ACTIVITY_TITLE
        assert item.decoded("DTSTART") == starts
        assert item.decoded("DTEND") == ends + datetime.timedelta(days=1)

    # The school coordinator says the school looks for partners; the list shows it beside
    # the others, to a visitor and to the teacher (who may write to the others).
    speaker = _sign_in(browsing, coordinator)
    speaker.goto(f"/dashboard/schools/{school.pk}/partners/")
    review(speaker, "lv-partners-edit")
    notice = speaker.locator("main form.stack-form")
    notice.locator("#id_active").check()
    notice.locator(f"input[name=themes][value='{theme.pk}']").check()
    notice.locator("input[name=education_levels][value=lower_secondary]").check()
    notice.locator("input[name=languages][value=lv]").check()
    notice.locator("#id_note").fill("Meklējam partnerskolu ūdens taupīšanas projektam.")
    notice.locator("button[type=submit]").click()
    expect(messages(speaker)).to_be_visible()
    visitor.goto("/partners/")
    expect(visitor.locator("main .partner-card")).to_have_count(len(others) + 1)
    expect(visitor.locator("main .partner-card").first).to_contain_text(school.name)
    review(visitor, "lv-partners-list")
    author.goto("/partners/")
    author.locator(f'main a[href="/partners/{others[0].pk}/write/"]').click()
    expect(author.locator("main form #id_subject")).to_be_visible()
    review(author, "lv-partners-contact")

    # The same pages in English.
    visitor.goto(f"/en/calendar/?month={starts:%Y-%m}")
    expect(visitor.locator(f'main a[href="/en/activities/{activity.pk}/"]')).to_be_visible()
    review(visitor, "en-calendar-month")
    visitor.goto(f"/en/activities/{activity.pk}/")
    review(visitor, "en-activity-page")
    author.goto(f"/en/dashboard/activities/{activity.pk}/edit/")
    review(author, "en-activity-edit")

    review.assert_clean()
    assert_clean(browsing)


# 2. A seminar with two places and a waiting list ----------------------------------------------


def test_a_seminar_with_two_places_fills_up_and_the_waiting_school_takes_a_freed_place(
    browsing, network, screenshot_dir, mailoutbox
):
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import timezone
    from django.utils.translation import gettext, override

    from asphub.accounts.tests.factories import enrol_authenticator
    from asphub.calendar.feeds import uid_domain
    from asphub.countries.models import Country
    from asphub.events.models import (
        EventRegistration,
        EventStatus,
        EventVisibility,
        NetworkEvent,
        RegistrationStatus,
    )
    from asphub.events.tests.factories import TeamMemberFactory
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import School

    review = Review(browsing, screenshot_dir)
    latvia = Country.objects.get(code="LV")
    national = person_with(Role.NATIONAL_COORDINATOR, country=latvia, full_name="Līga Valsts")
    secret = enrol_authenticator(national)
    used_codes: set[str] = set()
    schools = list(
        School.objects.filter(country=latvia, membership_status="member").order_by("name")[:4]
    )
    assert len(schools) == 4
    schools, outsider = schools[:3], schools[3]
    coordinators = [
        person_with(Role.SCHOOL_COORDINATOR, school=school, full_name=f"Koordinatore {n}")
        for n, school in enumerate(schools, start=1)
    ]
    members = [
        TeamMemberFactory(school=school, full_name=f"Skolotāja {school.name.split()[0]}")
        for school in schools
    ]
    # A member of a fourth school's team: never offered to the three.
    stranger = TeamMemberFactory(school=outsider, full_name="Cita skolotāja")
    local = timezone.localtime()
    starts = (local + datetime.timedelta(days=20)).replace(hour=10, minute=0, second=0)
    ends = starts.replace(hour=16)
    deadline = (local + datetime.timedelta(days=15)).replace(hour=18, minute=0, second=0)

    # The national coordinator creates the seminar from the dashboard's events page.
    nc = _sign_in(browsing, national, secret=secret, used=used_codes)
    nc.goto("/dashboard/events/")
    review(nc, "lv-events-manage-list-empty")
    nc.locator("main a[href='/dashboard/events/new/LV/']").click()
    review(nc, "lv-event-new")
    form = nc.locator("main form.stack-form")
    form.locator("input[name=kind][value=seminar]").check()
    form.locator("#id_title").fill(SEMINAR_TITLE)
    form.locator("#id_description").fill(
        "Skolu koordinatori kopā plāno nākamā gada darbu.\n\nLūdzam ņemt līdzi skolas plānu."
    )
    form.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_ends_at").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_place").fill("Rīga, Pils laukums 4, Zilā zāle")
    form.locator("#id_capacity").fill("2")
    form.locator("#id_members_per_school").fill("1")
    form.locator("#id_registration_deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    form.locator(f"input[name=visibility][value={EventVisibility.PUBLIC}]").check()
    form.locator("button[type=submit]").click()
    expect(messages(nc)).to_be_visible()
    event = NetworkEvent.objects.get(title=SEMINAR_TITLE)
    expect(nc).to_have_url(f"{network}/dashboard/events/{event.pk}/")
    assert (event.capacity, event.status) == (2, EventStatus.DRAFT)
    assert timezone.localtime(event.starts_at).replace(tzinfo=None) == starts.replace(
        tzinfo=None, microsecond=0
    )
    review(nc, "lv-event-manage-draft")
    nc.locator(f'main form[action="/dashboard/events/{event.pk}/publish/"] button').click()
    expect(messages(nc)).to_be_visible()
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    review(nc, "lv-event-manage")

    # Three coordinators register their schools, each naming a member of its own team.
    pages = []
    for number, (person, school, member) in enumerate(
        zip(coordinators, schools, members, strict=True), start=1
    ):
        page = _sign_in(browsing, person)
        page.goto("/events/")
        page.locator(f'main a[href="/events/{event.pk}/"]').click()
        panel = page.locator("main .panel").filter(
            has=page.locator(f'input[name=school][value="{school.pk}"]')
        )
        checks = panel.locator(f"input[name='school-{school.pk}-members']")
        expect(checks).to_have_count(1)
        expect(panel.locator(f"input[value='{stranger.pk}']")).to_have_count(0)
        if number == 3:
            review(page, "lv-event-page-full")
        checks.first.check()
        assert checks.first.get_attribute("value") == str(member.pk)
        panel.locator("button[type=submit]").first.click()
        if number < 3:
            expect(messages(page)).to_be_visible()
        pages.append(page)

    first, _second, third = pages
    statuses = dict(
        EventRegistration.objects.filter(event=event).values_list("school_id", "status")
    )
    assert statuses == {
        schools[0].pk: RegistrationStatus.CONFIRMED,
        schools[1].pk: RegistrationStatus.CONFIRMED,
        schools[2].pk: RegistrationStatus.WAITING,
    }
    # The third is told it waits, and where in line, in the message and on its page.
    with override("lv"):
        told = gettext(
            "All places are taken: the school is on the waiting list, number %(position)s. If a "
            "place frees up, it is given to the school and the school coordinator is told by "
            "e-mail."
        ) % {"position": 1}
        shown = gettext(
            "All places are taken: the school is on the waiting list, number %(position)s. When "
            "a place frees up it goes to the first school waiting, and its school coordinator is "
            "told by e-mail."
        ) % {"position": 1}
    expect(messages(third, "warning")).to_have_text(told)
    expect(third.locator("main .panel .message-warning")).to_have_text(shown)
    review(third, "lv-event-page-waiting")

    # The national coordinator's lists: two confirmed, one waiting.
    nc.goto(f"/dashboard/events/{event.pk}/registrations/")
    expect(nc.locator("main table.data-table tbody tr")).to_have_count(2)
    review(nc, "lv-event-registrations")
    nc.goto(f"/dashboard/events/{event.pk}/registrations/?status=waiting")
    expect(nc.locator("main table.data-table tbody tr")).to_have_count(1)
    expect(nc.locator("main table.data-table tbody tr")).to_contain_text(schools[2].name)
    review(nc, "lv-event-waiting-list")
    nc.goto("/dashboard/events/")
    review(nc, "lv-events-manage-list")
    nc.goto(f"/dashboard/events/{event.pk}/edit/")
    review(nc, "lv-event-edit")

    # The first school cancels; the place goes to the third, whose page says so.
    first.reload()
    # A link to a page that says what happens (the place goes to the school waiting), where
    # the button cancels.
    first.locator(f'main a[href^="/events/{event.pk}/registrations/"][href$="/cancel/"]').click()
    review(first, "lv-event-cancel-registration")
    first.locator("#cancel-registration button[type=submit]").click()
    expect(messages(first)).to_be_visible()
    statuses = dict(
        EventRegistration.objects.filter(event=event).values_list("school_id", "status")
    )
    assert statuses[schools[0].pk] == RegistrationStatus.CANCELLED
    assert statuses[schools[2].pk] == RegistrationStatus.CONFIRMED
    third.reload()
    with override("lv"):
        placed = gettext("The school has a place at this event.")
    expect(third.locator("main .panel .message-success")).to_have_text(placed)
    expect(third.locator("main .panel")).to_contain_text(members[2].full_name)
    review(third, "lv-event-page-confirmed")

    # Its coordinator is told by e-mail (queued with the change; the worker sent it).
    language = coordinators[2].preferred_language or settings.LANGUAGE_CODE
    with override(language):
        subject = " ".join(
            render_to_string("events/email/promoted_subject.txt", {"event": event}).split()
        )
    promoted = [m for m in mailoutbox if m.to == [coordinators[2].email] and m.subject == subject]
    assert len(promoted) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert f"/events/{event.pk}/" in promoted[0].body

    # The public pages: the list of events and the event's page.
    visitor = browsing.page()
    visitor.goto("/events/")
    expect(visitor.locator(f'main a[href="/events/{event.pk}/"]')).to_have_text(SEMINAR_TITLE)
    review(visitor, "lv-events-list")
    visitor.goto(f"/events/{event.pk}/")
    review(visitor, "lv-event-page")

    # The network's and the country's feeds hold the public event; the third coordinator's own
    # feed holds the school's registration, confirmed.
    uid = f"event-{event.pk}@{uid_domain()}"
    for feed in ("/calendar/feeds/network.ics", "/calendar/feeds/country/lv.ics"):
        item = _feed_events(visitor, network + feed)[uid]
        assert str(item["SUMMARY"]) == SEMINAR_TITLE
        assert item.decoded("DTSTART") == event.starts_at
        assert str(item["STATUS"]) == "CONFIRMED"
    third.goto("/calendar/feeds/")
    third.locator("main form[action='/calendar/feeds/personal/'] button").click()
    expect(messages(third)).to_be_visible()
    personal_url = third.locator("main code.feed-secret").inner_text()
    review(third, "lv-calendar-feeds", reload_on_mobile=False)
    registration = EventRegistration.objects.get(event=event, school=schools[2])
    mine = _feed_events(visitor, personal_url)
    # One entry per event and school, its title saying the school's place.
    uid = f"event-{event.pk}-school-{registration.school_id}@{uid_domain()}"
    assert list(mine) == [uid]
    assert str(mine[uid]["SUMMARY"]).startswith(SEMINAR_TITLE)
    assert str(mine[uid]["SUMMARY"]) != SEMINAR_TITLE
    assert str(mine[uid]["STATUS"]) == "CONFIRMED"

    # In English.
    visitor.goto(f"/en/events/{event.pk}/")
    review(visitor, "en-event-page")
    nc.goto(f"/en/dashboard/events/{event.pk}/")
    review(nc, "en-event-manage")

    review.assert_clean()
    assert_clean(browsing)
