"""A one-sheet register workbook (the decisions register, a person's mentions): a marking, a
title, a heading row with filters and one row per record, in the action log's styles and with
its guard against formulas. The caller gives each row's cells and their styles; what a row
holds was chosen and redacted for the reader by the services before it arrives here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter

from app.export.action_log_xlsx import HEADER_ROW, CellMaker, _one_line, _set_page, new_workbook

Cell = tuple[object, str]  # a value and its named style ("Log text", "Log date"…)


def render_register_xlsx(*, sheet_name: str, columns: Sequence[tuple[str, int]],
                         wrapped: set[str], rows: Iterable[Sequence[Cell]], empty: str,
                         title: str, marking: str) -> bytes:
    """The bytes of an .xlsx workbook of one sheet: `columns` (heading, width), then `rows`;
    the text cells of the `wrapped` columns wrap; `empty` when there is no row."""
    workbook = new_workbook()
    workbook.properties.title = _one_line(title)
    sheet = workbook.create_sheet(sheet_name)
    cells = CellMaker(sheet)
    _set_page(sheet, marking)
    for column, (_heading, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.append([cells.make(_one_line(marking), "Log marking")])
    sheet.append([cells.make(_one_line(title), "Log title")])
    sheet.append([])
    sheet.append([cells.make(heading, "Log heading") for heading, _width in columns])
    count = 0
    for values in rows:
        sheet.append([
            cells.make(value, "Log wrapped text"
                       if heading in wrapped and style == "Log text" else style)
            for (value, style), (heading, _w) in zip(values, columns, strict=True)])
        count += 1
    if not count:
        sheet.append([cells.make(empty, "Log text")])
    sheet.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(columns))}"
                             f"{HEADER_ROW + count}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
