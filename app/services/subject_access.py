"""Everything about a person, for a subject access request: every mention of them in the
record between two dates, by a link to them (speaker, attendee, owner, presenter, author,
asker, respondent) or by their name, title and surname, initials or role in the text.

The rules:
- Names are matched as whole words, ignoring case: their full name ("Jo Bloggs"), and their
  surname after their title or role abbreviation ("Ms Bloggs", "DCC Bloggs"). Initials and a
  role abbreviation are matched as whole words with their case ("JB", never "jb" or "JBX").
- A mention by role (their role abbreviation or role title alone) is included and labelled
  "by role": the record does not know when someone held a role, so the office judges whether
  that mention is of this person.
- The text is narrowed in SQL first (LIKE on the longest word of each term, within the dates)
  and each candidate is then confirmed with a word-boundary match here.
- What the reader may see is decided by app/services/visibility.py; only the Commissioner's
  office (those who read Part 2) may run the search, and each search is recorded in the audit
  log, since it is itself processing of the person's data.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionOwner,
    ActionUpdate,
    AgendaItem,
    Answer,
    Attendance,
    EntryKind,
    Finding,
    FindingEvent,
    Inspection,
    Meeting,
    MeetingType,
    MinuteEntry,
    Person,
    Question,
)
from app.services import audit
from app.services.common import like_escaped
from app.services.dates import end_of_day_utc, start_of_day_utc, to_london
from app.services.errors import InvalidInput
from app.services.meetings import meeting_title
from app.services.people import get_person
from app.services.permissions import Actor, Perm, require
from app.services.visibility import (
    actions_seen_where,
    exempt_item_ids,
    may_see_entry,
    questions_seen_where,
    sees_exempt,
    visible_events,
)

PAGE_SIZE = 50
REFUSAL = "Only the Commissioner's office searches the record for everything about a person."

# The kinds of record a mention is found in, in the order a meeting's are listed.
KINDS = {
    "attendance": "Attendance",
    "item": "Agenda items",
    "paragraph": "Minutes",
    "decision": "Decisions",
    "question": "Questions",
    "answer": "Answers",
    "action": "Actions",
    "update": "Action updates",
    "finding": "Findings",
    "finding_update": "Findings' updates",
}
KIND_ONE = {
    "attendance": "Attendance", "item": "Agenda item", "paragraph": "Minutes",
    "decision": "Decision", "question": "Question", "answer": "Answer", "action": "Action",
    "update": "Action update", "finding": "Finding",
    "finding_update": "Finding update",
}
_ORDER = {kind: n for n, kind in enumerate(KINDS)}
BY_NAME, BY_INITIALS, BY_ROLE = "by name", "by initials", "by role"


# --- matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One way of naming the person in text."""

    words: str
    how: str  # BY_NAME, BY_INITIALS or BY_ROLE
    case_sensitive: bool

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        body = r"\s+".join(re.escape(w) for w in self.words.split())
        return re.compile(rf"(?<!\w){body}(?!\w)", 0 if self.case_sensitive else re.IGNORECASE)

    @property
    def like(self) -> str:
        """What the SQL narrowing looks for: each word, in order, anything between them (a
        superset of the whole-word match); lower-cased unless the case matters."""
        words = self.words.split() if self.case_sensitive else self.words.lower().split()
        return "%" + "%".join(like_escaped(w) for w in words) + "%"

    @property
    def glob(self) -> str:
        """The same for SQLite's GLOB, which keeps the case."""
        def escaped(word: str) -> str:
            return re.sub(r"([*?\[])", r"[\1]", word)
        return "*" + "*".join(escaped(w) for w in self.words.split()) + "*"


def terms_for(person: Person) -> list[Term]:
    """The ways the record may name this person."""
    name = " ".join(person.full_name.split())
    surname = name.split()[-1] if name else ""
    terms: list[Term] = []
    if name:
        terms.append(Term(name, BY_NAME, False))
    for prefix in (person.title.strip(), person.role_abbreviation.strip()):
        if prefix and surname and len(name.split()) > 1:
            terms.append(Term(f"{prefix} {surname}", BY_NAME, False))
    initials = person.initials.strip()
    if len(initials) >= 2:
        terms.append(Term(initials, BY_INITIALS, True))
    abbreviation = person.role_abbreviation.strip()
    if len(abbreviation) >= 2 and abbreviation != initials:
        terms.append(Term(abbreviation, BY_ROLE, True))
    role = " ".join(person.role_title.split())
    if len(role) >= 3:
        terms.append(Term(role, BY_ROLE, False))
    return list(dict.fromkeys(terms))


