"""Benchmark of the minutes .docx export against plain python-docx writing the same text.

Run from the repository root: `python bench/bench_export.py`. Prints two ratios with their
targets and exits non-zero when one is missed (`python bench/bench_export.py logs` times the
action log's and the findings' full exports instead: see bench/bench_export_logs.py):
- export/baseline: the whole export of a meeting stored in SQLite (load the record, build the
  document, save it: what the minutes.docx endpoint does) against a naive but efficient
  python-docx writer of the same paragraphs and rows (add_row and row.cells once per row, saved
  to memory), both at 400 entries;
- 400/200 entries: how the export grows; about 2 when it is linear.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx  # noqa: E402
from alembic import command  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.export.minutes_docx import render_minutes  # noqa: E402
from app.migrations_config import alembic_config  # noqa: E402
from app.models import ItemKind  # noqa: E402
from app.schemas import (  # noqa: E402
    ActionCreate,
    AttendanceIn,
    EntryCreate,
    ItemCreate,
    MeetingCreate,
    MeetingTypeCreate,
    PersonCreate,
)
from app.services import actions, agenda, meetings  # noqa: E402
from app.services import entries as entries_service  # noqa: E402
from app.services import people as people_service  # noqa: E402
from app.services.minutes import (  # noqa: E402
    Edition,
    MinutesAction,
    MinutesItem,
    MinutesRecord,
    minutes_for_export,
)
from app.services.permissions import Actor  # noqa: E402

RUNS = 5
TARGET_VS_BASELINE = 1.5
TARGET_GROWTH = 2.3
THEMES = ("Roads policing", "Domestic abuse", "999 answering times", "Neighbourhood policing")
SUB_THEMES = ("Partnership Working", "Performance", "Workforce")

SENTENCE = (
    "The PCC asked the CC for assurance that the force’s plan for {topic} is effective and that "
    "the £30k fund is used well. The CC responded that progress is reported monthly & that the "
    "board will see “real” results by the end of the year. "
)


def build_meeting(session: Session, entries: int) -> int:
    """A meeting of `entries` entries over themes and sub-themes, one action per 10 entries,
    stored through the services like real use; returns its id."""
    by = Actor.system(label="bench")
    people = [
        make_person(session, by, name, abbreviation)
        for name, abbreviation in (("John Campion", "PCC"), ("Anthony Bangham", "CC"),
                                   ("Amanda Blakeman", "DCC"), ("Tracey Onslow", "DPCC"))
    ]
    series = meetings.create_meeting_type(
        session, by=by, data=MeetingTypeCreate(name=f"Monthly Assurance Meeting {entries}"))
    earlier = meetings.create_meeting(session, by=by, data=MeetingCreate(
        meeting_type_id=series.id, starts_at=datetime(2019, 3, 26, 10)))
    for _ in range(5):
        actions.create_action(session, by=by, data=ActionCreate(
            text="The ACC to report on fleet availability.", owner_ids=[people[2].id],
            due_date=date(2019, 4, 30), meeting_id=earlier.id))
    meeting = meetings.create_meeting(session, by=by, data=MeetingCreate(
        meeting_type_id=series.id, starts_at=datetime(2019, 4, 30, 10),
        chair_id=people[0].id, minute_taker_id=people[3].id))
    meetings.set_attendance(session, meeting_id=meeting.id, by=by, rows=[
        AttendanceIn(person_id=p.id) for p in people])

    def item(title, kind=ItemKind.theme, parent=None):
        return agenda.create_item(session, meeting_id=meeting.id, by=by, data=ItemCreate(
            title=title, kind=kind, parent_id=parent.id if parent else None))

    item("Outstanding matters / items brought forward", ItemKind.outstanding_matters)
    holding = item("Holding to account", ItemKind.holding_to_account)
    sub_themes = []
    for theme in THEMES:
        parent = item(theme, parent=holding)
        sub_themes += [item(title, parent=parent) for title in SUB_THEMES]
    item("AOB", ItemKind.aob)
    for n in range(entries):
        target = sub_themes[n % len(sub_themes)]
        text = SENTENCE.format(topic=target.title.lower()) * (1 + n % 3)
        if n % 4 == 0:
            text += "The CC and DCC responded:\n- the first point\n• the second point"
        entries_service.create_entry(session, item_id=target.id, by=by,
                                     data=EntryCreate(text=text, speaker_id=people[0].id))
        if n % 10 == 9:
            actions.create_action(session, by=by, data=ActionCreate(
                text=f"The DCC to review the success criteria of initiative {n}.",
                owner_ids=[people[2].id, people[1].id],
                due_date=date(2019, 5, 28) if n % 20 else None,
                meeting_id=meeting.id, item_id=target.id))
    return meeting.id


def make_person(session: Session, by: Actor, name: str, abbreviation: str):
    initials = "".join(part[0] for part in name.split())
    return people_service.create_person(session, by=by, data=PersonCreate(
        full_name=name, initials=initials, role_title=abbreviation,
        role_abbreviation=abbreviation))


def export(session: Session, meeting_id: int) -> tuple[MinutesRecord, bytes]:
    """What GET /api/v1/meetings/{id}/minutes.docx does: load the record, build, save."""
    record = minutes_for_export(session, meeting_id=meeting_id, edition=Edition.internal,
                                by=Actor.system(label="bench"))
    return record, render_minutes(record)


# --- the baseline: what a plain python-docx script would write for the same minutes -------


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _action_lines(action: MinutesAction) -> list[str]:
    due = f"Due {action.due_date:%d/%m/%Y}" if action.due_date else "No due date"
    return [", ".join(action.owners), action.reference, due]


def _item_rows(item: MinutesItem) -> Iterator[tuple[list[str], list[str], list[str]]]:
    yield [item.number], [item.title, *_lines(item.text_after_title or "")], []
    for action in item.carried_forward:
        text = [f"{action.reference}: {action.text}", f"Latest update: {action.latest_update}"]
        yield [], text, _action_lines(action)
    for entry in item.entries:
        yield [], _lines(entry.text), []
    if item.actions:
        yield [], ["Actions arising:"], []
    for action in item.actions:
        yield [], [action.text], _action_lines(action)
    for child in item.children:
        yield from _item_rows(child)


def baseline(record: MinutesRecord) -> bytes:
    """The same paragraphs and rows with python-docx's plain API and no house style."""
    document = docx.Document()
    document.add_heading(record.title, 1)
    for line in (record.date_line, record.chair, record.minutes_by, record.venue):
        document.add_paragraph(line, style="List Bullet")
    people = document.add_table(rows=0, cols=3)
    for person in [*record.present, *record.apologies]:
        cells = people.add_row().cells
        cells[1].text, cells[2].text = person.name, person.capacity
    document.add_paragraph()
    table = document.add_table(rows=1, cols=3)
    header = table.rows[0].cells
    header[1].text, header[2].text = "Minutes", "ACTION"
    for item in record.items:
        for columns in _item_rows(item):
            cells = table.add_row().cells
            for cell, lines in zip(cells, columns, strict=True):
                for i, line in enumerate(lines):
                    if i == 0:
                        # add_run, not cell.text: the faster of python-docx's plain ways
                        cell.paragraphs[0].add_run(line)
                    elif line.startswith(("- ", "• ")):
                        cell.add_paragraph(line[2:], style="List Bullet")
                    else:
                        cell.add_paragraph(line)
    section = document.sections[0]
    section.header.paragraphs[0].text = record.marking
    section.footer.paragraphs[0].text = record.marking
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    if sys.argv[1:2] == ["logs"]:
        from bench_export_logs import main as logs_main  # bench/ is on the path

        return logs_main(sys.argv[2:])
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db", durable=False)
        command.upgrade(alembic_config(str(engine.url)), "head")
        with Session(engine, expire_on_commit=False) as session:
            meeting_ids = {n: build_meeting(session, n) for n in (200, 400)}
            session.commit()  # services do not commit: the bench is the caller
            records = {n: export(session, m)[0] for n, m in meeting_ids.items()}
            export(session, meeting_ids[200])  # warm up imports and the template
            baseline(records[200])
            timed = {n: best_of(RUNS, lambda m=m: export(session, m))
                     for n, m in meeting_ids.items()}
            build_only = {n: best_of(RUNS, lambda r=r: render_minutes(r))
                          for n, r in records.items()}
            plain = {n: best_of(RUNS, lambda r=r: baseline(r)) for n, r in records.items()}
            sizes = {n: len(export(session, m)[1]) // 1024 for n, m in meeting_ids.items()}
        engine.dispose()
    for n in (200, 400):
        print(
            f"{n} entries: export {timed[n] * 1000:.0f} ms (of which the document "
            f"{build_only[n] * 1000:.0f} ms; {sizes[n]} KiB), plain python-docx "
            f"{plain[n] * 1000:.0f} ms"
        )
    vs_baseline = timed[400] / plain[400]
    growth = timed[400] / timed[200]
    print(f"export/baseline (400 entries): {vs_baseline:.2f} (target <= {TARGET_VS_BASELINE})")
    print(f"400/200 entries: {growth:.2f} (target <= {TARGET_GROWTH})")
    missed = vs_baseline > TARGET_VS_BASELINE or growth > TARGET_GROWTH
    if missed:
        print("target missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
