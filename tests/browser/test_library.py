"""The library, in a real Chromium: a teacher writes a practice with a file; the school
coordinator submits it; the national coordinator assigns two reviewers; both review; the
coordinator asks for changes; the teacher changes it, the coordinator sends it again and sees
what changed; the national coordinator publishes it; a visitor finds it by a query in another
grammatical case and without diacritics, opens it and downloads the file.

(DOMAIN.md: teachers draft, the school coordinator submits for the school.) Every page on the
way is checked with axe and photographed at desktop and phone widths.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_people import Review, fresh_code, messages, sign_in
from .test_public_site import assert_clean

pytestmark = pytest.mark.browser

TITLE = "Ūdens taupīšanas nedēļa Cēsu skolā"
CHANGED_TITLE = "Ūdens taupīšanas nedēļa Cēsu ģimnāzijā"


def _sign_in(browsing, person, *, secret: str | None = None, used: set[str] | None = None):
    from asphub.accounts.tests.factories import PASSWORD

    page = browsing.page()
    page.goto("/accounts/login/")
    sign_in(page, person.email, PASSWORD)
    if secret is not None:
        assert used is not None
        code = fresh_code(page, secret, used)
        used.add(code)
        page.locator("#id_code").fill(code)
        page.locator("main form:has(#id_code) button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return page


def _review(page, network: str, assignment_pk: int, scores: list[str]) -> None:
    page.goto(f"{network}/dashboard/reviews/{assignment_pk}/")
    names = page.locator("main form input[type=radio][name^=score_]").evaluate_all(
        "inputs => [...new Set(inputs.map(input => input.name))]"
    )
    assert len(names) == len(scores), names
    for name, score in zip(names, scores, strict=True):
        page.locator(f'main form input[name="{name}"][value="{score}"]').check()
    page.locator("main form textarea[name=comment]").fill("Skaidri aprakstīts darbs.")
    page.locator("main form button[name=send]").click()
    expect(messages(page)).to_be_visible()


def test_a_practice_goes_from_a_teacher_s_draft_to_a_visitor_s_download(
    browsing, network, screenshot_dir, mailoutbox, tmp_path
):
    from asphub.accounts.tests.factories import enrol_authenticator
    from asphub.countries.models import Country
    from asphub.practices.models import Practice, PracticeStatus, ReviewAssignment
    from asphub.practices.tests.factories import pdf_bytes
    from asphub.roles.models import Role
    from asphub.roles.tests.factories import person_with
    from asphub.schools.models import School

    review = Review(browsing, screenshot_dir)
    latvia = Country.objects.get(code="LV")
    school = School.objects.filter(country=latvia, name__startswith="Cēsu").first()
    assert school is not None
    teacher = person_with(Role.TEACHER, school=school, full_name="Ilze Skolotāja")
    coordinator = person_with(Role.SCHOOL_COORDINATOR, school=school, full_name="Anna Vadītāja")
    national = person_with(Role.NATIONAL_COORDINATOR, country=latvia, full_name="Līga Valsts")
    first_reviewer = person_with(Role.REVIEWER, country=latvia, full_name="Pēteris Vērtētājs")
    second_reviewer = person_with(Role.REVIEWER, country=latvia, full_name="Rasa Vērtētāja")
    secret = enrol_authenticator(national)
    used_codes: set[str] = set()
    plan = tmp_path / "Ūdens plāns.pdf"
    plan.write_bytes(pdf_bytes("Udens taupisanas plans skolai"))

    # 1. The teacher writes the practice, with a file.
    author = _sign_in(browsing, teacher)
    author.goto(f"/dashboard/library/new/school/{school.pk}/")
    review(author, "lv-library-new")
    author.locator("#id_title").fill(TITLE)
    author.locator("#id_summary").fill("Skolēni nedēļu mēra, cik ūdens skola patērē, un to taupa.")
    author.locator("#id_body").fill("## Gaita\n\n1. Mērījumi\n2. Plakāti\n\n**Rezultāts**: -20 %.")
    author.locator("input[name=education_levels][value=lower_secondary]").check()
    author.locator("input[name=new_files]").set_input_files(str(plan))
    author.locator("main form button[type=submit]").last.click()
    expect(messages(author)).to_be_visible()
    practice = Practice.objects.get(title=TITLE)
    assert practice.files.count() == 1
    review(author, "lv-library-draft")

    # 2. The school coordinator submits it.
    speaker = _sign_in(browsing, coordinator)
    speaker.goto(f"/dashboard/library/{practice.pk}/")
    speaker.locator(f'main form[action$="/dashboard/library/{practice.pk}/submit/"] button').click()
    expect(messages(speaker)).to_be_visible()
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED

    # 3. The national coordinator assigns two reviewers.
    nc = _sign_in(browsing, national, secret=secret, used=used_codes)
    nc.goto("/dashboard/library/queue/LV/")
    review(nc, "lv-library-queue")
    nc.goto(f"/dashboard/library/{practice.pk}/reviewers/")
    for person in (first_reviewer, second_reviewer):
        nc.locator(f"main form input[name=reviewers][value='{person.pk}']").check()
    review(nc, "lv-library-assign", reload_on_mobile=False)
    nc.locator("main form button[type=submit]").last.click()
    expect(messages(nc)).to_be_visible()
    assert {m.to[0] for m in mailoutbox if "/dashboard/reviews/" in m.body} >= {
        first_reviewer.email,
        second_reviewer.email,
    }

    # 4. Both review.
    for person, scores in ((first_reviewer, ["3", "2", "1", "2", "na", "3"]),
                           (second_reviewer, ["2", "2", "2", "1", "1", "2"])):  # fmt: skip
        page = _sign_in(browsing, person)
        assignment = ReviewAssignment.objects.get(practice=practice, reviewer=person)
        page.goto(f"/dashboard/reviews/{assignment.pk}/")
        review(page, f"lv-library-review-{person.pk}")
        _review(page, network, assignment.pk, scores)

    # 5. The coordinator asks for changes.
    nc.goto(f"/dashboard/library/{practice.pk}/decide/")
    review(nc, "lv-library-decide")
    nc.locator("main form input[name=decision][value=request_changes]").check()
    nc.locator("main form textarea[name=message]").fill("Lūdzu, nosauciet ģimnāziju pilnā vārdā.")
    nc.locator("main form button[type=submit]").last.click()
    expect(messages(nc)).to_be_visible()
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.CHANGES_REQUESTED

    # 6. The teacher sees the reviews and changes the item; the coordinator sends it again
    # and sees what changed.
    author.goto(f"/dashboard/library/{practice.pk}/")
    expect(author.locator("main")).to_contain_text("Skaidri aprakstīts darbs.")
    review(author, "lv-library-changes-requested")
    author.goto(f"/dashboard/library/{practice.pk}/edit/")
    author.locator("#id_title").fill(CHANGED_TITLE)
    author.locator("main form button[type=submit]").last.click()
    expect(messages(author)).to_be_visible()
    speaker.goto(f"/dashboard/library/{practice.pk}/")
    speaker.locator(f'main form[action$="/dashboard/library/{practice.pk}/submit/"] button').click()
    expect(messages(speaker)).to_be_visible()
    speaker.goto(f"/dashboard/library/{practice.pk}/versions/1/2/")
    expect(speaker.locator("main del").first).to_contain_text("skolā")
    expect(speaker.locator("main ins").first).to_contain_text("ģimnāzijā")
    review(speaker, "lv-library-diff")

    # 7. The same reviewers review the new version; the national coordinator publishes it.
    nc.goto(f"/dashboard/library/{practice.pk}/reviewers/")
    for person in (first_reviewer, second_reviewer):
        nc.locator(f"main form input[name=reviewers][value='{person.pk}']").check()
    nc.locator("main form button[type=submit]").last.click()
    expect(messages(nc)).to_be_visible()
    for person in (first_reviewer, second_reviewer):
        page = _sign_in(browsing, person)
        assignment = ReviewAssignment.objects.get(practice=practice, reviewer=person, round=2)
        _review(page, network, assignment.pk, ["3", "3", "2", "3", "2", "3"])
    nc.goto(f"/dashboard/library/{practice.pk}/decide/")
    nc.locator("main form input[name=decision][value=publish]").check()
    nc.locator("main form textarea[name=message]").fill("Publicējam. Paldies!")
    nc.locator("main form button[type=submit]").last.click()
    expect(messages(nc)).to_be_visible()
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED

    # 8. A visitor finds it by another case form, without diacritics, opens it, downloads it.
    visitor = browsing.page()
    visitor.goto("/library/?q=udens+taupisanas+gimnazija")
    result = visitor.locator(f'main a[href="/library/{practice.pk}/"]')
    expect(result).to_have_text(CHANGED_TITLE)
    review(visitor, "lv-library-search")
    result.click()
    expect(visitor.locator("h1")).to_have_text(CHANGED_TITLE)
    review(visitor, "lv-library-item")
    with visitor.expect_download() as download_info:
        visitor.locator("main a[download]").first.click()
    download = download_info.value
    assert download.suggested_filename == "Ūdens plāns.pdf"
    assert download.path().read_bytes().startswith(b"%PDF-")
    assert practice.files.get().download_count == 1

    # The same pages in English.
    visitor.goto(f"/en/library/{practice.pk}/")
    review(visitor, "en-library-item")
    visitor.goto("/en/library/?q=udens")
    review(visitor, "en-library-search")

    review.assert_clean()
    assert_clean(browsing)
