"""Statement counts and timings of the audit page, the reminders run, the chair's
preparation page, a meeting's page, a theme's page, the findings dashboard and the action log
on a small office and one ten times larger (issue 17).

    PYTHONPATH=. python bench/bench_bounded.py [--scale 1 10] [--url sqlite:///...]

Builds each office straight into a fresh database (rows, not use cases: fast and enough for
reading), then runs each call a few times and prints SQL statements and the median time.
With TEST_DATABASE_URL set (a PostgreSQL database it may empty) it runs there instead."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from app.db import make_engine
from app.migrations_config import alembic_config
from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Answer,
    AuditEvent,
    Finding,
    Inspection,
    InspectionJudgment,
    Meeting,
    MeetingType,
    Person,
    Question,
    QuestionStatus,
    Role,
    Side,
    User,
)
from app.services import audit
from app.services.audit import AuditFilters
from app.services.mail import OutboxMailer
from app.services.notifications import send_reminders
from app.services.permissions import Actor

TODAY = date(2026, 6, 2)  # a Tuesday
THEMES = [f"Theme {n}" for n in range(12)]


def fresh_engine(url: str) -> Engine:
    """An engine on the database at `url`, emptied (PostgreSQL: its public schema dropped)
    and migrated to the head."""
    engine = make_engine(url, durable=False)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    command.upgrade(alembic_config(url), "head")
    return engine


def force_people(session: Session) -> list[Person]:
    """Forty people of the force, each with an email and a role's abbreviation."""
    people = [Person(full_name=f"Person {n}", initials=f"P{n}", role_abbreviation=f"R{n}",
                     email=f"p{n}@force.example", side=Side.force) for n in range(40)]
    session.add_all(people)
    return people


def monthly_meetings(session: Session, meetings: int, last: datetime,
                     item_title: str = "Item {i}",
                     ) -> Iterator[tuple[datetime, Meeting, list[AgendaItem]]]:
    """A board's approved meetings thirty days apart, the last at `last`, each with five
    items (the fifth exempt): (when, meeting, items), each made as it is reached."""
    series = MeetingType(name="Accountability Board")
    session.add(series)
    session.flush()
    start = last - timedelta(days=30 * (meetings - 1))
    for m in range(meetings):
        when = start + timedelta(days=30 * m)
        meeting = Meeting(meeting_type_id=series.id, starts_at=when, status="approved")
        session.add(meeting)
        session.flush()
        items = [AgendaItem(meeting_id=meeting.id, position=i + 1,
                            title=item_title.format(i=i), exempt=(i == 4)) for i in range(5)]
        session.add_all(items)
        session.flush()
        yield when, meeting, items


