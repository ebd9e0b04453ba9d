"""Benchmark of the library's public catalogue (/library/) under a real WSGI server on loopback,
on 100,000 generated items next to the world directory (issue 10, point 7).

    .venv/bin/python -m benchmarks.library [--items 100000] [--concurrency 8] [--duration 10]
        [--requests 50000] [--warmup 2] [--only common,rare,...] [--regenerate] [--json FILE]
        [--database-url postgres://postgres@127.0.0.1:5432/asphub_bench_library]

1. Data. The world directory of `benchmarks.world` (var/bench/directory.sqlite3: 11,500
   schools in 180 countries; made first if missing) is copied to var/bench/library.sqlite3,
   and `--items` library items are generated into the copy (benchmarks.library_text: 70 %
   Latvian, 30 % English; real words in their inflected forms with a Zipf-like frequency;
   titles of 4-12 words, summaries of 40-120, Markdown bodies of 300-1,500; metadata spread
   over the network's vocabulary, the world's public schools and ten years; 90 % published,
   the rest drafts, in review, declined or archived, which the index must not hold). Rows are
   bulk-created and indexed with asphub.search.services.index_documents in batches. The same
   seed always gives the same rows. The file is kept with its parameters (table bench_meta)
   and made again only when they change (or with `--regenerate`): a second run starts at once.
   With `--database-url`, the world is copied into that PostgreSQL database as
   benchmarks.directory copies it, and the items are generated there directly with the same
   seed (the database is created if missing, and dropped and made again if it holds other
   items).
2. Server. gunicorn with config.settings.bench (production behaviour) on 127.0.0.1, the page
   cache off (ASPHUB_BENCH_DIRECTORY_CACHE=0: a new search is always a cache miss; the
   catalogue has no page cache of its own).
3. Check. Every URL answers 200 once and finds items; a search for a word that only
   unpublished items contain finds nothing, and the catalogue counts exactly the published
   items.
4. Load. Each query in turn (see QUERIES), after the bare /healthz view, with the load
   generator of benchmarks.loadgen at `--concurrency` keep-alive connections: `--warmup`
   seconds, then `--duration` seconds or `--requests` requests, whichever comes first.
5. Report. requests/s, p50 and p95, ratio page/bare and PASS/FAIL against the targets (p95 <
   60 ms and ratio >= 0.15, uncached), with the machine, the date and the database.

Only 127.0.0.1 is contacted; gunicorn is always stopped. Exit status 0 when every query meets
the targets, 1 otherwise. Figures: docs/benchmarks.md, "Library search (issue 10)".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from benchmarks.directory import (
    TARGET_P95_MS,
    TARGET_RATIO_UNCACHED,
    CpuShare,
    Endpoint,
    Server,
    collect_static,
    ensure_postgresql,
    ensure_search_index,
    free_port,
    get,
    machine,
    table,
)
from benchmarks.library_text import (
    DRAFT_WORD,
    EN_DRAFT_WORD,
    Language,
    TextMaker,
    languages,
)
from benchmarks.loadgen import add_run_arguments, check_run_arguments, stop_on_sigterm
from benchmarks.world import DEFAULT_SEED as WORLD_SEED
from benchmarks.world import read_meta

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
DIRECTORY = BENCH_DIR / "directory.sqlite3"
DATABASE = BENCH_DIR / "library.sqlite3"
REFERENCE = BASE_DIR / "data" / "reference.json"
META_TABLE = "bench_meta"
META_KEY = "library"
# Bump when the generated items change, so that existing benchmark databases are made again.
GENERATOR_VERSION = 1
DEFAULT_SEED = 20261210
DEFAULT_ITEMS = 100_000
BATCH = 2000
HOST = "127.0.0.1"
# Ten years of publishing, up to a fixed day (not today: the same seed, the same rows).
LAST_DAY = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
YEARS = 10

STATUS_WEIGHTS = {
    "published": 900, "draft": 40, "submitted": 15, "in_review": 20,
    "changes_requested": 10, "declined": 10, "archived": 5,
}  # fmt: skip
LICENCE_WEIGHTS = {
    "CC-BY-4.0": 70, "CC-BY-SA-4.0": 12, "CC-BY-NC-4.0": 8, "CC-BY-NC-SA-4.0": 5, "CC0-1.0": 5,
}  # fmt: skip
LEVEL_AGES = {
    "preschool": (3, 6), "primary": (7, 12), "lower_secondary": (13, 15),
    "upper_secondary": (16, 18), "vocational": (15, 20), "teacher_training": (20, 65),
    "non_formal": (7, 18),
}  # fmt: skip
# The goals schools work on most (quality education, climate, peace) more often than others.
SDG_WEIGHTS = {4: 12, 13: 6, 16: 5, 11: 3, 12: 3, 14: 3, 15: 3, 5: 2, 10: 2}
PUBLIC_SCHOOL_STATUSES = ("candidate", "member", "dormant")  # asphub.schools.models


def log(message: str) -> None:
    print(message, flush=True)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- generation (runs in its own process, with Django set up on the target database) -------------


def _memoized_search_terms():
    """asphub.core.text.search_terms with each word's term remembered: the generated text has
    a few thousand distinct words, and stemming each of 80 million words again would take a
    quarter of an hour. The same function, so the same terms (test_benchmark_generator)."""
    from asphub.core.text import plain_words, search_term

    term = functools.lru_cache(maxsize=1 << 16)(search_term)

    def search_terms(text: str) -> list[str]:
        return [term(word) for word in plain_words(text)]

    return search_terms


@contextlib.contextmanager
def fast_analyzer():
    from asphub.search import services

    original = services.search_terms
    services.search_terms = _memoized_search_terms()
    try:
        yield
    finally:
        services.search_terms = original


@dataclass
class Vocabulary:
    """What the generated items are tagged with and who writes them (ids from the database)."""

    latvian_schools: list[tuple[int, int]]  # (school id, country id)
    other_schools: list[tuple[int, int]]
    latvia: int | None
    themes: list[int]
    pillars: list[int]
    sdgs: list[tuple[int, int]]  # (id, number)
    flagships: list[int]
    days: list[int]

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
                SustainableDevelopmentGoal.objects.order_by("number").values_list("id", "number")
            ),
            flagships=list(FlagshipNetwork.objects.order_by("slug").values_list("id", flat=True)),
            days=list(InternationalDay.objects.order_by("slug").values_list("id", flat=True)),
        )


def _skewed(rng: random.Random, rows: list):
    """A row, the first ones much more often: some schools write many items, most a few."""
    return rows[int(len(rows) * rng.random() ** 2.5)]


class LibraryGenerator:
    """`items` library items, the same ones for the same seed, inserted and indexed in batches."""

    def __init__(self, *, items: int, seed: int = DEFAULT_SEED, batch: int = BATCH, log=log):
        self.items = items
        self.seed = seed
        self.batch = batch
        self.log = log
        self.languages: dict[str, Language] = languages(seed)

    def run(self) -> dict[str, int]:
        from django.db import transaction

        vocabulary = Vocabulary.load()
        if vocabulary.latvia is None and not vocabulary.other_schools:
            raise RuntimeError("No country and no school to write library items: load them first.")
        started = time.monotonic()
        counts = {"items": 0, "published": 0, "lv": 0, "en": 0}
        with fast_analyzer():
            for first in range(0, self.items, self.batch):
                last = min(self.items, first + self.batch)
                rows = [self.item(number, vocabulary) for number in range(first, last)]
                with transaction.atomic():
                    published = self._insert(rows)
                    self._index(published)
                counts["items"] += len(rows)
                counts["published"] += len(published)
                for practice, _tags in rows:
                    counts[practice.language] += 1
                elapsed = time.monotonic() - started
                rate = counts["items"] / elapsed if elapsed else 0.0
                self.log(
                    f"  {counts['items']:,}/{self.items:,} items ({counts['published']:,} "
                    f"published and indexed), {elapsed:.0f} s, "
                    f"about {(self.items - counts['items']) / rate if rate else 0:.0f} s to go"
                )
        return counts

    def item(self, number: int, vocabulary: Vocabulary):
        """One item and its tags, from its own generator (the same for the same seed and
        number, whatever the batch size)."""
        from asphub.practices.models import Practice

        rng = random.Random(self.seed * 1_000_003 + number)
        language = "lv" if rng.random() < 0.7 else "en"
        text = TextMaker(self.languages[language], rng)
        english = TextMaker(self.languages["en"], rng)
        status = _pick(rng, STATUS_WEIGHTS)
        if language == "lv":
            pool = vocabulary.latvian_schools or vocabulary.other_schools
        elif vocabulary.latvian_schools and rng.random() < 0.1:
            pool = vocabulary.latvian_schools  # Latvian schools write in English too
        else:
            pool = vocabulary.other_schools or vocabulary.latvian_schools
        # The national coordinator's network-level materials have no school.
        network_level = language == "lv" and rng.random() < 0.04
        if (network_level or not pool) and vocabulary.latvia is not None:
            school, country = None, vocabulary.latvia
        else:
            school, country = _skewed(rng, pool)
        title, summary, body = text.title(), text.summary(), text.body()
        if status != "published":
            marker = self.languages[language].draft_word
            title = f"{title} {marker}"[:200]
            body = f"{marker.capitalize()}. {body}"
        practice = Practice(
            country_id=country,
            school_id=school,
            kind="good_practice" if rng.random() < 0.55 else "teaching_material",
            status=status,
            title=title,
            summary=summary,
            body=body,
            language=language,
            authors=text.names(),
            subjects=text.subjects(),
            licence=_pick(rng, LICENCE_WEIGHTS),
            duration=text.duration() if rng.random() < 0.6 else "",
        )
        if language == "lv" and rng.random() < 0.4:
            practice.title_en = english.title()
            practice.summary_en = english.summary()
        levels = sorted(rng.sample(list(LEVEL_AGES), rng.choice([1, 1, 2, 2, 3])),
                        key=list(LEVEL_AGES).index)  # fmt: skip
        practice.education_levels = levels
        if rng.random() < 0.7:
            practice.age_from = min(LEVEL_AGES[level][0] for level in levels)
            practice.age_to = max(LEVEL_AGES[level][1] for level in levels)
        if vocabulary.flagships and rng.random() < 0.2:
            practice.flagship_id = rng.choice(vocabulary.flagships)
        if vocabulary.days and rng.random() < 0.1:
            practice.international_day_id = rng.choice(vocabulary.days)
        if status != "draft":
            practice.round = rng.choice([1, 1, 1, 2, 3])
        if status in ("published", "archived"):
            # More items in recent years: the network grows.
            age = YEARS * 365 * (1 - rng.random() ** 0.6)
            practice.published_at = LAST_DAY - dt.timedelta(days=age, seconds=rng.randint(0, 86399))
            practice.submitted_at = practice.published_at - dt.timedelta(days=rng.randint(5, 90))
            practice.recommended = status == "published" and rng.random() < 0.06
            if status == "archived":
                practice.archived_reason = "Aizstāts ar jaunāku versiju."
        elif status != "draft":
            practice.submitted_at = LAST_DAY - dt.timedelta(days=rng.randint(1, 120))
        tags = {
            "thematic_areas": rng.sample(vocabulary.themes, min(len(vocabulary.themes),
                                                                rng.choice([1, 1, 2]))),
            "pillars": rng.sample(vocabulary.pillars, min(len(vocabulary.pillars),
                                                          rng.randint(1, 3))),
            "sdgs": self._goals(rng, vocabulary),
        }  # fmt: skip
        return practice, tags

    @staticmethod
    def _goals(rng: random.Random, vocabulary: Vocabulary) -> list[int]:
        if not vocabulary.sdgs:
            return []
        weights = [SDG_WEIGHTS.get(number, 1) for _id, number in vocabulary.sdgs]
        chosen = {
            vocabulary.sdgs[index][0]
            for index in rng.choices(range(len(vocabulary.sdgs)), weights=weights,
                                     k=rng.randint(1, 4))
        }  # fmt: skip
        return sorted(chosen)

    def _insert(self, rows) -> list[int]:
        from django.db.models import ManyToManyField

        from asphub.practices.models import Practice, PracticeStatus

        practices = [practice for practice, _tags in rows]
        Practice.objects.bulk_create(practices, batch_size=500)
        for name in ("thematic_areas", "pillars", "sdgs"):
            field = Practice._meta.get_field(name)
            assert isinstance(field, ManyToManyField)
            through = getattr(Practice, name).through
            own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            through.objects.bulk_create(
                [
                    through(**{own: practice.pk, other: target})
                    for practice, tags in rows
                    for target in tags[name]
                ],
                batch_size=500,
            )
        return [p.pk for p in practices if p.status == PracticeStatus.PUBLISHED]

    def _index(self, ids: list[int]) -> None:
        """The published items' search entries, as asphub.practices.indexing.index_practice
        writes them (the test compares the two), in batches of index_documents."""
        from asphub.core.text import latvian_sort_key
        from asphub.practices.indexing import SEARCH_KIND, practice_facets
        from asphub.practices.models import Practice
        from asphub.search.services import Document, index_documents

        for start in range(0, len(ids), 500):
            practices = (
                Practice.objects.filter(pk__in=ids[start : start + 500])
                .select_related("school", "school__subdivision", "country", "flagship")
                .prefetch_related("thematic_areas", "pillars", "sdgs", "files")
                .order_by("pk")
            )
            index_documents(
                SEARCH_KIND,
                [
                    Document(
                        object_id=practice.pk,
                        title=[practice.title, practice.title_en],
                        body=[
                            practice.summary,
                            practice.summary_en,
                            practice.body,
                            practice.authors,
                            practice.subjects,
                        ],
                        facets=practice_facets(practice),
                        sort_title=latvian_sort_key(practice.title),
                        sort_date=practice.published_at,
                    )
                    for practice in practices
                ],
            )


def wanted_meta(items: int, seed: int) -> dict:
    return {
        "items": items,
        "seed": seed,
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


def generate(items: int, seed: int, *, database: Path | None, url: str) -> None:
    """In this process: set Django up on the target database, migrate, load the network's
    vocabulary, generate the items and record the parameters."""
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
    wanted = wanted_meta(items, seed)
    log(f"==> Generating {items:,} library items (seed {seed}) into {connection.vendor}")
    started = time.monotonic()
    counts = LibraryGenerator(items=items, seed=seed).run()
    counts["seconds"] = round(time.monotonic() - started)
    _write_meta(wanted, counts)
    log("==> ANALYZE")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")
    connection.close()
    log(f"    {counts} ({time.monotonic() - started:.0f} s)")


# -- keeping the databases (the main process; Django is not set up here) ------------------------


def _sqlite_meta(path: Path, key: str) -> dict | None:
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute(
                f"SELECT value FROM {META_TABLE} WHERE key = ?", [key]
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return json.loads(row[0]) if row else None


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


def _namespace(args, **changes) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), **changes})


def _generate_in_process(args, *, database: Path | None = None, url: str = "") -> None:
    command = [sys.executable, "-m", "benchmarks.library", "--generate",
               "--items", str(args.items), "--seed", str(args.seed)]  # fmt: skip
    if url:
        command += ["--database-url", url]
    else:
        command += ["--generate-into", str(database)]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, timeout=6 * 3600)


def ensure_world(args) -> None:
    """The world directory, made by benchmarks.world in its own process, as the directory
    benchmark makes it, with its schools' search index complete."""
    command = [sys.executable, "-m", "benchmarks.world", "--database", str(DIRECTORY),
               "--seed", str(WORLD_SEED)]  # fmt: skip
    subprocess.run(command, cwd=BASE_DIR, check=True, timeout=900)


