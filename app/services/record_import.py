"""Saving old minutes and action logs into the record (issue 18: old minutes in).

What was read (app/services/minutes_import.py), checked by the officer, becomes records through
the same services the pages use: the meeting, its items, entries, attendance and actions; the
minutes are then approved as they were before Assure, the meeting marked `imported`, and the
uploaded file kept with its SHA-256 in `record_import`, so that it can be downloaded and the
same file uploaded again is recognised. Each save is one use case: the caller commits once.

People are matched as minutes name them: by role abbreviation ("DCC"), initials ("JB"), name
or role title. Those not found are listed (`unknown_people`) for the officer to match or
create; the command line creates them.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionStatus,
    ItemKind,
    MeetingStatus,
    Person,
    RecordImport,
    Side,
    utcnow,
)
from app.schemas import (
    ActionCreate,
    ActionUpdateCreate,
    AttendanceIn,
    EntryCreate,
    ItemCreate,
    MeetingCreate,
    PersonCreate,
)
from app.services import actions, agenda, approval, audit, entries, meetings, people
from app.services.common import get_or_404
from app.services.dates import london_to_utc, short_date, to_london
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.minutes_import import (
    ACTIONS,
    MINUTES,
    ReadAction,
    ReadAttendee,
    ReadItem,
    entries_of,
    squash,
)
from app.services.people_import import made_initials
from app.services.permissions import Actor, Perm, require
from app.services.text import clean_file_name

ABANDONED_AFTER = timedelta(days=1)  # an upload whose review was never saved is deleted then
NOT_RECORDED = "Owner not recorded"  # the owner of an action the file names no owner for
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def checksum(content: bytes) -> str:
    """The SHA-256 of a file, by which the same file uploaded again is recognised."""
    return hashlib.sha256(content).hexdigest()


class AlreadyImported(Conflict):
    """The same file was imported before; import it again only when asked to."""

    def __init__(self, earlier: RecordImport) -> None:
        when = short_date(to_london(earlier.imported_at).date())
        what = (f"as meeting {earlier.meeting_id}" if earlier.kind == MINUTES and earlier.meeting_id
                else f"as {len(earlier.actions)} action{'s' if len(earlier.actions) != 1 else ''}")
        super().__init__(f"This file was imported on {when} {what}. Import it again only if "
                         "you mean to have it twice.")
        self.earlier = earlier


def earlier_import(session: Session, content: bytes) -> RecordImport | None:
    """The latest import of the same file, if it was imported before."""
    query = select(RecordImport).where(RecordImport.sha256 == checksum(content),
                                       col(RecordImport.completed_at).is_not(None))
    return session.exec(query.order_by(col(RecordImport.id).desc())).first()


def get_import(session: Session, import_id: int, *, by: Actor) -> RecordImport:
    """An import with its file, for those who may read the internal record."""
    require(by, Perm.export_internal, "Only the Commissioner's office downloads imported files.")
    return get_or_404(session, RecordImport, import_id, "import")


def import_of_meeting(session: Session, meeting_id: int) -> RecordImport | None:
    """The import a meeting came from, without its file's bytes being needed."""
    return session.exec(select(RecordImport).where(RecordImport.meeting_id == meeting_id)
                        .order_by(col(RecordImport.id).desc())).first()


# --- people, as minutes name them ---------------------------------------------------------

_SPLIT_OWNERS = re.compile(r"\s*(?:/|,|;|&|\n|\band\b|\+)\s*")


def owner_labels(owners: str) -> list[str]:
    """"JB / NA & the DCC" → ["JB", "NA", "DCC"]; no owner written → [NOT_RECORDED]."""
    labels: list[str] = []
    for part in _SPLIT_OWNERS.split(owners or ""):
        part = re.sub(r"(?i)^the\s+", "", squash(part)).strip(" .:-")
        if part and part.lower() not in (lab.lower() for lab in labels):
            labels.append(part[:200])
    return labels or [NOT_RECORDED]


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def match_person(label: str, everyone: list[Person]) -> Person | None:
    """The person a label names: role abbreviation, initials, name or role title (active
    people first); a name with its role in brackets ("Dana Pryce (DCC)") by either."""
    label = re.sub(r"(?i)^the\s+", "", squash(label))
    if not label:
        return None
    if m := re.match(r"^(.+?)\s*\(([^()]+)\)$", label):
        return match_person(m.group(1), everyone) or match_person(m.group(2), everyone)
    key = _key(label)
    ordered = sorted(everyone, key=lambda p: not p.active)
    for attribute in ("role_abbreviation", "initials", "full_name", "role_title"):
        for person in ordered:
            if key and _key(getattr(person, attribute)) == key:
                return person
    # a name without its title ("Mr J Smith", "John Smith" for "John A Smith") by surname
    words = label.split()
    if len(words) >= 2 and words[-1][:1].isupper():
        found = [p for p in ordered if p.full_name.split() and
                 _key(p.full_name.split()[-1]) == _key(words[-1]) and
                 _key(p.full_name)[:1] == _key(words[0] if len(words[0]) > 2 else words[-2])[:1]]
        if len(found) == 1:
            return found[0]
    return None


