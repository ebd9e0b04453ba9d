"""The activities' services: each step's allowed path, every role that may not take it, a
refused step that changes nothing, the audit entries; the bad input each refuses (an end before
the start, negative or absurd counts, links that are not web addresses, a practice or a partner
the activity may not name); photos only with a recorded consent, re-encoded without location
data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from asphub.accounts.tests.factories import UserFactory
from asphub.activities.models import (
    DESCRIPTION_MAX,
    MAX_PARTICIPANTS,
    Activity,
    ActivityPhoto,
    ActivityVisibility,
)
from asphub.activities.services import (
    MAX_HELD_PER_PERSON,
    MAX_PHOTOS,
    activity_create,
    activity_delete,
    activity_photo_add,
    activity_photo_hold,
    activity_photo_remove,
    activity_update,
    held_photos,
    held_photos_discard,
    purge_stale_held_photos,
)
from asphub.activities.tests.conftest import stored_photo_files
from asphub.activities.tests.factories import (
    ActivityPhotoFactory,
    picture_bytes,
)
from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.core.edits import StaleEdit
from asphub.core.storage import private_storage
from asphub.practices.tests.factories import PracticeFactory, PublishedPracticeFactory
from asphub.roles.models import Role
from asphub.roles.permissions import ACTIVITY_PUBLIC, LIBRARY_SCHOOL_STATUSES
from asphub.roles.services import role_revoke
from asphub.roles.tests.factories import person_with
from asphub.schools.images import checked_image
from asphub.schools.models import MembershipStatus
from asphub.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "international_day",
    "title": "Dzimtās valodas diena",
    "description": "Skolēni lasīja dzeju savās dzimtajās valodās.",
    "language": "lv",
    "starts_on": datetime.date(2025, 2, 21),
    "ends_on": datetime.date(2025, 2, 21),
    "place": "Skolas aula",
    "pupils": 120,
    "teachers": 8,
    "others": 15,
    "visibility": "public",
}


def actions() -> list[str]:
    """The activities' audit entries, oldest first (the fixtures' role grants left out)."""
    return list(
        AuditEntry.objects.filter(action__startswith="activity.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def stored_files() -> list[str]:
    """The photos this test stored (the factories' own, under "test/", left out)."""
    return [name for name in stored_photo_files() if name.startswith("activity-photos/")]


def checked(content: bytes | None = None, name: str = "foto.jpg"):
    return checked_image(SimpleUploadedFile(name, content or picture_bytes()))


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict.get(field, [])]


@pytest.fixture
def activity(teacher, school) -> Activity:
    return activity_create(actor=teacher, school=school, data=DATA)


def outsider(role: str, *, other_school, latvia, national_coordinator, estonia=None):
    return {
        "other_teacher": lambda: person_with(Role.TEACHER, school=other_school),
        "other_coordinator": lambda: person_with(Role.SCHOOL_COORDINATOR, school=other_school),
        "national": lambda: national_coordinator,
        "reviewer": lambda: person_with(Role.REVIEWER, country=latvia),
        "no_role": UserFactory,
        "anonymous": AnonymousUser,
    }[role]()


FORBIDDEN_TO_RECORD = ["other_teacher", "other_coordinator", "national", "reviewer", "no_role",
                       "anonymous"]  # fmt: skip


# -- recording --------------------------------------------------------------------------------


def test_the_permission_layer_reads_visibility_as_the_model_writes_it():
    assert ACTIVITY_PUBLIC == ActivityVisibility.PUBLIC
    assert set(ActivityVisibility.values) == {"public", "network"}


def test_a_teacher_records_an_activity_of_their_school(teacher, school):
    activity = activity_create(
        actor=teacher,
        school=school,
        data=DATA,
        links=[{"url": "https://example.org/zinas/1", "title": "Ziņa"}],
    )
    activity.refresh_from_db()
    assert activity.school == school and activity.country_id == school.country_id
    assert activity.created_by == teacher
    assert activity.sequence == 0
    assert (activity.pupils, activity.teachers, activity.others) == (120, 8, 15)
    assert [(link.url, link.title) for link in activity.links.all()] == [
        ("https://example.org/zinas/1", "Ziņa")
    ]
    entry = AuditEntry.objects.get(action=AuditAction.ACTIVITY_RECORDED)
    assert entry.actor == teacher and entry.country_code == "LV"
    assert entry.object_id == str(activity.pk)


