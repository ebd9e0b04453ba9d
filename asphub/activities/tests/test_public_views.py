"""An activity's page and photos, and a school's public activities: public ones for anyone,
network-only ones for people with a role in the country's network (anyone else: 404, and
nothing says they exist); text people wrote reaches the page as text; the pages take the same
number of queries however many activities there are."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.activities.tests.factories import (
    ActivityFactory,
    ActivityLinkFactory,
    ActivityPhotoFactory,
)
from asphub.practices.tests.factories import (
    PracticeFactory,
    PublishedPracticeFactory,
    ThematicAreaFactory,
)
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    if user is None:
        return client
    if set(user.role_assignments.values_list("role", flat=True)) & {
        Role.NATIONAL_COORDINATOR,
        Role.ADMINISTRATOR,
    }:
        enrol_authenticator(user)
    client.force_login(user)
    return client


@pytest.fixture
def people(teacher, national_coordinator, other_school, latvia, estonia, foreign_school):
    return {
        "anonymous": None,
        "no_role": UserFactory(),
        "other_teacher": person_with(Role.TEACHER, school=other_school),
        "reviewer": person_with(Role.REVIEWER, country=latvia),
        "foreign_teacher": person_with(Role.TEACHER, school=foreign_school),
        "foreign_national": person_with(Role.NATIONAL_COORDINATOR, country=estonia),
        "teacher": teacher,
        "national": national_coordinator,
    }


# Who reads a network-only activity of a Latvian school: people with a role in Latvia's network.
NETWORK_READERS = {"other_teacher", "reviewer", "teacher", "national"}


@pytest.mark.parametrize(
    "who",
    ["anonymous", "no_role", "other_teacher", "reviewer", "foreign_teacher", "foreign_national",
     "teacher", "national"],
)  # fmt: skip
def test_a_network_only_activity_and_its_photo_are_found_by_the_network_only(
    client, people, school, who
):
    activity = ActivityFactory(school=school, visibility="network", title="Tīkla seminārs")
    photo = ActivityPhotoFactory(activity=activity)
    public = ActivityFactory(school=school, title="Atvērtā diena")
    public_photo = ActivityPhotoFactory(activity=public)
    signed_in(client, people[who])
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    picture = client.get(reverse("activities:photo", args=[activity.pk, photo.pk]))
    expected = 200 if who in NETWORK_READERS else 404
    assert (page.status_code, picture.status_code) == (expected, expected)
    if expected == 404:
        assert "Tīkla seminārs" not in page.content.decode()
    # The public one is anyone's.
    assert client.get(reverse("activities:detail", args=[public.pk])).status_code == 200
    public_picture = client.get(reverse("activities:photo", args=[public.pk, public_photo.pk]))
    assert public_picture.status_code == 200


def test_a_photo_is_sent_as_a_picture_that_can_do_nothing_else(client, school):
    photo = ActivityPhotoFactory(activity=ActivityFactory(school=school))
    response = client.get(reverse("activities:photo", args=[photo.activity_id, photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    # Under another activity's address, the photo is not found.
    other = ActivityFactory(school=school)
    assert client.get(reverse("activities:photo", args=[other.pk, photo.pk])).status_code == 404


def test_an_unknown_activity_is_not_found(client, db):
    assert client.get(reverse("activities:detail", args=[999999])).status_code == 404


def test_the_page_shows_what_was_recorded(client, school, other_school):
    practice = PublishedPracticeFactory(school=school, title="Ūdens stundu cikls")
    theme = ThematicAreaFactory(name_lv="Ilgtspējīga attīstība")
    activity = ActivityFactory(
        school=school,
        title="Ūdens nedēļa",
        title_en="Water week",
        starts_on=datetime.date(2025, 3, 17),
        ends_on=datetime.date(2025, 3, 21),
        pupils=120,
        teachers=9,
        others=30,
        produced_practice=practice,
        partners_abroad="Tallinna Kesklinna Kool",
        thematic_areas=[theme],
        partner_schools=[other_school],
    )
    ActivityLinkFactory(activity=activity, url="https://example.org/video", title="Video")
    ActivityPhotoFactory(activity=activity, alt_text="Skolēni pie upes", caption="Paraugi")
    body = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    for shown in ("Ūdens nedēļa", "Water week", "120", "Ilgtspējīga attīstība", "Bērzu vidusskola",
                  "Tallinna Kesklinna Kool", "https://example.org/video", 'alt="Skolēni pie upes"',
                  reverse("practices:detail", args=[practice.pk]), "Ūdens stundu cikls"):  # fmt: skip
        assert shown in body, shown


def test_a_draft_practice_is_named_to_the_schools_people_only(client, school, teacher):
    draft = PracticeFactory(school=school, title="Vēl melnraksts")
    activity = ActivityFactory(school=school, produced_practice=draft)
    url = reverse("activities:detail", args=[activity.pk])
    assert "Vēl melnraksts" not in client.get(url).content.decode()
    assert "Vēl melnraksts" in signed_in(client, teacher).get(url).content.decode()


def test_english_readers_read_the_english_title(client, school):
    activity = ActivityFactory(school=school, title="Miera diena", title_en="Peace day")
    body = client.get(f"/en{reverse('activities:detail', args=[activity.pk])}").content.decode()
    assert '<h1 lang="en">Peace day</h1>' in body


@pytest.mark.parametrize("field", ["title", "place", "partners_abroad", "description"])
def test_html_and_scripts_in_the_text_reach_the_page_as_text(client, school, field):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    values = {field: hostile}
    if field == "description":
        values[field] = (
            f'{hostile}\n\n[klikšķini](javascript:alert(1)) <a href="javascript:x">y</a>'
        )
    activity = ActivityFactory(school=school, **values)
    body = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert '<a href="javascript:' not in body
    assert "&lt;script&gt;" in body


def test_the_workspace_actions_show_only_to_who_may_take_them(client, school, teacher):
    activity = ActivityFactory(school=school)
    url = reverse("activities:detail", args=[activity.pk])
    assert reverse("activities:edit", args=[activity.pk]) not in client.get(url).content.decode()
    body = signed_in(client, teacher).get(url).content.decode()
    assert reverse("activities:edit", args=[activity.pk]) in body
    assert reverse("activities:photo_add", args=[activity.pk]) in body


# -- a school's public activities -------------------------------------------------------------


def test_a_schools_public_list_shows_its_public_activities_only(client, school, other_school):
    ActivityFactory(school=school, title="Publiskā")
    ActivityFactory(school=school, title="Tikai tīklam", visibility="network")
    ActivityFactory(school=other_school, title="Kaimiņu")
    response = client.get(reverse("activities:school_public", args=[school.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Publiskā" in body and "Tikai tīklam" not in body and "Kaimiņu" not in body


def test_a_school_outside_the_directory_has_no_public_list(client, latvia):
    applicant = SchoolFactory(country=latvia, membership_status=MembershipStatus.SUBMITTED)
    ActivityFactory(school=applicant)
    assert client.get(reverse("activities:school_public", args=[applicant.slug])).status_code == 404
    assert client.get(reverse("activities:school_public", args=["nav-tadas"])).status_code == 404


def test_the_public_list_paginates(client, school):
    ActivityFactory.create_batch(30, school=school)
    url = reverse("activities:school_public", args=[school.slug])
    first = client.get(url)
    assert len(first.context["page"].object_list) == 25
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 5
    assert client.get(url, {"page": "x' OR 1=1"}).status_code == 200


# -- queries ----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _many(school, count: int, **fields) -> None:
    ActivityFactory.create_batch(count, school=school, **fields)


def test_the_pages_take_the_same_queries_for_10_and_200_activities(client, school, teacher):
    theme = ThematicAreaFactory()
    first = ActivityFactory(school=school, thematic_areas=[theme])
    ActivityPhotoFactory(activity=first)
    ActivityLinkFactory(activity=first)
    _many(school, 9)
    urls = [
        reverse("activities:detail", args=[first.pk]),
        reverse("activities:school_public", args=[school.slug]),
        reverse("schools:detail", args=[school.slug]),
    ]
    workspace = reverse("activities:school_activities", args=[school.pk])
    small = [_queries(client, url) for url in urls]
    signed_in(client, teacher)
    small.append(_queries(client, workspace))
    client.logout()
    _many(school, 190, visibility="network")
    _many(school, 1)
    large = [_queries(client, url) for url in urls]
    signed_in(client, teacher)
    large.append(_queries(client, workspace))
    assert small == large
    assert max(large) <= 20


@pytest.mark.parametrize("status", [MembershipStatus.WITHDRAWN, MembershipStatus.EXCLUDED])
def test_people_of_a_school_that_left_the_network_no_longer_read_its_network_only_items(
    client, school, other_school, status
):
    activity = ActivityFactory(school=school, visibility="network", title="Tīkla seminārs")
    former = person_with(Role.TEACHER, school=other_school)
    signed_in(client, former)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    other_school.membership_status = status
    other_school.save()
    former = type(former).objects.get(pk=former.pk)  # roles are read once per request
    signed_in(client, former)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
