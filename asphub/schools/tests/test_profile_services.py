"""A school's own profile, team, flagship networks and withdrawal request, through the services
(asphub.schools.profile_services) and the picture checks (asphub.schools.images)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from asphub.audit.models import AuditAction, AuditEntry, StandIn
from asphub.core.text import latvian_sort_key
from asphub.roles.models import Role
from asphub.roles.tests.factories import person_with
from asphub.schools import images
from asphub.schools.lifecycle import MembershipAction
from asphub.schools.models import (
    FlagshipParticipation,
    MembershipStatus,
    School,
    TeamMember,
    TeamRole,
)
from asphub.schools.profile_services import (
    school_flagships_update,
    school_profile_update,
    school_team_update,
    school_withdrawal_request,
    team_rule_shortfalls,
    withdrawal_request_pending,
)
from asphub.schools.services import school_status_change
from asphub.schools.tests.factories import FlagshipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

EXIF_GPS_IFD = 0x8825
EXIF_MAKE = 0x010F


# -- pictures for the tests -------------------------------------------------------------------


def picture(
    image_format: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = False
) -> bytes:
    """A small picture, with camera and GPS data in its EXIF if `gps`."""
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    options = {}
    if gps:
        exif = Image.Exif()
        exif[EXIF_MAKE] = "Spy Camera Co."
        exif[EXIF_GPS_IFD] = {1: "N", 2: (56.0, 57.0, 0.0), 3: "E", 4: (24.0, 6.0, 0.0)}
        options["exif"] = exif.tobytes()
    image.save(out, image_format, **options)
    return out.getvalue()


def upload(content: bytes, name: str = "picture.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid small PNG whose header says it is `width` × `height` (a decompression bomb as
    the server first sees it)."""
    data = picture("PNG", (8, 8))
    ihdr_start = 8 + 8  # signature, then the chunk's length and type
    header = bytearray(data[ihdr_start : ihdr_start + 13])
    header[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(header)) & 0xFFFFFFFF)
    return data[:ihdr_start] + bytes(header) + crc + data[ihdr_start + 13 + 4 :]


DISGUISED = {
    "text": (b"Hello, this is a text file pretending to be a picture.\n" * 20, "logo.png"),
    "executable": (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500, "logo.png"),
    "windows_executable": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, "photo.jpg"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
    ),
    "truncated_header": (picture("PNG")[:20], "logo.png"),
    "gif": (b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00;", "logo.gif"),
}


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


def field_codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {item.code for item in items} for field, items in error.error_dict.items()}


def stored_state(school: School) -> dict:
    return {
        "school": School.objects.filter(pk=school.pk).values().get(),
        "team": list(TeamMember.objects.filter(school=school).order_by("pk").values()),
        "flagships": list(
            FlagshipParticipation.objects.filter(school=school).order_by("pk").values()
        ),
        "audit": AuditEntry.objects.count(),
    }


# -- people -----------------------------------------------------------------------------------


@pytest.fixture
def reviewer(latvia):
    return person_with(Role.REVIEWER, country=latvia, email="reviewer@example.org")


@pytest.fixture
def other_coordinator(other_school):
    return person_with(Role.SCHOOL_COORDINATOR, school=other_school, email="other@example.org")


@pytest.fixture
def foreign_national_coordinator(estonia):
    return person_with(Role.NATIONAL_COORDINATOR, country=estonia, email="ee@example.org")


FORBIDDEN = ["teacher", "other_coordinator", "reviewer", "foreign_national_coordinator"]


def actor(request, name: str):
    return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)


# -- the profile ------------------------------------------------------------------------------


def test_the_coordinator_changes_the_profile_and_only_changed_fields_are_recorded(
    school, coordinator
):
    school.description_en = "Old words."
    school.save()
    school_profile_update(
        actor=coordinator,
        school=school,
        description_lv="Skola pie ozoliem.",
        description_en="Old words.",
        website="https://ozoli.example.lv",
        email="info@ozoli.example.lv",
        phone="+371 600 00000",
        address="Ozolu iela 1",
    )
    school.refresh_from_db()
    assert school.description_lv == "Skola pie ozoliem."
    assert school.website == "https://ozoli.example.lv"
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_PROFILE_CHANGED)
    assert entry.actor == coordinator
    assert entry.country_code == "LV"
    assert entry.object_id == str(school.pk)
    assert set(entry.after) == {"description_lv", "website", "email", "phone", "address"}
    assert entry.before["website"] == ""
    assert entry.after["email"] == "info@ozoli.example.lv"