@dataclass
class NewPerson:
    """Someone the file names who is not in the directory, to be created."""

    label: str  # as the file names them
    full_name: str
    initials: str
    role_title: str = ""
    role_abbreviation: str = ""
    side: str = Side.other


def _role_of(capacity: str) -> tuple[str, str]:
    capacity = squash(capacity).rstrip(")")
    if m := re.match(r"^(.+?)\s*\(([^()]{1,20})$", capacity):
        return m.group(1).strip()[:200], m.group(2).strip()[:20]
    if re.fullmatch(r"[A-Z/]{2,8}", capacity):
        return "", capacity
    return capacity[:200], ""


def suggested_person(label: str, capacity: str = "") -> NewPerson:
    """How someone not found would be created: initials or a role abbreviation as written
    ("FM", "ACC") are kept as both name and initials or role, to be corrected on the page."""
    role_title, abbreviation = _role_of(capacity)
    short = re.fullmatch(r"[A-Z][A-Z/.]{0,7}", label) is not None
    if short and not abbreviation and not role_title:
        return NewPerson(label, label, label.replace(".", "")[:10])
    initials = made_initials(label) if not short else label[:10]
    return NewPerson(label, label[:200], initials[:10] or "?", role_title, abbreviation)


def already_recorded(session: Session, references: list[str]) -> dict[str, Action]:
    """The actions of the record that references read from an old file name, by reference.
    An office imports the minutes that raised its actions and the log that followed them up
    (in either order): an action already in the record is brought up to date, not raised
    again. Only references naming a year and a number ("A/2020/031") are matched, as those
    are kept (actions.adopt_reference); "1" or "3.2" name an action of one meeting only."""
    wanted = {r.strip() for r in references if r.strip() and actions.names_year_and_number(r)}
    if not wanted:
        return {}
    return {a.reference: a for a in session.exec(
        select(Action).where(col(Action.reference).in_(sorted(wanted))))}


def unknown_people(session: Session, *, attendance: list[ReadAttendee],
                   actions_read: list[ReadAction]) -> list[NewPerson]:
    """Everyone the file names whom no one in the directory matches, once each, in order
    (not the owners of actions already in the record, which keep their owners)."""
    everyone = people.list_people(session)
    unknown: dict[str, NewPerson] = {}
    for attendee in attendance:
        if not match_person(attendee.name, everyone) and _key(attendee.name) not in unknown:
            unknown[_key(attendee.name)] = suggested_person(attendee.name, attendee.capacity)
    recorded = already_recorded(session, [a.reference for a in actions_read])
    for action in actions_read:
        if action.reference.strip() in recorded:
            continue
        for label in owner_labels(action.owners):
            if not match_person(label, everyone) and _key(label) not in unknown:
                unknown[_key(label)] = suggested_person(label)
    return list(unknown.values())


def _resolver(session: Session, choices: dict[str, int | NewPerson | None], by: Actor):
    """A function from a label to a person id: the directory, then the officer's choices
    (an existing person's id, or someone to create, made once), else None."""
    everyone = people.list_people(session)
    made: dict[str, int] = {}

    def resolve(label: str) -> int | None:
        key = _key(label)
        choice = choices.get(key)
        if isinstance(choice, int):
            return choice
        if isinstance(choice, NewPerson):
            if key not in made:
                person = match_person(choice.full_name, everyone) if choice.full_name != label \
                    else None
                if person is None:
                    person = people.create_person(session, by=by, data=PersonCreate(
                        full_name=choice.full_name, initials=choice.initials,
                        role_title=choice.role_title,
                        role_abbreviation=choice.role_abbreviation, side=choice.side))
                    everyone.append(person)
                assert person.id is not None  # saved
                made[key] = person.id
            return made[key]
        person = match_person(label, everyone)
        return person.id if person else None

    return resolve


# --- the reviewed minutes -----------------------------------------------------------------


