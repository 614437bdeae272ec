"""Calendar invitations by email: the secretariat sends a meeting's invitees an iCalendar
REQUEST; a move or a change of time or venue sends those invited an updated REQUEST (a higher
SEQUENCE); a cancellation sends them a CANCEL. Outlook and Google Calendar show each as an
invitation (accept, decline) because the email is multipart/alternative with a
`text/calendar; method=...` part, not an attachment.

Each invitation is a Notification row, one per person per sequence of the meeting (its unique
key). The rows are recorded, pending, in the same transaction as the change that calls for
them, so a mail server that is down loses nothing: `deliver` sends pending rows after the
change is committed (the page that made the change, then the scheduler's rounds until the
server answers). A row is claimed (pending to sending) in a transaction of its own before its
email goes, so two processes never send the same one.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import (
    NOT_YET_HELD,
    Attendance,
    Meeting,
    MeetingStatus,
    MeetingType,
    Notification,
    Person,
    utcnow,
)
from app.services import dates
from app.services.common import commit_apart, get_or_404
from app.services.errors import Conflict
from app.services.mail import Mailer, MailError, TemporaryMailError, compose
from app.services.office import get_office
from app.services.permissions import Actor, Perm, require

log = logging.getLogger(__name__)

REQUEST = "invitation"  # Notification.kind of a REQUEST (a first invitation or an update)
CANCEL = "invitation_cancel"
KINDS = (REQUEST, CANCEL)
PRODID = "-//Assure//Meetings//EN"
DEFAULT_DURATION = timedelta(hours=2)  # as the calendar feed gives a meeting without an end
# Invitations are for meetings still to come (NOT_YET_HELD: planned, or the agenda issued).


def meeting_uid(meeting_id: int | None) -> str:
    """The meeting's iCalendar UID, the same in every invitation and in the calendar feeds."""
    return f"meeting-{meeting_id}@assure"


def _key(meeting: Meeting, person_id: int) -> str:
    return f"invite:meeting {meeting.id}:person {person_id}:seq {meeting.sequence}"


def _address(value: str | None) -> str:
    return (value or "").strip()


# --- who is invited -------------------------------------------------------------------------


def invitees(session: Session, meeting: Meeting) -> list[Person]:
    """Everyone invited to a meeting, in the attendance's order: its attendance rows (the
    series' invitees are copied there when the meeting is made), then the chair and the
    minute-taker if they are not listed."""
    query = (select(Person)
             .join(Attendance, col(Attendance.person_id) == Person.id)
             .where(Attendance.meeting_id == meeting.id)
             .order_by(col(Attendance.position), col(Attendance.id)))
    people = list(session.exec(query))
    seen = {p.id for p in people}
    for person_id in (meeting.chair_id, meeting.minute_taker_id):
        if person_id is not None and person_id not in seen:
            person = session.get(Person, person_id)
            if person is not None:
                people.append(person)
                seen.add(person_id)
    return people


def _rows(session: Session, meeting_id: int | None) -> list[Notification]:
    query = (select(Notification)
             .where(Notification.meeting_id == meeting_id,
                    col(Notification.kind).in_(KINDS))
             .order_by(col(Notification.id)))
    return list(session.exec(query))


def were_sent(session: Session, meeting_id: int | None) -> bool:
    """Whether invitations to this meeting have been sent (or are waiting to be)."""
    query = (select(Notification.id)
             .where(Notification.meeting_id == meeting_id, Notification.kind == REQUEST)
             .limit(1))
    return session.exec(query).first() is not None


# --- recording what is to be sent -----------------------------------------------------------


def _record(session: Session, meeting: Meeting, person_id: int | None, recipient: str,
            kind: str, subject: str, *, key: str | None = None) -> bool:
    """Add a pending invitation; False when this person already has one for this sequence
    (made now by another request: the savepoint takes the failed insert away)."""
    assert person_id is not None  # a saved person
    row = Notification(key=key or _key(meeting, person_id), kind=kind, person_id=person_id,
                       meeting_id=meeting.id, sequence=meeting.sequence, recipient=recipient,
                       subject=subject[:300], status="pending")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _subject(kind: str, title: str, meeting: Meeting, updated: bool) -> str:
    when = dates.to_london(meeting.starts_at)
    on = f"{dates.long_date(when)} at {when:%H:%M}"
    if kind == CANCEL:
        return f"Cancelled: {title}, {on}"
    return f"{'Updated invitation' if updated else 'Invitation'}: {title}, {on}"


