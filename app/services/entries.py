"""Minute entries: paragraphs under an item, each save versioned and kept as a revision.

Nothing typed is lost: every save is a revision, a retried save or creation changes nothing,
a save made from an older version is merged with what others saved since (or refused where the
two clash, never applied over them), a save of a deleted entry says who deleted it, and a
deleted entry is kept so that it can be restored.
"""

from sqlmodel import Session, col, select

from app.models import (
    Answer,
    AuditEvent,
    EntryKind,
    MinuteEntry,
    MinuteEntryRevision,
    Question,
    QuestionStatus,
    User,
    utcnow,
)
from app.schemas import EntryCreate, EntryUpdate
from app.services import audit, decisions, identity, merging, public_question_mail
from app.services.agenda import get_item, node_for
from app.services.assurance import settle_level
from app.services.common import changes_of, get_or_404, referenced, referenced_person
from app.services.dates import as_utc
from app.services.errors import Conflict, Gone, NotFound
from app.services.meetings import ensure_minutes_editable, get_meeting
from app.services.paging import DEFAULT_LIMIT, Page, SortKey, keyset_page
from app.services.permissions import Actor, Perm, require
from app.services.questions import dated_in_meeting
from app.services.visibility import may_see_entry, sees_exempt

# A question entry marks its question as asked unless it has already gone further.
_NOT_YET_ASKED = {QuestionStatus.draft, QuestionStatus.ready, QuestionStatus.sent}


def _revision(entry: MinuteEntry, by: Actor, device: str | None = None,
              device_seq: int | None = None) -> MinuteEntryRevision:
    assert entry.id is not None  # a saved entry
    return MinuteEntryRevision(
        entry_id=entry.id,
        version=entry.version,
        kind=entry.kind,
        speaker_id=entry.speaker_id,
        text=entry.text,
        exempt=entry.exempt,
        assurance_level=entry.assurance_level,
        saved_at=entry.updated_at,
        saved_by_id=by.user_id,
        device=device,
        device_seq=device_seq,
    )


def entries_of(session: Session, item_id: int) -> list[MinuteEntry]:
    """An item's entries in order (deleted ones left out)."""
    query = select(MinuteEntry).where(
        MinuteEntry.item_id == item_id, col(MinuteEntry.deleted_at).is_(None)
    )
    return list(session.exec(query.order_by(col(MinuteEntry.position), col(MinuteEntry.id))))


def visible_item(session: Session, item_id: int, by: Actor):
    """An item the actor may read the minutes of; exempt ones are hidden from some roles."""
    item = get_item(session, item_id)
    if not sees_exempt(by) and node_for(session, item).exempt:
        raise NotFound(f"There is no agenda item with id {item_id}.")
    return item


def list_entries(session: Session, *, item_id: int, by: Actor) -> list[MinuteEntry]:
    """The entries of an item the actor may read."""
    visible_item(session, item_id, by)
    entries = entries_of(session, item_id)
    return [e for e in entries
            if may_see_entry(by, entry_exempt=e.exempt, item_exempt=False)]


def _load(session: Session, entry_id: int, by: Actor, *, deleted: bool = False) -> MinuteEntry:
    entry = get_or_404(session, MinuteEntry, entry_id, "minute entry")
    hidden = (entry.deleted_at is not None) != deleted
    if not hidden and not sees_exempt(by):
        if entry.exempt:
            hidden = True
        else:
            try:
                visible_item(session, entry.item_id, by)
            except NotFound:
                hidden = True
    if hidden:
        state = "deleted " if deleted else ""
        raise NotFound(f"There is no {state}minute entry with id {entry_id}.")
    return entry


def get_entry(session: Session, *, entry_id: int, by: Actor) -> MinuteEntry:
    """One entry the actor may read."""
    return _load(session, entry_id, by)


def _reposition(session: Session, entry: MinuteEntry, position: int | None) -> None:
    others = [e for e in entries_of(session, entry.item_id) if e.id != entry.id]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, entry)
    for number, sibling in enumerate(others, start=1):
        sibling.position = number


def _editable(session: Session, entry: MinuteEntry) -> None:
    ensure_minutes_editable(get_meeting(session, get_item(session, entry.item_id).meeting_id))