def test_the_school_coordinator_records_too(coordinator, school):
    assert activity_create(actor=coordinator, school=school, data=DATA).created_by == coordinator


@pytest.mark.parametrize("role", FORBIDDEN_TO_RECORD)
def test_only_the_schools_own_people_record_its_activities(
    role, school, other_school, latvia, national_coordinator
):
    actor = outsider(
        role, other_school=other_school, latvia=latvia, national_coordinator=national_coordinator
    )
    with pytest.raises(PermissionDenied):
        activity_create(actor=actor, school=school, data=DATA)
    assert not Activity.objects.exists()
    assert actions() == []


@pytest.mark.parametrize(
    "status", [s for s in MembershipStatus.values if s not in LIBRARY_SCHOOL_STATUSES]
)
def test_a_school_outside_the_network_records_nothing(status, latvia):
    school = SchoolFactory(country=latvia, membership_status=status)
    teacher = person_with(Role.TEACHER, school=school)
    with pytest.raises(PermissionDenied):
        activity_create(actor=teacher, school=school, data=DATA)
    assert not Activity.objects.exists()


def test_an_end_before_the_start_is_refused_next_to_the_end_date(teacher, school):
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=teacher,
            school=school,
            data={**DATA, "ends_on": datetime.date(2025, 2, 20)},
        )
    assert codes(refused.value, "ends_on") == ["ends_before_start"]
    assert not Activity.objects.exists() and not actions()


@pytest.mark.parametrize(("count", "code"), [(-1, "min_value"), (10**9, "max_value")])
@pytest.mark.parametrize("field", ["pupils", "teachers", "others"])
def test_negative_or_absurd_counts_are_refused(teacher, school, field, count, code):
    with pytest.raises(ValidationError) as refused:
        activity_create(actor=teacher, school=school, data={**DATA, field: count})
    assert code in codes(refused.value, field)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("field", ["pupils", "teachers", "others"])
def test_each_count_has_its_own_bound(teacher, school, field):
    bound = MAX_PARTICIPANTS[field]
    with pytest.raises(ValidationError) as refused:
        activity_create(actor=teacher, school=school, data={**DATA, field: bound + 1})
    assert codes(refused.value, field) == ["max_value"]
    assert not Activity.objects.exists() and not actions()
    activity = activity_create(actor=teacher, school=school, data={**DATA, field: bound})
    assert getattr(activity, field) == bound


def test_a_hundred_thousand_teachers_are_refused_but_visitors_are_not(teacher, school):
    with pytest.raises(ValidationError) as refused:
        activity_create(actor=teacher, school=school, data={**DATA, "teachers": 100_000})
    assert codes(refused.value, "teachers") == ["max_value"]
    assert activity_create(actor=teacher, school=school, data={**DATA, "others": 100_000}).pk


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (datetime.date(2025, 3, 1), datetime.date(9999, 12, 31), "ends_on"),
        (datetime.date(1, 1, 1), datetime.date(2025, 3, 1), "starts_on"),
        (datetime.date(1999, 12, 31), datetime.date(2000, 1, 1), "starts_on"),
        (datetime.date(2100, 12, 31), datetime.date(2101, 1, 1), "ends_on"),
    ],
)
def test_dates_outside_the_years_are_refused(teacher, school, starts, ends, field):
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=teacher, school=school, data={**DATA, "starts_on": starts, "ends_on": ends}
        )
    assert codes(refused.value, field) == ["year_out_of_range"]
    assert not Activity.objects.exists() and not actions()


def test_the_first_and_last_days_of_the_years_are_accepted(teacher, school):
    activity = activity_create(
        actor=teacher,
        school=school,
        data={
            **DATA,
            "starts_on": datetime.date(2000, 1, 1),
            "ends_on": datetime.date(2100, 12, 31),
        },
    )
    assert activity.pk


def test_a_change_to_a_date_outside_the_years_is_refused(teacher, school):
    activity = activity_create(actor=teacher, school=school, data=DATA)
    with pytest.raises(ValidationError) as refused:
        activity_update(
            actor=teacher,
            activity=activity,
            data={**DATA, "ends_on": datetime.date(9999, 12, 31)},
            seen_sequence=activity.sequence,
        )
    assert codes(refused.value, "ends_on") == ["year_out_of_range"]
    activity.refresh_from_db()
    assert activity.ends_on == DATA["ends_on"] and activity.sequence == 0


