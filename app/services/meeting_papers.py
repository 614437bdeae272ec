"""The documents sent before a meeting: the agenda, and the question pack for the force.

What they say is decided here (which items, numbers, what is due when, which questions go to
the force); the .docx builders in `app/export/` only lay these records out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class AgendaEntry:
    """An item of the agenda as the agenda document shows it."""

    number: str  # "1", "2.1", or "1." for a sub-theme (numbered within its parent)
    level: int  # 1 top-level, 2 theme, 3 sub-theme
    title: str  # as typed; the document applies the house style
    kind: str
    presenter: str = ""  # "DCC" or a name; "" when nobody presents it
    purpose: str = ""  # "For information", "For decision", "For assurance", or ""
    commission: str = ""  # "The Commissioner requires a report that…"
    paper_due_on: date | None = None
    papers: list[str] = field(default_factory=list)  # file names of the papers received
    paper_late: bool = False  # a paper was due and none has arrived
    exempt_notice: str | None = None  # public agenda: "This item will be considered in private…"
    text_after_title: str | None = None  # e.g. the next meeting's details, "To be confirmed"
    children: list[AgendaEntry] = field(default_factory=list)


@dataclass
class AgendaDocument:
    """Everything the agenda document shows."""

    title: str  # "Monthly Assurance Meeting 30 April 2019 – Agenda"
    meeting_type: str
    date_line: str  # "Tuesday 30th April 2019 @ 10:00"
    venue: str
    chair: str
    attendees: list[tuple[str, str]]  # (name, capacity) of those invited
    items: list[AgendaEntry]
    marking: str
    office_name: str
    public_questions_close: str = ""  # "Questions from the public close on Friday 19 April 2019."
    language: str = "en-GB"


@dataclass
class PackQuestion:
    """A question as the force receives it."""

    number: str  # "Q1", numbered through the pack
    text: str
    asked_by: str  # "PCC"
    addressed_to: str  # "CC"
    source: str  # "Commissioner", "Member of the public", "Police and Crime Panel", …
    theme: str = ""


@dataclass
class PackItem:
    """An agenda item with what the Commissioner requires of the force on it."""

    number: str
    title: str
    level: int
    presenter: str = ""
    commission: str = ""
    paper_due_on: date | None = None
    questions: list[PackQuestion] = field(default_factory=list)


@dataclass
class QuestionPack:
    """The Commissioner's questions per item, sent to the force before the meeting."""

    title: str  # "Monthly Assurance Meeting 30 April 2019 – Questions for the Force"
    meeting_type: str
    date_line: str
    venue: str
    force_name: str  # "West Mercia Police"
    items: list[PackItem]  # only items with a commission or questions
    marking: str
    office_name: str
    language: str = "en-GB"