def _carried_here(session: Session, question: Question, entry: MinuteEntry) -> bool:
    """The question was carried forward from another meeting and is minuted at this one."""
    return (question.status == QuestionStatus.carried_forward
            and question.carried_from_meeting_id is not None
            and question.carried_from_meeting_id != get_item(session, entry.item_id).meeting_id)


def _sync_question(session: Session, entry: MinuteEntry) -> None:
    """Keep the question an entry records in step: asked when its question is minuted, and
    answered by the text of an answer entry (the answer is that entry's, kept up to date)."""
    linked = session.exec(select(Answer).where(Answer.entry_id == entry.id)).first()
    question = session.get(Question, entry.question_id) if entry.question_id else None
    live = entry.deleted_at is None and question is not None
    if (live and question is not None and entry.kind == EntryKind.question
            and (question.status in _NOT_YET_ASKED or _carried_here(session, question, entry))):
        question.status = QuestionStatus.asked
        question.updated_at = utcnow()
    if live and question is not None and entry.kind == EntryKind.answer and entry.text.strip():
        assert question.id is not None  # loaded from the database
        answer = linked or Answer(
            question_id=question.id, entry_id=entry.id, text=entry.text,
            answered_at=dated_in_meeting(get_meeting(session, get_item(
                session, entry.item_id).meeting_id)))
        answer.question_id = question.id
        answer.respondent_id = entry.speaker_id
        answer.text = entry.text
        answer.in_meeting = True
        session.add(answer)
        if linked is None:  # a new answer: a member of the public who asked is told
            session.flush()
            public_question_mail.queue_answer(session, question, answer)
        if question.status != QuestionStatus.answered:
            question.status = QuestionStatus.answered
            question.updated_at = utcnow()
    elif linked is not None:
        session.delete(linked)
        former = session.get(Question, linked.question_id)
        session.flush()
        others = session.exec(select(Answer).where(Answer.question_id == linked.question_id))
        if former is not None and others.first() is None:
            former.status = QuestionStatus.asked
            former.updated_at = utcnow()


def create_entry(session: Session, *, item_id: int, data: EntryCreate, by: Actor) -> MinuteEntry:
    """Add a paragraph to an item's minutes; its first revision is kept too.

    A creation sent again with the same `client_id` returns the entry made the first time.
    """
    require(by, Perm.edit_record)
    item = get_item(session, item_id)
    if data.client_id is not None:
        earlier = session.exec(
            select(MinuteEntry).where(MinuteEntry.client_id == data.client_id)
        ).first()
        if earlier is not None:
            if earlier.item_id != item.id:
                raise Conflict("This client id was already used for an entry of another item.")
            return earlier
    ensure_minutes_editable(get_meeting(session, item.meeting_id))
    settle_level(data.kind, {"assurance_level": data.assurance_level}, None)
    referenced_person(session, data.speaker_id, "speaker_id")
    referenced(session, Question, data.question_id, "question_id", "question")
    assert item.id is not None  # loaded from the database
    entry = MinuteEntry(item_id=item.id, **data.model_dump(exclude={"position", "device",
                                                                          "device_seq"}))
    _reposition(session, entry, data.position)
    session.add(entry)
    session.flush()
    session.add(_revision(entry, by, data.device, data.device_seq))
    _sync_question(session, entry)
    decisions.assign_reference(session, entry)
    audit.record(session, by=by, verb="create", object_type="minute_entry", object_id=entry.id,
                 summary=f"item {item.id}, version 1")
    session.flush()
    return entry


def _own_saves_since(session: Session, entry: MinuteEntry, version: int,
                     device: str | None) -> list[int | None] | None:
    """When every version saved after `version` came from `device` (the tab's own saves,
    which landed after the tab was reloaded, built from `version`, not someone else's), their
    save counts; else None."""
    if device is None or version > entry.version:
        return None
    later = session.exec(select(MinuteEntryRevision.device, MinuteEntryRevision.device_seq)
                         .where(col(MinuteEntryRevision.entry_id) == entry.id,
                                col(MinuteEntryRevision.version) > version)).all()
    if not later or any(saved_by != device for saved_by, _ in later):
        return None
    return [seq for _, seq in later]


