"""The question pack .docx, read back with python-docx (and, where installed, LibreOffice)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table

from app.export.questions_docx import build_question_pack, render_question_pack
from app.services.meeting_papers import PackItem, PackQuestion, QuestionPack
from tests.export.reading import (
    field_codes,
    is_header_row,
    pdf_pages,
    table_texts,
    under_heading,
)

TITLE = "Monthly Assurance Meeting 30 April 2019 – Questions for the Force"
INTRODUCTION = (
    "The Commissioner requires the following reports and will ask the following questions at "
    "the meeting."
)
NO_QUESTIONS = "No questions have been prepared for this item."
ROADS_COMMISSION = (
    "The Commissioner requires a report that sets out how the force works with the Safer Roads "
    "Partnership."
)
HEADER = ["No.", "Question", "Asked by / to", "Source"]


def make_question(number: str, text: str, **overrides) -> PackQuestion:
    fields = dict(asked_by="PCC", addressed_to="CC", source="Commissioner")
    return PackQuestion(number=number, text=text, **(fields | overrides))


def make_item(title: str, number: str = "4.1", level: int = 2, **overrides) -> PackItem:
    return PackItem(number=number, title=title, level=level, **overrides)


def reference_items() -> list[PackItem]:
    return [
        make_item(
            "Roads policing",
            presenter="DCC",
            commission=ROADS_COMMISSION,
            paper_due_on=date(2019, 4, 23),
            questions=[
                make_question("Q1", "Is regional collaboration on roads policing effective?"),
                make_question(
                    "Q2",
                    "When will the force connect to the National ANPR System?",
                    addressed_to="DCC",
                    source="Member of the public",
                ),
            ],
        ),
        make_item(
            "Workforce",
            "3.",
            3,
            questions=[
                make_question(
                    "Q3",
                    "Is there a safe system of working for the Collision Investigation Unit?",
                    asked_by="DPCC",
                    source="Police and Crime Panel",
                )
            ],
        ),
        make_item(
            "HMICFRS inspection programme",
            "4.2",
            presenter="CC",
            commission="The Commissioner requires an update on open recommendations.",
        ),
        make_item("Holding to account", "4", 1, questions=[make_question("Q4", "Any other?")]),
    ]


def make_pack(**overrides) -> QuestionPack:
    fields = dict(
        title=TITLE,
        meeting_type="Monthly Assurance Meeting",
        date_line="Tuesday 30th April 2019 @ 10:00",
        venue="Meeting Room 1.38 Hindlip",
        force_name="West Mercia Police",
        items=reference_items(),
        marking="OFFICIAL-SENSITIVE",
        office_name="Office of the Police and Crime Commissioner for West Mercia",
    )
    return QuestionPack(**(fields | overrides))


def read_back(record: QuestionPack):
    return docx.Document(io.BytesIO(render_question_pack(record)))


def texts(blocks) -> list[str | list[list[str]]]:
    """Paragraphs as their text, tables as their cells' text."""
    return [table_texts(b) if isinstance(b, Table) else b.text for b in blocks]


@pytest.fixture(scope="module")
def reference_doc():
    return read_back(make_pack())


def test_title_is_a_heading(reference_doc):
    title = reference_doc.paragraphs[0]
    assert title.text == TITLE
    assert title.style.name == "Heading 1"


def test_details_and_introduction(reference_doc):
    paras = [p for p in reference_doc.paragraphs if p.text][1:5]
    assert [(p.text, p.style.name) for p in paras] == [
        ("Date: Tuesday 30th April 2019 @ 10:00", "List Bullet"),
        ("Venue: Meeting Room 1.38 Hindlip", "List Bullet"),
        ("For: West Mercia Police", "List Bullet"),
        (INTRODUCTION, "Normal"),
    ]


