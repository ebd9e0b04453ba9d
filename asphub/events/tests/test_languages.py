"""An event in its reader's language: a reader of English pages, and a recipient who reads
English, gets each field's English version where the coordinator wrote one (field by field);
everyone else gets the event as written."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from asphub.events.services import registration_create
from asphub.events.tests.factories import NetworkEventFactory, TeamMemberFactory
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_english_description_shows_without_an_english_title(client, latvia):
    event = NetworkEventFactory(
        country=latvia,
        title="Vasaras skola",
        description="Trīs dienas.",
        description_en="Three days.",
    )
    with translation.override("en"):
        assert (event.display_title, event.display_language) == ("Vasaras skola", "lv")
        assert (event.display_description, event.description_language) == ("Three days.", "en")
    # A Latvian reader reads the event as written.
    latvian = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Trīs dienas." in latvian and "Three days." not in latvian
    body = client.get(f"/en{reverse('events:detail', args=[event.pk])}").content.decode()
    assert '<h1 lang="lv">Vasaras skola</h1>' in body
    assert '<div class="prose" lang="en"><p>Three days.</p>' in body


def test_the_english_title_alone_leaves_the_description_as_written(latvia):
    event = NetworkEventFactory(
        country=latvia, title="Vasaras skola", title_en="Summer school", description="Trīs dienas."
    )
    with translation.override("en"):
        assert (event.display_title, event.display_language) == ("Summer school", "en")
        assert (event.display_description, event.description_language) == ("Trīs dienas.", "lv")


def test_each_coordinator_gets_the_title_in_their_own_language(latvia):
    event = NetworkEventFactory(
        country=latvia, capacity=5, title="Vasaras skola Kuldīgā", title_en="Kuldīga summer school"
    )
    english_school = SchoolFactory(country=latvia)
    english = person_with(
        Role.SCHOOL_COORDINATOR,
        school=english_school,
        email="reads-english@example.org",
        preferred_language="en",
    )
    latvian_school = SchoolFactory(country=latvia)
    latvian = person_with(
        Role.SCHOOL_COORDINATOR,
        school=latvian_school,
        email="lasa-latviski@example.org",
        preferred_language="lv",
    )
    for actor, school in ((english, english_school), (latvian, latvian_school)):
        registration_create(
            actor=actor, event=event, school=school, members=[TeamMemberFactory(school=school)]
        )
    by_recipient = {message.to[0]: message for message in mail.outbox}

    to_english = by_recipient[english.email]
    assert "Kuldīga summer school" in to_english.subject
    assert "Kuldīga summer school" in to_english.body
    assert "Vasaras skola Kuldīgā" not in to_english.subject + to_english.body
    to_latvian = by_recipient[latvian.email]
    assert "Vasaras skola Kuldīgā" in to_latvian.subject
    assert "Vasaras skola Kuldīgā" in to_latvian.body
    assert "Kuldīga summer school" not in to_latvian.subject + to_latvian.body
