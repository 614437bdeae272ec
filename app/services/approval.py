"""The record's life: draft, submitted to the chair, approved, published; then amendments.

Draft minutes are submitted to the chair by the secretariat. They are approved either by the
chair, once submitted, or at a later meeting, whose "minutes of the last meeting" item then
records that "The minutes were agreed as an accurate record". Approved minutes are locked
(`meetings.ensure_minutes_editable`): they change only by amendment, which keeps the original
text and a reason, and which both editions of the minutes show.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    EntryKind,
    ItemKind,
    Meeting,
    MeetingStatus,
    MinuteAmendment,
    MinuteEntry,
    MinuteEntryRevision,
    User,
    utcnow,
)
from app.schemas import EntryCreate, ItemCreate
from app.services import audit
from app.services.agenda import agenda_tree, create_item, flatten, get_item, node_for
from app.services.common import get_or_404
from app.services.dates import short_date, to_london
from app.services.entries import create_entry
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.identity import display_name
from app.services.meetings import (
    LOCKED_STATUSES,
    get_meeting,
    meeting_title,
    meeting_type_of,
)
from app.services.permissions import Actor, Perm, require
from app.services.redaction import check_reason
from app.services.text import clean_text
from app.services.visibility import sees_exempt

AGREED = "The minutes were agreed as an accurate record."
PREVIOUS_MINUTES_TITLE = "Minutes of the last meeting"
# Minutes still being written: they may be submitted or approved.
OPEN_STATUSES = (MeetingStatus.in_progress, MeetingStatus.draft)
MAX_REASON = 2000


NOT_SUBMITTED = "The secretariat has not submitted these minutes for approval yet."


def awaiting_approval(meeting: Meeting) -> bool:
    """Whether the secretariat has submitted the draft minutes, so the chair may approve."""
    return meeting.status == MeetingStatus.draft and meeting.submitted_at is not None


def ensure_submitted(meeting: Meeting) -> None:
    """Refuse the chair's approval of minutes the secretariat has not submitted: the chair
    would be approving a draft still being written."""
    if not awaiting_approval(meeting):
        raise Conflict(NOT_SUBMITTED)


def _approvable(meeting: Meeting) -> None:
    if meeting.status in LOCKED_STATUSES:
        raise Conflict(f"These minutes are already {meeting.status}.")
    if meeting.status not in OPEN_STATUSES:
        raise Conflict(
            f"Only draft minutes can be submitted or approved; this meeting is "
            f"{str(meeting.status).replace('_', ' ')}."
        )


def submit_to_chair(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """The secretariat sends the draft minutes to the chair for approval."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat submits minutes to the chair.")
    _approvable(meeting)
    meeting.status = MeetingStatus.draft
    meeting.submitted_at, meeting.submitted_by_id = utcnow(), by.user_id
    meeting.updated_at = utcnow()
    audit.record(session, by=by, verb="submit", object_type="meeting", object_id=meeting.id,
                 summary="minutes submitted to the chair")
    session.flush()
    return meeting


def _approve(meeting: Meeting, by: Actor) -> None:
    meeting.status = MeetingStatus.approved
    meeting.approved_at, meeting.approved_by_id = utcnow(), by.user_id
    meeting.updated_at = utcnow()


def approve_by_chair(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """The chair approves the draft minutes; from now on they change only by amendment."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.approve_minutes, "Only the chair approves minutes.")
    _approvable(meeting)
    ensure_submitted(meeting)
    _approve(meeting, by)
    audit.record(session, by=by, verb="approve", object_type="meeting", object_id=meeting.id,
                 summary="minutes approved by the chair")
    session.flush()
    return meeting


def approve_imported(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """Approve the draft minutes of a meeting read from an old document: they were approved
    when they were taken, before Assure, and the import records that; from now on they change
    only by amendment, as any approved minutes."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat imports old minutes.")
    if meeting.status != MeetingStatus.draft or not meeting.imported:
        raise Conflict("Only the draft minutes of an imported meeting are approved on import.")
    _approve(meeting, by)
    audit.record(session, by=by, verb="approve", object_type="meeting", object_id=meeting.id,
                 summary="imported minutes: approved before they came into Assure")
    session.flush()
    return meeting


