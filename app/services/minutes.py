"""The minutes of a meeting as a document sees them: numbered, ordered, redacted per edition.

Every rule of what the minutes say lives here (numbering, what an empty item says, what the
public edition leaves out); the .docx builder in `app/export/` only lays this record out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Answer,
    Attendance,
    AttendanceStatus,
    EntryKind,
    ItemKind,
    ItemPurpose,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinuteAmendment,
    MinuteEntry,
    Person,
    Question,
    QuestionSource,
    QuestionStatus,
)
from app.services import audit, decisions
from app.services import minutes_format as formats
from app.services.actions import (
    ActionView,
    carried_forward,
    record_cutoff,
    views_of,
)
from app.services.agenda import ItemNode, flatten
from app.services.approval import amendment_note
from app.services.attendance import attendance_note
from app.services.common import person_named, speaker_label
from app.services.dates import (
    clock_12h,
    long_date,
    long_date_ordinal,
    to_london,
)
from app.services.errors import Forbidden
from app.services.meetings import (
    default_capacity,
    get_meeting,
    list_attendance,
    meeting_title,
    meeting_type_of,
    next_meeting_of,
)
from app.services.minutes_format import (
    DateStyle,
    MinutesFormat,
    Naming,
    Numbering,
    item_numbers,
    owner_in_minutes,
    person_in_minutes,
)
from app.services.office import get_office
from app.services.permissions import Actor, Perm, allowed
from app.services.questions import answers_of, carried_sources
from app.services.visibility import agenda_as_seen, exempt_item_ids, sees_exempt


class Edition(StrEnum):
    internal = "internal"
    public = "public"


@dataclass
class MinutesPerson:
    """A row of the attendance or apologies table."""

    name: str
    capacity: str  # "Deputy Chief Constable (DCC)"
    # After the name, in brackets: "substitute for Amanda Blakeman, DCC", "for items 4 and 5".
    note: str = ""
    # The attendance as grouped lines say it: "PCC John Campion (JC)", "ACC Mark Cooper for
    # the DCC", "Supt Jo Patel (for item 3)".
    line: str = ""

    @property
    def name_line(self) -> str:
        """"Jane Jones (substitute for Amanda Blakeman, DCC)"."""
        return f"{self.name} ({self.note})" if self.note else self.name


@dataclass
class MinutesEntry:
    """A paragraph of the minutes; lines starting "- " or "• " are bullets."""

    kind: str  # narrative, question, answer, decision, assurance
    text: str
    exempt: bool = False  # only ever true in the internal edition, which marks it
    exempt_reason: str = ""
    # Amendments made after approval: "Amended on 12 June 2019: <reason>" (and, in the
    # internal edition, what the entry said before).
    notes: list[str] = field(default_factory=list)
    entry_id: int | None = None  # the paragraph typed (none for answers given in writing)
    # A decision's reference ("D/2025/014"), shown with it on the pages; the Word minutes
    # print it as the format says (in `label`, or in `closing` in the reference layout).
    reference: str = ""
    # An assurance paragraph's level (app.models.AssuranceLevel), if the minute-taker gave one.
    assurance_level: str | None = None
    speaker: str = ""  # whoever the paragraph was minuted as said by, named as the format says
    # What the Word minutes print before the text, on its first line: "Decision (D/2025/014):",
    # "Assurance statement (partially assured):", "Cllr Jones:"; and after it, at the end of
    # its last line: "(Decision D/2025/014)". The text itself stays as typed.
    label: str = ""
    closing: str = ""


@dataclass
class MinutesAction:
    """An action as the ACTION column shows it."""

    reference: str  # "A/2019/014"
    text: str
    owners: list[str]  # role abbreviations or initials, lead first: ["DCC"]
    due_date: date | None
    status: str
    rag: str | None = None  # red, amber, green; none once closed
    exempt: bool = False  # only ever true in the internal edition, which marks it
    exempt_reason: str = ""
    latest_update: str | None = None  # for actions carried forward
    latest_update_on: date | None = None


@dataclass
class MinutesItem:
    """An agenda item with what was minuted under it."""

    number: str  # "1", "2.1", or "1." for a sub-theme (numbered within its parent)
    level: int  # 1 top-level, 2 theme, 3 sub-theme
    title: str  # as typed; the document applies the house style (capitals, underline)
    kind: str
    entries: list[MinutesEntry] = field(default_factory=list)
    actions: list[MinutesAction] = field(default_factory=list)  # "Actions arising"
    carried_forward: list[MinutesAction] = field(default_factory=list)  # outstanding matters
    # What the item says when there is nothing else, or what it says after its title:
    # "None were discussed.", "No items", the next meeting's details, "To be confirmed".
    text_after_title: str | None = None
    # Public edition, exempt item: "This item was considered in private (exempt under ...)."
    exempt_notice: str | None = None
    # Internal edition, exempt item: "Exempt (section 31 …): not in the public edition".
    internal_note: str | None = None
    children: list[MinutesItem] = field(default_factory=list)
    # Filled only when the format shows them: the commission as typed, "Presented by: the
    # DCC", "Paper – For Decision".
    commission: str = ""
    presenter: str = ""
    purpose: str = ""


@dataclass
class MinutesRecord:
    """Everything the minutes document of one meeting shows, already redacted for its edition."""

    title: str  # "Monthly Assurance Meeting April 2019 – Meeting Notes"
    meeting_type: str
    date_line: str  # "Tuesday 30th April 2019 @ 10:00"
    chair: str
    minutes_by: str  # "Jackie Irvin, Policy Officer, OPCC"
    venue: str
    present: list[MinutesPerson]
    apologies: list[MinutesPerson]
    items: list[MinutesItem]
    marking: str  # "OFFICIAL"
    edition: Edition
    office_name: str
    language: str = "en-GB"
    # Those who came for some items only (or were in attendance without being members).
    in_attendance: list[MinutesPerson] = field(default_factory=list)
    # How the document lays itself out (layout, attendance, where the actions go).
    format: MinutesFormat = field(default_factory=MinutesFormat)


# --- loading a meeting's record -----------------------------------------------------------

# The public edition is published: whatever the meeting's marking, what remains after the
# exempt material is removed is releasable, and is marked as such.
PUBLIC_MARKING = "OFFICIAL"
NONE_DISCUSSED = "None were discussed."
NO_ITEMS = "No items"
TO_BE_CONFIRMED = "To be confirmed"


@dataclass
class RecordItem:
    """An item of the record with its entries and the actions raised under it."""

    node: ItemNode
    entries: list[MinuteEntry]
    actions: list[ActionView]
    children: list[RecordItem]
    redacted: bool  # exempt, and shown to this reader by number and title only


@dataclass
class MeetingRecord:
    """A meeting's whole record as one reader may see it."""

    meeting: Meeting
    meeting_type: MeetingType
    title: str
    chair: Person | None
    minute_taker: Person | None
    attendance: list[tuple[Attendance, Person]]
    items: list[RecordItem]
    carried_forward: list[ActionView]
    loose_actions: list[ActionView]  # raised at the meeting but not under an item
    next_meeting: Meeting | None
    next_meeting_type: MeetingType | None
    redacted: bool
    # Answered questions whose answers were not minuted as paragraphs (answered in writing,
    # or recorded through the API), by item; and questions carried forward from earlier
    # meetings of the series, for Outstanding matters.
    unminuted_answers: dict[int | None, list[QuestionAnswers]] = field(default_factory=dict)
    carried_questions: list[QuestionAnswers] = field(default_factory=list)
    decision_references: dict[int, str] = field(default_factory=dict)  # by entry id
    people: dict[int, Person] = field(default_factory=dict)
    # Amendments to the approved minutes, by entry, oldest first.
    amendments: dict[int | None, list[MinuteAmendment]] = field(default_factory=dict)
    # The series' minutes format, and where its running minute numbers start at this meeting
    # (counted only when the series numbers its minutes that way).
    minutes_format: MinutesFormat = field(default_factory=MinutesFormat)
    running_start: int = 1


