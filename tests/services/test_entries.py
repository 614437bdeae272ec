"""Entries are versioned; every save is kept; a stale save is refused; approved minutes lock."""

import pytest
from sqlmodel import select

from app.models import AuditEvent, MeetingStatus
from app.schemas import EntryUpdate, MeetingUpdate
from app.services import entries, meetings
from app.services.errors import Conflict
from tests.factories import SYSTEM, make_entry, make_item, make_meeting


def test_every_save_is_a_revision_and_the_first_is_kept(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="The PCC asked")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="The PCC asked the CC"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=2, text="The PCC asked the CC if…"))
    revisions = entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)
    assert [(r.version, r.text) for r in revisions] == [
        (1, "The PCC asked"), (2, "The PCC asked the CC"), (3, "The PCC asked the CC if…")]
    assert entry.version == 3


def test_a_stale_save_is_refused_with_the_current_entry(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Original")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="Officer's words"))
    with pytest.raises(Conflict) as err:
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Colleague's words"))
    assert err.value.current.text == "Officer's words"
    assert entries.get_entry(session, entry_id=entry.id, by=SYSTEM).text == "Officer's words"


def test_a_retried_save_is_idempotent(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Draft")
    for _ in range(3):  # the browser sends the same save again after a lost reply
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Saved once"))
    assert entry.version == 2
    assert len(entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)) == 2


def test_approved_minutes_cannot_be_edited(session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    item = make_item(session, meeting)
    entry = make_entry(session, item, text="Agreed text")
    meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                            data=MeetingUpdate(status=MeetingStatus.approved))
    with pytest.raises(Conflict):
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Rewritten"))
    with pytest.raises(Conflict):
        make_entry(session, item, text="Added later")


def test_changes_leave_audit_events(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Words")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="Better words"))
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "minute_entry")
                          .order_by(AuditEvent.id)).all()
    assert [(e.verb, e.object_id) for e in events] == [("create", entry.id), ("update", entry.id)]
    assert all(e.actor == "tests" and e.occurred_at.tzinfo is not None for e in events)
