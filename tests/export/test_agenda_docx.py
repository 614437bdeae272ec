"""The agenda .docx, read back with python-docx (and, where installed, through LibreOffice)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table

from app.export.agenda_docx import build_agenda_document, render_agenda
from app.services.meeting_papers import AgendaDocument, AgendaEntry
from tests.export.reading import (
    cell_paragraphs,
    field_codes,
    is_header_row,
    pdf_pages,
    table_texts,
)

TITLE = "Monthly Assurance Meeting 30 April 2019 – Agenda"
ROADS_COMMISSION = (
    "The Commissioner requires a report that sets out how the force works with the Safer Roads "
    "Partnership, how roads policing performance is measured and improved, and whether the "
    "workforce dedicated to roads policing is sufficient and supported."
)
PUBLIC_QUESTIONS = "Questions from the public close on Friday 19 April 2019."
EXEMPT = (
    "This item will be considered in private (exempt under section 31 of the Freedom of "
    "Information Act 2000)."
)


def make_entry(title: str, number: str = "1", level: int = 1, **overrides) -> AgendaEntry:
    return AgendaEntry(number=number, level=level, title=title, kind="theme", **overrides)


def reference_items() -> list[AgendaEntry]:
    """The April 2019 meeting's agenda."""
    roads = make_entry(
        "Roads policing",
        "4.1",
        2,
        presenter="DCC",
        purpose="For assurance",
        commission=ROADS_COMMISSION,
        paper_due_on=date(2019, 4, 23),
        papers=["roads-policing-report.pdf"],
        children=[
            make_entry("Partnership Working", "1.", 3),
            make_entry("Performance", "2.", 3),
            make_entry("Workforce", "3.", 3),
        ],
    )
    hmicfrs = make_entry(
        "HMICFRS inspection programme",
        "4.2",
        2,
        presenter="CC",
        purpose="For information",
        commission="The Commissioner requires an update on open recommendations.",
        paper_due_on=date(2019, 4, 23),
        paper_late=True,
    )
    return [
        make_entry("Apologies", "1"),
        make_entry("Minutes of the last meeting", "2", purpose="For decision"),
        make_entry("Outstanding matters / items brought forward", "3"),
        make_entry("Holding to account", "4", children=[roads, hmicfrs]),
        make_entry("AOB", "5"),
        make_entry(
            "Confirmation of next meeting type / date / time / venue:",
            "6",
            text_after_title="Performance, Tuesday 28 May 2019, 10:00am Room 1.38",
        ),
    ]


def make_agenda(**overrides) -> AgendaDocument:
    fields = dict(
        title=TITLE,
        meeting_type="Monthly Assurance Meeting",
        date_line="Tuesday 30th April 2019 @ 10:00",
        venue="Meeting Room 1.38 Hindlip",
        chair="John Campion",
        attendees=[
            ("John Campion", "Police and Crime Commissioner (PCC)"),
            ("Anthony Bangham", "Chief Constable (CC)"),
            ("Amanda Blakeman", "Deputy Chief Constable (DCC)"),
        ],
        items=reference_items(),
        marking="OFFICIAL",
        office_name="Office of the Police and Crime Commissioner for West Mercia",
        public_questions_close=PUBLIC_QUESTIONS,
    )
    return AgendaDocument(**(fields | overrides))


def read_back(record: AgendaDocument):
    return docx.Document(io.BytesIO(render_agenda(record)))


def item_row(table: Table, heading: str):
    """The row whose item column starts with the title `heading`."""
    for row in table.rows:
        paras = cell_paragraphs(row.cells[1])
        if paras and paras[0][0] == heading:
            return row
    raise AssertionError(f"no item {heading!r} in {table_texts(table)}")


@pytest.fixture(scope="module")
def reference_doc():
    return read_back(make_agenda())


@pytest.fixture(scope="module")
def agenda_table(reference_doc) -> Table:
    return reference_doc.tables[1]


def test_title_is_a_heading(reference_doc):
    title = reference_doc.paragraphs[0]
    assert title.text == TITLE
    assert title.style.name == "Heading 1"


def test_details_are_a_bulleted_list(reference_doc):
    details = reference_doc.paragraphs[1:4]
    assert [p.text for p in details] == [
        "Date: Tuesday 30th April 2019 @ 10:00",
        "Venue: Meeting Room 1.38 Hindlip",
        "Chair: John Campion",
    ]
    assert {p.style.name for p in details} == {"List Bullet"}


def test_invited_table_has_a_header_row_and_one_row_per_person(reference_doc):
    table = reference_doc.tables[0]
    assert is_header_row(table.rows[0])
    assert not any(is_header_row(row) for row in table.rows[1:])
    assert table_texts(table) == [
        ["", "Name:", "Capacity:"],
        ["Invited:", "John Campion", "Police and Crime Commissioner (PCC)"],
        ["", "Anthony Bangham", "Chief Constable (CC)"],
        ["", "Amanda Blakeman", "Deputy Chief Constable (DCC)"],
    ]


