"""Series of meetings: their schedules, standing items, invitees, and making their meetings."""

from fastapi import APIRouter, status

from app.db import SessionDep
from app.schemas import (
    GeneratedRead,
    InviteeIn,
    InviteeRead,
    MeetingTypeCreate,
    MeetingTypeRead,
    MeetingTypeUpdate,
    StandingItemIn,
    StandingItemRead,
)
from app.services import meetings, schedule
from app.web.api.shapes import meeting_read, meeting_type_read
from app.web.deps import ActorDep, IdPath

router = APIRouter(tags=["series"])


@router.get("/meeting-types", response_model=list[MeetingTypeRead])
def list_meeting_types(session: SessionDep, actor: ActorDep):
    """Every series of meetings, by name, with its schedule in words and minutes format."""
    return [meeting_type_read(t) for t in meetings.list_meeting_types(session)]


@router.post("/meeting-types", response_model=MeetingTypeRead,
             status_code=status.HTTP_201_CREATED)
def create_meeting_type(data: MeetingTypeCreate, session: SessionDep, actor: ActorDep):
    """Add a series of meetings, with its schedule and its minutes format if given (an
    unknown option or a bad value is 422, named "minutes_format.OPTION")."""
    return meeting_type_read(meetings.create_meeting_type(session, data=data, by=actor))


@router.get("/meeting-types/{meeting_type_id}", response_model=MeetingTypeRead)
def get_meeting_type(meeting_type_id: IdPath, session: SessionDep, actor: ActorDep):
    """One series of meetings, with its schedule in words."""
    return meeting_type_read(meetings.get_meeting_type(session, meeting_type_id))


@router.patch("/meeting-types/{meeting_type_id}", response_model=MeetingTypeRead)
def update_meeting_type(
    meeting_type_id: IdPath, data: MeetingTypeUpdate, session: SessionDep, actor: ActorDep
):
    """Change a series' name, venue, schedule or minutes format; meetings already made keep
    their agenda, and their documents follow the new format."""
    series = meetings.update_meeting_type(session, meeting_type_id=meeting_type_id, data=data,
                                          by=actor)
    return meeting_type_read(series)


@router.put("/meeting-types/{meeting_type_id}/standing-items",
            response_model=list[StandingItemRead])
def set_standing_items(
    meeting_type_id: IdPath, items: list[StandingItemIn], session: SessionDep, actor: ActorDep
):
    """Replace the series' standing agenda items, in order; meetings already made keep theirs."""
    saved = schedule.set_standing_items(
        session, meeting_type_id=meeting_type_id, by=actor,
        items=[schedule.StandingItem(title=i.title, kind=i.kind) for i in items])
    return [StandingItemRead(title=i.title, kind=i.kind) for i in saved]


@router.put("/meeting-types/{meeting_type_id}/attendees", response_model=list[InviteeRead])
def set_attendees(
    meeting_type_id: IdPath, invitees: list[InviteeIn], session: SessionDep, actor: ActorDep
):
    """Replace who is invited to every meeting of the series, in order."""
    saved = schedule.set_series_attendees(
        session, meeting_type_id=meeting_type_id, by=actor,
        invitees=[schedule.Invitee(person_id=i.person_id, capacity=i.capacity)
                  for i in invitees])
    return [InviteeRead(person_id=p.id, full_name=p.full_name, capacity=a.capacity)
            for a, p in saved]


@router.post("/meeting-types/{meeting_type_id}/generate", response_model=GeneratedRead)
def generate(meeting_type_id: IdPath, session: SessionDep, actor: ActorDep):
    """Make the series' meetings for the coming year that do not exist yet."""
    generated = schedule.generate_meetings(session, meeting_type_id=meeting_type_id, by=actor)
    return GeneratedRead(made=[meeting_read(session, m) for m in generated.made],
                         already=generated.already)
