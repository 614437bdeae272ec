"""A real server killed with SIGKILL while a minute-taker types: no acknowledged save is lost.

Fifty times a typist streams saves to one entry (each save appends a few characters to the
last acknowledged text, from the last acknowledged version) and the server process is killed
at a random moment (SIGKILL: no shutdown, no flush, no rollback), then started again on the
same database. The entry must then hold the last acknowledged save, or the save that was in
flight when the server died (it may have been committed just before the kill), and nothing
else; and the in-flight save, sent again as the page would, must be acknowledged and stored.

Starting `assure serve` from scratch costs more than a second of imports here, fifty times
over; so a launcher process imports the app once and forks a fresh server process for each
start, which runs exactly what `assure serve` runs (uvicorn, one worker, in that process).
That forked process is the one killed. The launcher never touches the database, so each
server opens it only after its predecessor has died, as a restarted server would.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, in a database of its own
("<name>_kill", created and dropped here). KILL_TEST_SEED=N replays a run.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKENDS, own_database
from tests.e2e.conftest import LiveServer
from tests.servers import wait_until_serving

ROUNDS = 30  # each round a SIGKILL and a restart; 30 give the same picture in half the time
MAX_DELAY = 0.3  # seconds of typing before the kill, at most
EMAIL = "minute.taker@example.org"

# The launcher: imports the app once, then forks one server per "start PORT" line; "reap PID"
# waits for a killed server to be gone; "run OUT ARGS..." forks an `assure ARGS...` command
# (the setting up: `db upgrade`, `users create`, `tokens create`) with its output in the file
# OUT, waits for it and answers its exit code. Its stdout carries only the answers.
LAUNCHER = r"""
import os, signal, sys, traceback

import uvicorn.lifespan.on, uvicorn.loops.auto, uvicorn.protocols.http.auto  # noqa: F401
import uvicorn.protocols.websockets.auto  # noqa: F401
from alembic.runtime.migration import MigrationContext  # noqa: F401
import app.main  # the slow imports, done once
from app import cli
from app.migrations_config import head_revisions

# What every server would otherwise do again at its start, none of it touching the database:
# read the migration scripts (for the schema check), and compile the templates and set them
# aside from the garbage collector (app.main.settle_memory, which a server then finds done).
head_revisions()
app.main.settle_memory()


def fork(args, out_path):
    # A child running `assure ARGS`: stdin empty, stdout to `out_path`, stderr to the log.
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.stdin = open(os.devnull)
            code = cli.main(args)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


