"""Benchmark of autosave: a minute entry's save against the least a write request can do.

Run from the repository root: `python bench/bench_autosave.py`. A real server (uvicorn, one
worker, in its own process) serves bench/autosave_app.py, which is Assure's app plus POST
/bench/insert: the same middleware, session dependency (BEGIN IMMEDIATE) and bearer-token actor
as a save, then one inserted row and a commit. The database is a fresh SQLite file migrated
with Alembic and opened as in production (WAL, synchronous=FULL).

Eight typists (threads, each with its own HTTP client and its own entry) each save four times a
second: PATCH /api/v1/entries/{id} with the text grown by a word and the current version. The
page saves a paragraph at most once per 0.6 s pause and every 2 s of unbroken typing, so this
is eight times the most a real typist sends. The same eight threads then call the minimal route
at the same pace. The two
phases alternate twice after a warm-up. Prints the median and p99 latency of each, and exits
non-zero when a target is missed:
- save median / minimal-write median <= 2 (a save costs at most twice the least a write costs);
- save p99 < 100 ms (a typist never waits noticeably for an acknowledgement).
"""

from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from alembic import command  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.migrations_config import alembic_config  # noqa: E402
from app.models import Role  # noqa: E402
from app.schemas import EntryCreate, ItemCreate, MeetingCreate, MeetingTypeCreate  # noqa: E402
from app.services import agenda, identity, meetings, tokens  # noqa: E402
from app.services import entries as entries_service  # noqa: E402
from app.services.permissions import Actor  # noqa: E402

TYPISTS = 8
SAVES = 150  # per typist, over the two save phases; the minimal route is called as often
WARM_UP = 10  # requests of each kind per typist before measuring
INTERVAL = 0.25  # seconds between one typist's requests (the page: >= 0.6 s)
PHASES = 2
TARGET_RATIO = 2.0
TARGET_P99_MS = 100.0


class Typist:
    """One minute-taker's entry: its id, current version and text."""

    def __init__(self, entry_id: int, text: str) -> None:
        self.entry_id, self.version, self.text, self.words = entry_id, 1, text, 0

    def save(self, client: httpx.Client) -> None:
        self.words += 1
        text = f"{self.text}word{self.words} "
        response = client.patch(f"/api/v1/entries/{self.entry_id}",
                                json={"version": self.version, "text": text})
        if response.status_code != 200:
            raise RuntimeError(f"save: {response.status_code} {response.text[:300]}")
        body = response.json()
        self.version, self.text = body["version"], body["text"]


def insert(client: httpx.Client) -> None:
    response = client.post("/bench/insert")
    if response.status_code != 201:
        raise RuntimeError(f"insert: {response.status_code} {response.text[:300]}")


def prepare(url: str) -> tuple[str, list[Typist]]:
    """A migrated database with a secretariat user, its API token, and one entry per typist."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    by = Actor.system(label="bench")
    with Session(engine, expire_on_commit=False) as session:
        user = identity.create_user(session, email="secretariat@example.org",
                                    role=Role.secretariat, password=None, by=by)
        token = tokens.create_token(session, user=user, by=by)
        series = meetings.create_meeting_type(
            session, by=by, data=MeetingTypeCreate(name="Monthly Assurance Meeting"))
        meeting = meetings.create_meeting(session, by=by, data=MeetingCreate(
            meeting_type_id=series.id, starts_at=datetime(2019, 4, 30, 10)))
        item = agenda.create_item(session, meeting_id=meeting.id, by=by,
                                  data=ItemCreate(title="Roads policing"))
        typists = []
        for n in range(TYPISTS):
            entry = entries_service.create_entry(
                session, item_id=item.id, by=by,
                data=EntryCreate(text=f"Typist {n}: the PCC asked the CC "))
            typists.append(Typist(entry.id, entry.text))
        session.commit()  # the setting up is one unit of work; services do not commit
    engine.dispose()
    return token, typists


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path, url: str, log) -> tuple[subprocess.Popen, str]:
    """uvicorn in its own process, one worker, as `assure serve` runs it."""
    env = {**os.environ, "DATABASE_URL": url, "ASSURE_SECRET_KEY": "bench-secret",
           "ASSURE_EXPORT_DIR": str(folder)}
    return serve(lambda port: [
        sys.executable, "-m", "uvicorn", "autosave_app:app", "--app-dir", str(ROOT / "bench"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--proxy-headers",
        "--log-level", "info"], env, folder, log)


def serve(command: Callable[[int], list[str]], env: dict[str, str], folder: Path,
          log) -> tuple[subprocess.Popen, str]:
    """A server started by `command(port)` on a free port; it and its address once /healthz
    answers."""
    port = free_port()
    process = subprocess.Popen(command(port), env=env, cwd=folder, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    log.flush()
    raise RuntimeError(f"the server did not start:\n{Path(log.name).read_text()[-3000:]}")


def phase(clients: list[httpx.Client], work: list[Callable[[httpx.Client], None]],
          count: int) -> list[float]:
    """Each thread makes `count` requests, one every INTERVAL; the latency of each, in seconds."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[BaseException] = []
    start = threading.Barrier(len(clients))

    def run(n: int) -> None:
        try:
            start.wait()
            # Typists do not start in step: spread their first requests over one interval.
            due = time.perf_counter() + INTERVAL * n / len(clients)
            for _ in range(count):
                time.sleep(max(0.0, due - time.perf_counter()))
                began = time.perf_counter()
                work[n](clients[n])
                latencies[n].append(time.perf_counter() - began)
                due += INTERVAL
        except BaseException as exc:  # reported below, in the calling thread
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [latency for one in latencies for latency in one]


