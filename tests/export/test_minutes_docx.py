"""The minutes .docx, read back with python-docx (and, where installed, through LibreOffice)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table

from app.export.minutes_docx import build_minutes_document, render_minutes
from app.services.minutes import (
    Edition,
    MinutesAction,
    MinutesEntry,
    MinutesItem,
    MinutesPerson,
    MinutesRecord,
)
from tests.export.reading import (
    cell_content,
    field_codes,
    is_header_row,
    pdf_pages,
    table_texts,
)

TITLE = "Monthly Assurance Meeting April 2019 – Meeting Notes"
ANPR_ACTION = (
    "The DCC to review the success criteria in the ANPR business case to see if they have "
    "been achieved."
)


def make_action(**overrides) -> MinutesAction:
    fields = dict(
        reference="A/2019/014",
        text=ANPR_ACTION,
        owners=["DCC"],
        due_date=date(2019, 5, 28),
        status="open",
    )
    return MinutesAction(**(fields | overrides))


def make_item(title: str, number: str = "1", level: int = 1, **overrides) -> MinutesItem:
    return MinutesItem(number=number, level=level, title=title, kind="theme", **overrides)


def reference_items() -> list[MinutesItem]:
    """The April 2019 meeting, abridged, in its logical order."""
    partnership = make_item(
        "Partnership Working",
        "1.",
        3,
        entries=[
            MinutesEntry(
                "question",
                "The PCC asked the CC if he was satisfied that regional collaboration is "
                "effective.",
            ),
            MinutesEntry(
                "answer",
                "The CC and DCC responded:\n"
                "• OP SNAP is being looked at centrally on a national level.\n"
                "- There was a business case for the force investment in ANPR.",
            ),
        ],
        actions=[make_action()],
    )
    performance = make_item(
        "Performance",
        "2.",
        3,
        entries=[MinutesEntry("narrative", "The PCC said that of the £30k Superintendent’s fund…")],
    )
    workforce = make_item(
        "Workforce",
        "3.",
        3,
        entries=[MinutesEntry("narrative", "The PCC commented that the CIU are a small team.")],
    )
    roads = make_item("Roads policing", "2.1", 2, children=[partnership, performance, workforce])
    hmicfrs = make_item(
        "HMICFRS inspection programme / Matters arising from the Service Improvement Board (SIB)",
        "2.2",
        2,
        entries=[MinutesEntry("narrative", "The PCC asked the CC to provide an update.")],
    )
    return [
        make_item(
            "Outstanding matters / items brought forward",
            "1",
            text_after_title="None were discussed.",
        ),
        make_item("Holding to account", "2", children=[roads, hmicfrs]),
        make_item("AOB", "3", text_after_title="No items"),
        make_item(
            "Confirmation of next meeting type / date / time / venue:",
            "4",
            text_after_title="Performance, Tuesday 28 May 2019, 10:00am Room 1.38",
        ),
    ]


def make_record(**overrides) -> MinutesRecord:
    fields = dict(
        title=TITLE,
        meeting_type="Monthly Assurance Meeting",
        date_line="Tuesday 30th April 2019 @ 10:00",
        chair="John Campion",
        minutes_by="Jackie Irvin, Policy Officer, OPCC",
        venue="Meeting Room 1.38 Hindlip",
        present=[
            MinutesPerson("John Campion", "Police and Crime Commissioner (PCC)"),
            MinutesPerson("Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)"),
            MinutesPerson("Anthony Bangham", "Chief Constable (CC)"),
            MinutesPerson("Amanda Blakeman", "Deputy Chief Constable (DCC)"),
        ],
        apologies=[],
        items=reference_items(),
        marking="OFFICIAL",
        edition=Edition.internal,
        office_name="Office of the Police and Crime Commissioner for West Mercia",
    )
    return MinutesRecord(**(fields | overrides))


def read_back(record: MinutesRecord):
    return docx.Document(io.BytesIO(render_minutes(record)))


def row_with(table: Table, text: str):
    """The first row any of whose cells has a paragraph reading `text`."""
    for row in table.rows:
        for cell in row.cells:
            if any(p.text == text for p in cell.paragraphs):
                return row
    raise AssertionError(f"no row with {text!r} in {table_texts(table)}")


def paragraph(row, column: int, text: str):
    return next(p for p in row.cells[column].paragraphs if p.text == text)


@pytest.fixture(scope="module")
def reference_doc():
    return read_back(make_record())


@pytest.fixture(scope="module")
def minutes_table(reference_doc) -> Table:
    return reference_doc.tables[1]


def test_title_is_a_heading(reference_doc):
    title = reference_doc.paragraphs[0]
    assert title.text == TITLE
    assert title.style.name == "Heading 1"


def test_details_are_a_bulleted_list(reference_doc):
    details = reference_doc.paragraphs[1:5]
    assert [p.text for p in details] == [
        "Date: Tuesday 30th April 2019 @ 10:00",
        "Chair: John Campion",
        "Minutes: Jackie Irvin, Policy Officer, OPCC",
        "Venue: Meeting Room 1.38 Hindlip",
    ]
    assert {p.style.name for p in details} == {"List Bullet"}
    assert details[0].style.element.xpath("./w:pPr/w:numPr/w:numId")  # a real list


def test_attendance_table_has_a_header_row_and_one_row_per_person(reference_doc):
    table = reference_doc.tables[0]
    assert is_header_row(table.rows[0])
    assert not any(is_header_row(row) for row in table.rows[1:])
    assert table_texts(table) == [
        ["", "Name:", "Capacity:"],
        ["Attendance:", "John Campion", "Police and Crime Commissioner (PCC)"],
        ["", "Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)"],
        ["", "Anthony Bangham", "Chief Constable (CC)"],
        ["", "Amanda Blakeman", "Deputy Chief Constable (DCC)"],
        ["Apologies:", "None", ""],
    ]


def test_apologies_are_listed_like_attendance():
    doc = read_back(
        make_record(
            present=[MinutesPerson("John Campion", "Police and Crime Commissioner (PCC)")],
            apologies=[
                MinutesPerson("Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)"),
                MinutesPerson("Amanda Blakeman", "Deputy Chief Constable (DCC)"),
            ],
        )
    )
    assert table_texts(doc.tables[0])[2:] == [
        ["Apologies:", "Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)"],
        ["", "Amanda Blakeman", "Deputy Chief Constable (DCC)"],
    ]


def test_minutes_table_header_row_repeats_on_every_page(minutes_table):
    header = minutes_table.rows[0]
    assert header.cells[0].text == ""
    assert header.cells[2].text == "ACTION"
    assert is_header_row(header)
    assert not any(is_header_row(row) for row in minutes_table.rows[1:])


def test_columns_have_fixed_widths(minutes_table):
    tbl = minutes_table._tbl
    assert tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
    widths = [col.w for col in tbl.tblGrid.gridCol_lst]
    assert widths[1] > 3 * widths[0] and widths[1] > 3 * widths[2]
    assert [c.width for c in minutes_table.rows[-1].cells] == widths


def test_items_follow_the_agenda_order(minutes_table):
    headings = [
        p.text
        for row in minutes_table.rows
        for p in row.cells[1].paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == [
        "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD",
        "HOLDING TO ACCOUNT",
        "ROADS POLICING:",
        "1. Partnership Working",
        "2. Performance",
        "3. Workforce",
        "HMICFRS INSPECTION PROGRAMME / MATTERS ARISING FROM THE SERVICE IMPROVEMENT BOARD (SIB):",
        "AOB",
        "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:",
    ]


def test_top_level_titles_are_capitals_with_their_number(minutes_table):
    row = row_with(minutes_table, "HOLDING TO ACCOUNT")
    assert row.cells[0].text == "2"
    assert paragraph(row, 1, "HOLDING TO ACCOUNT").style.name == "Heading 2"


def test_themes_are_capitals_with_one_colon(minutes_table):
    row = row_with(minutes_table, "ROADS POLICING:")
    assert row.cells[0].text == "2.1"
    assert paragraph(row, 1, "ROADS POLICING:").style.name == "Heading 3"
    # a colon already typed is not doubled
    row_with(minutes_table, "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:")
    doc = read_back(make_record(items=[make_item("Estates:", "2.1", 2)]))
    row_with(doc.tables[1], "ESTATES:")


def test_sub_themes_are_numbered_and_underlined(minutes_table):
    row = row_with(minutes_table, "1. Partnership Working")
    assert row.cells[0].text == ""
    heading = paragraph(row, 1, "1. Partnership Working")
    assert heading.style.name == "Heading 4"
    assert heading.style.font.underline is True
    assert heading.style.font.bold is True
    assert heading.style.font.italic is False


def test_headings_are_arial_black_and_bold(reference_doc):
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        style = reference_doc.styles[name]
        assert style.font.bold is True, name
        assert str(style.font.color.rgb) == "000000", name
        assert not style.element.xpath("./w:rPr/w:rFonts/@w:asciiTheme"), name
    fonts = reference_doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")[0]
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Arial"
    assert reference_doc.styles["Normal"].font.name == "Arial"


def test_formatting_comes_from_styles_not_runs(reference_doc):
    body = reference_doc.element.body
    assert not body.xpath(".//w:r/w:rPr")
    assert not body.xpath(".//w:p/w:pPr/w:rPr")


def test_bullet_lines_become_list_paragraphs_without_their_marker(minutes_table):
    row = row_with(minutes_table, "The CC and DCC responded:")
    paras = row.cells[1].paragraphs
    assert [(p.text, p.style.name) for p in paras] == [
        ("The CC and DCC responded:", "Normal"),
        ("OP SNAP is being looked at centrally on a national level.", "List Bullet"),
        ("There was a business case for the force investment in ANPR.", "List Bullet"),
    ]


def test_entries_each_have_a_row_in_the_minutes_column(minutes_table):
    row = row_with(
        minutes_table,
        "The PCC asked the CC if he was satisfied that regional collaboration is effective.",
    )
    assert row.cells[0].text == row.cells[2].text == ""


def test_actions_arising_name_owner_reference_and_due_date(minutes_table):
    rows = list(minutes_table.rows)
    label = row_with(minutes_table, "Actions arising:")
    assert paragraph(label, 1, "Actions arising:").style.font.bold is True
    # Word keeps the label on the page of the first action: every paragraph of its row says so
    assert all(p.style.paragraph_format.keep_with_next for c in label.cells for p in c.paragraphs)
    action = rows[[r._tr for r in rows].index(label._tr) + 1]
    assert action.cells[1].text == ANPR_ACTION
    assert [p.text for p in action.cells[2].paragraphs] == [
        "DCC",
        "A/2019/014",
        "Due 28/05/2019",
    ]


def test_action_without_due_date_and_with_two_owners():
    item = make_item(
        "Roads", actions=[make_action(owners=["ACC (LP)", "DCC"], due_date=None, reference="A/1")]
    )
    doc = read_back(make_record(items=[item]))
    row = row_with(doc.tables[1], ANPR_ACTION)
    assert [p.text for p in row.cells[2].paragraphs] == ["ACC (LP), DCC", "A/1", "No due date"]


def test_text_after_title_is_in_the_title_row(minutes_table):
    for title, after in (
        ("OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD", "None were discussed."),
        ("AOB", "No items"),
        (
            "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:",
            "Performance, Tuesday 28 May 2019, 10:00am Room 1.38",
        ),
    ):
        row = row_with(minutes_table, title)
        assert [p.text for p in row.cells[1].paragraphs] == [title, after]


def test_exempt_item_shows_only_its_number_title_and_notice():
    notice = (
        "This item was considered in private (exempt under section 31 of the Freedom of "
        "Information Act 2000)."
    )
    item = make_item(
        "Estates",
        "2.3",
        2,
        exempt_notice=notice,
        entries=[MinutesEntry("narrative", "Secret")],
        actions=[make_action(text="Secret action")],
    )
    doc = read_back(make_record(items=[item], edition=Edition.public))
    assert table_texts(doc.tables[1])[1:] == [["2.3", f"ESTATES:\n{notice}", ""]]


def test_internal_edition_marks_what_is_exempt():
    item = make_item(
        "Estates",
        "2",
        internal_note="Exempt item (section 31): not in the public edition.",
        entries=[MinutesEntry("narrative", "Said in private.", exempt=True)],
    )
    table = read_back(make_record(items=[item])).tables[1]
    row_with(table, "Exempt item (section 31): not in the public edition.")
    row = row_with(table, "Said in private.")
    assert row.cells[1].paragraphs[0].text.startswith("Exempt")


def test_carried_forward_actions_show_their_latest_update():
    action = make_action(
        reference="A/2019/009",
        text="The ACC to report on fleet availability.",
        owners=["ACC"],
        due_date=date(2019, 6, 25),
        status="in_progress",
        rag="amber",
        latest_update="Report drafted.",
        latest_update_on=date(2019, 4, 12),
    )
    item = make_item("Outstanding matters / items brought forward", carried_forward=[action])
    table = read_back(make_record(items=[item])).tables[1]
    row = row_with(table, "Latest update (12 April 2019): Report drafted.")
    assert row.cells[1].paragraphs[0].text == (
        "A/2019/009: The ACC to report on fleet availability."
    )
    status = row.cells[2].paragraphs
    assert [p.text for p in status] == ["ACC", "A/2019/009", "Due 25/06/2019", "RAG: Amber"]
    assert status[-1].style.name == "RAG Amber"  # shaded, and says it in words


def test_every_page_carries_the_marking_and_page_numbers(reference_doc):
    section = reference_doc.sections[0]
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == ["OFFICIAL"]
    assert header[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    footer = [p.text for p in section.footer.paragraphs]
    assert "OFFICIAL" in footer
    xml = section.footer._element.xml
    instructions = field_codes(section.footer._element)
    assert any(i.startswith("PAGE") for i in instructions)
    assert any(i.startswith("NUMPAGES") for i in instructions)
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"') == 2


def test_page_is_a4_portrait(reference_doc):
    section = reference_doc.sections[0]
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297


def test_document_title_and_language_are_set(reference_doc):
    props = reference_doc.core_properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    lang = reference_doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert lang == ["en-GB"]


def test_package_has_no_template_leftovers():
    with zipfile.ZipFile(io.BytesIO(render_minutes(make_record()))) as package:
        names = set(package.namelist())
    assert "docProps/thumbnail.jpeg" not in names  # a picture of a blank page
    assert "word/stylesWithEffects.xml" not in names  # a second, Calibri, set of styles
    assert {"word/document.xml", "word/styles.xml", "word/numbering.xml"} <= names


def test_marking_follows_the_record():
    doc = read_back(make_record(marking="OFFICIAL-SENSITIVE"))
    section = doc.sections[0]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.header.paragraphs]
    assert "OFFICIAL-SENSITIVE" in [p.text for p in section.footer.paragraphs]


def test_text_survives_except_what_xml_cannot_hold():
    awkward = "Fish & chips <b>£5</b> – “quoted” ’n’ 🚓"
    item = make_item(
        f"Roads{chr(0)} & <rail>",
        "2.1",
        2,
        entries=[
            MinutesEntry("narrative", f"Bell\x07 tab\there\x0b escape\x1b {awkward}\r\nNext"),
        ],
        actions=[make_action(text=f"Act\x00ion {awkward}", owners=["D\x1bCC"])],
    )
    doc = read_back(
        make_record(
            title=f"Meeting\x00 {awkward}",
            chair="Siân O’Brien\x07",
            items=[item],
            present=[MinutesPerson("Zoë <Z> & Co\x1b", "Chief Constable (CC)")],
        )
    )
    assert doc.paragraphs[0].text == f"Meeting {awkward}"
    assert doc.paragraphs[2].text == "Chair: Siân O’Brien"
    assert table_texts(doc.tables[0])[1][1] == "Zoë <Z> & Co"
    table = doc.tables[1]
    row_with(table, "ROADS & <RAIL>:")
    row = row_with(table, f"Bell tab\there escape {awkward}")
    assert [p.text for p in row.cells[1].paragraphs] == [f"Bell tab\there escape {awkward}", "Next"]
    row = row_with(table, f"Action {awkward}")
    assert row.cells[2].paragraphs[0].text == "DCC"
    assert doc.core_properties.title == f"Meeting {awkward}"


def test_empty_meeting_still_makes_a_document():
    doc = read_back(make_record(items=[], present=[], apologies=[]))
    assert table_texts(doc.tables[0])[1:] == [
        ["Attendance:", "None", ""],
        ["Apologies:", "None", ""],
    ]
    assert table_texts(doc.tables[1]) == [["", "Minutes", "ACTION"]]


def test_builder_returns_a_document_that_can_be_edited():
    document = build_minutes_document(make_record())
    document.add_paragraph("Approved at the meeting of 28 May 2019.")
    saved = io.BytesIO()
    document.save(saved)
    assert docx.Document(saved).paragraphs[-1].text == "Approved at the meeting of 28 May 2019."


# --- as a reader sees it: through LibreOffice into a PDF ---------------------------------------


def long_record() -> MinutesRecord:
    entries = [
        MinutesEntry(
            "narrative",
            f"Entry {n}: The PCC asked the CC for assurance that the force understands the "
            "demand on roads policing and is resourced to meet it. The CC responded that the "
            "plan is in place and that the board will see its progress each quarter.",
        )
        for n in range(60)
    ]
    return make_record(items=[make_item("Holding to account", "2", entries=entries)])


@pytest.fixture(scope="module")
def long_pdf_pages(tmp_path_factory) -> list[str]:
    return pdf_pages(render_minutes(long_record()), tmp_path_factory.mktemp("pdf"))


def test_pdf_numbers_its_pages(long_pdf_pages):
    pages = [p for p in long_pdf_pages if p.strip()]
    assert len(pages) >= 2
    assert "Page 1 of" in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert all(page.count("OFFICIAL") >= 2 for page in pages)


def test_pdf_repeats_the_minutes_header_row_on_page_two(long_pdf_pages):
    assert "ACTION" in long_pdf_pages[1]
    assert "Entry 59" not in long_pdf_pages[0]


# --- numbered lines and tables typed or pasted into an entry ----------------------------------

TYPED_TABLES = (
    "Roads policing figures:\n"
    "| Measure | 2018/19 | 2019/20 |\n"
    "| --- | --- | --- |\n"
    "| Killed or seriously injured | 412 | 389 |\n"
    "| Speed enforcement | Mobile vans |\n"
    "The DCC will report again in May.\n"
    "| Calls | 999 |\n"
    "\n"
    "| Calls | 101 |"
)


def entry_cell(text: str):
    """The minutes column of the row of an entry reading `text`."""
    record = make_record(items=[make_item("Holding to account", "2",
                                          entries=[MinutesEntry("narrative", text)])])
    return row_with(read_back(record).tables[1], text.split("\n")[0]).cells[1]


def test_a_typed_table_is_a_word_table_in_its_entry():
    cell = entry_cell(TYPED_TABLES)
    assert cell_content(cell) == [
        ("Roads policing figures:", "Normal"),
        [["Measure", "2018/19", "2019/20"],
         ["Killed or seriously injured", "412", "389"],
         ["Speed enforcement", "Mobile vans", ""]],  # a short row keeps the table's columns
        ("The DCC will report again in May.", "Normal"),
        [["Calls", "999"]],
        [["Calls", "101"]],  # a blank line ends a table
    ]
    figures, first, second = cell.tables
    # The row of dashes made the first row a header row, repeated on a new page; no other.
    assert [is_header_row(row) for row in figures.rows] == [True, False, False]
    assert {p.style.name for p in figures.rows[0].cells[0].paragraphs} == {"Table Heading"}
    assert not is_header_row(first.rows[0])
    # The house table: grid lines, fixed widths that fit inside the minutes column.
    column = int(cell._tc.xpath("./w:tcPr/w:tcW/@w:w")[0])
    for table in cell.tables:
        assert table.style.name == "Table Grid"
        assert table._tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
        assert sum(col.w.twips for col in table._tbl.tblGrid.gridCol_lst) <= column - 2 * 108
    # Two tables in a row are kept apart by a paragraph (Word would join them), and the cell
    # ends with a paragraph, as a cell must.
    tags = [child.tag.split("}")[1] for child in cell._tc.iterchildren()]
    assert tags[-4:] == ["tbl", "p", "tbl", "p"]


def test_numbered_lines_keep_their_typed_number_once_with_the_text_hanging():
    cell = entry_cell("The PCC asked for:\n1. A review.\n2) An update.\n(iv) A report.\n"
                      "a) By May.\nJ. Campion agreed.")
    assert cell_content(cell) == [
        ("The PCC asked for:", "Normal"),
        ("1.\tA review.", "Numbered Line"),
        ("2)\tAn update.", "Numbered Line"),
        ("(iv)\tA report.", "Numbered Line"),
        ("a)\tBy May.", "Numbered Line"),
        ("J. Campion agreed.", "Normal"),  # initials, not a number
    ]
    style = cell.paragraphs[1].style
    indent = style.paragraph_format.left_indent
    assert indent > 0 and style.paragraph_format.first_line_indent == -indent
    assert [stop.position for stop in style.paragraph_format.tab_stops] == [indent]
    # Word adds no number of its own, so none is doubled.
    assert not style.element.xpath(".//w:numPr") and not cell._tc.xpath(".//w:numPr")


def test_pdf_shows_a_typed_table_in_rows_and_numbers_once(tmp_path):
    text = ("The PCC asked for:\n1. A review of the success criteria.\n"
            "2. An update on NAS.\n" + TYPED_TABLES)
    record = make_record(items=[make_item("Holding to account", "2",
                                          entries=[MinutesEntry("narrative", text)])])
    page = pdf_pages(render_minutes(record), tmp_path)[0]
    assert re.search(r"Measure\s+2018/19\s+2019/20\n", page)
    assert re.search(r"Killed or seriously\s+412\s+389\n", page)  # the cell wraps its text
    assert re.search(r"Speed enforcement\s+Mobile vans\n", page)
    assert len(re.findall(r"1\.\s+A review of the success criteria\.", page)) == 1
    assert "|" not in page