@dataclass
class Found:
    """Where the terms occur in a text: its pieces (text, marked?) and how it named them."""

    segments: list[tuple[str, bool]]
    how: list[str]


def find_in(text: str, terms: list[Term]) -> Found | None:
    """The person's mentions in the text, whole words only; None if there are none. Where two
    terms overlap ("DCC Bloggs" and "DCC") the longer is kept."""
    spans: list[tuple[int, int, str]] = []
    for term in terms:
        spans.extend((m.start(), m.end(), term.how) for m in term.pattern.finditer(text))
    if not spans:
        return None
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    segments: list[tuple[str, bool]] = []
    at = 0
    for start, end, _how in kept:
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < len(text):
        segments.append((text[at:], False))
    return Found(segments=segments, how=list(dict.fromkeys(how for _s, _e, how in kept)))


def _mentions_sql(column, terms: list[Term], dialect: str = "") -> sa.ColumnElement[bool]:
    """Rows whose column may mention the person (confirmed by find_in). LIKE keeps the case
    on PostgreSQL; on SQLite it ignores it, so a term whose case matters is looked for with
    GLOB there (else "jbx" everywhere would make every row a candidate for "JB")."""
    if not terms:
        return sa.false()
    found = []
    for term in terms:
        if term.case_sensitive and dialect == "sqlite":
            found.append(column.op("GLOB")(term.glob))
        elif term.case_sensitive:
            found.append(column.like(term.like, escape="\\"))
        else:
            found.append(sa.func.lower(column).like(term.like, escape="\\"))
    return sa.or_(*found)


# --- the search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The dates searched, both included; None: no bound on that side."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidInput({"from": "The start date must be on or before the end date"})

    def within(self, column) -> list[sa.ColumnElement[bool]]:
        """SQL conditions keeping a UTC timestamp column within the dates (London days)."""
        found = []
        if self.start is not None:
            found.append(column >= start_of_day_utc(self.start))
        if self.end is not None:
            found.append(column <= end_of_day_utc(self.end))
        return found

    def within_days(self, column) -> list[sa.ColumnElement[bool]]:
        """SQL conditions keeping a date column within the dates."""
        found = []
        if self.start is not None:
            found.append(column >= self.start)
        if self.end is not None:
            found.append(column <= self.end)
        return found

    def describe(self) -> str:
        def day(value: date | None, missing: str) -> str:
            return value.isoformat() if value else missing
        return f"from {day(self.start, 'the start')} to {day(self.end, 'today')}"


def parse_day(value: str, name: str, label: str) -> date | None:
    """A date typed as YYYY-MM-DD (None when empty); a date that does not exist is refused."""
    value = value.strip()
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput({name: f"{label} must be a real date, like 2026-03-31"}) from None
    if not 1900 <= day.year <= 2200:
        raise InvalidInput({name: f"{label} must be a year from 1900 to 2200"})
    return day


@dataclass
class Mention:
    """One mention of the person, as the reader may see it."""

    kind: str
    record_id: int
    when: datetime  # UTC
    meeting_id: int | None
    meeting: str  # the meeting's title, or ""
    where: str  # the item's title, the action's reference…
    url: str
    text: str
    segments: list[tuple[str, bool]]
    how: list[str]  # "as speaker", "as owner"… for a link; "by name", "by initials", "by role"
    exempt: bool

    @property
    def kind_words(self) -> str:
        return KIND_ONE[self.kind]

    @property
    def how_words(self) -> str:
        return ", ".join(self.how)


