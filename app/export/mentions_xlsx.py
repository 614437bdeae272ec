"""Everything about a person (a subject access search) as an Excel workbook: one sheet, one
row per mention, the same rows the page lists.

The rows arrive chosen and redacted for the reader (`app.services.subject_access`); this
module only lays them out, with the action log's styles and its guard against formulas.
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
from app.services.subject_access import Mentions

SHEET = "Mentions"
COLUMNS = (
    ("Date", 12),
    ("Meeting", 30),
    ("Kind", 16),
    ("Where", 30),
    ("How named", 22),
    ("Text", 70),
    ("Exempt", 8),
    ("Link", 24),
)
NO_MENTIONS = "No mentions found in these dates."
_WRAPPED = {"Meeting", "Where", "How named", "Text"}


def render_mentions_xlsx(found: Mentions, *, title: str, marking: str) -> bytes:
    """Return the search's mentions as the bytes of an .xlsx workbook with one sheet."""
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
    for row in found.rows:
        values: list[tuple[object, str]] = [
            (to_london(row.when).date(), "Log date"),
            (_one_line(row.meeting), "Log text"),
            (row.kind_words, "Log text"),
            (_one_line(row.where), "Log text"),
            (row.how_words, "Log text"),
            (_text(row.text), "Log text"),
            ("Yes" if row.exempt else "No", "Log text"),
            (row.url, "Log text"),
        ]
        sheet.append([
            cells.make(value, "Log wrapped text"
                       if heading in _WRAPPED and style == "Log text" else style)
            for (value, style), (heading, _w) in zip(values, COLUMNS, strict=True)])
    if not found.rows:
        sheet.append([cells.make(NO_MENTIONS, "Log text")])
    sheet.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}"
                             f"{HEADER_ROW + len(found.rows)}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
