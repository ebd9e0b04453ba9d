import factory

from asphub.countries.models import Country, Subdivision
from asphub.schools.models import InstitutionType, MembershipStatus, Ownership, School
from asphub.schools.services import unique_school_slug
from asphub.taxonomy.models import FlagshipNetwork


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "LV"
    name_lv = "Latvija"
    name_en = "Latvia"
    has_national_network = True


class SubdivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdivision
        django_get_or_create = ("code",)

    country = factory.SubFactory(CountryFactory)
    code = factory.Sequence(lambda n: f"XX-{n:03d}")
    name = factory.Sequence(lambda n: f"Novads {n}")


class FlagshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlagshipNetwork
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"flagship-{n}")
    name_lv = factory.Sequence(lambda n: f"Tīkls {n}")
    name_en = factory.Sequence(lambda n: f"Network {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    country = factory.SubFactory(CountryFactory)
    subdivision = factory.SubFactory(SubdivisionFactory, country=factory.SelfAttribute("..country"))
    name = factory.Sequence(lambda n: f"Skola {n}")
    # The directory address is made from the name, as the import makes it.
    slug = factory.LazyAttribute(lambda school: unique_school_slug(school.name))
    institution_type = InstitutionType.SECONDARY
    ownership = Ownership.MUNICIPAL
    settlement = "Rīga"
    latitude = "56.94900"
    longitude = "24.10600"
    membership_status = MembershipStatus.MEMBER
