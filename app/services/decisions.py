"""Decisions as data: each paragraph of the minutes minuted as a decision gets a reference in
the office's format ("D/{year}/{seq:03d}" → D/2025/014; the year is the meeting's), and the
decisions register lists them.

The rules:
- A paragraph gets its reference when it first becomes a decision (made as one, or changed to
  one), numbered in order within its meeting's year; references are unique.
- A paragraph that stops being a decision keeps its reference (it is never given to another,
  and it comes back if the paragraph becomes a decision again); the register lists only
  current decisions, of paragraphs not deleted.
- Readers who may not see exempt material never see a decision under an exempt item or in an
  exempt paragraph, on the page or in the spreadsheet (app/services/visibility.py decides).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    DecisionReference,
    EntryKind,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinuteEntry,
    PublishedDocument,
)
from app.services import audit
from app.services.common import contains
from app.services.dates import to_london
from app.services.errors import Conflict, NotFound
from app.services.office import format_reference, get_office
from app.services.permissions import Actor, Perm, require
from app.services.visibility import exempt_item_ids, may_see_entry, sees_exempt

PAGE_SIZE = 25
MAX_WORDS = 10


# --- references ----------------------------------------------------------------------------


def reference_of(session: Session, entry_id: int | None) -> str:
    """The entry's decision reference, or "" if it never was a decision."""
    found = session.exec(select(DecisionReference.reference)
                         .where(DecisionReference.entry_id == entry_id)).first()
    return found or ""


def references_of(session: Session, entry_ids: list[int | None]) -> dict[int, str]:
    """Decision references by entry id, for those entries that have one."""
    wanted = [i for i in entry_ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(DecisionReference.entry_id, DecisionReference.reference)
                        .where(col(DecisionReference.entry_id).in_(wanted))).all()
    return dict(rows)


def assign_reference(session: Session, entry: MinuteEntry) -> DecisionReference | None:
    """Give a decision its reference the first time it is one; a paragraph that has one keeps
    it. Retries if another request took the number meanwhile."""
    if entry.kind != EntryKind.decision or entry.id is None:
        return None
    earlier = session.exec(select(DecisionReference)
                           .where(DecisionReference.entry_id == entry.id)).first()
    if earlier is not None:
        return earlier
    item = session.get(AgendaItem, entry.item_id)
    meeting = session.get(Meeting, item.meeting_id) if item is not None else None
    assert meeting is not None  # an entry is always under an item of a meeting
    year = to_london(meeting.starts_at).year
    pattern = get_office(session).decision_reference_format
    for _attempt in range(10):
        seq = (session.exec(select(func.max(DecisionReference.seq))
                            .where(DecisionReference.year == year)).one() or 0) + 1
        made = DecisionReference(entry_id=entry.id, year=year, seq=seq,
                                 reference=format_reference(pattern, year=year, seq=seq))
        try:
            with session.begin_nested():
                session.add(made)
            return made
        except IntegrityError:
            continue
    raise Conflict("Could not give the decision a reference; please try again.")


def mark_significant(session: Session, *, decision_id: int, significant: bool,
                     by: Actor) -> DecisionReference:
    """Mark a decision as of significant public interest, or no longer: the public register
    (app/services/public_record.py) marks those and can be narrowed to them. The office's
    choice; recorded in the audit log."""
    require(by, Perm.edit_record, "Only the secretariat and administrators mark decisions.")
    decision = session.get(DecisionReference, decision_id)
    if decision is None:
        raise NotFound(f"There is no decision with id {decision_id}.")
    if decision.significant != significant:
        decision.significant = significant
        audit.record(session, by=by, verb="mark_significant" if significant else
                     "unmark_significant", object_type="decision", object_id=decision.id,
                     summary=f"{decision.reference}: "
                             f"{'' if significant else 'not '}of significant public interest")
        session.flush()
    return decision


# --- the register --------------------------------------------------------------------------


@dataclass
class DecisionFilters:
    """What the register is narrowed to; None or empty: any."""

    series_id: int | None = None
    year: int | None = None
    words: list[str] = field(default_factory=list)  # each in the item's or its theme's title


@dataclass
class DecisionRow:
    id: int  # the decision reference's
    reference: str
    starts_at: datetime  # the meeting's start, UTC
    meeting_id: int
    meeting_type: str
    item_title: str
    text: str
    exempt: bool  # the paragraph or its item is exempt (shown only to those who may see it)
    exempt_reason: str
    significant: bool = False  # of significant public interest (marked by the office)


