"""A meeting's stages: which stage may follow which, by which service, and what comes next.

Planned (perhaps with its agenda issued), started (in progress), closed (draft minutes),
submitted and approved by the chair, then published. The pages and the API move a meeting on
only through `move_to`, which calls the same service as the page's button; a jump the rules do
not allow (planned straight to approved) is refused with a plain message and nothing changes.
"""

from dataclasses import dataclass

from sqlmodel import Session

from app.models import Meeting, MeetingStatus, utcnow
from app.services import approval, audit
from app.services.errors import Conflict, InvalidInput
from app.services.meetings import NOT_YET_HELD, close_meeting, get_meeting, start_meeting
from app.services.permissions import Actor, Perm, allowed, require

# The stage as a tag says it, in the office's words.
STAGE_LABELS = {
    MeetingStatus.planned: "Planned",
    MeetingStatus.agenda_issued: "Agenda issued",
    MeetingStatus.in_progress: "In progress",
    MeetingStatus.draft: "Draft minutes",
    MeetingStatus.approved: "Approved",
    MeetingStatus.published: "Published",
    MeetingStatus.cancelled: "Cancelled",
}

# The stages each stage may move to (a change of status anywhere else is refused).
FOLLOWS = {
    MeetingStatus.planned: (MeetingStatus.agenda_issued, MeetingStatus.in_progress,
                            MeetingStatus.cancelled),
    MeetingStatus.agenda_issued: (MeetingStatus.in_progress, MeetingStatus.cancelled),
    MeetingStatus.in_progress: (MeetingStatus.draft,),
    MeetingStatus.draft: (MeetingStatus.approved,),
    MeetingStatus.approved: (MeetingStatus.published,),
    MeetingStatus.published: (),
    MeetingStatus.cancelled: (),
}


def stage_label(status: MeetingStatus | str) -> str:
    """"Draft minutes" for draft: the stage as its tag says it."""
    return STAGE_LABELS.get(MeetingStatus(status), str(status))


def _words(status: MeetingStatus) -> str:
    return f"“{stage_label(status)}”"


def _refuse_jump(meeting: Meeting, to: MeetingStatus) -> Conflict:
    current = MeetingStatus(meeting.status)
    follows = FOLLOWS[current]
    if follows:
        then = " or ".join(_words(s) for s in follows)
        hint = f" From {_words(current)} it can only move to {then}."
    else:
        hint = f" A meeting at {_words(current)} does not move on to another stage."
    return Conflict(f"A meeting cannot go from {_words(current)} to {_words(to)}.{hint}")


def issue_agenda(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """Mark a planned meeting's agenda as issued to those attending."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat and administrators issue an agenda.")
    if meeting.status != MeetingStatus.planned:
        raise _refuse_jump(meeting, MeetingStatus.agenda_issued)
    meeting.status = MeetingStatus.agenda_issued
    meeting.updated_at = meeting.agenda_issued_at = utcnow()
    audit.record(session, by=by, verb="issue_agenda", object_type="meeting",
                 object_id=meeting.id, summary="The agenda was issued")
    session.flush()
    return meeting


def move_to(session: Session, *, meeting_id: int, to: MeetingStatus, by: Actor) -> Meeting:
    """Move a meeting on to the stage `to`, by the service the pages use for that step."""
    meeting = get_meeting(session, meeting_id)
    to = MeetingStatus(to)
    if to == meeting.status:
        return meeting
    if to == MeetingStatus.published:
        raise InvalidInput({"status": "minutes are published from the meeting's public "
                                      "preview page, which keeps the published document"})
    if to == MeetingStatus.cancelled and meeting.status in NOT_YET_HELD:
        raise InvalidInput({"status": "a meeting is cancelled with its reason: use "
                                      "“Cancel the meeting” on the meeting's page"})
    if to not in FOLLOWS[MeetingStatus(meeting.status)]:
        raise _refuse_jump(meeting, to)
    if to == MeetingStatus.agenda_issued:
        return issue_agenda(session, meeting_id=meeting_id, by=by)
    if to == MeetingStatus.in_progress:
        return start_meeting(session, meeting_id=meeting_id, by=by)
    if to == MeetingStatus.draft:
        return close_meeting(session, meeting_id=meeting_id, by=by)
    return approval.approve_by_chair(session, meeting_id=meeting_id, by=by)


@dataclass(frozen=True)
class NextStep:
    """The one button a page offers to move the meeting on: a form post or a link."""

    text: str
    url: str
    post: bool = False
    secondary: bool = False


@dataclass(frozen=True)
class Stage:
    """A meeting's stage as every page shows it, with the next step this reader may take."""

    meeting_id: int | None
    status: str
    label: str
    hint: str
    next: NextStep | None
    also: NextStep | None = None  # a second, lesser step: "Take minutes" while in progress


def stage_of(meeting: Meeting, by: Actor) -> Stage:
    """The meeting's stage and, when the reader may take it, the step that moves it on."""
    status = MeetingStatus(meeting.status)
    base = f"/meetings/{meeting.id}"
    manage = allowed(by, Perm.edit_record)
    submitted = status == MeetingStatus.draft and meeting.submitted_at is not None
    step: NextStep | None = None
    also: NextStep | None = None
    if status in NOT_YET_HELD:
        hint = "When the meeting begins, start it: its minutes can then be taken."
        if manage:
            step = NextStep("Start the meeting", f"{base}/start", post=True)
    elif status == MeetingStatus.in_progress:
        hint = ("The minutes are being taken. When the meeting ends, close it: the minutes "
                "become a draft to check and submit to the chair.")
        if manage:
            also = NextStep("Take minutes", f"{base}/take-minutes")
            step = NextStep("Close the meeting", f"{base}/close", post=True, secondary=True)
    elif status == MeetingStatus.draft and submitted:
        hint = "The draft minutes are with the chair for approval."
        if allowed(by, Perm.approve_minutes):
            step = NextStep("Approve the minutes", f"{base}/record")
    elif status == MeetingStatus.draft:
        hint = ("The meeting is closed. Check the draft minutes, then submit them to the chair "
                "for approval.")
        if manage:
            step = NextStep("Submit the minutes", f"{base}/submit", post=True)
    elif status == MeetingStatus.approved:
        hint = "The chair has approved the minutes. They can now be published."
        if allowed(by, Perm.publish_minutes):
            step = NextStep("Publish the minutes", f"{base}/public-preview")
    elif status == MeetingStatus.published:
        hint = "The minutes are published."
    else:
        reason = (meeting.cancelled_reason or "").strip()
        hint = f"This meeting was cancelled: {reason}" if reason else \
            "This meeting was cancelled."
    return Stage(meeting_id=meeting.id, status=status.value, label=stage_label(status),
                 hint=hint, next=step, also=also)