def test_a_description_longer_than_the_cap_is_refused(teacher, school):
    for field in ("description", "description_en"):
        with pytest.raises(ValidationError) as refused:
            activity_create(
                actor=teacher,
                school=school,
                data={**DATA, field: "*a" * (DESCRIPTION_MAX // 2 + 1)},
            )
        assert codes(refused.value, field) == ["max_length"]
    assert not Activity.objects.exists()


def test_the_database_itself_refuses_impossible_dates_and_counts(school):
    base = {"school": school, "country": school.country, "title": "x"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            **base, starts_on=datetime.date(2025, 3, 2), ends_on=datetime.date(2025, 3, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            **base,
            starts_on=datetime.date(2025, 3, 1),
            ends_on=datetime.date(2025, 3, 1),
            pupils=MAX_PARTICIPANTS["pupils"] + 1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            **base,
            starts_on=datetime.date(2025, 3, 1),
            ends_on=datetime.date(2025, 3, 1),
            teachers=MAX_PARTICIPANTS["teachers"] + 1,
        )
    for starts, ends in [
        (datetime.date(2025, 3, 1), datetime.date(9999, 12, 31)),
        (datetime.date(1, 1, 1), datetime.date(2025, 3, 1)),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.create(**base, starts_on=starts, ends_on=ends)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            **base,
            starts_on=datetime.date(2025, 3, 1),
            ends_on=datetime.date(2025, 3, 1),
            visibility="secret",
        )
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "vbscript:msgbox",
        "",
    ],
)
def test_links_must_be_web_addresses(teacher, school, url):
    with pytest.raises(ValidationError):
        activity_create(actor=teacher, school=school, data=DATA, links=[{"url": url}])
    assert not Activity.objects.exists()


def test_a_line_break_in_a_title_or_place_is_refused(teacher, school):
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=teacher,
            school=school,
            data={**DATA, "title": "Diena\nBcc: x@example.org", "place": "Zāle\r\n"},
        )
    assert codes(refused.value, "title") == ["control_character"]
    assert codes(refused.value, "place") == ["control_character"]


def test_the_produced_practice_is_a_published_one_or_the_schools_own(teacher, school, other_school):
    published = PublishedPracticeFactory(school=other_school)
    own_draft = PracticeFactory(school=school)
    foreign_draft = PracticeFactory(school=other_school)
    first = activity_create(
        actor=teacher, school=school, data={**DATA, "produced_practice": published}
    )
    second = activity_create(
        actor=teacher, school=school, data={**DATA, "produced_practice": own_draft}
    )
    assert (first.produced_practice, second.produced_practice) == (published, own_draft)
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=teacher, school=school, data={**DATA, "produced_practice": foreign_draft}
        )
    assert codes(refused.value, "produced_practice") == ["practice_not_available"]
    assert Activity.objects.count() == 2


