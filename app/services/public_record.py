"""The public record at /public, for anyone without signing in: the action log of published
meetings and the register of decisions, a page at a time and as spreadsheets.

What the public may see is decided in app/services/visibility.py (public_actions_where,
public_decisions_where, item_chain, public_paper_where); this module chooses, orders and words
what those conditions leave. Whoever asks (the office included) is shown the public view.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    DecisionReference,
    Meeting,
    MeetingType,
    MinuteEntry,
    Paper,
    Person,
    PublishedDocument,
    Rag,
)
from app.services.action_log import STATUS_WORDS, _rag_case
from app.services.actions import owners_of, rag_for
from app.services.common import contains
from app.services.dates import start_of_day_utc, to_london, today
from app.services.errors import InvalidInput, NotFound
from app.services.meetings import meeting_title
from app.services.minutes import exempt_notice
from app.services.paging import MAX_LIMIT, Page, SortKey, count_of, keyset_page, seek
from app.services.text import clean_line
from app.services.visibility import (
    is_published,
    item_chain,
    public_actions_where,
    public_decisions_where,
    public_paper_where,
    published_meeting_ids,
)

PAGE_SIZE = 25
MAX_WORDS = 10
WORDS_MAX_CHARS = 200

RAG_WORDS = {
    Rag.red: "Red: overdue",
    Rag.amber: "Amber: due within 14 days, paused or no due date",
    Rag.green: "Green: on track",
}


def rag_words(rag: Rag | None, *, status: str, due_date: date | None) -> str:
    """An action's RAG rating in words, saying why for its own case ("Amber: paused")."""
    if rag is None:
        return "None: closed"
    if rag == Rag.amber:
        if status == ActionStatus.paused:
            return "Amber: paused"
        if due_date is None:
            return "Amber: no due date"
        return "Amber: due within 14 days"
    return RAG_WORDS[rag]


def public_person(person: Person | None) -> str:
    """A person as the public record names them: by their role ("Deputy Chief Constable"),
    else their role's abbreviation, else their initials, as the published minutes do; never
    by their full name (an officer without a role is not named to the public)."""
    if person is None:
        return ""
    return person.role_title or person.role_abbreviation or person.initials


# --- reading the filters -------------------------------------------------------------------


def _words(typed: str, name: str = "q") -> list[str]:
    if len(typed) > WORDS_MAX_CHARS:
        raise InvalidInput({name: f"Words to look for must be at most {WORDS_MAX_CHARS} "
                                  "characters"})
    try:
        line = clean_line(typed)
    except ValueError as error:
        raise InvalidInput({name: f"Words to look for {error}"}) from None
    return line.split()[:MAX_WORDS]


def _year(typed: str) -> int | None:
    typed = typed.strip()
    if not typed:
        return None
    if not (typed.isdigit() and len(typed) == 4 and 1900 <= int(typed) <= 2999):
        raise InvalidInput({"year": "Year must be a year such as 2019"})
    return int(typed)


# --- the public action log -----------------------------------------------------------------


@dataclass
class ActionFilters:
    """What the public action log is narrowed to; None or empty: any."""

    status: ActionStatus | None = None
    rag: Rag | None = None
    year: int | None = None  # the year of the meeting that raised it
    meeting_id: int | None = None
    words: list[str] = field(default_factory=list)  # each in the action, its reference or
    # its latest public update

    def params(self) -> dict[str, str]:
        """The filters as the address keeps them."""
        found = {"status": self.status.value if self.status else "",
                 "rag": self.rag.value if self.rag else "",
                 "year": str(self.year or ""), "meeting": str(self.meeting_id or ""),
                 "q": " ".join(self.words)}
        return {k: v for k, v in found.items() if v}


