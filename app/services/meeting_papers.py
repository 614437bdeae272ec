"""The documents sent before a meeting: the agenda, and the question pack for the force.

What they say is decided here (which items, numbers, what is due when, which questions go to
the force); the .docx builders in `app/export/` only lay these records out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlmodel import Session, col, select

from app.models import (
    AttendanceStatus,
    ItemKind,
    Person,
    Question,
    QuestionSource,
    QuestionStatus,
    utcnow,
)
from app.services import audit, minutes_format
from app.services.actions import carried_forward
from app.services.agenda import ItemNode, agenda_tree
from app.services.common import person_label, speaker_label
from app.services.dates import long_date, long_date_ordinal, short_date, to_london
from app.services.errors import Forbidden
from app.services.meetings import (
    default_capacity,
    get_meeting,
    list_attendance,
    meeting_type_of,
    next_meeting_of,
)
from app.services.minutes import (
    Edition,
    carried_questions,
    exempt_notice,
    next_meeting_text,
    running_start_of,
)
from app.services.minutes_format import (
    DateStyle,
    MinutesFormat,
    Naming,
    Numbering,
    item_numbers,
    owner_in_minutes,
)
from app.services.office import get_office
from app.services.papers import is_late
from app.services.permissions import Actor, Perm, allowed, require
from app.services.questions import at_meeting, public_questions_close
from app.services.visibility import agenda_as_seen, visible_papers


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
    paper_ids: list[int] = field(default_factory=list)  # the same papers' ids
    paper_late: bool = False  # a paper was due and none has arrived
    exempt_notice: str | None = None  # public agenda: "This item will be considered in private…"
    text_after_title: str | None = None  # e.g. the next meeting's details, "To be confirmed"
    # Outstanding matters: the open actions and questions carried forward, one line each.
    carried_forward: list[str] = field(default_factory=list)
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
    purpose: str = ""  # "For decision", when the series shows each item's purpose
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


# --- from the database ------------------------------------------------------------------

PURPOSES = {"information": "For information", "decision": "For decision",
            "assurance": "For assurance"}
SOURCES = {
    QuestionSource.commissioner: "Commissioner",
    QuestionSource.public: "Member of the public",
    QuestionSource.panel: "Police and Crime Panel",
    QuestionSource.inspection: "Inspection finding",
}
# Questions that go to the force in the pack: prepared and not withdrawn or already dealt with.
PACK_STATUSES = {QuestionStatus.ready, QuestionStatus.sent, QuestionStatus.carried_forward}


def _day_title(meeting, meeting_type) -> str:
    local = to_london(meeting.starts_at)
    return f"{meeting_type.name} {local.day} {local:%B %Y}"


def _date_line(meeting, fmt: MinutesFormat) -> str:
    """"Tuesday 30th April 2019 @ 10:00", or in full: "Tuesday 30 April 2019, 14:00", with
    " – 16:30" when the series shows the end time and the meeting's end is known."""
    local = to_london(meeting.starts_at)
    if fmt.date_style == DateStyle.ordinal_at:
        return f"{long_date_ordinal(local)} @ {local:%H:%M}"
    line = f"{long_date(local)}, {local:%H:%M}"
    if fmt.show_end_time and meeting.ends_at is not None:
        line += f" – {to_london(meeting.ends_at):%H:%M}"
    return line


def series_numbers(session: Session, meeting) -> dict[int, str]:
    """Each item's number as the meeting's series numbers its documents, by item id; empty
    when the series nests its numbers (1, 2.1: the agenda's own)."""
    fmt = minutes_format.load(meeting_type_of(session, meeting).minutes_format)
    if fmt.numbering == Numbering.nested:
        return {}
    return _numbers(session, meeting, fmt, agenda_tree(session, meeting.id))


def _numbers(session: Session, meeting, fmt: MinutesFormat, tree: list[ItemNode]
             ) -> dict[int, str]:
    """Each item's number as the series numbers its minutes (running numbers count the
    series' earlier meetings)."""
    start = running_start_of(session, meeting, fmt) if fmt.numbering == Numbering.running else 1
    return item_numbers(fmt, tree, meeting_day=to_london(meeting.starts_at).date(),
                        running_start=start)