def test_saving_what_is_stored_records_nothing(school, coordinator):
    before = stored_state(school)
    school_profile_update(
        actor=coordinator, school=school, description_lv="", website="", name=school.name
    )
    assert stored_state(school) == before


def test_the_school_coordinator_cannot_change_the_name_and_nothing_changes(school, coordinator):
    before = stored_state(school)
    with pytest.raises(PermissionDenied):
        school_profile_update(
            actor=coordinator, school=school, name="Cita skola", website="https://x.example"
        )
    assert stored_state(school) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("institution_type", "gymnasium"),
        ("ownership", "private"),
        ("settlement", "Cēsis"),
        ("latitude", "57.00000"),
        ("subdivision", None),
    ],
)
def test_the_school_coordinator_cannot_change_what_identifies_the_school(
    school, coordinator, field, value
):
    before = stored_state(school)
    with pytest.raises(PermissionDenied):
        school_profile_update(actor=coordinator, school=school, **{field: value})
    assert stored_state(school) == before


def test_the_national_coordinator_corrects_what_identifies_the_school(
    school, national_coordinator, latvia
):
    municipality = latvia.subdivisions.exclude(pk=school.subdivision_id).first()
    school_profile_update(
        actor=national_coordinator,
        school=school,
        name="Ozolu sākumskola",
        institution_type="primary",
        ownership="state",
        subdivision=municipality,
        settlement="Cēsis",
        latitude="57.31000",
        longitude="25.27000",
        description_en="Corrected too.",
    )
    school.refresh_from_db()
    assert school.name == "Ozolu sākumskola"
    assert school.subdivision == municipality
    assert str(school.latitude) == "57.31000"
    assert school.sort_key == latvian_sort_key("Ozolu sākumskola")
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_PROFILE_CHANGED)
    assert entry.before["name"] == "Ozolu pamatskola"
    assert entry.after["subdivision"] == municipality.code
    assert entry.after["latitude"] == "57.31000"


def test_an_administrator_may_change_everything(school, administrator):
    school_profile_update(actor=administrator, school=school, name="Jaunā skola")
    assert School.objects.get(pk=school.pk).name == "Jaunā skola"


@pytest.mark.parametrize("who", [*FORBIDDEN, "anonymous"])
def test_people_outside_the_school_cannot_change_its_profile(request, school, who):
    person = actor(request, who)
    before = stored_state(school)
    with pytest.raises(PermissionDenied):
        school_profile_update(actor=person, school=school, description_en="Mine now.")
    with pytest.raises(PermissionDenied):
        school_team_update(
            actor=person,
            school=school,
            members=[{"full_name": "X", "team_role": TeamRole.TEACHER}],
        )
    with pytest.raises(PermissionDenied):
        school_flagships_update(actor=person, school=school, participations=[])
    assert stored_state(school) == before


def test_a_foreign_national_coordinator_cannot_rename_a_school_either(
    school, foreign_national_coordinator
):
    with pytest.raises(PermissionDenied):
        school_profile_update(actor=foreign_national_coordinator, school=school, name="X")


@pytest.mark.parametrize(
    "fields, field, code",
    [
        ({"email": "not an address"}, "email", "invalid"),
        ({"website": "javascript:alert(1)"}, "website", "invalid"),
        ({"website": "ftp://files.example.org/"}, "website", "website"),
        ({"phone": "+371\n600"}, "phone", "control_character"),
        ({"address": "x" * 300}, "address", "max_length"),
    ],
)
def test_invalid_values_are_refused_with_their_code_and_nothing_changes(
    school, coordinator, fields, field, code
):
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=coordinator, school=school, description_en="Fine.", **fields)
    assert code in field_codes(refused.value)[field]
    assert stored_state(school) == before


def test_only_one_school_of_a_network_has_a_name(school, other_school, national_coordinator):
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=national_coordinator, school=school, name=other_school.name)
    assert field_codes(refused.value) == {"name": {"name_taken"}}
    assert stored_state(school) == before


def test_coordinates_come_in_pairs(school, national_coordinator):
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=national_coordinator, school=school, latitude=None)
    assert "coordinates" in field_codes(refused.value)["latitude"]


