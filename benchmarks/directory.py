"""Benchmark of the public school directory under a real WSGI server on loopback.

    .venv/bin/python -m benchmarks.directory [--schools 11500] [--countries 180]
        [--concurrency 8] [--duration 10] [--requests N] [--workers W] [--threads T]
        [--no-page-cache] [--only search,search-many,...] [--database-url postgres://...]

1. Makes sure var/bench/directory.sqlite3 holds a world-scale directory (see benchmarks.world:
   Latvia's real schools plus generated ones in `--countries` countries, deterministic), and
   that its search index is complete (`manage.py rebuild_search_index` otherwise: the
   generator bulk-creates schools). With `--database-url`, the same world is copied into that
   PostgreSQL database (dumpdata/loaddata, once per generated world) and served from there.
2. Starts gunicorn with config.settings.bench (production behaviour) on 127.0.0.1, on a free
   port, and waits until it answers.
3. Measures, one after the other on the same server, the bare /healthz view (a Django view that
   returns "ok") and the directory pages, each with a warm-up first, using a separate
   keep-alive load generator process (benchmarks.loadgen) at `--concurrency` connections.
4. Prints requests/s, p50 and p95 latency, and each page's throughput as a share of the bare
   view's ("ratio"), with PASS/FAIL against the targets: p95 < 60 ms, and ratio >= 0.5 with
   the page cache on, >= 0.15 with it off (`--no-page-cache`: every page is rendered, as a
   search nobody made before is).
5. Weighs, before the load and so with nothing cached, the map page with its points and the
   CSV and JSON exports (one request after another): bytes, time to the first byte and to the
   last; PASS/FAIL against the targets: map page with points < 1 MB, exports streamed (the
   first byte within 1 s).
6. Stops gunicorn, always.

Every phase is bounded in time and in requests; only 127.0.0.1 is ever contacted. Exit status
is 0 when every page meets the targets without errors, 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.world import DEFAULT_DATABASE, DEFAULT_SEED

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
HOST = "127.0.0.1"
TARGET_RATIO = 0.5
# With the page cache off every page is rendered: what a new search always costs (issue 10).
TARGET_RATIO_UNCACHED = 0.15
TARGET_P95_MS = 60.0
PUBLIC_STATUSES = ("candidate", "member", "dormant")  # asphub.schools.models
PROFILE_SLUGS = 24
# Of them, schools with coordinates but neither municipality nor settlement (issue 8, item 1).
PLACELESS_PROFILES = 4
MAP_POINTS = 24
TARGET_MAP_BYTES = 1_000_000
TARGET_EXPORT_FIRST_BYTE_MS = 1000.0
WEIGH_REPEAT = 5


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    description: str
    bare: bool = False


def endpoints(profile_slugs: list[str], map_points: list[tuple[str, str]]) -> list[Endpoint]:
    return [
        Endpoint("bare", ["/healthz"], 'bare Django view returning "ok"', bare=True),
        Endpoint("list", ["/schools/"], "directory, first page, no filters"),
        Endpoint("search", ["/schools/?q=vidusskola"], "search: vidusskola"),
        Endpoint("search-many", ["/schools/?q=school"], "search hitting thousands: school"),
        Endpoint(
            "search-inflected",
            ["/schools/?q=rigas+gimnazijas"],
            "search without diacritics, inflected: rigas gimnazijas",
        ),
        Endpoint("search-prefix", ["/schools/?q=vidussk"], "search, a word being typed: vidussk"),
        Endpoint(
            "search-phrase",
            ["/schools/?q=%22valsts+%C4%A3imn%C4%81zija%22"],
            'search, a phrase: "valsts ģimnāzija"',
        ),
        Endpoint(
            "search-facets",
            ["/schools/?q=school&institution_type=secondary&ownership=state"],
            "search with filters: school + secondary + state",
        ),
        Endpoint(
            "search-mix",
            [
                "/schools/?q=skolas",
                "/schools/?q=cesu",
                "/schools/?q=izglitibas+iestade",
                "/schools/?q=primary+school",
                "/schools/?q=liepajas",
                "/schools/?q=academy",
                "/schools/?q=%22high+school%22",
                "/schools/?q=pirmsskolas&country=LV",
            ],
            "8 searches in turn: inflected, no diacritics, English, phrase, with a filter",
        ),  # fmt: skip
        Endpoint(
            "filter",
            ["/schools/?institution_type=secondary&municipality=LV-RIX"],
            "filters: institution type + municipality",
        ),
        Endpoint(
            "profile",
            [f"/schools/{slug}/" for slug in profile_slugs],
            f"school profile, {len(profile_slugs)} schools in turn",
        ),
        Endpoint("map", ["/schools/map/"], "map page with the first page of its list"),
        Endpoint("map-points", ["/schools/map.json"], "the map's points, every located school"),
        Endpoint(
            "map-place",
            [f"/schools/map/place.json?lat={lat}&lng={lng}" for lat, lng in map_points],
            f"the schools of one point of the map, {len(map_points)} points in turn",
        ),
    ]


# What the weighing phase fetches: (name, path).
WEIGHED = [
    ("map page", "/schools/map/"),
    ("map points", "/schools/map.json"),
    ("export.csv", "/schools/export.csv"),
    ("export.json", "/schools/export.json"),
]


def log(message: str) -> None:
    print(message, flush=True)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory": memory,
        "python": platform.python_version(),
        "busy_before_start": other_cpu_use(),
    }


def other_cpu_use(seconds: float = 1.0) -> float:
    """Share of all CPUs busy during `seconds` before the benchmark starts (from /proc/stat)."""
    total_1, idle_1 = _cpu_jiffies()
    time.sleep(seconds)
    total_2, idle_2 = _cpu_jiffies()
    elapsed = total_2 - total_1
    return 1 - (idle_2 - idle_1) / elapsed if elapsed > 0 else 0.0


def _cpu_jiffies() -> tuple[int, int]:
    """All CPUs' (total, idle) time so far, in clock ticks."""
    try:
        # user nice system idle iowait irq softirq steal (guest time is counted in user)
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)


