"""Calendar invitations by email: the REQUEST Outlook and Google Calendar show as an invitation,
the update when the meeting moves, the CANCEL when it is cancelled, each once, and none lost
when the mail server is down."""

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlmodel import select

from app import db
from app.models import AttendanceStatus, Meeting, Notification, Role
from app.schemas import AttendanceIn, MeetingUpdate
from app.services import invites, meetings, scheduler
from app.services.errors import Conflict, Forbidden
from app.services.mail import OutboxMailer, TemporaryMailError
from app.services.permissions import Actor
from tests.factories import SYSTEM, committed, make_meeting, make_person

BASE = "https://assure.opcc.example"
SENDER = "opcc@westmercia.example"
SUMMER = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
WINTER = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)


@pytest.fixture
def outbox(tmp_path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def mailer(outbox) -> OutboxMailer:
    return OutboxMailer(outbox, sender=SENDER)


class DownMailer:
    """A mail server that does not answer."""

    sender = SENDER

    def __init__(self) -> None:
        self.tries = 0

    def send(self, message: EmailMessage) -> None:
        self.tries += 1
        raise TemporaryMailError("could not reach smtp://mail.example:25: refused")

    def describe(self) -> str:
        return "a mail server that is down"


def read_outbox(outbox: Path) -> list[EmailMessage]:
    if not outbox.exists():
        return []
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in sorted(outbox.glob("*.eml"))]


def calendar_part(message: EmailMessage) -> EmailMessage:
    [part] = [p for p in message.iter_parts() if p.get_content_type() == "text/calendar"]
    return part


def event_of(message: EmailMessage):
    calendar = Calendar.from_ical(calendar_part(message).get_content())
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def meeting(session):
    """A meeting in July (BST) with a chair, a CC with an email, and a DCC without one."""
    chair = make_person(session, full_name="John Campion", initials="JC",
                        role_abbreviation="PCC", email="pcc@opcc.example")
    cc = make_person(session, full_name="Pippa Mills", initials="PM", role_abbreviation="CC",
                     email="chief.constable@force.example")
    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB",
                      role_abbreviation="DCC")
    made = make_meeting(session, starts_at=SUMMER, ends_at=SUMMER.replace(hour=11),
                        venue="Room 1.38, Hindlip Hall", chair_id=chair.id)
    meetings.set_attendance(session, meeting_id=made.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=p.id, status=AttendanceStatus.expected) for p in (chair, cc, dcc)])
    return committed(session, made)


def send(session, meeting_id, mailer):
    """The secretariat presses "Send calendar invitations"; then they are delivered."""
    added = committed(session, invites.request_invitations(session, meeting_id=meeting_id,
                                                           by=SYSTEM))
    return added, invites.deliver(session, mailer=mailer, base_url=BASE, meeting_id=meeting_id)


def test_an_invitation_is_a_calendar_request_each_invitee_with_an_email_gets(
        session, meeting, mailer, outbox):
    added, report = send(session, meeting.id, mailer)
    assert (added, report.sent, report.waiting, report.failed) == (2, 2, 0, 0)
    messages = read_outbox(outbox)
    assert sorted(m["To"] for m in messages) == ["chief.constable@force.example",
                                                 "pcc@opcc.example"]
    message = messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain",
                                                                    "text/calendar"]
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    # (Python folds a long subject onto its own line, so it reads back with a space first.)
    subject = str(message["Subject"]).strip()
    assert subject == "Invitation: Accountability Board July 2026, Tuesday 14 July 2026 at 10:00"
    text = message.get_body(("plain",)).get_content()
    assert "Tuesday 14 July 2026, 10:00 to 12:00" in text
    assert "Room 1.38, Hindlip Hall" in text

    calendar, event = event_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting.id}@assure"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Accountability Board July 2026"
    assert str(event["LOCATION"]) == "Room 1.38, Hindlip Hall"
    assert event.decoded("DTSTART") == SUMMER  # 10:00 BST is 09:00 UTC
    assert event.decoded("DTEND") == SUMMER.replace(hour=11)  # 12:00 BST
    assert "DTSTAMP" in event
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == ["mailto:chief.constable@force.example",
                                                 "mailto:pcc@opcc.example"]
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
    assert {a.params["CN"] for a in attendees} == {"John Campion", "Pippa Mills"}


