"""Benchmark of the calendar (month and list views, iCal feeds), a school's public activities
and the network events' pages under a real WSGI server on loopback, on 300,000 generated
activities across the world network (issue 11, point 6).

    .venv/bin/python -m benchmarks.calendar [--activities 300000] [--events 300]
        [--concurrency 8] [--duration 10] [--requests 50000] [--warmup 2]
        [--only month,feed-network,...] [--regenerate] [--json FILE]
        [--database-url postgres://postgres@127.0.0.1:5432/asphub_bench_calendar]

1. Data. The world directory of `benchmarks.world` (var/bench/directory.sqlite3: 11,500
   schools in 180 countries; made first if missing) is copied to var/bench/calendar.sqlite3,
   and `--activities` activities of the world's public schools are generated into the copy
   (a fifth of them Latvian, the home network, in Latvian, a third of those with an English
   title; the others in English; some schools record many, most a few): the eight kinds of
   the model with their usual lengths (a special lesson one day, a campaign week a week, a
   project up to a term), dates over six years (the current one holds 40 % of them, the next
   some already planned; more in the school year than in summer; international-day
   observances on their day), one to three thematic areas, pillars and goals, counts of
   participants, now and then partner schools, a place and an English title; 85 % public, the
   rest network-only. `--events` network events (half of them Latvia's, the others in a dozen
   countries; published, some cancelled, a few drafts; some network-only) are generated with
   registrations of the country's schools (confirmed up to the capacity, then a waiting list,
   some cancelled), each naming members of the school's team (made for it), and attendance
   recorded for the events that took place. The dates are set around the current year, which
   is kept with the parameters: the same seed and year always give the same rows. The file is
   kept with its parameters (table bench_meta) and made again only when they change (or with
   `--regenerate`): a second run starts at once. With `--database-url`, the world is copied
   into that PostgreSQL database as benchmarks.directory copies it, and the activities and
   events are generated there directly with the same seed (the database is created if
   missing, and dropped and made again if it holds other rows).
2. Server. gunicorn with config.settings.bench (production behaviour) on 127.0.0.1, the page
   cache off (ASPHUB_BENCH_DIRECTORY_CACHE=0: every page is rendered; the calendar has no page
   cache of its own).
3. Check. Every URL answers 200 once; the month views show items, the feeds hold events and no
   network-only activity or event, and network-only activities are not found by visitors.
4. Load. Each page in turn (see `endpoints`), after the bare /healthz view, with the load
   generator of benchmarks.loadgen at `--concurrency` keep-alive connections: `--warmup`
   seconds, then `--duration` seconds or `--requests` requests, whichever comes first.
5. Report. requests/s, p50 and p95, ratio page/bare and PASS/FAIL against the targets (p95 <
   60 ms and ratio >= 0.15, uncached), with the machine, the date, the database and how busy
   the CPUs were with other work.

Only 127.0.0.1 is contacted; gunicorn is always stopped. Exit status 0 when every page meets
the targets, 1 otherwise. Figures: docs/benchmarks.md, "Calendar and activities (issue 11)".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.directory import (
    TARGET_P95_MS,
    TARGET_RATIO_UNCACHED,
    CpuShare,
    Endpoint,
    Server,
    _manage,
    collect_static,
    ensure_postgresql,
    free_port,
    get,
    machine,
    table,
)
from benchmarks.library import (
    _namespace,
    _postgresql_meta,
    _recreate_database,
    _remove,
    _sqlite_meta,
    ensure_world,
    measure,
)
from benchmarks.library_text import TextMaker, languages
from benchmarks.loadgen import add_run_arguments, check_run_arguments, stop_on_sigterm
from benchmarks.world import read_meta

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
DIRECTORY = BENCH_DIR / "directory.sqlite3"
DATABASE = BENCH_DIR / "calendar.sqlite3"
REFERENCE = BASE_DIR / "data" / "reference.json"
META_TABLE = "bench_meta"
META_KEY = "calendar"
# Bump when the generated rows change, so that existing benchmark databases are made again.
GENERATOR_VERSION = 1
DEFAULT_SEED = 20261201
DEFAULT_ACTIVITIES = 300_000
DEFAULT_EVENTS = 300
BATCH = 5000
HOST = "127.0.0.1"
PLATFORM_ZONE = "Europe/Riga"  # config.settings.base.TIME_ZONE
PUBLIC_SCHOOL_STATUSES = ("candidate", "member", "dormant")  # asphub.schools.models
# How many schools, events and activities the pages measured in turn are spread over.
SAMPLES = 12

# Years around the current one (0), and the share of the activities each holds: the network
# grows, this year's are being recorded, and some of next year's are planned already.
YEAR_WEIGHTS = {-4: 8, -3: 10, -2: 13, -1: 18, 0: 40, 1: 11}
EVENT_YEAR_WEIGHTS = {-2: 20, -1: 25, 0: 40, 1: 15}
# The school year: busy from September to May, quiet in summer.
MONTH_WEIGHTS = {1: 8, 2: 10, 3: 11, 4: 11, 5: 10, 6: 5, 7: 2, 8: 3, 9: 11, 10: 11, 11: 10, 12: 8}
KIND_WEIGHTS = {
    "project": 26, "event": 16, "seminar": 5, "special_lesson": 20, "campaign_week": 8,
    "international_day": 14, "exchange": 4, "contest": 7,
}  # fmt: skip
# (shortest, longest, typical) length in days of each kind.
KIND_DAYS = {
    "project": (1, 120, 20), "event": (1, 2, 1), "seminar": (1, 3, 1),
    "special_lesson": (1, 1, 1), "campaign_week": (3, 7, 5), "international_day": (1, 1, 1),
    "exchange": (4, 14, 7), "contest": (1, 45, 7),
}  # fmt: skip
EVENT_KIND_WEIGHTS = {
    "planning_seminar": 20, "seminar": 30, "summer_school": 8, "conference": 12,
    "workshop": 25, "other": 5,
}  # fmt: skip
EVENT_STATUS_WEIGHTS = {"published": 85, "cancelled": 7, "draft": 8}
LATVIAN_SHARE = 0.2
PUBLIC_SHARE = 0.85
EVENT_COUNTRIES = 12

LV_TOPICS = [
    "Ūdens mūsu dzīvē", "Klimats mainās", "Mežs un cilvēks", "Mūsu kultūras mantojums",
    "Miers sākas skolā", "Tolerance un cieņa", "Bioloģiskā daudzveidība", "Tīra jūra",
    "Atkritumu šķirošana", "Dzimtās valodas prieks", "Cilvēktiesības", "Zaļā skola",
    "Globālais pilsonis", "Latvju raksti", "Zinātne visiem", "Dziesmu svētku tradīcija",
    "Veselīgs uzturs", "Digitālā drošība", "Ilgtspējīga pilsēta", "Baltijas jūras krasts",
]  # fmt: skip
EN_TOPICS = [
    "Water in our lives", "A changing climate", "Forests and people", "Our cultural heritage",
    "Peace begins at school", "Tolerance and respect", "Biodiversity", "A clean sea",
    "Sorting waste", "The joy of the mother tongue", "Human rights", "A green school",
    "Global citizens", "Traditional crafts", "Science for all", "Music across borders",
    "Healthy food", "Safe online", "Sustainable cities", "Life on the coast",
]  # fmt: skip
TITLES = {
    "lv": {
        "project": "Projekts „{topic}”", "event": "{topic}: skolas pasākums",
        "seminar": "Seminārs „{topic}”", "special_lesson": "Īpašā stunda: {topic}",
        "campaign_week": "Nedēļa „{topic}”", "international_day": "{day} skolā",
        "exchange": "Skolēnu apmaiņa: {topic}", "contest": "Konkurss „{topic}”",
    },
    "en": {
        "project": "Project: {topic}", "event": "{topic}: a school event",
        "seminar": "Seminar: {topic}", "special_lesson": "Special lesson: {topic}",
        "campaign_week": "{topic} week", "international_day": "{day} at school",
        "exchange": "Pupil exchange: {topic}", "contest": "Contest: {topic}",
    },
}  # fmt: skip
LV_GRADES = ["1.–4. klasēm", "5.b klasei", "7. klašu skolēniem", "vidusskolēniem", "visai skolai"]
EN_GRADES = ["for grades 1–4", "for class 5B", "for year 7", "for the upper school", "whole school"]
LV_PLACES = ["Skolas zāle", "Skolas dārzs", "Novada bibliotēka", "Pilsētas parks", "Tiešsaistē"]
EN_PLACES = ["School hall", "School garden", "Town library", "City park", "Online"]
LV_FIRST = ["Anna", "Līga", "Ilze", "Kristīne", "Jānis", "Andris", "Inese", "Mārtiņš", "Dace"]
LV_LAST = ["Bērziņa", "Kalniņa", "Ozola", "Liepa", "Krūmiņš", "Zariņa", "Vītols", "Eglīte"]
EN_FIRST = ["Maria", "Amina", "John", "Li", "Sofia", "Ahmed", "Elena", "Kwame", "Priya"]
EN_LAST = ["Garcia", "Okafor", "Smith", "Chen", "Rossi", "Haddad", "Novak", "Mensah", "Rao"]
EVENT_TITLES = {
    "planning_seminar": "Tīkla skolu plānošanas seminārs {year}",
    "seminar": "Seminārs koordinatoriem: {topic}",
    "summer_school": "Vasaras skola „{topic}”",
    "conference": "ASPnet konference „{topic}”",
    "workshop": "Darbnīca: {topic}",
    "other": "Tīkla tikšanās: {topic}",
}  # fmt: skip


def local_today() -> dt.date:
    """Today where the platform is (config.settings.base.TIME_ZONE), as the calendar sees it."""
    return dt.datetime.now(ZoneInfo(PLATFORM_ZONE)).date()


def log(message: str) -> None:
    print(message, flush=True)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _skewed(rng: random.Random, rows: list):
    """A row, the first ones much more often: some schools record many activities, most a few."""
    return rows[int(len(rows) * rng.random() ** 2.5)]


# -- generation (runs in its own process, with Django set up on the target database) -------------


@dataclass
class Vocabulary:
    """What the generated rows are tagged with and whose they are (ids from the database)."""

    latvian_schools: list[tuple[int, int]]  # (school id, country id)
    other_schools: list[tuple[int, int]]
    latvia: int | None
    themes: list[int]
    pillars: list[int]
    sdgs: list[int]
    flagships: list[int]
    days: list[tuple[int, int, int, str, str]]  # (id, month, day, name_lv, name_en)

    @classmethod
    def load(cls) -> Vocabulary:
        from asphub.countries.models import Country
        from asphub.schools.models import School
        from asphub.taxonomy.models import (
            FlagshipNetwork,
            InternationalDay,
            Pillar,
            SustainableDevelopmentGoal,
            ThematicArea,
        )

        latvia = Country.objects.filter(code="LV").values_list("id", flat=True).first()
        schools = list(
            School.objects.filter(membership_status__in=PUBLIC_SCHOOL_STATUSES)
            .order_by("id")
            .values_list("id", "country_id")
        )
        return cls(
            latvian_schools=[s for s in schools if s[1] == latvia],
            other_schools=[s for s in schools if s[1] != latvia],
            latvia=latvia,
            themes=list(
                ThematicArea.objects.order_by("position", "id").values_list("id", flat=True)
            ),
            pillars=list(Pillar.objects.order_by("position", "id").values_list("id", flat=True)),
            sdgs=list(
                SustainableDevelopmentGoal.objects.order_by("number").values_list("id", flat=True)
            ),
            flagships=list(FlagshipNetwork.objects.order_by("slug").values_list("id", flat=True)),
            days=list(
                InternationalDay.objects.order_by("month", "day", "slug").values_list(
                    "id", "month", "day", "name_lv", "name_en"
                )
            ),
        )

    def schools_by_country(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for school, country in self.latvian_schools + self.other_schools:
            found[country].append(school)
        return found


def _day_in(rng: random.Random, year: int) -> dt.date:
    month = _pick(rng, MONTH_WEIGHTS)
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first + dt.timedelta(days=rng.randrange((following - first).days))


def _length(rng: random.Random, kind: str) -> int:
    shortest, longest, typical = KIND_DAYS[kind]
    if shortest == longest:
        return shortest
    return max(shortest, min(longest, round(rng.triangular(shortest, longest, typical))))


class CalendarGenerator:
    """`activities` activities and `events` network events with their registrations, the same
    ones for the same seed and year, inserted in batches."""

    def __init__(
        self,
        *,
        activities: int,
        events: int,
        year: int,
        seed: int = DEFAULT_SEED,
        batch: int = BATCH,
        log=log,
    ):
        self.activities = activities
        self.events = events
        self.year = year
        self.seed = seed
        self.batch = batch
        self.log = log
        self.languages = languages(seed)

    def run(self) -> dict[str, int]:
        from django.db import transaction

        vocabulary = Vocabulary.load()
        if not vocabulary.latvian_schools and not vocabulary.other_schools:
            raise RuntimeError("No public school to record activities: load the world first.")
        started = time.monotonic()
        counts = {"activities": 0, "public": 0, "latvian": 0, "this_year": 0}
        for first in range(0, self.activities, self.batch):
            last = min(self.activities, first + self.batch)
            rows = [self.activity(number, vocabulary) for number in range(first, last)]
            with transaction.atomic():
                self._insert(rows)
            counts["activities"] += len(rows)
            for activity, _tags in rows:
                counts["public"] += activity.visibility == "public"
                counts["latvian"] += activity.country_id == vocabulary.latvia
                counts["this_year"] += activity.starts_on.year == self.year
            elapsed = time.monotonic() - started
            rate = counts["activities"] / elapsed if elapsed else 0.0
            self.log(
                f"  {counts['activities']:,}/{self.activities:,} activities, {elapsed:.0f} s, "
                f"about {(self.activities - counts['activities']) / rate if rate else 0:.0f} s "
                "to go"
            )
        with transaction.atomic():
            counts.update(self._events(vocabulary))
        self.log(
            f"  {counts['events']:,} network events, {counts['registrations']:,} registrations, "
            f"{time.monotonic() - started:.0f} s in all"
        )
        return counts

    # -- activities

    def activity(self, number: int, vocabulary: Vocabulary):
        """One activity and its tags, from its own generator (the same for the same seed, year
        and number, whatever the batch size)."""
        from asphub.activities.models import Activity

        rng = random.Random(self.seed * 1_000_003 + number)
        latvian = bool(vocabulary.latvian_schools) and (
            not vocabulary.other_schools or rng.random() < LATVIAN_SHARE
        )
        pool = vocabulary.latvian_schools if latvian else vocabulary.other_schools
        school, country = _skewed(rng, pool)
        language = "lv" if latvian and rng.random() < 0.9 else "en"
        kind = _pick(rng, KIND_WEIGHTS)
        year = self.year + _pick(rng, YEAR_WEIGHTS)
        day = None
        if kind == "international_day" and vocabulary.days:
            day = rng.choice(vocabulary.days)
            starts = dt.date(year, day[1], min(day[2], 28 if day[1] == 2 else day[2]))
        else:
            starts = _day_in(rng, year)
        ends = starts + dt.timedelta(days=_length(rng, kind) - 1)
        topics = LV_TOPICS if language == "lv" else EN_TOPICS
        topic_index = rng.randrange(len(topics))
        title = TITLES[language][kind].format(
            topic=topics[topic_index], day=(day[3] if language == "lv" else day[4]) if day else ""
        )
        if rng.random() < 0.3:
            title = f"{title} ({rng.choice(LV_GRADES if language == 'lv' else EN_GRADES)})"
        activity = Activity(
            school_id=school,
            country_id=country,
            kind=kind,
            title=title[:200],
            language=language,
            starts_on=starts,
            ends_on=ends,
            visibility="public" if rng.random() < PUBLIC_SHARE else "network",
            pupils=int(rng.paretovariate(1.5) * 12) if rng.random() < 0.95 else 0,
            teachers=rng.randint(1, 12),
            others=rng.choice([0, 0, 0, rng.randint(1, 60)]),
            sequence=rng.choice([0, 0, 0, 1, 2]),
        )
        activity.pupils = min(activity.pupils, 3000)
        if rng.random() < 0.75:
            text = TextMaker(self.languages[language], rng)
            activity.description = text.summary()
        if language == "lv" and rng.random() < 0.33:
            activity.title_en = TITLES["en"][kind].format(
                topic=EN_TOPICS[topic_index], day=day[4] if day else ""
            )[:200]
        if rng.random() < 0.6:
            activity.place = rng.choice(LV_PLACES if language == "lv" else EN_PLACES)
        if day is not None:
            activity.international_day_id = day[0]
        if vocabulary.flagships and rng.random() < 0.08:
            activity.flagship_id = rng.choice(vocabulary.flagships)
        if rng.random() < 0.03:
            activity.partners_abroad = "Escola Básica de Lisboa, Lisbon, Portugal"
        partners = []
        if rng.random() < 0.05:
            partners = sorted({_skewed(rng, pool)[0] for _ in range(rng.randint(1, 2))} - {school})
        tags = {
            "thematic_areas": sorted(
                rng.sample(vocabulary.themes, min(len(vocabulary.themes), rng.choice([1, 1, 2, 3])))
            ),
            "pillars": sorted(
                rng.sample(vocabulary.pillars, min(len(vocabulary.pillars), rng.randint(0, 2)))
            ),
            "sdgs": sorted(
                rng.sample(vocabulary.sdgs, min(len(vocabulary.sdgs), rng.randint(0, 3)))
            ),
            "partner_schools": partners,
        }
        return activity, tags

    def _insert(self, rows) -> None:
        from django.db.models import ManyToManyField

        from asphub.activities.models import Activity

        activities = [activity for activity, _tags in rows]
        Activity.objects.bulk_create(activities, batch_size=1000)
        for name in ("thematic_areas", "pillars", "sdgs", "partner_schools"):
            field = Activity._meta.get_field(name)
            assert isinstance(field, ManyToManyField)
            through = getattr(Activity, name).through
            own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            through.objects.bulk_create(
                [
                    through(**{own: activity.pk, other: target})
                    for activity, tags in rows
                    for target in tags[name]
                ],
                batch_size=1000,
            )

    # -- network events

    def _events(self, vocabulary: Vocabulary) -> dict[str, int]:
        from django.utils import timezone

        from asphub.events.models import (
            EventParticipant,
            EventRegistration,
            NetworkEvent,
            RegistrationStatus,
        )
        from asphub.schools.models import TeamMember

        rng = random.Random(self.seed * 7 + 11)
        by_country = vocabulary.schools_by_country()
        others = sorted(
            (country for country in by_country if country != vocabulary.latvia),
            key=lambda country: (-len(by_country[country]), country),
        )[: EVENT_COUNTRIES - 1]
        countries = ([vocabulary.latvia] if vocabulary.latvia in by_country else []) + others
        if not countries:
            return {"events": 0, "registrations": 0}
        zone = timezone.get_current_timezone()
        now = timezone.now()
        events = []
        for number in range(self.events):
            country = countries[0] if number % 2 == 0 or len(countries) == 1 else (
                countries[1 + (number // 2) % (len(countries) - 1)]
            )  # fmt: skip
            kind = _pick(rng, EVENT_KIND_WEIGHTS)
            day = _day_in(rng, self.year + _pick(rng, EVENT_YEAR_WEIGHTS))
            starts = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 10, 11, 13, 14])))
            starts = starts.replace(tzinfo=zone)
            hours = rng.choice([2, 3, 4, 6]) if kind != "summer_school" else 24 * rng.randint(2, 5)
            status = _pick(rng, EVENT_STATUS_WEIGHTS)
            topic = rng.choice(LV_TOPICS)
            event = NetworkEvent(
                country_id=country,
                kind=kind,
                language="lv" if country == vocabulary.latvia else "en",
                title=EVENT_TITLES[kind].format(topic=topic, year=day.year),
                description=" ".join(
                    TextMaker(self.languages["lv"], rng).prose(rng.randint(40, 140))
                ),
                title_en=f"{kind.replace('_', ' ').capitalize()}: {rng.choice(EN_TOPICS)}",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=hours),
                registration_deadline=starts - dt.timedelta(days=rng.randint(2, 14)),
                place=rng.choice(["Rīga, Pils laukums 4", "Cēsis, Pils iela 9", ""]),
                online_url="https://meet.example.org/aspnet" if rng.random() < 0.4 else "",
                capacity=rng.choice([10, 15, 20, 25, 30, 40, 60, 80]),
                members_per_school=rng.choice([1, 2, 3]),
                status=status,
                visibility="public" if rng.random() < 0.8 else "network",
                sequence=rng.randint(0, 3),
            )
            if not event.place and not event.online_url:
                event.place = "Rīga"
            if status != "draft":
                event.published_at = starts - dt.timedelta(days=rng.randint(20, 60))
            if status == "cancelled":
                event.cancelled_at = event.published_at + dt.timedelta(days=3)
                event.cancellation_note = "Pasākums atcelts: tiks izziņots jauns datums."
            events.append(event)
        NetworkEvent.objects.bulk_create(events, batch_size=500)

        registering: dict[int, list] = {}  # event -> [(school, status)]
        for event in events:
            if event.status == "draft":
                continue
            pool = by_country[event.country_id]
            wanted = min(len(pool), rng.randint(event.capacity // 2, event.capacity * 13 // 10))
            rows = []
            confirmed = 0
            # A seat a school gave up went to the first one waiting: the line starts only
            # when every seat is taken.
            for school in rng.sample(pool, wanted):
                if rng.random() < 0.08:
                    status = RegistrationStatus.CANCELLED
                elif confirmed < event.capacity:
                    status, confirmed = RegistrationStatus.CONFIRMED, confirmed + 1
                else:
                    status = RegistrationStatus.WAITING
                rows.append((school, status))
            registering[event.pk] = rows
        # Each registering school's UNESCO team, which its registrations name.
        schools = sorted({school for rows in registering.values() for school, _s in rows})
        members = [
            TeamMember(
                school_id=school,
                full_name=f"{rng.choice(LV_FIRST + EN_FIRST)} {rng.choice(LV_LAST + EN_LAST)}",
                position="skolotāja" if order else "direktora vietniece",
                team_role="teacher" if order else "administration",
                email=f"team{school}-{order}@aspnet.example",
                order=order,
            )
            for school in schools
            for order in range(3)
        ]
        TeamMember.objects.bulk_create(members, batch_size=1000)
        team: dict[int, list] = defaultdict(list)
        for member in members:
            team[member.school_id].append(member)
        registrations = []
        for event in events:
            for school, status in registering.get(event.pk, []):
                registrations.append(
                    EventRegistration(
                        event_id=event.pk,
                        school_id=school,
                        status=status,
                        confirmed_at=event.published_at
                        if status == RegistrationStatus.CONFIRMED
                        else None,
                        cancelled_at=event.published_at
                        if status == RegistrationStatus.CANCELLED
                        else None,
                    )
                )
        EventRegistration.objects.bulk_create(registrations, batch_size=1000)
        by_event = {event.pk: event for event in events}
        participants = []
        for registration in registrations:
            event = by_event[registration.event_id]
            attended = event.starts_at < now and registration.status == "confirmed"
            for member in team[registration.school_id][: event.members_per_school]:
                participants.append(
                    EventParticipant(
                        registration_id=registration.pk,
                        team_member_id=member.pk,
                        full_name=member.full_name,
                        attended=(rng.random() < 0.85) if attended else None,
                        attendance_recorded_at=event.ends_at if attended else None,
                    )
                )
        EventParticipant.objects.bulk_create(participants, batch_size=1000)
        return {
            "events": len(events),
            "registrations": len(registrations),
            "participants": len(participants),
        }


def samples() -> dict[str, list]:
    """The schools, events and activities whose pages are measured in turn: the busiest public
    schools and others spread over the rest, listed events spread over the years, public
    activities spread over the table (one query each)."""
    from django.db.models import Count, Q

    from asphub.activities.models import Activity
    from asphub.events.models import NetworkEvent
    from asphub.schools.models import School

    schools = list(
        School.objects.filter(membership_status__in=PUBLIC_SCHOOL_STATUSES)
        .annotate(listed=Count("activities", filter=Q(activities__visibility="public")))
        .filter(listed__gt=0)
        .order_by("-listed", "id")
        .values_list("slug", "pk", "listed")
    )
    busiest = schools[:4]
    rest = _spread(schools[4:], SAMPLES - len(busiest))
    events = list(
        NetworkEvent.objects.filter(status__in=("published", "cancelled"), visibility="public")
        .order_by("starts_at", "id")
        .values_list("pk", flat=True)
    )
    activities = list(
        Activity.objects.filter(visibility="public").order_by("id").values_list("pk", flat=True)
    )
    hidden = (
        Activity.objects.filter(visibility="network")
        .order_by("id")
        .values_list("pk", flat=True)[:1]
    )
    return {
        "schools": [slug for slug, _pk, _n in busiest + rest],
        "school_ids": [pk for _slug, pk, _n in busiest + rest],
        "school_activities": [n for _slug, _pk, n in busiest + rest],
        "events": _spread(events, SAMPLES),
        "activities": _spread(activities, SAMPLES),
        "network_only": list(hidden),
    }


def _spread(rows: list, count: int) -> list:
    step = max(1, len(rows) // count) if count else 1
    return rows[::step][:count]


def wanted_meta(activities: int, events: int, seed: int, year: int) -> dict:
    return {
        "activities": activities,
        "events": events,
        "seed": seed,
        "year": year,
        "version": GENERATOR_VERSION,
        "world": read_meta(DIRECTORY),
    }


def _write_meta(wanted: dict, counts: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE key IN (%s, %s)", [META_KEY, "counts"])
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s), (%s, %s)",
            [META_KEY, json.dumps(wanted, sort_keys=True), "counts", json.dumps(counts)],
        )


def generate(
    activities: int, events: int, seed: int, year: int, *, database: Path | None, url: str
) -> None:
    """In this process: set Django up on the target database, migrate, load the network's
    vocabulary, generate the rows and record the parameters."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ.pop("ASPHUB_BENCH_DATABASE_URL", None)
    if url:
        os.environ["ASPHUB_BENCH_DATABASE_URL"] = url
    elif database:
        os.environ["ASPHUB_BENCH_DATABASE"] = str(database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from asphub.taxonomy.services import reference_data_load

    call_command("migrate", verbosity=0, interactive=False)
    reference_data_load(json.loads(REFERENCE.read_text(encoding="utf-8")))
    wanted = wanted_meta(activities, events, seed, year)
    log(
        f"==> Generating {activities:,} activities and {events:,} network events around {year} "
        f"(seed {seed}) into {connection.vendor}"
    )
    started = time.monotonic()
    counts: dict = CalendarGenerator(
        activities=activities, events=events, year=year, seed=seed
    ).run()
    log("==> ANALYZE")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE")
    counts["samples"] = samples()
    counts["seconds"] = round(time.monotonic() - started)
    _write_meta(wanted, counts)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shown = {key: value for key, value in counts.items() if key != "samples"}
    log(f"    {shown} ({time.monotonic() - started:.0f} s)")


# -- keeping the databases (the main process; Django is not set up here) ------------------------


def _generate_in_process(args, *, database: Path | None = None, url: str = "") -> None:
    command = [
        sys.executable, "-m", "benchmarks.calendar", "--generate",
        "--activities", str(args.activities), "--events", str(args.events),
        "--seed", str(args.seed), "--year", str(args.year),
    ]  # fmt: skip
    if url:
        command += ["--database-url", url]
    else:
        command += ["--generate-into", str(database)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, timeout=6 * 3600)


def _wanted(args) -> dict:
    return json.loads(
        json.dumps(wanted_meta(args.activities, args.events, args.seed, args.year), sort_keys=True)
    )


def _migrate(args, *, url: str = "") -> None:
    """A kept database gets the project's newer migrations (new indexes, say), and fresh
    statistics for the planner when any was applied."""
    server_args = _namespace(args, database=DATABASE, no_page_cache=True)
    applied = _manage(
        server_args, "migrate", "--noinput", url=url or None, capture_output=True, text=True
    )
    if "Applying" in applied.stdout:
        log("==> Applied new migrations:\n" + applied.stdout.strip())
        statistics = "ANALYZE" if url else "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)"
        command = (
            "from django.db import connection\n"
            "with connection.cursor() as cursor:\n"
            f"    for statement in {statistics.split('; ')!r}:\n"
            "        cursor.execute(statement)\n"
        )
        _manage(server_args, "shell", "-c", command, url=url or None, capture_output=True)


def ensure_sqlite(args) -> dict:
    if not args.regenerate and _sqlite_meta(DATABASE, META_KEY) == _wanted(args):
        log(f"==> {DATABASE.relative_to(BASE_DIR)} holds these activities already")
        _migrate(args)
    else:
        target = DATABASE.with_name(DATABASE.name + ".tmp")
        _remove(target)
        log(f"==> Copying the world directory to {target.relative_to(BASE_DIR)}")
        shutil.copyfile(DIRECTORY, target)
        _generate_in_process(args, database=target)
        _remove(DATABASE)
        target.replace(DATABASE)
        _remove(target)
    return _sqlite_meta(DATABASE, "counts") or {}


def ensure_postgresql_calendar(args) -> dict:
    url = args.database_url
    _recreate_database(url, drop=False)
    current = _postgresql_meta(url, META_KEY)
    if current == _wanted(args) and not args.regenerate:
        log(f"==> {url.rsplit('/', 1)[-1]} holds these activities already")
        _migrate(args, url=url)
        return _postgresql_meta(url, "counts") or {}
    if current is not None or args.regenerate:
        log("==> The PostgreSQL database holds other rows: making it again")
        _recreate_database(url, drop=True)
    # The world, as the directory benchmark copies it (dumpdata/loaddata of the SQLite world);
    # the activities and events are generated there directly, the same rows.
    ensure_postgresql(_namespace(args, database=DIRECTORY, no_page_cache=True))
    _generate_in_process(args, url=url)
    return _postgresql_meta(url, "counts") or {}


# -- the measurements ----------------------------------------------------------------------------


def endpoints(counts: dict, year: int, month: int) -> list[Endpoint]:
    sample = counts.get("samples") or {}
    schools = sample.get("schools") or []
    ids = sample.get("school_ids") or []
    events = sample.get("events") or []
    activities = sample.get("activities") or []
    shown = f"{year:04d}-{month:02d}"
    found = [
        Endpoint("bare", ["/healthz"], 'bare Django view returning "ok"', bare=True),
        Endpoint("month", ["/calendar/"], f"calendar, this month ({shown}), no filters"),
        Endpoint("month-country", ["/calendar/?country=LV"], "this month, one country: LV"),
        Endpoint(
            "month-theme",
            ["/calendar/?theme=sustainable-development"],
            "this month, one thematic area",
        ),
        Endpoint(
            "month-past",
            [f"/calendar/?month={year - 2:04d}-03&kind=activity.project"],
            f"a month two years ago ({year - 2}-03), projects only",
        ),
        Endpoint("list", ["/calendar/list/"], "list view: today + 30 days, first page"),
        Endpoint("list-page", ["/calendar/list/?page=8"], "list view, page 8"),
        Endpoint("list-country", ["/calendar/list/?country=LV"], "list view, one country: LV"),
        Endpoint("feed-network", ["/calendar/feeds/network.ics"], "iCal feed of the network"),
        Endpoint("feed-country", ["/calendar/feeds/country/lv.ics"], "iCal feed of a country: LV"),
        Endpoint(
            "feed-school",
            [f"/calendar/feeds/school/{pk}.ics" for pk in ids],
            f"iCal feed of a school, {len(ids)} schools in turn",
        ),
        Endpoint(
            "school-list",
            [f"/schools/{slug}/activities/" for slug in schools],
            f"a school's public activities, {len(schools)} schools in turn (the 4 busiest first)",
        ),
        Endpoint(
            "activity",
            [f"/activities/{pk}/" for pk in activities],
            f"an activity's page, {len(activities)} in turn",
        ),
        Endpoint(
            "event",
            [f"/events/{pk}/" for pk in events],
            f"a network event's page, {len(events)} in turn",
        ),
    ]
    return [e for e in found if e.paths]


_ITEM = re.compile(rb'<li class="calendar-item')
_VEVENT = re.compile(rb"^BEGIN:VEVENT\r?$", re.MULTILINE)


def check_pages(port: int, items: list[Endpoint], counts: dict) -> dict[str, int]:
    """Every URL answers 200; the calendar's pages list items, the feeds hold some and nothing
    network-only, and a network-only activity is not found by a visitor."""
    found: dict[str, int] = {}
    network_only = (counts.get("samples") or {}).get("network_only") or []
    for endpoint in items:
        for path in endpoint.paths:
            status, body = get(port, path, timeout=60)
            if status != 200:
                raise RuntimeError(f"{path} answered HTTP {status}")
            if path.endswith(".ics") and any(
                f"UID:activity-{pk}@".encode() in body for pk in network_only
            ):
                raise RuntimeError(f"{path} holds a network-only activity")
        if endpoint.bare:
            continue
        path = endpoint.paths[0]
        if path.endswith(".ics"):
            shown, what = len(_VEVENT.findall(body)), "events in the feed"
        elif path.startswith("/calendar/"):
            shown, what = len(_ITEM.findall(body)), "items shown"
        else:
            shown, what = 0, ""
        found[endpoint.name] = shown
        count = f"{shown:>6} {what:<18}" if what else " " * 25
        log(f"  {endpoint.name:<14} {count} {len(body) // 1024:>5} KiB  {path}")
        if what and not shown and not path.startswith("/calendar/feeds/school/"):
            raise RuntimeError(f"{path} shows nothing; the benchmark would lie")
    if network_only:
        log("  (a network-only activity asked for as a visitor: the 404 logged below is expected)")
    for pk in network_only:
        status, _body = get(port, f"/activities/{pk}/", timeout=60)
        if status != 404:
            raise RuntimeError(f"A network-only activity answered HTTP {status} to a visitor")
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.calendar",
        description="Benchmark the calendar, activities and events under gunicorn on 127.0.0.1.",
    )
    parser.add_argument(
        "--activities", type=int, default=DEFAULT_ACTIVITIES, help="generated activities"
    )
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="network events")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, default=local_today().year, help=argparse.SUPPRESS)
    add_run_arguments(parser, unit="page")
    args = parser.parse_args(argv)
    if not 1 <= args.activities <= 2_000_000:
        parser.error("--activities must be between 1 and 2,000,000")
    if not 0 <= args.events <= 10_000:
        parser.error("--events must be between 0 and 10,000")
    check_run_arguments(parser, args)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    if args.generate:
        generate(
            args.activities,
            args.events,
            args.seed,
            args.year,
            database=args.generate_into,
            url=args.database_url,
        )
        return 0
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = dt.datetime.now(dt.UTC)
    database = "PostgreSQL " + args.database_url.rsplit("/", 1)[-1] if args.database_url else (
        f"SQLite {DATABASE.relative_to(BASE_DIR)}"
    )  # fmt: skip
    log(f"==> Calendar benchmark, {started:%Y-%m-%d %H:%M} UTC, {database}")
    log(
        f"    {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
        f"{info['busy_before_start']:.0%} busy before the start"
    )
    ensure_world(args)
    counts = ensure_postgresql_calendar(args) if args.database_url else ensure_sqlite(args)
    server_args = _namespace(args, database=DATABASE, no_page_cache=True)
    collect_static(server_args)
    today = local_today()
    items = endpoints(counts, today.year, today.month)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        unknown = wanted - {e.name for e in items}
        if unknown:
            raise SystemExit(f"--only: unknown page names {', '.join(sorted(unknown))}")
        items = [e for e in items if e.bare or e.name in wanted]
    port = free_port()
    server = Server(server_args, port)
    server.log_path = BENCH_DIR / "gunicorn-calendar.log"
    info["busy_before_load"] = machine()["busy_before_start"]
    log(
        f"==> gunicorn on {HOST}:{port}: {args.workers} workers ({args.worker_class}, "
        f"{args.threads} threads), page cache off; load: {args.concurrency} keep-alive "
        f"connections, {args.warmup:g} s warm-up + {args.duration:g} s (at most "
        f"{args.requests} requests) per page; {counts.get('activities', 0):,} activities "
        f"({counts.get('public', 0):,} public, {counts.get('this_year', 0):,} this year), "
        f"{counts.get('events', 0):,} network events, {counts.get('registrations', 0):,} "
        "registrations"
    )
    if info["busy_before_load"] > 0.15:
        log("    WARNING: something else is using the CPUs; the figures will be skewed.")
    rows: list[tuple[Endpoint, dict]] = []
    cpu = CpuShare()
    try:
        cpu.start()
        server.start()
        found = check_pages(port, items, counts)
        for endpoint in items:
            result = measure(args, port, endpoint)
            rows.append((endpoint, result))
            log(
                f"  {endpoint.name:<17} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms"
                f"  p95 {result['p95_ms']:6.1f} ms  errors {result['errors']}"
                + (f" ({result['first_error']})" if result["errors"] else "")
            )
    finally:
        server.stop()
        cpu.stop()
    text, all_pass = table(rows, TARGET_RATIO_UNCACHED)
    log("")
    log(text)
    log(
        f"\n{database}; {info['nproc']} CPUs ({info['cpu']}); {started:%Y-%m-%d %H:%M} UTC. "
        f"The CPUs were {cpu.busy:.0%} busy during the measurements; other processes than the "
        f"benchmark's used {cpu.others:.0%} of them."
    )
    if cpu.others > 0.1:
        log("WARNING: other work competed for the CPUs; run again on an idle machine.")
    log(
        f"Targets: p95 < {TARGET_P95_MS:g} ms and ratio (page req/s / bare req/s) >= "
        f"{TARGET_RATIO_UNCACHED} at concurrency {args.concurrency}, page cache off, no errors."
    )
    if args.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "database": database,
            "counts": {key: value for key, value in counts.items() if key != "samples"},
            "machine": {**info, "busy_during": cpu.busy, "others_during": cpu.others},
            "results": [
                {
                    "endpoint": e.name,
                    "paths": e.paths,
                    "description": e.description,
                    "found": found.get(e.name),
                    **r,
                }
                for e, r in rows
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=1))
    return 0 if all_pass else 1


if __name__ == "__main__":
    raise SystemExit(main())
