"""The Commissioner's section 55 response as a Word document, in the office's published form.

The first sections sit in a two-column table, the section's name in a narrow left cell and its
content on the right (summary, grade, causes of concern, recommendations, areas for
improvement); the responses follow as headed sections of the page. The response arrives loaded
and worded (`app.services.s55_response`); this module only lays it out.
"""

from __future__ import annotations

import io

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from app.export.styles import (
    BULLET,
    HEADING_1,
    HEADING_2,
    ITEM_NUMBER,
    NOTICE,
    TITLE,
    HouseTable,
    Para,
    add_body_paragraph,
    new_document,
    one_line,
    set_core_properties,
    set_page_furniture,
    text_block,
)
from app.services.s55_response import HEADINGS, NOT_GRADED, ResponseFinding, S55Response
from app.services.text import minutes_lines

# 17 cm of text width on A4 with 2 cm margins: "Areas for improvement" breaks after "for",
# as in the office's own documents.
LABEL_WIDTHS = (Cm(4.2), Cm(12.8))
SECTION = HEADING_1  # Word's "Heading 2": the title is Heading 1
FINDING = HEADING_2  # "Recommendation 4": Word's "Heading 3"
NOT_WRITTEN = "Not yet written."
NOT_RECEIVED = "Not yet received."
PCC_RESPONSE = "The Commissioner's response"


def build_s55_response_document(response: S55Response, template: bytes | None = None) -> Document:
    """Lay out the s55 `response` as a python-docx Document in the house style,
    or from the office's Word `template`."""
    document = new_document(language=response.language, template=template)
    set_core_properties(document, title=response.title, subject="Section 55 response",
                        language=response.language, author=response.office_name,
                        category=response.marking)
    set_page_furniture(document, response.marking)
    add_body_paragraph(document, response.title, TITLE)
    add_body_paragraph(document, response.statement)
    _add_report_table(document, response)
    add_body_paragraph(document, "")  # space after the table, and no table joins it
    _section(document, HEADINGS["pcc_initial_response"],
             text_block(response.pcc_initial_response) or [(NOT_WRITTEN, NOTICE)])
    _section(document, HEADINGS["cc_response"], text_block(response.cc_response_intro))
    for finding in response.responded:
        _add_paras(document, [(finding.label, FINDING), *_quoted(finding.text)])
        if finding.superseded_by:
            _add_paras(document, [(_superseded(finding), NOTICE)])
        else:
            _add_paras(document, text_block(finding.cc_response) or [(NOT_RECEIVED, NOTICE)])
    _section(document, HEADINGS["pcc_overall_comments"],
             text_block(response.pcc_overall_comments) or [(NOT_WRITTEN, NOTICE)])
    return document


def render_s55_response(response: S55Response, template: bytes | None = None) -> bytes:
    """Return the s55 `response` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_s55_response_document(response, template).save(buffer)
    return buffer.getvalue()


def _add_report_table(document: Document, response: S55Response) -> None:
    table = HouseTable(
        document,
        LABEL_WIDTHS,
        caption="The inspection",
        description=("The report in brief: the name of each section on the left, its content "
                     "on the right."),
    )
    rows: list[tuple[str, list[Para]]] = [
        (HEADINGS["summary"], text_block(response.summary) or [(NOT_WRITTEN, NOTICE)]),
        (HEADINGS["grade"], _grade(response)),
    ]
    if response.causes:
        rows.append((HEADINGS["causes"], _findings(response.causes)))
    rows.append((HEADINGS["recommendations"],
                 text_block(response.recommendations_intro) + _findings(response.recommendations)
                 or [("None.", None)]))
    rows.append((HEADINGS["afis"], [
        (f"{one_line(f.text)} ({_superseded(f)})" if f.superseded_by else line, style)
        for f in response.afis for line, style in _one_paragraph(f.text, BULLET)
    ] or [("None.", None)]))
    for label, content in rows:
        table.add_row([[(label, SECTION)], content], split=True)
        _let_go(table._tbl[-1])


def _let_go(row) -> None:
    """The label of a row is a real heading, but not kept with the next paragraph: in a table,
    LibreOffice keeps the whole table with what follows it and leaves a blank first page."""
    ppr = row.find(qn("w:tc")).find(qn("w:p")).find(qn("w:pPr"))
    ppr.append(OxmlElement("w:keepNext", {qn("w:val"): "0"}))


def _grade(response: S55Response) -> list[Para]:
    paras: list[Para] = []
    if one_line(response.grade):
        paras.append((one_line(response.grade), None))
    for area, grade in response.judgments:
        paras.append((f"{one_line(area)}: {one_line(grade)}", None))
    return paras or [(NOT_GRADED, None)]


def _findings(findings: list[ResponseFinding]) -> list[Para]:
    """Each finding's label and text, then the Commissioner's response to it."""
    paras: list[Para] = []
    for finding in findings:
        paras.append((finding.label, FINDING))
        paras += text_block(finding.text)
        if finding.superseded_by:
            paras.append((_superseded(finding), NOTICE))
        elif text_block(finding.pcc_response):
            paras.append((PCC_RESPONSE, ITEM_NUMBER))
            paras += text_block(finding.pcc_response)
    return paras


def _quoted(text: str) -> list[Para]:
    """A recommendation quoted before the Chief Constable's answer: in italics throughout, its
    own bullets kept as "• " lines, so they are not mistaken for the bullets of the answer."""
    return [(f"• {line}" if bullet else line, NOTICE) for bullet, line in minutes_lines(text)]


def _one_paragraph(text: str, style: str) -> list[Para]:
    """A finding's text as one bullet, however it was wrapped."""
    return [(one_line(text), style)] if one_line(text) else []


def _superseded(finding: ResponseFinding) -> str:
    return f"Superseded by {finding.superseded_by}."


def _section(document: Document, heading: str, paras: list[Para]) -> None:
    """A response section: its heading set apart from the section before (the house's
    headings have no space before; here a section's heading would look like a finding's)."""
    p = add_body_paragraph(document, heading, SECTION)
    p.find(qn("w:pPr")).append(OxmlElement("w:spacing", {qn("w:before"): "240"}))
    _add_paras(document, paras)


def _add_paras(document: Document, paras: list[Para]) -> None:
    for text, style in paras:
        add_body_paragraph(document, text, style)