def test_a_move_sends_an_update_and_a_cancellation_a_cancel_with_the_same_uid(
        session, meeting, mailer, outbox):
    send(session, meeting.id, mailer)
    committed(session, meetings.move_meeting(session, meeting_id=meeting.id, starts_at=WINTER,
                                             by=SYSTEM))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 2
    committed(session, meetings.cancel_meeting(session, meeting_id=meeting.id,
                                               reason="The chair is ill.", by=SYSTEM))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 2

    to_cc = [m for m in read_outbox(outbox) if m["To"] == "chief.constable@force.example"]
    assert [calendar_part(m).get_param("method") for m in to_cc] == ["REQUEST", "REQUEST",
                                                                     "CANCEL"]
    events = [event_of(m) for m in to_cc]
    assert [str(c["METHOD"]) for c, _ in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [e["SEQUENCE"] for _, e in events] == [0, 1, 2]
    assert {str(e["UID"]) for _, e in events} == {f"meeting-{meeting.id}@assure"}
    moved = events[1][1]
    assert moved.decoded("DTSTART") == WINTER  # 10:00 GMT is 10:00 UTC
    assert moved.decoded("DTEND") == WINTER.replace(hour=12)
    assert str(to_cc[1]["Subject"]).strip().startswith("Updated invitation: ")
    cancel = events[2][1]
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(to_cc[2]["Subject"]).strip().startswith("Cancelled: ")
    assert "The chair is ill." in to_cc[2].get_body(("plain",)).get_content()
    assert [str(a) for a in cancel["ATTENDEE"]] != []


def test_a_change_of_venue_sends_the_update_but_a_change_of_marking_does_not(
        session, meeting, mailer, outbox):
    send(session, meeting.id, mailer)
    committed(session, meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                                               data=MeetingUpdate(marking="OFFICIAL-SENSITIVE")))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 0
    committed(session, meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                                               data=MeetingUpdate(venue="Room 2")))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 2
    _, event = event_of(read_outbox(outbox)[-1])
    assert (str(event["LOCATION"]), event["SEQUENCE"]) == ("Room 2", 1)


def test_nothing_is_sent_on_a_move_or_cancellation_if_invitations_never_were(
        session, meeting, mailer, outbox):
    committed(session, meetings.move_meeting(session, meeting_id=meeting.id, starts_at=WINTER,
                                             by=SYSTEM))
    committed(session, meetings.cancel_meeting(session, meeting_id=meeting.id, reason="Ill",
                                               by=SYSTEM))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 0
    assert read_outbox(outbox) == []


def test_each_invitation_goes_once_and_a_new_invitee_gets_theirs(session, meeting, mailer,
                                                                outbox):
    send(session, meeting.id, mailer)
    added, report = send(session, meeting.id, mailer)
    assert (added, report.sent) == (0, 0)
    late = make_person(session, full_name="Helen Wright", initials="HW",
                       email="helen.wright@opcc.example")
    rows = [AttendanceIn(person_id=a.person_id, status=a.status)
            for a, _ in meetings.list_attendance(session, meeting.id)]
    committed(session, meetings.set_attendance(
        session, meeting_id=meeting.id, by=SYSTEM,
        rows=[*rows, AttendanceIn(person_id=late.id, status=AttendanceStatus.expected)]))
    added, report = send(session, meeting.id, mailer)
    assert (added, report.sent) == (1, 1)
    assert read_outbox(outbox)[-1]["To"] == "helen.wright@opcc.example"
    assert len(read_outbox(outbox)) == 3


def test_a_mail_server_that_is_down_loses_nothing(session, meeting, mailer, outbox):
    down = DownMailer()
    added, report = send(session, meeting.id, down)
    assert (added, report.sent, report.waiting) == (2, 0, 2)
    assert down.tries == 1  # it stops at the first refusal; the rest wait
    session.expire_all()
    statuses = session.exec(select(Notification.status)
                            .where(Notification.meeting_id == meeting.id)).all()
    assert statuses == ["pending", "pending"]
    view = invites.overview(session, meeting)
    assert view.waiting == 2
    # The next round, with the server back, sends them.
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 2
    assert len(read_outbox(outbox)) == 2


def test_an_invitation_still_waiting_when_the_meeting_moves_is_replaced_by_the_update(
        session, meeting, mailer, outbox):
    send(session, meeting.id, DownMailer())
    committed(session, meetings.move_meeting(session, meeting_id=meeting.id, starts_at=WINTER,
                                             by=SYSTEM))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 2
    messages = read_outbox(outbox)
    assert [event_of(m)[1]["SEQUENCE"] for m in messages] == [1, 1]
    assert all(event_of(m)[1].decoded("DTSTART") == WINTER for m in messages)


def test_a_cancellation_goes_only_to_those_who_were_sent_the_invitation(session, meeting,
                                                                       mailer, outbox):
    send(session, meeting.id, DownMailer())  # never sent
    committed(session, meetings.cancel_meeting(session, meeting_id=meeting.id, reason="Ill",
                                               by=SYSTEM))
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 0
    assert read_outbox(outbox) == []


