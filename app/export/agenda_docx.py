"""The agenda of a meeting as a Word document, in the house style of the minutes.

The record arrives numbered and redacted for its edition (`app.services.meeting_papers`); this
module only lays it out and never reads the database.
"""

from __future__ import annotations

import io

from docx.document import Document
from docx.shared import Cm

from app.export.styles import (
    BULLET,
    ITEM_NUMBER,
    NOTICE,
    TABLE_HEADING,
    TITLE,
    WARNING,
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
from app.services.meeting_papers import AgendaDocument, AgendaEntry

# 17 cm of text width on A4 with 2 cm margins.
INVITED_WIDTHS = (Cm(3.2), Cm(5.8), Cm(8.0))
AGENDA_WIDTHS = (Cm(1.4), Cm(12.2), Cm(3.4))


def build_agenda_document(record: AgendaDocument, template: bytes | None = None) -> Document:
    """Lay out the agenda `record` as a python-docx Document in the house style,
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
        ("Chair", record.chair),
    ):
        add_body_paragraph(document, f"{label}: {one_line(value)}", BULLET)
    _add_invited(document, record.attendees)
    add_body_paragraph(document, "")  # Word would join two tables that touch
    if one_line(record.public_questions_close):
        add_body_paragraph(document, record.public_questions_close)
    _add_agenda(document, record.items)
    return document


def render_agenda(record: AgendaDocument, template: bytes | None = None) -> bytes:
    """Return the agenda `record` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_agenda_document(record, template).save(buffer)
    return buffer.getvalue()


def _add_invited(document: Document, attendees: list[tuple[str, str]]) -> None:
    table = HouseTable(
        document,
        INVITED_WIDTHS,
        caption="Invited",
        description="Who is invited to the meeting, with their capacity.",
    )
    table.add_row([[], [("Name:", TABLE_HEADING)], [("Capacity:", TABLE_HEADING)]], header=True)
    if not attendees:
        table.add_row([[("Invited:", TABLE_HEADING)], [("None", None)], []])
    for i, (name, capacity) in enumerate(attendees):
        table.add_row(
            [
                [("Invited:", TABLE_HEADING)] if i == 0 else [],
                [(one_line(name), None)],
                [(one_line(capacity), None)],
            ]
        )


def _add_agenda(document: Document, items: list[AgendaEntry]) -> None:
    table = HouseTable(
        document,
        AGENDA_WIDTHS,
        caption="Agenda",
        description="The agenda items in order: item number, item with its papers, presenter.",
    )
    table.add_row([[], [("Item", TABLE_HEADING)], [("PRESENTER", TABLE_HEADING)]], header=True)
    for item in items:
        _add_item(table, item)


def _add_item(table: HouseTable, item: AgendaEntry) -> None:
    heading = item_heading(item.number, item.level, item.title)
    if item.exempt_notice:
        # An exempt item shows its number, title and notice only, whatever else it was given.
        notice = text_block(item.exempt_notice, NOTICE)
        table.add_row([_number(item, keep=False), [heading, *notice], []])
        return
    presenter = [(one_line(item.presenter), None)] if one_line(item.presenter) else []
    details = _details(item)
    # An item is read as a whole, so its row does not break across pages (one taller than a
    # page still does); a title with nothing under it stays on the page of its first child.
    keep = not details and bool(item.children)
    table.add_row([_number(item, keep=keep), [heading, *details], presenter], keep_with_next=keep)
    for child in item.children:
        _add_item(table, child)


def _number(item: AgendaEntry, *, keep: bool) -> list[Para]:
    """The item's number, bold; a sub-theme's number is in its title.

    The Item Number style keeps its row with the next one (LibreOffice does so on its own), as
    the minutes need; an agenda row is a whole item, so only a bare title keeps with the next,
    and the other numbers are row labels, or the whole table would be one chain of rows.
    """
    if item.level >= 3 or not one_line(item.number):
        return []
    return [(one_line(item.number), ITEM_NUMBER if keep else TABLE_HEADING)]


def _details(item: AgendaEntry) -> list[Para]:
    """What goes under the title: its text, purpose, commission, and the state of its paper."""
    paras = text_block(item.text_after_title)
    for line in item.carried_forward:
        paras += text_block(line, BULLET)
    if one_line(item.purpose):
        paras.append((one_line(item.purpose), None))
    paras += text_block(item.commission)
    if item.paper_due_on:
        paras.append((f"Paper due: {long_date(item.paper_due_on)}", None))
    papers = [one_line(name) for name in item.papers if one_line(name)]
    if papers:
        paras.append((f"Papers: {', '.join(papers)}", None))
    elif item.paper_late:
        paras.append(("Paper late", WARNING))
    return paras
