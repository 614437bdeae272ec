"""The action log .xlsx, read back with openpyxl (and, where installed, through LibreOffice)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from app.export.action_log_xlsx import render_action_log_xlsx
from app.services.action_log import ActionLog, LogRow

TITLE = "Action log – 22 November 2026"
DESCRIPTION = "Open actions, all owners, sorted by due date"
MEETING = "Monthly Assurance Meeting April 2019"
HEADINGS = [
    "Reference",
    "Raised",
    "Meeting",
    "Action",
    "Owners",
    "Lead owner",
    "Due",
    "Status",
    "RAG",
    "Latest update",
    "Latest update on",
    "Exempt",
]
HEADER_ROW = 4
FORMULA_LIKE = [
    '=HYPERLINK("http://example.com/x","Click here")',
    "+44 1905 331545",
    "-5 officers on the late shift",
    "@risk of slippage",
]


def make_row(**overrides) -> LogRow:
    fields = dict(
        reference="A/2019/001",
        raised_on=date(2019, 4, 30),
        meeting=MEETING,
        text="Provide a breakdown of roads policing officers by shift pattern.",
        owners=["DCC", "NA"],
        due_date=date(2019, 5, 28),
        status="Open",
        rag="Red",
        latest_update="Data requested from the force analyst.",
        latest_update_on=date(2019, 5, 1),
    )
    return LogRow(**(fields | overrides))


def make_log(**overrides) -> ActionLog:
    fields = dict(
        title=TITLE,
        office_name="Office of the Police and Crime Commissioner for West Mercia",
        marking="OFFICIAL",
        description=DESCRIPTION,
        generated_on=date(2026, 11, 22),
        rows=[make_row()],
    )
    return ActionLog(**(fields | overrides))


def read_back(log: ActionLog):
    return openpyxl.load_workbook(io.BytesIO(render_action_log_xlsx(log)))


def sheet_of(log: ActionLog):
    return read_back(log)["Action log"]


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def action_cells(row: LogRow) -> list:
    """The cells of the one action row of a log holding `row`."""
    return list(sheet_of(make_log(rows=[row]))[HEADER_ROW + 1])


@pytest.fixture(scope="module")
def workbook():
    return read_back(make_log())


@pytest.fixture(scope="module")
def sheet(workbook):
    return workbook["Action log"]


def test_one_sheet_named_action_log(workbook):
    assert workbook.sheetnames == ["Action log"]


def test_marking_title_and_description_above_the_table(sheet):
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == ["OFFICIAL", TITLE, DESCRIPTION]
    assert sheet["A1"].font.b and sheet["A2"].font.b
    assert sheet["A2"].font.sz > sheet["A3"].font.sz


def test_header_row_is_bold_and_names_the_columns(sheet):
    assert values(sheet, HEADER_ROW) == HEADINGS
    assert all(cell.font.b for cell in sheet[HEADER_ROW])


def test_panes_freeze_below_the_header_row_and_filter_covers_the_table():
    rows = [make_row(reference=f"A/2019/{n:03}") for n in range(1, 4)]
    sheet = sheet_of(make_log(rows=rows))
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:L7"
    assert sheet.print_title_rows == "$4:$4"


def test_a_row_holds_every_column_in_order(sheet):
    assert values(sheet, HEADER_ROW + 1) == [
        "A/2019/001",
        datetime(2019, 4, 30),
        MEETING,
        "Provide a breakdown of roads policing officers by shift pattern.",
        "DCC, NA",
        "DCC",
        datetime(2019, 5, 28),
        "Open",
        "Red",
        "Data requested from the force analyst.",
        datetime(2019, 5, 1),
        "No",
    ]


def test_dates_are_date_cells_shown_day_first(sheet):
    for column in ("B", "G", "K"):
        cell = sheet[f"{column}{HEADER_ROW + 1}"]
        assert cell.is_date, column
        assert cell.number_format == "DD/MM/YYYY", column


def test_missing_dates_meeting_owners_and_update_leave_blank_cells():
    cells = action_cells(
        make_row(
            raised_on=None,
            meeting="",
            owners=[],
            due_date=None,
            latest_update="",
            latest_update_on=None,
        )
    )
    by_heading = dict(zip(HEADINGS, (c.value for c in cells), strict=True))
    for heading in ("Raised", "Meeting", "Owners", "Lead owner", "Due", "Latest update"):
        assert by_heading[heading] is None, heading
    assert by_heading["Latest update on"] is None


def test_owners_are_joined_lead_first_and_the_lead_has_its_own_column():
    cells = action_cells(make_row(owners=["CC", "DCC", "ACC"]))
    assert (cells[4].value, cells[5].value) == ("CC, DCC, ACC", "CC")


def test_status_and_rag_in_words_the_rag_cell_shaded_too():
    fills = set()
    for rag in ("Red", "Amber", "Green"):
        cells = action_cells(make_row(status="In progress", rag=rag.lower()))
        assert (cells[7].value, cells[8].value) == ("In progress", rag)
        fills.add(cells[8].fill.fgColor.rgb)
    assert len(fills) == 3
    closed = action_cells(make_row(status="Closed", rag=None))
    assert (closed[7].value, closed[8].value) == ("Closed", None)


def test_exempt_column_says_yes_or_no():
    rows = [make_row(), make_row(reference="A/2019/002", exempt=True)]
    sheet = sheet_of(make_log(rows=rows))
    assert [sheet.cell(r, 12).value for r in (5, 6)] == ["No", "Yes"]


def test_action_and_update_keep_their_lines_and_wrap():
    cells = action_cells(make_row(text="First line\r\nSecond line", latest_update="A\n\nB\n"))
    assert cells[3].value == "First line\nSecond line"
    assert cells[9].value == "A\n\nB"
    assert cells[3].alignment.wrap_text and cells[9].alignment.wrap_text


def test_formula_looking_text_stays_text():
    rows = [
        make_row(reference=f"A/2019/00{n}", text=text, latest_update=text, meeting=text)
        for n, text in enumerate(FORMULA_LIKE, start=1)
    ]
    content = render_action_log_xlsx(make_log(rows=rows))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Action log"]
    for n, text in enumerate(FORMULA_LIKE, start=HEADER_ROW + 1):
        for column in ("C", "D", "J"):
            cell = sheet[f"{column}{n}"]
            assert (cell.value, cell.data_type) == (text, "s"), cell.coordinate
            assert cell.quotePrefix, cell.coordinate  # Excel's mark for typed-as-text
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")


def test_control_characters_are_stripped_and_the_rest_kept():
    awkward = "Fish & chips <b>£5</b> – “quoted” ’n’ 🚓 Siân"
    row = make_row(
        reference="A/2019/0\x0701",
        meeting=f"Meeting\x00 {awkward}",
        text=f"Bell\x07 escape\x1b {awkward}",
        owners=["D\x1bCC"],
        latest_update=f"Update\x0b\x0c {awkward}\x7f",
    )
    sheet = sheet_of(make_log(title=f"Action log\x00 {awkward}", rows=[row]))
    assert sheet["A2"].value == f"Action log {awkward}"
    assert [c.value for c in sheet[HEADER_ROW + 1]][:6] == [
        "A/2019/001",
        datetime(2019, 4, 30),
        f"Meeting {awkward}",
        f"Bell escape {awkward}",
        "DCC",
        "DCC",
    ]
    assert sheet["J5"].value == f"Update {awkward}"


def test_rows_are_tall_enough_for_their_wrapped_text():
    rows = [
        make_row(meeting="AOB", text="Short.", latest_update="", latest_update_on=None),
        make_row(text="One line\nTwo\nThree\nFour"),
        make_row(text="word " * 60),  # 300 characters in a column 50 digits wide
    ]
    sheet = sheet_of(make_log(rows=rows))
    heights = [sheet.row_dimensions[n].height for n in (5, 6, 7)]
    assert heights[0] is None  # one line: the sheet's own height
    assert heights[1] >= 4 * 14
    assert heights[2] >= 5 * 14


def test_text_longer_than_a_cell_holds_is_cut_to_fit():
    cells = action_cells(make_row(text="x" * 40_000))
    assert len(cells[3].value) == 32_767


def test_empty_log_has_the_header_row_and_says_no_actions_match():
    sheet = sheet_of(make_log(rows=[]))
    assert values(sheet, HEADER_ROW) == HEADINGS
    assert sheet.cell(HEADER_ROW + 1, 1).value == "No actions match."
    assert sheet.auto_filter.ref == "A4:L4"


def test_columns_have_sensible_widths(sheet):
    widths = {h: sheet.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(HEADINGS)}
    assert widths["Action"] >= 40 and widths["Latest update"] >= 40
    assert all(width >= 8 for width in widths.values())


def test_printed_pages_carry_the_marking_and_page_numbers(sheet):
    assert sheet.oddHeader.center.text == "OFFICIAL"
    assert sheet.oddFooter.center.text == "OFFICIAL"
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)


def test_an_ampersand_in_the_marking_is_printed_not_taken_for_a_code():
    sheet = sheet_of(make_log(marking="OFFICIAL & SENSITIVE"))
    assert sheet["A1"].value == "OFFICIAL & SENSITIVE"
    assert sheet.oddHeader.center.text == "OFFICIAL && SENSITIVE"


def test_workbook_properties(workbook):
    props = workbook.properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    assert props.creator == "Office of the Police and Crime Commissioner for West Mercia"
    assert props.category == "OFFICIAL"


# --- as a reader sees it: opened by LibreOffice Calc ------------------------------------------


def calc_csv(content: bytes, work: Path) -> list[list[str]]:
    """The sheet as LibreOffice Calc shows it, saved as UTF-8 CSV (skips without Calc)."""
    soffice = shutil.which("soffice")
    install = "apt-get install libreoffice-calc-nogui"
    if not soffice:
        pytest.skip(f"opening the workbook needs LibreOffice Calc ({install})")
    if not (Path(os.path.realpath(soffice)).parent / "libsclo.so").exists():
        pytest.skip(f"LibreOffice is installed without Calc ({install})")
    source = work / "action-log.xlsx"
    source.write_bytes(content)
    converted = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{work / 'lo-profile'}",  # a private profile
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",  # comma, double quote, UTF-8
            "--outdir",
            str(work),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=240,
    )
    result = source.with_suffix(".csv")
    assert result.exists(), f"LibreOffice made no CSV: {converted.stdout}{converted.stderr}"
    return list(csv.reader(io.StringIO(result.read_text(encoding="utf-8"))))


def test_calc_shows_formula_looking_text_as_typed_and_dates_day_first(tmp_path):
    rows = [
        make_row(reference=f"A/2019/00{n}", text=text, latest_update=f"{text} £5 “ok” 🚓")
        for n, text in enumerate(FORMULA_LIKE, start=1)
    ]
    shown = calc_csv(render_action_log_xlsx(make_log(rows=rows)), tmp_path)
    assert shown[HEADER_ROW - 1] == HEADINGS
    actions = shown[HEADER_ROW:]
    assert [row[3] for row in actions] == FORMULA_LIKE
    assert [row[9] for row in actions] == [f"{text} £5 “ok” 🚓" for text in FORMULA_LIKE]
    assert actions[0][:2] == ["A/2019/001", "30/04/2019"]
    assert actions[0][6] == "28/05/2019"