@dataclass
class Mentions:
    person: Person
    period: Period
    rows: list[Mention]
    counts: dict[str, int] = field(default_factory=dict)  # by kind, in KINDS order

    @property
    def total(self) -> int:
        return len(self.rows)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Search:
    """The queries of one search (a person, dates, a reader)."""

    def __init__(self, session: Session, person: Person, period: Period, by: Actor) -> None:
        self.session = session
        self.person_id = cast(int, person.id)
        self.period = period
        self.by = by
        self.terms = terms_for(person)
        self.dialect = session.get_bind().dialect.name
        self.sees = sees_exempt(by)
        self.series = {t.id: t for t in session.exec(select(MeetingType))}
        self.found: list[Mention] = []

    def text_has(self, column) -> sa.ColumnElement[bool]:
        return _mentions_sql(column, self.terms, self.dialect)

    def title(self, meeting: Meeting | None) -> str:
        if meeting is None:
            return ""
        return meeting_title(meeting, self.series[meeting.meeting_type_id])

    def add(self, *, kind: str, record_id, when: datetime, meeting: Meeting | None,
            where: str, url: str, text: str, links: list[str], exempt: bool) -> None:
        match = find_in(text, self.terms) if text else None
        if match is None and not links:
            return
        self.found.append(Mention(
            kind=kind, record_id=record_id, when=_utc(when),
            meeting_id=meeting.id if meeting else None, meeting=self.title(meeting),
            where=where, url=url, text=text,
            segments=match.segments if match else ([(text, False)] if text else []),
            how=links + (match.how if match else []), exempt=exempt))

    def run(self) -> list[Mention]:
        self.meetings()
        self.items_and_paragraphs()
        self.questions()
        self.actions()
        self.findings()
        return sorted(self.found, key=lambda m: (
            m.when, m.meeting_id or 0, _ORDER[m.kind], m.record_id))

    # each kind

    def meetings(self) -> None:
        pid = self.person_id
        query = (select(Meeting, Attendance)
                 .outerjoin(Attendance, sa.and_(
                     col(Attendance.meeting_id) == Meeting.id,
                     sa.or_(col(Attendance.person_id) == pid,
                            col(Attendance.substitute_for_id) == pid)))
                 .where(sa.or_(col(Attendance.id).is_not(None), col(Meeting.chair_id) == pid,
                               col(Meeting.minute_taker_id) == pid),
                        *self.period.within(col(Meeting.starts_at))))
        for meeting, seat in self.session.exec(query):
            links = []
            if meeting.chair_id == pid:
                links.append("as chair")
            if meeting.minute_taker_id == pid:
                links.append("as minute taker")
            if seat is not None:
                if seat.person_id == pid:
                    links.append(f"as attendee ({seat.status.replace('_', ' ')})")
                else:
                    links.append("as the one substituted for")
            self.add(kind="attendance", record_id=seat.id if seat else meeting.id,
                     when=meeting.starts_at, meeting=meeting, where="",
                     url=f"/meetings/{meeting.id}", text=seat.capacity if seat else "",
                     links=links, exempt=False)

    def items_and_paragraphs(self) -> None:
        pid = self.person_id
        in_dates = self.period.within(col(Meeting.starts_at))
        items = list(self.session.exec(
            select(AgendaItem, Meeting).join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .where(sa.or_(col(AgendaItem.presenter_id) == pid,
                          self.text_has(col(AgendaItem.title)),
                          self.text_has(col(AgendaItem.commission))), *in_dates)))
        entries = list(self.session.exec(
            select(MinuteEntry, AgendaItem, Meeting)
            .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .where(col(MinuteEntry.deleted_at).is_(None),
                   sa.or_(col(MinuteEntry.speaker_id) == pid,
                          self.text_has(col(MinuteEntry.text))), *in_dates)))
        exempt = exempt_item_ids(self.session, {m.id for *_x, m in items + entries})
        for item, meeting in items:
            item_exempt = item.id in exempt
            # those who may not read Part 2 see an exempt item's title and nothing else of it
            shown = item.title if item_exempt and not self.sees else (
                "\n".join(t for t in (item.title, item.commission) if t))
            links = ["as presenter"] if item.presenter_id == pid and (
                self.sees or not item_exempt) else []
            self.add(kind="item", record_id=item.id, when=meeting.starts_at, meeting=meeting,
                     where=item.title, url=f"/meetings/{meeting.id}", text=shown, links=links,
                     exempt=item_exempt)
        for entry, item, meeting in entries:
            item_exempt = item.id in exempt
            if not may_see_entry(self.by, entry_exempt=entry.exempt, item_exempt=item_exempt):
                continue
            self.add(kind="decision" if entry.kind == EntryKind.decision else "paragraph",
                     record_id=entry.id, when=meeting.starts_at, meeting=meeting,
                     where=item.title, url=f"/meetings/{meeting.id}", text=entry.text,
                     links=["as speaker"] if entry.speaker_id == pid else [],
                     exempt=entry.exempt or item_exempt)

    def questions(self) -> None:
        pid = self.person_id
        seen = questions_seen_where(self.by)
        when = sa.func.coalesce(col(Meeting.starts_at), col(Question.created_at))
        asked = select(Question, Meeting).outerjoin(
            Meeting, col(Meeting.id) == Question.meeting_id).where(
            sa.or_(col(Question.asked_by_id) == pid, col(Question.addressed_to_id) == pid,
                   self.text_has(col(Question.text))), *self.period.within(when))
        answers = select(Answer, Question, Meeting).join(
            Question, col(Question.id) == Answer.question_id).outerjoin(
            Meeting, col(Meeting.id) == Question.meeting_id).where(
            sa.or_(col(Answer.respondent_id) == pid,
                   self.text_has(col(Answer.text))),
            *self.period.within(col(Answer.answered_at)))
        if seen is not None:
            asked, answers = asked.where(seen), answers.where(seen)
        asked_rows = list(self.session.exec(asked))
        answer_rows = list(self.session.exec(answers))
        exempt = exempt_item_ids(self.session, {q.meeting_id for q, _m in asked_rows}
                                 | {q.meeting_id for _a, q, _m in answer_rows})
        for question, meeting in asked_rows:
            links = (["as asker"] if question.asked_by_id == pid else []) + (
                ["as the one asked"] if question.addressed_to_id == pid else [])
            self.add(kind="question", record_id=question.id,
                     when=meeting.starts_at if meeting else question.created_at,
                     meeting=meeting, where=question.theme, url=f"/questions/{question.id}",
                     text=question.text, links=links, exempt=question.item_id in exempt)
        for answer, question, meeting in answer_rows:
            self.add(kind="answer", record_id=answer.id, when=answer.answered_at,
                     meeting=meeting, where=question.text[:120],
                     url=f"/questions/{question.id}", text=answer.text,
                     links=["as respondent"] if answer.respondent_id == pid else [],
                     exempt=question.item_id in exempt)

    def actions(self) -> None:
        pid = self.person_id
        seen = actions_seen_where(self.by)
        owner = sa.exists().where(col(ActionOwner.action_id) == col(Action.id),
                                  col(ActionOwner.person_id) == pid)
        when = sa.func.coalesce(col(Meeting.starts_at), col(Action.created_at))
        raised = select(Action, Meeting).outerjoin(
            Meeting, col(Meeting.id) == Action.meeting_id).where(
            sa.or_(owner, self.text_has(col(Action.text))),
            *self.period.within(when))
        updates = select(ActionUpdate, Action, Meeting).join(
            Action, col(Action.id) == ActionUpdate.action_id).outerjoin(
            Meeting, col(Meeting.id) == Action.meeting_id).where(
            sa.or_(col(ActionUpdate.author_person_id) == pid,
                   self.text_has(col(ActionUpdate.text))),
            *self.period.within(col(ActionUpdate.created_at)))
        if seen is not None:
            raised, updates = raised.where(seen), updates.where(seen)
        raised_rows = list(self.session.exec(raised))
        update_rows = list(self.session.exec(updates))
        owned = set(self.session.exec(select(ActionOwner.action_id).where(
            ActionOwner.person_id == pid, col(ActionOwner.action_id).in_(
                [a.id for a, _m in raised_rows])))) if raised_rows else set()
        exempt = exempt_item_ids(self.session, {a.meeting_id for a, _m in raised_rows}
                                 | {a.meeting_id for _u, a, _m in update_rows})
        for action, meeting in raised_rows:
            self.add(kind="action", record_id=action.id,
                     when=meeting.starts_at if meeting else action.created_at,
                     meeting=meeting, where=action.reference, url=f"/actions/{action.id}",
                     text=action.text, links=["as owner"] if action.id in owned else [],
                     exempt=action.exempt or action.item_id in exempt)
        for update, action, meeting in update_rows:
            self.add(kind="update", record_id=update.id, when=update.created_at,
                     meeting=meeting, where=action.reference, url=f"/actions/{action.id}",
                     text=update.text,
                     links=["as author"] if update.author_person_id == pid else [],
                     exempt=action.exempt or action.item_id in exempt)

    def findings(self) -> None:
        # a finding has no date of its own: its report's publication (else when it was added)
        published = col(Inspection.published_on)
        dated = sa.or_(sa.and_(published.is_not(None), *self.period.within_days(published)),
                       sa.and_(published.is_(None),
                               *self.period.within(col(Inspection.created_at))))
        owned = self.session.exec(
            select(Finding, Inspection)
            .join(Inspection, col(Inspection.id) == Finding.inspection_id)
            .where(col(Finding.owner_id) == self.person_id, dated))
        for finding, inspection in owned:
            when = (datetime.combine(inspection.published_on, datetime.min.time(), tzinfo=UTC)
                    if inspection.published_on else inspection.created_at)
            self.add(kind="finding", record_id=finding.id, when=when, meeting=None,
                     where=f"{inspection.title} {finding.number}".strip(),
                     url=f"/findings/{finding.id}", text=finding.text, links=["as owner"],
                     exempt=False)
        events = list(self.session.exec(select(FindingEvent).where(
            self.text_has(col(FindingEvent.summary)),
            *self.period.within(col(FindingEvent.at)))))
        for event in visible_events(self.session, events, self.by):
            self.add(kind="finding_update", record_id=event.id, when=event.at, meeting=None,
                     where=event.by_label, url=f"/findings/{event.finding_id}",
                     text=event.summary, links=[], exempt=False)


