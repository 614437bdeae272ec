"""The decisions register as an Excel workbook: one sheet, one row per decision.

The rows arrive chosen and redacted for the reader (`app.services.decisions`); this module
only lays them out, with the action log's styles and its guard against formulas.
"""

from __future__ import annotations

import io

from openpyxl.utils import get_column_letter

from app.export.action_log_xlsx import (
    HEADER_ROW,
    CellMaker,
    _one_line,
    _set_page,
    _text,
    new_workbook,
)
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
    workbook = new_workbook()
    workbook.properties.title = _one_line(title)
    sheet = workbook.create_sheet(SHEET)
    cells = CellMaker(sheet)
    _set_page(sheet, marking)
    for column, (_heading, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.append([cells.make(_one_line(marking), "Log marking")])
    sheet.append([cells.make(_one_line(title), "Log title")])
    sheet.append([])
    sheet.append([cells.make(heading, "Log heading") for heading, _width in COLUMNS])
    for row in rows:
        values: list[tuple[object, str]] = [
            (_one_line(row.reference), "Log text"),
            (to_london(row.starts_at).date(), "Log date"),
            (_one_line(row.meeting_type), "Log text"),
            (_one_line(row.item_title), "Log text"),
            (_text(row.text), "Log text"),
            ("Yes" if row.exempt else "No", "Log text"),
        ]
        sheet.append([
            cells.make(value, "Log wrapped text"
                       if heading in _WRAPPED and style == "Log text" else style)
            for (value, style), (heading, _w) in zip(values, COLUMNS, strict=True)])
    if not rows:
        sheet.append([cells.make(NO_DECISIONS, "Log text")])
    sheet.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}"
                             f"{HEADER_ROW + len(rows)}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