def _title(session: Session, meeting: Meeting) -> str:
    meeting_type = session.get(MeetingType, meeting.meeting_type_id)
    name = meeting_type.name if meeting_type else "Meeting"
    return f"{name} {dates.to_london(meeting.starts_at):%B %Y}"


def queue(session: Session, meeting: Meeting, *, only_if_sent: bool = False) -> int:
    """Record the invitations the meeting's current sequence calls for, to be sent after the
    caller's transaction commits: a REQUEST to each invitee with an email address not yet sent
    this sequence, or, for a cancelled meeting, a CANCEL to everyone sent a REQUEST.
    `only_if_sent`: only when invitations to this meeting were sent before (an update).
    Older invitations still waiting are superseded. Returns how many were recorded."""
    assert meeting.id is not None  # a saved meeting
    rows = _rows(session, meeting.id)
    requested = [r for r in rows if r.kind == REQUEST]
    if only_if_sent and not requested:
        return 0
    cancelled = meeting.status == MeetingStatus.cancelled
    if not cancelled and meeting.status not in NOT_YET_HELD:
        return 0  # a meeting that has begun needs no invitation
    session.execute(update(Notification)
                    .where(col(Notification.meeting_id) == meeting.id,
                           col(Notification.kind).in_(KINDS),
                           col(Notification.status) == "pending",
                           col(Notification.sequence) < meeting.sequence)
                    .values(status="superseded"))
    # A failed invitation of these details is tried again (its address may have been put
    # right); one sent, or waiting, is not sent twice.
    session.execute(delete(Notification)
                    .where(col(Notification.meeting_id) == meeting.id,
                           col(Notification.kind).in_(KINDS),
                           col(Notification.status) == "failed",
                           col(Notification.sequence) == meeting.sequence))
    done = {r.person_id for r in rows
            if r.sequence == meeting.sequence and r.status != "failed"}
    title = _title(session, meeting)
    added = 0
    if cancelled:
        # Whoever was sent a REQUEST, at the address it went to (their calendar has it there).
        last: dict[int | None, str] = {}
        for row in requested:
            if row.status in ("sent", "sending"):
                last[row.person_id] = row.recipient
        for person_id, address in last.items():
            if person_id not in done and _record(session, meeting, person_id, address, CANCEL,
                                                 _subject(CANCEL, title, meeting, True)):
                added += 1
    else:
        before = {r.person_id for r in requested if r.sequence != meeting.sequence}
        for person in invitees(session, meeting):
            address = _address(person.email)
            if address and person.id not in done and _record(
                    session, meeting, person.id, address, REQUEST,
                    _subject(REQUEST, title, meeting, person.id in before)):
                added += 1
    session.flush()
    return added


def request_invitations(session: Session, *, meeting_id: int, by: Actor) -> int:
    """"Send calendar invitations": record a REQUEST for each invitee with an email address
    not yet sent the meeting's current details. Returns how many were recorded."""
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    require(by, Perm.edit_record, "Only the secretariat and administrators send invitations.")
    if meeting.status not in NOT_YET_HELD:
        raise Conflict("Calendar invitations are sent only for a meeting that has not taken "
                       "place or been cancelled.")
    people = invitees(session, meeting)
    if not any(_address(p.email) for p in people):
        raise Conflict("No one invited to this meeting has an email address: add their email "
                       "addresses in the people directory, or add people to the attendance.")
    return queue(session, meeting)


def queue_updates(session: Session, meeting: Meeting) -> int:
    """After a meeting moved, changed its time or venue, or was cancelled: record the updated
    invitations (or cancellations) for those invited, if invitations were sent."""
    return queue(session, meeting, only_if_sent=True)


