"""Whom to contact: the national network's contact details on the join page, in every page's
footer and in the platform's e-mails, and the privacy notice."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from asphub.audit.models import AuditEntry
from asphub.countries.models import CONTACT_FIELDS, Country
from asphub.pages.models import Page
from asphub.pages.services import country_contact_update
from asphub.roles.models import Role
from asphub.roles.services import invitation_create
from asphub.roles.tests.factories import person_with
from asphub.schools.models import School

pytestmark = pytest.mark.django_db

REGULATION = (
    "http://skolas.unesco.lv/lv/pieredze-un-resursi/dokumenti/unesco-asocieto-skolu-tikla-nolikums/"
)
ASPNET = "https://www.unesco.org/en/aspnet"
COMMISSION = "https://www.unesco.lv/"


def contact(**values) -> dict:
    """A whole set of contact details, empty but for `values`."""
    return {name: values.get(name, "") for name in CONTACT_FIELDS}


def footer(body: str) -> str:
    return body.split('<footer class="site-footer">', 1)[1]


# -- the join page ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_join_page_says_whom_to_contact_and_links_the_regulation(
    client, loaded_network, prefix
):
    body = client.get(f"{prefix}/join/").content.decode()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    # Its first step names the network's regulation, and links it.
    first_step = main.split("<ol>", 1)[1].split("</li>", 1)[0]
    assert f'href="{REGULATION}"' in first_step
    assert 'href="#contact"' in first_step
    # The contact it points at, on the same page: the national commission and its ASPnet pages.
    assert 'id="contact"' in main
    assert 'href="mailto:office@unesco.lv"' in main
    assert f'href="{COMMISSION}"' in main
    assert f'href="{ASPNET}"' in main


def test_the_join_page_shows_the_name_the_coordinator_gave(client, loaded_network):
    Country.objects.filter(code="LV").update(coordinator_name="Līga Jaunā")
    main = client.get("/join/").content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Līga Jaunā" in main


# -- every page's footer ----------------------------------------------------------------------


def test_every_page_has_a_footer_with_the_contact_the_privacy_notice_and_unesco(
    client, loaded_network
):
    school = School.objects.first()
    urls = ["/", "/about/", "/join/", "/schools/", "/flagships/", school.get_absolute_url(),
            "/accounts/login/", "/en/", "/en/schools/", "/does-not-exist/"]  # fmt: skip
    for url in urls:
        body = client.get(url).content.decode()
        assert '<footer class="site-footer">' in body, url
        end = footer(body)
        privacy = reverse("pages:privacy") if not url.startswith("/en/") else "/en/privacy/"
        assert f'href="{privacy}"' in end, url
        assert f'href="{ASPNET}"' in end, url
        assert f'href="{COMMISSION}"' in end, url
        assert "office@unesco.lv" in end, url


def test_the_footer_says_so_when_there_is_no_contact_yet(client, latvia):
    end = footer(client.get("/about/").content.decode())
    assert "mailto:" not in end
    assert f'href="{ASPNET}"' in end
    assert 'href="/privacy/"' in end


def test_a_changed_contact_shows_in_the_footer_on_the_next_page(client, latvia, administrator):
    """The footer's country is kept per data version: a change made any way (here, an
    update() that sends no signal) shows at once."""
    assert "mailto:" not in footer(client.get("/about/").content.decode())
    Country.objects.filter(pk=latvia.pk).update(contact_email="tikls@example.lv")
    assert 'href="mailto:tikls@example.lv"' in footer(client.get("/library/").content.decode())
    country_contact_update(actor=administrator, country=latvia, **contact(contact_email="x@y.lv"))
    assert 'href="mailto:x@y.lv"' in footer(client.get("/about/").content.decode())


def test_a_hostile_contact_stays_text(client, latvia, administrator):
    country_contact_update(
        actor=administrator,
        country=latvia,
        **contact(coordinator_name='<img src=x onerror="alert(1)">', contact_phone="<b>1</b>"),
    )
    end = footer(client.get("/about/").content.decode())
    assert "<img src=x" not in end
    assert "&lt;img src=x" in end
    assert "<b>1</b>" not in end


# -- e-mails ----------------------------------------------------------------------------------


def test_an_invitation_ends_with_the_contact_of_the_network_it_is_for(
    latvia, school, django_capture_on_commit_callbacks
):
    Country.objects.filter(pk=latvia.pk).update(
        coordinator_name="Līga Jaunā", contact_email="liga@example.org",
        commission_website=COMMISSION,
    )  # fmt: skip
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, email="c@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=coordinator, email="new@example.org", role=Role.TEACHER, school=school
        )
    [message] = mail.outbox
    assert "Līga Jaunā" in message.body
    assert "liga@example.org" in message.body
    assert COMMISSION in message.body


def test_a_password_reset_e_mail_ends_with_the_networks_contact(client, loaded_network):
    person_with(Role.TEACHER, school=School.objects.first(), email="teacher@example.org")
    client.post(reverse("account_reset_password"), {"email": "teacher@example.org"})
    [message] = mail.outbox
    assert "office@unesco.lv" in message.body
    assert COMMISSION in message.body


# -- the privacy notice -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/privacy/", ["Kādus personas datus", "Cik ilgi", "Jūsu tiesības"]),
        ("/en/privacy/", ["What personal data", "For how long", "Your rights"]),
    ],
)
def test_the_privacy_notice_says_what_is_kept_why_how_long_and_how_to_get_it(
    client, loaded_network, url, words
):
    response = client.get(url)
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    for word in words:
        assert word in main
    prefix = "/en" if url.startswith("/en/") else ""
    assert f'href="{prefix}/accounts/profile/personal-data.json"' in main
    assert f'href="{prefix}/accounts/profile/delete/"' in main
    assert 'href="mailto:office@unesco.lv"' in main
    assert 'class="fallback-note"' not in main


def test_the_privacy_notice_answers_before_the_network_has_written_it(client, latvia):
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert 'href="/accounts/profile/personal-data.json"' in response.content.decode()


# -- the service ------------------------------------------------------------------------------


def test_the_national_coordinator_changes_the_contact_and_the_log_records_what_changed(
    latvia, national_coordinator
):
    Country.objects.filter(pk=latvia.pk).update(contact_phone="+371 1")
    updated = country_contact_update(
        actor=national_coordinator,
        country=latvia,
        **contact(coordinator_name="  Līga Jaunā ", contact_email="liga@example.org",
                  contact_phone="+371 1"),
    )  # fmt: skip
    assert (updated.coordinator_name, updated.contact_email) == ("Līga Jaunā", "liga@example.org")
    entry = AuditEntry.objects.get(action="country.contact_changed")
    assert (entry.actor, entry.country_code, entry.object_label) == (
        national_coordinator,
        "LV",
        "Latvija",
    )
    assert entry.before == {"coordinator_name": "", "contact_email": ""}
    assert entry.after == {"coordinator_name": "Līga Jaunā", "contact_email": "liga@example.org"}


def test_saving_the_same_contact_again_records_nothing(latvia, national_coordinator):
    values = contact(coordinator_name="Līga Jaunā")
    country_contact_update(actor=national_coordinator, country=latvia, **values)
    country_contact_update(actor=national_coordinator, country=latvia, **values)
    assert AuditEntry.objects.filter(action="country.contact_changed").count() == 1


@pytest.mark.parametrize("who", ["reviewer", "school_coordinator", "other_national_coordinator"])
def test_no_one_else_changes_a_countrys_contact_and_nothing_changes(latvia, estonia, school, who):
    actors = {
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "school_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=school),
        "other_national_coordinator": lambda: person_with(
            Role.NATIONAL_COORDINATOR, country=estonia
        ),
    }
    actor = actors[who]()
    entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        country_contact_update(actor=actor, country=latvia, **contact(coordinator_name="X"))
    assert Country.objects.get(pk=latvia.pk).coordinator_name == ""
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "values",
    [
        {"contact_email": "not an address"},
        {"commission_website": "javascript:alert(1)"},
        {"commission_website": "ftp://files.example.org/"},
        {"coordinator_name": "x" * 201},
    ],
)
def test_invalid_contact_details_change_nothing(latvia, national_coordinator, values):
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        country_contact_update(
            actor=national_coordinator, country=latvia, **contact(contact_phone="+371 2", **values)
        )
    stored = Country.objects.get(pk=latvia.pk)
    assert (stored.contact_phone, stored.contact_email, stored.commission_website) == ("", "", "")
    assert AuditEntry.objects.count() == entries


def test_a_join_page_loaded_before_applications_opened_now_says_they_are_open(latvia):
    migration = import_module("asphub.pages.migrations.0004_join_page_says_applications_are_online")
    old_lv = (
        "<p>Drīzumā pieteikumu varēs iesniegt tiešsaistē šajā platformā. Līdz tam lūdzam "
        '<a href="#contact">sazināties ar nacionālo koordinatoru</a> UNESCO Latvijas Nacionālajā '
        "komisijā.</p>"
    )
    page = Page.objects.create(country=latvia, slug="join", title_lv="Kā pievienoties",
                               body_lv="<h2>Pieteikšanās tiešsaistē</h2>" + old_lv)  # fmt: skip
    migration.apply_fixes(apps, None)
    page.refresh_from_db()
    assert "Drīzumā" not in page.body_lv
    assert "Pieteikties tiešsaistē" in page.body_lv