def test_partner_schools_come_from_the_directory_and_are_not_the_school_itself(
    teacher, school, other_school, latvia
):
    applicant = SchoolFactory(country=latvia, membership_status=MembershipStatus.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        activity_create(
            actor=teacher, school=school, data={**DATA, "partner_schools": [school, applicant]}
        )
    assert codes(refused.value, "partner_schools") == [
        "own_school_partner",
        "partner_not_in_directory",
    ]
    assert not Activity.objects.exists()
    activity = activity_create(
        actor=teacher,
        school=school,
        data={**DATA, "partner_schools": [other_school], "partners_abroad": "Tallinna Kool"},
    )
    assert list(activity.partner_schools.all()) == [other_school]


# -- changing ---------------------------------------------------------------------------------


def test_each_save_counts_one_more_sequence(activity, coordinator):
    updated = activity_update(
        actor=coordinator, activity=activity, data={"title": "Jauns nosaukums"}, seen_sequence=0
    )
    assert updated.sequence == 1
    updated = activity_update(
        actor=coordinator,
        activity=updated,
        data={},
        seen_sequence=1,
        links=[{"url": "https://example.org/x", "title": ""}],
    )
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == ("Jauns nosaukums", 2)
    assert actions().count(AuditAction.ACTIVITY_CHANGED) == 2
    entry = AuditEntry.objects.filter(action=AuditAction.ACTIVITY_CHANGED).order_by("id").first()
    assert entry.before["title"] == DATA["title"] and entry.after["title"] == "Jauns nosaukums"


def test_a_stale_edit_is_refused_and_changes_nothing(activity, teacher, coordinator):
    activity_update(actor=teacher, activity=activity, data={"title": "Pirmais"}, seen_sequence=0)
    with pytest.raises(StaleEdit) as refused:
        activity_update(
            actor=coordinator, activity=activity, data={"title": "Vecā forma"}, seen_sequence=0
        )
    assert refused.value.code == "stale"
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == ("Pirmais", 1)
    assert actions().count(AuditAction.ACTIVITY_CHANGED) == 1


def test_a_change_that_does_not_say_which_revision_it_was_made_on_is_refused(activity, coordinator):
    with pytest.raises(StaleEdit) as refused:
        activity_update(
            actor=coordinator, activity=activity, data={"title": "Bez žetona"}, seen_sequence=None
        )
    assert (refused.value.code, refused.value.current) == ("stale", 0)
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == (DATA["title"], 0)
    assert actions().count(AuditAction.ACTIVITY_CHANGED) == 0


def test_a_change_with_bad_dates_changes_nothing(activity, teacher):
    with pytest.raises(ValidationError):
        activity_update(
            actor=teacher,
            activity=activity,
            data={"starts_on": datetime.date(2025, 3, 1)},
            seen_sequence=0,
        )
    activity.refresh_from_db()
    assert (activity.starts_on, activity.sequence) == (DATA["starts_on"], 0)


@pytest.mark.parametrize("role", FORBIDDEN_TO_RECORD)
def test_only_the_schools_own_people_change_its_activities(
    role, activity, other_school, latvia, national_coordinator
):
    actor = outsider(
        role, other_school=other_school, latvia=latvia, national_coordinator=national_coordinator
    )
    with pytest.raises(PermissionDenied):
        activity_update(actor=actor, activity=activity, data={"title": "X"}, seen_sequence=None)
    activity.refresh_from_db()
    assert (activity.title, activity.sequence) == (DATA["title"], 0)
    assert AuditAction.ACTIVITY_CHANGED not in actions()


def test_a_revoked_teacher_can_no_longer_change_anything(activity, teacher):
    role_revoke(actor=StandIn.COMMAND_LINE, assignment=teacher.role_assignments.active().get())
    fresh = type(teacher).objects.get(pk=teacher.pk)
    with pytest.raises(PermissionDenied):
        activity_update(actor=fresh, activity=activity, data={"title": "X"}, seen_sequence=None)


# -- deleting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recording_teacher", "coordinator", "national"])
def test_who_may_delete_an_activity(who, activity, teacher, coordinator, national_coordinator):
    ActivityPhotoFactory(activity=activity)
    actor = {"recording_teacher": teacher, "coordinator": coordinator}.get(
        who, national_coordinator
    )
    activity_delete(actor=actor, activity=activity)
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.ACTIVITY_DELETED)
    assert entry.before["title"] == DATA["title"] and entry.before["photos"] == 1


@pytest.mark.parametrize("role", ["other_teacher", "other_coordinator", "reviewer", "no_role",
                                  "anonymous", "another_teacher_of_the_school"])  # fmt: skip
def test_who_may_not_delete_an_activity(
    role, activity, school, other_school, latvia, national_coordinator
):
    actor = (
        person_with(Role.TEACHER, school=school)
        if role == "another_teacher_of_the_school"
        else outsider(
            role,
            other_school=other_school,
            latvia=latvia,
            national_coordinator=national_coordinator,
        )
    )
    with pytest.raises(PermissionDenied):
        activity_delete(actor=actor, activity=activity)
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert AuditAction.ACTIVITY_DELETED not in actions()


def test_deleting_removes_the_stored_photos_after_the_commit(
    activity, coordinator, django_capture_on_commit_callbacks
):
    activity_photo_add(
        actor=coordinator,
        activity=activity,
        image=checked(),
        alt_text="Skolēni aulā",
        consent_confirmed=True,
        consent_note="Vecāku piekrišanas veidlapas.",
    )
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(actor=coordinator, activity=activity)
    assert stored_files() == []


# -- photos -----------------------------------------------------------------------------------