def _refuse_if_deleted(session: Session, entry_id: int, by: Actor) -> None:
    """A save of a paragraph a colleague deleted meanwhile: say who deleted it and when (410),
    so that the page can offer the words back as a new paragraph."""
    try:
        entry = _load(session, entry_id, by, deleted=True)
    except NotFound:
        return
    event = session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "minute_entry", AuditEvent.object_id == entry.id,
        AuditEvent.verb == "delete").order_by(col(AuditEvent.id).desc())).first()
    name = _name_of(session, event.user_id if event else None)
    assert entry.deleted_at is not None  # loaded as deleted
    raise Gone(f"{name} deleted this paragraph.", deleted_by=name,
               deleted_at=as_utc(entry.deleted_at).isoformat())


def _name_of(session: Session, user_id: int | None) -> str:
    """A colleague's name as the minute-takers know it, or "Someone" when it is not known."""
    user = session.get(User, user_id) if user_id is not None else None
    return identity.display_name(session, user) if user is not None else "Someone"


def _saved_by(session: Session, entry: MinuteEntry, since: int) -> list[str]:
    """Who saved the versions of an entry after `since`: names, latest first, each once."""
    rows = session.exec(select(MinuteEntryRevision.saved_by_id)
                        .where(col(MinuteEntryRevision.entry_id) == entry.id,
                               col(MinuteEntryRevision.version) > since)
                        .order_by(col(MinuteEntryRevision.version).desc())).all()
    savers = dict.fromkeys(rows)  # each user once, in the order of their latest save
    return list(dict.fromkeys(_name_of(session, user_id) for user_id in savers))


def _merged(session: Session, entry: MinuteEntry, version: int, changes: dict) -> dict:
    """A save made from an older version than the entry's, by someone else than the one who
    saved the versions since: the changes with the colleague's merged in (three-way, from the
    version both started from), or a Conflict that says where the two clash."""
    base = session.exec(select(MinuteEntryRevision).where(
        col(MinuteEntryRevision.entry_id) == entry.id,
        col(MinuteEntryRevision.version) == version)).first()
    names = _saved_by(session, entry, version)
    who = " and ".join(names) or "Someone"
    if base is None:
        raise Conflict(f"{who} changed this paragraph; your change was made to version "
                       f"{version}, which it never had.", current=entry, changed_by=names)
    merged = dict(changes)
    clashing: list[str] = []
    if "text" in changes:
        text = merging.merge_text(base.text, changes["text"], entry.text)
        merged["text"] = text.text
        if not text.clean:
            clashing.append("text")
    for key in ("kind", "speaker_id", "assurance_level"):
        if key in changes:
            merged[key], clash = merging.merge_value(getattr(base, key), changes[key],
                                                     getattr(entry, key))
            if clash:
                clashing.append(key)
    if "question_id" in changes and entry.question_id is not None:
        merged["question_id"] = entry.question_id  # the revisions do not keep it: theirs
    if (merged.get("assurance_level") is not None and "assurance_level" not in clashing
            and merged.get("kind", entry.kind) != EntryKind.assurance
            and merged["assurance_level"] != base.assurance_level):
        # A level given here on a paragraph a colleague made into another kind meanwhile:
        # neither is dropped; the officer chooses.
        clashing.append("assurance_level")
    if clashing:
        raise Conflict(
            f"{who} changed this paragraph while you were typing (now version "
            f"{entry.version}; your change was made to version {version}).",
            current=entry, changed_by=names, clashing=clashing,
            base={"version": base.version, "text": base.text, "kind": base.kind,
                  "speaker_id": base.speaker_id, "assurance_level": base.assurance_level},
            proposal={"text": merged.get("text", entry.text),
                      "kind": merged.get("kind", entry.kind),
                      "speaker_id": merged.get("speaker_id", entry.speaker_id),
                      "assurance_level": merged.get("assurance_level",
                                                    entry.assurance_level)},
        )
    return merged