def test_a_change_to_a_school_changed_meanwhile_is_refused_and_nothing_changes(
    school, coordinator, national_coordinator
):
    opened_at = school.updated_at
    school_profile_update(
        actor=national_coordinator, school=School.objects.get(pk=school.pk), phone="+371 1"
    )
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(
            actor=coordinator, school=school, seen_updated_at=opened_at, phone="+371 2"
        )
    assert codes(refused.value) == {"changed_meanwhile"}
    with pytest.raises(ValidationError) as refused:
        school_team_update(
            actor=coordinator,
            school=school,
            seen_updated_at=opened_at,
            members=[{"full_name": "Anna", "team_role": TeamRole.TEACHER}],
        )
    assert codes(refused.value) == {"changed_meanwhile"}
    assert stored_state(school) == before
    # With the profile as it is now, the change goes through.
    current = School.objects.get(pk=school.pk).updated_at
    school_profile_update(actor=coordinator, school=school, seen_updated_at=current, phone="+2")
    assert School.objects.get(pk=school.pk).phone == "+2"


# -- pictures ---------------------------------------------------------------------------------


def exif_of(name: str) -> Image.Exif:
    with default_storage.open(name) as stored, Image.open(stored) as image:
        return image.getexif()


def test_a_photo_is_stored_re_encoded_without_its_location_and_camera(school, coordinator):
    original = picture(gps=True)
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif()[EXIF_MAKE] == "Spy Camera Co."
        assert image.getexif().get_ifd(EXIF_GPS_IFD)
    school_profile_update(
        actor=coordinator,
        school=school,
        photo=upload(original, "Ilze at home (GPS).jpg"),
        photo_description="Pupils planting oaks in the school yard.",
    )
    school.refresh_from_db()
    assert school.photo.name.startswith("schools/photos/")
    assert school.photo.name.endswith(".jpg")
    assert "Ilze" not in school.photo.name
    exif = exif_of(school.photo.name)
    assert EXIF_MAKE not in exif
    assert not exif.get_ifd(EXIF_GPS_IFD)
    with default_storage.open(school.photo.name) as stored:
        assert stored.read() != original
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_PROFILE_CHANGED)
    assert entry.after["photo"] == school.photo.name
    assert entry.before["photo"] == ""


@pytest.mark.parametrize(
    "image_format, extension", [("PNG", "png"), ("WEBP", "webp"), ("JPEG", "jpg")]
)
def test_jpeg_png_and_webp_logos_are_accepted(school, coordinator, image_format, extension):
    school_profile_update(
        actor=coordinator,
        school=school,
        logo=upload(picture(image_format), f"logo.{extension}", f"image/{extension}"),
    )
    school.refresh_from_db()
    assert school.logo.name.endswith(f".{extension}")
    with default_storage.open(school.logo.name) as stored, Image.open(stored) as image:
        assert image.format == image_format


def test_a_large_photo_is_scaled_down_to_the_bound(school, coordinator):
    school_profile_update(
        actor=coordinator,
        school=school,
        photo=upload(picture("JPEG", (4000, 1000))),
        photo_description="A wide view of the school.",
    )
    school.refresh_from_db()
    with default_storage.open(school.photo.name) as stored, Image.open(stored) as image:
        assert image.size == (images.PHOTO_MAX_SIDE, 500)


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(school, coordinator, kind):
    content, name = DISGUISED[kind]
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(
            actor=coordinator,
            school=school,
            description_en="Typed meanwhile.",
            logo=upload(content, name, "image/png"),
        )
    assert field_codes(refused.value) == {"logo": {"not_an_image"}}
    assert stored_state(school) == before
    assert school.logo.name in ("", None)


def test_a_file_over_five_megabytes_is_refused(school, coordinator):
    content = picture() + b"\x00" * (images.MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=coordinator, school=school, photo=upload(content))
    assert field_codes(refused.value) == {"photo": {"too_large"}}


