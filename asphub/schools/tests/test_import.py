from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from asphub.accounts.models import User
from asphub.audit.models import AuditEntry, StandIn
from asphub.schools.csv_rows import SchoolFileError
from asphub.schools.models import School
from asphub.schools.services import SchoolImportRejected, schools_import

HEADER = "name,institution_type,ownership,municipality_code,municipality,settlement,latitude,longitude,location_precision\n"
GOOD = "Alsungas vidusskola,secondary,municipal,LV-050,Kuldīgas novads,Alsunga,56.981,21.561,settlement\n"
GOOD_2 = "Cēsu Pilsētas vidusskola,secondary,municipal,LV-022,Cēsu novads,Cēsis,57.312,25.275,settlement\n"
BAD_TYPE = "Nekāda skola,castle,municipal,LV-022,Cēsu novads,Cēsis,57.3,25.2,settlement\n"
BAD_CODE = "Vēl viena skola,basic,municipal,LV-999,,Cēsis,,,\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def run_import(content: str | bytes, **kwargs):
    latvia = kwargs.pop("country")
    data = content.encode("utf-8") if isinstance(content, str) else content
    return schools_import(actor=StandIn.COMMAND_LINE, country=latvia, content=data, **kwargs)


def test_valid_file_creates_schools_with_their_municipality(latvia):
    result = run_import(HEADER + GOOD + GOOD_2, country=latvia)
    assert sorted(result.created) == ["Alsungas vidusskola", "Cēsu Pilsētas vidusskola"]
    school = School.objects.get(name="Cēsu Pilsētas vidusskola")
    assert school.subdivision.code == "LV-022"
    assert school.country == latvia
    assert school.location_is_approximate


def test_reimport_updates_and_never_duplicates(latvia):
    run_import(HEADER + GOOD, country=latvia)
    changed = GOOD.replace("municipal", "state")
    result = run_import(HEADER + changed + GOOD_2, country=latvia)
    assert result.updated == ["Alsungas vidusskola"]
    assert result.created == ["Cēsu Pilsētas vidusskola"]
    assert School.objects.filter(name="Alsungas vidusskola").count() == 1
    assert School.objects.get(name="Alsungas vidusskola").ownership == "state"
    entry = AuditEntry.objects.get(action="school.import_update")
    assert entry.before["ownership"] == "municipal" and entry.after["ownership"] == "state"


def test_identical_reimport_changes_nothing(latvia):
    run_import(HEADER + GOOD, country=latvia)
    result = run_import(HEADER + GOOD, country=latvia)
    assert result.unchanged == ["Alsungas vidusskola"] and not result.updated


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(latvia):
    with pytest.raises(SchoolImportRejected) as rejected:
        run_import(HEADER + GOOD + BAD_TYPE + BAD_CODE, country=latvia)
    lines = [line for line, _message in rejected.value.errors]
    assert lines == [3, 4]
    assert "castle" in rejected.value.errors[0][1]
    assert "LV-999" in rejected.value.errors[1][1]
    assert not School.objects.exists()


def test_malformed_file_keeps_what_was_already_saved(latvia):
    run_import(HEADER + GOOD, country=latvia)
    School.objects.filter(name="Alsungas vidusskola").update(settlement="Alsunga (labots)")
    with pytest.raises(SchoolImportRejected):
        run_import(HEADER + GOOD + BAD_TYPE, country=latvia)
    assert School.objects.get().settlement == "Alsunga (labots)"


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(latvia):
    result = run_import(HEADER + BAD_TYPE + GOOD, country=latvia, skip_invalid=True)
    assert result.created == ["Alsungas vidusskola"]
    assert [line for line, _message in result.skipped] == [2]


def test_semicolon_separated_file_with_byte_order_mark(latvia):
    content = "\ufeff" + (HEADER + GOOD).replace(",", ";")
    result = run_import(content.encode("utf-8"), country=latvia)
    assert result.created == ["Alsungas vidusskola"]


def test_windows_line_endings_and_blank_lines(latvia):
    content = (HEADER + "\n" + GOOD + GOOD_2).replace("\n", "\r\n")
    assert len(run_import(content, country=latvia).created) == 2


def test_file_that_is_not_utf8_is_refused_clearly(latvia):
    with pytest.raises(SchoolFileError, match="UTF-8"):
        run_import((HEADER + GOOD).encode("cp1257"), country=latvia)