def action_filters(session: Session, query: Mapping[str, str]) -> ActionFilters:
    """The filters an address asks for; one that is not a status, a rating, a year or a
    published meeting is refused (InvalidInput naming each)."""
    errors: dict[str, str] = {}
    filters = ActionFilters()
    status = query.get("status", "").strip()
    if status:
        if status in ActionStatus.__members__:
            filters.status = ActionStatus(status)
        else:
            errors["status"] = "Status must be one of those listed"
    rag = query.get("rag", "").strip()
    if rag:
        if rag in Rag.__members__:
            filters.rag = Rag(rag)
        else:
            errors["rag"] = "RAG rating must be red, amber or green"
    for name, read in (("year", _year), ("q", _words)):
        try:
            value = read(query.get(name, ""))
        except InvalidInput as error:
            errors.update(error.errors)
            continue
        if name == "year":
            filters.year = cast(int | None, value)
        else:
            filters.words = cast(list[str], value)
    meeting = query.get("meeting", "").strip()
    if meeting:
        number = int(meeting) if meeting.isdigit() and len(meeting) < 10 else None
        if number is None or not is_published(session, number):
            errors["meeting"] = "Meeting must be one whose minutes are published"
        else:
            filters.meeting_id = number
    if errors:
        raise InvalidInput(errors)
    return filters


def _latest_public_update():
    """The text of an action's latest update that has words (a status change alone has
    none), as a correlated SQL subquery on Action; public with its action
    (visibility.public_actions_where)."""
    return (sa.select(col(ActionUpdate.text))
            .where(col(ActionUpdate.action_id) == col(Action.id),
                   func.length(func.trim(col(ActionUpdate.text))) > 0)
            .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
            .limit(1).correlate(Action).scalar_subquery())


def _actions_query(filters: ActionFilters, on: date):
    query = select(Action).where(public_actions_where())
    if filters.status is not None:
        query = query.where(col(Action.status) == filters.status.value)
    if filters.rag is not None:
        query = query.where(_rag_case(col(Action.status), col(Action.due_date), on)
                            == filters.rag.value)
    if filters.meeting_id is not None:
        query = query.where(col(Action.meeting_id) == filters.meeting_id)
    if filters.year is not None:
        held = sa.select(col(Meeting.id)).where(
            col(Meeting.starts_at) >= to_utc_year_start(filters.year),
            col(Meeting.starts_at) < to_utc_year_start(filters.year + 1))
        query = query.where(col(Action.meeting_id).in_(held))
    if filters.words:
        latest = _latest_public_update()
        for word in filters.words:
            query = query.where(sa.or_(contains(col(Action.text), word),
                                       contains(col(Action.reference), word),
                                       contains(latest, word)))
    return query


def to_utc_year_start(year: int) -> datetime:
    """The first moment of a year in London, as a stored (UTC) time."""
    return start_of_day_utc(date(year, 1, 1))


# The latest raised first: by the reference's year and number, then the id.
ACTION_KEYS = (
    SortKey(col(Action.year), lambda a: a.year, descending=True),
    SortKey(col(Action.seq), lambda a: a.seq, descending=True),
    SortKey(col(Action.id), lambda a: a.id, descending=True),
)


@dataclass
class PublicAction:
    """An action as the public action log shows it."""

    reference: str
    text: str
    owners: list[str]  # roles, the lead first
    status: str  # in words
    rag: Rag | None
    rag_words: str
    due_date: date | None
    meeting_title: str
    raised_on: date | None
    meeting_id: int | None
    latest_update: str = ""
    latest_update_on: date | None = None