def _who(fmt: MinutesFormat, person: Person | None, *, speaker: bool = False) -> str:
    """A presenter, an owner or (`speaker`) who asks and answers, as the series names
    people: by role as the minutes always have; else by initials, title and surname or
    full name."""
    if fmt.naming == Naming.role:
        return speaker_label(person) if speaker else person_label(person)
    return owner_in_minutes(fmt, person)


def agenda_for(
    session: Session, *, meeting_id: int, by: Actor, edition: Edition = Edition.internal
) -> AgendaDocument:
    """The agenda of a meeting; the public edition names exempt items without their detail."""
    if edition == Edition.internal and not allowed(by, Perm.export_internal):
        raise Forbidden("Your role can download only the public edition of the agenda.")
    meeting = get_meeting(session, meeting_id)
    document = agenda_document(session, meeting, edition=edition)
    audit.record(session, by=by, verb="export", object_type="meeting", object_id=meeting.id,
                 summary=f"agenda, {edition} edition")
    session.flush()
    return document


def agenda_document(session: Session, meeting, *, edition: Edition) -> AgendaDocument:
    """What a meeting's agenda says in this edition, read without writing anything (the public
    page of a meeting to come shows the public edition)."""
    assert meeting.id is not None  # loaded from the database
    meeting_type = meeting_type_of(session, meeting)
    fmt = minutes_format.load(meeting_type.minutes_format)
    office = get_office(session)
    people = {p.id: p for p in session.exec(select(Person))}
    tree = agenda_as_seen(session, meeting.id, redact=edition == Edition.public)
    # Numbered from the whole agenda, so both editions give an item the same number.
    numbers = _numbers(session, meeting, fmt, agenda_tree(session, meeting.id)
                       if edition == Edition.public else tree)
    papers = visible_papers(session, [n for root in tree for n in root.walk()])
    following = next_meeting_of(session, meeting)
    outstanding = outstanding_lines(session, meeting, public=edition == Edition.public,
                                    fmt=fmt)
    carried_given: list[int] = []  # only the first Outstanding matters item lists them

    def entry(node: ItemNode) -> AgendaEntry:
        item = node.item
        result = AgendaEntry(number=numbers.get(item.id or 0, node.local_number),
                             level=node.level, title=item.title, kind=item.kind)
        if node.redacted:
            result.exempt_notice = exempt_notice(item.exempt_reason, to_come=True)
            return result
        result.presenter = _who(fmt, people.get(item.presenter_id))
        result.purpose = PURPOSES.get(item.purpose or "", "")
        result.commission = item.commission
        result.paper_due_on = item.paper_due_on
        assert item.id is not None  # loaded from the database
        result.papers = [p.filename for p in papers[item.id]]
        result.paper_ids = [p.id for p in papers[item.id] if p.id is not None]
        result.paper_late = is_late(item, papers[item.id])
        if item.kind == ItemKind.next_meeting:
            result.text_after_title = next_meeting_text(
                following, meeting_type_of(session, following) if following else None)
        if item.kind == ItemKind.outstanding_matters and not carried_given:
            carried_given.append(item.id)
            result.carried_forward = outstanding
            if not outstanding:
                result.text_after_title = "None"
        result.children = [entry(child) for child in node.children]
        return result

    chair = people.get(meeting.chair_id)
    closes = public_questions_close(session, meeting)
    return AgendaDocument(
        title=f"{_day_title(meeting, meeting_type)} – Agenda",
        meeting_type=meeting_type.name,
        date_line=_date_line(meeting, fmt),
        venue=meeting.venue,
        chair=chair.full_name if chair else "",
        attendees=[(p.full_name, a.capacity or default_capacity(p))
                   for a, p in list_attendance(session, meeting.id)
                   if a.status != AttendanceStatus.apologies],
        items=[entry(root) for root in tree],
        marking="OFFICIAL" if edition == Edition.public else meeting.marking,
        office_name=office.office_name,
        public_questions_close=f"Questions from the public close on {long_date(closes)}.",
    )


def outstanding_lines(session: Session, meeting, *, public: bool,
                      fmt: MinutesFormat | None = None) -> list[str]:
    """The open actions and questions carried forward to a meeting, one line each:
    "A/2019/001 The DCC to review… (DCC, due 28 May 2019)"; owners as the series names
    them."""
    fmt = fmt or minutes_format.PRESETS[minutes_format.Preset.notes]
    lines = []
    for view in carried_forward(session, meeting):
        if public and view.exempt:
            continue
        owners = ", ".join(_who(fmt, p) for p in view.owners)
        due = f"due {short_date(view.action.due_date)}" if view.action.due_date else "no due date"
        lines.append(f"{view.action.reference} {view.action.text} ({owners}, {due})")
    for asked in carried_questions(session, meeting, redact=public):
        lines.append(f"Question carried forward: {asked.question.text}")
    return lines