def build(session: Session, meetings: int) -> int:
    """An office with this many meetings (a year is 12); returns the last meeting's id."""
    people = force_people(session)
    session.add(User(email="sec@opcc.example", role=Role.secretariat, password_hash="x"))
    last = 0
    for m, (when, meeting, items) in enumerate(monthly_meetings(
            session, meetings, datetime(2026, 6, 9, 10, tzinfo=UTC))):
        last = meeting.id
        for a in range(40):
            n = m * 40 + a
            # Most of the record is closed (as an office closes them, on a day); a quarter of
            # the last six meetings' is open and due years ahead (nobody's email today), and
            # some of the last two meetings' are due about now.
            due_now = m >= meetings - 2 and a < 8
            is_open = due_now or (a >= 30 and m >= meetings - 6)
            action = Action(reference=f"A{n}", year=when.year, seq=n, text=f"Action {n}",
                            due_date=(TODAY + timedelta(days=(a % 4) - 1)) if due_now
                            else date(2031, 1, 31) if is_open
                            else when.date() + timedelta(days=60),
                            meeting_id=meeting.id, item_id=items[a % 5].id,
                            status=ActionStatus.open if is_open else ActionStatus.closed,
                            created_at=when,
                            closed_at=None if is_open else when + timedelta(days=50))
            session.add(action)
            session.flush()
            session.add(ActionOwner(action_id=action.id, person_id=people[n % 40].id,
                                    is_lead=True, position=0, assigned_at=when))
            session.add_all([ActionUpdate(action_id=action.id, text=f"update {u}",
                                          created_at=when + timedelta(days=u))
                             for u in range(4)])
        for q in range(25):
            question = Question(text=f"Question {m}.{q}", theme=THEMES[q % len(THEMES)],
                                meeting_id=meeting.id, item_id=items[q % 5].id,
                                status=QuestionStatus.answered if m < meetings - 1
                                else QuestionStatus.ready, asked_by_id=people[0].id,
                                addressed_to_id=people[1].id)
            session.add(question)
            session.flush()
            if m < meetings - 1:
                session.add(Answer(question_id=question.id, respondent_id=people[1].id,
                                   text=f"Answer {m}.{q}", answered_at=when))
        session.add_all([AuditEvent(verb=["create", "update", "sign-in", "export"][e % 4],
                                    object_type=["action", "meeting", "person"][e % 3],
                                    object_id=e, summary=f"event {m}.{e}",
                                    occurred_at=when + timedelta(minutes=e))
                         for e in range(200)])
    # Two inspections a year, thirty findings each, graded by area.
    for i in range(max(1, meetings // 6)):
        inspection = Inspection(title=f"Inspection {i}", published_on=date(2016, 1, 1)
                                + timedelta(days=60 * i))
        session.add(inspection)
        session.flush()
        session.add_all([InspectionJudgment(inspection_id=inspection.id, area=f"Area {a}",
                                            grade=["Good", "Adequate", "Inadequate"][a % 3],
                                            position=a) for a in range(3)])
        session.add_all([Finding(inspection_id=inspection.id, kind="recommendation",
                                 number=str(f + 1), text=f"Finding {i}.{f}", position=f,
                                 area=f"Area {f % 4}", theme=THEMES[f % len(THEMES)],
                                 owner_id=people[f % 40].id,
                                 due_date=TODAY + timedelta(days=f - 15),
                                 force_status=["not_started", "in_progress", "complete"][f % 3])
                         for f in range(30)])
    session.commit()
    return last


def measure(engine, name: str, work: Callable[[], object], runs: int = 5,
            after: Callable[[], object] | None = None) -> tuple[int, float]:
    """The statements `work` makes (in its last run) and its median time in ms over `runs`
    runs; `after` runs after each, untimed."""
    statements = 0

    def note(*args):
        nonlocal statements
        statements += 1

    times = []
    for _ in range(runs):
        statements = 0
        event.listen(engine, "before_cursor_execute", note)
        began = time.perf_counter()
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        times.append(time.perf_counter() - began)
        if after is not None:
            after()
    return statements, statistics.median(times) * 1000


def run(url: str, meetings: int) -> dict[str, tuple[int, float]]:
    engine = fresh_engine(url)
    admin = Actor(role=Role.admin)
    results = {}
    with Session(engine, expire_on_commit=False) as session:
        last = build(session, meetings)
    # Measured in a session of its own, as a request or the reminders command has.
    with Session(engine, expire_on_commit=False) as session:
        results["audit filter choices"] = measure(
            engine, "choices", lambda: audit.filter_choices(session, by=admin))
        results["audit page (choices + page 1 + page 3)"] = measure(engine, "audit", lambda: (
            audit.filter_choices(session, by=admin),
            audit.search_events(session, by=admin, filters=AuditFilters(), page=1),
            audit.search_events(session, by=admin, filters=AuditFilters(), page=3)))
        outbox = Path(tempfile.mkdtemp())

        def reminders():
            session.execute(text("DELETE FROM notification"))
            session.commit()
            report = send_reminders(session, today=TODAY, base_url="https://x.example",
                                    mailer=OutboxMailer(outbox, sender="a@b.example"))
            results["emails"] = (report.total_sent, 0.0)

        results["reminders send"] = measure(engine, "reminders", reminders, runs=3)
        try:
            from fastapi.testclient import TestClient  # noqa: F401
            results.update(prepare(engine, session, last))
            results.update(pages(engine, session, last))
        except ImportError:
            pass
    engine.dispose()
    return results


def prepare(engine, session: Session, meeting_id: int) -> dict[str, tuple[int, float]]:
    """The preparation page's own work, called as the route calls it (no HTTP, no sign-in)."""
    from types import SimpleNamespace

    from app.web import prepare_page as page

    caller = SimpleNamespace(actor=Actor(role=Role.secretariat))
    request = SimpleNamespace()  # render is replaced: only what the page computes is timed
    shown: dict = {}

    def fake_render(request, template, context):
        shown.clear()
        shown.update(context)
        return context

    original = page.render
    page.render = fake_render
    try:
        result = measure(engine, "prepare", lambda: page.prepare_page(
            meeting_id, request, session, caller, sent=""))
    finally:
        page.render = original
    said = sorted((s.theme, s.answer.text) for i in shown["items"] for s in i.last_said)
    return {"preparation page": result, "last said shown": (len(said), 0.0)}


def pages(engine, session: Session, meeting_id: int) -> dict[str, tuple[int, float]]:
    """A meeting's page, a theme's page, the findings dashboard and the action log's first
    page, called as their routes call them with render replaced (what they compute is timed,
    not the template)."""
    from types import SimpleNamespace

    from app.web import action_pages, findings_dashboard, pages, question_bank

    def fake_render(request, template, context, **kw):
        return context

    office = SimpleNamespace(actor=Actor(role=Role.secretariat))
    force = SimpleNamespace(actor=Actor(role=Role.force))
    request = SimpleNamespace(query_params={}, url=SimpleNamespace(query=""))
    calls = {
        "meeting page (office)": lambda: pages.meeting_page_response(
            request, session, office, meeting_id),
        "meeting page (force)": lambda: pages.meeting_page_response(
            request, session, force, meeting_id),
        "theme page (office)": lambda: question_bank.theme_page(
            THEMES[1], request, session, office),
        "theme page (force)": lambda: question_bank.theme_page(
            THEMES[1], request, session, force),
        "findings dashboard": lambda: findings_dashboard.findings_page(
            request, session, office),
        "action log page 1": lambda: action_pages._log_page(request, session, office, {}),
    }
    modules = (pages, question_bank, findings_dashboard, action_pages)
    originals = [m.render for m in modules]
    for module in modules:
        module.render = fake_render
    try:
        return {name: measure(engine, name, call) for name, call in calls.items()}
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.render = original


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, nargs="+", default=[12, 120],
                        help="meetings in each office (12 a year)")
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL")
    table: dict[str, list[tuple[int, float]]] = {}
    for meetings in args.scale:
        target = url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        for name, value in run(target, meetings).items():
            table.setdefault(name, []).append(value)
    print(f"{'call':42} " + " ".join(f"{m:>8} mtgs: stmts     ms" for m in args.scale)
          + "   ratio (ms, last/first)")
    for name, values in table.items():
        ratio = (f"{values[-1][1] / values[0][1]:>8.2f}" if len(values) > 1 and values[0][1]
                 else "")
        print(f"{name:42} " + " ".join(f"{s:>20} {ms:>8.1f}" for s, ms in values) + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