@dataclass
class QuestionAnswers:
    question: Question
    answers: list[Answer]
    meeting: Meeting | None = None


def load_record(session: Session, *, meeting_id: int, redact: bool,
                carried: bool = True) -> MeetingRecord:
    """Load everything a meeting's record shows in a handful of queries.

    With `redact`, exempt items keep only their number and title, and exempt entries and
    actions (including those raised under exempt items) are left out. Without `carried`,
    the actions carried forward from earlier meetings (every one still open, which after
    years can be hundreds) are not loaded: for a page that does not show them.
    """
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    meeting_type = meeting_type_of(session, meeting)
    tree = agenda_as_seen(session, meeting.id, redact=redact)
    nodes = flatten(tree)
    item_ids = [cast(int, n.item.id) for n in nodes if not n.redacted]  # saved items
    entries: dict[int | None, list[MinuteEntry]] = {n.item.id: [] for n in nodes}
    if item_ids:
        query = select(MinuteEntry).where(
            col(MinuteEntry.item_id).in_(item_ids), col(MinuteEntry.deleted_at).is_(None)
        )
        for entry in session.exec(query.order_by(col(MinuteEntry.position), col(MinuteEntry.id))):
            if not (redact and entry.exempt):
                entries[entry.item_id].append(entry)
    raised = list(session.exec(
        select(Action).where(Action.meeting_id == meeting.id)
        .order_by(col(Action.year), col(Action.seq))
    ))
    action_views = [
        v for v in views_of(session, raised, as_of=record_cutoff(meeting))
        if not (redact and v.exempt)
    ]
    by_item: dict[int | None, list[ActionView]] = {}
    for view in action_views:
        key = view.action.item_id if view.action.item_id in entries else None
        by_item.setdefault(key, []).append(view)

    def grow(node: ItemNode) -> RecordItem:
        hidden = node.redacted
        return RecordItem(
            node=node,
            entries=[] if hidden else entries[node.item.id],
            actions=[] if hidden else by_item.get(node.item.id, []),
            children=[] if hidden else [grow(c) for c in node.children],
            redacted=hidden,
        )

    carried_actions = carried_forward(session, meeting) if carried else []
    carried_views = [v for v in carried_actions if not (redact and v.exempt)]
    unminuted, carried_questions = _questions_for(session, meeting, item_ids, redact)
    following = next_meeting_of(session, meeting)
    series_format = formats.load(meeting_type.minutes_format)
    amendments: dict[int | None, list[MinuteAmendment]] = {}
    for amendment in session.exec(
        select(MinuteAmendment).where(MinuteAmendment.meeting_id == meeting.id)
        .order_by(col(MinuteAmendment.amended_at), col(MinuteAmendment.id))
    ):
        amendments.setdefault(amendment.entry_id, []).append(amendment)
    return MeetingRecord(
        meeting=meeting,
        meeting_type=meeting_type,
        title=meeting_title(meeting, meeting_type),
        chair=session.get(Person, meeting.chair_id) if meeting.chair_id else None,
        minute_taker=(
            session.get(Person, meeting.minute_taker_id) if meeting.minute_taker_id else None
        ),
        attendance=list_attendance(session, meeting.id),
        items=[grow(root) for root in tree],
        carried_forward=carried_views,
        loose_actions=by_item.get(None, []),
        next_meeting=following,
        next_meeting_type=meeting_type_of(session, following) if following else None,
        redacted=redact,
        unminuted_answers=unminuted,
        carried_questions=carried_questions,
        people={cast(int, p.id): p for p in session.exec(select(Person))},  # saved rows
        amendments=amendments,
        decision_references=decisions.references_of(
            session, [e.id for found in entries.values() for e in found
                      if e.kind == EntryKind.decision]),
        minutes_format=series_format,
        running_start=(running_start_of(session, meeting, series_format)
                       if series_format.numbering == Numbering.running
                       else series_format.first_minute_number),
    )


