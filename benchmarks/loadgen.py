"""A small closed-loop HTTP/1.1 load generator for loopback benchmarks.

`concurrency` keep-alive connections each send one GET, wait for the whole response, record its
latency and send the next, over the given paths in turn; each connection is renewed now and
then (see `Client.next`). It runs in its own process (started by `benchmarks.directory`),
single-threaded on asyncio protocols so that it costs little CPU next to the server. It only
connects to 127.0.0.1, and every run is bounded in time and in requests. Prints one JSON
object with the figures: requests, errors, requests/s, p50/p95/p99 latency.

    python -m benchmarks.loadgen '{"port": 8000, "paths": ["/healthz"], "duration": 5}'
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
MAX_DURATION = 120.0
MAX_REQUESTS = 1_000_000
# A connection is closed and opened again after this many requests or seconds (see next()).
REQUESTS_PER_CONNECTION = 100
CONNECTION_SECONDS = 0.25


class Run:
    """One measured (or warm-up) phase shared by all connections."""

    def __init__(self, *, deadline: float, max_requests: int):
        self.deadline = deadline
        self.max_requests = max_requests
        self.issued = 0
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}
        self.bytes = 0
        self.first_error = ""
        self.started = time.perf_counter()
        self.finished = self.started

    def may_send(self) -> bool:
        return self.issued < self.max_requests and time.perf_counter() < self.deadline


class Connection(asyncio.Protocol):
    def __init__(self, client: Client, index: int):
        self.client = client
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.head: tuple | None = None
        self.sent_at = 0.0
        self.in_flight = False
        self.closing = False
        self.sent = 0
        self.opened_at = 0.0

    # asyncio callbacks

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.opened_at = time.perf_counter()
        self.client.connected(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.in_flight:
            self._try_complete()

    def connection_lost(self, exc) -> None:
        if self.in_flight:
            self.in_flight = False
            self.client.failed(self, f"connection lost mid-response: {exc!r}")
        self.client.lost(self)

    # requests

    def send(self, request: bytes) -> None:
        self.buffer.clear()
        self.head = None
        self.in_flight = True
        self.sent_at = time.perf_counter()
        self.transport.write(request)

    def _parse_head(self) -> bool:
        """Read the status line and headers once they are in; False if they are not yet."""
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        lines = bytes(self.buffer[:head_end]).decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            status = 0
        length = None
        chunked = close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        self.head = (status, head_end + 4, length, chunked, close)
        return True

    def _try_complete(self) -> None:
        if self.head is None and not self._parse_head():
            return
        status, body_start, length, chunked, close = self.head
        buffer = self.buffer
        if status == 0:
            self.in_flight = False
            self.client.failed(self, "bad status line")
            self.transport.close()
            return
        if chunked:
            if not buffer.endswith(b"0\r\n\r\n"):
                return
            size = len(buffer) - body_start
        elif length is not None:
            if len(buffer) - body_start < length:
                return
            size = length
        else:
            return  # body ends when the server closes; not used by the servers measured here
        latency = time.perf_counter() - self.sent_at
        self.in_flight = False
        self.client.completed(self, status, latency, size)
        if close:
            self.closing = True
            self.transport.close()
        else:
            self.client.next(self)


class Client:
    def __init__(self, *, port: int, paths: list[str], concurrency: int):
        self.port = port
        self.requests = [self._request(path, port, last=False) for path in paths]
        self.last_requests = [self._request(path, port, last=True) for path in paths]
        self.concurrency = concurrency
        self.position = 0
        self.run: Run | None = None
        self.active = 0
        self.done: asyncio.Future | None = None
        self.loop = asyncio.get_running_loop()

    async def phase(self, *, duration: float, max_requests: int) -> Run:
        run = Run(deadline=time.perf_counter() + duration, max_requests=max_requests)
        self.run = run
        self.done = self.loop.create_future()
        self.active = self.concurrency
        for index in range(self.concurrency):
            self.loop.create_task(self._open(index))
        # A server that stops answering must not keep the benchmark running.
        await asyncio.wait_for(self.done, duration + 30)
        run.finished = time.perf_counter()
        return run

    async def _open(self, index: int) -> None:
        try:
            await self.loop.create_connection(lambda: Connection(self, index), LOOPBACK, self.port)
        except OSError as error:
            self.run.errors += 1
            self.run.first_error = self.run.first_error or repr(error)
            await asyncio.sleep(0.05)
            self._finish_one()

    def connected(self, connection: Connection) -> None:
        self.next(connection)

    @staticmethod
    def _request(path: str, port: int, *, last: bool) -> bytes:
        return (
            f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nUser-Agent: asphub-bench\r\n"
            "Accept: text/html\r\nAccept-Encoding: identity\r\n"
            + ("Connection: close\r\n" if last else "")
            + "\r\n"
        ).encode("latin-1")

    def next(self, connection: Connection) -> None:
        run = self.run
        if not run.may_send():
            connection.closing = True
            connection.transport.close()
            return
        run.issued += 1
        index = self.position % len(self.requests)
        self.position += 1
        connection.sent += 1
        # Connections are closed and opened again every REQUESTS_PER_CONNECTION requests or
        # CONNECTION_SECONDS, so that the server's workers share them evenly over a run: a
        # worker keeps the keep-alive connections it accepted, and when one worker happens to
        # accept all of them the run measures that accident rather than the page.
        if (
            connection.sent % REQUESTS_PER_CONNECTION == 0
            or connection.sent_at - connection.opened_at > CONNECTION_SECONDS
        ):
            connection.send(self.last_requests[index])
        else:
            connection.send(self.requests[index])

    def completed(self, connection: Connection, status: int, latency: float, size: int) -> None:
        run = self.run
        run.statuses[status] = run.statuses.get(status, 0) + 1
        run.latencies.append(latency)
        run.bytes += size
        if status != 200:
            run.errors += 1
            run.first_error = run.first_error or f"HTTP {status}"

    def failed(self, connection: Connection, reason: str) -> None:
        self.run.errors += 1
        self.run.first_error = self.run.first_error or reason

    def lost(self, connection: Connection) -> None:
        if self.run.may_send():
            # The server closed the connection (Connection: close, or an idle keep-alive
            # timeout) while there is still work: open another one in its place.
            self.loop.create_task(self._open(connection.index))
            return
        self._finish_one()

    def _finish_one(self) -> None:
        self.active -= 1
        if self.active <= 0 and not self.done.done():
            self.done.set_result(None)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(fraction * len(values) + 0.5)))
    return values[rank - 1]


def summary(run: Run) -> dict:
    latencies = sorted(run.latencies)
    elapsed = run.finished - run.started
    count = len(latencies)
    return {
        "requests": count,
        "errors": run.errors,
        "statuses": {str(k): v for k, v in sorted(run.statuses.items())},
        "first_error": run.first_error,
        "elapsed_s": elapsed,
        "rps": count / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] * 1000) if latencies else float("nan"),
        "mean_bytes": run.bytes / count if count else 0,
    }


async def measure(spec: dict) -> dict:
    client = Client(port=spec["port"], paths=spec["paths"], concurrency=spec["concurrency"])
    warmup = min(float(spec.get("warmup", 0)), MAX_DURATION)
    if warmup > 0:
        await client.phase(duration=warmup, max_requests=int(spec.get("warmup_requests", 5000)))
    duration = min(float(spec.get("duration", 10)), MAX_DURATION)
    max_requests = min(int(spec.get("requests", MAX_REQUESTS)), MAX_REQUESTS)
    return summary(await client.phase(duration=duration, max_requests=max_requests))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(argv[0])
    spec.setdefault("concurrency", 8)
    if not spec["paths"] or not all(p.startswith("/") for p in spec["paths"]):
        raise SystemExit("paths must be absolute paths on the loopback server")
    result = asyncio.run(measure(spec))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- the options every page benchmark shares (benchmarks.library, benchmarks.calendar) -------


def add_run_arguments(parser, *, unit: str) -> None:
    """The load, server and data options, after the benchmark's own ones; `unit` names what
    is measured in turn ("query", "page")."""
    cpus = os.cpu_count() or 1
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument(
        "--duration", type=float, default=10.0, help=f"measured seconds per {unit} (max 120)"
    )
    parser.add_argument(
        "--requests", type=int, default=50_000, help="at most this many measured requests"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help=f"warm-up seconds per {unit}")
    parser.add_argument("--workers", type=int, default=cpus, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--only", default="", help=f"comma-separated {unit} names (bare always)")
    parser.add_argument(
        "--database-url",
        default="",
        help="serve from this PostgreSQL database (postgres://...), generated there",
    )
    parser.add_argument("--regenerate", action="store_true", help="make the database again")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    # Internal: the generation step, run in its own process by the benchmark.
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)


def check_run_arguments(parser, args) -> None:
    """parser.error() for a shared option out of its range."""
    cpus = os.cpu_count() or 1
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if not 0 < args.duration <= 120 or not 0 <= args.warmup <= 30:
        parser.error("--duration must be in (0, 120] and --warmup in [0, 30] seconds")
    if not 1 <= args.requests <= 1_000_000:
        parser.error("--requests must be between 1 and 1,000,000")
    if not 1 <= args.workers <= 4 * cpus or not 1 <= args.threads <= 64:
        parser.error("--workers or --threads out of range")
    if args.database_url:
        parts = urlsplit(args.database_url)
        if parts.scheme not in ("postgres", "postgresql"):
            parser.error("--database-url must be a PostgreSQL URL")
        if parts.hostname not in ("127.0.0.1", "localhost"):
            parser.error("--database-url: the benchmark uses a database on loopback only")


def stop_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn
