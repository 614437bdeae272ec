"""Calendar invitations from the meeting's page: the secretariat sends them, a move through the
page sends the update and a cancellation the CANCEL; a mail server that is down never fails
the page nor loses the change; readers may not send them."""

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import unquote

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.config import get_settings
from app.models import AttendanceStatus, Meeting, MeetingStatus, Notification, Role
from app.schemas import AttendanceIn
from app.services import meetings
from tests.factories import (
    SYSTEM,
    CommittingClient,
    committed,
    make_meeting,
    make_person,
    make_user,
)
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
START = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("ASSURE_OUTBOX_DIR", str(folder))
    monkeypatch.setenv("ASSURE_MAIL_FROM", "opcc@westmercia.example")
    monkeypatch.delenv("ASSURE_SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def mails(outbox: Path):
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def event_of(message):
    [part] = [p for p in message.iter_parts() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def sign_in(client, session, role: Role):
    user, _ = make_user(session, role, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def notice_of(response) -> str:
    return unquote(response.headers["location"].partition("notice=")[2])


@pytest.fixture
def meeting(session):
    chair = make_person(session, full_name="John Campion", initials="JC",
                        email="pcc@opcc.example")
    cc = make_person(session, full_name="Pippa Mills", initials="PM",
                     email="chief.constable@force.example")
    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB")
    made = make_meeting(session, starts_at=START, venue="Room 1.38", chair_id=chair.id)
    meetings.set_attendance(session, meeting_id=made.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=p.id, status=AttendanceStatus.expected) for p in (chair, cc, dcc)])
    return committed(session, made)


def test_the_secretariat_sends_invitations_then_a_move_and_a_cancellation_follow(
        client, session, meeting, outbox):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Calendar invitations" in page and "Send calendar invitations" in page
    assert "No email address: not invited" in page
    response = client.post(f"/meetings/{meeting.id}/invitations",
                           data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303, response.text
    assert notice_of(response) == "Calendar invitations have been sent to 2 people."
    assert [event_of(m)[0] for m in mails(outbox)] == ["REQUEST", "REQUEST"]
    page = client.get(response.headers["location"]).text
    assert "Calendar invitations have been sent to 2 people." in page
    assert "Invitation sent " in page
    assert "Send calendar invitations" not in page  # everyone has the current details

    move_form = client.get(f"/meetings/{meeting.id}/move").text
    assert "Attendees will be sent an updated calendar invitation." in move_form
    response = client.post(f"/meetings/{meeting.id}/move", data={
        "date-day": "3", "date-month": "11", "date-year": "2026", "start_time": "10:00",
        "csrf_token": csrf_of(move_form)})
    assert response.status_code == 303, response.text
    assert notice_of(response) == ("The meeting has been moved to 3 November 2026 at 10:00. "
                                   "Calendar invitations have been sent to 2 people.")
    method, event = event_of(mails(outbox)[-1])
    assert (method, event["SEQUENCE"]) == ("REQUEST", 1)
    # 10:00 in London after the clocks went back (GMT) is 10:00 UTC.
    assert event.decoded("DTSTART") == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)

    cancel_form = client.get(f"/meetings/{meeting.id}/cancel").text
    assert "will be sent a cancellation" in cancel_form
    response = client.post(f"/meetings/{meeting.id}/cancel", data={
        "reason": "The chair is ill.", "csrf_token": csrf_of(cancel_form)})
    assert response.status_code == 303
    assert notice_of(response) == ("The meeting has been cancelled. Calendar cancellations "
                                   "have been sent to 2 people.")
    method, event = event_of(mails(outbox)[-1])
    assert (method, event["SEQUENCE"]) == ("CANCEL", 2)
    assert len(mails(outbox)) == 6
    assert "Cancellation sent " in client.get(f"/meetings/{meeting.id}").text


def test_a_mail_server_that_is_down_does_not_fail_the_page_nor_lose_the_move(
        client, session, meeting, outbox, monkeypatch):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}").text
    client.post(f"/meetings/{meeting.id}/invitations", data={"csrf_token": csrf_of(page)})
    monkeypatch.setenv("ASSURE_SMTP_URL", "smtp://127.0.0.1:1")  # nothing listens there
    get_settings.cache_clear()
    move_form = client.get(f"/meetings/{meeting.id}/move").text
    response = client.post(f"/meetings/{meeting.id}/move", data={
        "date-day": "3", "date-month": "11", "date-year": "2026", "start_time": "10:00",
        "csrf_token": csrf_of(move_form)})
    assert response.status_code == 303, response.text
    assert notice_of(response).endswith(
        "2 calendar emails will be sent when the mail server answers.")
    session.expire_all()
    assert session.get(Meeting, meeting.id).starts_at == datetime(2026, 11, 3, 10, 0,
                                                                 tzinfo=UTC)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Waiting for the mail server" in page
    assert "2 waiting for the mail server: they go when it answers." in page
    assert "has been sent the meeting's current details" not in page
    waiting = session.exec(select(Notification).where(Notification.status == "pending")).all()
    assert [(n.sequence, n.kind) for n in waiting] == [(1, "invitation"), (1, "invitation")]
    assert len(mails(outbox)) == 2  # only the first invitations


@pytest.mark.parametrize("role", [Role.force, Role.viewer, Role.chair])
def test_readers_cannot_send_invitations(client, session, meeting, outbox, role):
    sign_in(client, session, role)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Send calendar invitations" not in page and "Calendar invitations" not in page
    response = client.post(f"/meetings/{meeting.id}/invitations",
                           data={"csrf_token": csrf_of(page)})
    assert response.status_code == 403
    assert mails(outbox) == []
    assert session.exec(select(Notification)).all() == []


def test_a_meeting_without_email_addresses_says_so(client, session, outbox):
    nobody = make_person(session, full_name="No Email", initials="NE")
    meeting = make_meeting(session, starts_at=START, chair_id=nobody.id)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "No email address: not invited" in page
    assert "Send calendar invitations" not in page
    response = client.post(f"/meetings/{meeting.id}/invitations",
                           data={"csrf_token": csrf_of(page)})
    assert response.status_code == 409
    assert "Error:" in response.text
    assert "No one invited to this meeting has an email address" in response.text
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.planned


def test_a_meeting_already_held_without_invitations_has_no_such_section(client, session,
                                                                      meeting):
    committed(session, meetings.start_meeting(session, meeting_id=meeting.id, by=SYSTEM))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "Calendar invitations" not in page
    response = client.post(f"/meetings/{meeting.id}/invitations",
                           data={"csrf_token": csrf_of(page)})
    assert response.status_code == 409
    assert "only for a meeting that has not taken place" in response.text
    assert 'href="#invitations"' in response.text and 'id="invitations"' in response.text