def test_a_photo_is_added_with_its_consent_recorded(activity, teacher):
    photo = activity_photo_add(
        actor=teacher,
        activity=activity,
        image=checked(),
        caption="Dzejas lasījumi",
        alt_text="Skolēni lasa dzeju aulā.",
        consent_confirmed=True,
        consent_note="Vecāki parakstīja piekrišanu 2025. gada septembrī.",
    )
    photo.refresh_from_db()
    assert photo.activity == activity and photo.uploaded_by == teacher
    assert photo.consent_confirmed and photo.consent_recorded_by == teacher
    assert photo.consent_recorded_at is not None
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (60, 40)
    # A random name in the private storage: nothing of the uploaded name.
    assert photo.image.name.startswith("activity-photos/") and "foto" not in photo.image.name
    assert photo.image.storage is private_storage()
    entry = AuditEntry.objects.get(action=AuditAction.ACTIVITY_PHOTO_ADDED)
    assert entry.after["photo"] == photo.pk and "septembrī" in entry.note


def test_a_photo_without_consent_is_refused_and_nothing_is_stored(activity, teacher):
    with pytest.raises(ValidationError) as refused:
        activity_photo_add(
            actor=teacher,
            activity=activity,
            image=checked(),
            alt_text="Skolēni",
            consent_confirmed=False,
            consent_note="",
        )
    assert codes(refused.value, "consent_confirmed") == ["consent_required"]
    assert codes(refused.value, "consent_note") == ["consent_note_required"]
    assert not ActivityPhoto.objects.exists() and stored_files() == []
    assert AuditAction.ACTIVITY_PHOTO_ADDED not in actions()


def test_a_photo_needs_what_it_shows(activity, teacher):
    with pytest.raises(ValidationError) as refused:
        activity_photo_add(
            actor=teacher,
            activity=activity,
            image=checked(),
            alt_text="  ",
            consent_confirmed=True,
            consent_note="Piekrita.",
        )
    assert codes(refused.value, "alt_text") == ["describe_photo"]
    assert stored_files() == []


def test_a_photo_without_consent_is_not_even_held(activity, teacher):
    with pytest.raises(ValidationError):
        activity_photo_hold(
            actor=teacher, activity=activity, image=checked(), consent_confirmed=False
        )
    assert stored_files() == [] and not ActivityPhoto.objects.exists()


