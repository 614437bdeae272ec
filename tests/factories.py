"""Keyword builders with sensible defaults, going through the services like real use does."""

from datetime import UTC, date, datetime
from itertools import count
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import ItemKind, Role, Side
from app.schemas import (
    ActionCreate,
    EntryCreate,
    ItemCreate,
    MeetingCreate,
    MeetingTypeCreate,
    PersonCreate,
)
from app.services import (
    actions,
    agenda,
    approval,
    entries,
    identity,
    meetings,
    people,
    tokens,
    two_factor,
)
from app.services.permissions import Actor

SYSTEM = Actor.system(label="tests")
# The authenticator secret every test user with a second factor has (pyotp makes the codes).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_n = count(1)
T = TypeVar("T")


def committed(session: Session, made: T) -> T:
    """What a service made, committed: a test is the caller, and commits at the end of each
    use case as the request, the command and the job do (services never commit). Uncommitted,
    a test's writes would be invisible to the app under test, and on SQLite would hold the
    write lock that the app's requests wait for."""
    session.commit()
    return made


class CommittingClient(TestClient):
    """A test client that first commits what the test wrote through the services itself:
    the test's own use case ends before the app is asked, as one request's ends before the
    next (services never commit; the caller does). Uncommitted, it would be invisible to the
    app, and on SQLite its open write transaction would hold the lock the app waits for."""

    def __init__(self, *args, session: Session | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._test_session = session

    def request(self, *args, **kwargs):
        session = self._test_session or TEST_SESSION.get("current")
        if session is not None:
            session.commit()
            # What the test holds is read again after the request, as after a rollback
            # (the session keeps what it read across a commit: expire_on_commit=False).
            session.expire_all()
        return super().request(*args, **kwargs)


# The running test's own session (the `session` fixture), for clients made without it.
TEST_SESSION: dict[str, Session] = {}


def make_person(session: Session, **kw):
    n = next(_n)
    values = {
        "full_name": f"Person {n}",
        "initials": f"P{n}",
        "role_title": "Policy Officer",
        "role_abbreviation": "",
        "side": Side.opcc,
    }
    values.update(kw)
    return committed(session, people.create_person(session, data=PersonCreate(**values),
                                                   by=SYSTEM))


def make_meeting_type(session: Session, **kw):
    values = {"name": "Accountability Board", "default_venue": "Room 1"}
    values.update(kw)
    return committed(session, meetings.create_meeting_type(
        session, data=MeetingTypeCreate(**values), by=SYSTEM))


def make_meeting(session: Session, meeting_type=None, **kw):
    meeting_type = meeting_type or make_meeting_type(session)
    values = {"meeting_type_id": meeting_type.id, "starts_at": datetime(2024, 3, 12, 10, 0)}
    values.update(kw)
    return committed(session, meetings.create_meeting(session, data=MeetingCreate(**values),
                                                      by=SYSTEM))


def advance_meeting(session: Session, meeting, to, by=SYSTEM):
    """Take a meeting through its stages (start, close, submit, approve; or cancel) to `to`,
    by the same steps the pages take."""
    from app.models import MeetingStatus

    to = MeetingStatus(to)
    if to == MeetingStatus.cancelled:
        return committed(session, meetings.cancel_meeting(
            session, meeting_id=meeting.id, reason="Called off", by=by))
    rank = {MeetingStatus.planned: 0, MeetingStatus.agenda_issued: 0,
            MeetingStatus.in_progress: 1, MeetingStatus.draft: 2, MeetingStatus.approved: 3}
    steps = [
        (MeetingStatus.in_progress, lambda: meetings.start_meeting(
            session, meeting_id=meeting.id, by=by)),
        (MeetingStatus.draft, lambda: meetings.close_meeting(
            session, meeting_id=meeting.id, by=by)),
        (MeetingStatus.approved, lambda: (
            approval.submit_to_chair(session, meeting_id=meeting.id, by=by),
            approval.approve_by_chair(session, meeting_id=meeting.id, by=by))),
    ]
    for stage, step in steps:
        if rank[MeetingStatus(meeting.status)] < rank[stage] <= rank[to]:
            step()
    session.commit()
    return meeting


def make_item(session: Session, meeting, **kw):
    values = {"title": "Roads policing", "kind": ItemKind.theme}
    if "parent" in kw:
        parent = kw.pop("parent")
        values["parent_id"] = parent.id
    values.update(kw)
    return committed(session, agenda.create_item(session, meeting_id=meeting.id,
                                                 data=ItemCreate(**values), by=SYSTEM))


def make_entry(session: Session, item, **kw):
    values = {"text": "The PCC asked the CC about response times."}
    values.update(kw)
    return committed(session, entries.create_entry(session, item_id=item.id,
                                                   data=EntryCreate(**values), by=SYSTEM))


def make_action(session: Session, owners, **kw):
    values = {"text": "Report back on response times.", "owner_ids": [p.id for p in owners],
              "due_date": date(2030, 1, 31)}
    values.update(kw)
    return committed(session, actions.create_action(session, data=ActionCreate(**values),
                                                    by=SYSTEM))


def enrol_totp(session: Session, user, secret: str = TOTP_SECRET):
    """Give a user a confirmed authenticator app with a known secret, as enrolment would."""
    user.totp_secret = two_factor._seal(secret)
    user.totp_enabled_at = datetime.now(UTC)
    user.totp_last_step = None
    session.commit()
    return user


def make_user(session: Session, role: Role, person=None, email=None, password=None,
              totp: bool | None = None):
    """A user and an API token for them (with a password only when one is given). A user with
    a password whose role needs a second factor has one (TOTP_SECRET) unless `totp=False`."""
    n = next(_n)
    user = identity.create_user(
        session,
        email=email or f"{role}{n}@opcc.example",
        role=role,
        password=password,
        person_id=person.id if person else None,
        by=SYSTEM,
    )
    if totp or (totp is None and password is not None and two_factor.required(user)):
        enrol_totp(session, user)
    token = tokens.create_token(session, user=user, by=SYSTEM)
    session.commit()
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_top_team(session: Session):
    """The Commissioner, the Chief Constable and the Deputy of the reference meeting."""
    pcc = make_person(session, full_name="John Campion", initials="JC",
                      role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    cc = make_person(session, full_name="Anthony Bangham", initials="AB",
                     role_title="Chief Constable", role_abbreviation="CC", side=Side.force)
    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB",
                      role_title="Deputy Chief Constable", role_abbreviation="DCC",
                      side=Side.force)
    return pcc, cc, dcc


# The smallest file that a PDF reader and our content check both take for a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def submit_and_approve(session: Session, meeting_id: int, chair: Actor):
    """The secretariat submits the draft minutes and the chair approves them."""
    approval.submit_to_chair(session, meeting_id=meeting_id, by=SYSTEM)
    return committed(session, approval.approve_by_chair(session, meeting_id=meeting_id,
                                                        by=chair))