def _previous_minutes_item(session: Session, meeting: Meeting, by: Actor) -> AgendaItem:
    """The later meeting's "minutes of the last meeting" item, added if its agenda has none."""
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                     AgendaItem.kind == ItemKind.previous_minutes)
    item = session.exec(query.order_by(col(AgendaItem.parent_id).is_not(None),
                                       col(AgendaItem.position), col(AgendaItem.id))).first()
    if item is not None:
        return item
    assert meeting.id is not None  # a saved meeting
    return create_item(session, meeting_id=meeting.id, by=by, data=ItemCreate(
        title=PREVIOUS_MINUTES_TITLE, kind=ItemKind.previous_minutes, position=1))


def approve_at_meeting(session: Session, *, meeting_id: int, at_meeting_id: int,
                       by: Actor) -> Meeting:
    """Record that a later meeting agreed these minutes: its "minutes of the last meeting"
    item says so, and these minutes are approved."""
    meeting = get_meeting(session, meeting_id)
    # Minuting what a meeting agreed is the minute-taker's work, so it is the secretariat's.
    require(by, Perm.edit_record, "The secretariat records approval at a later meeting.")
    # No submission first: submitting is the secretariat handing its draft to the chair, and
    # here the secretariat itself records that the meeting agreed the draft it circulated.
    _approvable(meeting)
    errors: dict[str, str] = {}
    later = session.get(Meeting, at_meeting_id)
    if later is None:
        errors["at_meeting_id"] = f"there is no meeting with id {at_meeting_id}"
    elif later.starts_at <= meeting.starts_at:
        errors["at_meeting_id"] = "choose a meeting held after this one"
    elif later.status in LOCKED_STATUSES:
        errors["at_meeting_id"] = "the minutes of that meeting are already approved"
    elif later.status == MeetingStatus.cancelled:
        errors["at_meeting_id"] = "that meeting was cancelled"
    if errors:
        raise InvalidInput(errors)
    assert later is not None  # a missing meeting is an error above
    item = _previous_minutes_item(session, later, by)
    assert item.id is not None  # a saved item
    create_entry(session, item_id=item.id, by=by,
                 data=EntryCreate(kind=EntryKind.decision, text=AGREED))
    _approve(meeting, by)
    meeting.approved_at_meeting_id = later.id
    audit.record(session, by=by, verb="approve", object_type="meeting", object_id=meeting.id,
                 summary=f"minutes agreed at meeting {later.id} "
                         f"({meeting_title(later, meeting_type_of(session, later))})")
    session.flush()
    return meeting


# --- amendments ---------------------------------------------------------------------------


