"""Activities, their links and photos, for tests.

`ActivityFactory` makes a public one-day project of a Latvian school (pass `visibility="network"`
for a network-only one, and `thematic_areas=[...]`, `pillars=[...]`, `sdgs=[...]`,
`partner_schools=[...]` for the many-to-many fields). `ActivityPhotoFactory` stores a small
re-encoded picture with its consent recorded. `picture_bytes()` makes an upload."""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from asphub.activities.models import (
    Activity,
    ActivityKind,
    ActivityLink,
    ActivityPhoto,
    ActivityVisibility,
)
from asphub.core.documents import random_storage_name
from asphub.practices.models import ContentLanguage
from asphub.schools.tests.factories import SchoolFactory


def picture_bytes(kind: str = "JPEG", size: tuple[int, int] = (60, 40), *, exif=None) -> bytes:
    """A small picture as a camera or phone would send it (`exif`: a PIL.Image.Exif to carry)."""
    encoded = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 120, 20)).save(encoded, kind, **options)
    return encoded.getvalue()


def _tags(field_name: str):
    def add(activity, create, extracted, **kwargs):
        if create and extracted:
            getattr(activity, field_name).set(extracted)

    add.__name__ = field_name
    return factory.post_generation(add)


class ActivityFactory(factory.django.DjangoModelFactory):
    """A public one-day project of a school (by default a new Latvian member school)."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    country = factory.LazyAttribute(lambda activity: activity.school.country)
    kind = ActivityKind.PROJECT
    title = factory.Sequence(lambda n: f"Ūdens nedēļa {n}")
    description = "Skolēni mērīja ūdens patēriņu un stāstīja par to vecākiem."
    language = ContentLanguage.LATVIAN
    starts_on = factory.Sequence(
        lambda n: datetime.date(2025, 3, 22) - datetime.timedelta(days=n % 7000)
    )
    ends_on = factory.LazyAttribute(lambda activity: activity.starts_on)
    place = "Skolas zāle"
    pupils = 40
    teachers = 3
    others = 5
    visibility = ActivityVisibility.PUBLIC

    thematic_areas = _tags("thematic_areas")
    pillars = _tags("pillars")
    sdgs = _tags("sdgs")
    partner_schools = _tags("partner_schools")


class ActivityLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLink

    activity = factory.SubFactory(ActivityFactory)
    url = factory.Sequence(lambda n: f"https://example.org/news/{n}")
    title = factory.Sequence(lambda n: f"Ziņa {n}")


class ActivityPhotoFactory(factory.django.DjangoModelFactory):
    """A stored photo (a small JPEG) with its consent recorded."""

    class Meta:
        model = ActivityPhoto
        exclude = ("content",)

    activity = factory.SubFactory(ActivityFactory)
    content = factory.LazyFunction(picture_bytes)
    image = factory.LazyAttribute(
        lambda photo: ContentFile(photo.content, name=random_storage_name("jpg", folder="test"))
    )
    content_type = "image/jpeg"
    width = 60
    height = 40
    alt_text = "Skolēni pie upes ar mērglāzēm."
    caption = "Ūdens paraugu ņemšana"
    consent_confirmed = True
    consent_note = "Vecāki parakstīja foto piekrišanas veidlapu septembrī."
    consent_recorded_at = factory.LazyFunction(timezone.now)
