"""The record's life: submitted, approved (by the chair or at the next meeting), locked, and
changed afterwards only by amendment, which keeps the original and shows in both editions."""

from datetime import datetime

import pytest
from sqlmodel import select

from app.models import (
    AuditEvent,
    EntryKind,
    ItemKind,
    MeetingStatus,
    MinuteEntryRevision,
    Role,
)
from app.schemas import EntryUpdate, ItemUpdate, MeetingUpdate
from app.services import agenda, approval, entries, meetings
from app.services.errors import Conflict, Forbidden, InvalidInput
from app.services.minutes import Edition, load_record, minutes_of
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    submit_and_approve,
)

CHAIR = Actor(role=Role.chair, label="chair")
SECRETARIAT = Actor(role=Role.secretariat, label="secretariat")
FORCE = Actor(role=Role.force, label="force")


def minutes(session, meeting, edition):
    record = load_record(session, meeting_id=meeting.id, redact=edition == Edition.public)
    return minutes_of(record, office_short_name="OPCC", office_name="Office", edition=edition)


@pytest.fixture
def draft(session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    item = make_item(session, meeting, title="Roads policing")
    entry = make_entry(session, item, text="The PCC asked the CC about casualties.")
    return meeting, item, entry


def test_secretariat_submits_and_the_chair_approves_recording_who_and_when(session, draft):
    meeting, _, _ = draft
    with pytest.raises(Forbidden):
        approval.submit_to_chair(session, meeting_id=meeting.id, by=CHAIR)
    approval.submit_to_chair(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert meeting.submitted_at is not None and meeting.status == MeetingStatus.draft
    with pytest.raises(Forbidden):
        approval.approve_by_chair(session, meeting_id=meeting.id, by=FORCE)
    approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)
    assert meeting.status == MeetingStatus.approved and meeting.approved_at is not None
    verbs = [e.verb for e in session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "meeting", AuditEvent.object_id == meeting.id)
        .order_by(AuditEvent.id))]
    assert verbs[-2:] == ["submit", "approve"]
    with pytest.raises(Conflict, match="already approved"):
        approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)


def test_the_chair_approves_only_minutes_the_secretariat_submitted(session, draft):
    meeting, _, _ = draft
    with pytest.raises(Conflict) as refused:
        approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)
    assert refused.value.message == approval.NOT_SUBMITTED
    assert refused.value.status_code == 409
    assert meeting.status == MeetingStatus.draft and meeting.approved_at is None
    assert not approval.awaiting_approval(meeting)
    approval.submit_to_chair(session, meeting_id=meeting.id, by=SECRETARIAT)
    assert approval.awaiting_approval(meeting)
    approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)
    assert meeting.status == MeetingStatus.approved


def test_planned_meetings_cannot_be_submitted_or_approved(session):
    meeting = make_meeting(session)
    with pytest.raises(Conflict, match="planned"):
        approval.submit_to_chair(session, meeting_id=meeting.id, by=SECRETARIAT)
    with pytest.raises(Conflict):
        approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)


def test_approval_at_the_next_meeting_is_minuted_there(session):
    series = make_meeting_type(session)
    april = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10),
                         status=MeetingStatus.draft)
    may = make_meeting(session, series, starts_at=datetime(2019, 5, 28, 10),
                       status=MeetingStatus.in_progress)
    previous = make_item(session, may, title="Minutes of the last meeting",
                         kind=ItemKind.previous_minutes)
    with pytest.raises(InvalidInput) as refused:
        approval.approve_at_meeting(session, meeting_id=may.id, at_meeting_id=april.id,
                                    by=SECRETARIAT)
    assert "after this one" in refused.value.errors["at_meeting_id"]
    approval.approve_at_meeting(session, meeting_id=april.id, at_meeting_id=may.id,
                                by=SECRETARIAT)
    assert april.status == MeetingStatus.approved and april.approved_at_meeting_id == may.id
    said = entries.entries_of(session, previous.id)
    assert [(e.kind, e.text) for e in said] == [
        (EntryKind.decision, "The minutes were agreed as an accurate record.")]


def test_approval_at_a_meeting_without_the_item_adds_it(session):
    series = make_meeting_type(session)
    april = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10),
                         status=MeetingStatus.in_progress)
    may = make_meeting(session, series, starts_at=datetime(2019, 5, 28, 10))
    make_item(session, may, title="Holding to account")
    with pytest.raises(Forbidden):
        approval.approve_at_meeting(session, meeting_id=april.id, at_meeting_id=may.id,
                                    by=CHAIR)
    approval.approve_at_meeting(session, meeting_id=april.id, at_meeting_id=may.id,
                                by=SECRETARIAT)
    first = agenda.agenda_tree(session, may.id)[0].item
    assert (first.kind, first.title) == (ItemKind.previous_minutes, "Minutes of the last meeting")
    assert entries.entries_of(session, first.id)[0].text == approval.AGREED


