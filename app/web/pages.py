"""The pages: the meetings, a meeting's record, the action log (signing in: account_pages)."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.models import utcnow
from app.services import meetings
from app.services.approval import amendments_of, awaiting_approval
from app.services.dates import today
from app.services.inspections import inspections_due
from app.services.minutes import Edition, edition_for, load_record, minutes_of, record_stamp
from app.services.office import get_office
from app.services.permissions import Perm
from app.services.publication import minutes_due
from app.services.schedule import holiday_of
from app.services.stages import stage_of
from app.web.deps import IdPath, OptionalPageCaller, PageCaller
from app.web.forms import error_list
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site; never another host."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/meetings"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value:
        return "/meetings"
    return value


@router.get("/")
def home(caller: OptionalPageCaller):
    return RedirectResponse("/meetings" if caller else "/sign-in", status_code=303)


# Signing in and out: app/web/account_pages.py.


@router.get("/meetings")
def meetings_page(request: Request, session: SessionDep, caller: PageCaller):
    rows = [
        {"meeting": m, "type": t, "title": meetings.meeting_title(m, t)}
        for m, t in meetings.list_meetings(session)
    ]
    watches = caller.actor.can(Perm.approve_minutes)  # the chair, secretariat and admin
    due = minutes_due(session) if watches else []
    responses = inspections_due(session, today()) if watches else []
    return render(request, "meetings.html", {"page_title": "Meetings", "rows": rows,
                                             "minutes_due": due,
                                             "can_add": caller.actor.can(Perm.edit_record),
                                             "responses_due": responses})


def _minutes_for_reader(session, meeting_id: int, actor):
    """The record and its minutes, as the public edition for readers who may not see exempt
    material."""
    edition = edition_for(actor)
    record = load_record(session, meeting_id=meeting_id, redact=edition == Edition.public)
    office = get_office(session)
    minutes = minutes_of(record, office_short_name=office.office_short_name,
                         office_name=office.office_name, edition=edition)
    return record, minutes, edition


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                 notice: Annotated[str, Query(max_length=300)] = ""):
    return meeting_page_response(request, session, caller, meeting_id, notice=notice)


def meeting_page_response(request: Request, session, caller, meeting_id: int, *,
                          errors: dict[str, str] | None = None, notice: str = "",
                          status_code: int = 200):
    """The meeting's page, with its stage and next step; `errors` when a step was refused."""
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    meeting = record.meeting
    errors = errors or {}
    return render(
        request,
        "meeting.html",
        {
            "page_title": ("Error: " if errors else "") + record.title,
            "record": record,
            "minutes": minutes,
            "edition": edition,
            "can_export_internal": caller.actor.can(Perm.export_internal),
            "can_take_minutes": caller.actor.can(Perm.edit_record),
            "can_manage": caller.actor.can(Perm.edit_record),
            "can_approve": caller.actor.can(Perm.approve_minutes),
            "can_publish": caller.actor.can(Perm.publish_minutes),
            "stage": meetings.stage_words(meeting),
            "stage_view": stage_of(meeting, caller.actor),
            "not_yet_held": meeting.status in meetings.NOT_YET_HELD,
            "submitted": awaiting_approval(meeting),
            "bank_holiday": holiday_of(meeting),
            "amendments": amendments_of(session, meeting_id=meeting_id, by=caller.actor),
            "notice": notice,
            "errors": errors,
            "error_list": error_list(errors, {"stage": "next-step"}),
        },
        status_code=status_code,
    )


@router.get("/meetings/{meeting_id}/live")
def live_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    stamp = record_stamp(session, meeting_id=meeting_id)
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    return render(request, "live.html", {
        "page_title": f"{record.title} (live)", "record": record, "minutes": minutes,
        "edition": edition, "stamp": stamp, "shown_at": utcnow()})


@router.get("/meetings/{meeting_id}/live/minutes")
def live_minutes(
    meeting_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    stamp: Annotated[str, Query(max_length=64)] = "",
):
    """The live view's minutes, or 204 when nothing has changed since `stamp`."""
    current = record_stamp(session, meeting_id=meeting_id)
    if stamp == current:
        return Response(status_code=204)
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    return render(request, "live.html", {
        "record": record, "minutes": minutes, "edition": edition, "stamp": current,
        "shown_at": utcnow()}, block="live_minutes")