def test_the_overview_names_who_has_no_email_address(session, meeting, mailer):
    before = invites.overview(session, meeting)
    assert [(r.name, r.state) for r in before.rows] == [
        ("John Campion", "Not sent yet"), ("Pippa Mills", "Not sent yet"),
        ("Amanda Blakeman", "No email address: not invited")]
    assert (before.to_send, before.sent_any) == (2, False)
    send(session, meeting.id, mailer)
    after = invites.overview(session, meeting)
    assert after.rows[0].state.startswith("Invitation sent ")
    assert (after.to_send, after.sent_any) == (0, True)


@pytest.mark.parametrize("role", [Role.force, Role.viewer, Role.chair])
def test_only_the_secretariat_and_admins_send_invitations(session, meeting, role):
    with pytest.raises(Forbidden):
        invites.request_invitations(session, meeting_id=meeting.id, by=Actor(role=role))
    assert session.exec(select(Notification)).all() == []


def test_no_invitations_for_a_meeting_held_or_without_email_addresses(session):
    nobody = make_person(session, full_name="No Email", initials="NE")
    meeting = make_meeting(session, starts_at=SUMMER, chair_id=nobody.id)
    with pytest.raises(Conflict, match="No one invited to this meeting has an email"):
        invites.request_invitations(session, meeting_id=meeting.id, by=SYSTEM)
    held = make_meeting(session, starts_at=SUMMER, chair_id=make_person(
        session, full_name="Has Email", initials="HE", email="he@opcc.example").id)
    committed(session, meetings.start_meeting(session, meeting_id=held.id, by=SYSTEM))
    with pytest.raises(Conflict, match="not taken place"):
        invites.request_invitations(session, meeting_id=held.id, by=SYSTEM)
    assert session.get(Meeting, held.id).sequence == 0


def test_a_round_of_the_scheduler_tries_every_waiting_invitation(session, meeting):
    send(session, meeting.id, DownMailer())
    down = DownMailer()
    report = invites.deliver(session, mailer=down, base_url=BASE, stop_at_first_wait=False)
    assert (down.tries, report.waiting, report.sent) == (2, 2, 0)


@pytest.fixture
def scheduler_settings(separate_connections, engine, outbox):
    settings = SimpleNamespace(
        database_url=engine.url.render_as_string(hide_password=False), smtp_url="",
        outbox_dir=outbox, mail_from=SENDER, smtp_timeout_seconds=5, base_url=BASE)
    yield settings
    made = db._engines.pop(settings.database_url, None)
    if made is not None:
        made.dispose()


def test_the_scheduler_sends_the_invitations_the_mail_server_was_down_for(
        session, meeting, outbox, scheduler_settings):
    send(session, meeting.id, DownMailer())
    session.commit()
    scheduler.run_once(scheduler_settings)
    assert sorted(m["To"] for m in read_outbox(outbox)) == ["chief.constable@force.example",
                                                            "pcc@opcc.example"]
    scheduler.run_once(scheduler_settings)
    assert len(read_outbox(outbox)) == 2


def _attendance_without(session, meeting, name: str) -> None:
    """The secretariat takes `name` off the meeting's attendance."""
    rows = [AttendanceIn(person_id=a.person_id, status=a.status)
            for a, person in meetings.list_attendance(session, meeting.id)
            if person.full_name != name]
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM,
                                               rows=rows))


def test_someone_taken_off_the_attendance_is_sent_a_cancellation_of_their_own(
        session, meeting, mailer, outbox):
    send(session, meeting.id, mailer)
    _attendance_without(session, meeting, "Pippa Mills")
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 1
    cancellation = read_outbox(outbox)[-1]
    assert cancellation["To"] == "chief.constable@force.example"
    assert calendar_part(cancellation).get_param("method") == "CANCEL"
    calendar, event = event_of(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == f"meeting-{meeting.id}@assure"
    assert str(event["ATTENDEE"]) == "mailto:chief.constable@force.example"  # theirs alone
    assert str(event["SUMMARY"]) == "Accountability Board July 2026"  # the meeting goes on
    assert "no longer expected" in cancellation.get_body(("plain",)).get_content()
    states = {row.name: row.state for row in invites.overview(session, meeting).rows}
    assert states["Pippa Mills"].startswith("Cancellation sent")
    assert states["John Campion"].startswith("Invitation sent")
    # Saving the attendance again sends nothing more.
    _attendance_without(session, meeting, "Pippa Mills")
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 0
    assert len(read_outbox(outbox)) == 3


def test_an_invitation_never_sent_to_someone_taken_off_is_not_sent(session, meeting, mailer,
                                                                   outbox):
    send(session, meeting.id, DownMailer())  # both wait for the mail server
    _attendance_without(session, meeting, "Pippa Mills")
    assert invites.deliver(session, mailer=mailer, base_url=BASE).sent == 1
    assert [m["To"] for m in read_outbox(outbox)] == ["pcc@opcc.example"]
