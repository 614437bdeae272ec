"""Benchmark of a server under load: 250 clients at once against one `assure serve`.

Run from the repository root: `python bench/bench_load.py [POSTGRESQL_URL]`. On SQLite always,
and on PostgreSQL as well when a URL is given or TEST_DATABASE_URL is set: in a throwaway
database made beside the one named (`<name>_bench_load`) and dropped after.

A real server (`assure serve`: uvicorn, one worker, in its own process) serves a database
migrated with Alembic and holding the demo meetings, with ASSURE_DB_* at their defaults. Then,
all at once and for LOAD_SECONDS, 200 anonymous clients ask for /public, /healthz and /sign-in
and 50 signed-in viewers for pages (with their session cookie) and API reads (with their API
token), each client sending its next request as soon as its last is answered; a client told
503 waits as its Retry-After says. The baseline is one client making the same requests one
after another, in the same run. Prints, per database, the requests served, the 503s, the other
server errors, the median and p99 of the served ones against the baseline, and whether the
server serves normally RECOVERY_AFTER seconds after the load has ended. Exits non-zero when a
target is missed:
- no server error other than 503 and no failed connection (overload is refused, never broken);
- RECOVERY_AFTER seconds after the load, /healthz and a page are served, each within
  RECOVERY_WITHIN seconds.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from alembic import command  # noqa: E402
from bench_autosave import percentile, serve  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from sqlmodel import select  # noqa: E402

from app.config import normalise_database_url  # noqa: E402
from app.db import make_engine, open_session  # noqa: E402
from app.migrations_config import alembic_config  # noqa: E402
from app.models import Meeting, Role  # noqa: E402
from app.services import demo, identity, tokens  # noqa: E402
from app.services.permissions import Actor  # noqa: E402

ANONYMOUS = 200
SIGNED_IN = 50
LOAD_SECONDS = 15
BASELINE_ROUNDS = 10  # of every request, by one client
RECOVERY_AFTER = 3.0
RECOVERY_WITHIN = 2.0
ANONYMOUS_PATHS = ("/public", "/healthz", "/sign-in")


@dataclass
class Visitor:
    """One client: its cookie or none, and the requests it makes in turn (path, bearer?)."""

    requests: list[tuple[str, bool]]
    cookie: str = ""
    token: str = ""

    def client(self, base: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, timeout=60,
                                 cookies={"assure_session": self.cookie} if self.cookie else None)

    def headers(self, bearer: bool) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if bearer else {}


@dataclass
class Tally:
    """What a run of requests was answered: latencies of the served, counts of the rest."""

    served: dict[str, list[float]] = field(default_factory=lambda: {"anonymous": [],
                                                                     "signed in": []})
    busy: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # other 5xx and failed connections
    refused: dict[str, int] = field(default_factory=dict)  # 4xx: a mistake in the bench

    def note(self, kind: str, path: str, answer: httpx.Response | Exception, took: float):
        if isinstance(answer, Exception):
            self._count(self.errors, f"{type(answer).__name__} {path}")
        elif answer.status_code == 503:
            self.busy += 1
        elif answer.status_code >= 500:
            self._count(self.errors, f"{answer.status_code} {path}")
        elif answer.status_code >= 400:
            self._count(self.refused, f"{answer.status_code} {path}")
        else:
            self.served[kind].append(took)

    @staticmethod
    def _count(counts: dict[str, int], key: str) -> None:
        counts[key] = counts.get(key, 0) + 1


def prepare(url: str) -> tuple[list[Visitor], list[Visitor]]:
    """A migrated database with the demo meetings and SIGNED_IN viewers (each with a browser
    session and an API token, made through the services); the visitors."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    by = Actor.system(label="bench")
    with open_session(engine, write=True) as session:
        demo.load_demo(session)
        meeting_id = session.exec(select(Meeting.id).order_by(Meeting.id)).first()
        signed_in = []
        for n in range(SIGNED_IN):
            user = identity.create_user(session, email=f"viewer{n}@bench.example",
                                        role=Role.viewer, password=None, by=by)
            web = identity.start_web_session(session, user=user, idle_minutes=60, max_hours=12)
            token = tokens.create_token(session, user=user, by=by)
            session.commit()
            pages = ["/meetings", f"/meetings/{meeting_id}", "/actions"]
            api = ["/api/v1/meetings", f"/api/v1/meetings/{meeting_id}", "/api/v1/actions"]
            requests = [(path, False) for path in pages] + [(path, True) for path in api]
            shift = n % len(requests)  # not all asking for the same thing at the same moment
            signed_in.append(Visitor(requests[shift:] + requests[:shift], web.raw_token, token))
    engine.dispose()
    anonymous = [Visitor([(path, False) for path in ANONYMOUS_PATHS[n % 3:]
                          + ANONYMOUS_PATHS[:n % 3]]) for n in range(ANONYMOUS)]
    return anonymous, signed_in


