"""PATCH /api/v1/meetings/{id} moves a meeting only along its stages, as the pages do."""

from sqlmodel import select

from app.models import AuditEvent, Meeting
from tests.factories import bearer


def _patch(client, world, body, role="secretariat"):
    return client.patch(f"/api/v1/meetings/{world.meeting.id}",
                        headers=bearer(world.tokens[role]), json=body)


def _status(session, world) -> str:
    session.expire_all()
    return str(session.get(Meeting, world.meeting.id).status)


def test_a_planned_meeting_cannot_jump_to_approved_or_draft(client, world, session):
    for target in ("approved", "draft"):
        response = _patch(client, world, {"status": target, "venue": "Room 9"})
        assert response.status_code == 409
        assert "cannot go from “Planned”" in response.json()["detail"]
        assert "“In progress”" in response.json()["detail"]
    session.expire_all()
    meeting = session.get(Meeting, world.meeting.id)
    assert (str(meeting.status), meeting.venue) == ("planned", world.meeting.venue)


def test_the_api_starts_and_closes_a_meeting_through_the_same_steps(client, world, session):
    assert _patch(client, world, {"status": "in_progress"}).json()["status"] == "in_progress"
    back = _patch(client, world, {"status": "planned"})
    assert back.status_code == 409 and _status(session, world) == "in_progress"
    assert _patch(client, world, {"status": "draft"}).json()["status"] == "draft"
    verbs = session.exec(select(AuditEvent.verb).where(
        AuditEvent.object_type == "meeting", AuditEvent.object_id == world.meeting.id)).all()
    assert "start" in verbs and "close" in verbs


def test_draft_minutes_are_approved_only_once_submitted(client, world, session):
    _patch(client, world, {"status": "in_progress"})
    _patch(client, world, {"status": "draft"})
    unsubmitted = _patch(client, world, {"status": "approved"})
    assert unsubmitted.status_code == 409 and _status(session, world) == "draft"


def test_a_cancellation_needs_its_reason_and_publishing_its_page(client, world, session):
    cancelled = _patch(client, world, {"status": "cancelled"})
    assert cancelled.status_code == 422 and "reason" in str(cancelled.json())
    published = _patch(client, world, {"status": "published"})
    assert published.status_code == 422
    assert _status(session, world) == "planned"


def test_issuing_the_agenda_is_a_step_and_cannot_be_undone(client, world, session):
    assert _patch(client, world, {"status": "agenda_issued"}).json()["status"] == "agenda_issued"
    assert _patch(client, world, {"status": "planned"}).status_code == 409
    assert _status(session, world) == "agenda_issued"
