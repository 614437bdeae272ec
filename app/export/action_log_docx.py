"""The action log as a Word document, in the house style of the minutes, on A4 landscape.

The log arrives with its rows chosen, ordered and worded (`app.services.action_log`); this
module only lays it out and never reads the database.
"""

from __future__ import annotations

import io
from datetime import date

from docx.document import Document
from docx.shared import Cm

from app.export.styles import (
    ACTION_DETAIL,
    RAG,
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
from app.services.action_log import ActionLog, LogRow

# 25.7 cm of text width on A4 landscape with 2 cm margins. Ref, Raised and Due hold
# "A/2019/001" and "30/04/2019" on one line; the prose columns take the rest.
LOG_WIDTHS = (Cm(2.5), Cm(4.0), Cm(6.4), Cm(2.2), Cm(2.5), Cm(2.8), Cm(5.3))
HEADINGS = ("Ref", "Raised", "Action", "Owner", "Due", "Status", "Latest update")
NO_ACTIONS = "No actions match."
NO_DUE_DATE = "No due date"
NO_OWNER = "No owner"
NO_UPDATE = "No update"
EXEMPT = "Exempt"


def build_action_log_document(log: ActionLog, template: bytes | None = None) -> Document:
    """Lay out the action `log` as a python-docx Document in the house style, landscape,
    or from the office's Word `template`."""
    document = new_document(language=log.language, landscape=True, template=template)
    set_core_properties(
        document,
        title=log.title,
        subject=log.description or "Action log",
        language=log.language,
        author=log.office_name,
        category=log.marking,
    )
    set_page_furniture(document, log.marking)
    add_body_paragraph(document, log.title, TITLE)
    if one_line(log.description):
        add_body_paragraph(document, log.description)
    if not log.rows:
        add_body_paragraph(document, NO_ACTIONS)
        return document
    table = HouseTable(
        document,
        LOG_WIDTHS,
        caption="Action log",
        description=(
            "One row per action: reference, date and meeting raised, action, owners (lead "
            "first), due date, status with its RAG rating, and latest update."
        ),
    )
    table.add_row([[(heading, TABLE_HEADING)] for heading in HEADINGS], header=True)
    for row in log.rows:
        table.add_row(_columns(row))
    return document


def render_action_log(log: ActionLog, template: bytes | None = None) -> bytes:
    """Return the action `log` as the bytes of a .docx file."""
    buffer = io.BytesIO()
    build_action_log_document(log, template).save(buffer)
    return buffer.getvalue()


def _columns(row: LogRow) -> list[list[Para]]:
    reference: list[Para] = [(one_line(row.reference), TABLE_HEADING)]
    if row.exempt:
        reference.append((EXEMPT, WARNING))
    raised: list[Para] = [(_short_date(row.raised_on), ACTION_DETAIL)] if row.raised_on else []
    if one_line(row.meeting):
        raised.append((one_line(row.meeting), None))
    owners = ", ".join(label for label in map(one_line, row.owners) if label)
    due = _short_date(row.due_date) if row.due_date else NO_DUE_DATE
    return [
        reference,
        raised,
        text_block(row.text),
        [(owners or NO_OWNER, None)],
        [(due, None)],
        [_status(row)],
        _update(row),
    ]


def _status(row: LogRow) -> Para:
    """Status and rating in words ("Open – Red"), shaded by its style too: never colour alone."""
    status, rag = one_line(row.status), one_line(row.rag)
    if not rag:
        return status, None
    words = f"{status} – {rag.capitalize()}" if status else rag.capitalize()
    return words, RAG.get(rag.lower())


def _update(row: LogRow) -> list[Para]:
    paras: list[Para] = []
    if row.latest_update_on:
        paras.append((long_date(row.latest_update_on), ACTION_DETAIL))
    paras += text_block(row.latest_update)
    return paras or [(NO_UPDATE, None)]


def _short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"
