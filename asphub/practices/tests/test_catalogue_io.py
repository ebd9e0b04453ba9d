"""The catalogue's export (CSV and JSON, the web exports and export_practices) and the import
that reads the same format back (import_practices), row by row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.urls import reverse

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.core.storage import private_storage
from asphub.practices import catalogue_io
from asphub.practices.catalogue_io import (
    EXPORT_COLUMNS,
    CatalogueFileError,
    PracticeImportRejected,
    catalogue_export_folder,
    practices_import,
)
from asphub.practices.models import Practice, PracticeFile, PracticeKind, PracticeStatus
from asphub.practices.tests.factories import (
    ArchivedPracticeFactory,
    InReviewPracticeFactory,
    InternationalDayFactory,
    PillarFactory,
    PracticeFactory,
    PracticeFileFactory,
    PracticeLinkFactory,
    PublishedPracticeFactory,
    SubmittedPracticeFactory,
    SustainableDevelopmentGoalFactory,
    ThematicAreaFactory,
    pdf_bytes,
    stored_picture,
)
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.tests.factories import FlagshipFactory
from asphub.search.models import SearchDocument

pytestmark = pytest.mark.django_db

# What an export says of an item that an import into another database cannot keep the same.
NOT_CARRIED = ("id", "url")


@pytest.fixture
def vocabulary(db):
    return {
        "peace": ThematicAreaFactory(slug="peace", name_lv="Miers", name_en="Peace"),
        "esd": ThematicAreaFactory(slug="esd", name_lv="IAI", name_en="ESD"),
        "to_know": PillarFactory(slug="to-know", name_lv="Mācīties zināt", name_en="To know"),
        "goal": SustainableDevelopmentGoalFactory(number=4, name_en="Quality education"),
        "flagship": FlagshipFactory(slug="baltic-sea-project", name_en="Baltic Sea Project"),
        "day": InternationalDayFactory(slug="water-day", name_en="World Water Day"),
    }


@pytest.fixture
def catalogue(school, other_school, vocabulary):
    """A published catalogue with every kind of metadata, files and links, beside the items
    that must never leave the platform."""
    full = PublishedPracticeFactory(
        school=school,
        kind="teaching_material",
        title='=HYPERLINK("http://evil")',
        summary='Kopsavilkums ar; semikolu un "pēdiņām"',
        title_en="Water day",
        summary_en="Summary in English",
        body="## Mērķi\r\n\r\n- viens\n- divi  \n",
        language="lv",
        authors="Anna Bērziņa, Jānis Kalniņš",
        education_levels=["primary", "lower_secondary"],
        age_from=7,
        age_to=15,
        subjects="dabaszinības",
        duration="divas mācību stundas",
        licence="CC-BY-SA-4.0",
        recommended=True,
        flagship=vocabulary["flagship"],
        international_day=vocabulary["day"],
        thematic_areas=[vocabulary["peace"], vocabulary["esd"]],
        pillars=[vocabulary["to_know"]],
        sdgs=[vocabulary["goal"]],
    )
    PracticeFileFactory(practice=full, original_name="Darba lapa 1.pdf", position=0)
    PracticeFileFactory(practice=full, original_name="Atbildes.pdf", position=1)
    for position, kind in ((2, "png"), (3, "jpg")):
        PracticeFileFactory(
            practice=full, content=stored_picture(kind), kind=kind, original_name=f"foto.{kind}",
            content_type="image/png" if kind == "png" else "image/jpeg", position=position,
        )  # fmt: skip
    PracticeLinkFactory(practice=full, url="https://example.org/a", title="Avots", position=0)
    PracticeLinkFactory(practice=full, url="https://example.org/b?x=1;y=2", title="", position=1)
    plain = PublishedPracticeFactory(school=other_school, title="Vienkāršs", education_levels=[])
    network = PublishedPracticeFactory(school=None, country=school.country, title="Tīkla materiāls")
    private = [
        PracticeFactory(school=school, title="Melnraksts"),
        SubmittedPracticeFactory(school=school, title="Iesniegts"),
        InReviewPracticeFactory(school=school, title="Vērtēšanā"),
        ArchivedPracticeFactory(school=school, title="Arhivēts"),
    ]
    for item in private:
        PracticeFileFactory(practice=item, original_name=f"{item.title}.pdf")
    return {"published": [full, plain, network], "private": private}


def _csv_rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))


def _streamed(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def _comparable(rows: list[dict]) -> list[dict]:
    """The rows as an import elsewhere must give them back: without ids and addresses."""
    kept = []
    for row in rows:
        row = {key: value for key, value in row.items() if key not in NOT_CARRIED}
        row["files"] = [
            {key: value for key, value in file.items() if key != "url"} for file in row["files"]
        ]
        kept.append(row)
    return sorted(kept, key=lambda row: row["title"])


def _json_rows(client) -> list[dict]:
    response = client.get(reverse("practices:export_json"))
    return json.loads(_streamed(response))["practices"]


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _import(country, rows: list[dict], folder: Path | None = None, **options):
    content = json.dumps({"practices": rows}).encode()
    return practices_import(
        actor=StandIn.COMMAND_LINE, country=country, content=content, file_format="json",
        files_folder=folder, **options,
    )  # fmt: skip


def _codes(rejected: PracticeImportRejected) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.field, problem.code) for problem in rejected.problems]


# -- the export -------------------------------------------------------------------------------


def test_csv_export_has_published_items_with_codes_labels_and_safe_cells(client, catalogue):
    response = client.get(reverse("practices:export_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="asphub-library-')
    rows = _csv_rows(_streamed(response))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert sorted(row["title"] for row in rows) == sorted(
        ['\'=HYPERLINK("http://evil")', "Vienkāršs", "Tīkla materiāls"]
    )
    full = next(row for row in rows if row["title"].startswith("'="))
    assert full["kind"] == "teaching_material"
    assert full["kind_label"] == str(PracticeKind.TEACHING_MATERIAL.label)  # in Latvian
    assert full["education_levels"] == "primary;lower_secondary"
    assert full["thematic_areas"] == "esd;peace"
    assert full["thematic_areas_label"] == "IAI; Miers"
    assert full["sdgs"] == "4"
    assert full["licence"] == "CC-BY-SA-4.0"
    assert full["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert full["recommended"] == "true"
    assert full["links"] == "https://example.org/a Avots\nhttps://example.org/b?x=1;y=2"
    first_file = PracticeFile.objects.filter(original_name="Darba lapa 1.pdf").get()
    assert full["files"].splitlines()[0] == (
        f"{first_file.sha256}  files/{first_file.sha256}/Darba lapa 1.pdf"
    )
    assert full["url"] == "http://testserver" + reverse(
        "practices:detail", kwargs={"pk": catalogue["published"][0].pk}
    )


def test_json_export_has_files_and_links_with_real_types(client, catalogue):
    rows = _json_rows(client)

    full = next(row for row in rows if row["title"].startswith("="))
    assert full["title"] == '=HYPERLINK("http://evil")'  # JSON is not a spreadsheet
    assert full["age_from"] == 7
    assert full["sdgs"] == [4]
    assert full["recommended"] is True
    assert full["links"] == [
        {"url": "https://example.org/a", "title": "Avots"},
        {"url": "https://example.org/b?x=1;y=2", "title": ""},
    ]
    stored = PracticeFile.objects.get(original_name="Darba lapa 1.pdf")
    assert full["files"][0] == {
        "name": "Darba lapa 1.pdf",
        "type": "application/pdf",
        "size": stored.size,
        "sha256": stored.sha256,
        "url": "http://testserver"
        + reverse("practices:download", kwargs={"pk": stored.practice_id, "file_pk": stored.pk}),
        "path": f"files/{stored.sha256}/Darba lapa 1.pdf",
    }
    plain = next(row for row in rows if row["title"] == "Vienkāršs")
    assert plain["age_from"] is None
    assert plain["files"] == []


def test_exports_never_hold_drafts_items_in_review_or_archived_items(client, catalogue):
    csv_titles = {
        row["title"] for row in _csv_rows(_streamed(client.get(reverse("practices:export_csv"))))
    }
    json_titles = {row["title"] for row in _json_rows(client)}

    private_titles = {item.title for item in catalogue["private"]}
    assert not csv_titles & private_titles
    assert not json_titles & private_titles
    assert len(json_titles) == len(csv_titles) == 3


def test_country_parameter_exports_one_country(client, catalogue, foreign_school):
    PublishedPracticeFactory(school=foreign_school, title="Igaunijā")

    response = client.get(reverse("practices:export_json"), {"country": "EE"})

    assert [row["title"] for row in json.loads(_streamed(response))["practices"]] == ["Igaunijā"]
    assert client.get(reverse("practices:export_json"), {"country": "XX"}).status_code == 404


def test_labels_follow_the_page_language(client, catalogue):
    rows = _csv_rows(_streamed(client.get("/en" + reverse("practices:export_csv"))))

    full = next(row for row in rows if row["kind"] == "teaching_material")
    assert full["kind_label"] == "teaching material"
    assert full["thematic_areas_label"] == "ESD; Peace"


@pytest.mark.parametrize("name", ["practices:export_csv", "practices:export_json"])
def test_export_costs_the_same_queries_for_few_and_many_items(
    client, school, vocabulary, name, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            item = PublishedPracticeFactory(
                school=school, thematic_areas=[vocabulary["peace"]], sdgs=[vocabulary["goal"]]
            )
            PracticeFileFactory(practice=item)
            PracticeLinkFactory(practice=item)

    add(2)
    _streamed(client.get(reverse(name)))  # the first export of the hour starts the count
    # 8 for the catalogue, the rest for the per-address count in the shared (database) cache.
    with django_assert_max_num_queries(20) as few:
        _streamed(client.get(reverse(name)))
    add(15)
    with django_assert_max_num_queries(20) as many:
        _streamed(client.get(reverse(name)))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_exports_answer_only_reads(client, latvia):
    assert client.post(reverse("practices:export_csv")).status_code == 405
    assert client.post(reverse("practices:export_json")).status_code == 405


# -- the round trip ---------------------------------------------------------------------------


def _empty_the_library() -> None:
    storage = private_storage()
    for file in PracticeFile.objects.all():
        storage.delete(file.file.name)
    Practice.objects.all().delete()
    SearchDocument.objects.all().delete()


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_export_then_import_into_an_empty_library_gives_the_same_catalogue(
    client, catalogue, latvia, tmp_path, file_format
):
    before = _comparable(_json_rows(client))
    written = catalogue_export_folder(tmp_path, file_format=file_format)
    assert written.catalogue == tmp_path / f"catalogue.{file_format}"
    assert written.items == 3
    assert written.files == 4
    for item in catalogue["private"]:
        assert not list(tmp_path.glob(f"files/*/{item.title}.pdf"))
    _empty_the_library()

    result = practices_import(
        actor=StandIn.COMMAND_LINE,
        country=latvia,
        content=written.catalogue.read_bytes(),
        file_format=file_format,
        files_folder=tmp_path,
    )

    assert len(result.created) == 3
    assert _comparable(_json_rows(client)) == before
    for practice in result.created:
        for file in practice.files.all():
            with file.file.open("rb") as stored:
                assert hashlib.sha256(stored.read()).hexdigest() == file.sha256
    assert SearchDocument.objects.filter(kind="practice").count() == 3
    entry = AuditEntry.objects.get(action=AuditAction.PRACTICES_IMPORTED)
    assert entry.country_code == "LV"
    assert entry.after["created"] == 3
    assert entry.after["files"] == 4


def test_export_and_import_commands_round_trip(client, catalogue, latvia, tmp_path):
    before = _comparable(_json_rows(client))
    call_command("export_practices", str(tmp_path), "--format", "csv", stdout=io.StringIO())
    _empty_the_library()
    out = io.StringIO()

    call_command(
        "import_practices", str(tmp_path / "catalogue.csv"), "--files", str(tmp_path),
        "--country", "LV", stdout=out,
    )  # fmt: skip

    assert _comparable(_json_rows(client)) == before
    assert "3" in out.getvalue()


# -- checking each row -----------------------------------------------------------------------


def _row(**fields) -> dict:
    return {"title": "Ūdens diena", "summary": "Kopsavilkums", **fields}


def test_each_bad_row_is_reported_with_its_number_field_and_code(school, vocabulary, tmp_path):
    PublishedPracticeFactory(school=school, title="Jau ir")
    _write(tmp_path, "program.pdf", b"MZ\x90\x00 an executable renamed .pdf")
    _write(tmp_path, "good.pdf", pdf_bytes("labs"))
    rows = [
        _row(),  # 1: good
        _row(title="", kind="lecture"),  # 2
        _row(title="x" * 201),  # 3
        _row(school="no-such-school"),  # 4
        _row(thematic_areas=["peace", "war"]),  # 5
        _row(age_from=12, age_to=7),  # 6
        _row(country="EE"),  # 7
        _row(links=[{"url": "javascript:alert(1)", "title": "x"}]),  # 8
        _row(),  # 9: the same as row 1
        _row(school=school.slug, title="Jau ir"),  # 10: already in the library
        _row(title="Faili", files=[{"path": "missing.pdf"}]),  # 11
        _row(title="Ceļš", files=[{"path": "../etc/passwd"}]),  # 12
        _row(title="Exe", files=[{"path": "program.pdf"}]),  # 13
        _row(title="Summa", files=[{"path": "good.pdf", "sha256": "0" * 64}]),  # 14
        _row(title="Rinda\ndivas", licence="GPL", recommended="maybe"),  # 15
        "not an object",  # 16
        _row(sdgs=[4, 18], published_at="vakar"),  # 17
        _row(title=["a", "list"]),  # 18
    ]

    with pytest.raises(PracticeImportRejected) as rejected:
        _import(school.country, rows, tmp_path)

    codes = _codes(rejected.value)
    assert codes == [
        (2, "kind", "invalid_choice"),
        (2, "title", "required"),
        (3, "title", "max_length"),
        (4, "school", "unknown_school"),
        (5, "thematic_areas", "invalid_choice"),
        (6, "age_to", "ages_order"),
        (7, "country", "wrong_country"),
        (8, "links", "invalid_link"),
        (9, "title", "duplicate_in_file"),
        (10, "title", "already_in_library"),
        (11, "files", "file_missing"),
        (12, "files", "unsafe_path"),
        (13, "files", "unsupported_type"),
        (14, "files", "checksum_mismatch"),
        (15, "title", "control_character"),
        (15, "licence", "invalid_choice"),
        (15, "recommended", "invalid_choice"),
        (16, "", "not_object"),
        (17, "sdgs", "invalid_choice"),
        (17, "published_at", "invalid"),
        (18, "title", "wrong_type"),
    ]
    assert all(problem.message for problem in rejected.value.problems)
    # The command prints each problem with its row number and column.
    assert "2" in str(rejected.value.problems[0])
    assert "kind" in str(rejected.value.problems[0])


def test_a_file_with_one_bad_row_imports_nothing_and_stores_no_file(school, tmp_path):
    _write(tmp_path, "good.pdf", pdf_bytes("labs"))
    rows = [_row(files=[{"path": "good.pdf"}]), _row(title="Otrs", kind="lecture")]
    stored_before = set(_stored_attachments())

    with pytest.raises(PracticeImportRejected) as rejected:
        _import(school.country, rows, tmp_path)

    assert _codes(rejected.value) == [(2, "kind", "invalid_choice")]
    assert not Practice.objects.exists()
    assert not PracticeFile.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.PRACTICES_IMPORTED).exists()
    assert not SearchDocument.objects.filter(kind="practice").exists()
    assert set(_stored_attachments()) == stored_before


def _stored_attachments() -> list[str]:
    storage = private_storage()
    found = []
    folders = ["attachments"]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        folders.extend(f"{folder}/{name}" for name in subfolders)
        found.extend(f"{folder}/{name}" for name in files)
    return found


def test_partial_import_takes_the_good_rows_and_reports_the_others(school, tmp_path):
    _write(tmp_path, "good.pdf", pdf_bytes("labs"))
    stored_before = set(_stored_attachments())
    rows = [
        _row(title="Labs", school=school.slug, files=[{"path": "good.pdf"}]),
        _row(title="Slikts", kind="lecture"),
        _row(title="Melnraksts", status="draft", school=school.slug),
    ]

    result = _import(school.country, rows, tmp_path, partial=True)

    assert [practice.title for practice in result.created] == ["Labs", "Melnraksts"]
    assert [(p.row, p.field, p.code) for p in result.skipped] == [(2, "kind", "invalid_choice")]
    good = Practice.objects.get(title="Labs")
    assert good.status == PracticeStatus.PUBLISHED
    assert good.published_at is not None
    assert good.files.get().original_name == "good.pdf"
    assert set(_stored_attachments()) - stored_before == {good.files.get().file.name}
    draft = Practice.objects.get(title="Melnraksts")
    assert draft.status == PracticeStatus.DRAFT
    assert draft.published_at is None
    # Only the published item is in the search engine.
    indexed = SearchDocument.objects.filter(kind="practice").values_list("object_id", flat=True)
    assert list(indexed) == [good.pk]
    entry = AuditEntry.objects.get(action=AuditAction.PRACTICES_IMPORTED)
    assert entry.actor_label == StandIn.COMMAND_LINE.value
    assert entry.after["skipped_rows"] == [2]
    assert entry.after["created_ids"] == [good.pk, draft.pk]


def test_schools_are_matched_by_address_or_exact_name_in_the_importing_country(
    school, other_school, foreign_school
):
    rows = [
        _row(title="Pēc adreses", school=school.slug),
        _row(title="Pēc nosaukuma", school_name=other_school.name),
        _row(title="Tīkla", school="", school_name=""),
        _row(title="Citā valstī", school=foreign_school.slug),
        _row(title="Citā rakstībā", school_name=other_school.name.upper()),
    ]

    with pytest.raises(PracticeImportRejected) as rejected:
        _import(school.country, rows)
    result = _import(school.country, rows[:3])

    assert _codes(rejected.value) == [(4, "school", "unknown_school"),
                                      (5, "school_name", "unknown_school")]  # fmt: skip
    assert [(p.title, p.school) for p in result.created] == [
        ("Pēc adreses", school),
        ("Pēc nosaukuma", other_school),
        ("Tīkla", None),
    ]


def test_a_row_listing_files_needs_the_files_folder(school):
    with pytest.raises(PracticeImportRejected) as rejected:
        _import(school.country, [_row(files=[{"path": "a.pdf"}])])

    assert _codes(rejected.value) == [(1, "files", "no_files_folder")]


def test_csv_rows_are_numbered_by_their_line_and_formula_cells_come_back_as_typed(school):
    content = b'title,summary,kind,body\n\'=SUM(A1),ok,,"line one\nline two"\nOtrs,ok,lecture,\n'

    with pytest.raises(PracticeImportRejected) as rejected:
        practices_import(actor=StandIn.COMMAND_LINE, country=school.country, content=content,
                         file_format="csv")  # fmt: skip
    result = practices_import(actor=StandIn.COMMAND_LINE, country=school.country,
                              content=content.split(b"Otrs")[0], file_format="csv")  # fmt: skip

    assert _codes(rejected.value) == [(4, "kind", "invalid_choice")]
    assert result.created[0].title == "=SUM(A1)"
    assert result.created[0].body == "line one\nline two"


@pytest.mark.parametrize(
    ("content", "file_format", "code"),
    [
        (b"", "csv", "empty"),
        (b"name,summary\nx,y\n", "csv", "missing_columns"),
        (b"\xff\xfe title", "csv", "encoding"),
        (b"{not json", "json", "syntax"),
        (b'{"schools": []}', "json", "no_list"),
        (b"title,summary\n", "xlsx", "format"),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(school, content, file_format, code):
    with pytest.raises(CatalogueFileError) as refused:
        practices_import(actor=StandIn.COMMAND_LINE, country=school.country, content=content,
                         file_format=file_format)  # fmt: skip

    assert refused.value.code == code
    assert not Practice.objects.exists()


def test_only_the_national_coordinator_or_the_command_line_imports(
    school, teacher, national_coordinator
):
    content = json.dumps([_row()]).encode()
    estonian_coordinator = person_with(Role.NATIONAL_COORDINATOR, country=_estonia())

    for actor in (teacher, estonian_coordinator):
        with pytest.raises(PermissionDenied):
            practices_import(
                actor=actor, country=school.country, content=content, file_format="json"
            )
    result = practices_import(actor=national_coordinator, country=school.country, content=content,
                              file_format="json")  # fmt: skip

    assert not AuditEntry.objects.filter(action=AuditAction.PRACTICES_IMPORTED,
                                         actor=teacher).exists()  # fmt: skip
    assert result.created[0].created_by is None
    assert (
        AuditEntry.objects.get(action=AuditAction.PRACTICES_IMPORTED).actor == national_coordinator
    )


def _estonia():
    from asphub.countries.models import Country

    return Country.objects.get_or_create(code="EE", defaults={"name_lv": "Igaunija",
                                                              "name_en": "Estonia"})[0]  # fmt: skip


# -- the commands -----------------------------------------------------------------------------


def test_import_command_reports_each_bad_row_and_imports_nothing(school, tmp_path):
    path = _write(
        tmp_path, "catalogue.json", json.dumps([_row(), _row(title="", kind="x")]).encode()
    )
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_practices", str(path), stderr=err, stdout=io.StringIO())

    assert "2" in err.getvalue()
    assert "kind" in err.getvalue()
    assert not Practice.objects.exists()


def test_import_command_with_partial_imports_the_good_rows(school, tmp_path):
    path = _write(tmp_path, "catalogue.json", json.dumps([_row(), _row(kind="x")]).encode())
    err = io.StringIO()

    call_command("import_practices", str(path), "--partial", stderr=err, stdout=io.StringIO())

    assert Practice.objects.count() == 1
    assert "kind" in err.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [["missing.json"], ["catalogue.txt"], ["catalogue.json", "--country", "XX"],
     ["catalogue.json", "--files", "no-such-folder"]],
)  # fmt: skip
def test_import_command_refuses_what_it_cannot_read(school, tmp_path, arguments):
    _write(tmp_path, "catalogue.json", json.dumps([_row()]).encode())
    _write(tmp_path, "catalogue.txt", b"title,summary\n")
    arguments = [str(tmp_path / arguments[0]), *[
        str(tmp_path / value) if value == "no-such-folder" else value for value in arguments[1:]
    ]]  # fmt: skip

    with pytest.raises(CommandError):
        call_command("import_practices", *arguments, stderr=io.StringIO(), stdout=io.StringIO())

    assert not Practice.objects.exists()


def test_export_command_writes_the_catalogue_and_its_files(catalogue, tmp_path):
    out = io.StringIO()

    call_command("export_practices", str(tmp_path / "out"), stdout=out)

    document = json.loads((tmp_path / "out" / "catalogue.json").read_text())
    assert len(document["practices"]) == 3
    for row in document["practices"]:
        for file in row["files"]:
            content = (tmp_path / "out" / file["path"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == file["sha256"]
            assert file["url"].startswith("http")


def test_the_module_names_the_files_folder():
    assert catalogue_io.FILES_FOLDER == "files"