def test_each_item_is_a_real_heading_with_its_number_in_the_house_style(reference_doc):
    headings = [
        (p.text, p.style.name)
        for p in reference_doc.paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == [
        (TITLE, "Heading 1"),
        ("4.1 ROADS POLICING:", "Heading 3"),
        ("3. Workforce", "Heading 4"),
        ("4.2 HMICFRS INSPECTION PROGRAMME:", "Heading 3"),
        ("4 HOLDING TO ACCOUNT", "Heading 2"),
    ]
    assert reference_doc.styles["Heading 4"].font.underline is True


def test_item_says_who_presents_what_is_required_by_when_then_its_questions(reference_doc):
    assert texts(under_heading(reference_doc, "4.1 ROADS POLICING:")) == [
        "Presented by: DCC",
        ROADS_COMMISSION,
        "Paper due: 23 April 2019",
        [
            HEADER,
            [
                "Q1",
                "Is regional collaboration on roads policing effective?",
                "PCC to CC",
                "Commissioner",
            ],
            [
                "Q2",
                "When will the force connect to the National ANPR System?",
                "PCC to DCC",
                "Member of the public",
            ],
        ],
    ]


def test_item_without_presenter_or_due_date_leaves_those_lines_out(reference_doc):
    assert texts(under_heading(reference_doc, "3. Workforce")) == [
        [
            HEADER,
            [
                "Q3",
                "Is there a safe system of working for the Collision Investigation Unit?",
                "DPCC to CC",
                "Police and Crime Panel",
            ],
        ],
    ]


def test_item_without_questions_says_so_and_has_no_table(reference_doc):
    assert texts(under_heading(reference_doc, "4.2 HMICFRS INSPECTION PROGRAMME:")) == [
        "Presented by: CC",
        "The Commissioner requires an update on open recommendations.",
        NO_QUESTIONS,
    ]
    assert len(reference_doc.tables) == 3


def test_questions_are_numbered_through_the_pack_in_order(reference_doc):
    numbers = [row[0] for table in reference_doc.tables for row in table_texts(table)[1:]]
    assert numbers == ["Q1", "Q2", "Q3", "Q4"]


def test_question_tables_have_a_marked_header_row_and_fixed_widths(reference_doc):
    for table in reference_doc.tables:
        assert table_texts(table)[0] == HEADER
        assert is_header_row(table.rows[0])
        assert not any(is_header_row(row) for row in table.rows[1:])
        assert table._tbl.xpath("./w:tblPr/w:tblLayout/@w:type") == ["fixed"]
        widths = [col.w for col in table._tbl.tblGrid.gridCol_lst]
        assert widths[1] == max(widths) and widths[0] == min(widths)


def test_question_numbers_are_bold_row_labels(reference_doc):
    number = reference_doc.tables[0].rows[1].cells[0].paragraphs[0]
    assert number.style.font.bold is True
    # no chain of rows kept together: a long table breaks where the page ends
    assert not number.style.paragraph_format.keep_with_next


def test_a_question_with_nobody_named_leaves_the_column_blank():
    item = make_item("Estates", questions=[make_question("Q1", "Why?", asked_by="", source="")])
    table = read_back(make_pack(items=[item])).tables[0]
    assert table_texts(table)[1] == ["Q1", "Why?", "CC", ""]


def test_every_page_carries_the_marking_centred_and_page_numbers(reference_doc):
    section = reference_doc.sections[0]
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == ["OFFICIAL-SENSITIVE"]
    assert header[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    footer = [p for p in section.footer.paragraphs if p.text]
    assert [p.text for p in footer] == ["Page 1 of 1", "OFFICIAL-SENSITIVE"]
    assert footer[1].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instructions = field_codes(section.footer._element)
    assert [i.split()[0] for i in instructions] == ["PAGE", "NUMPAGES"]


def test_document_title_and_language_are_set(reference_doc):
    props = reference_doc.core_properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    assert props.category == "OFFICIAL-SENSITIVE"
    lang = reference_doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert lang == ["en-GB"]


def test_formatting_comes_from_styles_not_runs(reference_doc):
    body = reference_doc.element.body
    assert not body.xpath(".//w:r/w:rPr")
    assert not body.xpath(".//w:p/w:pPr/w:rPr")


def test_text_survives_except_what_xml_cannot_hold():
    awkward = "Fish & chips <b>£5</b> – “quoted” ’n’ 🚓"
    item = make_item(
        f"Roads{chr(0)} & <rail>",
        presenter="D\x1bCC",
        commission=f"Bell\x07 {awkward}",
        questions=[
            make_question(
                "Q1",
                f"Tab\there\x0b escape\x1b {awkward}\r\nNext",
                source=f"Zoë <Z> & Co\x07 {awkward}",
            )
        ],
    )
    doc = read_back(
        make_pack(title=f"Pack\x00 {awkward}", force_name="West Mercia Police\x1b", items=[item])
    )
    assert doc.paragraphs[0].text == f"Pack {awkward}"
    assert "For: West Mercia Police" in [p.text for p in doc.paragraphs]
    assert texts(under_heading(doc, "4.1 ROADS & <RAIL>:")) == [
        "Presented by: DCC",
        f"Bell {awkward}",
        [
            HEADER,
            ["Q1", f"Tab\there escape {awkward}\nNext", "PCC to CC", f"Zoë <Z> & Co {awkward}"],
        ],
    ]
    assert doc.core_properties.title == f"Pack {awkward}"


def test_empty_pack_still_makes_a_document():
    doc = read_back(make_pack(items=[]))
    assert [p.text for p in doc.paragraphs if p.text][-1] == INTRODUCTION
    assert doc.tables == []


def test_builder_returns_a_document_that_can_be_edited():
    document = build_question_pack(make_pack())
    document.add_paragraph("Replies to the OPCC by 23 April 2019.")
    saved = io.BytesIO()
    document.save(saved)
    assert docx.Document(saved).paragraphs[-1].text == "Replies to the OPCC by 23 April 2019."


# --- as a reader sees it: through LibreOffice into a PDF ---------------------------------------


def test_pdf_numbers_pages_marks_each_and_repeats_the_header_row(tmp_path):
    questions = [
        make_question(
            f"Q{n}",
            f"Question {n}: is the CC assured that the force understands the demand on roads "
            "policing and is resourced to meet it, in every policing area, at every hour?",
        )
        for n in range(1, 41)
    ]
    item = make_item("Roads policing", questions=questions)
    pages = pdf_pages(render_question_pack(make_pack(items=[item])), tmp_path)
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)
    assert "Question 40:" not in pages[0]
    assert "Asked by / to" in pages[1] and "Source" in pages[1]  # the header row, repeated
