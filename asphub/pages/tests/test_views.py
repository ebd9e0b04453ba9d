from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from asphub.accounts.models import User
from asphub.accounts.tests.factories import enrol_authenticator
from asphub.pages.models import Page
from asphub.schools.models import School
from asphub.taxonomy.models import FlagshipNetwork

pytestmark = pytest.mark.django_db


def test_home_shows_live_counts_from_the_database(client, loaded_network):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["counts"]["schools"] == 31
    School.objects.filter(name="Sabiles vidusskola").update(membership_status="withdrawn")
    assert client.get("/").context["counts"]["schools"] == 30


def test_home_is_latvian_by_default_and_english_under_en(client, loaded_network):
    latvian = client.get("/").content.decode()
    assert '<html lang="lv">' in latvian
    english = client.get("/en/").content.decode()
    assert '<html lang="en">' in english
    assert "Find a school" in english


def test_every_page_offers_the_language_switch(client, loaded_network):
    school = School.objects.first()
    for url in ["/", "/about/", "/join/", "/schools/", "/schools/map/", "/flagships/",
                school.get_absolute_url()]:  # fmt: skip
        body = client.get(url).content.decode()
        assert 'hreflang="en"' in body, url


def test_language_switch_links_to_the_same_page_in_the_other_language(client, loaded_network):
    latvian = client.get("/schools/", {"q": "cesu"}).content.decode()
    assert 'href="/en/schools/?q=cesu" hreflang="en"' in latvian
    english = client.get("/en/about/").content.decode()
    assert 'href="/about/" hreflang="lv"' in english


def test_switching_language_works_without_a_form_or_cookie(client, loaded_network):
    assert "Find a school" in client.get("/en/").content.decode()
    assert '<html lang="lv">' in client.get("/").content.decode()


def test_posted_language_switch_keeps_the_page_too(client, loaded_network):
    response = client.post(reverse("set_language"), {"language": "lv", "next": "/en/about/"})
    assert response["Location"] == "/about/"


def test_about_page_shows_pillars_and_thematic_areas(client, loaded_network):
    body = client.get("/en/about/").content.decode()
    assert "1953" in body
    for pillar in [
        "Learning to know",
        "Learning to do",
        "Learning to be",
        "Learning to live together",
    ]:
        assert pillar.lower() in body.lower()


def test_join_page_explains_eligibility_in_both_languages(client, loaded_network):
    assert "teacher" in client.get("/en/join/").content.decode().lower()
    assert "skolotāj" in client.get("/join/").content.decode().lower()


def test_each_flagship_network_has_a_page_with_its_schools(client, loaded_network):
    flagship = FlagshipNetwork.objects.get(slug="baltic-sea-project")
    school = School.objects.get(name="Ozolnieku vidusskola")
    school.flagshipparticipation_set.create(flagship=flagship, since_year=2005)
    response = client.get(reverse("pages:flagship_detail", args=[flagship.slug]))
    assert response.status_code == 200
    assert "Ozolnieku vidusskola" in response.content.decode()
    assert client.get(reverse("pages:flagship_list")).status_code == 200


def test_ten_flagships_with_ended_ones_marked(loaded_network):
    assert FlagshipNetwork.objects.count() == 10
    volga = FlagshipNetwork.objects.get(name_en__icontains="Volga")
    assert (volga.status, volga.start_year, volga.end_year) == ("ended", 2004, 2007)


def test_missing_english_text_falls_back_to_latvian_with_a_note(client, loaded_network):
    Page.objects.filter(slug="about").update(body_en="", title_en="")
    body = client.get("/en/about/").content.decode()
    assert "not yet available in English" in body
    assert 'lang="lv"' in body


def test_missing_latvian_text_falls_back_to_english_with_a_note(client, loaded_network):
    Page.objects.filter(slug="about").update(body_lv="", summary_lv="")
    with translation.override("lv"):
        body = client.get("/about/").content.decode()
    assert 'class="fallback-note"' in body
    assert 'lang="en"' in body


def test_page_body_is_cleaned_of_scripts(loaded_network):
    page = Page.objects.get(slug="about")
    page.body_lv = (
        '<p onclick="x()">Teksts</p><script>alert(1)</script><a href="javascript:x">y</a>'
    )
    page.save()
    page.refresh_from_db()
    assert "<script" not in page.body_lv
    assert "onclick" not in page.body_lv
    assert "javascript:" not in page.body_lv
    assert "Teksts" in page.body_lv


def test_national_coordinator_edits_page_text_in_admin_without_code(client, loaded_network):
    from django.core.management import call_command

    call_command("create_demo_users", stdout=StringIO())
    coordinator = User.objects.get(email="coordinator@asphub.test")
    enrol_authenticator(coordinator)
    client.force_login(coordinator)
    page = Page.objects.get(slug="join")
    url = reverse("admin:pages_page_change", args=[page.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "country": page.country_id,
            "slug": "join",
            "title_lv": "Kā pievienoties tīklam",
            "summary_lv": page.summary_lv,
            "body_lv": "<p>Jauns teksts</p>",
            "title_en": "How to join the network",
            "summary_en": page.summary_en,
            "body_en": "<p>New text</p>",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "Jauns teksts" in client.get("/join/").content.decode()
    assert "New text" in client.get("/en/join/").content.decode()


def test_health_check_is_plain_ok(client, db):
    response = client.get("/healthz")
    assert response.content == b"ok"


def test_running_the_demo_set_up_again_keeps_roles_taken_back(loaded_network):
    from django.core.management import call_command

    from asphub.roles.models import RoleAssignment

    call_command("create_demo_users", stdout=StringIO())
    teacher_role = RoleAssignment.objects.get(user__email="teacher@asphub.test")
    RoleAssignment.objects.filter(pk=teacher_role.pk).update(revoked_at=timezone.now())
    call_command("create_demo_users", stdout=StringIO())
    assert not RoleAssignment.objects.filter(
        user__email="teacher@asphub.test", revoked_at__isnull=True
    ).exists()
    assert User.objects.filter(email__endswith="@asphub.test").count() == 6


def test_the_home_map_shows_the_national_networks_schools(client, loaded_network):
    body = client.get("/").content.decode()
    assert 'data-points-url="/schools/map.json?country=LV"' in body
    assert 'data-place-url="/schools/map/place.json?country=LV"' in body
