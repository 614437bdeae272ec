"""The decisions register as an Excel workbook: one sheet, one row per decision.

The rows arrive chosen and redacted for the reader (`app.services.decisions`); this module
only lays them out, with the action log's styles and its guard against formulas.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from app.export.action_log_xlsx import (
    _STYLES,
    HEADER_ROW,
    MARKING_ROW,
    TITLE_ROW,
    _one_line,
    _set_page,
    _text,
    _write,
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
    workbook = Workbook()
    for style in _STYLES:
        workbook.add_named_style(style)
    workbook.properties.title = _one_line(title)
    sheet = workbook.active
    sheet.title = SHEET
    _set_page(sheet, marking)
    _write(sheet, MARKING_ROW, 1, _one_line(marking), "Log marking")
    _write(sheet, TITLE_ROW, 1, _one_line(title), "Log title")
    for column, (heading, width) in enumerate(COLUMNS, start=1):
        _write(sheet, HEADER_ROW, column, heading, "Log heading")
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        values: list[tuple[object, str]] = [
            (_one_line(row.reference), "Log text"),
            (to_london(row.starts_at).date(), "Log date"),
            (_one_line(row.meeting_type), "Log text"),
            (_one_line(row.item_title), "Log text"),
            (_text(row.text), "Log text"),
            ("Yes" if row.exempt else "No", "Log text"),
        ]
        for column, ((value, style), (heading, _w)) in enumerate(
                zip(values, COLUMNS, strict=True), start=1):
            wrapped = heading in _WRAPPED and style == "Log text"
            _write(sheet, number, column, value, "Log wrapped text" if wrapped else style)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}"
                             f"{HEADER_ROW + len(rows)}")
    if not rows:
        _write(sheet, HEADER_ROW + 1, 1, NO_DECISIONS, "Log text")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
