"""The report to the Police and Crime Panel on HMICFRS findings, as a Word document in the house
style on A4 landscape: the title and date, the summary counts (by the force's status, the
Commissioner's assessment, grade and area), then each inspection's findings in a table.

The report arrives worded and ordered (`app.services.findings_dashboard.PanelReport`); this
module only lays it out and never reads the database.
"""

from __future__ import annotations

import io
from datetime import date

from docx.document import Document
from docx.shared import Cm

from app.export.styles import (
    ACTION_DETAIL,
    HEADING_1,
    HEADING_2,
    TABLE_HEADING,
    TITLE,
    WARNING,
    HouseTable,
    Para,
    add_body_paragraph,
    long_date,
    new_document,
    one_line,
    set_core_properties,
    set_page_furniture,
    text_block,
)
from app.services.findings_dashboard import PanelReport, PanelRow

# 25.7 cm of text width on A4 landscape with 2 cm margins.
# "Recommendation 12" and "Superseded" each fit on one line.
FINDING_WIDTHS = (Cm(4.5), Cm(6.8), Cm(3.1), Cm(2.8), Cm(2.4), Cm(2.6), Cm(3.5))
HEADINGS = ("Finding", "What the report says", "Area and grade", "Owner", "Due",
            "Force’s status", "Commissioner’s assessment")
COUNT_WIDTHS = (Cm(7.0), Cm(2.5))
NO_FINDINGS = "No findings match."
NO_OWNER = "No owner"
NO_DUE_DATE = "No due date"


def build_findings_document(report: PanelReport, template: bytes | None = None) -> Document:
    """Lay out the Panel's report as a python-docx Document in the house style, landscape,
    or from the office's Word `template`."""
    document = new_document(language=report.language, landscape=True, template=template)
    set_core_properties(document, title=report.title, subject=report.description,
                        language=report.language, author=report.office_name,
                        category=report.marking)
    set_page_furniture(document, report.marking)
    add_body_paragraph(document, report.title, TITLE)
    add_body_paragraph(document,
                       f"{one_line(report.office_name)}, {long_date(report.generated_on)}")
    if one_line(report.force_name):
        add_body_paragraph(document, f"Force: {one_line(report.force_name)}")
    add_body_paragraph(document, report.description)

    add_body_paragraph(document, "Summary", HEADING_1)
    add_body_paragraph(document, (
        f"{report.current} finding{'' if report.current == 1 else 's'} being followed, "
        f"{report.overdue} overdue. {report.superseded} superseded "
        f"finding{'' if report.superseded == 1 else 's'} "
        f"{'is' if report.superseded == 1 else 'are'} not counted below."))
    for caption, heading, pairs in (
        ("By the force’s status", "Force’s status", report.by_status),
        ("By the Commissioner’s assessment", "Commissioner’s assessment", report.by_assessment),
        ("By grade of the area of the report", "Grade", report.by_grade),
        ("By area of the report", "Area", report.by_area),
    ):
        add_body_paragraph(document, caption, HEADING_2)
        _count_table(document, caption, heading, pairs)
        add_body_paragraph(document, "")  # space before the next heading

    add_body_paragraph(document, "Findings by inspection", HEADING_1)
    if not report.sections:
        add_body_paragraph(document, NO_FINDINGS)
    for section in report.sections:
        published = (f" (published {long_date(section.published_on)})"
                     if section.published_on else "")
        add_body_paragraph(document, f"{one_line(section.title)}{published}", HEADING_2)
        table = HouseTable(
            document, FINDING_WIDTHS, caption=f"Findings of {section.title}",
            description=("One row per finding: its kind and number, its words, the area of "
                         "the report and its grade, owner, due date, the force's status and "
                         "the Commissioner's assessment with the evidence for it."))
        table.add_row([[(h, TABLE_HEADING)] for h in HEADINGS], header=True)
        for row in section.rows:
            table.add_row(_columns(row))  # a finding is not split across pages
    return document


def render_findings_docx(report: PanelReport, template: bytes | None = None) -> bytes:
    """Return the Panel's report as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_findings_document(report, template).save(buffer)
    return buffer.getvalue()


def _count_table(document: Document, caption: str, heading: str,
                 pairs: list[tuple[str, int]]) -> None:
    table = HouseTable(document, COUNT_WIDTHS, caption=caption,
                       description=f"The number of findings {caption.lower()}.")
    table.add_row([[(heading, TABLE_HEADING)], [("Findings", TABLE_HEADING)]], header=True)
    if not pairs:
        table.add_row([[("None", None)], [("0", None)]])
    for label, count in pairs:
        table.add_row([[(one_line(label), None)], [(str(count), None)]])


def _columns(row: PanelRow) -> list[list[Para]]:
    due: list[Para] = [(_short_date(row.due_date) if row.due_date else NO_DUE_DATE, None)]
    if row.due_words:
        # "Overdue by 3 days" in bold words: never colour alone
        due.append((row.due_words, WARNING if row.due_words.startswith("Overdue")
                    else ACTION_DETAIL))
    area: list[Para] = [(one_line(row.area), None)] if one_line(row.area) else []
    area.append((one_line(row.grade), ACTION_DETAIL))
    assessment: list[Para] = [(one_line(row.assessment), TABLE_HEADING)]
    assessment += text_block(row.evidence)
    return [
        [(one_line(row.label), TABLE_HEADING)],
        text_block(row.text) or [("", None)],
        area,
        [(one_line(row.owner) or NO_OWNER, None)],
        due,
        [(one_line(row.force_status), None)],
        assessment,
    ]


def _short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"
