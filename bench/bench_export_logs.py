"""The full exports' time per row at two sizes (issue 17): the action log as .xlsx and .docx,
and the Police and Crime Panel's findings report as .xlsx and .docx.

    PYTHONPATH=. python bench/bench_export_logs.py [--actions 500 5000] [--findings 300 3000]
    (or `python bench/bench_export.py logs ...`)

Builds each office straight into a fresh database (rows, not use cases: fast and enough for
reading): actions with four updates each, 40 to a meeting, and findings 30 to an inspection.
Then calls each download route as a request would (no HTTP, no sign-in), reads the whole body
it sends, and prints the median time per row at both sizes, their ratio (the target: at most
TARGET_RATIO), the SQL statements, the file's size and, measured in a run of its own, the
peak of Python's memory (tracemalloc). With TEST_DATABASE_URL set (a PostgreSQL database it may
empty) it runs there instead. Exits non-zero when a ratio misses its target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_bounded import force_people, fresh_engine, measure, monthly_meetings  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.models import (  # noqa: E402
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    Finding,
    Inspection,
    InspectionJudgment,
    Role,
)
from app.services.permissions import Actor  # noqa: E402

RUNS = 3
TARGET_RATIO = 1.5
TODAY = date(2026, 6, 2)
ACTION_TEXT = ("The DCC to provide a breakdown of roads policing officers by shift pattern, with "
               "the vacancies on each team and when they will be filled ({n}).")
UPDATE_TEXT = ("Data requested from the force analyst; the first draft was shared with the "
               "OPCC on {day} and the final figures will follow the workforce board.")
FINDING_TEXT = ("By {n}, the force should make sure that its crime data integrity is improved "
                "so that victims receive the service they deserve and crimes are recorded.")
AREAS = ["Investigating crime", "Responding to the public", "Protecting vulnerable people",
         "Managing offenders", "Developing a positive workplace"]
GRADES = ["Good", "Adequate", "Requires improvement", "Inadequate", "Outstanding"]
FORCE_STATUSES = ["not_started", "in_progress", "complete", "superseded"]
KINDS = ["recommendation", "area_for_improvement", "cause_of_concern"]
OPCC_STATUSES = ["not_assessed", "not_satisfied", "partly_satisfied", "satisfied"]


def build(session: Session, actions: int, findings: int) -> None:
    """An office with this many actions (four updates each) and findings, as rows."""
    people = force_people(session)
    n = 0
    for when, meeting, items in monthly_meetings(
            session, -(-actions // 40), datetime(2026, 6, 9, 10, tzinfo=UTC) - timedelta(days=30),
            "Theme {i}"):
        for a in range(min(40, actions - n)):
            is_open = a >= 28
            action = Action(reference=f"A/{when.year}/{n + 1:04}", year=when.year, seq=n + 1,
                            text=ACTION_TEXT.format(n=n) + ("\nA second line." if a % 3 else ""),
                            due_date=when.date() + timedelta(days=60 + a),
                            meeting_id=meeting.id, item_id=items[a % 5].id,
                            status=ActionStatus.open if is_open else ActionStatus.closed)
            session.add(action)
            session.flush()
            session.add_all([ActionOwner(action_id=action.id, person_id=people[(n + o) % 40].id,
                                         is_lead=o == 0, position=o, assigned_at=when)
                             for o in range(1 + a % 2)])
            session.add_all([ActionUpdate(action_id=action.id,
                                          text=UPDATE_TEXT.format(day=u) + f" Update {u}.",
                                          created_at=when + timedelta(days=u))
                             for u in range(4)])
            n += 1
    session.flush()
    for i in range(-(-findings // 30)):
        inspection = Inspection(title=f"PEEL inspection {i}", published_on=TODAY
                                - timedelta(days=20 * i))
        session.add(inspection)
        session.flush()
        session.add_all([InspectionJudgment(inspection_id=inspection.id, area=area,
                                            grade=GRADES[(i + j) % 5], position=j)
                         for j, area in enumerate(AREAS)])
        session.add_all([Finding(inspection_id=inspection.id,
                                 kind=KINDS[f % 3],
                                 number=str(f + 1), text=FINDING_TEXT.format(n=f), position=f,
                                 owner_id=people[f % 40].id, area=AREAS[f % 5],
                                 due_date=TODAY + timedelta(days=f * 7 - 90),
                                 force_status=FORCE_STATUSES[f % 4],
                                 opcc_status=OPCC_STATUSES[f % 4],
                                 opcc_evidence="Evidence seen at the board.\nMinutes of May.")
                         for f in range(min(30, findings - 30 * i))])
    session.commit()


def _body(response) -> int:
    """Read the whole body the route sends, as the server would; its length."""
    iterator = getattr(response, "body_iterator", None)
    if iterator is None:
        return len(response.body)

    async def drain() -> int:
        size = 0
        async for chunk in iterator:
            size += len(chunk)
        return size

    return asyncio.run(drain())


def downloads(session: Session) -> dict[str, Callable[[], int]]:
    """Each download route, called as a request calls it; returns the body's length."""
    from app.web import action_pages, findings_dashboard

    caller = SimpleNamespace(actor=Actor(role=Role.secretariat))
    request = SimpleNamespace(query_params={})
    return {
        "action log .xlsx": lambda: _body(action_pages.action_log_xlsx(request, session,
                                                                        caller)),
        "action log .docx": lambda: _body(action_pages.action_log_docx(request, session,
                                                                        caller)),
        "findings .xlsx": lambda: _body(findings_dashboard.panel_xlsx(request, session,
                                                                       caller)),
        "findings .docx": lambda: _body(findings_dashboard.panel_docx(request, session,
                                                                       caller)),
    }


