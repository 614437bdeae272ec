"""The action log .docx, read back with python-docx (and, where installed, through LibreOffice)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm

from app.export.action_log_docx import build_action_log_document, render_action_log
from app.services.action_log import ActionLog, LogRow
from tests.export.reading import (
    cell_paragraphs,
    field_codes,
    is_header_row,
    pdf_pages,
    table_texts,
)

TITLE = "Action log – 22 November 2026"
DESCRIPTION = "Open actions, all owners, sorted by due date"
MEETING = "Monthly Assurance Meeting April 2019"
HEADINGS = ["Ref", "Raised", "Action", "Owner", "Due", "Status", "Latest update"]


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
    return docx.Document(io.BytesIO(render_action_log(log)))


def only_row(row: LogRow) -> list[str]:
    """The cells of the one action row of a log holding `row`."""
    return table_texts(read_back(make_log(rows=[row])).tables[0])[1]


@pytest.fixture(scope="module")
def reference_doc():
    return read_back(make_log())


def test_title_is_a_heading_and_the_description_follows(reference_doc):
    title, description = reference_doc.paragraphs[:2]
    assert (title.text, title.style.name) == (TITLE, "Heading 1")
    assert (description.text, description.style.name) == (DESCRIPTION, "Normal")


def test_page_is_a4_landscape(reference_doc):
    section = reference_doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Cm(29.7)) < Cm(0.01)  # stored in twips
    assert abs(section.page_height - Cm(21.0)) < Cm(0.01)


def test_table_fills_the_landscape_text_width_with_fixed_columns(reference_doc):
    tbl = reference_doc.tables[0]._tbl
    assert tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
    widths = [col.w for col in tbl.tblGrid.gridCol_lst]
    assert len(widths) == 7
    assert abs(sum(widths) - Cm(29.7 - 4.0)) < Cm(0.01)
    assert widths[2] == max(widths)  # the action itself


def test_header_row_names_the_columns_and_is_marked_to_repeat(reference_doc):
    table = reference_doc.tables[0]
    assert table_texts(table)[0] == HEADINGS
    assert is_header_row(table.rows[0])
    assert not any(is_header_row(row) for row in table.rows[1:])
    assert {p.style.name for c in table.rows[0].cells for p in c.paragraphs} == {"Table Heading"}


def test_a_row_shows_every_column_in_order(reference_doc):
    assert table_texts(reference_doc.tables[0])[1] == [
        "A/2019/001",
        f"30/04/2019\n{MEETING}",
        "Provide a breakdown of roads policing officers by shift pattern.",
        "DCC, NA",
        "28/05/2019",
        "Open – Red",
        "1 May 2019\nData requested from the force analyst.",
    ]


def test_rows_keep_the_log_order():
    rows = [make_row(reference=f"A/2019/00{n}") for n in (3, 1, 2)]
    table = read_back(make_log(rows=rows)).tables[0]
    assert [r[0] for r in table_texts(table)[1:]] == ["A/2019/003", "A/2019/001", "A/2019/002"]


def test_owners_are_joined_lead_first():
    assert only_row(make_row(owners=["CC", "DCC", "ACC"]))[3] == "CC, DCC, ACC"
    assert only_row(make_row(owners=[]))[3] == "No owner"


def test_without_due_date_or_meeting_or_update_the_cells_say_so():
    cells = only_row(make_row(meeting="", due_date=None, latest_update="", latest_update_on=None))
    assert cells[1] == "30/04/2019"
    assert cells[4] == "No due date"
    assert cells[6] == "No update"


def test_status_and_rag_are_in_words_and_shaded_by_style():
    for status, rag, words, style in (
        ("Open", "Red", "Open – Red", "RAG Red"),
        ("In progress", "Amber", "In progress – Amber", "RAG Amber"),
        ("Awaiting sign-off", "Green", "Awaiting sign-off – Green", "RAG Green"),
        ("Paused", "amber", "Paused – Amber", "RAG Amber"),
    ):
        cell = read_back(make_log(rows=[make_row(status=status, rag=rag)])).tables[0].rows[1]
        assert cell_paragraphs(cell.cells[5]) == [(words, style)]
        shading = cell.cells[5].paragraphs[0].style.element.xpath("./w:pPr/w:shd/@w:fill")
        assert len(shading) == 1, style


def test_closed_action_has_its_status_without_a_rating():
    row = read_back(make_log(rows=[make_row(status="Closed", rag=None)])).tables[0].rows[1]
    assert cell_paragraphs(row.cells[5]) == [("Closed", "Normal")]


def test_exempt_action_is_marked_in_words_under_its_reference():
    rows = [make_row(), make_row(reference="A/2019/002", exempt=True)]
    table = read_back(make_log(rows=rows)).tables[0]
    assert cell_paragraphs(table.rows[1].cells[0]) == [("A/2019/001", "Table Heading")]
    assert cell_paragraphs(table.rows[2].cells[0]) == [
        ("A/2019/002", "Table Heading"),
        ("Exempt", "Warning"),
    ]


def test_latest_update_has_its_date_in_words_then_its_text():
    row = make_row(
        latest_update="Analyst assigned.\n- Shift data received\n- Overtime data awaited",
        latest_update_on=date(2019, 6, 14),
    )
    cell = read_back(make_log(rows=[row])).tables[0].rows[1].cells[6]
    assert cell_paragraphs(cell) == [
        ("14 June 2019", "Action Detail"),
        ("Analyst assigned.", "Normal"),
        ("Shift data received", "List Bullet"),
        ("Overtime data awaited", "List Bullet"),
    ]


def test_empty_log_says_no_actions_match_and_has_no_table():
    doc = read_back(make_log(rows=[]))
    assert [p.text for p in doc.paragraphs if p.text] == [TITLE, DESCRIPTION, "No actions match."]
    assert doc.tables == []


def test_every_page_carries_the_marking_and_page_numbers(reference_doc):
    section = reference_doc.sections[0]
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == ["OFFICIAL"]
    assert header[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    footer = [p for p in section.footer.paragraphs if p.text]
    assert [p.text for p in footer] == ["Page 1 of 1", "OFFICIAL"]
    assert all(p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in footer)
    instructions = field_codes(section.footer._element)
    assert [i.split()[0] for i in instructions] == ["PAGE", "NUMPAGES"]


def test_marking_follows_the_log():
    section = read_back(make_log(marking="OFFICIAL-SENSITIVE")).sections[0]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.header.paragraphs]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.footer.paragraphs]


def test_document_title_and_language_are_set(reference_doc):
    props = reference_doc.core_properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    assert props.category == "OFFICIAL"
    assert props.author == "Office of the Police and Crime Commissioner for West Mercia"
    lang = reference_doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert lang == ["en-GB"]


def test_table_has_a_caption_for_screen_readers(reference_doc):
    tbl_pr = reference_doc.tables[0]._tbl.tblPr
    assert tbl_pr.find(qn("w:tblCaption")).get(qn("w:val")) == "Action log"


def test_formatting_comes_from_styles_not_runs(reference_doc):
    body = reference_doc.element.body
    assert not body.xpath(".//w:r/w:rPr")
    assert not body.xpath(".//w:p/w:pPr/w:rPr")


def test_text_survives_except_what_xml_cannot_hold():
    awkward = "Fish & chips <b>£5</b> – “quoted” ’n’ 🚓 =SUM(A1)"
    row = make_row(
        reference="A/2019/0\x0701",
        meeting=f"Meeting\x00 {awkward}",
        text=f"Bell\x07 escape\x1b {awkward}\r\nNext",
        owners=["D\x1bCC", "Zoë <Z>"],
        status="Open\x0b",
        latest_update=f"Update\x00 {awkward}",
    )
    doc = read_back(make_log(title=f"Action log\x00 {awkward}", rows=[row]))
    assert doc.paragraphs[0].text == f"Action log {awkward}"
    assert table_texts(doc.tables[0])[1] == [
        "A/2019/001",
        f"30/04/2019\nMeeting {awkward}",
        f"Bell escape {awkward}\nNext",
        "DCC, Zoë <Z>",
        "28/05/2019",
        "Open – Red",
        f"1 May 2019\nUpdate {awkward}",
    ]
    assert doc.core_properties.title == f"Action log {awkward}"


def test_builder_returns_a_document_that_can_be_edited():
    document = build_action_log_document(make_log())
    document.add_paragraph("Updates to the secretariat by Friday.")
    saved = io.BytesIO()
    document.save(saved)
    assert docx.Document(saved).paragraphs[-1].text == "Updates to the secretariat by Friday."


# --- as a reader sees it: through LibreOffice into a PDF ---------------------------------------


def test_pdf_numbers_pages_marks_each_and_repeats_the_header_row(tmp_path):
    rows = [
        make_row(
            reference=f"A/2019/{n:03}",
            text=f"Action {n}: provide the Commissioner with a report on roads policing "
            "performance, partnership working and the sufficiency of the workforce.",
            latest_update=f"Update {n}: the force has gathered the data and drafts the report.",
        )
        for n in range(1, 41)
    ]
    pages = pdf_pages(render_action_log(make_log(rows=rows)), tmp_path)
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert all(page.count("OFFICIAL") >= 2 for page in pages)
    assert "A/2019/040" not in pages[0]
    assert "Latest update" in pages[1]  # the header row, repeated
