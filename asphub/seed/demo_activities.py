"""A handful of activities of the default country's first schools, for a local trial: the calendar,
the school profiles and the workspace have something to show. Dates are around today, so the
current month is never empty. Made through the activities' services (from the command line);
running again adds only what is missing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from asphub.accounts.models import User
from asphub.activities.models import Activity
from asphub.activities.services import activity_create
from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.roles.permissions import can_record_activity
from asphub.schools.models import PUBLIC_STATUSES, School
from asphub.taxonomy.models import (
    FlagshipNetwork,
    InternationalDay,
    Pillar,
    SustainableDevelopmentGoal,
    ThematicArea,
)

# (school index, days from today to the start, length in days, fields, themes, pillars, SDGs)
DEMO = [
    (0, -10, 5, {"kind": "campaign_week", "title": "Ūdens nedēļa",
                 "title_en": "Water week",
                 "description": "Skolēni mērīja ūdens patēriņu skolā un mājās un ieteica, kā "
                                "to taupīt.",
                 "place": "Skolas aula", "pupils": 120, "teachers": 9, "others": 14},
     ["sustainable-development"], ["learning-to-do"], [6]),
    (0, 7, 29, {"kind": "project", "title": "Baltijas jūras krasta izpēte",
                "description": "Projekts ar Baltijas jūras projekta skolām: krasta tīrīšana un "
                               "ūdens paraugi.",
                "place": "Jūrmala", "pupils": 28, "teachers": 3,
                "flagship": "baltic-sea-project"},
     ["sustainable-development"], ["learning-to-know"], [14]),
    (1, 3, 1, {"kind": "international_day", "title": "Tolerances diena",
               "description": "Stundas par cieņu pret atšķirīgo un skolēnu plakātu izstāde.",
               "pupils": 300, "teachers": 25,
               "international_day": "international-day-for-tolerance"},
     ["peace-global-citizenship"], ["learning-to-live-together"], [16]),
    (1, -45, 1, {"kind": "contest", "title": "Dzejas konkurss dzimtajās valodās",
                 "description": "Skolēni lasīja savu dzeju latviešu, latgaliešu un citās valodās.",
                 "pupils": 40, "teachers": 4, "others": 30,
                 "international_day": "mother-language-day"},
     ["intercultural-learning-heritage"], ["learning-to-be"], [4]),
    (2, -30, 1, {"kind": "seminar", "title": "Skolotāju seminārs par globālo pilsoniskumu",
                 "description": "Novada skolu skolotāji dalījās pieredzē.",
                 "teachers": 22, "visibility": "network"},
     ["peace-global-citizenship"], [], [4, 16]),
    (3, 14, 5, {"kind": "exchange", "title": "Skolēnu apmaiņa ar Tartu",
                "description": "Nedēļa partnerskolā Igaunijā: kopīgas stundas par kultūras "
                               "mantojumu.",
                "place": "Tartu, Igaunija", "pupils": 12, "teachers": 2,
                "partners_abroad": "Tartu Kesklinna Kool, Igaunija"},
     ["intercultural-learning-heritage"], ["learning-to-live-together"], [4]),
]  # fmt: skip


def demo_activities_create(country: Country, *, recorded_by: User | None = None) -> int:
    """Record the demo activities of the country's first public schools (by name) that are
        missing; `recorded_by` (the demo teacher) records those of their school, the command line
    the others'."""
    schools = list(
        School.objects.filter(country=country, membership_status__in=PUBLIC_STATUSES).order_by(
            "sort_key", "id"
        )[:4]
    )
    today = timezone.localdate()
    created = 0
    for index, offset, days, fields, themes, pillars, goals in DEMO:
        if index >= len(schools):
            continue
        school = schools[index]
        if Activity.objects.filter(school=school, title=fields["title"]).exists():
            continue
        starts: date = today + timedelta(days=offset)
        data: dict[str, Any] = {
            **fields,
            "starts_on": starts,
            "ends_on": starts + timedelta(days=days - 1),
            "thematic_areas": list(ThematicArea.objects.filter(slug__in=themes)),
            "pillars": list(Pillar.objects.filter(slug__in=pillars)),
            "sdgs": list(SustainableDevelopmentGoal.objects.filter(number__in=goals)),
        }
        if "flagship" in fields:
            data["flagship"] = FlagshipNetwork.objects.filter(slug=fields["flagship"]).first()
        if "international_day" in fields:
            data["international_day"] = InternationalDay.objects.filter(
                slug=fields["international_day"]
            ).first()
        if index == 3 and len(schools) > 1:
            data["partner_schools"] = [schools[1]]
        by_teacher = recorded_by is not None and can_record_activity(recorded_by, school)
        actor = recorded_by if by_teacher and recorded_by is not None else StandIn.COMMAND_LINE
        activity_create(actor=actor, school=school, data=data)
        created += 1
    return created