def _public_actions(session: Session, actions: list[Action], on: date) -> list[PublicAction]:
    """These (public) actions worded for the public, in a few queries however many."""
    ids = [a.id for a in actions]
    owners = owners_of(session, ids)
    latest: dict[int, ActionUpdate] = {}
    if ids:
        rank = func.row_number().over(
            partition_by=col(ActionUpdate.action_id),
            order_by=(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc()),
        ).label("rank")
        ranked = (sa.select(col(ActionUpdate.id).label("id"), rank)
                  .where(col(ActionUpdate.action_id).in_(ids),
                         func.length(func.trim(col(ActionUpdate.text))) > 0).subquery())
        for update in session.exec(select(ActionUpdate).join(
                ranked, ranked.c.id == col(ActionUpdate.id)).where(ranked.c.rank == 1)):
            latest[update.action_id] = update
    meetings: dict[int | None, tuple[Meeting, MeetingType]] = {}
    meeting_ids = {a.meeting_id for a in actions if a.meeting_id is not None}
    if meeting_ids:
        for meeting, series in session.exec(
                select(Meeting, MeetingType)
                .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
                .where(col(Meeting.id).in_(meeting_ids))):
            meetings[meeting.id] = (meeting, series)
    rows = []
    for action in actions:
        rag = rag_for(status=action.status, due_date=action.due_date, on=on)
        last = latest.get(cast(int, action.id))
        held = meetings.get(action.meeting_id)
        rows.append(PublicAction(
            reference=action.reference, text=action.text,
            owners=[public_person(p) for p in owners[action.id]],
            status=STATUS_WORDS.get(ActionStatus(action.status), action.status),
            rag=rag, rag_words=rag_words(rag, status=action.status, due_date=action.due_date),
            due_date=action.due_date,
            meeting_title=meeting_title(*held) if held else "",
            raised_on=to_london(held[0].starts_at).date() if held else None,
            meeting_id=action.meeting_id,
            latest_update=last.text if last else "",
            latest_update_on=to_london(last.created_at).date() if last else None))
    return rows


@dataclass
class ActionsPage:
    rows: list[PublicAction]
    total: int
    page: Page


def actions_page(session: Session, *, filters: ActionFilters, limit: int = PAGE_SIZE,
                 after: str | None = None, before: str | None = None,
                 most: int = MAX_LIMIT) -> ActionsPage:
    """A page of the public action log, the latest raised first, and how many the filters
    select (counted by the database)."""
    on = today()
    query = _actions_query(filters, on)
    page = keyset_page(session, query, keys=ACTION_KEYS, limit=limit, cursor=after,
                       before=before, scope="public actions", filters=filters.params(),
                       most=most)
    return ActionsPage(rows=_public_actions(session, page.rows, on),
                       total=count_of(session, query), page=page)


def all_actions(session: Session, *, filters: ActionFilters) -> Iterator[PublicAction]:
    """Every action of the public log the filters select, in the page's order, read a batch
    at a time (for the spreadsheet)."""
    on = today()
    query = _actions_query(filters, on)
    columns = [k.column for k in ACTION_KEYS]
    after = None
    while True:
        batch, more = seek(session, query, columns=columns, descending=[True] * len(columns),
                           limit=MAX_LIMIT, after=after)
        yield from _public_actions(session, batch, on)
        if not more or not batch:
            return
        after = [k.value(batch[-1]) for k in ACTION_KEYS]


def action_years(session: Session) -> list[int]:
    """The years of the published meetings, the latest first (the year filter's choices)."""
    starts = session.exec(select(Meeting.starts_at).where(
        col(Meeting.id).in_(published_meeting_ids()))).all()
    return sorted({to_london(s).year for s in starts}, reverse=True)


def published_meetings(session: Session, year: int | None) -> list[tuple[int, str]]:
    """The published meetings of a year (every one when no year), the latest first, as
    (id, title): the meeting filter's choices."""
    query = (select(Meeting, MeetingType)
             .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
             .where(col(Meeting.id).in_(published_meeting_ids())))
    if year is not None:
        query = query.where(col(Meeting.starts_at) >= to_utc_year_start(year),
                            col(Meeting.starts_at) < to_utc_year_start(year + 1))
    found = session.exec(query.order_by(col(Meeting.starts_at).desc()).limit(100))
    return [(cast(int, m.id), f"{meeting_title(m, t)} ({to_london(m.starts_at).day} "
                              f"{to_london(m.starts_at):%B})") for m, t in found]


# --- the public register of decisions --------------------------------------------------------


@dataclass
class DecisionFilters:
    """What the public register is narrowed to; None or empty: any."""

    year: int | None = None
    words: list[str] = field(default_factory=list)
    significant: bool = False  # only those of significant public interest

    def params(self) -> dict[str, str]:
        found = {"year": str(self.year or ""), "q": " ".join(self.words),
                 "significant": "yes" if self.significant else ""}
        return {k: v for k, v in found.items() if v}


def decision_filters(query: Mapping[str, str]) -> DecisionFilters:
    """The filters an address asks for; a year that is not one, or words too long or holding
    control characters, are refused (InvalidInput naming each)."""
    errors: dict[str, str] = {}
    filters = DecisionFilters()
    try:
        filters.year = _year(query.get("year", ""))
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        filters.words = _words(query.get("q", ""))
    except InvalidInput as error:
        errors.update(error.errors)
    significant = query.get("significant", "").strip()
    if significant not in ("", "yes"):
        errors["significant"] = "Tick the box, or leave it empty for every decision"
    filters.significant = significant == "yes"
    if errors:
        raise InvalidInput(errors)
    return filters


@dataclass
class PublicPaper:
    id: int
    filename: str
    size_bytes: int


@dataclass
class PublicDecision:
    """A decision as the public register shows it. An exempt one has its reference, date,
    the exempt item's title and the reason, and nothing else."""

    id: int  # the decision reference's id: the address of its page
    reference: str
    decided_on: date
    meeting_title: str
    title: str  # the item it was taken under (with its theme)
    exempt: bool
    significant: bool = False  # marked by the office as of significant public interest
    exempt_reason: str = ""
    exempt_notice: str = ""  # "This item was considered in private (exempt under …)."
    decision_maker: str = ""
    summary: str = ""
    reports: list[PublicPaper] = field(default_factory=list)
    minutes_document_id: int | None = None  # the published minutes it is recorded in


def _decisions_query(filters: DecisionFilters):
    base = (sa.select(DecisionReference, MinuteEntry, AgendaItem, Meeting, MeetingType)
            .join(MinuteEntry, col(MinuteEntry.id) == DecisionReference.entry_id)
            .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id))
    chain = item_chain(base)
    query = chain.query.add_columns(chain.public_title.label("public_title"),
                                    chain.public_reason.label("public_reason"),
                                    *(t.label(f"title_{i}") for i, t in enumerate(chain.titles)))
    query = query.where(public_decisions_where())
    if filters.year is not None:
        query = query.where(col(DecisionReference.year) == filters.year)
    if filters.significant:
        query = query.where(col(DecisionReference.significant).is_(True))
    for word in filters.words:
        # An exempt decision is found only by what the public may read of it: its item's
        # public name; an open one by its words and the titles above it.
        open_match = sa.or_(contains(col(MinuteEntry.text), word),
                            *(contains(t, word) for t in chain.titles))
        query = query.where(sa.case((chain.exempt, contains(chain.public_title, word)),
                                    else_=open_match))
    return query


DECISION_KEYS = (
    SortKey(col(DecisionReference.year), lambda r: r[0].year, descending=True),
    SortKey(col(DecisionReference.seq), lambda r: r[0].seq, descending=True),
    SortKey(col(DecisionReference.id), lambda r: r[0].id, descending=True),
)


