"""Publication keeps what was published; the diff says what changed, word by word."""

from datetime import datetime

import pytest

from app.models import MeetingStatus, Role
from app.services import publication
from app.services.changes import Segment, word_diff
from app.services.errors import Conflict, Forbidden
from app.services.permissions import Actor
from tests.factories import SYSTEM, make_entry, make_item, make_meeting, submit_and_approve

CHAIR = Actor(role=Role.chair, label="chair")


def test_word_diff_marks_inserted_and_deleted_words():
    assert word_diff("response times improved", "urban response times improved slightly") == [
        Segment("insert", "urban "), Segment("equal", "response times improved"),
        Segment("insert", " slightly")]
    assert word_diff("the CC said", "the DCC said") == [
        Segment("equal", "the "), Segment("delete", "CC"), Segment("insert", "DCC"),
        Segment("equal", " said")]


def test_only_the_secretariat_publishes_and_only_approved_minutes(session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    make_entry(session, make_item(session, meeting), text="Words.")
    with pytest.raises(Conflict, match="Only approved"):
        publication.publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    submit_and_approve(session, meeting.id, CHAIR)
    with pytest.raises(Forbidden):
        publication.publish_minutes(session, meeting_id=meeting.id, by=CHAIR)
    document = publication.publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    assert meeting.status == MeetingStatus.published
    assert document.sha256 == publication.sha256_of(document.content)
    assert document.size_bytes == len(document.content) and document.version == 1
    assert publication.verified_content(document) == document.content


def test_a_stored_document_that_changed_is_refused(session):
    meeting = make_meeting(session, status=MeetingStatus.approved)
    document = publication.publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    document.content = document.content[:-1] + b"X"
    with pytest.raises(publication.Tampered):
        publication.verified_content(document)


def test_published_minutes_are_not_due_and_drafts_long_past_are_late(session):
    late = make_meeting(session, starts_at=datetime(2019, 4, 30, 10), status=MeetingStatus.draft)
    done = make_meeting(session, starts_at=datetime(2019, 5, 28, 10),
                        status=MeetingStatus.approved)
    publication.publish_minutes(session, meeting_id=done.id, by=SYSTEM)
    planned = make_meeting(session, starts_at=datetime(2019, 6, 25, 10))
    due = publication.minutes_due(session, on=datetime(2019, 7, 1).date())
    assert [(d.meeting.id, d.late, str(d.due_on)) for d in due] == [
        (late.id, True, "2019-05-20")]
    assert planned.id not in {d.meeting.id for d in due}
