"""Benchmark of a watched meeting: eight typists saving, alone and with fifty live-view readers.

Run from the repository root: `python bench/bench_live.py [POSTGRESQL_URL]`. On SQLite always,
and on PostgreSQL as well when a URL is given or TEST_DATABASE_URL is set: in a throwaway
database made beside the one named (`<name>_bench_live`) and dropped after.

A real server (`assure serve`: uvicorn, one worker, in its own process, ASSURE_DB_* at their
defaults) serves a database migrated with Alembic holding one meeting of ITEMS items and about
300 paragraphs. TYPISTS minute-takers (threads, each with its own HTTP client and paragraph)
save once a second each (PATCH /api/v1/entries/{id}, the text grown by a word). READERS
signed-in viewers (in a process of their own) open the live page once, before anything is
measured, and then poll the live view (GET /meetings/{id}/live/minutes with the stamp of what
they last received, as the page's htmx does, every POLL_EVERY seconds: the page's 2 s) while
they are told to watch.

The typing is measured in ROUNDS pairs of ROUND-second rounds, alone and then watched, one
after the other: the machine's own hiccups (a disk's slow fsync, another process) fall on both
alike instead of on whichever phase they happened to meet, and each p99 is taken over
ROUNDS x ROUND x TYPISTS saves (the 99th of 100 is then not one unlucky save). Prints the save
p50/p99 of each and their ratio, and the polls: how many, how many found a change, the 503s
and the bytes they carried. Exits non-zero when a target is missed:
- save p99 with the readers <= TARGET_RATIO x the p99 without them;
- no poll and no save answered 503 (or any other server error).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from alembic import command  # noqa: E402
from bench_autosave import percentile, server_cpu  # noqa: E402
from bench_load import on_each_database, start_server  # noqa: E402

from app.db import make_engine, open_session  # noqa: E402
from app.migrations_config import alembic_config  # noqa: E402
from app.models import Role  # noqa: E402
from app.schemas import EntryCreate, ItemCreate, MeetingCreate, MeetingTypeCreate  # noqa: E402
from app.services import agenda, identity, meetings, tokens  # noqa: E402
from app.services import entries as entries_service  # noqa: E402
from app.services.permissions import Actor  # noqa: E402

TYPISTS = 8
READERS = 50
ITEMS = 30
PARAGRAPHS = 10  # per item: 300 in all
ROUNDS = 4  # pairs of rounds: alone, then watched
ROUND = 12  # seconds of typing in each round
SETTLE = 1.0  # seconds between rounds, for the readers to stop or spread out
SAVE_EVERY = 1.0  # seconds between one typist's saves
POLL_EVERY = 2.0  # seconds between one reader's polls, as the page polls
WARM_UP = 3  # saves per typist before measuring
OPENING = 5.0  # seconds over which the readers open the live page, before the typing starts
TARGET_RATIO = 2.0
STAMP = re.compile(rb'data-stamp="([^"]*)"')
WORDS = ("The PCC asked the Chief Constable how the force would meet the new response "
         "standard in rural areas, and what the Panel should expect to see by the spring. ")


@dataclass
class Typist:
    """One minute-taker's paragraph: its id, current version and text."""

    entry_id: int
    text: str
    version: int = 1
    words: int = 0

    def save(self, client: httpx.Client) -> bool:
        """One save; False when the server was too busy to take it (503)."""
        self.words += 1
        response = client.patch(f"/api/v1/entries/{self.entry_id}", json={
            "version": self.version, "text": f"{self.text}word{self.words} "})
        if response.status_code == 503:
            return False
        if response.status_code != 200:
            raise RuntimeError(f"save: {response.status_code} {response.text[:300]}")
        body = response.json()
        self.version, self.text = body["version"], body["text"]
        return True


@dataclass
class Polls:
    """What the readers' polls were answered."""

    changed: int = 0
    unchanged: int = 0
    busy: int = 0
    busy_opening: int = 0  # the live page itself answered 503 (the reader tries again)
    errors: dict[str, int] = field(default_factory=dict)
    received: int = 0  # bytes of the answers' bodies
    latencies: list[float] = field(default_factory=list)


