"""The benchmark's world-scale directory: Latvia's real schools plus generated ones, worldwide.

Run by `benchmarks.directory` in its own process (`python -m benchmarks.world --ensure ...`).
The database is a separate SQLite file under var/bench/; it is regenerated, always identically
for the same sizes (fixed random seed), when it is missing or was made with other sizes or by an
older generator. Generation writes to a temporary file that replaces the old one only when
complete, so an interrupted run never leaves a half-made database behind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

# Bump when the generated data changes, so that existing benchmark databases are regenerated.
GENERATOR_VERSION = 3
DEFAULT_SEED = 20251125
META_TABLE = "bench_meta"

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = BASE_DIR / "var" / "bench" / "directory.sqlite3"
LATVIA_CSV = BASE_DIR / "data" / "latvian-member-schools.csv"

# Each Latvian municipality (ISO 3166-2:LV): its main town (nominative/genitive), latitude and
# longitude, then a few smaller places (nominative/genitive).
_LATVIA_TABLE = """
LV-RIX Rīga/Rīgas 56.949 24.106
LV-DGV Daugavpils/Daugavpils 55.875 26.536
LV-JEL Jelgava/Jelgavas 56.650 23.713
LV-JUR Jūrmala/Jūrmalas 56.968 23.770 Kauguri/Kauguru
LV-LPX Liepāja/Liepājas 56.505 21.011
LV-REZ Rēzekne/Rēzeknes 56.510 27.340
LV-VEN Ventspils/Ventspils 57.389 21.564
LV-002 Aizkraukle/Aizkraukles 56.603 25.255 Pļaviņas/Pļaviņu Koknese/Kokneses
LV-007 Alūksne/Alūksnes 57.424 27.047 Ape/Apes
LV-011 Ādaži/Ādažu 57.075 24.323 Carnikava/Carnikavas
LV-015 Balvi/Balvu 57.131 27.265 Viļaka/Viļakas
LV-016 Bauska/Bauskas 56.408 24.193 Iecava/Iecavas Rundāle/Rundāles
LV-022 Cēsis/Cēsu 57.312 25.274 Priekuļi/Priekuļu Līgatne/Līgatnes Jaunpiebalga/Jaunpiebalgas
LV-026 Dobele/Dobeles 56.625 23.279 Auce/Auces
LV-033 Gulbene/Gulbenes 57.177 26.752 Stāmeriena/Stāmerienas
LV-041 Ozolnieki/Ozolnieku 56.690 23.784 Eleja/Elejas
LV-042 Jēkabpils/Jēkabpils 56.499 25.857 Viesīte/Viesītes
LV-047 Krāslava/Krāslavas 55.895 27.168 Dagda/Dagdas
LV-050 Kuldīga/Kuldīgas 56.968 21.969 Skrunda/Skrundas Alsunga/Alsungas
LV-052 Ķekava/Ķekavas 56.828 24.230 Baldone/Baldones
LV-054 Limbaži/Limbažu 57.513 24.713 Salacgrīva/Salacgrīvas Aloja/Alojas
LV-056 Līvāni/Līvānu 56.354 26.176 Rožupe/Rožupes
LV-058 Ludza/Ludzas 56.546 27.719 Zilupe/Zilupes
LV-059 Madona/Madonas 56.855 26.218 Lubāna/Lubānas
LV-062 Mārupe/Mārupes 56.906 24.046 Babīte/Babītes
LV-067 Ogre/Ogres 56.816 24.605 Ķegums/Ķeguma Lielvārde/Lielvārdes
LV-068 Olaine/Olaines 56.785 23.938
LV-073 Preiļi/Preiļu 56.294 26.725 Riebiņi/Riebiņu
LV-077 Malta/Maltas 56.350 27.160 Viļāni/Viļānu
LV-080 Ropaži/Ropažu 56.973 24.632 Vangaži/Vangažu
LV-087 Salaspils/Salaspils 56.860 24.350
LV-088 Saldus/Saldus 56.665 22.494 Brocēni/Brocēnu
LV-089 Saulkrasti/Saulkrastu 57.264 24.415
LV-091 Sigulda/Siguldas 57.153 24.853 Krimulda/Krimuldas
LV-094 Smiltene/Smiltenes 57.424 25.901 Rauna/Raunas
LV-097 Talsi/Talsu 57.244 22.589 Sabile/Sabiles Stende/Stendes
LV-099 Tukums/Tukuma 56.967 23.155 Kandava/Kandavas Engure/Engures
LV-101 Valka/Valkas 57.775 26.018 Strenči/Strenču
LV-102 Varakļāni/Varakļānu 56.607 26.753
LV-106 Piltene/Piltenes 57.224 21.674 Ugāle/Ugāles
LV-111 Višķi/Višķu 56.050 26.770 Naujene/Naujenes
LV-112 Grobiņa/Grobiņas 56.535 21.166 Pāvilosta/Pāvilostas Priekule/Priekules
LV-113 Valmiera/Valmieras 57.538 25.426 Mazsalaca/Mazsalacas Rūjiena/Rūjienas
"""
LATVIA = {
    code: (*town.split("/"), float(lat), float(lng), [tuple(p.split("/")) for p in places])
    for code, town, lat, lng, *places in map(str.split, _LATVIA_TABLE.strip().splitlines())
}

LV_PATRONS = [
    "Raiņa", "Aspazijas", "Krišjāņa Barona", "Jāņa Poruka", "Annas Brigaderes",
    "Rūdolfa Blaumaņa", "Kārļa Skalbes", "Jāņa Endzelīna", "Andreja Pumpura", "Zentas Mauriņas",
    "Ojāra Vācieša", "Imanta Ziedoņa", "Friča Brīvzemnieka", "Spīdolas", "Ausekļa",
    "Jāņa Čakstes", "Kr. Valdemāra", "Vizmas Belševicas",
]  # fmt: skip
LV_PRESCHOOL_NAMES = [
    "Pīlādzītis", "Saulīte", "Zīļuks", "Taurenītis", "Ābelīte", "Bitīte", "Rūķītis", "Lācītis",
    "Sprīdītis", "Mārīte", "Zvaniņš", "Ezītis", "Auseklītis", "Cielaviņa", "Dzērvenīte",
]  # fmt: skip
LV_TYPE_PATTERNS = {
    "preschool": [
        '{g} pirmsskolas izglītības iestāde "{pet}"',
        "{g} {n}. pirmsskolas izglītības iestāde",
    ],
    "primary": ["{g} sākumskola", "{g} {p} sākumskola", "{g} Montessori sākumskola"],
    "basic": ["{g} pamatskola", "{g} {n}. pamatskola", "{g} {p} pamatskola"],
    "secondary": [
        "{g} {n}. vidusskola",
        "{g} {p} vidusskola",
        "{g} vidusskola",
        "{g} {a} vidusskola",
    ],
    "gymnasium": [
        "{g} Valsts ģimnāzija",
        "{g} {n}. ģimnāzija",
        "{g} {p} ģimnāzija",
        "{g} Klasiskā ģimnāzija",
    ],
    "vocational": [
        "{g} tehnikums",
        "{g} {f} tehnikums",
        "{g} amatu vidusskola",
        "{g} Mākslas un dizaina vidusskola",
    ],
    "non_formal": [
        "{g} Bērnu un jauniešu centrs",
        "{g} Mūzikas skola",
        "{g} Mākslas skola",
        "{g} interešu izglītības centrs",
    ],
    "general": [
        "{g} {p} skola",
        "{g} Brīvā Valdorfa skola",
        "{g} Starptautiskā skola",
        "{g} Kristīgā skola",
    ],
    "teacher_training": ["{g} Pedagoģiskā koledža", "{g} Izglītības attīstības centrs"],
}
LV_ADJECTIVES = [
    "Centra",
    "Pilsētas",
    "Angļu",
    "Franču",
    "Kristīgā",
    "Jaunā",
    "Ezerkrastu",
    "Purvciema",
]
LV_FIELDS = ["Tehnoloģiju", "Būvniecības", "Tūrisma", "Lauksaimniecības", "Transporta", "Mežu"]
LV_STREETS = ["Skolas", "Brīvības", "Rīgas", "Dzirnavu", "Ozolu", "Liepu", "Parka", "Raiņa", "Meža"]

WORLD_PATRONS = [
    "Nelson Mandela", "Marie Curie", "Jean Monnet", "Rabindranath Tagore", "Gabriela Mistral",
    "Wangari Maathai", "José Martí", "Comenius", "Maria Montessori", "Confucius", "Avicenna",
    "Simón Bolívar", "Kofi Annan", "Federico García Lorca", "Nikola Tesla", "Ibn Khaldun",
]  # fmt: skip
WORLD_LABELS = {
    "preschool": ["Kindergarten", "Early Learning Centre"],
    "primary": ["Primary School", "Elementary School"],
    "basic": ["Basic School", "Middle School"],
    "secondary": ["Secondary School", "High School"],
    "gymnasium": ["Gymnasium", "Lyceum"],
    "vocational": ["Technical College", "Vocational School"],
    "non_formal": ["Youth Centre", "School of Arts"],
    "general": ["School", "Academy", "Comprehensive School"],
    "teacher_training": ["Teacher Training College"],
}
WORLD_PATTERNS = [
    "{loc} {label}", "{loc} {label} No. {n}", "{patron} {label}, {loc}",
    "{loc} International {label}", "{loc} {label} No. {n}", "{loc} UNESCO {label}",
]  # fmt: skip

TYPE_WEIGHTS = {
    "preschool": 12, "primary": 12, "basic": 18, "secondary": 30, "gymnasium": 10,
    "vocational": 8, "non_formal": 5, "general": 4, "teacher_training": 1,
}  # fmt: skip
STATUS_WEIGHTS = {
    "member": 80, "candidate": 7, "endorsed": 4, "dormant": 3,
    "submitted": 2, "under_review": 1, "changes_requested": 1, "withdrawn": 1, "excluded": 1,
}  # fmt: skip
OWNERSHIP_WEIGHTS = {"municipal": 55, "state": 30, "private": 12, "": 3}
# Schools saved with coordinates but with neither a municipality nor a settlement, as a national
# coordinator can save them in the administration: their pages must render like any other
# (they once failed with a server error, and the benchmark left them out).
PLACELESS_SHARE = 0.03

FLAGSHIPS = [
    ("baltic-sea-project", "Baltijas jūras projekts", "Baltic Sea Project", 1989, None),
    ("great-volga-river-route", "Lielais Volgas upes ceļš", "Great Volga River Route", 2004, 2007),
    ("transatlantic-slave-trade", "Transatlantiskās verdzības vēstures izglītības projekts",
     "Transatlantic Slave Trade Education Project", 1998, None),
    ("world-heritage-education", "Pasaules mantojuma izglītība", "World Heritage Education",
     1994, None),
    ("sandwatch", "", "Sandwatch", 2001, None),
    ("blue-danube-river", "Zilās Donavas upes projekts", "Blue Danube River Project", 1998, 2012),
    ("climate-change-education", "Klimata pārmaiņu izglītība", "Climate Change Education",
     2009, None),
    ("global-citizenship", "Globālās pilsonības izglītība", "Global Citizenship Education",
     2015, None),
]  # fmt: skip


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def read_meta(path: Path) -> dict | None:
    """The parameters the database at `path` was generated with, or None."""
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'params'")
            value = row.fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return json.loads(value[0]) if value else None


def wanted_meta(schools: int, countries: int, seed: int) -> dict:
    return {
        "schools": schools,
        "countries": countries,
        "seed": seed,
        "version": GENERATOR_VERSION,
        # Latvia's real schools come from the project's data file: a new file, a new database.
        "latvia": hashlib.sha256(LATVIA_CSV.read_bytes()).hexdigest()[:16],
    }


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


class WorldGenerator:
    def __init__(self, *, schools: int, countries: int, seed: int, log=print):
        if countries < 1 or schools < countries:
            raise SystemExit("Need at least one country and at least one school per country.")
        self.total = schools
        self.country_count = countries
        self.rng = random.Random(seed)
        self.log = log
        self.slugs: set[str] = set()

    def run(self) -> None:
        from django.db import transaction

        from asphub.countries.models import Country
        from asphub.countries.services import countries_load_iso, subdivisions_load_iso

        started = time.monotonic()
        countries_load_iso()
        Country.objects.filter(code="LV").update(has_national_network=True)
        codes = sorted(Country.objects.exclude(code="LV").values_list("code", flat=True))
        chosen = ["LV", *sorted(self.rng.sample(codes, self.country_count - 1))]
        by_code = Country.objects.in_bulk(chosen, field_name="code")
        with transaction.atomic():
            for code in chosen:
                subdivisions_load_iso(by_code[code])
        self.log(f"  {len(chosen)} countries with subdivisions")
        flagships = self._flagships()
        with transaction.atomic():
            latvia_count = self._latvia(by_code["LV"])
            rest = self._world([by_code[code] for code in chosen[1:]], self.total - latvia_count)
            self._participations(flagships)
        self.log(
            f"  {latvia_count} Latvian and {rest} other schools, "
            f"in {time.monotonic() - started:.1f} s"
        )

    def _flagships(self):
        from asphub.taxonomy.models import FlagshipNetwork

        made = []
        for position, (slug, name_lv, name_en, start, end) in enumerate(FLAGSHIPS, start=1):
            flagship, _ = FlagshipNetwork.objects.get_or_create(
                slug=slug,
                defaults={
                    "name_lv": name_lv,
                    "name_en": name_en,
                    "position": position,
                    "start_year": start,
                    "end_year": end,
                    "status": "ended" if end else "active",
                    "description_en": f"{name_en}: an ASPnet flagship project since {start}.",
                },
            )
            made.append(flagship)
        return made

    def _unique_slug(self, name: str) -> str:
        from django.utils.text import slugify

        base = (slugify(name) or "school")[:100]
        slug, number = base, 2
        while slug in self.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slugs.add(slug)
        return slug

    def _common(self, school, *, domain: str, language: str) -> None:
        rng = self.rng
        school.membership_status = _pick(rng, STATUS_WEIGHTS)
        school.ownership = _pick(rng, OWNERSHIP_WEIGHTS)
        if school.membership_status in ("member", "dormant", "withdrawn", "excluded"):
            school.member_since = rng.randint(1953, 2024)
        if rng.random() < 0.7:
            school.website = f"https://{school.slug[:40]}.{domain}"
        if rng.random() < 0.5:
            school.email = f"info@{school.slug[:40]}.{domain}"
        if rng.random() < 0.35:
            about = {
                "lv": "Skola piedalās UNESCO Asociēto skolu tīklā un mācās par ilgtspējīgu "
                "attīstību, kultūras mantojumu un mieru.\n\nSkolēni kopā ar partneriem citās "
                "valstīs īsteno projektus.",
                "en": "The school takes part in the UNESCO Associated Schools Network, with "
                "projects on sustainable development, heritage and peace.\n\nPupils work with "
                "partner schools abroad.",
            }
            setattr(school, f"description_{language}", about[language])
            if rng.random() < 0.4:
                other = "en" if language == "lv" else "lv"
                setattr(school, f"description_{other}", about[other])

    def _latvia(self, latvia) -> int:
        from asphub.audit.models import StandIn
        from asphub.schools.models import School
        from asphub.schools.services import schools_import

        content = LATVIA_CSV.read_bytes()
        schools_import(
            actor=StandIn.COMMAND_LINE, country=latvia, content=content, update_existing=False
        )
        existing = list(School.objects.filter(country=latvia))
        self.slugs.update(s.slug for s in existing)
        names = {s.name.casefold() for s in existing}
        wanted = (
            max(len(existing), round(self.total * 0.025)) if self.country_count > 1 else self.total
        )
        subdivisions = {s.code: s for s in latvia.subdivisions.all()}
        codes = [code for code in LATVIA if code in subdivisions]
        weights = [12 if code == "LV-RIX" else 3 if code[3:].isalpha() else 1 for code in codes]
        rng = self.rng
        batch = []
        while len(existing) + len(batch) < wanted:
            code = rng.choices(codes, weights=weights)[0]
            town, town_genitive, lat, lng, places = LATVIA[code]
            settlement, genitive, precision = town, town_genitive, "settlement"
            if places and rng.random() < 0.35:
                settlement, genitive = rng.choice(places)
            kind = _pick(rng, TYPE_WEIGHTS)
            name = rng.choice(LV_TYPE_PATTERNS[kind]).format(
                g=genitive,
                n=rng.randint(1, 40 if code == "LV-RIX" else 6),
                p=rng.choice(LV_PATRONS),
                pet=rng.choice(LV_PRESCHOOL_NAMES),
                a=rng.choice(LV_ADJECTIVES),
                f=rng.choice(LV_FIELDS),
            )
            if name.casefold() in names:
                continue
            names.add(name.casefold())
            placeless = rng.random() < PLACELESS_SHARE
            school = School(
                country=latvia,
                subdivision=None if placeless else subdivisions[code],
                name=name,
                slug=self._unique_slug(name),
                institution_type=kind,
                settlement="" if placeless else settlement,
            )
            if placeless or rng.random() < 0.85:
                school.latitude = round(lat + rng.uniform(-0.08, 0.08), 5)
                school.longitude = round(lng + rng.uniform(-0.12, 0.12), 5)
                if rng.random() < 0.3:
                    precision = "exact"
                    school.address = (
                        f"{rng.choice(LV_STREETS)} iela {rng.randint(1, 120)}, {settlement}, "
                        f"LV-{rng.randint(1001, 5799)}"
                    )
                school.location_precision = precision
            if rng.random() < 0.6:
                school.phone = f"+371 6{rng.randint(1000000, 9999999)}"
            self._common(school, domain="skolas.example", language="lv")
            school.refresh_derived_fields()
            batch.append(school)
        School.objects.bulk_create(batch, batch_size=500)
        return len(existing) + len(batch)

    def _world(self, countries: list, count: int) -> int:
        from asphub.schools.models import School

        if not countries:
            return 0
        rng = self.rng
        # A few large national networks and a long tail, as in the real ASPnet.
        weights = [1 / (rank**0.9) for rank in range(1, len(countries) + 1)]
        rng.shuffle(weights)
        spare = count - len(countries)
        shares = [1 + int(spare * w / sum(weights)) for w in weights]
        for index in range(count - sum(shares)):
            shares[index % len(shares)] += 1
        made = 0
        batch: list = []
        for country, share in zip(countries, shares, strict=True):
            # pycountry hands subdivisions over as a set, so their ids differ between runs: order
            # them by what they are, not by id, for the same data every time.
            subdivisions = list(country.subdivisions.order_by("sort_key", "code"))
            centres = {s.code: (rng.uniform(-45, 65), rng.uniform(-170, 170)) for s in subdivisions}
            fallback = (rng.uniform(-45, 65), rng.uniform(-170, 170))
            names: set[str] = set()
            while len(names) < share:
                subdivision = rng.choice(subdivisions) if subdivisions else None
                locality = subdivision.name if subdivision else country.name_en
                kind = _pick(rng, TYPE_WEIGHTS)
                name = rng.choice(WORLD_PATTERNS).format(
                    loc=locality,
                    label=rng.choice(WORLD_LABELS[kind]),
                    n=rng.randint(1, 250),
                    patron=rng.choice(WORLD_PATRONS),
                )[:255]
                if name.casefold() in names:
                    continue
                names.add(name.casefold())
                placeless = rng.random() < PLACELESS_SHARE
                school = School(
                    country=country,
                    subdivision=None if placeless else subdivision,
                    name=name,
                    slug=self._unique_slug(f"{name} {country.code}"),
                    institution_type=kind,
                    settlement="" if placeless or rng.random() < 0.5 else locality,
                    location_precision=rng.choice(["city", "settlement", "exact"]),
                )
                if placeless or rng.random() < 0.6:
                    lat, lng = centres[subdivision.code] if subdivision else fallback
                    school.latitude = round(max(-89.0, min(89.0, lat + rng.uniform(-1, 1))), 5)
                    school.longitude = round(max(-179.0, min(179.0, lng + rng.uniform(-1, 1))), 5)
                self._common(school, domain="aspnet.example", language="en")
                school.refresh_derived_fields()
                batch.append(school)
            if len(batch) >= 1000:
                School.objects.bulk_create(batch, batch_size=500)
                made, batch = made + len(batch), []
        School.objects.bulk_create(batch, batch_size=500)
        return made + len(batch)

    def _participations(self, flagships: list) -> None:
        from asphub.schools.models import FlagshipParticipation, School

        rng = self.rng
        rows = []
        for school_id, member_since in School.objects.order_by("id").values_list(
            "id", "member_since"
        ):
            if rng.random() >= 0.18:
                continue
            count = rng.choices([1, 2, 3], weights=[75, 20, 5])[0]
            for flagship in rng.sample(flagships, count):
                first = max(flagship.start_year or 1990, member_since or 1990)
                last = flagship.end_year or 2025
                rows.append(
                    FlagshipParticipation(
                        school_id=school_id,
                        flagship=flagship,
                        since_year=rng.randint(first, last) if first <= last else None,
                        until_year=flagship.end_year,
                    )
                )
        FlagshipParticipation.objects.bulk_create(rows, batch_size=500)


def ensure(database: Path, *, schools: int, countries: int, seed: int, regenerate: bool) -> bool:
    """Make sure `database` holds the wanted directory; returns True if it was (re)generated."""
    wanted = wanted_meta(schools, countries, seed)
    fresh = regenerate or read_meta(database) != wanted
    target = database.with_name(database.name + ".tmp") if fresh else database
    if fresh:
        _remove(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.environ["ASPHUB_BENCH_DATABASE"] = str(target)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # Always migrate: a no-op when up to date, and it keeps an older database usable.
    call_command("migrate", verbosity=0, interactive=False)
    if not fresh:
        return False
    print(f"Generating {schools} schools in {countries} countries (seed {seed})...", flush=True)
    WorldGenerator(schools=schools, countries=countries, seed=seed).run()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES ('params', %s)", [json.dumps(wanted)]
        )
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    _remove(database)
    target.replace(database)
    _remove(target)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--schools", type=int, default=11_500)
    parser.add_argument("--countries", type=int, default=180)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    ensure(
        args.database.resolve(),
        schools=args.schools,
        countries=args.countries,
        seed=args.seed,
        regenerate=args.regenerate,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
