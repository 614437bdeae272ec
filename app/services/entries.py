"""Minute entries: paragraphs under an item, each save versioned and kept as a revision."""

from sqlmodel import Session, select

from app.models import MinuteEntry, MinuteEntryRevision, Question, utcnow
from app.schemas import EntryCreate, EntryUpdate
from app.services import audit
from app.services.agenda import get_item, node_for
from app.services.common import changes_of, get_or_404, referenced, referenced_person
from app.services.errors import Conflict, NotFound
from app.services.meetings import ensure_minutes_editable, get_meeting
from app.services.permissions import Actor, Perm, require


def _revision(entry: MinuteEntry, by: Actor) -> MinuteEntryRevision:
    return MinuteEntryRevision(
        entry_id=entry.id,
        version=entry.version,
        kind=entry.kind,
        speaker_id=entry.speaker_id,
        text=entry.text,
        exempt=entry.exempt,
        saved_at=entry.updated_at,
        saved_by_id=by.user_id,
    )


def entries_of(session: Session, item_id: int) -> list[MinuteEntry]:
    """An item's entries in order."""
    query = select(MinuteEntry).where(MinuteEntry.item_id == item_id)
    return list(session.exec(query.order_by(MinuteEntry.position, MinuteEntry.id)))


def visible_item(session: Session, item_id: int, by: Actor):
    """An item the actor may read the minutes of; exempt ones are hidden from some roles."""
    item = get_item(session, item_id)
    if not by.sees_exempt and node_for(session, item).exempt:
        raise NotFound(f"There is no agenda item with id {item_id}.")
    return item


def list_entries(session: Session, *, item_id: int, by: Actor) -> list[MinuteEntry]:
    """The entries of an item the actor may read."""
    visible_item(session, item_id, by)
    entries = entries_of(session, item_id)
    return [e for e in entries if by.sees_exempt or not e.exempt]


def get_entry(session: Session, *, entry_id: int, by: Actor) -> MinuteEntry:
    """One entry the actor may read."""
    entry = get_or_404(session, MinuteEntry, entry_id, "minute entry")
    if not by.sees_exempt:
        if entry.exempt:
            raise NotFound(f"There is no minute entry with id {entry_id}.")
        try:
            visible_item(session, entry.item_id, by)
        except NotFound:
            raise NotFound(f"There is no minute entry with id {entry_id}.") from None
    return entry


def _reposition(session: Session, entry: MinuteEntry, position: int | None) -> None:
    others = [e for e in entries_of(session, entry.item_id) if e.id != entry.id]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, entry)
    for number, sibling in enumerate(others, start=1):
        sibling.position = number


def create_entry(session: Session, *, item_id: int, data: EntryCreate, by: Actor) -> MinuteEntry:
    """Add a paragraph to an item's minutes; its first revision is kept too."""
    item = get_item(session, item_id)
    require(by, Perm.edit_record)
    ensure_minutes_editable(get_meeting(session, item.meeting_id))
    referenced_person(session, data.speaker_id, "speaker_id")
    referenced(session, Question, data.question_id, "question_id", "question")
    entry = MinuteEntry(item_id=item.id, **data.model_dump(exclude={"position"}))
    _reposition(session, entry, data.position)
    session.add(entry)
    session.flush()
    session.add(_revision(entry, by))
    audit.record(session, by=by, verb="create", object_type="minute_entry", object_id=entry.id,
                 summary=f"item {item.id}, version 1")
    session.commit()
    return entry


def update_entry(session: Session, *, entry_id: int, data: EntryUpdate, by: Actor) -> MinuteEntry:
    """Save a new version of an entry; a save made from an older version is refused (409)."""
    entry = get_or_404(session, MinuteEntry, entry_id, "minute entry")
    require(by, Perm.edit_record)
    ensure_minutes_editable(get_meeting(session, get_item(session, entry.item_id).meeting_id))
    changes = changes_of(data, nullable=("speaker_id", "question_id"))
    version = changes.pop("version")
    if all(getattr(entry, key) == value for key, value in changes.items()):
        # A retry of a save that already landed, or a save that changes nothing.
        return entry
    if version != entry.version:
        raise Conflict(
            f"This entry was changed by someone else (now version {entry.version}; "
            f"your change was made to version {version}).",
            current=entry,
        )
    if "speaker_id" in changes:
        referenced_person(session, changes["speaker_id"], "speaker_id")
    if "question_id" in changes:
        referenced(session, Question, changes["question_id"], "question_id", "question")
    for key, value in changes.items():
        if key != "position":
            setattr(entry, key, value)
    if "position" in changes:
        _reposition(session, entry, changes["position"])
    entry.version += 1
    entry.updated_at = utcnow()
    session.add(_revision(entry, by))
    audit.record(session, by=by, verb="update", object_type="minute_entry", object_id=entry.id,
                 summary=f"version {entry.version}: " + ", ".join(sorted(changes)))
    session.commit()
    return entry


def list_revisions(session: Session, *, entry_id: int, by: Actor) -> list[MinuteEntryRevision]:
    """Every saved version of an entry, the first included, oldest first."""
    entry = get_entry(session, entry_id=entry_id, by=by)
    query = select(MinuteEntryRevision).where(MinuteEntryRevision.entry_id == entry.id)
    return list(session.exec(query.order_by(MinuteEntryRevision.version)))