def test_approved_minutes_refuse_ordinary_edits_and_point_to_amend(session, draft):
    meeting, item, entry = draft
    submit_and_approve(session, meeting.id, CHAIR)
    for attempt in (
        lambda: entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                                     data=EntryUpdate(version=1, text="Rewritten")),
        lambda: entries.delete_entry(session, entry_id=entry.id, by=SYSTEM),
        lambda: make_entry(session, item, text="Added later"),
        lambda: agenda.update_item(session, item_id=item.id, by=SYSTEM,
                                   data=ItemUpdate(title="Renamed")),
        lambda: meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                                        data=MeetingUpdate(venue="Elsewhere")),
        lambda: meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                                        data=MeetingUpdate(status=MeetingStatus.draft)),
    ):
        with pytest.raises(Conflict, match="amendment"):
            attempt()
    session.refresh(entry)
    assert (entry.text, entry.version, meeting.venue) == (
        "The PCC asked the CC about casualties.", 1, "Room 1")


def test_publishing_is_not_a_status_anyone_sets_by_hand(session, draft):
    meeting, _, _ = draft
    with pytest.raises(InvalidInput):
        meetings.update_meeting(session, meeting_id=meeting.id, by=SYSTEM,
                                data=MeetingUpdate(status=MeetingStatus.published))


def test_an_amendment_needs_a_reason_and_keeps_the_original(session, draft):
    meeting, _, entry = draft
    with pytest.raises(Conflict, match="not approved"):
        approval.amend_entry(session, entry_id=entry.id, reason="Typo", text="x", by=SYSTEM)
    submit_and_approve(session, meeting.id, CHAIR)
    with pytest.raises(InvalidInput) as refused:
        approval.amend_entry(session, entry_id=entry.id, reason="  ", text="New", by=SYSTEM)
    assert "reason" in refused.value.errors
    with pytest.raises(InvalidInput):
        approval.amend_entry(session, entry_id=entry.id, reason="Nothing", by=SYSTEM)
    with pytest.raises(Forbidden):
        approval.amend_entry(session, entry_id=entry.id, reason="r", text="t", by=CHAIR)
    amendment = approval.amend_entry(
        session, entry_id=entry.id, by=SYSTEM, reason="The CC asked about serious injuries too.",
        text="The PCC asked the CC about deaths and serious injuries.")
    assert amendment.original_text == "The PCC asked the CC about casualties."
    assert entry.text == "The PCC asked the CC about deaths and serious injuries."
    versions = session.exec(select(MinuteEntryRevision.text).where(
        MinuteEntryRevision.entry_id == entry.id).order_by(MinuteEntryRevision.version)).all()
    assert versions == ["The PCC asked the CC about casualties.",
                        "The PCC asked the CC about deaths and serious injuries."]
    # An ordinary edit is still refused after an amendment.
    with pytest.raises(Conflict):
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=2, text="Sneaky"))


def test_both_editions_show_the_amendment_only_the_internal_quotes_the_original(session, draft):
    meeting, _, entry = draft
    submit_and_approve(session, meeting.id, CHAIR)
    approval.amend_entry(session, entry_id=entry.id, by=SYSTEM, reason="Wrong word",
                         text="The PCC asked the CC about collisions.")
    note = approval.amendment_note(approval.amendments_of(
        session, meeting_id=meeting.id, by=SYSTEM)[0].amendment)
    assert note.startswith("Amended on ") and note.endswith(": Wrong word")
    internal = minutes(session, meeting, Edition.internal).items[0].entries[0]
    public = minutes(session, meeting, Edition.public).items[0].entries[0]
    assert internal.text == public.text == "The PCC asked the CC about collisions."
    assert public.notes == [note]
    assert internal.notes == [note, "Before this amendment it read: "
                                    "The PCC asked the CC about casualties."]


def test_an_amendment_can_make_an_entry_exempt_and_the_public_edition_drops_it(session, draft):
    meeting, _, entry = draft
    submit_and_approve(session, meeting.id, CHAIR)
    with pytest.raises(InvalidInput) as refused:
        approval.amend_entry(session, entry_id=entry.id, by=SYSTEM, reason="Names a victim",
                             exempt=True)
    assert "exempt_reason" in refused.value.errors
    approval.amend_entry(session, entry_id=entry.id, by=SYSTEM, reason="Names a victim",
                         exempt=True, exempt_reason="section 40 (personal information)")
    assert minutes(session, meeting, Edition.public).items[0].entries == []
    assert approval.amendments_of(session, meeting_id=meeting.id, by=FORCE) == []
    assert len(approval.amendments_of(session, meeting_id=meeting.id, by=CHAIR)) == 1


def test_approval_through_the_api_route_records_who_and_when_too(session, draft):
    meeting, _, _ = draft
    with pytest.raises(Conflict, match=approval.NOT_SUBMITTED):
        meetings.update_meeting(session, meeting_id=meeting.id, by=CHAIR,
                                data=MeetingUpdate(status=MeetingStatus.approved))
    approval.submit_to_chair(session, meeting_id=meeting.id, by=SECRETARIAT)
    meetings.update_meeting(session, meeting_id=meeting.id, by=CHAIR,
                            data=MeetingUpdate(status=MeetingStatus.approved))
    assert meeting.status == MeetingStatus.approved and meeting.approved_at is not None