def test_missing_required_column_is_refused(latvia):
    with pytest.raises(SchoolFileError, match="institution_type"):
        run_import("name,municipality_code\nX,LV-022\n", country=latvia)


def test_row_with_too_many_values_is_reported(latvia):
    with pytest.raises(SchoolImportRejected) as rejected:
        run_import(HEADER + GOOD.strip() + ",extra\n", country=latvia)
    assert rejected.value.errors[0][0] == 2


def test_same_school_twice_in_one_file_is_reported(latvia):
    with pytest.raises(SchoolImportRejected) as rejected:
        run_import(HEADER + GOOD + GOOD, country=latvia)
    assert rejected.value.errors == [(3, rejected.value.errors[0][1])]
    assert "line 2" in rejected.value.errors[0][1]


def test_municipality_name_must_match_its_code(latvia):
    wrong = GOOD.replace("Kuldīgas novads", "Talsu novads")
    with pytest.raises(SchoolImportRejected) as rejected:
        run_import(HEADER + wrong, country=latvia)
    assert "LV-050" in rejected.value.errors[0][1]


def test_out_of_range_coordinates_are_refused(latvia):
    with pytest.raises(SchoolImportRejected):
        run_import(HEADER + GOOD.replace("56.981", "156.981"), country=latvia)


def test_html_in_a_name_is_stored_as_plain_text(latvia):
    hostile = GOOD.replace("Alsungas vidusskola", "<script>alert(1)</script> skola")
    run_import(HEADER + hostile, country=latvia)
    assert School.objects.get().name == "<script>alert(1)</script> skola"


def test_a_person_without_permission_cannot_import(latvia):
    visitor = User.objects.create_user("teacher@example.org", "x" * 14)
    with pytest.raises(PermissionDenied):
        schools_import(actor=visitor, country=latvia, content=(HEADER + GOOD).encode())
    assert not School.objects.exists()


def test_command_reports_bad_lines_and_imports_nothing(latvia, tmp_path: Path):
    path = tmp_path / "schools.csv"
    path.write_text(HEADER + GOOD + BAD_TYPE, encoding="utf-8")
    errors = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_schools", str(path), stderr=errors, stdout=StringIO())
    assert "Line 3" in errors.getvalue()
    assert not School.objects.exists()


def test_command_with_skip_invalid(latvia, tmp_path: Path):
    path = tmp_path / "schools.csv"
    path.write_text(HEADER + GOOD + BAD_TYPE, encoding="utf-8")
    out, errors = StringIO(), StringIO()
    call_command("import_schools", str(path), "--skip-invalid", stdout=out, stderr=errors)
    assert "Created 1" in out.getvalue()
    assert "line 3" in errors.getvalue().lower()
    assert School.objects.count() == 1


def test_extra_spreadsheet_columns_are_ignored_and_reported(latvia):
    content = HEADER.strip() + ",notes\n" + GOOD.strip() + ",call in May\n"
    result = run_import(content, country=latvia)
    assert result.created == ["Alsungas vidusskola"]
    assert result.ignored_columns == ["notes"]


def test_command_imports_another_countrys_schools(db, tmp_path: Path):
    from asphub.countries.services import countries_load_iso

    countries_load_iso()
    path = tmp_path / "ee.csv"
    path.write_text(
        "name;institution_type;municipality_code;settlement\n"
        "Tallinna Reaalkool;gymnasium;EE-784;Tallinn\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_schools", str(path), "--country", "ee", stdout=out, stderr=StringIO())
    school = School.objects.get(name="Tallinna Reaalkool")
    assert school.country.code == "EE" and school.subdivision.code == "EE-784"


def test_decimal_commas_from_a_latvian_spreadsheet(latvia):
    content = "name;institution_type;municipality_code;latitude;longitude\nSkola;basic;LV-022;57,31;25,27\n"
    run_import(content, country=latvia)
    assert str(School.objects.get().latitude) == "57.31000"


@pytest.mark.parametrize(
    "name", ["Jauna\nrinda skola", "Skola \u202egnp.exe\u202c", "Skola \u2067x\u2069"]
)
def test_a_name_with_a_line_break_or_direction_control_is_refused(latvia, name):
    content = (
        HEADER + f'"{name}",basic,municipal,LV-050,Kuldīgas novads,Alsunga,56.9,21.5,settlement\n'
    )
    with pytest.raises(SchoolImportRejected) as rejected:
        run_import(content, country=latvia)
    assert len(rejected.value.errors) == 1
    assert not School.objects.filter(country=latvia).exists()
