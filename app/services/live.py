"""The live view's changes: what a reader of a meeting's minutes has not yet seen.

A reader's page carries a mark of the record it shows (LiveMark): the shape of the record
(its items, their order and numbering, the paragraphs' order, the meeting and its attendance,
the actions) and the time of the latest paragraph saved. Asked again with it, the server
answers from one aggregate query: nothing changed; only paragraphs were typed, and which
(`live_changes`); or the shape changed, and the page needs the whole minutes again. No process
remembers who has seen what, and nothing here writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import case
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from app.models import Action, AgendaItem, Meeting, MinuteAmendment, MinuteEntry, Person
from app.services import decisions
from app.services import minutes_format as formats
from app.services.agenda import ItemNode
from app.services.errors import NotFound
from app.services.meetings import get_meeting, meeting_type_of
from app.services.minutes import Edition, MinutesEntry, minutes_entry
from app.services.visibility import agenda_as_seen

# A paragraph is sent again if it was saved this long before the latest one the reader has:
# saves commit in an order their times need not follow, and one that commits late must not be
# missed. Sending a paragraph twice costs little.
OVERLAP = timedelta(seconds=5)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LiveMark:
    """What a reader's page shows: the record's shape, its latest paragraph's save, and how
    many saves its paragraphs have had (the sum of their versions: a save that commits after
    a later one changes it, where it leaves the latest time as it was)."""

    shape: str
    latest: int  # microseconds since 1970 (UTC); 0 without paragraphs
    saves: int = 0

    def __str__(self) -> str:
        return f"{self.shape}.{self.latest}.{self.saves}"

    @classmethod
    def parse(cls, text: str) -> LiveMark | None:
        """The mark a page sent, or None for anything else (the page is then sent whole)."""
        shape, _, rest = text.partition(".")
        latest, _, saves = rest.partition(".")
        if (len(shape) != 20 or not latest.isdigit() or len(latest) > 20
                or not saves.isdigit() or len(saves) > 20):
            return None
        return cls(shape, int(latest), int(saves))

    def rounded_down(self, seconds: int = 2) -> LiveMark:
        """The same mark, its latest save taken back to a whole number of `seconds`."""
        step = seconds * 1_000_000
        return LiveMark(self.shape, self.latest - self.latest % step, self.saves)

    @property
    def latest_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.latest)


@dataclass
class LiveEntry:
    """A changed paragraph as the reader may see it, and the paragraph it follows in its item
    (None when it is the item's first), so the page can tell it has not moved."""

    entry: MinutesEntry
    after: int | None


def _micros(moment: datetime | None) -> int:
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def _in_meeting(meeting_id: int):
    return col(MinuteEntry.item_id).in_(
        select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))


def live_mark(session: Session, *, meeting_id: int) -> LiveMark:
    """The mark of a meeting's record now, in one query (NotFound for no such meeting).

    The shape changes with anything but a paragraph's words and settings: a paragraph added,
    deleted, restored or moved (the sums of position × id and item × id change), an item
    added, changed, moved or renumbered, the meeting changed (attendance touches it), an
    action raised or updated (carried forward actions come from any meeting)."""
    live = col(MinuteEntry.deleted_at).is_(None)
    items = AgendaItem.meeting_id == meeting_id

    def one(*columns, where):
        return select(*columns).where(where).scalar_subquery()

    # Thirteen columns: more than sqlmodel's select is typed for.
    row = session.execute(
        select_columns(
            func.max(MinuteEntry.updated_at),
            func.sum(col(MinuteEntry.version)),
            func.max(MinuteEntry.deleted_at),
            func.sum(case((live, 1), else_=0)),
            func.sum(case((live, col(MinuteEntry.position) * col(MinuteEntry.id)), else_=0)),
            func.sum(case((live, col(MinuteEntry.item_id) * col(MinuteEntry.id)), else_=0)),
            one(func.count(), where=items),
            one(func.max(AgendaItem.updated_at), where=items),
            one(func.sum(col(AgendaItem.position) * col(AgendaItem.id)), where=items),
            one(func.sum(func.coalesce(col(AgendaItem.parent_id), 0) * col(AgendaItem.id)),
                where=items),
            one(Meeting.updated_at, where=Meeting.id == meeting_id),
            one(Meeting.status, where=Meeting.id == meeting_id),
            select(func.max(Action.updated_at)).scalar_subquery(),
        ).where(_in_meeting(meeting_id))
    ).one()
    latest, saves, *shape = row
    if shape[8] is None:  # no meeting row
        raise NotFound(f"There is no meeting with id {meeting_id}.")
    shape = [_micros(v) if isinstance(v, datetime) else v for v in shape]
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:20]
    return LiveMark(digest, _micros(latest), int(saves or 0))


