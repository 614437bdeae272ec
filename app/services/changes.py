"""What changed between the draft minutes at the end of the meeting and the approved minutes.

Every saved version of an entry is kept (`MinuteEntryRevision`), so both sides are read from
the revisions: the last one saved at or before the meeting's end (or, when nothing was typed
during the meeting, as submitted to the chair), and the last one saved at or before approval
(or the current one, while the minutes are still a draft).
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.models import MinuteEntry, MinuteEntryRevision, utcnow
from app.services.agenda import agenda_tree, flatten
from app.services.approval import amendment_note, amendments_of
from app.services.meetings import get_meeting, meeting_title, meeting_type_of
from app.services.permissions import Actor

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    """A run of text: kept, inserted or deleted."""

    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class EntryChange:
    entry_id: int
    status: str  # "unchanged", "changed", "added", "removed"
    before: str | None
    after: str | None
    segments: list[Segment] = field(default_factory=list)


@dataclass
class ItemChanges:
    number: str
    title: str
    entries: list[EntryChange]

    @property
    def changed(self) -> int:
        return sum(1 for e in self.entries if e.status != "unchanged")


@dataclass
class AmendmentChange:
    """An amendment made after approval, as a change from the text it replaced."""

    item_number: str
    item_title: str
    note: str  # "Amended on 12 June 2019: <reason>"
    segments: list[Segment]


@dataclass
class MinutesChanges:
    title: str
    baseline_at: datetime
    baseline_label: str  # "the draft at the end of the meeting"
    target_at: datetime
    target_label: str  # "the approved minutes", or "the draft as it is now"
    items: list[ItemChanges]
    amendments: list[AmendmentChange] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(i.changed for i in self.items)


def word_diff(before: str, after: str) -> list[Segment]:
    """The changes from one text to another, word by word."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(Segment("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(Segment("insert", "".join(new[j1:j2])))
    return segments


def meeting_end(session: Session, meeting) -> datetime:
    """When the meeting ended: as recorded, or its start plus the series' usual length."""
    if meeting.ends_at is not None:
        return meeting.ends_at
    minutes = meeting_type_of(session, meeting).duration_minutes or 120
    return meeting.starts_at + timedelta(minutes=minutes)


def _as_of(revisions: list[MinuteEntryRevision], when: datetime) -> MinuteEntryRevision | None:
    found = None
    for revision in revisions:  # oldest first
        if revision.saved_at <= when:
            found = revision
    return found


def minutes_changes(session: Session, *, meeting_id: int, by: Actor) -> MinutesChanges:
    """Per entry, what changed between the draft at the end of the meeting and the approved
    minutes. Readers who may not see exempt material see only what was never exempt."""
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    nodes = flatten(agenda_tree(session, meeting.id))
    item_ids = [n.item.id for n in nodes]
    entries = list(session.exec(
        select(MinuteEntry).where(col(MinuteEntry.item_id).in_(item_ids))
        .order_by(col(MinuteEntry.position), col(MinuteEntry.id)))) if item_ids else []
    revisions: dict[int | None, list[MinuteEntryRevision]] = {e.id: [] for e in entries}
    if entries:
        for revision in session.exec(
            select(MinuteEntryRevision)
            .where(col(MinuteEntryRevision.entry_id).in_(list(revisions)))
            .order_by(col(MinuteEntryRevision.entry_id), col(MinuteEntryRevision.version))
        ):
            revisions[revision.entry_id].append(revision)

    baseline_at = meeting_end(session, meeting)
    baseline_label = "the draft at the end of the meeting"
    typed_live = any(_as_of(r, baseline_at) for r in revisions.values())
    if not typed_live and meeting.submitted_at is not None:
        baseline_at, baseline_label = meeting.submitted_at, "the draft submitted to the chair"
    if meeting.approved_at is not None:
        target_at, target_label = meeting.approved_at, "the approved minutes"
    else:
        target_at, target_label = utcnow(), "the draft as it is now"

    def text_at(entry: MinuteEntry, when: datetime) -> tuple[str | None, bool]:
        if entry.deleted_at is not None and entry.deleted_at <= when:
            return None, False
        revision = _as_of(revisions[entry.id], when)
        return (revision.text, revision.exempt) if revision else (None, False)

    by_item: dict[int | None, list[EntryChange]] = {i: [] for i in item_ids}
    for entry in entries:
        assert entry.id is not None  # loaded from the database
        before, before_exempt = text_at(entry, baseline_at)
        after, after_exempt = text_at(entry, target_at)
        if before is None and after is None:
            continue
        if not by.sees_exempt and (before_exempt or after_exempt or entry.exempt):
            continue
        if before is None:
            assert after is not None  # both None is skipped above
            change = EntryChange(entry.id, "added", None, after, [Segment("insert", after)])
        elif after is None:
            change = EntryChange(entry.id, "removed", before, None, [Segment("delete", before)])
        elif before == after:
            change = EntryChange(entry.id, "unchanged", before, after, [Segment("equal", after)])
        else:
            change = EntryChange(entry.id, "changed", before, after, word_diff(before, after))
        by_item[entry.item_id].append(change)

    items = [
        ItemChanges(number=n.number, title=n.item.title, entries=by_item[n.item.id])
        for n in nodes if by.sees_exempt or not n.exempt
    ]
    nodes_by_item = {n.item.id: n for n in nodes}
    amended = []
    for view in amendments_of(session, meeting_id=meeting.id, by=by):
        a = view.amendment
        if not by.sees_exempt and (a.original_exempt or a.amended_exempt):
            continue
        node = nodes_by_item.get(next((e.item_id for e in entries if e.id == a.entry_id), None))
        amended.append(AmendmentChange(
            item_number=node.number if node else "", item_title=node.item.title if node else "",
            note=amendment_note(a), segments=word_diff(a.original_text, a.amended_text)))
    return MinutesChanges(
        title=meeting_title(meeting, meeting_type_of(session, meeting)),
        baseline_at=baseline_at, baseline_label=baseline_label,
        target_at=target_at, target_label=target_label, items=items, amendments=amended,
    )