def queue_removals(session: Session, meeting: Meeting) -> int:
    """After the attendance changed: a CANCEL for each person sent an invitation who has been
    taken off the attendance (their calendar still holds the meeting), once, at the address
    the invitation went to; an invitation still waiting for them is not sent at all. Returns
    how many cancellations were recorded."""
    if meeting.status not in NOT_YET_HELD:
        return 0  # the attendance of a meeting under way is the minutes', not the calendar's
    latest: dict[int, Notification] = {}
    for row in _rows(session, meeting.id):
        if row.status != "superseded" and row.person_id is not None:
            latest[row.person_id] = row
    listed = {p.id for p in invitees(session, meeting)}
    title = _title(session, meeting)
    added = 0
    for person_id, row in latest.items():
        if person_id in listed or row.kind != REQUEST:
            continue
        if row.status == "pending":
            row.status = "superseded"  # never sent: nothing to take back
            session.add(row)
        elif row.status in ("sent", "sending") and _record(
                session, meeting, person_id, row.recipient, CANCEL,
                _subject(CANCEL, title, meeting, True),
                key=f"{_key(meeting, person_id)}:taken off"):
            added += 1
    session.flush()
    return added


# --- the message ----------------------------------------------------------------------------


def _attendee(person: Person, address: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params["cn"] = vText(person.full_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    return attendee


def calendar_of(meeting: Meeting, *, method: str, title: str, organizer: str,
                organizer_name: str, attendees: list[tuple[Person, str]], description: str,
                stamp: datetime | None = None) -> bytes:
    """A VCALENDAR with METHOD (REQUEST or CANCEL) and the meeting's one VEVENT, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("dtstamp", (stamp or utcnow()).replace(microsecond=0))
    # In UTC: unambiguous across the change of the clocks, and every calendar shows it in its
    # own time zone.
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
    event.add("sequence", meeting.sequence)
    event.add("summary", title)
    if meeting.venue:
        event.add("location", meeting.venue)
    event.add("description", description)
    who = vCalAddress(f"mailto:{organizer}")
    who.params["cn"] = vText(organizer_name)
    event.add("organizer", who)
    for person, address in attendees:
        event.add("attendee", _attendee(person, address))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def _when_words(meeting: Meeting) -> str:
    start = dates.to_london(meeting.starts_at)
    end = dates.to_london(meeting.ends_at) if meeting.ends_at else None
    return f"{dates.long_date(start)}, {start:%H:%M}" + (f" to {end:%H:%M}" if end else "")


def compose_invitation(session: Session, row: Notification, meeting: Meeting, *,
                       mailer: Mailer, base_url: str) -> EmailMessage:
    """The email of one invitation: a plain-text part and the text/calendar part, as
    alternatives, so that calendar programs show it as an invitation."""
    office = get_office(session)
    method = "CANCEL" if row.kind == CANCEL else "REQUEST"
    title = _title(session, meeting)
    person = session.get(Person, row.person_id) if row.person_id else None
    name = person.full_name if person else ""
    taken_off = method == "CANCEL" and meeting.status != MeetingStatus.cancelled
    if taken_off:  # the meeting goes on without them: the cancellation is theirs alone
        attendees = [(person, row.recipient)] if person else []
    elif method == "CANCEL":
        sent = {r.person_id: r.recipient for r in _rows(session, meeting.id)
                if r.kind == REQUEST}
        people = {p.id: p for p in session.exec(
            select(Person).where(col(Person.id).in_(list(sent))))}
        attendees = [(people[pid], address) for pid, address in sent.items() if pid in people]
    else:
        attendees = [(p, _address(p.email)) for p in invitees(session, meeting)
                     if _address(p.email)]
    link = f"{base_url.rstrip('/')}/meetings/{meeting.id}"
    lines = [f"Dear {name or 'colleague'},", ""]
    if taken_off:
        lines += [f"You are no longer expected at the {title} on {_when_words(meeting)}.", "",
                  "Your calendar program will offer to remove it from your calendar."]
    elif method == "CANCEL":
        reason = meeting.cancelled_reason.strip()
        lines += [f"The {title} on {_when_words(meeting)} has been cancelled"
                  + (f": {reason}" if reason else "."), "",
                  "Your calendar program will offer to remove it from your calendar."]
    else:
        lines += [("The details of this meeting have changed. " if row.subject.startswith(
                      "Updated") else "") + f"You are invited to the {title}.", "",
                  f"When: {_when_words(meeting)} (UK time)",
                  f"Where: {meeting.venue or 'to be confirmed'}", "",
                  "Your calendar program will offer to accept or decline it."]
    lines += ["", f"The meeting in Assure: {link}", "", office.office_name]
    body = "\n".join(lines) + "\n"
    description = f"{title}\n\nThe meeting in Assure: {link}"
    ics = calendar_of(meeting, method=method, title=f"Cancelled: {title}"
                      if method == "CANCEL" and not taken_off else title,
                      organizer=mailer.sender, organizer_name=office.office_name,
                      attendees=attendees, description=description)
    message = compose(sender=mailer.sender, to=row.recipient, subject=row.subject, body=body,
                      headers={"X-Assure-Notification": row.key,
                               "Content-Class": "urn:content-classes:calendarmessage"})
    message.add_alternative(ics.decode("utf-8"), subtype="calendar",
                            params={"method": method})
    return message


# --- sending --------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one round of sending did."""

    sent: int = 0
    cancellations: int = 0  # of those sent, the CANCELs
    waiting: int = 0  # not sent now; sent when the mail server answers
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim_pending(session: Session, row_id: int) -> bool:
    """Take a pending email, an invitation or one to the public (pending to sending), in a
    transaction of its own; False when another process took it first."""
    taken = session.execute(update(Notification)
                            .where(col(Notification.id) == row_id,
                                   col(Notification.status) == "pending")
                            .values(status="sending"))
    commit_apart(session)
    return getattr(taken, "rowcount", 0) == 1


def set_row(session: Session, row_id: int, **values) -> None:
    """Change a notification row, in a transaction of its own."""
    session.rollback()
    session.execute(update(Notification).where(col(Notification.id) == row_id).values(**values))
    commit_apart(session)


def send_pending(session: Session, *, kinds: tuple[str, ...], only: Any = None,
                 mailer: Mailer, compose: Callable[[Notification], EmailMessage | None],
                 what: Callable[[Notification], str], stop_at_first_wait: bool,
                 report: Delivery) -> list[Notification]:
    """Send the pending emails of these kinds (invitations, or emails to the public; `only`
    those meeting an SQL condition), each once. The caller's change is committed first, so
    that it stands whatever the mail server does. Each email is claimed in a transaction of
    its own, `compose`d (None: no longer wanted, "superseded") and sent holding no
    transaction. An answer that may pass (the server is down) leaves it pending for the next
    round and, with `stop_at_first_wait`, the rest too, so that a page does not wait for the
    server's time-out once per email; any other refusal by the server is recorded on its row.
    `what` names an email in the log. The rows sent are returned."""
    commit_apart(session)  # the change and its emails are kept before any email goes
    query = (select(Notification.id)
             .where(col(Notification.kind).in_(kinds), Notification.status == "pending")
             .order_by(col(Notification.id)))
    if only is not None:
        query = query.where(only)
    ids = [i for i in session.exec(query) if i is not None]
    commit_apart(session)
    sent: list[Notification] = []
    for index, row_id in enumerate(ids):
        if not claim_pending(session, row_id):
            continue
        row = session.get(Notification, row_id)
        assert row is not None  # just claimed
        try:
            message = compose(row)
            if message is None:
                set_row(session, row_id, status="superseded")
                continue
            commit_apart(session)  # hold no transaction (nor SQLite's lock) while mail is sent
            mailer.send(message)
        except TemporaryMailError as exc:
            set_row(session, row_id, status="pending")
            log.warning("%s not sent, to be tried again: %s", what(row), exc)
            if stop_at_first_wait:
                report.waiting += len(ids) - index
                break
            report.waiting += 1
        except MailError as exc:
            set_row(session, row_id, status="failed", error=str(exc)[:4000])
            report.failed += 1
            report.errors.append(f"{what(row)}: {exc}")
            log.warning("%s not sent: %s", what(row), exc)
        except Exception:
            # A fault here or in the database, not the mail server's answer: the email waits
            # for the next round rather than being lost.
            log.exception("%s not sent, to be tried again", what(row))
            set_row(session, row_id, status="pending")
            report.waiting += len(ids) - index
            break
        else:
            set_row(session, row_id, status="sent", sent_at=utcnow())
            report.sent += 1
            sent.append(row)
    return sent


def deliver(session: Session, *, mailer: Mailer, base_url: str,
            meeting_id: int | None = None, stop_at_first_wait: bool = True) -> Delivery:
    """Send the pending invitations (of one meeting, or all), each once. The caller's change
    is committed first, so that it stands whatever the mail server does. At the first answer
    that may pass (the server is down) the rest wait for the next round, so that a page does
    not wait for the server's time-out once per invitee; a round of the scheduler tries each
    (`stop_at_first_wait=False`), so that one address the server puts off holds up no other."""
    def message_for(row: Notification) -> EmailMessage | None:
        meeting = session.get(Meeting, row.meeting_id) if row.meeting_id else None
        if meeting is None or (row.sequence or 0) < meeting.sequence:
            return None  # the meeting changed again since: a later invitation replaces it
        return compose_invitation(session, row, meeting, mailer=mailer, base_url=base_url)

    report = Delivery()
    only = Notification.meeting_id == meeting_id if meeting_id is not None else None
    sent = send_pending(session, kinds=KINDS, only=only, mailer=mailer, compose=message_for,
                        report=report,
                        what=lambda row: f"Invitation {row.key} to {row.recipient}",
                        stop_at_first_wait=stop_at_first_wait)
    report.cancellations = sum(row.kind == CANCEL for row in sent)
    return report


# --- what the meeting page shows ------------------------------------------------------------


@dataclass
class InviteeState:
    """One invitee and where their invitation stands, in the office's words."""

    name: str
    email: str
    state: str
    current: bool  # sent (or cancelled) at the meeting's current details


@dataclass
class Overview:
    """The meeting page's calendar invitations section."""

    rows: list[InviteeState]
    sent_any: bool
    to_send: int  # invitees with an email address not yet sent the current details
    waiting: int


def overview(session: Session, meeting: Meeting) -> Overview:
    """Who is invited and whether each has been sent the meeting's current invitation."""
    rows = _rows(session, meeting.id)
    latest: dict[int | None, Notification] = {}
    first: dict[int | None, int] = {}  # the sequence each person was first sent
    for row in rows:
        if row.status != "superseded":
            latest[row.person_id] = row
            first.setdefault(row.person_id, row.sequence or 0)
    people = invitees(session, meeting)
    listed = {p.id for p in people}
    # Someone invited, then taken off the attendance, still shows (they have the meeting).
    gone = [pid for pid in latest if pid not in listed and pid is not None]
    if gone:
        people += list(session.exec(select(Person).where(col(Person.id).in_(gone))))
    states: list[InviteeState] = []
    to_send = waiting = 0
    for person in people:
        address = _address(person.email)
        last = latest.get(person.id)
        current = last is not None and last.sequence == meeting.sequence
        if last is None:
            if not address:
                state = "No email address: not invited"
            else:
                state = "Not sent yet"
                to_send += meeting.status in NOT_YET_HELD
        elif not current:
            state = "Not sent the latest details"
            to_send += bool(address) and meeting.status in NOT_YET_HELD
        elif last.status in ("pending", "sending"):
            state = ("Cancellation waiting" if last.kind == CANCEL else "Waiting") + \
                " for the mail server"
            waiting += 1
        elif last.status == "failed":
            state = f"Could not be sent: {last.error}"
            to_send += bool(address) and meeting.status in NOT_YET_HELD
        else:
            sent_at = dates.to_london(last.sent_at or last.created_at)
            what = "Cancellation sent" if last.kind == CANCEL else (
                "Updated invitation sent" if (last.sequence or 0) > first[person.id]
                else "Invitation sent")
            state = f"{what} {dates.short_date(sent_at.date())} at {sent_at:%H:%M}"
        states.append(InviteeState(name=person.full_name, email=address, state=state,
                                   current=current))
    return Overview(rows=states, sent_any=any(r.kind == REQUEST for r in rows),
                    to_send=to_send, waiting=waiting)


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def delivery_words(report: Delivery) -> str:
    """A sentence for the page after sending: what went, and what waits."""
    words = []
    requests = report.sent - report.cancellations
    if requests:
        words.append(f"Calendar invitations have been sent to {_people(requests)}.")
    if report.cancellations:
        words.append(f"Calendar cancellations have been sent to "
                     f"{_people(report.cancellations)}.")
    if report.waiting:
        words.append(f"{report.waiting} calendar email{'' if report.waiting == 1 else 's'} "
                     "will be sent when the mail server answers.")
    if report.failed:
        words.append(f"{report.failed} could not be sent: see the meeting's calendar "
                     "invitations.")
    return " ".join(words)