@pytest.mark.parametrize("size", [(10_000, 10_000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_before_it_is_unpacked(school, coordinator, size):
    bomb = png_claiming_size(*size)
    assert len(bomb) < 1000
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=coordinator, school=school, logo=upload(bomb, "b.png"))
    assert field_codes(refused.value) == {"logo": {"too_many_pixels"}}


def test_a_damaged_picture_is_refused(school, coordinator):
    damaged = picture("JPEG", (400, 400))
    damaged = damaged[: len(damaged) // 3]
    with pytest.raises(ValidationError) as refused:
        images.checked_image(io.BytesIO(damaged))
    assert codes(refused.value) == {"damaged"}


def test_a_new_photo_needs_its_description(school, coordinator):
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_profile_update(actor=coordinator, school=school, photo=upload(picture()))
    assert field_codes(refused.value) == {"photo_description": {"describe_photo"}}
    assert stored_state(school) == before


def test_a_replaced_picture_is_deleted_once_the_change_is_committed(
    school, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        school_profile_update(actor=coordinator, school=school, logo=upload(picture()))
    first = School.objects.get(pk=school.pk).logo.name
    assert default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        school_profile_update(actor=coordinator, school=school, logo=upload(picture("PNG")))
    second = School.objects.get(pk=school.pk).logo.name
    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        school_profile_update(actor=coordinator, school=school, logo=False)
    assert School.objects.get(pk=school.pk).logo.name == ""
    assert not default_storage.exists(second)
    entry = AuditEntry.objects.filter(action=AuditAction.SCHOOL_PROFILE_CHANGED).latest("pk")
    assert (entry.before, entry.after) == ({"logo": second}, {"logo": ""})


def stored_files(folder: str = "schools") -> list[str]:
    if not default_storage.exists(folder):
        return []
    folders, files = default_storage.listdir(folder)
    found = [f"{folder}/{name}" for name in files]
    for sub in folders:
        found += stored_files(f"{folder}/{sub}")
    return found


def test_a_change_that_fails_after_writing_the_picture_leaves_no_file_behind(
    school, coordinator, monkeypatch
):
    from asphub.schools import profile_services

    def failing_audit(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(profile_services, "audit_record", failing_audit)
    before = stored_files()
    with pytest.raises(RuntimeError):
        school_profile_update(actor=coordinator, school=school, logo=upload(picture()))
    assert stored_files() == before
    assert School.objects.get(pk=school.pk).logo.name == ""


# -- the team ---------------------------------------------------------------------------------


def member(name: str, role: str = TeamRole.TEACHER, **values) -> dict:
    return {"full_name": name, "team_role": role, **values}


def test_the_team_is_set_in_order_and_recorded_as_lists(school, coordinator):
    school_team_update(
        actor=coordinator,
        school=school,
        members=[
            member("Anna Bērziņa", position="angļu valodas skolotāja", email="anna@example.org"),
            member("Jānis Ozols", TeamRole.ADMINISTRATION, position="direktors"),
        ],
    )
    anna, janis = TeamMember.objects.filter(school=school).order_by("order")
    assert (anna.full_name, anna.order, janis.team_role) == ("Anna Bērziņa", 0, "administration")
    first = AuditEntry.objects.get(action=AuditAction.SCHOOL_TEAM_CHANGED)
    assert first.before == {"team": []}
    assert first.after["team"][0].startswith("Anna Bērziņa (teacher")

    # Edit Jānis, put him first, remove Anna, add Līga.
    members = school_team_update(
        actor=coordinator,
        school=school,
        members=[
            member("Jānis Ozols", TeamRole.ADMINISTRATION, id=janis.pk, position="direktors"),
            member("Līga Kalna", TeamRole.OTHER),
        ],
    )
    assert [m.full_name for m in members] == ["Jānis Ozols", "Līga Kalna"]
    stored = list(TeamMember.objects.filter(school=school).order_by("order"))
    assert [(m.full_name, m.order) for m in stored] == [("Jānis Ozols", 0), ("Līga Kalna", 1)]
    assert stored[0].pk == janis.pk
    second = AuditEntry.objects.filter(action=AuditAction.SCHOOL_TEAM_CHANGED).latest("pk")
    assert len(second.before["team"]) == 2 and len(second.after["team"]) == 2
    assert second.after["team"][1] == "Līga Kalna (other)"


def test_the_same_team_saved_again_records_nothing(school, coordinator):
    school_team_update(actor=coordinator, school=school, members=[member("Anna")])
    anna = TeamMember.objects.get(school=school)
    before = stored_state(school)
    school_team_update(
        actor=coordinator, school=school, members=[member("Anna", id=anna.pk, email="")]
    )
    assert stored_state(school) == before


def test_a_team_change_moves_the_profiles_version_on(school, coordinator):
    opened_at = School.objects.get(pk=school.pk).updated_at
    school_team_update(actor=coordinator, school=school, members=[member("Anna")])
    assert School.objects.get(pk=school.pk).updated_at > opened_at
    assert school.updated_at == School.objects.get(pk=school.pk).updated_at


def test_another_schools_team_member_cannot_be_edited_through_this_school(
    school, other_school, coordinator, administrator
):
    school_team_update(actor=administrator, school=other_school, members=[member("Svešais")])
    stranger = TeamMember.objects.get(school=other_school)
    before = stored_state(other_school)
    with pytest.raises(ValidationError) as refused:
        school_team_update(
            actor=coordinator, school=school, members=[member("Mine now", id=stranger.pk)]
        )
    assert codes(refused.value) == {"unknown_member"}
    assert stored_state(other_school) == before
    assert not TeamMember.objects.filter(school=school).exists()


@pytest.mark.parametrize(
    "row, code",
    [
        (member(""), "name_required"),
        (member("Anna", "principal"), "team_role"),
        (member("Anna", email="nope"), "email"),
        (member("Anna\nBērziņa"), "control_character"),
        (member("A" * 201), "too_long"),
    ],
)
def test_invalid_team_rows_are_refused_and_nothing_changes(school, coordinator, row, code):
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_team_update(actor=coordinator, school=school, members=[member("Ok"), row])
    assert codes(refused.value) == {code}
    assert stored_state(school) == before


def test_the_team_rule_is_the_countrys_and_only_warns(latvia):
    latvia.minimum_team_size, latvia.minimum_team_teachers = 3, 2
    latvia.minimum_team_administration = 1
    assert [s.code for s in team_rule_shortfalls(latvia, [])] == [
        "size",
        "teachers",
        "administration",
    ]
    assert [s.code for s in team_rule_shortfalls(latvia, ["teacher", "teacher", "other"])] == [
        "administration"
    ]
    assert team_rule_shortfalls(latvia, ["teacher", "teacher", "administration"]) == []
    latvia.minimum_team_size = 0
    latvia.minimum_team_teachers = latvia.minimum_team_administration = 0
    assert team_rule_shortfalls(latvia, []) == []


# -- flagship networks ------------------------------------------------------------------------


def test_flagship_networks_are_set_and_recorded_as_lists(school, coordinator):
    baltic, sandwatch = FlagshipFactory(slug="baltic"), FlagshipFactory(slug="sandwatch")
    school_flagships_update(
        actor=coordinator,
        school=school,
        participations=[{"flagship": baltic, "since_year": 2005, "until_year": None}],
    )
    school_flagships_update(
        actor=coordinator,
        school=school,
        participations=[
            {"flagship": baltic.pk, "since_year": 2005, "until_year": 2015},
            {"flagship": sandwatch.pk, "since_year": None, "until_year": None},
        ],
    )
    rows = {p.flagship.slug: (p.since_year, p.until_year) for p in
            FlagshipParticipation.objects.filter(school=school)}  # fmt: skip
    assert rows == {"baltic": (2005, 2015), "sandwatch": (None, None)}
    school_flagships_update(actor=coordinator, school=school, participations=[])
    assert not FlagshipParticipation.objects.filter(school=school).exists()
    entries = list(
        AuditEntry.objects.filter(action=AuditAction.SCHOOL_PROFILE_CHANGED).order_by("pk")
    )
    assert len(entries) == 3
    assert entries[0].before == {"flagship_networks": []}
    assert entries[1].after["flagship_networks"] == [
        f"{baltic.name_lv} (2005–2015)",
        sandwatch.name_lv,
    ]
    assert entries[2].after == {"flagship_networks": []}


@pytest.mark.parametrize(
    "participations, code",
    [
        ([{"flagship": "BALTIC", "since_year": 2015, "until_year": 2010}], "years_order"),
        ([{"flagship": "BALTIC", "since_year": 1900}], "year"),
        ([{"flagship": "BALTIC"}, {"flagship": "BALTIC"}], "duplicate"),
        ([{"flagship": 999_999}], "unknown_flagship"),
    ],
)
def test_invalid_flagship_rows_are_refused_and_nothing_changes(
    school, coordinator, participations, code
):
    baltic = FlagshipFactory(slug="baltic")
    for item in participations:
        if item["flagship"] == "BALTIC":
            item["flagship"] = baltic
    before = stored_state(school)
    with pytest.raises(ValidationError) as refused:
        school_flagships_update(actor=coordinator, school=school, participations=participations)
    assert codes(refused.value) == {code}
    assert stored_state(school) == before


# -- asking to withdraw -----------------------------------------------------------------------


@pytest.fixture
def national_coordinator_in_english(latvia):
    return person_with(
        Role.NATIONAL_COORDINATOR,
        country=latvia,
        email="national-en@example.org",
        preferred_language="en",
    )


def test_a_withdrawal_request_is_recorded_and_mailed_to_the_national_network(
    school, coordinator, national_coordinator, national_coordinator_in_english, latvia
):
    latvia.contact_email = "asp@example.lv"
    latvia.save()
    request = school_withdrawal_request(
        actor=coordinator, school=school, reason="  The school is merging with another.  "
    )
    entry = AuditEntry.objects.get(action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED)
    assert (entry.actor, entry.country_code, entry.object_id) == (coordinator, "LV", str(school.pk))
    assert entry.note == request.reason == "The school is merging with another."
    assert request.requested_by == coordinator
    assert withdrawal_request_pending(school) == request
    # The status is the national coordinator's to change.
    assert School.objects.get(pk=school.pk).membership_status == MembershipStatus.MEMBER

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {
        "national@example.org",
        "national-en@example.org",
        "asp@example.lv",
    }
    workspace = f"/dashboard/membership/schools/{school.pk}/"
    assert f"{workspace}\n" in by_address["national@example.org"].body
    assert f"/en{workspace}\n" in by_address["national-en@example.org"].body
    for message in by_address.values():
        assert "The school is merging with another." in message.body
        assert school.name in message.subject


def test_a_second_request_while_one_is_waiting_is_refused(
    school, coordinator, national_coordinator
):
    school_withdrawal_request(actor=coordinator, school=school, reason="Closing.")
    sent = len(mail.outbox)
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        school_withdrawal_request(actor=coordinator, school=school, reason="Closing, really.")
    assert codes(refused.value) == {"already_requested"}
    assert AuditEntry.objects.count() == audit
    assert len(mail.outbox) == sent


def test_a_request_is_answered_by_the_next_status_change(school, coordinator, national_coordinator):
    school.status_changed_at = None
    school.save()
    school_withdrawal_request(actor=coordinator, school=school, reason="Closing.")
    school_status_change(
        actor=national_coordinator,
        school=school,
        action=MembershipAction.RECORD_WITHDRAWAL,
        reason="The school closed.",
    )
    school.refresh_from_db()
    assert school.membership_status == MembershipStatus.WITHDRAWN
    assert withdrawal_request_pending(school) is None
    with pytest.raises(ValidationError) as refused:
        school_withdrawal_request(actor=coordinator, school=school, reason="Again.")
    assert codes(refused.value) == {"not_a_member"}


def test_a_change_of_status_answers_the_request(school, coordinator, national_coordinator):
    request = school_withdrawal_request(actor=coordinator, school=school, reason="Closing.")
    school_status_change(
        actor=national_coordinator,
        school=school,
        action=MembershipAction.RECORD_WITHDRAWAL,
        reason="Closing.",
    )
    request.refresh_from_db()
    assert request.answered_at is not None
    assert withdrawal_request_pending(school) is None


def test_a_withdrawal_request_needs_a_reason(school, coordinator):
    with pytest.raises(ValidationError) as refused:
        school_withdrawal_request(actor=coordinator, school=school, reason="   ")
    assert field_codes(refused.value) == {"reason": {"reason"}}
    assert not AuditEntry.objects.filter(action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED).exists()
    assert len(mail.outbox) == 0


def test_an_application_cannot_ask_to_withdraw(latvia, coordinator):
    applicant = SchoolFactory(country=latvia, membership_status=MembershipStatus.SUBMITTED)
    person = person_with(Role.SCHOOL_COORDINATOR, school=applicant, email="app@example.org")
    with pytest.raises(ValidationError) as refused:
        school_withdrawal_request(actor=person, school=applicant, reason="Changed our minds.")
    assert codes(refused.value) == {"not_a_member"}


@pytest.mark.parametrize("who", [*FORBIDDEN, "national_coordinator", "anonymous"])
def test_only_the_schools_coordinator_asks_to_withdraw(request, school, who):
    person = actor(request, who)
    with pytest.raises(PermissionDenied):
        school_withdrawal_request(actor=person, school=school, reason="Not mine to ask.")
    assert not AuditEntry.objects.filter(action=AuditAction.SCHOOL_WITHDRAWAL_REQUESTED).exists()
    assert len(mail.outbox) == 0


def test_an_administrator_and_the_command_line_may_ask_on_the_schools_behalf(
    school, other_school, administrator
):
    school_withdrawal_request(actor=administrator, school=school, reason="As asked by phone.")
    school_withdrawal_request(actor=StandIn.COMMAND_LINE, school=other_school, reason="Closed.")
    assert withdrawal_request_pending(school) is not None
    assert withdrawal_request_pending(other_school) is not None