def _public_decisions(session: Session, rows: list[Any]) -> list[PublicDecision]:
    """These rows worded for the public: the open ones with their decision maker, summary and
    reports, the exempt ones as title and reason; in a few queries however many."""
    open_rows = [r for r in rows if r.public_title is None]
    people_ids = {r[1].speaker_id or r[3].chair_id for r in open_rows} - {None}
    people = {p.id: p for p in session.exec(select(Person).where(
        col(Person.id).in_(people_ids)))} if people_ids else {}
    papers: dict[int, list[PublicPaper]] = {}
    item_ids = {r[2].id for r in open_rows}
    if item_ids:
        for paper_id, item_id, filename, size in session.exec(
                select(Paper.id, Paper.item_id, Paper.filename, Paper.size_bytes)
                .where(col(Paper.item_id).in_(item_ids), public_paper_where())
                .order_by(col(Paper.uploaded_at), col(Paper.id))):
            papers.setdefault(item_id, []).append(PublicPaper(
                id=cast(int, paper_id), filename=filename, size_bytes=size))
    documents: dict[int, int] = {}
    meeting_ids = {r[3].id for r in rows}
    if meeting_ids:
        for meeting_id, document_id in session.exec(
                select(PublishedDocument.meeting_id, func.max(PublishedDocument.id))
                .where(col(PublishedDocument.meeting_id).in_(meeting_ids),
                       col(PublishedDocument.edition) == "public")
                .group_by(col(PublishedDocument.meeting_id))):
            documents[meeting_id] = cast(int, document_id)
    found = []
    for row in rows:
        ref, entry, item, meeting, series = row[:5]
        common = {"id": ref.id, "reference": ref.reference, "significant": ref.significant,
                  "decided_on": to_london(meeting.starts_at).date(),
                  "meeting_title": meeting_title(meeting, series),
                  "minutes_document_id": documents.get(meeting.id)}
        if row.public_title is not None:
            found.append(PublicDecision(
                **common, title=row.public_title, exempt=True,
                exempt_reason=row.public_reason or "",
                exempt_notice=exempt_notice(row.public_reason or "")))
            continue
        titles = [t for t in (row.title_2, row.title_1, row.title_0) if t]
        found.append(PublicDecision(
            **common, title=": ".join(titles), exempt=False,
            decision_maker=public_person(people.get(entry.speaker_id or meeting.chair_id)),
            summary=entry.text, reports=papers.get(item.id, [])))
    return found


@dataclass
class DecisionsPage:
    rows: list[PublicDecision]
    total: int
    page: Page


def decisions_page(session: Session, *, filters: DecisionFilters, limit: int = PAGE_SIZE,
                   after: str | None = None, before: str | None = None,
                   most: int = MAX_LIMIT) -> DecisionsPage:
    """A page of the public register, the latest decisions first, and how many the filters
    select (counted by the database)."""
    query = _decisions_query(filters)
    page = keyset_page(session, query, keys=DECISION_KEYS, limit=limit, cursor=after,
                       before=before, scope="public decisions", filters=filters.params(),
                       most=most)
    return DecisionsPage(rows=_public_decisions(session, page.rows),
                         total=count_of(session, query), page=page)


def all_decisions(session: Session, *, filters: DecisionFilters) -> Iterator[PublicDecision]:
    """Every decision of the public register the filters select, in the page's order, read a
    batch at a time (for the spreadsheet)."""
    query = _decisions_query(filters)
    columns = [k.column for k in DECISION_KEYS]
    after = None
    while True:
        batch, more = seek(session, query, columns=columns, descending=[True] * len(columns),
                           limit=MAX_LIMIT, after=after)
        yield from _public_decisions(session, batch)
        if not more or not batch:
            return
        after = [k.value(batch[-1]) for k in DECISION_KEYS]


def get_decision(session: Session, decision_id: int) -> PublicDecision:
    """One decision of the public register, or NotFound (for one the public may not see,
    too: an exempt paragraph, unpublished minutes, a deleted or changed paragraph)."""
    query = _decisions_query(DecisionFilters()).where(col(DecisionReference.id) == decision_id)
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"There is no published decision with id {decision_id}.")
    return _public_decisions(session, [row])[0]


def decision_years(session: Session) -> list[int]:
    """The years of the public register's decisions, the latest first."""
    query = (select(DecisionReference.year).distinct()
             .join(MinuteEntry, col(MinuteEntry.id) == DecisionReference.entry_id)
             .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
             .where(public_decisions_where())
             .order_by(col(DecisionReference.year).desc()))
    return list(session.exec(query))


def decision_paper(session: Session, *, decision_id: int, paper_id: int) -> Paper:
    """A report of a public decision, or NotFound: the paper must be one the decision's page
    lists (of its item, public)."""
    decision = get_decision(session, decision_id)
    if paper_id not in {p.id for p in decision.reports}:
        raise NotFound(f"Decision {decision.reference} has no public report with id "
                       f"{paper_id}.")
    return cast(Paper, session.get(Paper, paper_id))