def test_the_database_refuses_a_photo_without_consent(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityPhotoFactory(activity=activity, consent_confirmed=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityPhotoFactory(activity=activity, consent_note="")


def test_location_and_camera_data_are_removed(activity, teacher):
    exif = Image.Exif()
    exif[0x010F] = "AcmeCam"  # the camera's maker
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (56.0, 57.0, 1.5)
    upload = picture_bytes(exif=exif)
    assert b"AcmeCam" in upload
    photo = activity_photo_add(
        actor=teacher,
        activity=activity,
        image=checked(upload),
        alt_text="Upe",
        consent_confirmed=True,
        consent_note="Bez cilvēkiem.",
    )
    with photo.image.open("rb") as stored:
        content = stored.read()
    assert b"AcmeCam" not in content and b"Exif" not in content
    reopened = Image.open(io.BytesIO(content))
    assert not reopened.getexif().get_ifd(0x8825)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("lapa.jpg", b"<html><script>alert(1)</script></html>", "not_an_image"),
        (
            "zimejums.jpg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "not_an_image",
        ),
        ("programma.png", b"MZ\x90\x00" + b"\x00" * 200, "not_an_image"),
        ("liela.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_disguised_or_oversized_files_are_not_pictures(name, content, code):
    with pytest.raises(ValidationError) as refused:
        checked_image(SimpleUploadedFile(name, content, content_type="image/jpeg"))
    assert refused.value.code == code


def test_a_held_photo_belongs_to_its_uploader_until_attached(activity, teacher, coordinator):
    held = activity_photo_hold(
        actor=teacher, activity=activity, image=checked(), consent_confirmed=True
    )
    assert held.activity is None and held.consent_recorded_by == teacher
    assert held_photos(coordinator, [held.pk]) == []
    assert held_photos(teacher, [held.pk, "x", "../1"]) == [held]
    with pytest.raises(PermissionDenied):
        activity_photo_add(
            actor=coordinator,
            activity=activity,
            held=held,
            alt_text="Skolēni",
            consent_confirmed=True,
            consent_note="Piekrita.",
        )
    photo = activity_photo_add(
        actor=teacher,
        activity=activity,
        held=held,
        alt_text="Skolēni",
        consent_confirmed=True,
        consent_note="Piekrita.",
    )
    assert photo.pk == held.pk and photo.activity == activity
    assert held_photos(teacher, [held.pk]) == []
    assert len(stored_files()) == 1


def test_a_discarded_held_photo_leaves_the_storage(
    activity, teacher, django_capture_on_commit_callbacks
):
    held = activity_photo_hold(
        actor=teacher, activity=activity, image=checked(), consent_confirmed=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        held_photos_discard(actor=teacher, photos=[held])
    assert not ActivityPhoto.objects.exists() and stored_files() == []


def test_holding_more_than_the_cap_forgets_the_persons_oldest_held_photos(
    activity, teacher, coordinator, django_capture_on_commit_callbacks
):
    others = activity_photo_hold(
        actor=coordinator, activity=activity, image=checked(), consent_confirmed=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        held = [
            activity_photo_hold(
                actor=teacher, activity=activity, image=checked(), consent_confirmed=True
            )
            for _ in range(MAX_HELD_PER_PERSON + 3)
        ]
    kept = ActivityPhoto.objects.filter(uploaded_by=teacher, activity__isnull=True)
    assert sorted(kept.values_list("pk", flat=True)) == [p.pk for p in held[-MAX_HELD_PER_PERSON:]]
    # Another person's held photo is theirs; the forgotten files left the storage.
    assert ActivityPhoto.objects.filter(pk=others.pk).exists()
    assert len(stored_files()) == MAX_HELD_PER_PERSON + 1


def test_held_photos_are_purged_after_a_day(activity, teacher, django_capture_on_commit_callbacks):
    held = activity_photo_hold(
        actor=teacher, activity=activity, image=checked(), consent_confirmed=True
    )
    ActivityPhoto.objects.filter(pk=held.pk).update(
        created_at=held.created_at - datetime.timedelta(hours=25)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_stale_held_photos() == 1
    assert stored_files() == []


def test_photos_are_added_by_the_schools_people_only(
    activity, other_school, latvia, national_coordinator
):
    for role in ("other_teacher", "national", "reviewer", "anonymous"):
        actor = outsider(
            role,
            other_school=other_school,
            latvia=latvia,
            national_coordinator=national_coordinator,
        )
        with pytest.raises(PermissionDenied):
            activity_photo_add(
                actor=actor,
                activity=activity,
                image=checked(),
                alt_text="Skolēni",
                consent_confirmed=True,
                consent_note="Piekrita.",
            )
    assert not ActivityPhoto.objects.exists() and stored_files() == []


def test_an_activity_holds_a_bounded_number_of_photos(activity, teacher):
    ActivityPhotoFactory.create_batch(MAX_PHOTOS, activity=activity)
    with pytest.raises(ValidationError) as refused:
        activity_photo_add(
            actor=teacher,
            activity=activity,
            image=checked(),
            alt_text="Skolēni",
            consent_confirmed=True,
            consent_note="Piekrita.",
        )
    assert codes(refused.value, "image") == ["too_many_photos"]
    assert activity.photos.count() == MAX_PHOTOS
    # The new file was stored before the count was known: it went again.
    assert len(stored_files()) == 0


def test_the_national_coordinator_takes_a_photo_down(
    activity, national_coordinator, django_capture_on_commit_callbacks
):
    photo = activity_photo_add(
        actor=StandIn.COMMAND_LINE,
        activity=activity,
        image=checked(),
        alt_text="Skolēni",
        consent_confirmed=True,
        consent_note="Piekrita.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        activity_photo_remove(actor=national_coordinator, photo=photo)
    assert not ActivityPhoto.objects.exists() and stored_files() == []
    entry = AuditEntry.objects.get(action=AuditAction.ACTIVITY_PHOTO_REMOVED)
    assert entry.actor == national_coordinator


@pytest.mark.parametrize("role", ["other_teacher", "other_coordinator", "reviewer", "no_role",
                                  "anonymous"])  # fmt: skip
def test_others_may_not_take_a_photo_down(
    role, activity, other_school, latvia, national_coordinator
):
    photo = ActivityPhotoFactory(activity=activity)
    actor = outsider(
        role, other_school=other_school, latvia=latvia, national_coordinator=national_coordinator
    )
    with pytest.raises(PermissionDenied):
        activity_photo_remove(actor=actor, photo=photo)
    assert ActivityPhoto.objects.filter(pk=photo.pk).exists()
    assert AuditAction.ACTIVITY_PHOTO_REMOVED not in actions()