def _own_cpu_seconds() -> float:
    """CPU time of this process and of its finished children (gunicorn, load generators)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CpuShare:
    """How busy the machine was during the measurements, and how much of that was not us."""

    busy = others = 0.0

    def start(self) -> None:
        self.jiffies = _cpu_jiffies()
        self.own = _own_cpu_seconds()

    def stop(self) -> None:
        total_1, idle_1 = self.jiffies
        total_2, idle_2 = _cpu_jiffies()
        ticks = os.sysconf("SC_CLK_TCK")
        busy = ((total_2 - total_1) - (idle_2 - idle_1)) / ticks
        capacity = (total_2 - total_1) / ticks or 1.0
        self.busy = busy / capacity
        self.others = max(0.0, busy - (_own_cpu_seconds() - self.own)) / capacity


def ensure_database(args) -> None:
    command = [
        sys.executable, "-m", "benchmarks.world", "--database", str(args.database),
        "--schools", str(args.schools), "--countries", str(args.countries),
        "--seed", str(args.seed),
    ]  # fmt: skip
    if args.regenerate:
        command.append("--regenerate")
    subprocess.run(command, cwd=BASE_DIR, check=True, timeout=900)


def server_env(args) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    env["ASPHUB_BENCH_DATABASE"] = str(args.database)
    env.pop("ASPHUB_BENCH_DATABASE_URL", None)
    if args.database_url:
        env["ASPHUB_BENCH_DATABASE_URL"] = args.database_url
    env["ASPHUB_BENCH_DIRECTORY_CACHE"] = "0" if args.no_page_cache else "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _manage(args, *command: str, url: str | None = None, timeout: int = 900, **kwargs):
    env = server_env(args)
    env.pop("ASPHUB_BENCH_DATABASE_URL", None)
    if url:
        env["ASPHUB_BENCH_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR, env=env, check=True, timeout=timeout, **kwargs,
    )  # fmt: skip


def ensure_search_index(args) -> None:
    """The generator bulk-creates schools, which skips the search index: rebuild it when it
    does not hold exactly the public schools."""
    connection = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(PUBLIC_STATUSES))
        public = connection.execute(
            f"SELECT COUNT(*) FROM schools_school WHERE membership_status IN ({marks})",
            PUBLIC_STATUSES,
        ).fetchone()[0]
        indexed = connection.execute(
            "SELECT COUNT(*) FROM search_searchdocument WHERE kind = 'school'"
        ).fetchone()[0]
    finally:
        connection.close()
    if public != indexed:
        log(f"==> Search index: {indexed} of {public} public schools; rebuilding")
        _manage(args, "rebuild_search_index")
        connection = sqlite3.connect(args.database)
        try:
            connection.execute("ANALYZE")
            connection.commit()
        finally:
            connection.close()


_META_TABLE_SQL = "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)"

# What is copied into PostgreSQL: the tables the directory reads (the search index is rebuilt
# there, the generator's marker kept in a table of its own).
COPIED_MODELS = [
    "countries.country", "countries.subdivision", "taxonomy.flagshipnetwork",
    "schools.school", "schools.flagshipparticipation",
]  # fmt: skip


def ensure_postgresql(args) -> None:
    """Copy the SQLite world into the PostgreSQL database of --database-url, unless it holds
    that world already (the generator's parameters are kept in a table there)."""
    wanted = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    try:
        marker = wanted.execute("SELECT value FROM bench_meta WHERE key = 'params'").fetchone()[0]
    finally:
        wanted.close()
    url = args.database_url
    _manage(args, "migrate", "--noinput", "-v", "0", url=url)
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute({_META_TABLE_SQL!r})\n"
        "    c.execute(\"SELECT value FROM bench_meta WHERE key = 'params'\")\n"
        "    row = c.fetchone()\n"
        "print(row[0] if row else '')\n"
    )
    current = _manage(args, "shell", "-c", probe, url=url, capture_output=True, text=True)
    if current.stdout.strip() == marker:
        return
    log("==> Copying the world into PostgreSQL (once per generated world)")
    dump = BENCH_DIR / "world.json"
    with dump.open("w") as out:
        _manage(args, "dumpdata", *COPIED_MODELS, stdout=out)
    _manage(args, "flush", "--noinput", url=url)
    _manage(args, "loaddata", str(dump), url=url)
    _manage(args, "rebuild_search_index", url=url)
    keep = (
        "import sys\nfrom django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute({_META_TABLE_SQL!r})\n"
        "    c.execute('DELETE FROM bench_meta')\n"
        "    c.execute('INSERT INTO bench_meta VALUES (%s, %s)', ['params', sys.stdin.read()])\n"
        "    c.execute('ANALYZE')\n"
    )
    _manage(args, "shell", "-c", keep, url=url, input=marker, text=True)
    dump.unlink(missing_ok=True)