@contextmanager
def throwaway_postgres(url: str, suffix: str = "load") -> Iterator[str]:
    """An empty database beside the one `url` names (`<name>_bench_<suffix>`), dropped
    afterwards."""
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_bench_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    drop, create = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    for statement in (drop, create):
        with admin.connect() as connection:
            connection.execute(text(statement))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(drop))


def start_server(folder: Path, url: str, log) -> tuple[subprocess.Popen, str]:
    """`assure serve` in its own process, on a free port, with the defaults of ASSURE_DB_*."""
    env = {**os.environ, "DATABASE_URL": url, "ASSURE_SECRET_KEY": "bench-secret-" + "x" * 40,
           "ASSURE_EXPORT_DIR": str(folder / "exports"), "ASSURE_SECURE_COOKIES": "false",
           "PYTHONPATH": str(ROOT)}
    for name in ("ASSURE_DB_POOL_SIZE", "ASSURE_DB_MAX_OVERFLOW", "ASSURE_DB_POOL_TIMEOUT"):
        env.pop(name, None)
    return serve(lambda port: [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port)], env, folder, log)


async def ask(client: httpx.AsyncClient, visitor: Visitor, path: str, bearer: bool,
              kind: str, tally: Tally) -> httpx.Response | None:
    began = time.perf_counter()
    try:
        answer: httpx.Response | Exception = await client.get(path,
                                                              headers=visitor.headers(bearer))
    except httpx.HTTPError as error:
        answer = error
    tally.note(kind, path, answer, time.perf_counter() - began)
    return answer if isinstance(answer, httpx.Response) else None


async def baseline(base: str, anonymous: Visitor, signed_in: Visitor) -> Tally:
    """One client, the same requests one after another."""
    tally = Tally()
    for visitor, kind in ((anonymous, "anonymous"), (signed_in, "signed in")):
        async with visitor.client(base) as client:
            for path, bearer in visitor.requests:  # warm up
                await ask(client, visitor, path, bearer, kind, Tally())
            for _ in range(BASELINE_ROUNDS):
                for path, bearer in visitor.requests:
                    await ask(client, visitor, path, bearer, kind, tally)
    return tally


async def load(base: str, anonymous: list[Visitor], signed_in: list[Visitor]) -> Tally:
    """Every visitor at once, each asking again as soon as it is answered, for LOAD_SECONDS."""
    tally = Tally()
    # Made before the clock starts: each costs milliseconds of this process's time (an SSL
    # context), which would otherwise be counted in the first requests' latencies.
    visitors = [(v, "anonymous") for v in anonymous] + [(v, "signed in") for v in signed_in]
    clients = [visitor.client(base) for visitor, _ in visitors]
    until = time.perf_counter() + LOAD_SECONDS

    async def visit(visitor: Visitor, kind: str, client: httpx.AsyncClient) -> None:
        async with client:
            n = 0
            while time.perf_counter() < until:
                path, bearer = visitor.requests[n % len(visitor.requests)]
                n += 1
                answer = await ask(client, visitor, path, bearer, kind, tally)
                if answer is not None and answer.status_code == 503:
                    await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))

    await asyncio.gather(*[visit(visitor, kind, client)
                           for (visitor, kind), client in zip(visitors, clients, strict=True)])
    return tally


