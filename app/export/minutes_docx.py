"""The minutes of a meeting as a Word document, in the OPCC notes layout (DESIGN.md section 3).

The record arrives numbered and redacted for its edition (`app.services.minutes`); this module
only lays it out and never reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from docx.document import Document
from docx.shared import Cm

from app.export.styles import (
    ACTION_DETAIL,
    ACTION_OWNER,
    ACTIONS_ARISING,
    BULLET,
    ITEM_NUMBER,
    NOTICE,
    RAG,
    TABLE_HEADING,
    TITLE,
    Block,
    HouseTable,
    Para,
    add_body_paragraph,
    item_heading,
    long_date,
    minutes_text_block,
    new_document,
    one_line,
    set_core_properties,
    set_page_furniture,
    text_block,
)
from app.services.minutes import MinutesAction, MinutesItem, MinutesPerson, MinutesRecord

# 17 cm of text width on A4 with 2 cm margins.
ATTENDANCE_WIDTHS = (Cm(3.2), Cm(5.8), Cm(8.0))
MINUTES_WIDTHS = (Cm(1.4), Cm(12.2), Cm(3.4))
EXEMPT_NOTE = "Exempt: not in the public edition."


def build_minutes_document(record: MinutesRecord, template: bytes | None = None) -> Document:
    """Lay out `record` as a python-docx Document in the house style,
    or from the office's Word `template`."""
    document = new_document(language=record.language, template=template)
    set_core_properties(document, title=record.title, subject=record.meeting_type,
                        language=record.language, author=record.office_name,
                        category=record.marking)
    set_page_furniture(document, record.marking)
    add_body_paragraph(document, record.title, TITLE)
    for label, value in (
        ("Date", record.date_line),
        ("Chair", record.chair),
        ("Minutes", record.minutes_by),
        ("Venue", record.venue),
    ):
        add_body_paragraph(document, f"{label}: {one_line(value)}", BULLET)
    _add_attendance(document, record)
    add_body_paragraph(document, "")  # Word would join two tables that touch
    _add_minutes(document, record)
    return document


def render_minutes(record: MinutesRecord, template: bytes | None = None) -> bytes:
    """Return the minutes of `record` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_minutes_document(record, template).save(buffer)
    return buffer.getvalue()


def _add_attendance(document: Document, record: MinutesRecord) -> None:
    table = HouseTable(
        document,
        ATTENDANCE_WIDTHS,
        caption="Attendance",
        description="Who attended the meeting, who was in attendance for some items, and who "
                    "sent apologies, with their capacity.",
    )
    table.add_row([[], [("Name:", TABLE_HEADING)], [("Capacity:", TABLE_HEADING)]], header=True)
    groups = [("Attendance:", record.present)]
    if record.in_attendance:  # most meetings have nobody in attendance for some items only
        groups.append(("In attendance:", record.in_attendance))
    groups.append(("Apologies:", record.apologies))
    for label, people in groups:
        for row in _people_rows(label, people):
            table.add_row(row)


def _people_rows(label: str, people: list[MinutesPerson]) -> Iterator[list[list[Para]]]:
    if not people:
        yield [[(label, TABLE_HEADING)], [("None", None)], []]
    for i, person in enumerate(people):
        yield [
            [(label, TABLE_HEADING)] if i == 0 else [],
            [(one_line(person.name_line), None)],
            [(one_line(person.capacity), None)],
        ]


def _add_minutes(document: Document, record: MinutesRecord) -> None:
    table = HouseTable(
        document,
        MINUTES_WIDTHS,
        caption="Minutes",
        description="The minutes by agenda item: item number, minutes, and actions with owner.",
    )
    table.add_row([[], [("Minutes", TABLE_HEADING)], [("ACTION", TABLE_HEADING)]], header=True)
    for item in record.items:
        _add_item(table, item)


def _add_item(table: HouseTable, item: MinutesItem) -> None:
    heading = item_heading(item.number, item.level, item.title)
    title_column = [heading]
    if item.text_after_title:
        title_column += text_block(item.text_after_title)
    if item.exempt_notice:
        title_column += text_block(item.exempt_notice, NOTICE)
    if item.internal_note:
        title_column += text_block(item.internal_note, NOTICE)
    number = [(one_line(item.number), ITEM_NUMBER)] if item.level < 3 and item.number else []
    table.add_row([number, title_column, []], keep_with_next=True)
    if item.exempt_notice:
        # An exempt item shows its number, title and notice only, whatever else it was given.
        return
    for action in item.carried_forward:
        status = _action_column(action)
        rag = (action.rag or "").lower()
        if rag in RAG:  # in words as well as shaded: colour alone carries no meaning
            status.append((f"RAG: {rag.capitalize()}", RAG[rag]))
        table.add_row([[], _marked(action.exempt, _carried_forward(action),
                                   action.exempt_reason), status])
    for entry in item.entries:
        paras = minutes_text_block(entry.text)
        for note in entry.notes:  # amendments made after approval, in both editions
            paras += text_block(note, NOTICE)
        if paras:
            table.add_row([[], _marked(entry.exempt, paras, entry.exempt_reason), []],
                          split=True)
    if item.actions:
        table.add_row([[], [("Actions arising:", ACTIONS_ARISING)], []], keep_with_next=True)
        for action in item.actions:
            paras = _marked(action.exempt, text_block(action.text), action.exempt_reason)
            table.add_row([[], paras, _action_column(action)])
    for child in item.children:
        _add_item(table, child)


def _marked(exempt: bool, paras: Sequence[Block], reason: str = "") -> list[Block]:
    """The internal edition says what the public one leaves out, and why."""
    if not exempt:
        return list(paras)
    note = f"Exempt ({one_line(reason)}): not in the public edition." if reason.strip() \
        else EXEMPT_NOTE
    return [(note, NOTICE), *paras]


def _carried_forward(action: MinutesAction) -> list[Para]:
    """The reference and text, then "Latest update (12 May 2019): its text" if there is one."""
    paras = _prefixed(one_line(action.reference), text_block(action.text))
    if action.latest_update:
        when = f" ({long_date(action.latest_update_on)})" if action.latest_update_on else ""
        paras += _prefixed(f"Latest update{when}", text_block(action.latest_update))
    return paras


def _prefixed(label: str, paras: list[Para]) -> list[Para]:
    """Put "label: " before the first paragraph, or on its own line before a bullet."""
    if not label:
        return paras
    if paras and paras[0][1] is None:
        return [(f"{label}: {paras[0][0]}", None), *paras[1:]]
    return [(f"{label}:" if paras else label, None), *paras]


def _action_column(action: MinutesAction) -> list[Para]:
    paras: list[Para] = []
    owners = ", ".join(one_line(owner) for owner in action.owners if one_line(owner))
    if owners:
        paras.append((owners, ACTION_OWNER))
    if one_line(action.reference):
        paras.append((one_line(action.reference), ACTION_DETAIL))
    # dd/mm/yyyy fits the narrow column on one line; it is how British readers write dates.
    due = f"Due {action.due_date:%d/%m/%Y}" if action.due_date else "No due date"
    paras.append((due, ACTION_DETAIL))
    return paras