def server_cpu(pid: int) -> float | None:
    """CPU seconds the server process has used so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def describe(name: str, samples: list[float], seconds: float, cpu: float | None) -> str:
    used = f", server CPU {cpu / len(samples) * 1000:.1f} ms each" if cpu is not None else ""
    return (f"{name}: median {statistics.median(samples) * 1000:.1f} ms, "
            f"p99 {percentile(samples, 0.99) * 1000:.1f} ms, "
            f"max {max(samples) * 1000:.1f} ms, mean {statistics.fmean(samples) * 1000:.1f} ms "
            f"({len(samples)} requests, {len(samples) / seconds:.0f}/s{used})")


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = f"sqlite:///{folder / 'bench.db'}"
        token, typists = prepare(url)
        with open(folder / "server.log", "wb") as log:
            server, base = start_server(folder, url, log)
            headers = {"Authorization": f"Bearer {token}"}
            clients = [httpx.Client(base_url=base, headers=headers, timeout=30)
                       for _ in typists]
            saving = [typist.save for typist in typists]
            inserting = [insert] * len(typists)
            saves: list[float] = []
            inserts: list[float] = []
            took = {"save": 0.0, "insert": 0.0}
            cpu: dict[str, float | None] = {"save": 0.0, "insert": 0.0}

            def measured(kind: str, work: list[Callable[[httpx.Client], None]]) -> list[float]:
                began, used = time.perf_counter(), server_cpu(server.pid)
                samples = phase(clients, work, SAVES // PHASES)
                took[kind] += time.perf_counter() - began
                now = server_cpu(server.pid)
                cpu[kind] = None if None in (used, now, cpu[kind]) else cpu[kind] + now - used
                return samples

            try:
                phase(clients, saving, WARM_UP)
                phase(clients, inserting, WARM_UP)
                for _ in range(PHASES):
                    saves += measured("save", saving)
                    inserts += measured("insert", inserting)
            except BaseException:
                log.flush()
                print((folder / "server.log").read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                for client in clients:
                    client.close()
                server.terminate()
                server.wait(timeout=30)
    print(f"{len(typists)} typists, one uvicorn worker, SQLite (WAL, synchronous=FULL)")
    print(describe("save (PATCH /api/v1/entries/{id})", saves, took["save"], cpu["save"]))
    print(describe("minimal write (POST /bench/insert)", inserts, took["insert"],
                   cpu["insert"]))
    ratio = statistics.median(saves) / statistics.median(inserts)
    p99 = percentile(saves, 0.99) * 1000
    print(f"save/minimal-write medians: {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"save p99: {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms)")
    missed = ratio > TARGET_RATIO or p99 >= TARGET_P99_MS
    if missed:
        print("target missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
