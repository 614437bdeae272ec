"""The report to the Police and Crime Panel on HMICFRS findings as an Excel workbook: a summary
sheet (the counts) and a findings sheet, one row per finding, ready to filter and sort.

The report arrives worded and ordered (`app.services.findings_dashboard.PanelReport`); this
module only lays it out. Cells are written as the action log's are (the same named styles and
writer): text stays text whatever it starts with, so nothing typed into a finding can run as a
formula, and dates are real dates.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import IO

from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# One writer and one set of styles for the office's workbooks (see action_log_xlsx).
from app.export.action_log_xlsx import (
    CHARACTERS_PER_WIDTH,
    LINE_HEIGHT,
    ROW_MAX,
    CellMaker,
    _one_line,
    _set_page,
    _text,
    append_row,
    new_workbook,
)
from app.services.findings_dashboard import PanelReport, PanelRow

SUMMARY_SHEET = "Summary"
FINDINGS_SHEET = "Findings"
# (heading, width in characters, wrapped)
COLUMNS = (
    ("Inspection", 24, True),
    ("Published", 12, False),
    ("Kind", 14, True),
    ("Number", 9, False),
    ("Finding", 50, True),
    ("Area", 20, True),
    ("Grade", 14, True),
    ("Owner", 16, True),
    ("Due", 12, False),
    ("Overdue", 16, True),
    ("Force's status", 14, True),
    ("Commissioner's assessment", 16, True),
    ("Evidence", 34, True),
)
MARKING_ROW, TITLE_ROW, DESCRIPTION_ROW, HEADER_ROW = 1, 2, 3, 4
NO_FINDINGS = "No findings match."


def render_findings_xlsx(report: PanelReport) -> bytes:
    """Return the Panel's report as the bytes of an .xlsx workbook: Summary and Findings."""
    buffer = io.BytesIO()
    write_findings_xlsx(report, buffer)
    return buffer.getvalue()


def write_findings_xlsx(report: PanelReport, out: IO[bytes]) -> None:
    """Write the Panel's report into `out` as an .xlsx workbook, Summary and Findings, row by
    row (openpyxl's write-only mode)."""
    workbook = new_workbook()
    props = workbook.properties
    props.title = _one_line(report.title)
    props.subject = _one_line(report.description)
    props.creator = props.lastModifiedBy = _one_line(report.office_name)
    props.category = _one_line(report.marking)
    props.language = report.language
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    _summary(workbook.create_sheet(SUMMARY_SHEET), report)
    _findings(workbook.create_sheet(FINDINGS_SHEET), report)
    workbook.save(out)


def _heading_rows(sheet: WriteOnlyWorksheet, cells: CellMaker, report: PanelReport,
                  title: str) -> None:
    """The marking, title and description rows (the page and the columns set before)."""
    sheet.append([cells.make(_one_line(report.marking), "Log marking")])
    sheet.append([cells.make(_one_line(title), "Log title")])
    sheet.append([cells.make(_one_line(
        f"{report.office_name}, {report.generated_on.day} {report.generated_on:%B %Y}. "
        f"{report.description}"), "Log description")])


def _summary(sheet: WriteOnlyWorksheet, report: PanelReport) -> None:
    """The figures, then a small table per count: its heading row, then label | number."""
    cells = CellMaker(sheet)
    _set_page(sheet, report.marking)
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 12
    _heading_rows(sheet, cells, report, report.title)
    sheet.append([])  # the header row's place, as on the findings sheet
    for label, count in (("Findings being followed", report.current),
                         ("Overdue", report.overdue),
                         ("Superseded (not counted below)", report.superseded)):
        sheet.append([cells.make(label, "Log text"), cells.make(count, "Log text")])
    for heading, pairs in (("Force's status", report.by_status),
                           ("Commissioner's assessment", report.by_assessment),
                           ("Grade", report.by_grade),
                           ("Area of the report", report.by_area)):
        sheet.append([])
        sheet.append([cells.make(heading, "Log heading"), cells.make("Findings", "Log heading")])
        for label, count in pairs or [("None", 0)]:
            sheet.append([cells.make(_one_line(label), "Log wrapped text"),
                          cells.make(count, "Log text")])


def _findings(sheet: WriteOnlyWorksheet, report: PanelReport) -> None:
    cells = CellMaker(sheet)
    _set_page(sheet, report.marking)
    for column, (_heading, width, _wrapped) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _heading_rows(sheet, cells, report, f"{report.title}: the findings")
    append_row(sheet, HEADER_ROW, [cells.make(heading, "Log heading")
                                   for heading, _w, _wrapped in COLUMNS],
               _height([heading for heading, _w, _wrapped in COLUMNS]))
    number = HEADER_ROW
    for section in report.sections:
        for row in section.rows:
            number += 1
            values = _cells(section.title, section.published_on, row)
            append_row(sheet, number, [
                cells.make(value, "Log date" if column in (2, 9) else
                           "Log wrapped text" if wrapped else "Log text")
                for column, (value, (_h, _w, wrapped)) in enumerate(
                    zip(values, COLUMNS, strict=True), start=1)], _height(values))
    if number == HEADER_ROW:
        sheet.append([cells.make(NO_FINDINGS, "Log text")])
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(number, HEADER_ROW + 1)}"


def _cells(title: str, published_on, row: PanelRow) -> list[object]:
    return [
        _one_line(title), published_on, _one_line(row.kind), _one_line(row.number),
        _text(row.text),
        _one_line(row.area), _one_line(row.grade), _one_line(row.owner), row.due_date,
        _one_line(row.due_words), _one_line(row.force_status), _one_line(row.assessment),
        _text(row.evidence),
    ]


def _height(values: list[object]) -> float | None:
    """The points a row needs to show its wrapped text whole; None (the default) for one line."""
    lines = 1
    for value, (_heading, width, wrapped) in zip(values, COLUMNS, strict=True):
        if wrapped and isinstance(value, str):
            per_line = max(1, int(width * CHARACTERS_PER_WIDTH))
            lines = max(lines, sum(-(-len(line) // per_line) or 1 for line in value.split("\n")))
    return None if lines == 1 else min(ROW_MAX, lines * LINE_HEIGHT + 2)