def find_mentions(session: Session, *, person: Person, period: Period, by: Actor) -> Mentions:
    """Every mention of the person within the dates that this reader may see, oldest first."""
    rows = _Search(session, person, period, by).run()
    tally = Counter(m.kind for m in rows)
    return Mentions(person=person, period=period, rows=rows,
                    counts={kind: tally[kind] for kind in KINDS if tally[kind]})


def search(session: Session, *, person_id: int, period: Period, by: Actor,
           purpose: str = "searched") -> Mentions:
    """The subject access search, for the Commissioner's office only, recorded in the audit
    log (`purpose`: "searched" for the page, "exported" for the spreadsheet)."""
    require(by, Perm.see_exempt, REFUSAL)
    person = get_person(session, person_id)
    found = find_mentions(session, person=person, period=period, by=by)
    audit.record(session, by=by, verb="subject_access", object_type="person",
                 object_id=person_id,
                 summary=f"{purpose.capitalize()} every mention of {person.full_name} "
                         f"{period.describe()} (subject access): {found.total} found")
    return found


def page_of(found: Mentions, page: int) -> tuple[list[Mention], int, int]:
    """One page of the mentions: its rows, the page number (within range) and the pages."""
    pages = max(1, -(-found.total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return found.rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages


@dataclass
class Group:
    """Mentions next to each other in the list at the same meeting (or at none)."""

    meeting_id: int | None
    meeting: str
    rows: list[Mention]


def grouped(rows: list[Mention]) -> list[Group]:
    """The rows of a page grouped by meeting, keeping their order."""
    groups: list[Group] = []
    for row in rows:
        if not groups or groups[-1].meeting_id != row.meeting_id:
            groups.append(Group(meeting_id=row.meeting_id, meeting=row.meeting, rows=[]))
        groups[-1].rows.append(row)
    return groups


def when_words(mention: Mention) -> str:
    """The mention's date, London time, as the page and spreadsheet show it."""
    return to_london(mention.when).strftime("%d %B %Y").lstrip("0")