def running_start_of(session: Session, meeting: Meeting, fmt: MinutesFormat) -> int:
    """The first running minute number of `meeting`: the series' first minute number plus
    every item of the series' earlier meetings that were held (not cancelled), in one count."""
    earlier = session.exec(
        select(func.count(col(AgendaItem.id)))
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .where(Meeting.meeting_type_id == meeting.meeting_type_id,
               Meeting.status != MeetingStatus.cancelled,
               col(Meeting.starts_at) < meeting.starts_at)
    ).one()
    return fmt.first_minute_number + earlier


def _questions_for(session: Session, meeting: Meeting, item_ids: list[int], redact: bool):
    """Answers not minuted as paragraphs, by item (None: questions put to the meeting and not
    to one of its items, as a question from the public comes through the public form);
    questions carried forward to this meeting."""
    unminuted: dict[int | None, list[QuestionAnswers]] = {}
    # Asked of each of the meeting's questions (through the index on question_id), not a
    # list of every minuted question in the record's history.
    minuted = select(MinuteEntry.id).where(
        col(MinuteEntry.question_id) == Question.id, col(MinuteEntry.deleted_at).is_(None))
    put_here = sa.and_(col(Question.meeting_id) == meeting.id,
                       col(Question.carried_from_meeting_id).is_(None),
                       col(Question.item_id).is_(None))
    answered = session.exec(
        select(Question).where(
            sa.or_(col(Question.item_id).in_(item_ids), put_here) if item_ids else put_here,
            col(Question.status).in_([QuestionStatus.answered,
                                      QuestionStatus.answered_in_writing]),
            ~minuted.exists(),
        ).order_by(col(Question.id))
    ).all()
    answers = answers_of(session, [q.id for q in answered])
    for question in answered:
        if answers[question.id]:
            unminuted.setdefault(question.item_id, []).append(
                QuestionAnswers(question=question, answers=answers[question.id]))
    return unminuted, carried_questions(session, meeting, redact=redact)