def update_entry(session: Session, *, entry_id: int, data: EntryUpdate, by: Actor) -> MinuteEntry:
    """Save a new version of an entry. A save made from an older version is taken as it is
    when every version since came from the same tab (`device`: its own earlier saves, which
    landed after the tab was reloaded); otherwise a colleague's changes since are merged in,
    and where the two changed the same words differently it is refused (409) with both."""
    try:
        entry = _load(session, entry_id, by)
    except NotFound:
        _refuse_if_deleted(session, entry_id, by)
        raise
    require(by, Perm.edit_record)
    _editable(session, entry)
    changes = changes_of(data, nullable=("speaker_id", "question_id", "device",
                                                  "device_seq", "assurance_level"))
    version = changes.pop("version")
    device = changes.pop("device", None)
    device_seq = changes.pop("device_seq", None)
    if all(getattr(entry, key) == value for key, value in changes.items()):
        # A retry of a save that already landed, or a save that changes nothing.
        return entry
    own = _own_saves_since(session, entry, version, device) if version != entry.version else []
    if own and device_seq is not None and any(seq is not None and seq > device_seq
                                              for seq in own):
        # Sent before a reload and landing late: the tab has had a later save kept since,
        # made from the text this one holds and more. Nothing to save.
        return entry
    if own is None:
        changes = _merged(session, entry, version, changes)
    settle_level(changes.get("kind", entry.kind), changes, entry.assurance_level)
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
    session.add(_revision(entry, by, device, device_seq))
    _sync_question(session, entry)
    decisions.assign_reference(session, entry)
    audit.record(session, by=by, verb="update", object_type="minute_entry", object_id=entry.id,
                 summary=f"version {entry.version}: " + ", ".join(sorted(changes)))
    session.flush()
    return entry


def delete_entry(session: Session, *, entry_id: int, by: Actor) -> MinuteEntry:
    """Take an entry out of the minutes; it is kept, with its revisions, to be restored."""
    entry = _load(session, entry_id, by)
    require(by, Perm.edit_record)
    _editable(session, entry)
    entry.deleted_at = utcnow()
    session.flush()
    for number, sibling in enumerate(entries_of(session, entry.item_id), start=1):
        sibling.position = number
    _sync_question(session, entry)
    audit.record(session, by=by, verb="delete", object_type="minute_entry", object_id=entry.id,
                 summary=f"item {entry.item_id}: {entry.text[:200]}")
    session.flush()
    return entry


def restore_entry(session: Session, *, entry_id: int, by: Actor) -> MinuteEntry:
    """Put a deleted entry back where it was (or as near as the item now allows)."""
    entry = _load(session, entry_id, by, deleted=True)
    require(by, Perm.edit_record)
    _editable(session, entry)
    entry.deleted_at = None
    _reposition(session, entry, entry.position)
    _sync_question(session, entry)
    audit.record(session, by=by, verb="restore", object_type="minute_entry", object_id=entry.id,
                 summary=f"item {entry.item_id}")
    session.flush()
    return entry


def list_revisions(session: Session, *, entry_id: int, by: Actor) -> list[MinuteEntryRevision]:
    """Every saved version of an entry, the first included, oldest first."""
    entry = get_entry(session, entry_id=entry_id, by=by)
    query = select(MinuteEntryRevision).where(MinuteEntryRevision.entry_id == entry.id)
    return list(session.exec(query.order_by(col(MinuteEntryRevision.version))))


REVISION_KEYS = (
    SortKey(col(MinuteEntryRevision.version), lambda r: r.version),
    SortKey(col(MinuteEntryRevision.id), lambda r: r.id),
)


def page_revisions(session: Session, *, entry_id: int, by: Actor, limit: int = DEFAULT_LIMIT,
                   cursor: str | None = None) -> Page[MinuteEntryRevision]:
    """One page of an entry's saved versions, the first included, oldest first."""
    entry = get_entry(session, entry_id=entry_id, by=by)
    query = select(MinuteEntryRevision).where(MinuteEntryRevision.entry_id == entry.id)
    return keyset_page(session, query, keys=REVISION_KEYS, limit=limit, cursor=cursor,
                       scope="entry-revisions", filters={"entry_id": entry_id})
