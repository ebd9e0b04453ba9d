"""Partner finding's pages: the list and its filters, writing to a school, and the school
coordinator's notice in the workspace (each with its permission ladder)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, translate_url
from django.utils import translation

from asphub.accounts.tests.factories import UserFactory, enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.countries.models import Country
from asphub.partners.models import PartnerSearch
from asphub.practices.tests.factories import ThematicAreaFactory
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

from .factories import PartnerSearchFactory

pytestmark = pytest.mark.django_db

LIST = reverse("partners:list")


def listed_school(country, *, email=None, **search):
    """A school of `country`, with a coordinator, listed as looking for partners."""
    school = SchoolFactory(country=country)
    person_with(
        Role.SCHOOL_COORDINATOR, school=school, email=email or f"coord-{school.slug}@example.org"
    )
    return PartnerSearchFactory(school=school, **search)


def names(response) -> list[str]:
    return [row.search.school.name for row in response.context["rows"]]


# -- the list ----------------------------------------------------------------------------------


def test_anyone_may_browse_the_list_but_no_address_is_shown(client, latvia):
    search = listed_school(latvia, email="hidden-coordinator@example.org")
    search.school.email = "school-office@example.org"
    search.school.save()
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert search.school.name in body
    assert "hidden-coordinator@example.org" not in body
    assert "mailto:" not in body
    # Anonymous visitors are offered to sign in, pointing back at the writing page.
    contact = reverse("partners:contact", args=[search.school.pk])
    assert f"?next={quote(contact, safe='')}" in body or f"?next={quote(contact)}" in body


def test_only_active_notices_of_network_schools_with_a_coordinator_are_listed(client, latvia):
    shown = listed_school(latvia)
    listed_school(latvia, active=False)
    left = listed_school(latvia)
    left.school.membership_status = MembershipStatus.WITHDRAWN
    left.school.save()
    applicant = listed_school(latvia)
    applicant.school.membership_status = MembershipStatus.UNDER_REVIEW
    applicant.school.save()
    PartnerSearchFactory(school=SchoolFactory(country=latvia))  # nobody to write to
    response = client.get(LIST)
    assert names(response) == [shown.school.name]


def test_filters_by_theme_level_language_and_countries(client, latvia, estonia):
    water, peace = ThematicAreaFactory(slug="water"), ThematicAreaFactory(slug="peace")
    finland = Country.objects.create(code="FI", name_lv="Somija", name_en="Finland")
    a = listed_school(
        latvia, themes=[water], levels=["primary"], languages=["lv", "en"], countries=[estonia]
    )
    b = listed_school(latvia, themes=[peace], levels=["upper_secondary"], languages=["ru"])
    c = listed_school(
        estonia,
        themes=[water, peace],
        levels=["primary", "vocational"],
        languages=["et"],
        countries=[finland],
    )

    def found(query: str) -> set[str]:
        return set(names(client.get(f"{LIST}?{query}")))

    assert found("theme=water") == {a.school.name, c.school.name}
    assert found("theme=water&theme=peace") == {a.school.name, b.school.name, c.school.name}
    assert found("level=upper_secondary") == {b.school.name}
    assert found("level=primary&language=en") == {a.school.name}
    assert found("language=ru&language=et") == {b.school.name, c.school.name}
    assert found("country=EE") == {c.school.name}
    # Welcoming partners from Estonia: a by name, b from any country.
    assert found("partners_from=EE") == {a.school.name, b.school.name}
    assert found("partners_from=FI&theme=peace") == {b.school.name, c.school.name}


def test_unknown_filter_values_are_reported_and_ignored(client, latvia):
    search = listed_school(latvia)
    response = client.get(f"{LIST}?level=university&country=XX")
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert 'role="alert"' in response.content.decode()
    assert names(response) == [search.school.name]


def test_the_list_is_paginated(client, latvia):
    for _ in range(23):
        listed_school(latvia)
    first = client.get(LIST)
    assert len(first.context["rows"]) == 20
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(f"{LIST}?page=2&level=primary")
    assert len(second.context["rows"]) == 3
    assert 'rel="prev"' in second.content.decode()


def test_htmx_gets_only_the_results(client, latvia):
    listed_school(latvia)
    response = client.get(LIST, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "HX-Request" in response["Vary"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{LIST}?level=primary")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_asks_the_same_number_of_queries_for_10_and_200_schools(
    client, latvia, estonia, signed_in
):
    themes = [ThematicAreaFactory(), ThematicAreaFactory()]
    if signed_in:
        viewer = person_with(Role.TEACHER, school=SchoolFactory(country=latvia))
        client.force_login(viewer)

    def add(n):
        for _ in range(n):
            listed_school(
                latvia,
                themes=themes,
                countries=[latvia, estonia],
                levels=["primary", "vocational"],
                languages=["lv", "en"],
            )

    add(10)
    few = _list_queries(client)
    add(190)
    many = _list_queries(client)
    assert few == many
    assert few <= 15


def test_a_note_with_html_is_shown_as_text(client, latvia):
    listed_school(latvia, note='<script>alert("x")</script>\n<b>bold</b>')
    body = client.get(LIST).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;b&gt;bold&lt;/b&gt;" in body


def test_the_readers_own_school_has_no_writing_link(client, school, coordinator):
    PartnerSearchFactory(school=school)
    client.force_login(coordinator)
    response = client.get(LIST)
    assert response.context["rows"][0].own is True
    assert reverse("partners:contact", args=[school.pk]) not in response.content.decode()


# -- writing to a school -----------------------------------------------------------------------


@pytest.fixture
def target(other_school):
    person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="secret-berzi@example.org")
    return PartnerSearchFactory(school=other_school)


def contact_url(search) -> str:
    return reverse("partners:contact", args=[search.school.pk])


def test_anonymous_visitors_are_sent_to_sign_in(client, target):
    url = contact_url(target)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


def test_the_writing_page_ladder(
    client, target, latvia, school, coordinator, teacher, national_coordinator
):
    url = contact_url(target)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(person_with(Role.REVIEWER, country=latvia))
    assert client.get(url).status_code == 403
    for person in (coordinator, teacher):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert "secret-berzi@example.org" not in response.content.decode()
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    assert client.get(url).status_code == 200
    # One's own school: refused.
    own = PartnerSearchFactory(school=school)
    client.force_login(coordinator)
    assert client.get(contact_url(own)).status_code == 403


def test_a_school_that_is_not_listed_is_not_found(client, target, coordinator):
    client.force_login(coordinator)
    PartnerSearch.objects.filter(pk=target.pk).update(active=False)
    assert client.get(contact_url(target)).status_code == 404
    assert client.get(reverse("partners:contact", args=[999_999])).status_code == 404


def test_writing_sends_the_message_and_returns_to_the_list(client, target, coordinator, mailoutbox):
    client.force_login(coordinator)
    response = client.post(
        contact_url(target), {"subject": "Projekts", "message": "Vai strādāsim kopā?"}
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert [email.to for email in mailoutbox] == [["secret-berzi@example.org"]]
    assert mailoutbox[0].reply_to == [coordinator.email]
    page = client.get(LIST).content.decode()
    assert "secret-berzi@example.org" not in page


def test_a_message_with_errors_comes_back_with_what_was_typed(
    client, target, coordinator, mailoutbox
):
    client.force_login(coordinator)
    response = client.post(
        contact_url(target), {"subject": "", "message": "Mans garais teksts <i>ar</i> zīmēm"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["subject"]
    assert "Mans garais teksts &lt;i&gt;ar&lt;/i&gt; zīmēm" in response.content.decode()
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(action=AuditAction.PARTNER_CONTACTED).exists()


@override_settings(ASPHUB_PARTNER_CONTACTS_PER_HOUR=1)
def test_past_the_hourly_limit_the_message_is_kept_and_nothing_is_sent(
    client, target, coordinator, mailoutbox
):
    client.force_login(coordinator)
    client.post(contact_url(target), {"subject": "Pirmā", "message": "Pirmais"})
    response = client.post(contact_url(target), {"subject": "Otrā", "message": "Otrais teksts"})
    assert response.status_code == 429
    assert [error.code for error in response.context["form"].errors.as_data()["__all__"]] == [
        "rate_limited"
    ]
    assert "Otrais teksts" in response.content.decode()
    assert len(mailoutbox) == 1


def test_the_writing_page_answers_only_get_and_post(client, target, coordinator):
    client.force_login(coordinator)
    assert client.put(contact_url(target)).status_code == 405


# -- the coordinator's notice ------------------------------------------------------------------


def edit_url(school) -> str:
    return reverse("partners:edit", args=[school.pk])


def test_the_notice_page_ladder(
    client, school, other_school, coordinator, teacher, national_coordinator, administrator
):
    url = edit_url(school)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    assert client.get(edit_url(other_school)).status_code == 404
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    enrol_authenticator(administrator)
    client.force_login(administrator)
    assert client.get(url).status_code == 200


def test_the_coordinator_lists_the_school_from_the_workspace(client, school, coordinator, estonia):
    theme = ThematicAreaFactory(slug="heritage")
    client.force_login(coordinator)
    dashboard = client.get(reverse("dashboard:school", args=[school.pk])).content.decode()
    assert edit_url(school) in dashboard
    response = client.post(
        edit_url(school),
        {
            "active": "on",
            "themes": [theme.pk],
            "education_levels": ["primary", "lower_secondary"],
            "languages": ["lv", "en"],
            "countries": [estonia.pk],
            "note": "Mantojuma projekts.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:school", args=[school.pk])
    search = PartnerSearch.objects.get(school=school)
    assert search.active and list(search.themes.all()) == [theme]
    listed = client.get(f"{LIST}?theme=heritage&level=lower_secondary&partners_from=EE")
    # One's own school is listed (without the writing link).
    assert [row.search.school for row in listed.context["rows"]] == [school]
    # The form opens again with what was saved.
    form = client.get(edit_url(school)).context["form"]
    assert form.initial["education_levels"] == ["primary", "lower_secondary"]
    assert form.initial["languages"] == ["lv", "en"]


def test_the_dashboard_has_no_link_for_a_teacher(client, school, teacher):
    client.force_login(teacher)
    dashboard = client.get(reverse("dashboard:school", args=[school.pk])).content.decode()
    assert edit_url(school) not in dashboard


def test_a_notice_with_errors_keeps_what_was_typed(client, school, coordinator):
    client.force_login(coordinator)
    typed = "Garš teksts " + "ā" * 600
    response = client.post(
        edit_url(school), {"active": "on", "education_levels": ["primary"], "note": typed}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    body = response.content.decode()
    assert typed in body
    assert re.search(r'value="primary"[^>]*checked', body)
    assert not PartnerSearch.objects.exists()


def test_a_note_with_a_direction_override_is_refused_beside_the_field(client, school, coordinator):
    client.force_login(coordinator)
    response = client.post(edit_url(school), {"active": "on", "note": "abc\u202edef"})
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["note"]] == [
        "control_character"
    ]
    assert not PartnerSearch.objects.exists()


# -- countries in the reader's order, the notice's form, the empty list ------------------------


@pytest.fixture
def czechia_and_denmark(db):
    czechia, _ = Country.objects.update_or_create(
        code="CZ", defaults={"name_lv": "Čehija", "name_en": "Czechia"}
    )
    denmark, _ = Country.objects.update_or_create(
        code="DK", defaults={"name_lv": "Dānija", "name_en": "Denmark"}
    )
    central, _ = Country.objects.update_or_create(
        code="CF",
        defaults={"name_lv": "Centrālāfrikas Republika", "name_en": "Central African Republic"},
    )
    return czechia, denmark, central


def client_as(client, user):
    client.force_login(user)
    return client


def translation_url(url: str) -> str:
    """The English page's address (the pages' addresses carry the language)."""
    with translation.override("en"):
        return translate_url(url, "en")


def _order(labels, wanted) -> list[str]:
    return [label for label in labels if label in wanted]


def test_the_notice_offers_countries_as_boxes_in_latvian_alphabetical_order(
    client, school, coordinator, czechia_and_denmark
):
    response = client_as(client, coordinator).get(edit_url(school))
    field = response.context["form"]["countries"]
    labels = [str(label) for _value, label in field.field.widget.choices]
    assert _order(labels, {"Čehija", "Dānija", "Centrālāfrikas Republika"}) == [
        "Centrālāfrikas Republika",
        "Čehija",
        "Dānija",
    ]
    body = response.content.decode()
    assert 'type="checkbox" name="countries"' in body and "<select" not in body.split("<main", 1)[1]
    assert 'class="checks-scroll"' in body


def test_the_notice_offers_countries_in_english_order_to_english_readers(
    client, school, coordinator, czechia_and_denmark
):
    client.force_login(coordinator)
    with translation.override("en"):
        response = client.get(translation_url(edit_url(school)))
    labels = [
        str(label) for _value, label in response.context["form"]["countries"].field.widget.choices
    ]
    assert _order(labels, {"Czechia", "Denmark", "Central African Republic"}) == [
        "Central African Republic",
        "Czechia",
        "Denmark",
    ]


def test_the_looking_for_partners_box_is_a_checkbox_row_like_the_others(
    client, school, coordinator
):
    body = client_as(client, coordinator).get(edit_url(school)).content.decode()
    assert re.search(r'<div class="check"><input type="checkbox" name="active"', body)


def test_chosen_countries_are_saved_from_the_boxes(
    client, school, coordinator, czechia_and_denmark
):
    czechia, denmark, _central = czechia_and_denmark
    response = client_as(client, coordinator).post(
        edit_url(school), {"active": "on", "countries": [str(czechia.pk), str(denmark.pk)]}
    )
    assert response.status_code == 302
    assert set(PartnerSearch.objects.get(school=school).countries.all()) == {czechia, denmark}


def test_the_filters_and_rows_list_countries_in_latvian_order(client, latvia, czechia_and_denmark):
    czechia, denmark, central = czechia_and_denmark
    search = listed_school(latvia)
    search.countries.set([denmark, czechia, central])
    SchoolFactory(country=czechia)
    SchoolFactory(country=denmark)
    response = client.get(LIST)
    form = response.context["filter"].form
    for name in ("country", "partners_from"):
        labels = [str(label) for _value, label in form.fields[name].widget.choices]
        assert _order(labels, {"Čehija", "Dānija"}) == ["Čehija", "Dānija"], name
    partners = _order(
        [str(label) for _value, label in form.fields["partners_from"].widget.choices],
        {"Čehija", "Dānija", "Centrālāfrikas Republika"},
    )
    assert partners == ["Centrālāfrikas Republika", "Čehija", "Dānija"]
    assert response.context["rows"][0].countries == ["Centrālāfrikas Republika", "Čehija", "Dānija"]
    # The filter still takes a country by its code.
    assert client.get(LIST, {"partners_from": "CZ"}).status_code == 200


def test_an_empty_list_without_filters_says_no_school_is_looking_yet(client, latvia):
    empty = client.get(LIST)
    filtered = client.get(LIST, {"language": "lv"})
    assert not empty.context["rows"] and not filtered.context["rows"]
    assert not empty.context["filter"].has_values and filtered.context["filter"].has_values
    assert reverse("partners:list") + '">' not in empty.content.decode().split('id="results"')[1]


def test_the_reference_data_gives_latvian_names_iso_leaves_in_english(db):
    import json

    from django.conf import settings

    from asphub.countries.services import countries_load_iso
    from asphub.taxonomy.services import reference_data_load

    countries_load_iso()
    reference = json.loads((settings.BASE_DIR / "data" / "reference.json").read_text("utf-8"))
    reference_data_load(reference)
    names = dict(
        Country.objects.filter(code__in=["CZ", "SZ", "MK", "TR", "CV"]).values_list(
            "code", "name_lv"
        )
    )
    assert names == {
        "CZ": "Čehija",
        "SZ": "Esvatini",
        "MK": "Ziemeļmaķedonija",
        "TR": "Turcija",
        "CV": "Kaboverde",
    }
    assert Country.objects.get(code="TR").name_en == "Türkiye"
