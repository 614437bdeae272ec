"""The decisions register as an Excel workbook: one sheet, one row per decision.

The rows arrive chosen and redacted for the reader (`app.services.decisions`); this module
only lays them out, with the action log's styles and its guard against formulas.
"""

from __future__ import annotations

from app.export.action_log_xlsx import _one_line, _text
from app.export.register_xlsx import Cell, render_register_xlsx
from app.services.dates import to_london
from app.services.decisions import DecisionRow

SHEET = "Decisions"
COLUMNS = (
    ("Reference", 14),
    ("Date", 12),
    ("Meeting", 30),
    ("Item", 30),
    ("Decision", 60),
    ("Exempt", 8),
)
NO_DECISIONS = "No decisions match."
_WRAPPED = {"Meeting", "Item", "Decision"}


def render_decisions_xlsx(rows: list[DecisionRow], *, title: str, marking: str) -> bytes:
    """Return the register's `rows` as the bytes of an .xlsx workbook with one sheet."""

    def cells(row: DecisionRow) -> list[Cell]:
        return [
            (_one_line(row.reference), "Log text"),
            (to_london(row.starts_at).date(), "Log date"),
            (_one_line(row.meeting_type), "Log text"),
            (_one_line(row.item_title), "Log text"),
            (_text(row.text), "Log text"),
            ("Yes" if row.exempt else "No", "Log text"),
        ]

    return render_register_xlsx(sheet_name=SHEET, columns=COLUMNS, wrapped=_WRAPPED,
                                rows=(cells(row) for row in rows), empty=NO_DECISIONS,
                                title=title, marking=marking)
