"""Meetings, their attendance and their agenda items."""

from fastapi import APIRouter, Response, status

from app.db import SessionDep
from app.schemas import (
    AttendanceIn,
    AttendanceRead,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    MeetingCreate,
    MeetingDetail,
    MeetingRead,
    MeetingUpdate,
)
from app.services import agenda, meetings
from app.services.minutes import record_for
from app.web.api.shapes import item_read, meeting_detail, meeting_read
from app.web.deps import ActorDep, IdPath

router = APIRouter(tags=["meetings"])


@router.get("/meetings", response_model=list[MeetingRead])
def list_meetings(session: SessionDep, actor: ActorDep):
    return [meeting_read(session, m, t) for m, t in meetings.list_meetings(session)]


@router.post("/meetings", response_model=MeetingRead, status_code=status.HTTP_201_CREATED)
def create_meeting(data: MeetingCreate, session: SessionDep, actor: ActorDep):
    return meeting_read(session, meetings.create_meeting(session, data=data, by=actor))


@router.get("/meetings/{meeting_id}", response_model=MeetingDetail)
def get_meeting(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    return meeting_detail(session, record_for(session, meeting_id=meeting_id, by=actor))


@router.patch("/meetings/{meeting_id}", response_model=MeetingRead)
def update_meeting(meeting_id: IdPath, data: MeetingUpdate, session: SessionDep, actor: ActorDep):
    meeting = meetings.update_meeting(session, meeting_id=meeting_id, data=data, by=actor)
    return meeting_read(session, meeting)


@router.put("/meetings/{meeting_id}/attendance", response_model=list[AttendanceRead])
def set_attendance(
    meeting_id: IdPath, rows: list[AttendanceIn], session: SessionDep, actor: ActorDep
):
    result = meetings.set_attendance(session, meeting_id=meeting_id, rows=rows, by=actor)
    return [
        AttendanceRead(person_id=p.id, full_name=p.full_name, status=a.status, capacity=a.capacity)
        for a, p in result
    ]


@router.get("/meetings/{meeting_id}/items", response_model=list[ItemRead])
def list_items(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    meetings.get_meeting(session, meeting_id)
    nodes = agenda.flatten(agenda.agenda_tree(session, meeting_id))
    hide = not actor.sees_exempt
    return [
        ItemRead.model_validate({
            **n.item.model_dump(),
            "number": n.number,
            "commission": "" if hide and n.exempt else n.item.commission,
        })
        for n in nodes
        # Items under an exempt item are private; the exempt item itself shows its title.
        if not (hide and n.exempt and not n.item.exempt)
    ]


@router.post("/meetings/{meeting_id}/items", response_model=ItemRead,
             status_code=status.HTTP_201_CREATED)
def create_item(meeting_id: IdPath, data: ItemCreate, session: SessionDep, actor: ActorDep):
    item = agenda.create_item(session, meeting_id=meeting_id, data=data, by=actor)
    return item_read(session, item)


@router.patch("/items/{item_id}", response_model=ItemRead)
def update_item(item_id: IdPath, data: ItemUpdate, session: SessionDep, actor: ActorDep):
    return item_read(session, agenda.update_item(session, item_id=item_id, data=data, by=actor))


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_item(item_id: IdPath, session: SessionDep, actor: ActorDep):
    agenda.delete_item(session, item_id=item_id, by=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
