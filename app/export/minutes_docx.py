"""The minutes of a meeting as a Word document, laid out as the series' minutes format says
(app/services/minutes_format.py): the OPCC notes' three-column table (DESIGN.md section 3), or
a heading per item with its minutes as paragraphs; the attendance as a table or as grouped
lines; the actions in the ACTION column, written where they arose, or summarised at the end.

The record arrives numbered, named and redacted for its edition (`app.services.minutes`); this
module only lays it out and never reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from docx.document import Document
from docx.shared import Cm, Emu

from app.export.styles import (
    ACTION_DETAIL,
    ACTION_LINE,
    ACTION_OWNER,
    ACTIONS_ARISING,
    BULLET,
    HEADING_1,
    HEADING_2,
    HEADING_3,
    ITEM_NUMBER,
    NOTICE,
    RAG,
    TABLE_HEADING,
    TITLE,
    Block,
    CellTable,
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
from app.services.minutes import (
    MinutesAction,
    MinutesEntry,
    MinutesItem,
    MinutesPerson,
    MinutesRecord,
    inline_action_text,
)
from app.services.minutes_format import ActionPlace, AttendanceStyle, Layout, MinutesFormat

# 17 cm of text width on A4 with 2 cm margins.
ATTENDANCE_WIDTHS = (Cm(3.2), Cm(5.8), Cm(8.0))
MINUTES_WIDTHS = (Cm(1.4), Cm(12.2), Cm(3.4))
SUMMARY_WIDTHS = (Cm(2.6), Cm(8.0), Cm(3.0), Cm(3.4))
TEXT_WIDTH = Cm(17.0)
SUMMARY_HEADING = "Summary of actions"
MINUTES_CAPTION = "Minutes"  # the minutes table's caption, by which the web page knows it
HEADING_SPACE = 12  # points above a heading in the body (inside table cells they sit tight)
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
    fmt = record.format
    if fmt.attendance == AttendanceStyle.grouped:
        _add_grouped_attendance(document, record)
    else:
        _add_attendance(document, record)
    if fmt.layout == Layout.paragraphs:
        for item in record.items:
            _add_item_paragraphs(document, item, fmt)
    else:
        if fmt.attendance == AttendanceStyle.table:
            add_body_paragraph(document, "")  # Word would join two tables that touch
        _add_minutes(document, record)
    if fmt.has(ActionPlace.summary):
        _add_summary(document, record)
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
        caption=MINUTES_CAPTION,
        description="The minutes by agenda item: item number, minutes, and actions with owner.",
    )
    table.add_row([[], [("Minutes", TABLE_HEADING)], [("ACTION", TABLE_HEADING)]], header=True)
    for item in record.items:
        _add_item(table, item, record.format)


def _add_item(table: HouseTable, item: MinutesItem, fmt: MinutesFormat) -> None:
    heading = item_heading(item.number, item.level, item.title)
    title_column = [heading]
    if item.text_after_title:
        title_column += text_block(item.text_after_title)
    if item.exempt_notice:
        title_column += text_block(item.exempt_notice, NOTICE)
    if item.internal_note:
        title_column += text_block(item.internal_note, NOTICE)
    number = [(one_line(item.number), ITEM_NUMBER)] if item.level < 3 and item.number else []
    title_column += _item_details(item)
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
        paras = _entry_blocks(entry)
        if paras:
            table.add_row([[], _marked(entry.exempt, paras, entry.exempt_reason), []],
                          split=True)
    if item.actions and fmt.has(ActionPlace.column):
        table.add_row([[], [("Actions arising:", ACTIONS_ARISING)], []], keep_with_next=True)
        for action in item.actions:
            paras = _marked(action.exempt, text_block(action.text), action.exempt_reason)
            table.add_row([[], paras, _action_column(action)])
    if fmt.has(ActionPlace.inline):
        for action in item.actions:
            table.add_row([[], _marked(action.exempt, _inline_action(action),
                                       action.exempt_reason), []])
    for child in item.children:
        _add_item(table, child, fmt)


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


def _item_details(item: MinutesItem) -> list[Para]:
    """The commission, presenter and purpose, where the format shows them."""
    paras: list[Para] = []
    if item.commission:
        paras += text_block(item.commission)
    for line in (item.presenter, item.purpose):
        if line:
            paras.append((one_line(line), None))
    return paras


def _entry_blocks(entry: MinutesEntry) -> list[Block]:
    """A paragraph of the minutes with its label before it ("Decision (D/2025/014): …") and
    its closing after it ("… (Decision D/2025/014)"), then its amendment notes."""
    blocks = minutes_text_block(entry.text)
    if blocks and entry.label:
        first = blocks[0]
        if isinstance(first, tuple) and first[1] is None:
            blocks[0] = (f"{one_line(entry.label)} {first[0]}", None)
        else:  # a list or a table: the label on its own line before it
            blocks.insert(0, (one_line(entry.label), None))
    if blocks and entry.closing:
        last = blocks[-1]
        if isinstance(last, tuple) and last[1] in (None, BULLET):
            blocks[-1] = (f"{last[0]} {one_line(entry.closing)}", last[1])
        else:
            blocks.append((one_line(entry.closing), None))
    for note in entry.notes:  # amendments made after approval, in both editions
        blocks += text_block(note, NOTICE)
    return blocks


def _inline_action(action: MinutesAction) -> list[Para]:
    """"Action – NA to send the Commissioner…", then its reference and due date."""
    detail = ", ".join(part for part in (
        one_line(action.reference),
        f"due {long_date(action.due_date)}" if action.due_date else "no due date",
    ) if part)
    return [(one_line(inline_action_text(action)), ACTION_LINE),
            (detail[:1].upper() + detail[1:], ACTION_DETAIL)]


# --- the grouped attendance and the paragraphs layout -----------------------------------------


def _add_grouped_attendance(document: Document, record: MinutesRecord) -> None:
    """"Present:", "In attendance:", "Apologies:", each a heading with a line per person."""
    groups = [("Present:", record.present)]
    if record.in_attendance:
        groups.append(("In attendance:", record.in_attendance))
    groups.append(("Apologies:", record.apologies))
    for label, people in groups:
        add_body_paragraph(document, label, HEADING_1, space_before=HEADING_SPACE)
        if not people:
            add_body_paragraph(document, "None")
        for person in people:
            add_body_paragraph(document, person.line or person.name_line)


ITEM_STYLES = {1: HEADING_1, 2: HEADING_2}


def _add_item_paragraphs(document: Document, item: MinutesItem, fmt: MinutesFormat) -> None:
    """An item as a heading with its number, then its minutes as paragraphs."""
    title = f"{one_line(item.number)} {one_line(item.title)}".strip()
    add_body_paragraph(document, title, ITEM_STYLES.get(item.level, HEADING_3),
                       space_before=HEADING_SPACE if item.level <= 1 else HEADING_SPACE / 2)
    paras: list[Block] = []
    if item.text_after_title:
        paras += text_block(item.text_after_title)
    if item.exempt_notice:
        _add_blocks(document, [*paras, *text_block(item.exempt_notice, NOTICE)])
        return  # an exempt item shows its number, title and notice only
    if item.internal_note:
        paras += text_block(item.internal_note, NOTICE)
    paras += _item_details(item)
    for action in item.carried_forward:
        paras += _marked(action.exempt, _carried_forward(action), action.exempt_reason)
        paras += _carried_status(action)
    for entry in item.entries:
        paras += _marked(entry.exempt, _entry_blocks(entry), entry.exempt_reason)
    if fmt.has(ActionPlace.inline):
        for action in item.actions:
            paras += _marked(action.exempt, _inline_action(action), action.exempt_reason)
    _add_blocks(document, paras)
    for child in item.children:
        _add_item_paragraphs(document, child, fmt)


def _carried_status(action: MinutesAction) -> list[Para]:
    """Who owns an action carried forward, when it is due, and its RAG status, in words on
    one line ("Owner: MC · Due 20 June 2025 · RAG: Red")."""
    owners = ", ".join(one_line(owner) for owner in action.owners if one_line(owner))
    parts = [f"Owner: {owners}" if owners else "No owner",
             f"Due {long_date(action.due_date)}" if action.due_date else "No due date"]
    if action.rag:
        parts.append(f"RAG: {action.rag.capitalize()}")
    return [(" · ".join(parts), ACTION_DETAIL)]


def _add_blocks(document: Document, blocks: Sequence[Block]) -> None:
    """Paragraphs in the body; a table typed into the minutes as a table of the page's width."""
    for block in blocks:
        if isinstance(block, CellTable):
            columns = max(len(row) for row in block.rows)
            table = HouseTable(
                document, [Emu(TEXT_WIDTH // columns)] * columns, caption="Table",
                description=f"A table in the minutes: {len(block.rows)} rows of {columns} "
                            "columns.")
            for i, row in enumerate(block.rows):
                header = block.header and i == 0
                style = TABLE_HEADING if header else None
                # Rows of a typed table are short: none breaks across a page.
                table.add_row([[(cell, style)] if cell else [] for cell in row], header=header)
            add_body_paragraph(document, "")  # a table must not touch the next
        else:
            add_body_paragraph(document, block[0], block[1])


def _all_actions(items: list[MinutesItem]) -> Iterator[MinutesAction]:
    for item in items:
        if not item.exempt_notice:
            yield from item.actions
            yield from _all_actions(item.children)


def _add_summary(document: Document, record: MinutesRecord) -> None:
    """"Summary of actions": a table of every action raised, with its owner and due date."""
    actions = list(_all_actions(record.items))
    add_body_paragraph(document, SUMMARY_HEADING, HEADING_1, space_before=HEADING_SPACE)
    if not actions:
        add_body_paragraph(document, "No actions were raised.")
        return
    table = HouseTable(
        document, SUMMARY_WIDTHS, caption=SUMMARY_HEADING,
        description="Every action raised at the meeting: reference, action, owner, due date.")
    table.add_row([[(heading, TABLE_HEADING)]
                   for heading in ("Reference", "Action", "Owner", "Due date")], header=True)
    for action in actions:
        owners = ", ".join(one_line(o) for o in action.owners if one_line(o))
        table.add_row([
            [(one_line(action.reference), None)],
            _marked(action.exempt, text_block(action.text), action.exempt_reason),
            [(owners, None)] if owners else [],
            [(long_date(action.due_date) if action.due_date else "No due date", None)],
        ])
