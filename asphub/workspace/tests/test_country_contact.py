"""The national network's contact details, edited by its coordinator in the workspace
(/dashboard/countries/<code>/contact/). Who may open it is in the permission matrix."""

import pytest
from django.urls import reverse

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditEntry
from asphub.countries.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, national_coordinator):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    return client


def test_the_country_page_leads_to_the_contact_form(signed_in, latvia):
    body = signed_in.get(reverse("dashboard:country", args=["LV"])).content.decode()
    assert f'href="{reverse("dashboard:country_contact", args=["LV"])}"' in body


def test_a_saved_contact_shows_on_the_join_page_and_in_the_footer(signed_in, latvia):
    url = reverse("dashboard:country_contact", args=["lv"])
    form = signed_in.get(url)
    assert form.status_code == 200
    response = signed_in.post(
        url,
        {
            "coordinator_name": "Līga Jaunā",
            "contact_email": "liga@example.org",
            "contact_phone": "+371 67 000 000",
            "contact_address": "Pils laukums 4, Rīga",
            "commission_name_lv": "UNESCO Latvijas Nacionālā komisija",
            "commission_name_en": "Latvian National Commission for UNESCO",
            "commission_website": "www.unesco.lv",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:country", args=["LV"])
    assert Country.objects.get(code="LV").commission_website == "https://www.unesco.lv"
    signed_in.logout()
    english = signed_in.get("/en/about/").content.decode()
    footer = english.split('<footer class="site-footer">', 1)[1]
    assert "Līga Jaunā" in footer
    assert 'href="mailto:liga@example.org"' in footer
    assert "Latvian National Commission for UNESCO" in footer


def test_an_invalid_address_comes_back_with_its_error_and_nothing_is_saved(signed_in, latvia):
    url = reverse("dashboard:country_contact", args=["LV"])
    response = signed_in.post(url, {"coordinator_name": "Līga", "contact_email": "no"})
    assert response.status_code == 200
    assert response.context["form"].errors["contact_email"]
    assert Country.objects.get(code="LV").coordinator_name == ""
    assert not AuditEntry.objects.filter(action="country.contact_changed").exists()


@pytest.mark.parametrize("field", ["coordinator_name", "contact_address", "contact_phone"])
def test_a_line_break_or_direction_control_cannot_write_lines_into_emails(signed_in, latvia, field):
    url = reverse("dashboard:country_contact", args=["LV"])
    for value in ("Līga\nVisit http://evil.example", "Līga \u202egnp.exe"):
        response = signed_in.post(url, {field: value})
        assert response.status_code == 200
        assert response.context["form"].errors.as_data()[field][0].code == "control_character"
    assert getattr(Country.objects.get(code="LV"), field) == ""
