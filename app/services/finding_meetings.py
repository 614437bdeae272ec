"""Findings and meetings: the meetings a question or action about a finding can be put on, and
the findings a meeting's HMICFRS standing item looks at (due, or changed since the last
meeting of the series)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Answer,
    Finding,
    FindingEvent,
    Inspection,
    ItemKind,
    Meeting,
    MeetingStatus,
    MeetingType,
    Person,
    Question,
)
from app.services.dates import end_of_day_utc, to_london, today
from app.services.findings import CLOSED_STATUSES, label_of, short_text
from app.services.minutes import update_text
from app.services.permissions import Actor
from app.services.visibility import hidden_action_ids, hidden_question_ids, visible_events


def hmicfrs_item(session: Session, meeting_id: int) -> AgendaItem | None:
    """A meeting's HMICFRS standing item (the first, if there are several)."""
    return session.exec(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.kind == ItemKind.hmicfrs)
        .order_by(col(AgendaItem.parent_id).is_not(None), col(AgendaItem.position),
                  col(AgendaItem.id))).first()


def upcoming_meetings(session: Session) -> list[tuple[Meeting, str, AgendaItem | None]]:
    """Meetings from today on (not cancelled or approved), soonest first, with their HMICFRS
    item: what a question or action about a finding can be put on."""
    rows = session.exec(
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(col(Meeting.status).in_([MeetingStatus.planned, MeetingStatus.agenda_issued,
                                        MeetingStatus.in_progress, MeetingStatus.draft]))
        .order_by(col(Meeting.starts_at), col(Meeting.id))).all()
    first_day = today()
    result = []
    for meeting, meeting_type in rows:
        if to_london(meeting.starts_at).date() < first_day:
            continue
        local = to_london(meeting.starts_at)
        assert meeting.id is not None  # loaded from the database
        result.append((meeting, f"{meeting_type.name} {local.day} {local:%B %Y}",
                       hmicfrs_item(session, meeting.id)))
    return result


def meeting_labels(session: Session, meeting_ids: set[int]) -> dict[int | None, str]:
    """"Monthly Assurance Meeting 30 April 2019" for each of these meetings, by id."""
    labels = {}
    if meeting_ids:
        for meeting, meeting_type in session.exec(select(Meeting, MeetingType).join(
                MeetingType, col(MeetingType.id) == Meeting.meeting_type_id).where(
                col(Meeting.id).in_(meeting_ids))):
            local = to_london(meeting.starts_at)
            labels[meeting.id] = f"{meeting_type.name} {local.day} {local:%B %Y}"
    return labels


# --- the HMICFRS standing item ------------------------------------------------------------


@dataclass
class MeetingFinding:
    finding: Finding
    inspection: Inspection
    label: str
    due: bool
    changes: list[str]
    owner: Person | None

    @property
    def href(self) -> str:
        return f"/inspections/{self.inspection.id}/findings/{self.finding.id}"


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The meeting of the same series before this one (cancelled ones do not count)."""
    return session.exec(select(Meeting).where(
        Meeting.meeting_type_id == meeting.meeting_type_id,
        col(Meeting.starts_at) < meeting.starts_at, Meeting.id != meeting.id,
        Meeting.status != MeetingStatus.cancelled).order_by(
        col(Meeting.starts_at).desc())).first()


def findings_for_meeting(session: Session, meeting: Meeting, *, by: Actor | None = None
                         ) -> list[MeetingFinding]:
    """The findings the meeting's HMICFRS item looks at:

    - due: neither complete nor superseded, and due on or before the day of the meeting
      (overdue ones included);
    - changed since the last meeting: a change to the finding, an answer to one of its
      questions or an update to one of its actions after the previous meeting of the series
      began and by the end of this meeting's day (with no previous meeting, any change).

    Superseded findings are not listed: the finding that replaced them is.
    """
    day = to_london(meeting.starts_at).date()
    until = end_of_day_utc(day)
    previous = previous_meeting(session, meeting)
    since = previous.starts_at if previous else None

    def window(column):
        conditions = [column <= until]
        if since is not None:
            conditions.append(column > since)
        return conditions

    # With a reader, what they may not see (draft questions, exempt items and actions) is
    # left out of the changes, and does not by itself put a finding on the list.
    changed: dict[int | None, list[str]] = {}
    events = list(session.exec(select(FindingEvent).where(*window(col(FindingEvent.at)))
                               .order_by(col(FindingEvent.at), col(FindingEvent.id))))
    for event in visible_events(session, events, by):
        changed.setdefault(event.finding_id, []).append(short_text(event.summary, 200))
    answered = list(session.exec(select(Question, Answer).join(
        Answer, col(Answer.question_id) == Question.id).where(
        col(Question.finding_id).is_not(None), *window(col(Answer.answered_at)))
        .order_by(col(Answer.answered_at))))
    hidden = hidden_question_ids(session, {q.id for q, _ in answered}, by)
    for question, answer in answered:
        if question.id in hidden:
            continue
        changed.setdefault(question.finding_id, []).append(
            f"Answer: {short_text(answer.text, 200)}")
    updated = list(session.exec(select(Action, ActionUpdate).join(
        ActionUpdate, col(ActionUpdate.action_id) == Action.id).where(
        col(Action.finding_id).is_not(None), *window(col(ActionUpdate.created_at)))
        .order_by(col(ActionUpdate.created_at))).all())
    exempt_actions = hidden_action_ids(session, {a.id for a, _ in updated}, by)
    for action, update in updated:
        if action.id in exempt_actions:
            continue
        changed.setdefault(action.finding_id, []).append(
            f"Action {action.reference}: {short_text(update_text(update) or '', 200)}")

    rows = session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).where(
        col(Finding.superseded_by_id).is_(None), Finding.force_status != "superseded").where(
        (col(Finding.id).in_(list(changed) or [0]))
        | ((col(Finding.due_date) <= day) & col(Finding.force_status).not_in(
            list(CLOSED_STATUSES))))
        .order_by(col(Finding.due_date), col(Inspection.id), col(Finding.position),
                  col(Finding.id))).all()
    people = {p.id: p for p in session.exec(select(Person))}
    result = []
    for finding, inspection in rows:
        due = (finding.due_date is not None and finding.due_date <= day
               and finding.force_status not in CLOSED_STATUSES)
        result.append(MeetingFinding(finding=finding, inspection=inspection,
                                     label=label_of(finding), due=due,
                                     changes=changed.get(finding.id, []),
                                     owner=people.get(finding.owner_id)))
    # Due ones first (soonest due first), then the others that changed.
    result.sort(key=lambda r: (not r.due, r.finding.due_date or date.max, r.inspection.id,
                               r.finding.position, r.finding.id))
    return result


def findings_by_item(session: Session, meeting: Meeting, item_ids: Collection[int | None], *,
                     by: Actor | None = None) -> dict[int | None, list[MeetingFinding]]:
    """The meeting's findings under each of these items that is its HMICFRS item."""
    assert meeting.id is not None  # a saved meeting
    first = hmicfrs_item(session, meeting.id)
    if first is None or first.id not in item_ids:
        return {}
    return {first.id: findings_for_meeting(session, meeting, by=by)}