def _migrate_kept(*, database: Path | None = None, url: str = "") -> None:
    """A kept database gets the migrations written since it was made (the code it is served
    with may read new columns)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench")
    env.pop("ASPHUB_BENCH_DATABASE_URL", None)
    if url:
        env["ASPHUB_BENCH_DATABASE_URL"] = url
    else:
        env["ASPHUB_BENCH_DATABASE"] = str(database)
    log("==> Migrating the kept database (new migrations only)")
    command = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, timeout=3600)


def ensure_sqlite(args) -> dict:
    wanted = json.loads(json.dumps(wanted_meta(args.items, args.seed), sort_keys=True))
    if not args.regenerate and _sqlite_meta(DATABASE, META_KEY) == wanted:
        log(f"==> {DATABASE.relative_to(BASE_DIR)} holds these items already")
        _migrate_kept(database=DATABASE)
    else:
        target = DATABASE.with_name(DATABASE.name + ".tmp")
        _remove(target)
        log(f"==> Copying the world directory to {target.relative_to(BASE_DIR)}")
        shutil.copyfile(DIRECTORY, target)
        # The world's schools in the search index (a no-op when the directory benchmark has
        # indexed them already): before the items, so that a rebuild only indexes schools.
        ensure_search_index(_namespace(args, database=target, database_url="", no_page_cache=True))
        _generate_in_process(args, database=target)
        _remove(DATABASE)
        target.replace(DATABASE)
        _remove(target)
    return _sqlite_meta(DATABASE, "counts") or {}


def _postgresql(url: str, dbname: str | None = None):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=dbname or parts.path.lstrip("/"),
        autocommit=True,
    )


def _postgresql_meta(url: str, key: str) -> dict | None:
    with _postgresql(url) as connection:
        found = connection.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()[0]
        if not found:
            return None
        row = connection.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key]).fetchone()
    return json.loads(row[0]) if row else None


def _recreate_database(url: str, *, drop: bool) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"Unusual database name {name!r}: give a plain one.")
    with _postgresql(url, dbname="postgres") as connection:
        if drop:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            log(f"==> Creating the PostgreSQL database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def ensure_postgresql_library(args) -> dict:
    url = args.database_url
    wanted = json.loads(json.dumps(wanted_meta(args.items, args.seed), sort_keys=True))
    _recreate_database(url, drop=False)
    current = _postgresql_meta(url, META_KEY)
    if current == wanted and not args.regenerate:
        log(f"==> {url.rsplit('/', 1)[-1]} holds these items already")
        _migrate_kept(url=url)
        return _postgresql_meta(url, "counts") or {}
    if current is not None or args.regenerate:
        log("==> The PostgreSQL database holds other items: making it again")
        _recreate_database(url, drop=True)
    # The world, as the directory benchmark copies it (dumpdata/loaddata of the SQLite world,
    # then its search index rebuilt); the items are generated there directly, the same rows.
    ensure_search_index(_namespace(args, database=DIRECTORY, database_url="", no_page_cache=True))
    ensure_postgresql(_namespace(args, database=DIRECTORY, no_page_cache=True))
    _generate_in_process(args, url=url)
    return _postgresql_meta(url, "counts") or {}


# -- the measurements ----------------------------------------------------------------------------


def _q(text: str) -> str:
    return quote(text, safe="")


PHRASE = '"kultūras mantojums"'
# The fixed set of queries (issue 10, point 7). Counts found: see docs/benchmarks.md.
QUERIES = [
    Endpoint("bare", ["/healthz"], 'bare Django view returning "ok"', bare=True),
    Endpoint("browse", ["/library/"], "catalogue, first page, no query (newest first)"),
    Endpoint("common", [f"/library/?q={_q('skola')}"], "a common word: skola"),
    Endpoint("rare", [f"/library/?q={_q('dzintars')}"], "a rare word: dzintars"),
    Endpoint(
        "phrase",
        [f"/library/?q={_q(PHRASE)}"],
        'a phrase: "kultūras mantojums"',
    ),
    Endpoint(
        "inflected",
        [f"/library/?q={_q('skolēniem')}"],
        "an inflected form: skolēniem (finds skolēns, skolēni, ...)",
    ),
    Endpoint("no-diacritics", [f"/library/?q={_q('udens')}"], "no diacritics: udens (ūdens)"),
    Endpoint(
        "no-diacritics-2",
        [f"/library/?q={_q('izglitiba')}"],
        "no diacritics: izglitiba (izglītība)",
    ),
    Endpoint("english", [f"/library/?q={_q('heritage education')}"], "English: heritage education"),
    Endpoint(
        "query-facets",
        [f"/library/?q={_q('izglītība')}&theme=sustainable-development&level=primary"],
        "a query and two facets: izglītība + theme + level",
    ),
    Endpoint(
        "facets",
        ["/library/?theme=peace-global-citizenship&language=en"],
        "two facets, no query: theme + language",
    ),
    Endpoint("page-3", [f"/library/?q={_q('skola')}&page=3"], "page 3 of a broad query: skola"),
]
# Searches that must find nothing: words only unpublished items contain.
UNPUBLISHED_ONLY = [f"/library/?q={_q(DRAFT_WORD)}", f"/library/?q={_q(EN_DRAFT_WORD)}"]

# The number that starts the results heading, in any interface language ("62817 items",
# "62817 vienības"; digits possibly grouped).
_RESULTS_COUNT = re.compile(rb'class="results-count">\s*(\d(?:[\d,.]|\s|\xc2\xa0)*)')


def found_count(body: bytes) -> int:
    match = _RESULTS_COUNT.search(body)
    if not match:
        raise RuntimeError("The catalogue page shows no count of items found.")
    return int(re.sub(rb"\D", b"", match.group(1)) or 0)


def check_pages(port: int, items: list[Endpoint], counts: dict) -> dict[str, int]:
    """Every URL answers 200 and finds items; nothing unpublished is found; the catalogue
    counts exactly the published items."""
    found: dict[str, int] = {}
    for endpoint in items:
        for path in endpoint.paths:
            status, body = get(port, path, timeout=60)
            if status != 200:
                raise RuntimeError(f"{path} answered HTTP {status}")
        if endpoint.bare:
            continue
        found[endpoint.name] = found_count(body)
        log(f"  {endpoint.name:<16} {found[endpoint.name]:>7,} found  {endpoint.description}")
        if not found[endpoint.name]:
            raise RuntimeError(f"{endpoint.paths[0]} finds nothing; the benchmark would lie")
    for path in UNPUBLISHED_ONLY:
        status, body = get(port, path, timeout=60)
        if status != 200 or found_count(body):
            raise RuntimeError(f"{path} finds unpublished items (HTTP {status})")
    log(f"  unpublished      {0:>7} found  words only drafts and items in review contain")
    status, body = get(port, "/library/", timeout=60)
    if counts.get("published") is not None and found_count(body) != counts["published"]:
        raise RuntimeError(
            f"The catalogue counts {found_count(body)} items, {counts['published']} are published"
        )
    return found


def measure(args, port: int, endpoint: Endpoint) -> dict:
    """benchmarks.directory.measure, except that a load generator that fails (for a query
    whose requests take many seconds) is reported as errors of that query, not the end of
    the run."""
    spec = {
        "port": port,
        "paths": endpoint.paths,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "duration": args.duration,
        "requests": args.requests,
    }
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.loadgen", json.dumps(spec)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=args.warmup + args.duration + 90,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        lines = (error.stderr or "").strip().splitlines() if isinstance(error.stderr, str) else []
        reason = lines[-1] if lines else type(error).__name__
        return {"requests": 0, "errors": 1, "rps": 0.0, "p50_ms": float("nan"),
                "p95_ms": float("nan"), "first_error": f"load generator: {reason}"}  # fmt: skip
    return json.loads(completed.stdout)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.library",
        description="Benchmark the library's catalogue searches under gunicorn on 127.0.0.1.",
    )
    parser.add_argument("--items", type=int, default=DEFAULT_ITEMS, help="generated items")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)
    add_run_arguments(parser, unit="query")
    args = parser.parse_args(argv)
    if not 1 <= args.items <= 1_000_000:
        parser.error("--items must be between 1 and 1,000,000")
    check_run_arguments(parser, args)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    if args.generate:
        generate(args.items, args.seed, database=args.generate_into, url=args.database_url)
        return 0
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = dt.datetime.now(dt.UTC)
    database = "PostgreSQL " + args.database_url.rsplit("/", 1)[-1] if args.database_url else (
        f"SQLite {DATABASE.relative_to(BASE_DIR)}"
    )  # fmt: skip
    log(f"==> Library benchmark, {started:%Y-%m-%d %H:%M} UTC, {database}")
    log(
        f"    {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
        f"{info['busy_before_start']:.0%} busy before the start"
    )
    ensure_world(args)
    counts = ensure_postgresql_library(args) if args.database_url else ensure_sqlite(args)
    server_args = _namespace(args, database=DATABASE, no_page_cache=True)
    collect_static(server_args)
    items = QUERIES
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        items = [e for e in items if e.bare or e.name in wanted]
    port = free_port()
    server = Server(server_args, port)
    server.log_path = BENCH_DIR / "gunicorn-library.log"
    info["busy_before_load"] = machine()["busy_before_start"]
    log(
        f"==> gunicorn on {HOST}:{port}: {args.workers} workers ({args.worker_class}, "
        f"{args.threads} threads), page cache off; load: {args.concurrency} keep-alive "
        f"connections, {args.warmup:g} s warm-up + {args.duration:g} s (at most "
        f"{args.requests} requests) per query; {counts.get('items', '?'):,} items, "
        f"{counts.get('published', '?'):,} published"
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
        f"Targets: p95 < {TARGET_P95_MS:g} ms and ratio (query req/s / bare req/s) >= "
        f"{TARGET_RATIO_UNCACHED} at concurrency {args.concurrency}, page cache off, no errors."
    )
    if args.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "database": database,
            "counts": counts,
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
            ],  # fmt: skip
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=1))
    return 0 if all_pass else 1


if __name__ == "__main__":
    raise SystemExit(main())
