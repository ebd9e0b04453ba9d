"""sitemap.xml: an index of sections, each listing only what any visitor may open."""

import pytest
from django.urls import reverse

from asphub.practices.models import PracticeStatus
from asphub.practices.tests.factories import PracticeFactory, PublishedPracticeFactory
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_index_names_every_section(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    for section in ("pages", "schools", "flagships", "library"):
        assert f"/sitemap-{section}.xml" in body


def test_sections_list_public_schools_and_published_items_only(client):
    listed = SchoolFactory(name="Redzamā skola", membership_status=MembershipStatus.MEMBER)
    applicant = SchoolFactory(name="Pieteicēja skola", membership_status=MembershipStatus.SUBMITTED)
    published = PublishedPracticeFactory(school=listed)
    draft = PracticeFactory(school=listed, status=PracticeStatus.DRAFT)

    schools = client.get("/sitemap-schools.xml").content.decode()
    library = client.get("/sitemap-library.xml").content.decode()

    assert reverse("schools:detail", kwargs={"slug": listed.slug}) in schools
    assert reverse("schools:detail", kwargs={"slug": applicant.slug}) not in schools
    assert reverse("practices:detail", kwargs={"pk": published.pk}) in library
    assert reverse("practices:detail", kwargs={"pk": draft.pk}) not in library