@dataclass
class MinutesDraft:
    """What the officer checked: the meeting, its items, attendance and actions."""

    series_id: int
    meeting_date: date | None
    start_time: time | None = None
    venue: str = ""
    chair: str = ""
    minute_taker: str = ""
    attendance: list[ReadAttendee] = field(default_factory=list)
    items: list[ReadItem] = field(default_factory=list)
    actions: list[ReadAction] = field(default_factory=list)
    # label key → an existing person's id, someone to create, or None (leave them out)
    people: dict[str, int | NewPerson | None] = field(default_factory=dict)


_KINDS = [
    (re.compile(r"(?i)outstanding|brought forward|matters arising|action log|previous actions"),
     ItemKind.outstanding_matters),
    (re.compile(r"(?i)minutes of the (?:last|previous)|previous minutes|last minutes"),
     ItemKind.previous_minutes),
    (re.compile(r"(?i)holding to account"), ItemKind.holding_to_account),
    (re.compile(r"(?i)hmic|inspection"), ItemKind.hmicfrs),
    (re.compile(r"(?i)^\s*a\.?o\.?b\.?\b|any other business"), ItemKind.aob),
    (re.compile(r"(?i)next meeting|date of (?:the )?next"), ItemKind.next_meeting),
]


def kind_of(title: str, level: int) -> ItemKind:
    """A standing item's kind from its title; a theme otherwise."""
    for pattern, kind in _KINDS:
        if pattern.search(title):
            return kind
    return ItemKind.other if level == 1 else ItemKind.theme


def check_minutes(draft: MinutesDraft) -> dict[str, str]:
    """What stops the draft being saved, by field."""
    errors: dict[str, str] = {}
    if draft.meeting_date is None:
        errors["meeting_date"] = "Enter the date of the meeting"
    if not any(item.title.strip() for item in draft.items):
        errors["items"] = "Mark at least one item: give it a title and its minutes"
    for index, item in enumerate(draft.items):
        if not item.title.strip() and (item.paragraphs or any(
                a.item == index for a in draft.actions)):
            errors[f"item-{index}-title"] = f"Give item {index + 1} a title"
    for index, action in enumerate(draft.actions):
        if not action.text.strip():
            errors[f"action-{index}-text"] = f"Write the words of action {index + 1}, or remove it"
    return errors


def _refuse_again(session: Session, content: bytes, again: bool) -> None:
    earlier = earlier_import(session, content)
    if earlier is not None and not again:
        raise AlreadyImported(earlier)


def _upload_row(kind: str, filename: str, content: bytes, by: Actor) -> RecordImport:
    name = clean_file_name(filename, default_stem="import")
    suffix = name.rsplit(".", 1)[-1].lower()
    return RecordImport(kind=kind, filename=name, content_type=CONTENT_TYPES.get(
        suffix, "application/octet-stream"), size_bytes=len(content), sha256=checksum(content),
        content=content, imported_by_id=by.user_id)


def hold_upload(session: Session, *, kind: str, filename: str, content: bytes,
                by: Actor) -> RecordImport:
    """Keep an uploaded file while its review page is open (nothing of it is in the record
    yet): the review form carries its id rather than the file."""
    require(by, Perm.edit_record, "Only the Commissioner's office imports old records.")
    # uploads whose review was left unsaved a day ago go as the next one comes: the files
    # are not kept for nothing
    session.execute(sa_delete(RecordImport).where(
        col(RecordImport.completed_at).is_(None),
        col(RecordImport.imported_at) < utcnow() - ABANDONED_AFTER))
    row = _upload_row(kind, filename, content, by)
    session.add(row)
    session.flush()
    return row


def held_upload(session: Session, upload_id: int, *, kind: str, by: Actor) -> RecordImport:
    """An upload waiting on its review page; NotFound otherwise (a colleague may finish an
    import another began: the office's records are shared)."""
    require(by, Perm.edit_record, "Only the Commissioner's office imports old records.")
    row = session.get(RecordImport, upload_id)
    if row is None or row.kind != kind or row.completed_at is not None:
        raise NotFound("That upload is not waiting to be imported; upload the file again.")
    return row


def _keep_file(session: Session, *, kind: str, filename: str, content: bytes, by: Actor,
               meeting_id: int | None, action_ids: list[int], summary: str,
               held: RecordImport | None = None) -> RecordImport:
    row = held or _upload_row(kind, filename, content, by)
    row.meeting_id, row.action_ids = meeting_id, ",".join(map(str, action_ids))
    row.summary, row.completed_at = summary[:500], utcnow()
    session.add(row)
    session.flush()
    audit.record(session, by=by, verb="import", object_type="record_import", object_id=row.id,
                 summary=f"{row.filename}: {summary}"[:1000])
    return row