def run(url: str, actions: int, findings: int, memory: bool) -> dict[str, tuple]:
    """Per download: (rows, median seconds, statements, bytes, peak MiB or None)."""
    engine = fresh_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        build(session, actions, findings)
    results = {}
    with Session(engine, expire_on_commit=False) as session:
        for name, work in downloads(session).items():
            rows = actions if name.startswith("action") else findings
            work()  # warm up: imports, the house template
            session.rollback()  # each export is audited: not kept
            sizes: list[int] = []
            statements, ms = measure(engine, name,
                                     lambda work=work, sizes=sizes: sizes.append(work()),
                                     runs=RUNS, after=session.rollback)
            peak = None
            if memory:
                session.expunge_all()  # as a request's fresh session: nothing loaded yet
                tracemalloc.start()
                try:
                    work()
                    peak = tracemalloc.get_traced_memory()[1] / 2**20
                finally:
                    tracemalloc.stop()
                session.rollback()
            results[name] = (rows, ms / 1000, statements, sizes[-1], peak)
    engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, nargs=2, default=[500, 5000])
    parser.add_argument("--findings", type=int, nargs=2, default=[300, 3000])
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)
    url = os.environ.get("TEST_DATABASE_URL")
    small, large = (
        run(url or f"sqlite:///{tempfile.mkdtemp()}/bench.db", a, f, not args.no_memory)
        for a, f in zip(args.actions, args.findings, strict=True))
    print(f"{'download':18} {'rows':>11} {'ms per row':>15} {'ratio':>6} {'statements':>11} "
          f"{'KiB':>13} {'peak MiB':>13}")
    missed = False
    for name in small:
        (rows_s, time_s, sql_s, size_s, peak_s), (rows_l, time_l, sql_l, size_l, peak_l) = (
            small[name], large[name])
        per_s, per_l = time_s / rows_s * 1000, time_l / rows_l * 1000
        ratio = per_l / per_s
        missed |= ratio > TARGET_RATIO
        peaks = (f"{peak_s:6.1f} {peak_l:6.1f}" if peak_s is not None and peak_l is not None
                 else "")
        print(f"{name:18} {rows_s:>5} {rows_l:>5} {per_s:7.3f} {per_l:7.3f} {ratio:6.2f} "
              f"{sql_s:>5} {sql_l:>5} {size_s // 1024:>6} {size_l // 1024:>6} {peaks:>13}")
    print(f"ratio: time per row at the larger size / at the smaller (target <= {TARGET_RATIO})")
    if missed:
        print("target missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
