"""Turning domain objects into the API's *Read shapes."""

from sqlmodel import Session

from app.models import Meeting, MeetingType
from app.schemas import (
    ActionRead,
    ActionUpdateRead,
    AnswerRead,
    AttendanceRead,
    EntryRead,
    ItemDetail,
    ItemRead,
    MeetingDetail,
    MeetingRead,
    MeetingTypeRead,
    QuestionRead,
)
from app.services import minutes_format
from app.services.actions import ActionView
from app.services.agenda import node_for
from app.services.meetings import meeting_title, meeting_type_of
from app.services.minutes import MeetingRecord, RecordItem
from app.services.questions import answers_of
from app.services.recurrence import parse_skip_months
from app.services.schedule import schedule_description


def meeting_type_read(meeting_type: MeetingType) -> MeetingTypeRead:
    """A series with its schedule in words."""
    return MeetingTypeRead.model_validate({
        **meeting_type.model_dump(),
        "skip_months": sorted(parse_skip_months(meeting_type.skip_months)),
        "schedule": schedule_description(meeting_type),
        "minutes_format": minutes_format.as_dict(minutes_format.load(meeting_type.minutes_format)),
    })


def meeting_read(session: Session, meeting: Meeting, meeting_type: MeetingType | None = None):
    """A meeting with its series' name and its title."""
    meeting_type = meeting_type or meeting_type_of(session, meeting)
    return MeetingRead.model_validate(
        {
            **meeting.model_dump(),
            "meeting_type_name": meeting_type.name,
            "title": meeting_title(meeting, meeting_type),
        }
    )


def action_read(view: ActionView) -> ActionRead:
    """An action with its owners, RAG and latest update."""
    latest = view.latest_update
    return ActionRead.model_validate(
        {
            **view.action.model_dump(),
            "owner_ids": view.owner_ids,
            "rag": view.rag,
            "exempt": view.exempt,
            "latest_update": ActionUpdateRead.model_validate(latest) if latest else None,
        }
    )


def item_read(session: Session, item) -> ItemRead:
    """An item with its number."""
    node = node_for(session, item)
    return ItemRead.model_validate({**item.model_dump(), "number": node.number})


def _item_detail(record_item: RecordItem) -> ItemDetail:
    node = record_item.node
    values = {**node.item.model_dump(), "number": node.number}
    return ItemDetail.model_validate(
        {
            **values,
            "entries": [EntryRead.model_validate(e) for e in record_item.entries],
            "actions": [action_read(v) for v in record_item.actions],
            "children": [_item_detail(c) for c in record_item.children],
        }
    )


def attendance_read(attendance, person) -> AttendanceRead:
    """One person's attendance as the API gives it."""
    return AttendanceRead(person_id=person.id, full_name=person.full_name,
                          status=attendance.status, capacity=attendance.capacity,
                          substitute_for_id=attendance.substitute_for_id,
                          item_ids=attendance.items)


def meeting_detail(session: Session, record: MeetingRecord) -> MeetingDetail:
    """A meeting with its attendance and its agenda, entries and actions nested."""
    base = meeting_read(session, record.meeting, record.meeting_type)
    return MeetingDetail.model_validate(
        {
            **base.model_dump(),
            "starts_at": record.meeting.starts_at,
            "ends_at": record.meeting.ends_at,
            "created_at": record.meeting.created_at,
            "updated_at": record.meeting.updated_at,
            "attendance": [attendance_read(a, p) for a, p in record.attendance],
            "items": [_item_detail(i) for i in record.items],
        }
    )


def question_reads(session: Session, questions) -> list[QuestionRead]:
    """Questions with their answers."""
    answers = answers_of(session, [q.id for q in questions])
    return [
        QuestionRead.model_validate(
            {
                **q.model_dump(),
                "answers": [AnswerRead.model_validate(a) for a in answers[q.id]],
            }
        )
        for q in questions
    ]