def carried_questions(session: Session, meeting: Meeting, *, redact: bool
                      ) -> list[QuestionAnswers]:
    """Questions carried forward to this meeting (from the last one of the series held before
    it, or from meetings cancelled since), with their answers and the meeting they were
    carried from."""
    carried = session.exec(
        select(Question, Meeting)
        .join(Meeting, col(Meeting.id) == Question.carried_from_meeting_id)
        .where(col(Question.carried_from_meeting_id).in_(carried_sources(session, meeting)),
               Question.status == QuestionStatus.carried_forward)
        .order_by(col(Meeting.starts_at), col(Question.id))
    ).all()
    origins = {q.meeting_id for q, _ in carried} | {m.id for _, m in carried}
    hidden = exempt_item_ids(session, origins) if redact else set()
    answers = answers_of(session, [q.id for q, _ in carried])
    return [
        QuestionAnswers(question=q, answers=answers[q.id], meeting=m)
        for q, m in carried if q.item_id not in hidden
    ]


def edition_for(by: Actor) -> Edition:
    """The edition of the minutes a reader reads: the internal one in the office, the public
    one elsewhere."""
    return Edition.internal if sees_exempt(by) else Edition.public


def record_for(session: Session, *, meeting_id: int, by: Actor) -> MeetingRecord:
    """A meeting's record as this actor may read it."""
    return load_record(session, meeting_id=meeting_id, redact=not sees_exempt(by))


# --- the minutes document's content -------------------------------------------------------


def exempt_notice(reason: str, *, to_come: bool = False) -> str:
    """"This item was considered in private (exempt under section 31 …)." (on an agenda,
    `to_come`: "will be considered")."""
    reason = reason.strip().rstrip(".")
    lowered = reason.lower()
    if lowered.startswith("exempt"):
        detail = reason
    elif lowered.startswith(("section", "s.", "s ")):
        detail = f"exempt under {reason}"
    elif reason:
        detail = f"exempt: {reason}"
    else:
        detail = "exempt from publication"
    tense = "will be" if to_come else "was"
    return f"This item {tense} considered in private ({detail})."


def next_meeting_text(meeting: Meeting | None, meeting_type: MeetingType | None) -> str:
    """"Performance, Tuesday 28 May 2019, 10:00am Room 1.38", or "To be confirmed"."""
    if meeting is None or meeting_type is None or meeting.status == MeetingStatus.cancelled:
        return TO_BE_CONFIRMED
    local = to_london(meeting.starts_at)
    text = f"{meeting_type.name}, {long_date(local)}, {clock_12h(local)}"
    return f"{text} {meeting.venue}".strip()


# How the minutes name an action's status when an update only changed it.
STATUS_WORDS: dict[str, str] = {
    ActionStatus.open: "open",
    ActionStatus.in_progress: "in progress",
    ActionStatus.pending_signoff: "awaiting sign-off",
    ActionStatus.paused: "paused",
    ActionStatus.closed: "closed",
}


def update_text(update: ActionUpdate) -> str | None:
    """An update as the minutes quote it: its text, else the change of status it made."""
    if update.text.strip():
        return update.text
    if update.status_to:
        status = STATUS_WORDS.get(update.status_to, str(update.status_to).replace("_", " "))
        return f"Status changed to {status}."
    return None


NOTES = MinutesFormat()  # the reference notes, for callers that do not pass a format


def _named(people: dict[int, Person], person_id: int | None, *, start: bool = False,
           fmt: MinutesFormat = NOTES) -> str:
    return person_in_minutes(fmt, people.get(person_id), start=start) if person_id else ""


