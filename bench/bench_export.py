"""Benchmark of the minutes .docx export against plain python-docx writing the same text.

Run from the repository root: `python bench/bench_export.py`. Prints two ratios with their
targets and exits non-zero when one is missed:
- export/baseline: `render_minutes` against a naive but efficient python-docx writer (add_row
  and row.cells once per row, the same paragraphs, saved to memory), both at 400 entries;
- 400/200 entries: how the export grows; about 2 when it is linear.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx  # noqa: E402

from app.export.minutes_docx import render_minutes  # noqa: E402
from app.services.minutes import (  # noqa: E402
    Edition,
    MinutesAction,
    MinutesEntry,
    MinutesItem,
    MinutesPerson,
    MinutesRecord,
)

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


def make_record(entries: int) -> MinutesRecord:
    """A meeting of `entries` entries over themes and sub-themes, one action per 10 entries."""
    sub_themes = [
        MinutesItem(number=f"{s + 1}.", level=3, title=title, kind="theme")
        for _ in THEMES
        for s, title in enumerate(SUB_THEMES)
    ]
    for n in range(entries):
        target = sub_themes[n % len(sub_themes)]
        text = SENTENCE.format(topic=target.title.lower()) * (1 + n % 3)
        if n % 4 == 0:
            text += "The CC and DCC responded:\n- the first point\n• the second point"
        target.entries.append(MinutesEntry(kind="narrative", text=text))
        if n % 10 == 9:
            target.actions.append(
                MinutesAction(
                    reference=f"A/2019/{n:03d}",
                    text=f"The DCC to review the success criteria of initiative {n}.",
                    owners=["DCC", "ACC"],
                    due_date=date(2019, 5, 28) if n % 20 else None,
                    status="open",
                )
            )
    themes = [
        MinutesItem(
            number=f"2.{t + 1}",
            level=2,
            title=title,
            kind="theme",
            children=sub_themes[t * len(SUB_THEMES) : (t + 1) * len(SUB_THEMES)],
        )
        for t, title in enumerate(THEMES)
    ]
    carried = [
        MinutesAction(
            reference=f"A/2019/{n:03d}",
            text="The ACC to report on fleet availability.",
            owners=["ACC"],
            due_date=date(2019, 4, 30),
            status="in_progress",
            latest_update="Report drafted; to the board in June.",
            latest_update_on=date(2019, 4, 12),
        )
        for n in range(5)
    ]
    return MinutesRecord(
        title="Monthly Assurance Meeting April 2019 – Meeting Notes",
        meeting_type="Monthly Assurance Meeting",
        date_line="Tuesday 30th April 2019 @ 10:00",
        chair="John Campion",
        minutes_by="Jackie Irvin, Policy Officer, OPCC",
        venue="Meeting Room 1.38 Hindlip",
        present=[
            MinutesPerson("John Campion", "Police and Crime Commissioner (PCC)"),
            MinutesPerson("Anthony Bangham", "Chief Constable (CC)"),
            MinutesPerson("Amanda Blakeman", "Deputy Chief Constable (DCC)"),
        ],
        apologies=[MinutesPerson("Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)")],
        items=[
            MinutesItem(
                number="1",
                level=1,
                title="Outstanding matters / items brought forward",
                kind="outstanding_matters",
                carried_forward=carried,
            ),
            MinutesItem(
                number="2", level=1, title="Holding to account", kind="theme", children=themes
            ),
            MinutesItem(number="3", level=1, title="AOB", kind="aob", text_after_title="No items"),
        ],
        marking="OFFICIAL",
        edition=Edition.internal,
        office_name="Office of the Police and Crime Commissioner for West Mercia",
    )


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
                        cell.text = line
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
    records = {n: make_record(n) for n in (200, 400)}
    render_minutes(records[200])  # warm up imports and the template
    baseline(records[200])
    export = {n: best_of(RUNS, lambda r=r: render_minutes(r)) for n, r in records.items()}
    plain = {n: best_of(RUNS, lambda r=r: baseline(r)) for n, r in records.items()}
    for n in records:
        size = len(render_minutes(records[n])) // 1024
        print(
            f"{n} entries: export {export[n] * 1000:.0f} ms ({size} KiB), "
            f"baseline {plain[n] * 1000:.0f} ms"
        )
    vs_baseline = export[400] / plain[400]
    growth = export[400] / export[200]
    print(f"export/baseline (400 entries): {vs_baseline:.2f} (target <= {TARGET_VS_BASELINE})")
    print(f"400/200 entries: {growth:.2f} (target <= {TARGET_GROWTH})")
    missed = vs_baseline > TARGET_VS_BASELINE or growth > TARGET_GROWTH
    if missed:
        print("target missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