def _raise_action(session: Session, *, action: ReadAction, owner_ids: list[int], by: Actor,
                  meeting_id: int | None, item_id: int | None, note: str) -> int:
    made = actions.create_action(session, by=by, data=ActionCreate(
        text=action.text[:10_000], owner_ids=owner_ids[:20], due_date=action.due_date,
        meeting_id=meeting_id, item_id=item_id))
    assert made.id is not None  # saved
    kept = bool(action.reference) and actions.adopt_reference(
        session, action=made, reference=action.reference)
    words = [note]
    if action.reference and not kept:
        words.append(f"its reference there was {action.reference}")
    if action.raised_text:
        words.append(f"raised {action.raised_text}")
    text = "; ".join(words) + "." + (f"\n{action.update.strip()}" if action.update.strip() else "")
    actions.add_update(session, action_id=made.id, by=by, data=ActionUpdateCreate(
        text=text[:100_000], status=action.status if action.status != "open" else None))
    return made.id


def _bring_up_to_date(session: Session, *, existing: Action, action: ReadAction, by: Actor,
                      meeting_id: int | None, item_id: int | None, note: str) -> bool:
    """An action read again from another file: the meeting that raised it, when the record
    did not know it, and the file's status and update, when they say something new. Whether
    anything changed."""
    assert existing.id is not None  # in the record
    changed = []
    if meeting_id is not None and existing.meeting_id is None:
        existing.meeting_id, existing.item_id = meeting_id, item_id
        session.add(existing)
        changed.append("the meeting that raised it")
    # "open" is what a file says when it says nothing: it never reopens an action
    status = ActionStatus(action.status) if action.status in set(ActionStatus) else None
    new_status = (status if status not in (None, ActionStatus.open) and status != existing.status
                  else None)
    words = action.update.strip()
    known = {u.text for u in actions.list_updates(session, action_id=existing.id, by=by)}
    new_words = bool(words) and not any(words in text for text in known)
    if not (new_status or new_words or changed):
        return False
    text = f"{note}: brought up to date" + (f" ({', '.join(changed)})" if changed else "") + "."
    actions.add_update(session, action_id=existing.id, by=by, data=ActionUpdateCreate(
        text=(text + (f"\n{words}" if new_words else ""))[:100_000], status=new_status))
    return True


def _owners(resolve, action: ReadAction, index: int) -> list[int]:
    ids: list[int] = []
    for label in owner_labels(action.owners):
        person_id = resolve(label)
        if person_id is not None and person_id not in ids:
            ids.append(person_id)
    if not ids:
        raise InvalidInput({f"action-{index}-owners":
                            f"Say who owns action {index + 1} ({action.owners or 'no owner'} "
                            "was not found): choose or create them under People"})
    return ids


