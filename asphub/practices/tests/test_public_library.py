"""The public library: what a visitor finds, reads and downloads, and what never shows."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from asphub.audit.models import StandIn
from asphub.core.documents import validate_attachment
from asphub.core.tests import samples
from asphub.mail.tests.queue import run_queued_tasks
from asphub.practices.indexing import index_practice, rebuild_practice_index
from asphub.practices.models import Practice, PracticeFile, PracticeStatus
from asphub.practices.services import files_hold, practice_create, purge_stale_held_files
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import CountryFactory, SchoolFactory
from asphub.taxonomy.models import ThematicArea

pytestmark = pytest.mark.django_db


def _pdf(text: str) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def publish(practice: Practice) -> Practice:
    practice.status = PracticeStatus.PUBLISHED
    practice.published_at = timezone.now()
    practice.save()
    index_practice(practice)
    return practice


def make(school, *, title: str, summary: str = "Īss apraksts.", status=None, **extra) -> Practice:
    practice = Practice.objects.create(
        country=school.country, school=school, title=title, summary=summary, **extra
    )
    if status == PracticeStatus.PUBLISHED:
        publish(practice)
    elif status:
        practice.status = status
        practice.save()
    return practice


@pytest.fixture
def school():
    return SchoolFactory(country=CountryFactory(code="LV"), name="Cēsu Valsts ģimnāzija")


def test_an_inflected_query_without_diacritics_finds_a_latvian_item(client, school):
    make(school, title="Ūdens taupīšana skolā", status=PracticeStatus.PUBLISHED)
    make(school, title="Matemātikas spēles", status=PracticeStatus.PUBLISHED)

    page = client.get(reverse("practices:catalogue"), {"q": "udens taupisanas"})

    assert page.status_code == 200
    assert "Ūdens taupīšana skolā" in page.content.decode()
    assert "Matemātikas spēles" not in page.content.decode()


def test_an_english_query_finds_an_english_item(client, school):
    make(
        school,
        title="Saving water at school",
        summary="Pupils measure the water their school uses.",
        language="en",
        status=PracticeStatus.PUBLISHED,
    )

    page = client.get(reverse("practices:catalogue"), {"q": "pupils measure water"})

    assert "Saving water at school" in page.content.decode()


@pytest.mark.parametrize(
    "status",
    [
        PracticeStatus.DRAFT,
        PracticeStatus.SUBMITTED,
        PracticeStatus.IN_REVIEW,
        PracticeStatus.CHANGES_REQUESTED,
        PracticeStatus.DECLINED,
    ],
)
def test_an_unpublished_item_is_nowhere_in_public(client, school, status):
    hidden = make(school, title="Slepenais melnraksts", status=status)
    index_practice(hidden)

    catalogue = client.get(reverse("practices:catalogue"), {"q": "slepenais"})
    page = client.get(reverse("practices:detail", kwargs={"pk": hidden.pk}))
    school_page = client.get(reverse("schools:detail", kwargs={"slug": school.slug}))

    assert "Slepenais" not in catalogue.content.decode()
    assert page.status_code == 404
    assert "Slepenais" not in school_page.content.decode()


def test_facets_count_the_results_and_filter_them(client, school):
    peace = ThematicArea.objects.create(slug="peace", name_lv="Miers", name_en="Peace")
    heritage = ThematicArea.objects.create(slug="heritage", name_lv="Mantojums", name_en="Heritage")
    first = make(school, title="Miera stunda")
    first.thematic_areas.set([peace])
    publish(first)
    second = make(school, title="Mantojuma stunda")
    second.thematic_areas.set([heritage])
    publish(second)

    everything = client.get(reverse("practices:catalogue"))
    filtered = client.get(reverse("practices:catalogue"), {"theme": "peace"})

    search = everything.context["search"]
    themes = next(facet for facet in search.facets if facet.name == "theme")
    assert {(v.value, v.count) for v in themes.values} == {("peace", 1), ("heritage", 1)}
    assert [item.pk for item in filtered.context["items"]] == [first.pk]


def test_operator_payloads_are_inert(client, school):
    make(school, title="Ūdens stunda", status=PracticeStatus.PUBLISHED)
    for query in [
        '"',
        "*",
        "NEAR(a b)",
        "-udens",
        "(((",
        'udens" OR "x',
        "a:b ^c",
        "\x00",
        "ū" * 5000,
    ]:
        page = client.get(reverse("practices:catalogue"), {"q": query})
        assert page.status_code in (200, 400), query


def test_the_item_page_describes_itself_as_a_learning_resource(client, school):
    practice = make(
        school,
        title='Stunda par </script><script>alert(1)</script> "mieru"',
        summary="Kopsavilkums <b>ar</b> HTML.",
        body="# Virsraksts\n\n[klikšķis](javascript:alert(1)) <img src=x onerror=alert(1)>",
        status=PracticeStatus.PUBLISHED,
    )

    page = client.get(reverse("practices:detail", kwargs={"pk": practice.pk}))
    html = page.content.decode()

    assert page.status_code == 200
    block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "LearningResource"
    assert data["name"] == practice.title
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license' in html


def test_a_file_downloads_as_an_attachment_and_is_counted(client, school):
    coordinator_upload = SimpleUploadedFile(
        ["Ūdens", "..", "plāns.pdf"][-1], _pdf("Udens plans"), content_type="text/html"
    )
    checked = validate_attachment(coordinator_upload)
    [held] = files_hold(actor=_uploader(school), attachments=[checked])
    practice = practice_create(
        actor=StandIn.COMMAND_LINE,
        school=school,
        data={"title": "Ūdens plāns", "summary": "Plāns."},
        files=[held],
    )
    publish(practice)
    file = practice.files.get()

    response = client.get(
        reverse("practices:download", kwargs={"pk": practice.pk, "file_pk": file.pk})
    )
    content = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''pl%C4%81ns.pdf" in response["Content-Disposition"]
    file.refresh_from_db()
    assert file.download_count == 1
    page = client.get(reverse("practices:detail", kwargs={"pk": practice.pk}))
    assert page.context["downloads"] == 1


def test_a_draft_s_file_is_not_downloadable(client, school):
    checked = validate_attachment(SimpleUploadedFile("a.pdf", _pdf("x")))
    [held] = files_hold(actor=_uploader(school), attachments=[checked])
    practice = practice_create(
        actor=StandIn.COMMAND_LINE,
        school=school,
        data={"title": "Melnraksts", "summary": "Plāns."},
        files=[held],
    )
    file = practice.files.get()

    response = client.get(
        reverse("practices:download", kwargs={"pk": practice.pk, "file_pk": file.pk})
    )

    assert response.status_code == 404


def _uploader(school):
    return person_with(Role.TEACHER, school=school)


def _many(school, count: int) -> None:
    area = ThematicArea.objects.get_or_create(slug="esd", name_lv="IAI", name_en="ESD")[0]
    now = timezone.now()
    made = Practice.objects.bulk_create(
        Practice(
            country=school.country,
            school=school,
            title=f"Prakse numur {number}",
            summary="Skolēni mācās.",
            status=PracticeStatus.PUBLISHED,
            published_at=now,
        )
        for number in range(count)
    )
    Practice.thematic_areas.through.objects.bulk_create(
        Practice.thematic_areas.through(practice_id=practice.pk, thematicarea_id=area.pk)
        for practice in made
    )
    rebuild_practice_index()


def _queries(client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured.captured_queries)


def test_the_catalogue_and_an_item_page_need_the_same_queries_for_10_and_1000_items(client, school):
    _many(school, 10)
    item = reverse("practices:detail", kwargs={"pk": Practice.objects.first().pk})
    catalogue = reverse("practices:catalogue")
    small = (_queries(client, catalogue, {"q": "prakse"}), _queries(client, catalogue),
             _queries(client, item))  # fmt: skip
    _many(school, 990)
    large = (_queries(client, catalogue, {"q": "prakse"}), _queries(client, catalogue),
             _queries(client, item))  # fmt: skip

    assert Practice.objects.count() == 1000
    assert small == large
    assert max(large) <= 16


def test_the_school_profile_lists_its_published_items_and_follows_changes(client, school, settings):
    settings.ASPHUB_DIRECTORY_CACHE = True
    shown = make(school, title="Publicētā prakse", status=PracticeStatus.PUBLISHED)
    make(school, title="Nepublicētais melnraksts")
    profile = reverse("schools:detail", kwargs={"slug": school.slug})

    first = client.get(profile).content.decode()
    shown.status = PracticeStatus.ARCHIVED
    shown.save()
    second = client.get(profile).content.decode()

    assert "Publicētā prakse" in first
    assert "Nepublicētais melnraksts" not in first
    # The profile is a cached page: the library's change must show at once.
    assert "Publicētā prakse" not in second


def test_the_profile_cache_triggers_are_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["practices_practice"],
            )
            assert len(cursor.fetchall()) == 3
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'practices_practice'::regclass "
                "AND NOT tgisinternal"
            )
            assert [row[0] for row in cursor.fetchall()] == ["directory_changed"]


def test_words_inside_an_attached_document_are_found_once_the_worker_has_read_it(
    client, school, django_capture_on_commit_callbacks
):
    content = samples.docx("Fotosintēzes eksperiments ar pupiņām un gaismu.")
    checked = validate_attachment(
        SimpleUploadedFile("darba-lapa.docx", content, content_type="application/octet-stream")
    )
    [held] = files_hold(actor=_uploader(school), attachments=[checked])
    with django_capture_on_commit_callbacks(execute=True):
        practice = practice_create(
            actor=StandIn.COMMAND_LINE,
            school=school,
            data={"title": "Dabaszinību stunda", "summary": "Stunda."},
            files=[held],
        )
    publish(practice)

    before = client.get(reverse("practices:catalogue"), {"q": "fotosintezes pupinas"})
    run_queued_tasks()
    after = client.get(reverse("practices:catalogue"), {"q": "fotosintezes pupinas"})

    assert before.context["search"].result.total == 0
    assert [item.pk for item in after.context["items"]] == [practice.pk]
    assert "Fotosintēzes" in practice.files.get().extracted_text


@pytest.mark.parametrize("value", ["²", "①", "99999999999999999999", "-1", "", "x" * 200])
def test_odd_filter_values_are_ignored(client, school, value):
    make(school, title="Ūdens stunda", status=PracticeStatus.PUBLISHED)
    for name in ("sdg", "school", "theme", "year", "level"):
        assert client.get(reverse("practices:catalogue"), {name: value}).status_code == 200


def test_a_filter_does_not_name_a_school_that_is_not_listed(client, school):
    applicant = SchoolFactory(
        country=school.country,
        name="Slepenā pieteikuma skola",
        membership_status=MembershipStatus.SUBMITTED,
    )

    page = client.get(reverse("practices:catalogue"), {"school": applicant.slug})

    assert "Slepenā pieteikuma skola" not in page.content.decode()


def test_held_files_a_day_old_are_removed_and_attached_ones_stay(
    school, django_capture_on_commit_callbacks
):
    uploader = _uploader(school)
    checked = validate_attachment(SimpleUploadedFile("a.pdf", _pdf("x")))
    old_held, attached = files_hold(actor=uploader, attachments=[checked, checked])
    practice = practice_create(
        actor=StandIn.COMMAND_LINE,
        school=school,
        data={"title": "Ar datni", "summary": "-"},
        files=[attached],
    )
    long_ago = timezone.now() - timezone.timedelta(days=2)
    PracticeFile.objects.filter(pk__in=[old_held.pk, attached.pk]).update(created_at=long_ago)
    storage = old_held.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        removed = purge_stale_held_files()

    assert removed == 1
    assert not storage.exists(old_held.file.name)
    assert not PracticeFile.objects.filter(pk=old_held.pk).exists()
    assert practice.files.get().pk == attached.pk
    assert storage.exists(attached.file.name)


def test_an_age_range_that_ends_before_it_starts_is_refused_with_its_own_code(school):
    with pytest.raises(ValidationError) as refused:
        practice_create(
            actor=StandIn.COMMAND_LINE,
            school=school,
            data={"title": "Vecumi", "summary": "-", "age_from": 15, "age_to": 12},
        )

    codes = [error.code for errors in refused.value.error_dict.values() for error in errors]
    assert "ages_order" in codes
    assert not Practice.objects.filter(title="Vecumi").exists()


def test_a_search_updated_in_place_brings_its_facet_counts_along(client, school):
    make(school, title="Ūdens stunda", status=PracticeStatus.PUBLISHED)
    make(school, title="Meža stunda", status=PracticeStatus.PUBLISHED)

    fragment = client.get(reverse("practices:catalogue"), {"q": "udens"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()

    assert '<div id="facets" class="facets" hx-swap-oob="true">' in body
    assert "<html" not in body
    kind_box = 'id="facet-kind-good_practice"> <label for="facet-kind-good_practice">'
    assert kind_box in body
    assert "(1)</span>" in body and "(2)</span>" not in body