def _shown_items(tree: list[ItemNode]) -> set[int]:
    """The items whose paragraphs the reader sees: not redacted, nor under a redacted one."""
    shown: set[int] = set()

    def walk(node: ItemNode) -> None:
        if node.redacted or node.item.id is None:
            return
        shown.add(node.item.id)
        for child in node.children:
            walk(child)

    for root in tree:
        walk(root)
    return shown


def live_changes(session: Session, *, meeting_id: int, since: LiveMark,
                 edition: Edition) -> list[LiveEntry] | None:
    """The paragraphs saved since `since` as the reader of `edition` sees them, oldest first;
    None when the page must be sent whole: a changed paragraph the reader may not see (it may
    have just become exempt, and must then leave the page). A save that committed more than
    OVERLAP after its time is missed until the page is next sent whole."""
    redact = edition == Edition.public
    shown = _shown_items(agenda_as_seen(session, meeting_id, redact=redact))
    changed = list(session.exec(
        select(MinuteEntry).where(
            _in_meeting(meeting_id), col(MinuteEntry.deleted_at).is_(None),
            col(MinuteEntry.updated_at) > since.latest_at - OVERLAP)
        .order_by(col(MinuteEntry.updated_at), col(MinuteEntry.id))))
    changed = [e for e in changed if e.item_id in shown]  # a hidden item's: never on the page
    if any(redact and e.exempt for e in changed):
        return None
    if not changed:
        return []
    meeting = get_meeting(session, meeting_id)
    fmt = formats.load(meeting_type_of(session, meeting).minutes_format)
    after: dict[int, int | None] = {}
    previous: dict[int, int | None] = {}
    for entry_id, item_id, exempt in session.exec(
        select(MinuteEntry.id, MinuteEntry.item_id, MinuteEntry.exempt).where(
            col(MinuteEntry.item_id).in_({e.item_id for e in changed}),
            col(MinuteEntry.deleted_at).is_(None))
        .order_by(col(MinuteEntry.position), col(MinuteEntry.id))
    ):
        if redact and exempt:
            continue
        after[cast(int, entry_id)] = previous.get(item_id)  # saved rows
        previous[item_id] = entry_id
    ids = [cast(int, e.id) for e in changed]
    speakers = {e.speaker_id for e in changed if e.speaker_id}
    people = {cast(int, p.id): p for p in session.exec(
        select(Person).where(col(Person.id).in_(speakers)))} if speakers else {}
    amendments: dict[int | None, list[MinuteAmendment]] = {}
    for amendment in session.exec(
        select(MinuteAmendment).where(col(MinuteAmendment.entry_id).in_(ids))
        .order_by(col(MinuteAmendment.amended_at), col(MinuteAmendment.id))
    ):
        amendments.setdefault(amendment.entry_id, []).append(amendment)
    references = decisions.references_of(session, list(ids))
    return [LiveEntry(minutes_entry(e, people=people, amendments=amendments,
                                    references=references, fmt=fmt, edition=edition),
                      after.get(cast(int, e.id)))
            for e in changed]