def save_minutes(session: Session, *, draft: MinutesDraft, filename: str, content: bytes,
                 by: Actor, again: bool = False, held: RecordImport | None = None
                 ) -> RecordImport:
    """Save reviewed old minutes as an approved, imported meeting of the series, with the file
    kept; AlreadyImported when the same file was imported before, unless `again`."""
    require(by, Perm.edit_record, "Only the Commissioner's office imports old minutes.")
    errors = check_minutes(draft)
    if errors:
        raise InvalidInput(errors)
    _refuse_again(session, content, again)
    series = meetings.get_meeting_type(session, draft.series_id)
    resolve = _resolver(session, draft.people, by)
    assert draft.meeting_date is not None  # checked
    start = draft.start_time or time.fromisoformat(series.start_time or "10:00")
    meeting = meetings.create_meeting(session, by=by, furnished=False, data=MeetingCreate(
        meeting_type_id=draft.series_id,
        starts_at=london_to_utc(datetime.combine(draft.meeting_date, start)),
        venue=draft.venue[:300] or None, chair_id=resolve(draft.chair) if draft.chair else None,
        minute_taker_id=resolve(draft.minute_taker) if draft.minute_taker else None))
    assert meeting.id is not None  # saved
    meeting.imported = True
    meetings.start_meeting(session, meeting_id=meeting.id, by=by)
    item_ids: list[int | None] = []
    parents: list[tuple[int, int]] = []  # (level, item id), the open branch
    for item in draft.items:
        if not item.title.strip():
            item_ids.append(None)
            continue
        level = max(1, min(item.level, 3))
        while parents and parents[-1][0] >= level:
            parents.pop()
        made = agenda.create_item(session, meeting_id=meeting.id, by=by, data=ItemCreate(
            title=squash(item.title)[:500], kind=kind_of(item.title, level),
            parent_id=parents[-1][1] if parents else None))
        assert made.id is not None  # saved
        parents.append((level, made.id))
        item_ids.append(made.id)
        for entry in entries_of(item.paragraphs):
            speaker = resolve(entry.speaker) if entry.speaker else None
            entries.create_entry(session, item_id=made.id, by=by, data=EntryCreate(
                kind=entry.kind, text=entry.text, speaker_id=speaker))
    rows: list[AttendanceIn] = []
    for attendee in draft.attendance:
        person_id = resolve(attendee.name)
        if person_id is not None and person_id not in {r.person_id for r in rows}:
            rows.append(AttendanceIn(person_id=person_id, status=attendee.status,
                                     capacity=attendee.capacity[:300] or None))
    if rows:
        meetings.set_attendance(session, meeting_id=meeting.id, rows=rows, by=by)
    action_ids = []
    recorded = already_recorded(session, [a.reference for a in draft.actions])
    for index, action in enumerate(draft.actions):
        item_id = item_ids[action.item] if action.item is not None and \
            0 <= action.item < len(item_ids) else None
        note = f"Imported from the minutes ({filename})"
        existing = recorded.get(action.reference.strip())
        if existing is not None:
            _bring_up_to_date(session, existing=existing, action=action, by=by,
                              meeting_id=meeting.id, item_id=item_id, note=note)
            assert existing.id is not None  # in the record
            action_ids.append(existing.id)
            continue
        action_ids.append(_raise_action(
            session, action=action, owner_ids=_owners(resolve, action, index), by=by,
            meeting_id=meeting.id, item_id=item_id, note=note))
    meetings.close_meeting(session, meeting_id=meeting.id, by=by)
    approval.approve_imported(session, meeting_id=meeting.id, by=by)
    assert meeting.status == MeetingStatus.approved
    title = meetings.meeting_title(meeting, series)
    return _keep_file(session, kind=MINUTES, filename=filename, content=content, by=by,
                      meeting_id=meeting.id, action_ids=action_ids,
                      summary=f"{title}: {len(item_ids)} items, "
                      f"{_counted(len(action_ids), len(recorded))}",
                      held=held)


# --- the reviewed action log --------------------------------------------------------------


@dataclass
class ActionLogDraft:
    actions: list[ReadAction] = field(default_factory=list)
    people: dict[str, int | NewPerson | None] = field(default_factory=dict)


def check_action_log(draft: ActionLogDraft) -> dict[str, str]:
    """What stops the draft being saved, by field."""
    errors: dict[str, str] = {}
    if not draft.actions:
        errors["actions"] = "Mark at least one action: add it and copy its words from the text"
    for index, action in enumerate(draft.actions):
        if not action.text.strip():
            errors[f"action-{index}-text"] = f"Write the words of action {index + 1}, or remove it"
    return errors


def save_action_log(session: Session, *, draft: ActionLogDraft, filename: str, content: bytes,
                    by: Actor, again: bool = False, held: RecordImport | None = None
                    ) -> RecordImport:
    """Save a reviewed old action log's actions, with their references where free, statuses
    and latest updates, and keep the file; AlreadyImported for the same file, unless `again`."""
    require(by, Perm.edit_record, "Only the Commissioner's office imports action logs.")
    errors = check_action_log(draft)
    if errors:
        raise InvalidInput(errors)
    _refuse_again(session, content, again)
    resolve = _resolver(session, draft.people, by)
    recorded = already_recorded(session, [a.reference for a in draft.actions])
    note = f"Imported from the action log ({filename})"
    action_ids = []
    for index, action in enumerate(draft.actions):
        existing = recorded.get(action.reference.strip())
        if existing is not None:
            _bring_up_to_date(session, existing=existing, action=action, by=by,
                              meeting_id=None, item_id=None, note=note)
            assert existing.id is not None  # in the record
            action_ids.append(existing.id)
        else:
            action_ids.append(_raise_action(
                session, action=action, owner_ids=_owners(resolve, action, index), by=by,
                meeting_id=None, item_id=None, note=note))
    return _keep_file(session, kind=ACTIONS, filename=filename, content=content, by=by,
                      meeting_id=None, action_ids=action_ids,
                      summary=_counted(len(action_ids), len(recorded)), held=held)


def _counted(actions_read: int, recorded: int) -> str:
    return f"{actions_read} actions" + (
        f" ({recorded} already in the record, brought up to date)" if recorded else "")


def creating_everyone(found: list[NewPerson]) -> dict[str, int | NewPerson | None]:
    """The command line's choice: everyone not found is created as the file names them."""
    return {_key(p.label): p for p in found}