@dataclass
class DecisionsPage:
    rows: list[DecisionRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def words_of(typed: str) -> list[str]:
    """The words to look for in the titles, at most MAX_WORDS of them."""
    return [w for w in typed.split() if w][:MAX_WORDS]


def _query(session: Session, by: Actor, filters: DecisionFilters):
    parent = aliased(AgendaItem)
    query = (
        select(DecisionReference, MinuteEntry, AgendaItem, Meeting)
        .join(MinuteEntry, col(MinuteEntry.id) == DecisionReference.entry_id)
        .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .outerjoin(parent, col(parent.id) == AgendaItem.parent_id)
        .where(MinuteEntry.kind == EntryKind.decision, col(MinuteEntry.deleted_at).is_(None))
    )
    if filters.series_id is not None:
        query = query.where(Meeting.meeting_type_id == filters.series_id)
    if filters.year is not None:
        query = query.where(DecisionReference.year == filters.year)
    for word in filters.words:
        query = query.where(or_(contains(AgendaItem.title, word), contains(parent.title, word)))
    exempt_items: set[int] = set()
    if not sees_exempt(by):
        query = query.where(col(MinuteEntry.exempt).is_(False))
        meeting_ids = session.exec(
            select(AgendaItem.meeting_id).distinct()
            .join(MinuteEntry, col(MinuteEntry.item_id) == AgendaItem.id)
            .where(MinuteEntry.kind == EntryKind.decision)).all()
        exempt_items = exempt_item_ids(session, meeting_ids)
        if exempt_items:
            query = query.where(col(AgendaItem.id).not_in(exempt_items))
    return query, exempt_items


def _rows(session: Session, by: Actor, found, exempt_items: set[int]) -> list[DecisionRow]:
    all_exempt = (exempt_item_ids(session, {m.id for _, _, _, m in found}) if found else set())
    series = {t.id: t.name for t in session.exec(select(MeetingType))}
    rows = []
    for ref, entry, item, meeting in found:
        item_exempt = item.id in all_exempt
        if not may_see_entry(by, entry_exempt=entry.exempt, item_exempt=item_exempt):
            continue  # never reached: the query leaves these out; kept as a second lock
        rows.append(DecisionRow(
            id=ref.id, significant=ref.significant, reference=ref.reference,
            starts_at=meeting.starts_at, meeting_id=meeting.id,
            meeting_type=series.get(meeting.meeting_type_id, ""), item_title=item.title,
            text=entry.text,
            exempt=entry.exempt or item_exempt,
            exempt_reason=entry.exempt_reason if entry.exempt else item.exempt_reason))
    return rows


def _ordered(query):
    return query.order_by(col(DecisionReference.year).desc(), col(DecisionReference.seq).desc())


def decisions_page(session: Session, *, by: Actor, filters: DecisionFilters,
                   page: int = 1) -> DecisionsPage:
    """One page of the register as this reader may see it, the latest decisions first."""
    query, exempt_items = _query(session, by, filters)
    total = session.exec(select(func.count()).select_from(
        query.with_only_columns(col(DecisionReference.id)).subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = list(session.exec(_ordered(query).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return DecisionsPage(rows=_rows(session, by, found, exempt_items), total=total, page=page)


def all_decisions(session: Session, *, by: Actor, filters: DecisionFilters) -> list[DecisionRow]:
    """Every decision of the filtered register as this reader may see it (the spreadsheet)."""
    query, exempt_items = _query(session, by, filters)
    return _rows(session, by, list(session.exec(_ordered(query))), exempt_items)


def decision_years(session: Session) -> list[int]:
    """The years that have decisions, the latest first."""
    return list(session.exec(select(DecisionReference.year).distinct()
                             .order_by(col(DecisionReference.year).desc())))


# --- the public's view: decisions of published minutes -------------------------------------


@dataclass
class PublishedDecision:
    """A decision in published minutes, as the public may know it: an exempt one as its
    reference, its item's title and the exemption, without its words."""

    reference: str
    meeting_id: int
    meeting_type: str
    starts_at: datetime  # the meeting's start, UTC
    published_at: datetime  # when the minutes that hold it were first published
    item_title: str
    text: str  # "" when exempt
    exempt: bool
    exempt_reason: str


def published_decisions(session: Session, *, most: int = 50) -> list[PublishedDecision]:
    """The latest decisions of meetings whose minutes are published, the most recently
    published first; exempt ones without their words (two queries, whatever the record's
    size: the decisions, and the exempt items of their meetings)."""
    first_published = (select(PublishedDocument.meeting_id,
                              func.min(PublishedDocument.published_at).label("at"))
                       .group_by(col(PublishedDocument.meeting_id)).subquery())
    # (SQLAlchemy's select: SQLModel's types four columns at most)
    found = list(session.execute(
        sa_select(DecisionReference, MinuteEntry, AgendaItem, Meeting, MeetingType,
                  first_published.c.at)
        .join(MinuteEntry, col(MinuteEntry.id) == DecisionReference.entry_id)
        .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .join(first_published, first_published.c.meeting_id == Meeting.id)
        # an exempt paragraph of an open item is left out of the public edition without a
        # trace (DESIGN.md §3), and so out of the feed, as out of the public register
        .where(col(MinuteEntry.kind) == EntryKind.decision,
               col(MinuteEntry.deleted_at).is_(None), col(MinuteEntry.exempt).is_(False),
               col(Meeting.status) == MeetingStatus.published)
        .order_by(first_published.c.at.desc(), col(DecisionReference.year).desc(),
                  col(DecisionReference.seq).desc())
        .limit(most)).all())
    exempt_items = exempt_item_ids(session, {meeting.id for _, _, _, meeting, _, _ in found})
    decisions = []
    for ref, entry, item, meeting, meeting_type, published_at in found:
        in_private = item.id in exempt_items
        # Under an exempt item, the public knows the exempt item (its title and reason), not
        # the item under it, whose title is Part 2 too.
        shown = _exempt_ancestor(session, item) if in_private else item
        exempt = entry.exempt or in_private
        reason = shown.exempt_reason if in_private else entry.exempt_reason
        decisions.append(PublishedDecision(
            reference=ref.reference, meeting_id=meeting.id, meeting_type=meeting_type.name,
            starts_at=meeting.starts_at, published_at=published_at, item_title=shown.title,
            text="" if exempt else entry.text, exempt=exempt,
            exempt_reason=reason if exempt else ""))
    return decisions


def _exempt_ancestor(session: Session, item: AgendaItem) -> AgendaItem:
    """The exempt item an item is under (itself when exempt)."""
    while not item.exempt and item.parent_id is not None:
        parent = session.get(AgendaItem, item.parent_id)
        if parent is None:
            break
        item = parent
    return item