log = sys.argv[1]
children = set()
for line in sys.stdin:
    verb, *rest = line.split()
    if verb == "start":
        pid = fork(["serve", "--port", rest[0]], log)
        children.add(pid)
        print(pid, flush=True)
    elif verb == "reap":
        os.waitpid(int(rest[0]), 0)
        children.discard(int(rest[0]))
        print("reaped", flush=True)
    elif verb == "run":
        _, status = os.waitpid(fork(rest[1:], rest[0]), 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
"""


class KillableServer(LiveServer):
    """The e2e tests' live server on a given database, started from a warm launcher and
    stopped with SIGKILL."""

    def __init__(self, folder: Path, database_url: str) -> None:
        super().__init__(folder)
        self.env["DATABASE_URL"] = database_url
        self.log = folder / "server.log"
        self.launcher: subprocess.Popen | None = None
        self.pid: int | None = None

    def assure(self, *args: str) -> str:
        """`assure ARGS` forked from the launcher (as LiveServer's, without the seconds of
        imports each time), stdin empty: `users create` would read a password from it."""
        out = self.folder / "command.out"
        out.unlink(missing_ok=True)
        code = self._ask("run " + " ".join([str(out), *args]))
        printed = out.read_text() if out.exists() else ""
        if code != "0":
            raise RuntimeError(f"assure {' '.join(args)} exited with {code}:\n{printed}\n"
                               f"{self.log_tail()}")
        return printed

    def _launched(self) -> subprocess.Popen:
        if self.launcher is None:
            self.launcher = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(self.log)], env=self.env, cwd=self.folder,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self.launcher

    def _ask(self, line: str) -> str:
        launcher = self._launched()
        assert launcher.stdin and launcher.stdout
        launcher.stdin.write(line + "\n")
        launcher.stdin.flush()
        answer = launcher.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the launcher stopped answering:\n{self.log_tail()}")
        return answer

    def log_tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else "(no server log)"

    def start(self) -> None:
        self.pid = int(self._ask(f"start {self.port}"))
        wait_until_serving(self.url, why=self.log_tail)

    def kill(self) -> None:
        """SIGKILL to the server process itself, then wait until it is gone."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self._ask(f"reap {self.pid}")
        self.pid = None

    def stop(self) -> None:
        if self.pid is not None:
            self.kill()
        if self.launcher is not None:
            self.launcher.stdin.close()
            self.launcher.wait(timeout=30)
            self.launcher.stdout.close()
            self.launcher = None


class Typist(threading.Thread):
    """Saves an entry again and again, each time from the last acknowledged save, until the
    server stops answering; knows the last acknowledged save and the one in flight."""

    def __init__(self, url: str, token: str, entry_id: int, version: int, text: str,
                 label: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.entry_id, self.label = url, token, entry_id, label
        self.acked = (version, text)
        self.in_flight: tuple[int, str] | None = None
        self.saves = 0
        self.error: str | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
            while True:
                version, typed = self.acked
                sent = (version, f"{typed}{self.label}.{self.saves} ")
                self.in_flight = sent
                try:
                    response = client.patch(f"/api/v1/entries/{self.entry_id}",
                                            json={"version": sent[0], "text": sent[1]})
                except httpx.TransportError:
                    return  # the server died: `sent` may or may not have been committed
                body = response.json() if response.status_code == 200 else None
                if body is None or body["text"] != sent[1] or body["version"] != sent[0] + 1:
                    self.error = f"save of version {sent[0]}: {response.status_code} {body}"
                    return
                self.acked = (body["version"], body["text"])
                self.in_flight = None
                self.saves += 1


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A database of this test's own: a SQLite file, or a PostgreSQL database made for it."""
    with own_database(request.param, tmp_path, "kill") as url:
        yield url


def _created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def _revisions(database_url: str, entry_id: int) -> list[tuple[int, str]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT version, text FROM minute_entry_revision WHERE entry_id = :id "
                     "ORDER BY version"), {"id": entry_id})
            return [(version, typed) for version, typed in rows]
    finally:
        engine.dispose()


def test_a_killed_server_keeps_every_acknowledged_save(database_url, tmp_path, capsys):
    began = time.monotonic()
    seed = int(os.environ.get("KILL_TEST_SEED") or random.SystemRandom().randrange(10**9))
    rng = random.Random(seed)
    backend = make_url(database_url).get_backend_name()
    print(f"kill test on {backend}: seed {seed} (KILL_TEST_SEED={seed} replays it)")

    server = KillableServer(tmp_path, database_url)
    try:
        server.assure("db", "upgrade")
        server.assure("users", "create", EMAIL, "--role", "secretariat")
        token = server.assure("tokens", "create", EMAIL).strip()
    except BaseException:
        server.stop()
        raise
    api = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30,
                       headers={"Authorization": f"Bearer {token}"})
    committed = acknowledged = 0
    try:
        server.start()
        series = _created(api.post("/meeting-types", json={"name": "Monthly Assurance Meeting"}))
        meeting = _created(api.post("/meetings", json={
            "meeting_type_id": series["id"], "starts_at": "2019-04-30T10:00"}))
        item = _created(api.post(f"/meetings/{meeting['id']}/items",
                                 json={"title": "Roads policing"}))
        entry = _created(api.post(f"/items/{item['id']}/entries", json={
            "text": "The PCC asked the CC ", "client_id": "kill-test-entry"}))
        entry_id, version, typed = entry["id"], entry["version"], entry["text"]

        for round_ in range(1, ROUNDS + 1):
            where = f"round {round_}, seed {seed}"
            typist = Typist(server.url, token, entry_id, version, typed, label=f"r{round_}")
            delay = rng.uniform(0, MAX_DELAY)
            typist.start()
            time.sleep(delay)
            server.kill()
            typist.join(timeout=30)
            assert not typist.is_alive(), f"{where}: the typist hung after the kill"
            assert typist.error is None, f"{where}: {typist.error}"
            acknowledged += typist.saves
            (acked_version, acked), in_flight = typist.acked, typist.in_flight
            assert in_flight is not None, f"{where}: the typist stopped without an error"

            server.start()
            stored = api.get(f"/entries/{entry_id}").json()
            assert len(stored["text"]) >= len(acked), f"{where}: an acknowledged save was lost"
            if stored["text"] == in_flight[1]:
                committed += 1
                assert stored["version"] == in_flight[0] + 1, where
            else:
                assert stored["text"] == acked, (
                    f"{where}: stored {stored['text'][-60:]!r}, last acknowledged "
                    f"{acked[-60:]!r}, in flight {in_flight[1][-60:]!r}")
                assert stored["version"] == acked_version, where

            # The page sends the unacknowledged save again, unchanged.
            again = api.patch(f"/entries/{entry_id}",
                              json={"version": in_flight[0], "text": in_flight[1]})
            assert again.status_code == 200, f"{where}: {again.status_code} {again.text}"
            assert again.json()["text"] == in_flight[1], where
            assert again.json()["version"] == in_flight[0] + 1, where
            version, typed = again.json()["version"], again.json()["text"]
            stored = api.get(f"/entries/{entry_id}").json()
            assert (stored["version"], stored["text"]) == (version, typed), where
    finally:
        api.close()
        server.stop()

    # Every committed version is kept once, in order, each extending the one before.
    revisions = _revisions(database_url, entry_id)
    assert [v for v, _ in revisions] == list(range(1, version + 1))
    assert revisions[-1][1] == typed
    assert all(b.startswith(a) for (_, a), (_, b) in zip(revisions, revisions[1:], strict=False))
    # Each round committed the typist's acknowledged saves and its in-flight save, once.
    assert version == 1 + acknowledged + ROUNDS

    elapsed = time.monotonic() - began
    with capsys.disabled():
        print(f"\nkill test on {backend} (seed {seed}): {ROUNDS} kills, {acknowledged} saves "
              f"acknowledged; the in-flight save had been committed {committed} times and "
              f"not {ROUNDS - committed} times; {elapsed:.1f} s")