def pack_questions(session: Session, meeting) -> list[Question]:
    """The questions taken at a meeting that go to the force (those carried forward to it
    included), as drafted."""
    query = select(Question).where(at_meeting(session, meeting),
                                   col(Question.status).in_(PACK_STATUSES))
    return list(session.exec(query.order_by(col(Question.id))))


OTHER_QUESTIONS = "Other questions"
CARRIED_QUESTIONS = "Questions carried forward"


def question_pack_for(session: Session, *, meeting_id: int, by: Actor) -> QuestionPack:
    """The Commissioner's questions and commissions for the force, item by item."""
    require(by, Perm.write_questions, "Only the Commissioner's office prepares the question pack.")
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    meeting_type = meeting_type_of(session, meeting)
    fmt = minutes_format.load(meeting_type.minutes_format)
    office = get_office(session)
    people = {p.id: p for p in session.exec(select(Person))}
    tree = agenda_tree(session, meeting.id)
    numbers = _numbers(session, meeting, fmt, tree)
    on_agenda = {n.item.id for root in tree for n in root.walk()}
    by_item: dict[int | None, list[Question]] = {}
    carried: list[Question] = []
    for question in pack_questions(session, meeting):
        if question.carried_from_meeting_id is not None:
            carried.append(question)
        else:  # on no item (or an item since deleted): "Other questions"
            key = question.item_id if question.item_id in on_agenda else None
            by_item.setdefault(key, []).append(question)
    items: list[PackItem] = []
    counter = 0

    def add(pack_item: PackItem, asked: list[Question]) -> None:
        nonlocal counter
        for question in asked:
            counter += 1
            pack_item.questions.append(PackQuestion(
                number=f"Q{counter}", text=question.text,
                asked_by=_who(fmt, people.get(question.asked_by_id), speaker=True) or "PCC",
                addressed_to=_who(fmt, people.get(question.addressed_to_id),
                                  speaker=True) or "CC",
                source=SOURCES.get(cast(QuestionSource, question.source), question.source),
                theme=question.theme))
        items.append(pack_item)

    def visit(node: ItemNode) -> None:
        item = node.item
        asked = by_item.get(item.id, [])
        if asked or item.commission.strip():
            add(PackItem(number=numbers.get(item.id or 0, node.local_number), title=item.title,
                         level=node.level,
                         presenter=_who(fmt, people.get(item.presenter_id)),
                         purpose=(PURPOSES.get(item.purpose or "", "")
                                  if fmt.show_purpose else ""),
                         commission=item.commission, paper_due_on=item.paper_due_on), asked)
        for child in node.children:
            visit(child)

    if carried:
        add(PackItem(number="", title=CARRIED_QUESTIONS, level=1), carried)
    for root in tree:
        visit(root)
    if by_item.get(None):
        add(PackItem(number="", title=OTHER_QUESTIONS, level=1), by_item[None])
    audit.record(session, by=by, verb="export", object_type="meeting", object_id=meeting.id,
                 summary=f"question pack, {sum(len(i.questions) for i in items)} questions")
    session.flush()
    return QuestionPack(
        title=f"{_day_title(meeting, meeting_type)} – Questions for the Force",
        meeting_type=meeting_type.name,
        date_line=_date_line(meeting, fmt),
        venue=meeting.venue,
        force_name=office.force_name or "the force",
        items=items,
        marking=meeting.marking,
        office_name=office.office_name,
    )


def mark_pack_sent(session: Session, *, meeting_id: int, by: Actor) -> int:
    """The questions in the meeting's pack are now with the force; returns how many."""
    require(by, Perm.write_questions)
    meeting = get_meeting(session, meeting_id)
    # Exactly those the pack gives the force for the first time: ready, or carried forward to
    # this meeting (whatever item they are on, or none).
    ready = [q for q in pack_questions(session, meeting) if q.status != QuestionStatus.sent]
    for question in ready:
        question.status = QuestionStatus.sent
        question.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="meeting", object_id=meeting_id,
                 summary=f"{len(ready)} questions sent to the force")
    session.flush()
    return len(ready)