def question_paragraphs(asked: QuestionAnswers, people: dict[int, Person],
                        fmt: MinutesFormat = NOTES) -> list[MinutesEntry]:
    """A question and its answers as the minutes put them: "The PCC asked the CC: …" then
    "The CC responded: …" (or "responded in writing"); someone known by name rather than by a
    role is named ("Cllr Jones asked the PCC: …"); a format naming people otherwise names
    them its way ("JS asked AB: …"). A question sent by a member of the public is "A member
    of the public asked the PCC: …", never by the name on the form; when the office records
    who put it at the meeting, "The PCC asked the CC (a question from the public): …"."""
    question = asked.question
    asker = _named(people, question.asked_by_id, start=True, fmt=fmt)
    addressee = _named(people, question.addressed_to_id, fmt=fmt)
    from_public = ""
    if question.source == QuestionSource.public:
        # Not by the name they gave on the form: it is personal data, erased after the
        # office's retention period (public_questions.erase_expired_submitters), and the
        # minutes are kept for good. Whoever the office records as asking it is named.
        if asker:
            from_public = " (a question from the public)"
        else:
            asker = "A member of the public"
    if asker and addressee:
        opening = f"{asker} asked {addressee}{from_public}: "
    elif asker:
        opening = f"{asker} asked{from_public}: "
    else:
        opening = "It was asked: "
    paragraphs = [MinutesEntry(kind="question", text=opening + question.text, speaker=asker)]
    for answer in asked.answers:
        who = (_named(people, answer.respondent_id, start=True, fmt=fmt)
               or _named(people, question.addressed_to_id, start=True, fmt=fmt)
               or "The force")
        how = "responded" if answer.in_meeting else "responded in writing"
        paragraphs.append(MinutesEntry(kind="answer", text=f"{who} {how}: {answer.text}",
                                       speaker=who))
    return paragraphs


def carried_question_paragraphs(asked: QuestionAnswers, people: dict[int, Person],
                                fmt: MinutesFormat = NOTES) -> list[MinutesEntry]:
    """A question carried forward from an earlier meeting, with its latest answer if any."""
    meeting = asked.meeting
    origin = long_date(to_london(meeting.starts_at)) if meeting else "an earlier meeting"
    question, *answers = question_paragraphs(
        QuestionAnswers(asked.question, asked.answers[-1:]), people, fmt)
    question.text = f"Question carried forward from {origin}. {question.text}"
    return [question, *answers]


def _minutes_action(view: ActionView, fmt: MinutesFormat = NOTES) -> MinutesAction:
    latest = view.latest_update
    return MinutesAction(
        reference=view.action.reference,
        text=view.action.text,
        owners=[owner_in_minutes(fmt, p) for p in view.owners],
        due_date=view.action.due_date,
        status=view.status,
        rag=view.rag,
        exempt=view.exempt,
        exempt_reason=view.action.exempt_reason,
        latest_update=update_text(latest) if latest else None,
        latest_update_on=to_london(latest.created_at).date() if latest else None,
    )


def _amendment_notes(amendments: list[MinuteAmendment], edition: Edition) -> list[str]:
    """What each edition says of an entry's amendments; only the internal one quotes what the
    entry said before (which may be why it was amended)."""
    notes = []
    for amendment in amendments:
        notes.append(amendment_note(amendment))
        if edition == Edition.internal and amendment.original_text != amendment.amended_text:
            notes.append(f"Before this amendment it read: {amendment.original_text}")
    return notes


@dataclass
class _Carried:
    """What Outstanding matters lists: given to the first such item only."""

    actions: list[MinutesAction]
    questions: list[MinutesEntry]


@dataclass
class _Context:
    """What every item of one meeting's minutes is written with."""

    record: MeetingRecord
    edition: Edition
    carried: _Carried
    fmt: MinutesFormat
    numbers: dict[int, str]  # as the format numbers the items


# "Paper – For Decision": what the force's paper is for.
PURPOSE_WORDS: dict[str, str] = {
    ItemPurpose.information: "For Information",
    ItemPurpose.decision: "For Decision",
    ItemPurpose.assurance: "For Assurance",
}
# An assurance paragraph's level as the minutes say it, in brackets after the label.
ASSURANCE_WORDS: dict[str, str] = {
    "assured": "assured",
    "partially_assured": "partially assured",
    "not_assured": "not assured",
}


def _names(person: Person | None, fmt: MinutesFormat) -> list[str]:
    """Every way a paragraph's text may already name its speaker."""
    if person is None:
        return []
    names = {person_in_minutes(fmt, person), person.role_abbreviation, person.initials,
             person.full_name, speaker_label(person)}
    return sorted((n for n in names if n and n.strip()), key=len, reverse=True)


