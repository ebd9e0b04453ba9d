"""The import writes in short transactions of IMPORT_BATCH_ROWS rows, each recorded in the audit
log as it is written; an import stopped midway keeps what it wrote and the same file finishes
it. (Concurrency over a real server: test_import_concurrency.py.)"""

import pytest

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.schools import services
from asphub.schools.models import School
from asphub.schools.services import schools_import

pytestmark = pytest.mark.django_db

HEADER = "name,institution_type,ownership,municipality_code,settlement,latitude,longitude\n"
BAD = "Pils skola,castle,municipal,LV-022,Cēsis,,\n"


def rows(*names: str) -> str:
    return "".join(f"{name},basic,municipal,LV-022,Cēsis,57.31,25.27\n" for name in names)


def run(latvia, content: str, **options):
    return schools_import(
        actor=StandIn.COMMAND_LINE, country=latvia, content=content.encode(), **options
    )


def summaries() -> list[dict]:
    entries = AuditEntry.objects.filter(action=AuditAction.SCHOOLS_IMPORTED).order_by("id")
    return [entry.after for entry in entries]


@pytest.fixture
def batches_of_two(monkeypatch):
    monkeypatch.setattr(services, "IMPORT_BATCH_ROWS", 2)


def test_the_audit_log_names_the_schools_an_import_created(latvia):
    run(latvia, HEADER + rows("Alsungas skola", "Cēsu skola"))
    created = School.objects.order_by("name")
    [summary] = summaries()
    assert summary["created"] == 2
    assert summary["created_schools"] == ["Alsungas skola", "Cēsu skola"]
    assert summary["created_school_ids"] == [school.pk for school in created]


def test_each_batch_is_recorded_with_the_schools_it_created(latvia, batches_of_two):
    names = [f"Skola {number}" for number in range(5)]
    result = run(latvia, HEADER + rows(*names))
    assert result.created == names
    recorded = summaries()
    assert [entry["created_schools"] for entry in recorded] == [names[:2], names[2:4], names[4:]]
    ids = [pk for entry in recorded for pk in entry["created_school_ids"]]
    assert sorted(ids) == sorted(School.objects.values_list("pk", flat=True))


def test_skipped_lines_are_recorded_once(latvia, batches_of_two):
    run(latvia, HEADER + BAD + rows("A skola", "B skola", "C skola"), skip_invalid=True)
    assert [entry["skipped_lines"] for entry in summaries()] == [[2], []]


def test_a_file_of_bad_rows_only_is_recorded_when_skipped(latvia):
    result = run(latvia, HEADER + BAD, skip_invalid=True)
    assert not result.created and [line for line, _reason in result.skipped] == [2]
    assert summaries() == [
        {"created": 0, "created_schools": [], "created_school_ids": [], "updated": 0,
         "unchanged": 0, "skipped_lines": [2]}
    ]  # fmt: skip


def test_a_reimport_that_changes_nothing_records_nothing(latvia, batches_of_two):
    content = HEADER + rows("A skola", "B skola", "C skola")
    run(latvia, content)
    before = AuditEntry.objects.count()
    result = run(latvia, content)
    assert len(result.unchanged) == 3
    assert AuditEntry.objects.count() == before


def test_an_import_stopped_midway_keeps_its_batches_and_the_same_file_finishes_it(
    latvia, batches_of_two, monkeypatch
):
    content = HEADER + rows(*(f"Skola {number}" for number in range(5)))
    write_batch = services._write_batch
    calls = []

    def crash_on_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the server went down")
        return write_batch(**kwargs)

    monkeypatch.setattr(services, "_write_batch", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        run(latvia, content)
    # The first batch, and its record, were kept; nothing of the second.
    assert sorted(School.objects.values_list("name", flat=True)) == ["Skola 0", "Skola 1"]
    assert [entry["created_schools"] for entry in summaries()] == [["Skola 0", "Skola 1"]]

    monkeypatch.setattr(services, "_write_batch", write_batch)
    result = run(latvia, content)
    assert result.unchanged == ["Skola 0", "Skola 1"]
    assert result.created == ["Skola 2", "Skola 3", "Skola 4"]
    assert School.objects.count() == 5


def test_names_differing_only_in_case_are_the_same_school(latvia, batches_of_two):
    run(latvia, HEADER + rows("Cēsu Valsts ģimnāzija"))
    result = run(latvia, HEADER + rows("CĒSU VALSTS ĢIMNĀZIJA", "Cita skola"))
    assert result.created == ["Cita skola"]
    assert School.objects.count() == 2


def test_new_schools_get_free_addresses_in_the_directory(latvia, batches_of_two):
    run(latvia, HEADER + rows("Skola"))
    result = run(latvia, HEADER + rows("skola!", "Skola?", "SKOLA."))
    assert len(result.created) == 3
    assert sorted(School.objects.values_list("slug", flat=True)) == [
        "skola", "skola-2", "skola-3", "skola-4",
    ]  # fmt: skip
