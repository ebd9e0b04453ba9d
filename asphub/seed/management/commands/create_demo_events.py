from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from asphub.audit.models import StandIn
from asphub.countries.models import Country
from asphub.events.models import EventKind, EventVisibility, NetworkEvent
from asphub.events.services import event_create, event_publish

# (title, title in English, kind, days from today, length in days, place, places for schools,
# visibility): published through the services, as the national coordinator would publish them.
DEMO_EVENTS = [
    (
        "Tīkla skolu plānošanas seminārs",
        "Planning seminar of the network's schools",
        EventKind.PLANNING_SEMINAR,
        21,
        0,
        "Rīga, Latvijas Nacionālā bibliotēka, Mūkusalas iela 3",
        25,
        EventVisibility.NETWORK,
    ),
    (
        "Vasaras skola: pasaules mantojuma izglītība",
        "Summer school: World Heritage education",
        EventKind.SUMMER_SCHOOL,
        60,
        2,
        "Kuldīga, Baznīcas iela 5",
        2,
        EventVisibility.PUBLIC,
    ),
]


def _at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Command(BaseCommand):
    help = (
        "Publish two upcoming network events of the default country for a local trial "
        "(development settings only; the summer school has two places, to try the waiting list)."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "ASPHUB_ALLOW_DEMO_USERS", False):
            raise CommandError("Demo events exist only in the development setup.")
        country = Country.objects.filter(code=settings.ASPHUB_DEFAULT_COUNTRY).first()
        if country is None:
            raise CommandError("Load the network first: manage.py load_network")
        added = 0
        with transaction.atomic():
            for title, title_en, kind, offset, days, place, capacity, visibility in DEMO_EVENTS:
                if NetworkEvent.objects.filter(country=country, title=title).exists():
                    continue
                starts = _at(offset, 10)
                event = event_create(
                    actor=StandIn.COMMAND_LINE,
                    country=country,
                    data={
                        "kind": kind,
                        "language": "lv",
                        "title": title,
                        "title_en": title_en,
                        "description": (
                            "Skolu koordinatori un skolotāji dalās pieredzē un plāno kopīgus "
                            "projektus."
                        ),
                        "description_en": (
                            "School coordinators and teachers share their experience and plan "
                            "joint projects."
                        ),
                        "starts_at": starts,
                        "ends_at": _at(offset + days, 17),
                        "place": place,
                        "capacity": capacity,
                        "members_per_school": 3,
                        "registration_deadline": starts - timedelta(days=7),
                        "visibility": visibility,
                    },
                )
                event_publish(actor=StandIn.COMMAND_LINE, event=event)
                added += 1
        self.stdout.write(f"{added} network events published ({len(DEMO_EVENTS) - added} kept).")
