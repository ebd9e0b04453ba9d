"""Per-country membership rules (nothing assumes Latvia) and the schools to act on."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from asphub.accounts.tests.factories import enrol_authenticator
from asphub.audit.models import AuditAction, AuditEntry
from asphub.membership.models import ApplicationQuestion
from asphub.membership.selectors import schools_to_act_on
from asphub.membership.services.applications import team_rule_problems
from asphub.membership.services.rules import country_rules_update
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.lifecycle import MembershipAction, allowed_targets
from asphub.schools.models import MembershipStatus
from asphub.schools.profile_services import school_withdrawal_request
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
S = MembershipStatus

RULES = {
    "uses_candidate_stage": False,
    "candidate_stage_months": 12,
    "renewal_period_years": 5,
    "minimum_team_size": 1,
    "minimum_team_teachers": 0,
    "minimum_team_administration": 0,
}


def form_data(rules: dict) -> dict:
    """The rules as a browser posts them: a ticked box as "on", an unticked one left out."""
    return {
        key: ("on" if value is True else value)
        for key, value in rules.items()
        if value is not False
    }


def test_a_second_country_runs_with_its_own_rules(latvia, estonia, administrator):
    latvia.minimum_team_size, latvia.minimum_team_teachers = 3, 2
    latvia.save()
    country_rules_update(actor=administrator, country=estonia, rules=RULES, questions=[])
    estonia.refresh_from_db()
    latvia.refresh_from_db()
    assert allowed_targets(S.ENDORSED, estonia) == {S.MEMBER}
    assert allowed_targets(S.ENDORSED, latvia) == {S.CANDIDATE}
    one_person = [{"full_name": "Mari Tamm", "team_role": "other"}]
    assert team_rule_problems(estonia, one_person) == []
    assert len(team_rule_problems(latvia, one_person)) == 2
    entry = AuditEntry.objects.get(action=AuditAction.COUNTRY_RULES_CHANGED)
    assert entry.country_code == "EE"
    assert entry.after["uses_candidate_stage"] is False
    assert entry.before["uses_candidate_stage"] is True


def test_only_the_countrys_coordinator_changes_its_rules(latvia, estonia):
    foreign = person_with(Role.NATIONAL_COORDINATOR, country=estonia)
    with pytest.raises(PermissionDenied):
        country_rules_update(actor=foreign, country=latvia, rules=RULES, questions=[])
    latvia.refresh_from_db()
    assert latvia.uses_candidate_stage is True
    assert not AuditEntry.objects.filter(action=AuditAction.COUNTRY_RULES_CHANGED).exists()


def test_the_rules_page_saves_rules_and_questions(client, latvia, national_coordinator):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    url = reverse("membership:rules", args=["LV"])
    assert client.get(url).status_code == 200
    data = {
        **form_data(RULES),
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-text_lv": "Vai skolai ir partneri ārzemēs?",
        "questions-0-text_en": "Does the school have partners abroad?",
        "questions-0-required": "on",
        "questions-0-active": "on",
        "questions-0-position": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    latvia.refresh_from_db()
    assert latvia.uses_candidate_stage is False
    assert latvia.renewal_period_years == 5
    question = ApplicationQuestion.objects.get(country=latvia)
    assert question.required


def test_an_impossible_team_rule_is_refused_with_what_was_typed(
    client, latvia, national_coordinator
):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    data = {
        **form_data(RULES),
        "minimum_team_size": 2,
        "minimum_team_teachers": 3,
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("membership:rules", args=["LV"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "team_rule"
    assert 'value="3"' in response.content.decode()
    latvia.refresh_from_db()
    assert latvia.minimum_team_teachers == 0


def test_schools_to_act_on_names_each_reason(latvia, administrator):
    latvia.uses_candidate_stage = True
    latvia.candidate_stage_months = 12
    latvia.renewal_period_years = 5
    latvia.save()
    now = timezone.now()
    long_candidate = SchoolFactory(
        country=latvia, membership_status=S.CANDIDATE, status_changed_at=now - timedelta(days=400)
    )
    new_candidate = SchoolFactory(
        country=latvia, membership_status=S.CANDIDATE, status_changed_at=now - timedelta(days=30)
    )
    old_member = SchoolFactory(
        country=latvia,
        membership_status=S.MEMBER,
        certificate_date=date(2015, 5, 1),
        status_changed_at=now,
    )
    person_with(Role.SCHOOL_COORDINATOR, school=new_candidate)
    person_with(Role.SCHOOL_COORDINATOR, school=old_member)
    rows = {school.pk: school for school in schools_to_act_on(latvia)}
    assert rows[long_candidate.pk].overdue_candidate
    assert not rows[long_candidate.pk].has_coordinator
    assert new_candidate.pk not in rows
    assert rows[old_member.pk].renewal_due
    assert not rows[old_member.pk].overdue_candidate


def test_the_act_on_page_pages_with_bounded_queries(
    client, latvia, national_coordinator, django_assert_max_num_queries
):
    for number in range(70):
        SchoolFactory(country=latvia, name=f"Skola bez koordinatora {number}")
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("membership:act_on", args=["LV"]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 70
    rows = response.context["page"].object_list
    assert len(rows) == 50
    assert all(not school.has_coordinator for school in rows)


def test_imported_schools_start_their_history_with_the_status_recorded(loaded_network):
    school = loaded_network.schools.order_by("sort_key").first()
    change = school.history.get()
    assert change.action == MembershipAction.RECORDED
    assert change.to_status == S.MEMBER
    assert change.reason_label  # "recorded at import", translated on display
    assert change.reason == "recorded at import"


def test_the_migration_records_each_existing_status_once(latvia):
    migration = import_module("asphub.schools.migrations.0005_record_existing_statuses_in_history")
    schools = [SchoolFactory(country=latvia, membership_status=S.DORMANT) for _ in range(3)]
    migration.record_statuses(apps, None)
    migration.record_statuses(apps, None)
    for school in schools:
        school.refresh_from_db()
        assert [c.to_status for c in school.history.all()] == [S.DORMANT]
        assert school.history.get().reason == "recorded at import"
        assert school.status_changed_at is not None


def test_the_candidate_stage_can_be_switched_off_without_a_length(
    client, latvia, national_coordinator
):
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    rules = {**RULES, "candidate_stage_months": ""}
    data = {**form_data(rules), "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0"}
    response = client.post(reverse("membership:rules", args=["LV"]), data)
    assert response.status_code == 302
    latvia.refresh_from_db()
    assert latvia.uses_candidate_stage is False
    assert latvia.candidate_stage_months == 12  # kept, unused


def test_a_school_that_asked_to_withdraw_is_to_act_on(latvia, client, national_coordinator):
    school = SchoolFactory(country=latvia, membership_status=S.MEMBER)
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school)
    school_withdrawal_request(actor=coordinator, school=school, reason="Skola apvienojas.")
    rows = {row.pk: row for row in schools_to_act_on(latvia)}
    assert rows[school.pk].withdrawal_requested
    enrol_authenticator(national_coordinator)
    client.force_login(national_coordinator)
    case = client.get(reverse("membership:school", args=[school.pk])).content.decode()
    assert "Skola apvienojas." in case