def collect_static(args) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=server_env(args),
        check=True,
        timeout=300,
    )


def _spread(rows: list, count: int) -> list:
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def profile_slugs(database: Path, count: int) -> list[str]:
    """Public schools spread over the whole table: Latvian and others, with and without
    flagship networks, descriptions and map positions, and some located schools with neither
    municipality nor settlement."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(PUBLIC_STATUSES))
        public = f"SELECT slug FROM schools_school WHERE membership_status IN ({marks})"
        placeless = [
            row[0]
            for row in connection.execute(
                f"{public} AND subdivision_id IS NULL AND settlement = '' "
                "AND latitude IS NOT NULL ORDER BY id",
                PUBLIC_STATUSES,
            )
        ]
        others = [
            row[0]
            for row in connection.execute(
                f"{public} AND NOT (subdivision_id IS NULL AND settlement = '') ORDER BY id",
                PUBLIC_STATUSES,
            )
        ]
    finally:
        connection.close()
    chosen = _spread(placeless, PLACELESS_PROFILES)
    if len(chosen) < PLACELESS_PROFILES:
        raise RuntimeError("The benchmark's directory has no located schools without a place.")
    return _spread(others, count - len(chosen)) + chosen


def map_points(database: Path, count: int) -> list[tuple[str, str]]:
    """Points of the map spread over the world, as the map's script asks for them."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(PUBLIC_STATUSES))
        rows = connection.execute(
            "SELECT DISTINCT latitude, longitude FROM schools_school "
            f"WHERE membership_status IN ({marks}) AND latitude IS NOT NULL "
            "ORDER BY latitude, longitude",
            PUBLIC_STATUSES,
        ).fetchall()
    finally:
        connection.close()
    return [(f"{lat:.5f}", f"{lng:.5f}") for lat, lng in _spread(rows, count)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Server:
    """gunicorn on 127.0.0.1; always stopped by `stop()` (the caller uses try/finally)."""

    def __init__(self, args, port: int):
        self.args = args
        self.port = port
        self.process: subprocess.Popen | None = None
        self.log_path = BENCH_DIR / "gunicorn.log"

    def start(self) -> None:
        args = self.args
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            "--threads", str(args.threads),
            "--keep-alive", "5",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
            "--chdir", str(BASE_DIR),
        ]  # fmt: skip
        self.log_path.write_text("")
        # Own process group, so that stopping it stops the workers too.
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=server_env(args), start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            try:
                status, body = get(self.port, "/healthz", timeout=2)
                if status == 200 and body == b"ok":
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass


def weigh_once(port: int, path: str) -> tuple[int, float, float, bool]:
    """(bytes, ms to the first byte of the body, ms to the last, streamed) of one GET."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept": "*/*"})
        response = connection.getresponse()
        first = response.read(1)
        first_ms = (time.perf_counter() - started) * 1000
        size = len(first)
        while chunk := response.read(65536):
            size += len(chunk)
        total_ms = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{path} answered HTTP {response.status}")
        streamed = response.getheader("Content-Length") is None
        return size, first_ms, total_ms, streamed
    finally:
        connection.close()


def weigh(port: int) -> list[dict]:
    """Each of WEIGHED fetched WEIGH_REPEAT times in a row, before anything else asked for
    them: the first fetch renders (a cache miss), the others may come from the page cache."""
    results = []
    for name, path in WEIGHED:
        runs = [weigh_once(port, path) for _ in range(WEIGH_REPEAT)]
        results.append(
            {
                "name": name,
                "path": path,
                "bytes": runs[0][0],
                "first_byte_ms": runs[0][1],
                "first_ms": runs[0][2],
                "again_ms": sorted(run[2] for run in runs[1:])[len(runs[1:]) // 2],
                "streamed": runs[0][3],
            }
        )
    return results


def weight_table(results: list[dict]) -> tuple[str, bool]:
    by_name = {result["name"]: result for result in results}
    lines = [
        f"{'what':<22} {'bytes':>11} {'1st byte ms':>11} {'first ms':>9} {'again ms':>9}"
        f"  {'streamed':<8} verdict",
        "-" * 84,
    ]
    all_pass = True
    for result in results:
        verdict = ""
        if result["name"].startswith("export"):
            ok = result["streamed"] and result["first_byte_ms"] < TARGET_EXPORT_FIRST_BYTE_MS
            verdict = "PASS" if ok else "FAIL"
            all_pass &= ok
        lines.append(
            f"{result['name']:<22} {result['bytes']:>11,} {result['first_byte_ms']:>11.1f} "
            f"{result['first_ms']:>9.1f} {result['again_ms']:>9.1f}  "
            f"{'yes' if result['streamed'] else 'no':<8} {verdict}"
        )
    page = by_name["map page"]["bytes"] + by_name["map points"]["bytes"]
    ok = page < TARGET_MAP_BYTES
    all_pass &= ok
    first = by_name["map page"]["first_ms"] + by_name["map points"]["first_ms"]
    lines.append(
        f"{'map page + points':<22} {page:>11,} {'':>11} {first:>9.1f} {'':>9}  {'':<8} "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return "\n".join(lines), all_pass


_RESULTS_COUNT = re.compile(rb'class="results-count">\s*([^<]*?)\s*</h2>')


def check_pages(port: int, items: list[Endpoint]) -> None:
    """Every URL answers 200 once before the load, and each list shows what it should."""
    for endpoint in items:
        for path in endpoint.paths:
            status, body = get(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered HTTP {status}")
        if endpoint.bare:
            continue
        found = _RESULTS_COUNT.search(body)
        shown = found.group(1).decode() if found else f"{len(body) // 1024} KiB"
        if found and re.match(r"0\D", shown):
            raise RuntimeError(f"{endpoint.paths[0]} finds no school; the benchmark would lie")
        log(f"  {endpoint.name:<17} {endpoint.paths[0]:<58} {shown}")


def measure(args, port: int, endpoint: Endpoint) -> dict:
    spec = {
        "port": port,
        "paths": endpoint.paths,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "duration": args.duration,
        "requests": args.requests,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.loadgen", json.dumps(spec)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=args.warmup + args.duration + 90,
    )
    return json.loads(completed.stdout)


def verdict(result: dict, bare_rps: float, target_ratio: float) -> tuple[float, str]:
    ratio = result["rps"] / bare_rps if bare_rps else 0.0
    ok = result["errors"] == 0 and ratio >= target_ratio and result["p95_ms"] < TARGET_P95_MS
    return ratio, "PASS" if ok else "FAIL"


def table(rows: list[tuple[Endpoint, dict]], target_ratio: float) -> tuple[str, bool]:
    bare_rps = next(result["rps"] for endpoint, result in rows if endpoint.bare)
    lines = [
        f"{'endpoint':<17} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'ratio':>6}  verdict",
        "-" * 76,
    ]
    all_pass = True
    for endpoint, result in rows:
        if endpoint.bare:
            ratio_text, mark = "1.00", "(baseline)" if result["errors"] == 0 else "FAIL"
            all_pass &= result["errors"] == 0
        else:
            ratio, mark = verdict(result, bare_rps, target_ratio)
            ratio_text = f"{ratio:.2f}"
            all_pass &= mark == "PASS"
        lines.append(
            f"{endpoint.name:<17} {result['requests']:>8} {result['errors']:>6} "
            f"{result['rps']:>8.1f} {result['p50_ms']:>7.1f} {result['p95_ms']:>7.1f} "
            f"{ratio_text:>6}  {mark}"
        )
    return "\n".join(lines), all_pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.directory",
        description="Benchmark the school directory under gunicorn on 127.0.0.1.",
    )
    parser.add_argument("--schools", type=int, default=11_500, help="schools in the directory")
    parser.add_argument("--countries", type=int, default=180, help="countries with schools")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="measured seconds per endpoint (max 120)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=50_000,
        help="at most this many measured requests per endpoint",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint")
    parser.add_argument("--workers", type=int, default=cpus, help="gunicorn worker processes")
    # gthread keeps connections alive; one thread per worker, because a second thread in the
    # same process fights the first for the GIL and halves the throughput of rendered pages.
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn worker"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint names (bare is always measured)"
    )
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="ASPHUB_DIRECTORY_CACHE off: every page rendered afresh (what a cache miss costs)",
    )
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE, help=argparse.SUPPRESS)
    parser.add_argument(
        "--database-url",
        default="",
        help="serve from this PostgreSQL database (postgres://...), a copy of the SQLite world",
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the database")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if not 0 < args.duration <= 120 or not 0 <= args.warmup <= 30:
        parser.error("--duration must be in (0, 120] and --warmup in [0, 30] seconds")
    if not 1 <= args.requests <= 1_000_000:
        parser.error("--requests must be between 1 and 1,000,000")
    if not 1 <= args.workers <= 4 * cpus or not 1 <= args.threads <= 64:
        parser.error("--workers or --threads out of range")
    args.database = args.database.resolve()
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL")
    return args


def _stop_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = datetime.now(UTC)
    log(f"==> Directory benchmark, {started:%Y-%m-%d %H:%M} UTC")
    log(
        f"    {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Python {info['python']}, "
        f"{info['busy_before_start']:.0%} busy before the start"
    )
    if info["busy_before_start"] > 0.15:
        log("    WARNING: something else is using the CPUs; the figures will be skewed.")
    shown = args.database
    if shown.is_relative_to(BASE_DIR):
        shown = shown.relative_to(BASE_DIR)
    log(f"==> Database {shown}")
    ensure_database(args)
    ensure_search_index(args)
    if args.database_url:
        ensure_postgresql(args)
        log("==> Serving from PostgreSQL (--database-url)")
    collect_static(args)
    items = endpoints(
        profile_slugs(args.database, PROFILE_SLUGS), map_points(args.database, MAP_POINTS)
    )
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        items = [e for e in items if e.bare or e.name in wanted]
    port = free_port()
    server = Server(args, port)
    log(
        f"==> gunicorn on {HOST}:{port}: {args.workers} workers ({args.worker_class}, "
        f"{args.threads} threads), page cache {'off' if args.no_page_cache else 'on'}; "
        f"load: {args.concurrency} keep-alive connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s (at most {args.requests} requests) "
        "per endpoint"
    )
    rows: list[tuple[Endpoint, dict]] = []
    weights: list[dict] = []
    cpu = CpuShare()
    try:
        cpu.start()
        server.start()
        log("==> Weighing the map and the exports (nothing cached yet)")
        weights = weigh(port)
        check_pages(port, items)
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
    target_ratio = TARGET_RATIO_UNCACHED if args.no_page_cache else TARGET_RATIO
    text, all_pass = table(rows, target_ratio)
    log("")
    log(text)
    weight_text, weights_pass = weight_table(weights)
    all_pass &= weights_pass
    log("")
    log(weight_text)
    log(
        f"\nThe CPUs were {cpu.busy:.0%} busy during the measurements; other processes than the "
        f"benchmark's used {cpu.others:.0%} of them."
    )
    if cpu.others > 0.1:
        log("WARNING: other work competed for the CPUs; run again on an idle machine.")
    log(
        f"\nTargets for pages: ratio (page req/s / bare req/s) >= {target_ratio} and "
        f"p95 < {TARGET_P95_MS:g} ms at concurrency {args.concurrency}, no errors; the map page "
        f"with its points < {TARGET_MAP_BYTES:,} bytes; exports streamed, first byte < "
        f"{TARGET_EXPORT_FIRST_BYTE_MS:g} ms."
    )
    if args.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "machine": {**info, "busy_during": cpu.busy, "others_during": cpu.others},
            "settings": {
                key: (str(value) if isinstance(value, Path) else value)
                for key, value in vars(args).items()
            },
            "results": [
                {"endpoint": e.name, "paths": e.paths, "description": e.description, **r}
                for e, r in rows
            ],
            "weights": weights,
        }
        args.json.write_text(json.dumps(payload, indent=1))
    return 0 if all_pass else 1


if __name__ == "__main__":
    raise SystemExit(main())
