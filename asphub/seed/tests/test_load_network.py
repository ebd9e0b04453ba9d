from io import StringIO

import pytest
from django.core.management import call_command

from asphub.countries.models import Country, Subdivision
from asphub.pages.models import Page
from asphub.schools.models import School
from asphub.taxonomy.models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "schools": School.objects.count(),
        "municipalities": Subdivision.objects.filter(country__code="LV").count(),
        "flagships": FlagshipNetwork.objects.count(),
        "thematic_areas": ThematicArea.objects.count(),
        "pillars": Pillar.objects.count(),
        "sdgs": SustainableDevelopmentGoal.objects.count(),
        "pages": Page.objects.count(),
    }


def test_load_network_loads_latvia_and_the_shared_vocabulary(loaded_network):
    assert counts() == {
        "schools": 31,
        "municipalities": 43,
        "flagships": 10,
        "thematic_areas": 3,
        "pillars": 4,
        "sdgs": 17,
        "pages": 4,  # home, about, join, privacy
    }
    assert InternationalDay.objects.filter(month=2, day=21).exists()
    assert Country.objects.count() >= 249
    assert all(
        school.subdivision and school.country.code == "LV" for school in School.objects.all()
    )
    latvia = Country.objects.get(code="LV")
    assert latvia.school_year_start_month == 9 and latvia.has_national_network


def test_loading_again_keeps_edits_and_duplicates_nothing(loaded_network):
    school = School.objects.get(name="Sabiles vidusskola")
    school.settlement = "Sabile (labots)"
    school.save()
    FlagshipNetwork.objects.filter(slug="sandwatch").update(description_en="Edited.")
    before = counts()
    call_command("load_network", stdout=StringIO())
    assert counts() == before
    assert School.objects.get(pk=school.pk).settlement == "Sabile (labots)"
    assert FlagshipNetwork.objects.get(slug="sandwatch").description_en == "Edited."


def test_the_project_carries_its_own_copy_of_the_member_data():
    from django.conf import settings

    assert (settings.BASE_DIR / "data" / "latvian-member-schools.csv").is_file()