def amend_entry(session: Session, *, entry_id: int, reason: str, text: str | None = None,
                exempt: bool | None = None, exempt_reason: str | None = None,
                by: Actor) -> MinuteAmendment:
    """Change an entry of approved minutes. The reason is required; the text it replaces is
    kept with the amendment and in the entry's revisions."""
    entry = get_or_404(session, MinuteEntry, entry_id, "minute entry")
    if entry.deleted_at is not None:
        raise NotFound(f"There is no minute entry with id {entry_id}.")
    item = get_item(session, entry.item_id)
    meeting = get_meeting(session, item.meeting_id)
    if not by.sees_exempt and (entry.exempt or node_for(session, item).exempt):
        raise NotFound(f"There is no minute entry with id {entry_id}.")
    require(by, Perm.edit_record, "Only the secretariat amends approved minutes.")
    if meeting.status not in LOCKED_STATUSES:
        raise Conflict("These minutes are not approved yet: edit the entry itself.")
    errors: dict[str, str] = {}
    # Given text, _clean gives text back.
    reason, text = cast(str, _clean("reason", reason or "", errors)), _clean("text", text, errors)
    reason = reason.strip()
    if errors:
        pass
    elif not reason:
        errors["reason"] = "say why the approved minutes are amended"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"the reason must be {MAX_REASON} characters or fewer"
    new_text = entry.text if text is None else text.strip()
    if text is not None and not new_text and "text" not in errors:
        errors["text"] = "an amended entry cannot be empty; make it exempt instead"
    new_exempt = entry.exempt if exempt is None else exempt
    new_exempt_reason = entry.exempt_reason if exempt_reason is None else exempt_reason.strip()
    if new_exempt and new_exempt != entry.exempt:
        try:
            check_reason(True, new_exempt_reason)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if not new_exempt:
        new_exempt_reason = ""
    if not errors and (new_text, new_exempt, new_exempt_reason) == (
            entry.text, entry.exempt, entry.exempt_reason):
        errors["text"] = "the amendment changes nothing"
    if errors:
        raise InvalidInput(errors)
    assert meeting.id is not None and entry.id is not None  # loaded from the database
    amendment = MinuteAmendment(
        meeting_id=meeting.id, entry_id=entry.id, reason=reason,
        original_text=entry.text, amended_text=new_text,
        original_exempt=entry.exempt, amended_exempt=new_exempt,
        entry_version=entry.version + 1, amended_by_id=by.user_id,
    )
    entry.text, entry.exempt, entry.exempt_reason = new_text, new_exempt, new_exempt_reason
    entry.version += 1
    entry.updated_at = amendment.amended_at = utcnow()
    session.add(amendment)
    session.add(MinuteEntryRevision(
        entry_id=entry.id, version=entry.version, kind=entry.kind, speaker_id=entry.speaker_id,
        text=entry.text, exempt=entry.exempt, assurance_level=entry.assurance_level,
        saved_at=entry.updated_at, saved_by_id=by.user_id,
    ))
    session.flush()
    audit.record(session, by=by, verb="amend", object_type="minute_entry", object_id=entry.id,
                 summary=f"meeting {meeting.id}, version {entry.version}: {reason[:300]}")
    session.flush()
    return amendment


def _clean(field: str, value: str | None, errors: dict[str, str]) -> str | None:
    """Typed text without control characters (which the database would refuse)."""
    if value is None:
        return None
    try:
        return clean_text(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return ""


@dataclass
class AmendmentView:
    """An amendment as the meeting page lists it."""

    amendment: MinuteAmendment
    item_number: str
    item_title: str
    by: str  # who made it ("" for readers outside the office)
    exempt: bool  # the entry is (now, or was) exempt: only readers of exempt material see it
    # What the entry said before, and whether it was made exempt or public: the office's own.
    shows_original: bool = False

    @property
    def amended_on(self) -> datetime:
        return self.amendment.amended_at


def amendment_note(amendment: MinuteAmendment) -> str:
    """"Amended on 12 June 2019: <reason>"."""
    return f"Amended on {short_date(to_london(amendment.amended_at).date())}: {amendment.reason}"


def amendments_of(session: Session, *, meeting_id: int, by: Actor) -> list[AmendmentView]:
    """The amendments to a meeting's approved minutes, oldest first, as this reader may see
    them."""
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    rows = session.exec(
        select(MinuteAmendment, MinuteEntry)
        .join(MinuteEntry, col(MinuteEntry.id) == MinuteAmendment.entry_id)
        .where(MinuteAmendment.meeting_id == meeting.id)
        .order_by(col(MinuteAmendment.amended_at), col(MinuteAmendment.id))
    ).all()
    users = {u.id: u for u in session.exec(select(User))} if rows else {}
    nodes = {n.item.id: n for n in flatten(agenda_tree(session, meeting.id))} if rows else {}
    views = []
    for amendment, entry in rows:
        node = nodes[entry.item_id]
        exempt = node.exempt or entry.exempt
        office = sees_exempt(by)
        if exempt and not office:
            continue
        author = users.get(amendment.amended_by_id)
        who = (display_name(session, author) if author else "the system") if office else ""
        views.append(AmendmentView(
            amendment=amendment, item_number=node.number, item_title=node.item.title,
            by=who, exempt=exempt, shows_original=office,
        ))
    return views