def between_the_tables(document) -> list[str]:
    content = list(document.iter_inner_content())
    first, second = (i for i, block in enumerate(content) if isinstance(block, Table))
    return [block.text for block in content[first + 1 : second]]


def test_public_questions_line_comes_before_the_agenda_only_when_set(reference_doc):
    assert between_the_tables(reference_doc) == ["", PUBLIC_QUESTIONS]
    doc = read_back(make_agenda(public_questions_close=""))
    assert between_the_tables(doc) == [""]  # keeps the tables apart, or Word would join them


def test_agenda_header_row_is_marked_to_repeat(agenda_table):
    assert [c.text for c in agenda_table.rows[0].cells] == ["", "Item", "PRESENTER"]
    assert is_header_row(agenda_table.rows[0])
    assert not any(is_header_row(row) for row in agenda_table.rows[1:])


def test_columns_have_fixed_widths_narrow_number_and_presenter(agenda_table):
    tbl = agenda_table._tbl
    assert tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
    widths = [col.w for col in tbl.tblGrid.gridCol_lst]
    assert widths[1] > 3 * widths[0] and widths[1] > 3 * widths[2]


def test_items_in_agenda_order_with_numbers_and_house_style_titles(agenda_table):
    rows = [
        (row.cells[0].text, *cell_paragraphs(row.cells[1])[0])
        for row in list(agenda_table.rows)[1:]
    ]
    assert rows == [
        ("1", "APOLOGIES", "Heading 2"),
        ("2", "MINUTES OF THE LAST MEETING", "Heading 2"),
        ("3", "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD", "Heading 2"),
        ("4", "HOLDING TO ACCOUNT", "Heading 2"),
        ("4.1", "ROADS POLICING:", "Heading 3"),
        ("", "1. Partnership Working", "Heading 4"),
        ("", "2. Performance", "Heading 4"),
        ("", "3. Workforce", "Heading 4"),
        ("4.2", "HMICFRS INSPECTION PROGRAMME:", "Heading 3"),
        ("5", "AOB", "Heading 2"),
        ("6", "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:", "Heading 2"),
    ]


def test_sub_themes_are_underlined_bold_headings(reference_doc):
    style = reference_doc.styles["Heading 4"]
    assert style.font.underline is True
    assert style.font.bold is True


def test_item_shows_purpose_commission_paper_due_and_papers(agenda_table):
    row = item_row(agenda_table, "ROADS POLICING:")
    assert [text for text, _style in cell_paragraphs(row.cells[1])] == [
        "ROADS POLICING:",
        "For assurance",
        ROADS_COMMISSION,
        "Paper due: 23 April 2019",
        "Papers: roads-policing-report.pdf",
    ]
    assert row.cells[2].text == "DCC"


def test_late_paper_is_said_in_bold_words(agenda_table):
    row = item_row(agenda_table, "HMICFRS INSPECTION PROGRAMME:")
    paras = cell_paragraphs(row.cells[1])
    assert paras[-2:] == [("Paper due: 23 April 2019", "Normal"), ("Paper late", "Warning")]
    late = next(p for p in row.cells[1].paragraphs if p.text == "Paper late")
    assert late.style.font.bold is True
    assert row.cells[2].text == "CC"


def test_several_papers_are_listed_and_no_lateness_once_they_arrive():
    item = make_entry(
        "Estates", papers=["report.pdf", "appendix A.xlsx"], paper_late=True, presenter="ACC"
    )
    row = read_back(make_agenda(items=[item])).tables[1].rows[1]
    assert [text for text, _ in cell_paragraphs(row.cells[1])] == [
        "ESTATES",
        "Papers: report.pdf, appendix A.xlsx",
    ]


def test_items_without_details_or_presenter_are_their_title_alone(agenda_table):
    row = item_row(agenda_table, "APOLOGIES")
    assert [c.text for c in row.cells] == ["1", "APOLOGIES", ""]
    row = item_row(agenda_table, "MINUTES OF THE LAST MEETING")
    assert [text for text, _ in cell_paragraphs(row.cells[1])][1:] == ["For decision"]


def test_text_after_title_follows_it(agenda_table):
    row = item_row(agenda_table, "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:")
    assert cell_paragraphs(row.cells[1])[1] == (
        "Performance, Tuesday 28 May 2019, 10:00am Room 1.38",
        "Normal",
    )


