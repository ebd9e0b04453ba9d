"""Partner finding's services: the coordinator's notice and a message to a listed school."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from asphub.accounts.tests.factories import UserFactory
from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.partners.models import PartnerSearch
from asphub.partners.services import (
    ContactRefused,
    partner_contact_send,
    partner_search_update,
)
from asphub.practices.tests.factories import ThematicAreaFactory
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

from .factories import PartnerSearchFactory

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


def state() -> dict:
    """Everything a refused call must leave as it was."""
    return {
        "searches": list(PartnerSearch.objects.values()),
        "audit": AuditEntry.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


# -- the notice ---------------------------------------------------------------------------


def test_coordinator_lists_the_school_with_its_choices_and_the_change_is_audited(
    school, coordinator, estonia
):
    theme = ThematicAreaFactory()
    search = partner_search_update(
        actor=coordinator,
        school=school,
        active=True,
        themes=[theme],
        education_levels=["upper_secondary", "primary", "primary"],
        languages=["en", "lv"],
        countries=[estonia],
        note="  Ūdens projekts ar skolām Baltijas jūras krastā.  ",
    )
    assert search.school == school
    assert list(search.themes.all()) == [theme]
    assert sorted(search.levels.values_list("level", flat=True)) == ["primary", "upper_secondary"]
    assert sorted(search.languages.values_list("language", flat=True)) == ["en", "lv"]
    assert list(search.countries.all()) == [estonia]
    assert search.note == "Ūdens projekts ar skolām Baltijas jūras krastā."
    assert search.updated_by == coordinator
    entry = AuditEntry.objects.get(action=AuditAction.PARTNER_SEARCH_CHANGED)
    assert entry.actor == coordinator
    assert entry.country_code == "LV"
    assert entry.before is None
    assert entry.after["levels"] == ["primary", "upper_secondary"]
    assert entry.after["countries"] == ["EE"]


def test_a_second_save_changes_the_same_notice_and_records_before_and_after(school, coordinator):
    partner_search_update(
        actor=coordinator, school=school, active=True, education_levels=["primary"]
    )
    partner_search_update(actor=coordinator, school=school, active=False, education_levels=[])
    search = PartnerSearch.objects.get(school=school)
    assert search.active is False
    assert not search.levels.exists()
    entry = AuditEntry.objects.filter(action=AuditAction.PARTNER_SEARCH_CHANGED).first()
    assert entry.before["active"] is True and entry.before["levels"] == ["primary"]
    assert entry.after["active"] is False and entry.after["levels"] == []


def test_administrator_and_command_line_may_keep_the_notice(school, administrator):
    partner_search_update(actor=administrator, school=school, active=True)
    partner_search_update(actor=StandIn.COMMAND_LINE, school=school, active=False)
    assert PartnerSearch.objects.get(school=school).active is False


@pytest.mark.parametrize(
    "who", ["teacher", "national_coordinator", "other_coordinator", "no_role", "anonymous"]
)
def test_only_the_schools_coordinator_keeps_its_notice(request, school, other_school, who):
    from django.contrib.auth.models import AnonymousUser

    actors = {
        "teacher": lambda: request.getfixturevalue("teacher"),
        "national_coordinator": lambda: request.getfixturevalue("national_coordinator"),
        "other_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=other_school),
        "no_role": lambda: UserFactory(),
        "anonymous": AnonymousUser,
    }
    actor = actors[who]()
    before = state()
    with pytest.raises(PermissionDenied):
        partner_search_update(actor=actor, school=school, active=True, note="x")
    assert state() == before


@pytest.mark.parametrize(
    "status", [MembershipStatus.SUBMITTED, MembershipStatus.WITHDRAWN, MembershipStatus.EXCLUDED]
)
def test_a_school_outside_the_network_cannot_be_listed(latvia, status):
    outside = SchoolFactory(country=latvia, membership_status=status)
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=outside)
    before = state()
    with pytest.raises(PermissionDenied):
        partner_search_update(actor=coordinator, school=outside, active=True)
    assert state() == before


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"education_levels": ["university"]}, "invalid_choice"),
        ({"languages": ["xx"]}, "invalid_choice"),
        ({"note": "x" * 601}, "too_long"),
        ({"note": "Sveiki\u202eevil"}, "control_character"),
        ({"note": "bell\x07"}, "control_character"),
    ],
)
def test_bad_choices_and_text_are_refused_and_change_nothing(school, coordinator, fields, code):
    PartnerSearchFactory(school=school, note="Vecā piezīme")
    before = state()
    with pytest.raises(ValidationError) as refused:
        partner_search_update(actor=coordinator, school=school, active=True, **fields)
    assert code in codes(refused.value)
    assert state() == before


def test_too_many_countries_are_refused(school, coordinator):
    from asphub.countries.models import Country

    many = [
        Country.objects.create(code=f"Q{chr(65 + i)}", name_lv=f"V{i}", name_en=f"C{i}")
        for i in range(26)
    ]
    many += [
        Country.objects.create(code=f"Z{chr(65 + i)}", name_lv=f"W{i}", name_en=f"D{i}")
        for i in range(5)
    ]
    with pytest.raises(ValidationError) as refused:
        partner_search_update(actor=coordinator, school=school, active=True, countries=many)
    assert codes(refused.value) == {"too_many_countries"}
    assert not PartnerSearch.objects.exists()


# -- writing to a school --------------------------------------------------------------------


@pytest.fixture
def listed(other_school):
    """The other school, listed, with a coordinator who reads English."""
    person_with(
        Role.SCHOOL_COORDINATOR,
        school=other_school,
        email="berzi@example.org",
        full_name="Baiba Bērza",
        preferred_language="en",
    )
    return PartnerSearchFactory(school=other_school)


def test_a_message_goes_to_the_coordinator_with_the_senders_address_to_reply_to(
    listed, coordinator, mailoutbox
):
    sent = partner_contact_send(
        sender=coordinator,
        school=listed.school,
        subject="Kopīgs projekts",
        message='Sveiki! <b>Mēs</b> & "jūs" <script>alert(1)</script>\nOtrā rinda.',
    )
    assert sent == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["berzi@example.org"]
    assert email.reply_to == ["ilze@example.org"]
    assert email.cc == [] and email.bcc == []
    assert "Kopīgs projekts" in email.subject
    # Plain text, exactly as typed: nothing escaped, and nothing but text.
    assert 'Sveiki! <b>Mēs</b> & "jūs" <script>alert(1)</script>\nOtrā rinda.' in email.body
    assert "&amp;" not in email.body and "&lt;" not in email.body
    assert email.alternatives == []
    assert "Ozolu pamatskola" in email.body  # who writes, and from which school
    assert "Ilze Kalna" in email.body


def test_each_coordinator_gets_their_own_message(listed, coordinator, mailoutbox):
    person_with(Role.SCHOOL_COORDINATOR, school=listed.school, email="otra@example.org")
    assert (
        partner_contact_send(sender=coordinator, school=listed.school, subject="S", message="M")
        == 2
    )
    assert sorted(tuple(email.to) for email in mailoutbox) == [
        ("berzi@example.org",),
        ("otra@example.org",),
    ]


def test_the_audit_entry_names_the_school_but_not_the_message(listed, teacher):
    partner_contact_send(
        sender=teacher, school=listed.school, subject="Slepens temats", message="Slepens teksts"
    )
    entry = AuditEntry.objects.get(action=AuditAction.PARTNER_CONTACTED)
    assert entry.actor == teacher
    assert entry.object_id == str(listed.school.pk)
    assert entry.country_code == "LV"
    recorded = f"{entry.before} {entry.after} {entry.note} {entry.object_label}"
    assert "Slepens" not in recorded
    assert "berzi@example.org" not in recorded


def test_a_national_coordinator_may_write(listed, national_coordinator, mailoutbox):
    partner_contact_send(
        sender=national_coordinator, school=listed.school, subject="S", message="M"
    )
    assert mailoutbox[0].reply_to == ["national@example.org"]
    assert "Latvia" in mailoutbox[0].body  # the recipient reads English


@pytest.mark.parametrize("who", ["no_role", "reviewer", "anonymous", "command_line"])
def test_people_outside_the_schools_and_coordinators_cannot_write(listed, latvia, who):
    from django.contrib.auth.models import AnonymousUser

    sender = {
        "no_role": lambda: UserFactory(),
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "anonymous": AnonymousUser,
        "command_line": lambda: StandIn.COMMAND_LINE,
    }[who]()
    before = state()
    with pytest.raises(PermissionDenied):
        partner_contact_send(sender=sender, school=listed.school, subject="S", message="M")
    assert state() == before


def test_no_one_writes_to_their_own_school(school, coordinator):
    PartnerSearchFactory(school=school)
    teacher = person_with(Role.TEACHER, school=school)
    before = state()
    for sender in (coordinator, teacher):
        with pytest.raises(ContactRefused) as refused:
            partner_contact_send(sender=sender, school=school, subject="S", message="M")
        assert refused.value.code == "own_school"
    assert state() == before


@pytest.mark.parametrize(
    "case", ["inactive", "dormant_ok", "withdrawn", "no_search", "no_coordinator"]
)
def test_only_listed_schools_can_be_written_to(latvia, coordinator, mailoutbox, case):
    target = SchoolFactory(country=latvia)
    if case != "no_coordinator":
        person_with(Role.SCHOOL_COORDINATOR, school=target)
    if case != "no_search":
        PartnerSearchFactory(school=target, active=case != "inactive")
    if case == "withdrawn":
        target.membership_status = MembershipStatus.WITHDRAWN
        target.save()
    if case == "dormant_ok":
        target.membership_status = MembershipStatus.DORMANT
        target.save()
        assert (
            partner_contact_send(sender=coordinator, school=target, subject="S", message="M") == 1
        )
        return
    before = state()
    with pytest.raises(ContactRefused) as refused:
        partner_contact_send(sender=coordinator, school=target, subject="S", message="M")
    assert refused.value.code == "not_listed"
    assert state() == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("subject", "message", "code"),
    [
        ("", "M", "required"),
        ("S", "   ", "required"),
        ("Line\nBcc: x@example.org", "M", "control_character"),
        ("S" * 151, "M", "too_long"),
        ("S", "M" * 5001, "too_long"),
        ("S", "text\x1b[31m", "control_character"),
    ],
)
def test_bad_messages_are_refused_with_a_code_and_send_nothing(
    listed, coordinator, subject, message, code
):
    before = state()
    with pytest.raises(ValidationError) as refused:
        partner_contact_send(
            sender=coordinator, school=listed.school, subject=subject, message=message
        )
    assert code in codes(refused.value)
    assert state() == before


@override_settings(ASPHUB_PARTNER_CONTACTS_PER_HOUR=2)
def test_a_sender_may_write_a_few_times_an_hour(listed, coordinator, teacher, mailoutbox):
    for _ in range(2):
        partner_contact_send(sender=coordinator, school=listed.school, subject="S", message="M")
    before = state()
    with pytest.raises(ContactRefused) as refused:
        partner_contact_send(sender=coordinator, school=listed.school, subject="S", message="M")
    assert refused.value.code == "rate_limited"
    assert state() == before
    # The limit is the sender's own: someone else still writes.
    partner_contact_send(sender=teacher, school=listed.school, subject="S", message="M")
    assert len(mailoutbox) == 3


@override_settings(ASPHUB_PARTNER_CONTACTS_PER_HOUR=1)
def test_a_refused_text_does_not_use_up_the_hour(listed, coordinator):
    with pytest.raises(ValidationError):
        partner_contact_send(sender=coordinator, school=listed.school, subject="", message="M")
    assert (
        partner_contact_send(sender=coordinator, school=listed.school, subject="S", message="M")
        == 1
    )
    assert len(mail.outbox) == 1
