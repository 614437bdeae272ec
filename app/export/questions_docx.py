"""The Commissioner's question pack for the force as a Word document, in the house style.

The record arrives with its items chosen and its questions numbered through the pack
(`app.services.meeting_papers`); this module only lays it out and never reads the database.
"""

from __future__ import annotations

import io

from docx.document import Document
from docx.shared import Cm

from app.export.styles import (
    BULLET,
    TABLE_HEADING,
    TITLE,
    HouseTable,
    Para,
    add_body_paragraph,
    item_heading,
    long_date,
    new_document,
    one_line,
    set_core_properties,
    set_page_furniture,
    text_block,
)
from app.services.meeting_papers import PackItem, PackQuestion, QuestionPack

# 17 cm of text width on A4 with 2 cm margins.
QUESTION_WIDTHS = (Cm(1.3), Cm(9.4), Cm(3.0), Cm(3.3))
INTRODUCTION = (
    "The Commissioner requires the following reports and will ask the following questions at "
    "the meeting."
)
NO_QUESTIONS = "No questions have been prepared for this item."


def build_question_pack(record: QuestionPack, template: bytes | None = None) -> Document:
    """Lay out the question pack `record` as a python-docx Document in the house style,
    or from the office's Word `template`."""
    document = new_document(language=record.language, template=template)
    set_core_properties(
        document,
        title=record.title,
        subject=record.meeting_type,
        language=record.language,
        author=record.office_name,
        category=record.marking,
    )
    set_page_furniture(document, record.marking)
    add_body_paragraph(document, record.title, TITLE)
    for label, value in (
        ("Date", record.date_line),
        ("Venue", record.venue),
        ("For", record.force_name),
    ):
        add_body_paragraph(document, f"{label}: {one_line(value)}", BULLET)
    add_body_paragraph(document, INTRODUCTION)
    for item in record.items:
        _add_item(document, item)
    return document


def render_question_pack(record: QuestionPack, template: bytes | None = None) -> bytes:
    """Return the question pack `record` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_question_pack(record, template).save(buffer)
    return buffer.getvalue()


def _add_item(document: Document, item: PackItem) -> None:
    text, style = item_heading(item.number, item.level, item.title)
    if item.level < 3 and one_line(item.number):  # a sub-theme's number is in its title
        text = f"{one_line(item.number)} {text}"
    add_body_paragraph(document, "")  # space above the heading, and between tables
    add_body_paragraph(document, text, style)
    paras: list[Para] = []
    if one_line(item.presenter):
        paras.append((f"Presented by: {one_line(item.presenter)}", None))
    if one_line(item.purpose):
        paras.append((one_line(item.purpose), None))
    paras += text_block(item.commission)
    if item.paper_due_on:
        paras.append((f"Paper due: {long_date(item.paper_due_on)}", None))
    if not item.questions:
        paras.append((NO_QUESTIONS, None))
    for para_text, para_style in paras:
        add_body_paragraph(document, para_text, para_style)
    if item.questions:
        _add_questions(document, item)


def _add_questions(document: Document, item: PackItem) -> None:
    table = HouseTable(
        document,
        QUESTION_WIDTHS,
        caption=(f"Questions on item {one_line(item.number)}" if one_line(item.number)
                 else one_line(item.title)),
        description="The questions on this item: number, question, who asks whom, and source.",
    )
    table.add_row(
        [
            [("No.", TABLE_HEADING)],
            [("Question", TABLE_HEADING)],
            [("Asked by / to", TABLE_HEADING)],
            [("Source", TABLE_HEADING)],
        ],
        header=True,
    )
    for question in item.questions:
        table.add_row(_question_row(question))


def _question_row(question: PackQuestion) -> list[list[Para]]:
    asked_by, addressed_to = one_line(question.asked_by), one_line(question.addressed_to)
    who = " to ".join(part for part in (asked_by, addressed_to) if part)
    return [
        # A row label, not Item Number: that style keeps its row with the next.
        [(one_line(question.number), TABLE_HEADING)],
        text_block(question.text),
        [(who, None)] if who else [],
        [(one_line(question.source), None)] if one_line(question.source) else [],
    ]