def test_a_bare_title_stays_with_its_first_child_and_other_rows_do_not(agenda_table):
    parent = item_row(agenda_table, "HOLDING TO ACCOUNT")
    assert all(p.style.paragraph_format.keep_with_next for c in parent.cells for p in c.paragraphs)
    for heading in ("APOLOGIES", "ROADS POLICING:", "AOB"):
        number = item_row(agenda_table, heading).cells[0].paragraphs[0]
        assert number.style.font.bold is True
        assert not number.style.paragraph_format.keep_with_next, heading


def test_exempt_item_shows_only_its_number_title_and_notice():
    item = make_entry(
        "Estates",
        "4.3",
        2,
        presenter="ACC",
        purpose="For decision",
        commission="Secret commission",
        papers=["secret.pdf"],
        exempt_notice=EXEMPT,
        children=[make_entry("Secret sub-theme", "1.", 3)],
    )
    table = read_back(make_agenda(items=[item])).tables[1]
    assert table_texts(table)[1:] == [["4.3", f"ESTATES:\n{EXEMPT}", ""]]
    assert cell_paragraphs(table.rows[1].cells[1])[1] == (EXEMPT, "Notice")


def test_every_page_carries_the_marking_and_page_numbers(reference_doc):
    section = reference_doc.sections[0]
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == ["OFFICIAL"]
    assert header[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    footer = [p for p in section.footer.paragraphs if p.text]
    assert [p.text for p in footer] == ["Page 1 of 1", "OFFICIAL"]
    assert footer[1].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instructions = field_codes(section.footer._element)
    assert [i.split()[0] for i in instructions] == ["PAGE", "NUMPAGES"]


def test_marking_follows_the_record():
    section = read_back(make_agenda(marking="OFFICIAL-SENSITIVE")).sections[0]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.header.paragraphs]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.footer.paragraphs]


def test_document_title_and_language_are_set(reference_doc):
    props = reference_doc.core_properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    assert props.category == "OFFICIAL"
    lang = reference_doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert lang == ["en-GB"]


def test_formatting_comes_from_styles_not_runs(reference_doc):
    body = reference_doc.element.body
    assert not body.xpath(".//w:r/w:rPr")
    assert not body.xpath(".//w:p/w:pPr/w:rPr")


def test_text_survives_except_what_xml_cannot_hold():
    awkward = "Fish & chips <b>£5</b> – “quoted” ’n’ 🚓"
    item = make_entry(
        f"Roads{chr(0)} & <rail>",
        "4.1",
        2,
        presenter="D\x1bCC",
        commission=f"Bell\x07 tab\there\x0b escape\x1b {awkward}\r\nNext",
        papers=[f"report\x00 {awkward}.pdf"],
    )
    doc = read_back(
        make_agenda(
            title=f"Agenda\x00 {awkward}",
            chair="Siân O’Brien\x07",
            attendees=[("Zoë <Z> & Co\x1b", "Chief Constable (CC)")],
            items=[item],
        )
    )
    assert doc.paragraphs[0].text == f"Agenda {awkward}"
    assert doc.paragraphs[3].text == "Chair: Siân O’Brien"
    assert table_texts(doc.tables[0])[1][1] == "Zoë <Z> & Co"
    row = doc.tables[1].rows[1]
    assert [text for text, _ in cell_paragraphs(row.cells[1])] == [
        "ROADS & <RAIL>:",
        f"Bell tab\there escape {awkward}",
        "Next",
        f"Papers: report {awkward}.pdf",
    ]
    assert row.cells[2].text == "DCC"
    assert doc.core_properties.title == f"Agenda {awkward}"


def test_empty_agenda_still_makes_a_document():
    doc = read_back(make_agenda(items=[], attendees=[], public_questions_close=""))
    assert table_texts(doc.tables[0]) == [["", "Name:", "Capacity:"], ["Invited:", "None", ""]]
    assert table_texts(doc.tables[1]) == [["", "Item", "PRESENTER"]]


def test_builder_returns_a_document_that_can_be_edited():
    document = build_agenda_document(make_agenda())
    document.add_paragraph("Papers to the secretariat by 23 April 2019.")
    saved = io.BytesIO()
    document.save(saved)
    assert docx.Document(saved).paragraphs[-1].text == "Papers to the secretariat by 23 April 2019."


# --- as a reader sees it: through LibreOffice into a PDF ---------------------------------------


def test_pdf_numbers_pages_marks_each_and_repeats_the_header_row(tmp_path):
    items = [
        make_entry(
            f"Theme {n}",
            str(n),
            presenter="DCC",
            purpose="For assurance",
            commission=f"Commission {n}: {ROADS_COMMISSION}",
            paper_due_on=date(2019, 4, 23),
        )
        for n in range(1, 31)
    ]
    pages = pdf_pages(render_agenda(make_agenda(items=items)), tmp_path)
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert all(page.count("OFFICIAL") >= 2 for page in pages)
    assert "Commission 30:" not in pages[0]
    assert "PRESENTER" in pages[1]  # the header row, repeated