def _mentions(text: str, names: list[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
               for name in names)


def _label_entry(entry: MinutesEntry, fmt: MinutesFormat, speaker: Person | None) -> None:
    """Give a paragraph the label and closing the format prints with it."""
    if entry.kind == EntryKind.decision and fmt.decision_label:
        label = fmt.decision_label.rstrip().rstrip(":")
        entry.label = f"{label} ({entry.reference}):" if entry.reference else f"{label}:"
    elif entry.kind == EntryKind.assurance and fmt.assurance_label:
        label = fmt.assurance_label.rstrip().rstrip(":")
        level = ASSURANCE_WORDS.get(entry.assurance_level or "", "")
        entry.label = f"{label} ({level}):" if level else f"{label}:"
    elif (fmt.show_speakers and speaker is not None and entry.speaker
          and not _mentions(entry.text, _names(speaker, fmt))):
        entry.label = f"{person_in_minutes(fmt, speaker, start=True)}:"
    if entry.reference and entry.reference not in entry.label:
        # Without a label that carries it (the reference layout), the paragraph stays as
        # typed and the reference goes at its end.
        entry.closing = f"(Decision {entry.reference})"


def _entry(e: MinuteEntry, ctx: _Context) -> MinutesEntry:
    record = ctx.record
    return minutes_entry(e, people=record.people, amendments=record.amendments,
                         references=record.decision_references, fmt=ctx.fmt,
                         edition=ctx.edition)


def minutes_entry(e: MinuteEntry, *, people: dict[int, Person],
                  amendments: dict[int | None, list[MinuteAmendment]],
                  references: dict[int, str], fmt: MinutesFormat,
                  edition: Edition) -> MinutesEntry:
    """One paragraph as the minutes print it (its speaker among `people`, its amendment notes
    and decision reference given), for a reader who may see it."""
    speaker = people.get(e.speaker_id) if e.speaker_id else None
    entry = MinutesEntry(
        kind=e.kind, text=e.text, exempt=e.exempt, exempt_reason=e.exempt_reason,
        notes=_amendment_notes(amendments.get(e.id, []), edition),
        entry_id=e.id,
        reference=(references.get(e.id, "") if e.id is not None
                   and e.kind == EntryKind.decision else ""),
        assurance_level=e.assurance_level if e.kind == EntryKind.assurance else None,
        speaker=person_in_minutes(fmt, speaker, start=True) if speaker else "",
    )
    _label_entry(entry, fmt, speaker)
    return entry


def inline_action_text(action: MinutesAction) -> str:
    """An action as written where it arose: "Action – NA to send the Commissioner…" (its
    first letter lowered unless it starts an acronym; a text that already begins with its
    owners, or with "to", is not doubled)."""
    owners = [o for o in (one.strip() for one in action.owners) if o]
    text = " ".join(action.text.split())
    if owners:
        alternatives = "|".join(re.escape(o) for o in sorted(owners, key=len, reverse=True))
        owner = rf"(?:the\s+)?(?:{alternatives})"
        text = re.sub(rf"^{owner}(?:\s*(?:,|and|&)\s*{owner})*\s+to\s+", "", text,
                      flags=re.IGNORECASE)
        text = re.sub(r"^to\s+", "", text, flags=re.IGNORECASE)
        first = text.split(" ", 1)[0] if text else ""
        acronym = len(first) > 1 and first[:2].isupper() or first == "I"
        if text and not acronym:
            text = text[0].lower() + text[1:]
        who = owners[0] if len(owners) == 1 else ", ".join(owners[:-1]) + " and " + owners[-1]
        return f"Action – {who} to {text}".rstrip()
    return f"Action – {text[:1].upper()}{text[1:]}".rstrip()


def _has_content(item: MinutesItem) -> bool:
    """Whether an item or any item below it minuted anything."""
    return bool(item.entries or item.actions or item.carried_forward or item.text_after_title
                or item.exempt_notice or any(_has_content(c) for c in item.children))


def _minutes_item(item: RecordItem, ctx: _Context) -> MinutesItem:
    record, fmt, carried = ctx.record, ctx.fmt, ctx.carried
    node = item.node
    result = MinutesItem(
        number=ctx.numbers.get(node.item.id, node.local_number) if node.item.id is not None
        else node.local_number,
        level=node.level,
        title=node.item.title,
        kind=node.item.kind,
    )
    if item.redacted:
        result.exempt_notice = exempt_notice(node.item.exempt_reason)
        return result
    if node.exempt and ctx.edition == Edition.internal:
        result.internal_note = (
            f"Exempt item ({node.item.exempt_reason or 'no reason given'}): "
            "not in the public edition."
        )
    if fmt.show_commission:
        result.commission = node.item.commission.strip()
    if fmt.show_presenter and node.item.presenter_id:
        presenter = person_in_minutes(fmt, record.people.get(node.item.presenter_id))
        result.presenter = f"Presented by: {presenter}" if presenter else ""
    if fmt.show_purpose and node.item.purpose in PURPOSE_WORDS:
        result.purpose = f"Paper – {PURPOSE_WORDS[node.item.purpose]}"
    result.entries = [_entry(e, ctx) for e in item.entries]
    for asked in record.unminuted_answers.get(node.item.id, []):
        result.entries += question_paragraphs(asked, record.people, fmt)
    result.actions = [_minutes_action(v, fmt) for v in item.actions]
    if node.exempt:  # the item's own note already says none of it is public
        for action in result.actions:
            action.exempt = False
    kind = node.item.kind
    if kind == ItemKind.outstanding_matters:
        # The first such item lists the actions carried forward; a second one does not repeat
        # them. Taken before the children are written, so a child cannot take them.
        result.carried_forward = list(carried.actions)
        result.entries = carried.questions + result.entries
        carried.actions, carried.questions = [], []
    result.children = [_minutes_item(c, ctx) for c in item.children]
    if kind == ItemKind.outstanding_matters:
        if not _has_content(result):
            result.text_after_title = NONE_DISCUSSED
    elif kind == ItemKind.aob and not result.entries and not result.children:
        result.text_after_title = NO_ITEMS
    elif kind == ItemKind.next_meeting:
        result.text_after_title = next_meeting_text(record.next_meeting, record.next_meeting_type)
    return result


def _attendance_line(attendance: Attendance, person: Person, people: dict[int, Person],
                     fmt: MinutesFormat, note: str, capacity: str) -> str:
    """A person as grouped attendance lists them: their role abbreviation (else title), name,
    and with naming by initials the key ("PCC John Campion (JC)"); a substitute "for the
    DCC"; someone without a role abbreviation with their capacity."""
    prefix = person.role_abbreviation or person.title
    line = f"{prefix} {person.full_name}".strip()
    if fmt.naming == Naming.initials and person.initials:
        line += f" ({person.initials})"
    if not person.role_abbreviation and capacity:
        line += f" – {capacity}"
    if attendance.status == AttendanceStatus.substitute and attendance.substitute_for_id:
        other = people.get(attendance.substitute_for_id)
        if other is not None:
            line += f" for {person_named(other)}"
    elif note:
        line += f" ({note})"
    return line


def _person_row(attendance: Attendance, person: Person, people: dict[int, Person],
                numbers: dict[int, str], fmt: MinutesFormat = NOTES) -> MinutesPerson:
    capacity = attendance.capacity or default_capacity(person)
    note = attendance_note(attendance, people, numbers)
    name = person.full_name
    if fmt.naming == Naming.initials and person.initials:
        name = f"{name} ({person.initials})"  # the key to the initials in the minutes
    return MinutesPerson(name=name, capacity=capacity, note=note,
                         line=_attendance_line(attendance, person, people, fmt, note, capacity))


def _item_numbers(items: list[RecordItem]) -> dict[int, str]:
    numbers: dict[int, str] = {}
    for item in items:
        if item.node.item.id is not None:
            numbers[item.node.item.id] = item.node.number
        numbers.update(_item_numbers(item.children))
    return numbers


def date_line(fmt: MinutesFormat, starts_at, ends_at) -> str:
    """"Tuesday 30th April 2019 @ 10:00" or "Tuesday 30 April 2019, 14:00" (with the end
    time when the format shows it and it is known: "14:00 – 16:30")."""
    local = to_london(starts_at)
    if fmt.date_style == DateStyle.full:
        line = f"{long_date(local)}, {local:%H:%M}"
    else:
        line = f"{long_date_ordinal(local)} @ {local:%H:%M}"
    if fmt.show_end_time and ends_at is not None:
        end = to_london(ends_at)
        if end > local:
            line += f" – {end:%H:%M}"
    return line


def minute_taker_line(fmt: MinutesFormat, taker: Person | None, office_short_name: str) -> str:
    """The minute-taker as the format describes them ("{name}, {role}, {organisation}"),
    their organisation the format's or else the office's; empty parts go with their commas."""
    if taker is None:
        return ""
    text = fmt.minute_taker.format(
        name=taker.full_name.strip(), role=taker.role_title.strip(),
        organisation=(fmt.minute_taker_organisation or office_short_name).strip())
    text = re.sub(r"\(\s*\)", "", text)  # "( )" left by an empty part in brackets
    text = re.sub(r"(\s*,)+\s*,", ",", text)  # ", ," → ","
    text = re.sub(r"^[\s,]+|[\s,]+$", "", text)
    return re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", text))


def minutes_heading(fmt: MinutesFormat, *, series: str, starts_at, office: str) -> str:
    """The title from the format's heading ("{series} {month_year} – Meeting Notes")."""
    local = to_london(starts_at)
    return fmt.heading.format(series=series, month_year=f"{local:%B %Y}",
                              date=f"{local.day} {local:%B %Y}", office=office).strip()


def minutes_of(record: MeetingRecord, *, office_short_name: str, office_name: str,
               edition: Edition, fmt: MinutesFormat = NOTES,
               running_start: int | None = None) -> MinutesRecord:
    """The content of a meeting's minutes document, from its loaded record, written as `fmt`
    says (the series' format is `record.minutes_format`; the default is the reference notes).
    Running numbers start at `running_start`, else where the record counted them from."""
    meeting = record.meeting
    local = to_london(meeting.starts_at)
    if running_start is None:
        running_start = (record.running_start if fmt == record.minutes_format
                         else fmt.first_minute_number)
    carried = _Carried(
        actions=[_minutes_action(v, fmt) for v in record.carried_forward],
        questions=[entry for asked in record.carried_questions
                   for entry in carried_question_paragraphs(asked, record.people, fmt)],
    )
    roots = [item.node for item in record.items]
    numbers = item_numbers(fmt, roots, meeting_day=local.date(), running_start=running_start)
    if fmt.numbering == Numbering.nested:
        attended_for = _item_numbers(record.items)
    else:
        attended_for = {key: value.rstrip(".") for key, value in numbers.items()}
    people = {p.id: p for _, p in record.attendance if p.id is not None} | record.people

    def row(attendance: Attendance, person: Person) -> MinutesPerson:
        return _person_row(attendance, person, people, attended_for, fmt)

    ctx = _Context(record=record, edition=edition, carried=carried, fmt=fmt, numbers=numbers)
    items = [_minutes_item(item, ctx) for item in record.items]
    if carried.actions or carried.questions:
        # No "Outstanding matters" item on the agenda: what is outstanding still shows.
        items.append(MinutesItem(
            number="", level=1, title="Outstanding from earlier meetings",
            kind=ItemKind.outstanding_matters, carried_forward=carried.actions,
            entries=carried.questions,
        ))
    if record.unminuted_answers.get(None):
        # Questions put to the meeting rather than to an item (from the public, most often).
        items.append(MinutesItem(
            number="", level=1, title="Other questions", kind=ItemKind.other,
            entries=[entry for asked in record.unminuted_answers[None]
                     for entry in question_paragraphs(asked, record.people, fmt)],
        ))
    if record.loose_actions:
        items.append(MinutesItem(
            number="", level=1, title="Other actions arising", kind=ItemKind.other,
            actions=[_minutes_action(v, fmt) for v in record.loose_actions],
        ))
    return MinutesRecord(
        title=minutes_heading(fmt, series=record.meeting_type.name, starts_at=meeting.starts_at,
                              office=office_short_name),
        meeting_type=record.meeting_type.name,
        date_line=date_line(fmt, meeting.starts_at, meeting.ends_at),
        chair=record.chair.full_name if record.chair else "",
        minutes_by=minute_taker_line(fmt, record.minute_taker, office_short_name),
        venue=meeting.venue,
        present=[row(a, p) for a, p in record.attendance
                 if a.status in (AttendanceStatus.present, AttendanceStatus.substitute)],
        in_attendance=[row(a, p) for a, p in record.attendance
                       if a.status == AttendanceStatus.in_attendance],
        apologies=[row(a, p) for a, p in record.attendance
                   if a.status == AttendanceStatus.apologies],
        items=items,
        marking=PUBLIC_MARKING if edition == Edition.public else meeting.marking,
        edition=edition,
        office_name=office_name,
        format=fmt,
    )


def minutes_for_export(
    session: Session, *, meeting_id: int, edition: Edition, by: Actor
) -> MinutesRecord:
    """The minutes of a meeting in an edition the actor may have; the export is audited."""
    if edition == Edition.internal and not allowed(by, Perm.export_internal):
        raise Forbidden("Your role can download only the public edition of the minutes.")
    record = load_record(session, meeting_id=meeting_id, redact=edition == Edition.public)
    office = get_office(session)
    audit.record(session, by=by, verb="export", object_type="meeting", object_id=meeting_id,
                 summary=f"minutes, {edition} edition")
    session.flush()
    return minutes_of(record, office_short_name=office.office_short_name,
                      office_name=office.office_name, edition=edition,
                      fmt=record.minutes_format)
