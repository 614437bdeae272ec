"""A meeting's stages: started (minutes being taken), closed (draft minutes), moved or
cancelled before it is held; who may do each, and the plain refusals of the rest."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import AuditEvent, MeetingStatus, Role
from app.services import meetings
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.permissions import Actor
from tests.factories import make_meeting

SECRETARIAT = Actor(role=Role.secretariat, label="secretariat")
CHAIR = Actor(role=Role.chair, label="chair")
FORCE = Actor(role=Role.force, label="force")
START = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_a_planned_meeting_is_started_then_closed_as_a_draft(session):
    meeting = make_meeting(session, status=MeetingStatus.planned)
    meetings.start_meeting(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert meeting.status == MeetingStatus.in_progress
    meetings.close_meeting(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert meeting.status == MeetingStatus.draft
    verbs = [e.verb for e in session.exec(
        select(AuditEvent).where(AuditEvent.object_type == "meeting",
                                 AuditEvent.object_id == meeting.id))]
    assert verbs[-2:] == ["start", "close"]


def test_a_meeting_whose_agenda_was_issued_can_be_started(session):
    meeting = make_meeting(session, status=MeetingStatus.agenda_issued)
    meetings.start_meeting(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert meeting.status == MeetingStatus.in_progress


@pytest.mark.parametrize("status, message", [
    (MeetingStatus.in_progress, "already started"),
    (MeetingStatus.draft, "closed, with draft minutes"),
    (MeetingStatus.approved, "approved"),
    (MeetingStatus.published, "published"),
    (MeetingStatus.cancelled, "cancelled"),
])
def test_only_a_planned_meeting_starts(session, status, message):
    meeting = make_meeting(session, status=status)
    with pytest.raises(Conflict, match=message) as refused:
        meetings.start_meeting(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert refused.value.status_code == 409
    assert meeting.status == status


@pytest.mark.parametrize("status, message", [
    (MeetingStatus.planned, "has not started yet"),
    (MeetingStatus.agenda_issued, "has not started yet"),
    (MeetingStatus.draft, "closed, with draft minutes"),
    (MeetingStatus.approved, "approved"),
    (MeetingStatus.cancelled, "cancelled"),
])
def test_only_a_meeting_in_progress_closes(session, status, message):
    meeting = make_meeting(session, status=status)
    with pytest.raises(Conflict, match=message):
        meetings.close_meeting(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert meeting.status == status


@pytest.mark.parametrize("actor", [CHAIR, FORCE])
@pytest.mark.parametrize("change", ["start", "close", "cancel", "move"])
def test_only_the_secretariat_and_admins_change_a_meetings_stage(session, actor, change):
    status = MeetingStatus.in_progress if change == "close" else MeetingStatus.planned
    meeting = make_meeting(session, status=status, starts_at=START)
    work = {
        "start": lambda: meetings.start_meeting(session, meeting_id=meeting.id, by=actor),
        "close": lambda: meetings.close_meeting(session, meeting_id=meeting.id, by=actor),
        "cancel": lambda: meetings.cancel_meeting(session, meeting_id=meeting.id,
                                                  reason="Snow", by=actor),
        "move": lambda: meetings.move_meeting(session, meeting_id=meeting.id,
                                              starts_at=START + timedelta(days=1), by=actor),
    }[change]
    with pytest.raises(Forbidden) as refused:
        work()
    assert refused.value.status_code == 403
    assert meeting.status == status and meeting.starts_at == START


def test_an_unknown_meeting_is_not_found(session):
    with pytest.raises(NotFound):
        meetings.start_meeting(session, meeting_id=999_999, by=SECRETARIAT)


def test_cancelling_keeps_the_reason_and_tells_calendars(session):
    meeting = make_meeting(session, status=MeetingStatus.planned)
    before = meeting.sequence
    meetings.cancel_meeting(session, meeting_id=meeting.id, reason="  The chair is ill. ",
                            by=SECRETARIAT)
    assert meeting.status == MeetingStatus.cancelled
    assert meeting.cancelled_reason == "The chair is ill."
    assert meeting.sequence == before + 1
    assert (meeting, meetings.meeting_type_of(session, meeting)) in meetings.list_meetings(
        session)


def test_a_cancellation_needs_a_reason(session):
    meeting = make_meeting(session, status=MeetingStatus.planned)
    with pytest.raises(InvalidInput) as refused:
        meetings.cancel_meeting(session, meeting_id=meeting.id, reason="   ", by=SECRETARIAT)
    assert "reason" in refused.value.errors
    assert meeting.status == MeetingStatus.planned


@pytest.mark.parametrize("status", [MeetingStatus.in_progress, MeetingStatus.draft,
                                    MeetingStatus.cancelled])
def test_a_meeting_held_or_cancelled_is_neither_cancelled_nor_moved(session, status):
    meeting = make_meeting(session, status=status, starts_at=START)
    with pytest.raises(Conflict, match="has not taken place"):
        meetings.cancel_meeting(session, meeting_id=meeting.id, reason="Snow", by=SECRETARIAT)
    with pytest.raises(Conflict, match="has not taken place"):
        meetings.move_meeting(session, meeting_id=meeting.id,
                              starts_at=START + timedelta(days=1), by=SECRETARIAT)
    assert meeting.status == status and meeting.starts_at == START


def test_a_moved_meeting_keeps_its_length(session):
    meeting = make_meeting(session, starts_at=START, ends_at=START + timedelta(minutes=150))
    new_start = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
    meetings.move_meeting(session, meeting_id=meeting.id, starts_at=new_start, by=SECRETARIAT)
    assert meeting.starts_at == new_start
    assert meeting.ends_at == new_start + timedelta(minutes=150)
    assert meeting.sequence == 1
