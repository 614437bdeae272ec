"""The public action log and the public register of decisions as Excel workbooks, laid out as
the office's (app/export/register_xlsx.py: a marking, a title, a heading row with filters).

The rows arrive chosen and worded for the public (app/services/public_record.py), a batch at a
time; this module only lays them out, with the action log's guard against formulas.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.export.action_log_xlsx import _one_line, _text
from app.export.register_xlsx import Cell, render_register_xlsx
from app.services.public_record import PublicAction, PublicDecision

ACTION_COLUMNS = (
    ("Reference", 13),
    ("Raised", 12),
    ("Meeting", 30),
    ("Action", 50),
    ("Owners", 24),
    ("Due", 12),
    ("Status", 18),
    ("RAG", 26),
    ("Latest update", 50),
    ("Latest update on", 18),
)
_ACTION_WRAPPED = {"Meeting", "Action", "Owners", "Latest update"}

DECISION_COLUMNS = (
    ("Reference", 14),
    ("Date", 12),
    ("Meeting", 30),
    ("Title", 30),
    ("Decision maker", 24),
    ("Decision", 60),
    ("Reports", 30),
    ("Exempt", 30),
    ("Significant public interest", 14),
)
_DECISION_WRAPPED = {"Meeting", "Title", "Decision maker", "Decision", "Reports", "Exempt"}


def _date(value) -> Cell:
    return (value, "Log date") if value is not None else ("", "Log text")


def render_public_actions_xlsx(rows: Iterable[PublicAction], *, title: str,
                               marking: str) -> bytes:
    """The public action log's `rows` as the bytes of an .xlsx workbook of one sheet."""

    def cells(row: PublicAction) -> list[Cell]:
        return [
            (_one_line(row.reference), "Log text"),
            _date(row.raised_on),
            (_one_line(row.meeting_title), "Log text"),
            (_text(row.text), "Log text"),
            (_one_line(", ".join(row.owners)), "Log text"),
            _date(row.due_date),
            (row.status, "Log text"),
            (row.rag_words, f"Log RAG {row.rag.value}" if row.rag else "Log text"),
            (_text(row.latest_update), "Log text"),
            _date(row.latest_update_on),
        ]

    return render_register_xlsx(sheet_name="Action log", columns=ACTION_COLUMNS,
                                wrapped=_ACTION_WRAPPED, rows=(cells(r) for r in rows),
                                empty="No actions match.", title=title, marking=marking)


def render_public_decisions_xlsx(rows: Iterable[PublicDecision], *, title: str,
                                 marking: str) -> bytes:
    """The public register's `rows` as the bytes of an .xlsx workbook of one sheet; an
    exempt decision as its title and the reason, its other cells empty."""

    def cells(row: PublicDecision) -> list[Cell]:
        return [
            (_one_line(row.reference), "Log text"),
            _date(row.decided_on),
            (_one_line(row.meeting_title), "Log text"),
            (_one_line(row.title), "Log text"),
            (_one_line(row.decision_maker), "Log text"),
            (_text(row.summary), "Log text"),
            (_one_line(", ".join(p.filename for p in row.reports)), "Log text"),
            (_one_line(row.exempt_notice), "Log text"),
            ("Yes" if row.significant else "No", "Log text"),
        ]

    return render_register_xlsx(sheet_name="Decisions", columns=DECISION_COLUMNS,
                                wrapped=_DECISION_WRAPPED, rows=(cells(r) for r in rows),
                                empty="No decisions match.", title=title, marking=marking)
