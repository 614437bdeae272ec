"""The report to the Police and Crime Panel on HMICFRS findings, read back: the Word document
(title, date, counts, a table per inspection) and the workbook (a summary sheet and a findings
sheet with a header row, frozen panes, filters, dates as dates, text that never runs as a
formula). Built from the made-up register of tests/services/test_findings_dashboard.py."""

import io
from datetime import date, timedelta

import docx
from openpyxl import load_workbook

from app.export.findings_docx import render_findings_docx
from app.export.findings_xlsx import render_findings_xlsx
from app.services.findings_dashboard import DashboardFilters, panel_report
from tests.export.reading import (
    body_text,
    field_codes,
    furniture_text,
    is_header_row,
    table_texts,
    under_heading,
)
from tests.factories import SYSTEM
from tests.services.test_findings_dashboard import TODAY, make_register

TITLE = "HMICFRS findings – report to the Police and Crime Panel"
PEEL = "PEEL 2023–2025: Staffordshire Police"
ROADS = "Roads policing: summary"


def _report(session, **filters):
    made = make_register(session)
    return made, panel_report(session, by=SYSTEM, filters=DashboardFilters(**filters),
                              today=TODAY)


def test_docx_title_date_counts_and_tables(session):
    _made, report = _report(session)
    document = docx.Document(io.BytesIO(render_findings_docx(report)))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert (paragraphs[0].text, paragraphs[0].style.name) == (TITLE, "Heading 1")
    assert "20 June 2025" in paragraphs[1].text
    assert document.core_properties.title == TITLE
    assert document.core_properties.language == "en-GB"
    assert furniture_text(document)[0] == "OFFICIAL"
    assert [c.split()[0] for c in field_codes(document.sections[0].footer._element)] == [
        "PAGE", "NUMPAGES"]

    summary = under_heading(document, "Summary")
    assert summary[0].text.startswith("5 findings being followed, 2 overdue. 2 superseded")
    by_status = under_heading(document, "By the force’s status")[0]
    assert table_texts(by_status) == [["Force’s status", "Findings"], ["Not started", "2"],
                                      ["In progress", "2"], ["Complete", "1"]]
    assert is_header_row(by_status.rows[0])
    by_grade = under_heading(document, "By grade of the area of the report")[0]
    assert table_texts(by_grade)[1:] == [["Adequate", "1"], ["Requires improvement", "2"],
                                         ["Not graded", "2"]]
    by_area = under_heading(document, "By area of the report")[0]
    assert ["Investigating crime", "2"] in table_texts(by_area)

    peel = under_heading(document, f"{PEEL} (published 1 September 2024)")[0]
    rows = table_texts(peel)
    assert rows[0] == ["Finding", "What the report says", "Area and grade", "Owner", "Due",
                       "Force’s status", "Commissioner’s assessment"]
    assert is_header_row(peel.rows[0])
    assert len(rows) == 1 + 4
    first = rows[1]
    assert first[0] == "Area for improvement"
    assert first[2] == "Investigating crime\nRequires improvement"
    assert first[3] == "Detective Superintendent Jones"
    assert first[4] == f"{TODAY - timedelta(days=10):%d/%m/%Y}\nOverdue by 10 days"
    assert first[6] == "Partly satisfied\nAction plan seen in May."
    roads = under_heading(document, f"{ROADS} (published 14 March 2024)")[0]
    assert [r[0] for r in table_texts(roads)[1:]] == [
        "Recommendation 4", "Recommendation 6", "Cause of concern"]
    assert table_texts(roads)[2][5] == "Superseded"


def test_docx_with_no_findings_says_so(session):
    report = panel_report(session, by=SYSTEM, filters=DashboardFilters(), today=TODAY)
    document = docx.Document(io.BytesIO(render_findings_docx(report)))
    assert "No findings match." in body_text(document)


def test_xlsx_summary_and_findings_sheets(session):
    made, report = _report(session)
    workbook = load_workbook(io.BytesIO(render_findings_xlsx(report)))
    assert workbook.sheetnames == ["Summary", "Findings"]
    summary = workbook["Summary"]
    assert summary["A2"].value == TITLE
    values = [(r[0], r[1]) for r in summary.iter_rows(min_row=5, max_col=2, values_only=True)
              if r[0]]
    assert values[:3] == [("Findings being followed", 5), ("Overdue", 2),
                          ("Superseded (not counted below)", 2)]
    assert ("Not started", 2) in values and ("Requires improvement", 2) in values
    assert ("Not graded", 2) in values and ("Investigating crime", 2) in values

    sheet = workbook["Findings"]
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["Inspection", "Published", "Kind", "Number", "Finding"]
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:M11"
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 7
    first = dict(zip(header, rows[0], strict=True))
    assert first["Inspection"] == PEEL
    assert first["Published"].date() == date(2024, 9, 1)  # a real date, not text
    assert first["Due"].date() == TODAY - timedelta(days=10)
    assert first["Overdue"] == "Overdue by 10 days"
    assert first["Grade"] == "Requires improvement"
    assert sheet.cell(5, 2).number_format == "DD/MM/YYYY"
    recommendation = dict(zip(header, rows[4], strict=True))
    assert (recommendation["Kind"], recommendation["Number"]) == ("Recommendation", "4")


def test_xlsx_text_that_looks_like_a_formula_stays_text(session):
    made, report = _report(session)
    sheet = load_workbook(io.BytesIO(render_findings_xlsx(report)))["Findings"]
    finding_column = 5
    cells = [sheet.cell(row, finding_column) for row in range(5, sheet.max_row + 1)]
    formula_like = [c for c in cells if str(c.value).startswith("=")]
    assert len(formula_like) == 1
    cell = formula_like[0]
    assert cell.value == made["r3"].text
    assert cell.data_type == "s" and cell.quotePrefix


def test_xlsx_with_no_findings_says_so(session):
    report = panel_report(session, by=SYSTEM, filters=DashboardFilters(), today=TODAY)
    sheet = load_workbook(io.BytesIO(render_findings_xlsx(report)))["Findings"]
    assert sheet["A5"].value == "No findings match."
