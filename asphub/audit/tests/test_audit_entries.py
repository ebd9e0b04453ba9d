"""The audit log's writer and its entries: append-only, stand-ins, labels in the reader's
language, and forgetting a person who deleted their account."""

import importlib

import pytest
from django.utils import translation

from asphub.accounts.tests.factories import UserFactory
from asphub.audit.display import recorded_values
from asphub.audit.models import AuditAction, AuditEntry, AuditNote, StandIn
from asphub.audit.services import audit_forget_person, audit_record
from asphub.roles.models import Role

pytestmark = pytest.mark.django_db


def entry(*, actor="Kārlis Koordinators", action=AuditAction.ROLE_GRANTED, **kw):
    return audit_record(actor=actor, action=action, country_code="LV", **kw)


def test_a_person_is_recorded_by_link_and_by_name():
    person = UserFactory(full_name="Anna Bērziņa")
    written = audit_record(actor=person, action=AuditAction.ACCOUNT_PROFILE_CHANGED, obj=person)
    assert (written.actor, written.actor_label) == (person, "Anna Bērziņa")
    assert (written.object_type, written.object_id) == ("accounts.user", str(person.pk))


def test_stand_ins_are_stored_in_english_and_read_in_the_readers_language():
    by_command = entry(actor=StandIn.COMMAND_LINE)
    by_nobody = entry(actor=None)
    assert (by_command.actor_label, by_nobody.actor_label) == ("command line", "system")
    with translation.override("lv"):
        assert by_command.who == "komandrinda"
        assert by_nobody.who == "sistēma"
    with translation.override("en"):
        assert by_command.who == "command line"


def test_actions_and_notes_read_in_the_readers_language_and_unknown_codes_as_recorded():
    known = entry(action=AuditAction.ROLE_GRANTED, note=AuditNote.BY_INVITATION)
    unknown = entry(action="something.new", note="a free note")
    with translation.override("lv"):
        assert known.action_label == "loma piešķirta"
        assert known.note_label == "ar uzaicinājumu"
    with translation.override("en"):
        assert (known.action_label, known.note_label) == ("role given", "by invitation")
    assert (unknown.action_label, unknown.note_label) == ("something.new", "a free note")


def test_recorded_values_show_keys_and_known_values_with_their_labels():
    values = {"role": "teacher", "school": "Rīgas skola", "email": "a@example.org", "x": None}
    with translation.override("en"):
        shown = recorded_values(values, value_choices={"role": Role})
    assert shown == [
        ("role", "teacher"),
        ("school", "Rīgas skola"),
        ("e-mail address", "a@example.org"),
        ("x", "—"),
    ]
    with translation.override("lv"):
        assert recorded_values({"role": "teacher"}, value_choices={"role": Role}) == [
            ("loma", "skolotājs")
        ]
    # Without the choices a code stays as recorded; lists read as lists.
    assert recorded_values({"role": "teacher", "added": ["A", "B"]})[0][1] == "teacher"
    assert recorded_values({"added": ["A", "B"]})[0][1] == "A, B"
    assert recorded_values(None) == []


def test_forgetting_a_person_keeps_every_entry_but_not_what_names_them():
    person = UserFactory(full_name="Anna Bērziņa", email="anna@example.org")
    other = UserFactory(full_name="Otto")
    own = audit_record(actor=person, action=AuditAction.ACCOUNT_PROFILE_CHANGED, obj=person,
                       after={"full_name": "Anna Bērziņa", "preferred_language": "lv"})  # fmt: skip
    about_them = audit_record(actor=other, action=AuditAction.ROLE_GRANTED, obj=person,
                              after={"role": "teacher"})  # fmt: skip
    unrelated = audit_record(actor=other, action=AuditAction.ROLE_GRANTED, obj=other)
    before = AuditEntry.objects.count()

    audit_forget_person(user=person)

    assert AuditEntry.objects.count() == before
    own.refresh_from_db()
    about_them.refresh_from_db()
    unrelated.refresh_from_db()
    assert own.actor_label == "former member"
    assert own.after == {"full_name": "former member", "preferred_language": "lv"}
    assert about_them.object_label == "former member"
    assert about_them.actor_label == "Otto"
    assert about_them.after == {"role": "teacher"}
    assert unrelated.object_label == "Otto"


def test_earlier_entries_are_recoded_once_into_the_fixed_list_of_actions():
    migration = importlib.import_module(
        "asphub.audit.migrations.0002_admin_actions_and_invitation_note_recorded_one_way"
    )
    recode = migration.new_admin_action
    assert recode("school.changed_in_admin") == AuditAction.ADMIN_CHANGED
    assert recode("school.added_in_admin") == AuditAction.ADMIN_ADDED
    assert recode("page.changed_in_admin") == AuditAction.ADMIN_CHANGED
    assert recode("school.deleted_in_admin") == AuditAction.ADMIN_DELETED
    assert recode("school.flagshipparticipation_changed_in_admin") == (
        AuditAction.ADMIN_RELATED_CHANGED
    )
    assert recode("role.granted") is None
    # Every code the platform writes today is in the fixed list.
    assert {recode(code) for code in ("a.added_in_admin", "a.changed_in_admin")} <= set(
        AuditAction.values
    )


def test_an_entry_cannot_be_changed_once_written():
    written = entry(actor="Anna", note="as it happened")
    written.note = "rewritten history"
    written.actor_label = "Someone Else"
    with pytest.raises(ValueError, match="append-only"):
        written.save()
    stored = AuditEntry.objects.get(pk=written.pk)
    assert (stored.note, stored.actor_label) == ("as it happened", "Anna")


def test_an_entry_fetched_again_cannot_be_changed_either():
    written = entry(note="as it happened")
    again = AuditEntry.objects.get(pk=written.pk)
    again.note = "rewritten"
    with pytest.raises(ValueError):
        again.save(update_fields=["note"])
    assert AuditEntry.objects.get(pk=written.pk).note == "as it happened"


def test_entries_cannot_be_deleted_or_rewritten_in_bulk():
    written = entry(note="as it happened")
    for attempt in (
        lambda: written.delete(),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(pk=written.pk).update(note="rewritten"),
        lambda: AuditEntry.objects.filter(pk=written.pk).scrub_personal_data(note="rewritten"),
    ):
        with pytest.raises(ValueError, match="append-only|may be scrubbed"):
            attempt()
    assert AuditEntry.objects.get(pk=written.pk).note == "as it happened"


def test_recorded_moments_and_methods_read_as_words():
    with translation.override("en"):
        shown = dict(
            recorded_values({"expires_at": "2026-12-08T12:14:51.601455+00:00", "method": "totp"})
        )
    assert shown == {"valid until": "8 December 2026, 14:14", "method": "authenticator app"}
