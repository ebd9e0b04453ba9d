"""Library items and the vocabulary they are tagged with, for tests.

`PracticeFactory` makes a draft of a school; `PublishedPracticeFactory` an item of the public
library, entered in the search engine as the publishing service enters it. Pass
`thematic_areas=[...]`, `pillars=[...]`, `sdgs=[...]` for the many-to-many tags, and use
`PracticeFileFactory` / `PracticeLinkFactory` for files and links (then call `reindex(practice)`
if the item is published and its search entry should include them)."""

import datetime
import hashlib
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF
from PIL import Image

from asphub.core.documents import random_storage_name, validate_attachment
from asphub.practices.indexing import index_practice
from asphub.practices.models import (
    ContentLanguage,
    Licence,
    Practice,
    PracticeFile,
    PracticeKind,
    PracticeLink,
    PracticeStatus,
)
from asphub.schools.tests.factories import CountryFactory, SchoolFactory
from asphub.taxonomy.models import (
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)


def pdf_bytes(text: str = "Darba lapa") -> bytes:
    """A one-page PDF saying `text`, the same bytes every time (fixed creation date)."""
    document = FPDF()
    document.set_creation_date(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def stored_picture(kind: str = "png") -> bytes:
    """A small picture as the platform stores one (re-encoded by validate_attachment)."""
    encoded = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(encoded, "PNG" if kind == "png" else "JPEG")
    upload = SimpleUploadedFile(f"picture.{kind}", encoded.getvalue())
    return validate_attachment(upload).content


class ThematicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicArea
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_lv = factory.Sequence(lambda n: f"Tēma {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"pillar-{n}")
    name_lv = factory.Sequence(lambda n: f"Pīlārs {n}")
    name_en = factory.Sequence(lambda n: f"Pillar {n}")


class SustainableDevelopmentGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SustainableDevelopmentGoal
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n % 17 + 1)
    slug = factory.LazyAttribute(lambda goal: f"sdg-{goal.number}")
    name_lv = factory.LazyAttribute(lambda goal: f"Mērķis {goal.number}")
    name_en = factory.LazyAttribute(lambda goal: f"Goal {goal.number}")


class InternationalDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InternationalDay
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"day-{n}")
    name_lv = factory.Sequence(lambda n: f"Diena {n}")
    name_en = factory.Sequence(lambda n: f"Day {n}")
    month = 2
    day = 21


def _tags(field_name: str):
    def add(practice, create, extracted, **kwargs):
        if create and extracted:
            getattr(practice, field_name).set(extracted)

    add.__name__ = field_name
    return factory.post_generation(add)


class PracticeFactory(factory.django.DjangoModelFactory):
    """A draft good-practice example of a Latvian school."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    country = factory.LazyAttribute(
        lambda practice: practice.school.country if practice.school else CountryFactory()
    )
    kind = PracticeKind.GOOD_PRACTICE
    status = PracticeStatus.DRAFT
    title = factory.Sequence(lambda n: f"Ūdens diena skolā {n}")
    summary = "Skolēni mēra ūdens patēriņu un iesaka, kā to taupīt."
    body = "## Mērķi\n\n- izpratne par ūdens resursiem"
    language = ContentLanguage.LATVIAN
    authors = "Anna Bērziņa, Jānis Kalniņš"
    education_levels = factory.LazyFunction(lambda: ["primary"])
    subjects = "dabaszinības, matemātika"
    licence = Licence.CC_BY

    thematic_areas = _tags("thematic_areas")
    pillars = _tags("pillars")
    sdgs = _tags("sdgs")


class SubmittedPracticeFactory(PracticeFactory):
    status = PracticeStatus.SUBMITTED
    round = 1
    submitted_at = factory.LazyFunction(timezone.now)


class InReviewPracticeFactory(SubmittedPracticeFactory):
    status = PracticeStatus.IN_REVIEW


class PublishedPracticeFactory(SubmittedPracticeFactory):
    """An item of the public library, in the search engine (as practice_publish leaves it)."""

    status = PracticeStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=1))

    @factory.post_generation
    def search_entry(self, create, extracted, **kwargs):
        # After the tags (declared on the parent, so run first): the entry includes them.
        if create:
            index_practice(self)


class ArchivedPracticeFactory(PublishedPracticeFactory):
    status = PracticeStatus.ARCHIVED
    archived_reason = "Aizstāts ar jaunāku versiju."


def reindex(practice: Practice) -> None:
    """Bring the item's search entry up to date after a test changed it directly."""
    index_practice(practice)


class PracticeLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeLink

    practice = factory.SubFactory(PracticeFactory)
    url = factory.Sequence(lambda n: f"https://example.org/resource/{n}")
    title = factory.Sequence(lambda n: f"Resurss {n}")


class PracticeFileFactory(factory.django.DjangoModelFactory):
    """A stored attachment (a small PDF unless `content` is given), with its true size and
    checksum."""

    class Meta:
        model = PracticeFile
        exclude = ("content",)

    practice = factory.SubFactory(PracticeFactory)
    content = factory.Sequence(lambda n: pdf_bytes(f"Darba lapa {n}"))
    original_name = factory.Sequence(lambda n: f"darba-lapa-{n}.pdf")
    kind = "pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda f: len(f.content))
    sha256 = factory.LazyAttribute(lambda f: hashlib.sha256(f.content).hexdigest())
    file = factory.LazyAttribute(lambda f: ContentFile(f.content, name=random_storage_name(f.kind)))
