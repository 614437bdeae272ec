"""The action log as an Excel workbook: one sheet, one row per action, ready to filter and sort.

The log arrives with its rows chosen, ordered and worded (`app.services.action_log`); this
module only lays it out and never reads the database. Text is written as text whatever it
starts with, so nothing typed into an action can run as a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import io
from copy import copy
from datetime import UTC, date, datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from app.services.action_log import ActionLog, LogRow
from app.services.text import looks_like_formula, strip_control

SHEET = "Action log"
# (heading, width in characters)
COLUMNS = (
    ("Reference", 13),
    ("Raised", 12),
    ("Meeting", 30),
    ("Action", 50),
    ("Owners", 14),
    ("Lead owner", 11),
    ("Due", 12),
    ("Status", 18),
    ("RAG", 8),
    ("Latest update", 50),
    ("Latest update on", 18),
    ("Exempt", 8),
)
MARKING_ROW, TITLE_ROW, DESCRIPTION_ROW, HEADER_ROW = 1, 2, 3, 4
NO_ACTIONS = "No actions match."
DATE_FORMAT = "DD/MM/YYYY"
CELL_MAX = 32_767  # characters Excel holds in one cell
# Calc does not size rows to wrapped text on opening a workbook, so each row is given the height
# its longest cell needs: lines of 11 pt Arial, about 1.2 characters per unit of column width
# (a unit is the width of a digit), a little under what fits, so no text is cut off.
LINE_HEIGHT = 14.5  # points
CHARACTERS_PER_WIDTH = 1.2
ROW_MAX = 409  # points: Excel's tallest row

FONT = "Arial"
# Light tints, as in the Word documents: black text keeps its contrast, and the RAG column
# says the rating in words.
_RAG_FILLS = {"red": "F4CCCC", "amber": "FCE5CD", "green": "D9EAD3"}
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_STYLES = (
    NamedStyle("Log marking", font=Font(name=FONT, size=11, bold=True)),
    NamedStyle("Log title", font=Font(name=FONT, size=14, bold=True)),
    NamedStyle("Log description", font=Font(name=FONT, size=11)),
    NamedStyle(
        "Log heading",
        font=Font(name=FONT, size=11, bold=True),
        alignment=_WRAP,
        fill=PatternFill("solid", fgColor="D9D9D9"),
        border=Border(bottom=Side(style="thin")),
    ),
    NamedStyle("Log text", font=Font(name=FONT, size=11), alignment=_TOP),
    NamedStyle("Log wrapped text", font=Font(name=FONT, size=11), alignment=_WRAP),
    NamedStyle(  # left-aligned like the text, rather than a number's right
        "Log date",
        font=Font(name=FONT, size=11),
        alignment=Alignment(horizontal="left", vertical="top"),
        number_format=DATE_FORMAT,
    ),
    *(
        NamedStyle(
            f"Log RAG {rag}",
            font=Font(name=FONT, size=11, bold=True),
            alignment=_TOP,
            fill=PatternFill("solid", fgColor=fill),
        )
        for rag, fill in _RAG_FILLS.items()
    ),
)
_WRAPPED = {"Meeting", "Action", "Owners", "Status", "Latest update"}


def render_action_log_xlsx(log: ActionLog) -> bytes:
    """Return the action `log` as the bytes of an .xlsx workbook with one sheet."""
    buffer = io.BytesIO()
    write_action_log_xlsx(log, buffer)
    return buffer.getvalue()


def write_action_log_xlsx(log: ActionLog, out: IO[bytes]) -> None:
    """Write the action `log` into `out` as an .xlsx workbook with one sheet, row by row
    (openpyxl's write-only mode: a row is written out as it is made, not kept)."""
    workbook = new_workbook()
    _set_properties(workbook, log)
    sheet = workbook.create_sheet(SHEET)
    cells = CellMaker(sheet)
    _set_page(sheet, log.marking)
    # What comes before the rows in the file is set before the first row is written.
    for column, (_heading, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.append([cells.make(_one_line(log.marking), "Log marking")])
    sheet.append([cells.make(_one_line(log.title), "Log title")])
    sheet.append([cells.make(_one_line(log.description), "Log description")])
    sheet.append([cells.make(heading, "Log heading") for heading, _width in COLUMNS])
    for number, row in enumerate(log.rows, start=HEADER_ROW + 1):
        values = _cells(row)
        append_row(sheet, number, [cells.make(value, style) for value, style in values],
                   _height(values))
    last_row = HEADER_ROW + len(log.rows)
    if not log.rows:
        sheet.append([cells.make(NO_ACTIONS, "Log text")])
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last_row}"
    workbook.save(out)


def new_workbook() -> Workbook:
    """An empty write-only workbook with the office's named styles."""
    workbook = Workbook(write_only=True)
    for style in _STYLES:
        workbook.add_named_style(style)
    return workbook


def append_row(sheet: WriteOnlyWorksheet, number: int, cells: list[WriteOnlyCell],
               height: float | None) -> None:
    """Write row `number` with its `height` (None: the sheet's own), keeping nothing of it."""
    if height is not None:
        sheet.row_dimensions[number].height = height
    sheet.append(cells)
    sheet.row_dimensions.pop(number, None)  # written: a long log keeps no row's size


class CellMaker:
    """Makes a sheet's cells: a date as an Excel date, text always as text, each in a named
    style. A style is looked up once per sheet and copied to each cell after (naming it
    on every cell is most of the time of writing a large sheet)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self._sheet = sheet
        self._styles: dict[tuple[str, bool, bool], StyleArray] = {}

    def make(self, value: object, style: str) -> WriteOnlyCell:
        """A cell holding `value` (text, a date or a count; nothing when empty) in the named
        `style`."""
        cell = WriteOnlyCell(self._sheet)
        quoted = False
        if isinstance(value, date | int):
            cell.value = value
        elif value:
            text = str(value)[:CELL_MAX]
            cell.value = text  # openpyxl takes a leading "=" for a formula: undone here
            cell.data_type = "s"
            quoted = looks_like_formula(text)
        key = (style, isinstance(value, date), quoted)
        if key not in self._styles:
            self._styles[key] = self._style_of(*key)
        cell._style = copy(self._styles[key])
        return cell

    def _style_of(self, style: str, is_date: bool, quoted: bool) -> StyleArray:
        cell = WriteOnlyCell(self._sheet)
        cell.style = style
        if is_date:
            cell.number_format = DATE_FORMAT
        if quoted:
            # Excel's own mark for "this is text" (what a typed apostrophe sets): the value
            # stays as written and stays text if someone edits the cell.
            cell.quotePrefix = True
        return cell._style


def _cells(row: LogRow) -> list[tuple[object, str]]:
    """The row's values in the order of COLUMNS, each with its named style."""
    owners = [label for label in map(_one_line, row.owners) if label]
    rag = _one_line(row.rag)
    rag_style = f"Log RAG {rag.lower()}" if rag.lower() in _RAG_FILLS else "Log text"
    values: list[tuple[object, str]] = [
        (_one_line(row.reference), "Log text"),
        (row.raised_on, "Log date"),
        (_one_line(row.meeting), "Log text"),
        (_text(row.text), "Log text"),
        (", ".join(owners), "Log text"),
        (owners[0] if owners else "", "Log text"),
        (row.due_date, "Log date"),
        (_one_line(row.status), "Log text"),
        (rag.capitalize(), rag_style),
        (_text(row.latest_update), "Log text"),
        (row.latest_update_on, "Log date"),
        ("Yes" if row.exempt else "No", "Log text"),
    ]
    return [
        (value, "Log wrapped text" if heading in _WRAPPED and style == "Log text" else style)
        for (value, style), (heading, _width) in zip(values, COLUMNS, strict=True)
    ]


def _height(cells: list[tuple[object, str]]) -> float | None:
    """The points a row needs to show its wrapped text whole; None (the default) for one line."""
    lines = 1
    for (value, style), (_heading, width) in zip(cells, COLUMNS, strict=True):
        if style == "Log wrapped text" and isinstance(value, str):
            per_line = max(1, int(width * CHARACTERS_PER_WIDTH))
            lines = max(lines, sum(-(-len(line) // per_line) or 1 for line in value.split("\n")))
    return None if lines == 1 else min(ROW_MAX, lines * LINE_HEIGHT + 2)


def _one_line(text: str | None) -> str:
    return " ".join(strip_control(text or "").split()).strip()


def _text(text: str | None) -> str:
    """Typed text with its line breaks, which the cell wraps at, and no trailing blank lines."""
    lines = [line.rstrip() for line in strip_control(text or "").split("\n")]
    return "\n".join(lines).strip("\n")


def _set_page(sheet: WriteOnlyWorksheet, marking: str) -> None:
    """Print on A4 landscape, one page wide, the header row on each page, marked top and bottom."""
    marking = _one_line(marking).replace("&", "&&")  # "&" starts a code in headers
    for part in (sheet.oddHeader.center, sheet.oddFooter.center):
        part.text = marking
        part.font = f"{FONT},Bold"
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.oddFooter.right.font = FONT
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _set_properties(workbook: Workbook, log: ActionLog) -> None:
    props = workbook.properties
    props.title = _one_line(log.title)
    props.subject = _one_line(log.description) or "Action log"
    props.creator = props.lastModifiedBy = _one_line(log.office_name)
    props.category = _one_line(log.marking)
    props.language = log.language
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