def prepare(url: str) -> tuple[int, str, list[str], list[Typist]]:
    """A migrated database with the meeting, a secretariat user's API token, READERS viewers'
    browser sessions, and one paragraph for each typist to grow."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    by = Actor.system(label="bench")
    with open_session(engine, write=True) as session:
        user = identity.create_user(session, email="secretariat@bench.example",
                                    role=Role.secretariat, password=None, by=by)
        token = tokens.create_token(session, user=user, by=by)
        series = meetings.create_meeting_type(
            session, by=by, data=MeetingTypeCreate(name="Monthly Assurance Meeting"))
        meeting = meetings.create_meeting(session, by=by, data=MeetingCreate(
            meeting_type_id=series.id, starts_at=datetime(2026, 4, 30, 10)))
        entries = []
        for n in range(ITEMS):
            item = agenda.create_item(session, meeting_id=meeting.id, by=by,
                                      data=ItemCreate(title=f"Item {n + 1}"))
            for p in range(PARAGRAPHS):
                entries.append(entries_service.create_entry(
                    session, item_id=item.id, by=by,
                    data=EntryCreate(text=f"{p + 1}. {WORDS * 2}")))
        step = len(entries) // TYPISTS
        typists = [Typist(e.id, e.text) for e in entries[step // 2::step][:TYPISTS]]
        cookies = []
        for n in range(READERS):
            viewer = identity.create_user(session, email=f"reader{n}@bench.example",
                                          role=Role.viewer, password=None, by=by)
            cookies.append(identity.start_web_session(session, user=viewer, idle_minutes=60,
                                                      max_hours=12).raw_token)
        session.commit()
        meeting_id = meeting.id
    engine.dispose()
    return meeting_id, token, cookies, typists


def type_for(base: str, token: str, typists: list[Typist], count: int,
             busy: list[float] | None = None) -> list[float]:
    """Each typist saves `count` times, one save every SAVE_EVERY seconds, starting out of
    step; the latency of each save, in seconds (of a save refused with 503: in `busy`)."""
    latencies: list[float] = []
    busy = [] if busy is None else busy
    errors: list[BaseException] = []
    start = threading.Barrier(len(typists))

    def run(n: int) -> None:
        typist = typists[n]
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            try:
                start.wait()
                due = time.perf_counter() + SAVE_EVERY * n / len(typists)
                for _ in range(count):
                    time.sleep(max(0.0, due - time.perf_counter()))
                    began = time.perf_counter()
                    saved = typist.save(client)
                    (latencies if saved else busy).append(time.perf_counter() - began)
                    due += SAVE_EVERY
            except BaseException as exc:  # reported below, in the calling thread
                errors.append(exc)
                start.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(typists))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return latencies


async def watch(base: str, meeting_id: int, cookies: list[str], polls: Polls, *, opened,
                watched, stop) -> None:
    """Each reader opens the live page (counted in `opened`), then polls with what it last
    received while `watched` is set, until `stop`; only those polls are counted."""
    headers = {"HX-Request": "true", "Sec-Fetch-Mode": "cors"}

    async def reader(n: int, cookie: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60,
                                     cookies={"assure_session": cookie}) as client:
            await asyncio.sleep(OPENING * n / len(cookies))  # not all at the same moment
            while True:
                page = await client.get(f"/meetings/{meeting_id}/live")
                if page.status_code != 503:
                    break
                polls.busy_opening += 1
                await asyncio.sleep(1)
            if page.status_code != 200:
                raise RuntimeError(f"live page: {page.status_code} {page.text[:300]}")
            stamp = STAMP.search(page.content)
            state = stamp.group(1).decode() if stamp else ""
            with opened.get_lock():
                opened.value += 1
            while not stop.is_set():
                if not watched.is_set():
                    await asyncio.sleep(0.05)
                    continue
                # spread out over the poll interval, as pages opened at different moments are
                await asyncio.sleep(POLL_EVERY * n / len(cookies))
                while watched.is_set() and not stop.is_set():
                    due = time.perf_counter() + POLL_EVERY
                    began = time.perf_counter()
                    try:
                        answer = await client.get(f"/meetings/{meeting_id}/live/minutes",
                                                  params={"stamp": state}, headers=headers)
                    except httpx.HTTPError as error:
                        key = type(error).__name__
                        polls.errors[key] = polls.errors.get(key, 0) + 1
                        continue
                    polls.latencies.append(time.perf_counter() - began)
                    polls.received += len(answer.content)
                    if answer.status_code == 204:
                        polls.unchanged += 1
                    elif answer.status_code == 200:
                        polls.changed += 1
                        found = STAMP.search(answer.content)
                        state = found.group(1).decode() if found else state
                    elif answer.status_code == 503:
                        polls.busy += 1
                    else:
                        key = str(answer.status_code)
                        polls.errors[key] = polls.errors.get(key, 0) + 1
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))

    await asyncio.gather(*(reader(n, cookie) for n, cookie in enumerate(cookies)))


def watching(base: str, meeting_id: int, cookies: list[str], results, **events) -> None:
    """The readers, in a process of their own (so that their client's work does not delay the
    typists' clients); what their polls were answered, put in `results`."""
    polls = Polls()
    asyncio.run(watch(base, meeting_id, cookies, polls, **events))
    results.put(polls)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def run(name: str, url: str) -> bool:
    """The rounds against one database's server; print them; whether the targets were met."""
    alone: list[float] = []
    loaded: list[float] = []
    busy: list[float] = []
    cpu = {"alone": [0.0, 0.0], "watched": [0.0, 0.0]}  # server CPU seconds, wall seconds
    took = 0.0  # seconds in which the readers polled
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        meeting_id, token, cookies, typists = prepare(url)
        with open(folder / "server.log", "wb") as log:
            server, base = start_server(folder, url, log)
            processes = multiprocessing.get_context("fork")
            opened, results = processes.Value("i", 0), processes.Queue()
            watched, stop = processes.Event(), processes.Event()
            readers = processes.Process(target=watching, args=(
                base, meeting_id, cookies, results),
                kwargs={"opened": opened, "watched": watched, "stop": stop})

            def typing(into: list[float], phase: str) -> None:
                used, began = server_cpu(server.pid), time.perf_counter()
                into += type_for(base, token, typists, int(ROUND / SAVE_EVERY), busy)
                now, ended = server_cpu(server.pid), time.perf_counter()
                if None not in (used, now):
                    cpu[phase][0] += now - used  # type: ignore[operator]
                cpu[phase][1] += ended - began

            try:
                type_for(base, token, typists, WARM_UP)
                readers.start()
                while opened.value < READERS and readers.is_alive():
                    time.sleep(0.1)  # every reader has the page open before anything counts
                for _ in range(ROUNDS):
                    watched.clear()
                    time.sleep(SETTLE)
                    typing(alone, "alone")
                    began = time.perf_counter()
                    watched.set()
                    time.sleep(SETTLE + POLL_EVERY)
                    typing(loaded, "watched")
                    took += time.perf_counter() - began  # the readers poll all this while
                stop.set()
                polls = results.get(timeout=120)
                readers.join()
            except BaseException:
                log.flush()
                print((folder / "server.log").read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                stop.set()
                if readers.is_alive():
                    readers.join(timeout=30)
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    ratio = (percentile(loaded, 0.99) / percentile(alone, 0.99) if loaded and alone
             else float("inf"))
    count = polls.changed + polls.unchanged + polls.busy + sum(polls.errors.values())
    print(f"{name}: {TYPISTS} typists saving once a second, {ITEMS * PARAGRAPHS} paragraphs, "
          f"one uvicorn worker; {ROUNDS} x {ROUND} s alone and {ROUNDS} x {ROUND} s watched, "
          f"in turn")
    phases = (("alone", alone, cpu["alone"]), (f"with {READERS} readers", loaded, cpu["watched"]))
    for label, samples, (used, wall) in phases:
        busy_cpu = f", server CPU {used / wall:.0%} of a core" if used else ""
        if samples:
            print(f"  save {label}: p50 {ms(statistics.median(samples))}, "
                  f"p99 {ms(percentile(samples, 0.99))} ({len(samples)} saves{busy_cpu})")
    if busy:
        print(f"  saves refused with 503: {len(busy)} (target 0)")
    print(f"  save p99 with readers / alone: {ratio:.2f} (target <= {TARGET_RATIO:g})")
    served = polls.changed + polls.unchanged
    print(f"  polls: {count} ({count / took:.0f}/s, every {POLL_EVERY:g} s each), "
          f"{polls.changed} with a change, {polls.unchanged} unchanged (204), "
          f"503 {polls.busy} (target 0), other errors {polls.errors or 0}; the live page "
          f"opened {READERS} times, 503 {polls.busy_opening} times first")
    if polls.latencies:
        print(f"  poll p50 {ms(statistics.median(polls.latencies))}, "
              f"p99 {ms(percentile(polls.latencies, 0.99))}; "
              f"{polls.received / 1024:.0f} KB in all, "
              f"{polls.received / max(1, served) / 1024:.1f} KB a poll")
    return (ratio <= TARGET_RATIO and polls.busy == 0 and not polls.errors and served > 0
            and not busy)


def main() -> int:
    return on_each_database(run, "live")


if __name__ == "__main__":
    sys.exit(main())
