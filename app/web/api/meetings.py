"""Meetings, their attendance and their agenda items."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, UploadFile, status
from pydantic import BaseModel

from app.db import SessionDep
from app.export.agenda_docx import render_agenda
from app.export.questions_docx import render_question_pack
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
    PaperRead,
)
from app.services import agenda, meetings, papers
from app.services.entries import visible_item
from app.services.meeting_papers import agenda_for, mark_pack_sent, question_pack_for
from app.services.minutes import Edition, record_for
from app.services.paging import DEFAULT_LIMIT
from app.services.visibility import agenda_as_seen
from app.services.word_template import template_bytes
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, PageOf, answer
from app.web.api.shapes import attendance_read, item_read, meeting_detail, meeting_read
from app.web.deps import ActorDep, IdPath
from app.web.downloads import DOCX_TYPE, docx_response, file_response

router = APIRouter(tags=["meetings"])


class SentRead(BaseModel):
    sent: int  # how many questions went to the force


@router.get("/meetings", response_model=PageOf[MeetingRead], responses=PAGED)
def list_meetings(request: Request, response: Response, session: SessionDep, actor: ActorDep,
                  limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None):
    """Every meeting with its series, the latest first, a page at a time."""
    page = meetings.page_meetings(session, limit=limit, cursor=cursor)
    return answer(request, response, page, [meeting_read(session, m, t) for m, t in page.rows])


@router.post("/meetings", response_model=MeetingRead, status_code=status.HTTP_201_CREATED)
def create_meeting(data: MeetingCreate, session: SessionDep, actor: ActorDep):
    """Schedule a meeting; venue and marking default to the series' and the office's."""
    return meeting_read(session, meetings.create_meeting(session, data=data, by=actor))


@router.get("/meetings/{meeting_id}", response_model=MeetingDetail)
def get_meeting(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    """A meeting's record as the caller may read it: attendance, agenda, entries and actions."""
    return meeting_detail(session, record_for(session, meeting_id=meeting_id, by=actor))


@router.patch("/meetings/{meeting_id}", response_model=MeetingRead)
def update_meeting(meeting_id: IdPath, data: MeetingUpdate, session: SessionDep, actor: ActorDep):
    """Change a meeting; the chair may only approve draft minutes the secretariat submitted."""
    meeting = meetings.update_meeting(session, meeting_id=meeting_id, data=data, by=actor)
    return meeting_read(session, meeting)


@router.put("/meetings/{meeting_id}/attendance", response_model=list[AttendanceRead])
def set_attendance(
    meeting_id: IdPath, rows: list[AttendanceIn], session: SessionDep, actor: ActorDep
):
    """Replace the meeting's attendance with the list given, in its order. A row without a
    capacity keeps the one recorded for that person (their role's if they are new to the list);
    so do a substitute's `substitute_for_id` and the `item_ids` of someone in attendance for
    some items, when left out."""
    result = meetings.set_attendance(session, meeting_id=meeting_id, rows=rows, by=actor)
    return [attendance_read(a, p) for a, p in result]


@router.get("/meetings/{meeting_id}/items", response_model=list[ItemRead])
def list_items(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    """The meeting's agenda items in agenda order, numbered, as the caller may see them."""
    meetings.get_meeting(session, meeting_id)
    nodes = agenda.flatten(agenda_as_seen(session, meeting_id, by=actor))
    return [ItemRead.model_validate({**n.item.model_dump(), "number": n.number}) for n in nodes]


@router.post("/meetings/{meeting_id}/items", response_model=ItemRead,
             status_code=status.HTTP_201_CREATED)
def create_item(meeting_id: IdPath, data: ItemCreate, session: SessionDep, actor: ActorDep):
    """Add an item to the meeting's agenda, at the end of its level or at a position."""
    item = agenda.create_item(session, meeting_id=meeting_id, data=data, by=actor)
    return item_read(session, item)


@router.patch("/items/{item_id}", response_model=ItemRead)
def update_item(item_id: IdPath, data: ItemUpdate, session: SessionDep, actor: ActorDep):
    """Change an item; a new parent or position moves it and renumbers its neighbours."""
    return item_read(session, agenda.update_item(session, item_id=item_id, data=data, by=actor))


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_item(item_id: IdPath, session: SessionDep, actor: ActorDep):
    """Remove an item and its empty sub-items; an item holding minutes is never deleted."""
    agenda.delete_item(session, item_id=item_id, by=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/meetings/{meeting_id}/agenda.docx",
    response_class=Response,
    responses={200: {"content": {DOCX_TYPE: {}}}},
)
def agenda_docx(
    meeting_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    edition: Annotated[Edition, Query()] = Edition.internal,
):
    """The meeting's agenda as a Word document, in the internal or the public edition."""
    record = agenda_for(session, meeting_id=meeting_id, edition=edition, by=actor)
    return docx_response(render_agenda(record, template_bytes(session)), record.title, edition)


@router.get(
    "/meetings/{meeting_id}/question-pack.docx",
    response_class=Response,
    responses={200: {"content": {DOCX_TYPE: {}}}},
)
def question_pack_docx(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    """The Commissioner's questions for the force, item by item, as a Word document (the
    Commissioner's office only)."""
    record = question_pack_for(session, meeting_id=meeting_id, by=actor)
    return docx_response(render_question_pack(record, template_bytes(session)), record.title, "")


@router.post("/meetings/{meeting_id}/questions/send", response_model=SentRead)
def send_questions(meeting_id: IdPath, session: SessionDep, actor: ActorDep):
    """Mark the meeting's ready questions as sent to the force (with the question pack)."""
    return SentRead(sent=mark_pack_sent(session, meeting_id=meeting_id, by=actor))


@router.get("/items/{item_id}/papers", response_model=list[PaperRead])
def list_papers(item_id: IdPath, session: SessionDep, actor: ActorDep):
    """The papers attached to an item, oldest first."""
    visible_item(session, item_id, actor)
    return papers.papers_of(session, [item_id])[item_id]


@router.post("/items/{item_id}/papers", response_model=PaperRead,
             status_code=status.HTTP_201_CREATED)
def attach_paper(item_id: IdPath, file: UploadFile, session: SessionDep, actor: ActorDep):
    """Attach a PDF or Word paper (multipart form field `file`, at most 20 MB); a force
    officer, to the items they present."""
    # A plain def, so that this runs in a worker thread, off the event loop.
    content = file.file.read(papers.MAX_PAPER_BYTES + 1)
    return papers.attach_paper(session, item_id=item_id, filename=file.filename or "",
                               content=content, by=actor)


@router.get("/papers/{paper_id}", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, DOCX_TYPE: {}}}})
def download_paper(paper_id: IdPath, session: SessionDep, actor: ActorDep):
    """A paper's file (PDF or Word), as it was attached."""
    paper = papers.get_paper(session, paper_id)
    visible_item(session, paper.item_id, actor)
    return file_response(paper.content, paper.filename, paper.content_type)


@router.delete("/papers/{paper_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_paper(paper_id: IdPath, session: SessionDep, actor: ActorDep):
    """Remove a paper attached by mistake."""
    papers.delete_paper(session, paper_id=paper_id, by=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
