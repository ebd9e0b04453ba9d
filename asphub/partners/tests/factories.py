"""Partner searches for tests. `PartnerSearchFactory(school=..., themes=[...], levels=[...],
languages=[...], countries=[...])` writes the notice directly (the services' own tests go
through partner_search_update)."""

import factory

from asphub.partners.models import PartnerSearch, PartnerSearchLanguage, PartnerSearchLevel
from asphub.schools.tests.factories import SchoolFactory


class PartnerSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerSearch
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    active = True
    note = "Meklējam partnerus ūdens projektam."

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create:
            for level in extracted if extracted is not None else ["primary"]:
                PartnerSearchLevel.objects.create(search=self, level=level)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            for language in extracted if extracted is not None else ["lv"]:
                PartnerSearchLanguage.objects.create(search=self, language=language)