def recovered(base: str, visitor: Visitor) -> tuple[bool, str]:
    """Whether /healthz and a page are each served within RECOVERY_WITHIN seconds."""
    said, ok = [], True
    with httpx.Client(base_url=base, timeout=30,
                      cookies={"assure_session": visitor.cookie}) as client:
        for path in ("/healthz", "/meetings"):
            began = time.perf_counter()
            try:
                status: int | str = client.get(path).status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            took = time.perf_counter() - began
            ok = ok and status == 200 and took <= RECOVERY_WITHIN
            said.append(f"{path} {status} in {took * 1000:.0f} ms")
    return ok, ", ".join(said)


def run(name: str, url: str) -> bool:
    """Load one database's server; print what it did; whether every target was met."""
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        anonymous, signed_in = prepare(url)
        with open(folder / "server.log", "wb") as log:
            server, base = start_server(folder, url, log)
            try:
                alone = asyncio.run(baseline(base, anonymous[0], signed_in[0]))
                began = time.perf_counter()
                loaded = asyncio.run(load(base, anonymous, signed_in))
                took = time.perf_counter() - began
                time.sleep(RECOVERY_AFTER)
                ok, recovery = recovered(base, signed_in[0])
            except BaseException:
                log.flush()
                print((folder / "server.log").read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:  # stuck on requests that never end
                    server.kill()
                    server.wait()
    served = sum(len(s) for s in loaded.served.values())
    errors = sum(loaded.errors.values())
    print(f"{name}: {ANONYMOUS} anonymous and {SIGNED_IN} signed-in clients at once for "
          f"{LOAD_SECONDS} s, one uvicorn worker")
    print(f"  served {served} ({served / took:.0f}/s), 503 {loaded.busy}, "
          f"other server errors and failed connections {errors}"
          + (f" {loaded.errors}" if errors else "") + " (target 0)")
    if loaded.refused or alone.refused or alone.errors or alone.busy:
        print(f"  unexpected answers: {loaded.refused} {alone.refused} {alone.errors} "
              f"{alone.busy}")
    for kind in ("anonymous", "signed in"):
        one, many = alone.served[kind], loaded.served[kind]
        if not many:
            print(f"  {kind}: none served")
            continue
        p50, p99 = percentile(many, 0.5), percentile(many, 0.99)
        base50, base99 = percentile(one, 0.5), percentile(one, 0.99)
        print(f"  {kind}: p50 {p50 * 1000:.0f} ms ({p50 / base50:.0f}x one client's "
              f"{base50 * 1000:.1f} ms), p99 {p99 * 1000:.0f} ms ({p99 / base99:.0f}x "
              f"{base99 * 1000:.1f} ms)")
    print(f"  {RECOVERY_AFTER:g} s after the load: {recovery} "
          f"({'serves normally' if ok else 'NOT RECOVERED'}; target <= {RECOVERY_WITHIN:g} s)")
    return ok and errors == 0 and served > 0 and not loaded.refused


def on_each_database(run: Callable[[str, str], bool], suffix: str) -> int:
    """`run(name, url)` on SQLite, then on PostgreSQL in a throwaway database beside the one
    named by the first argument or TEST_DATABASE_URL, if any; the exit status (1: a target
    missed)."""
    met = True
    with tempfile.TemporaryDirectory() as folder:
        met &= run("SQLite (WAL, synchronous=FULL)", f"sqlite:///{Path(folder) / 'bench.db'}")
    postgres = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TEST_DATABASE_URL")
    if postgres:
        with throwaway_postgres(postgres, suffix=suffix) as url:
            met &= run("PostgreSQL", url)
    if not met:
        print("target missed", file=sys.stderr)
    return 0 if met else 1


def main() -> int:
    return on_each_database(run, "load")


if __name__ == "__main__":
    sys.exit(main())
