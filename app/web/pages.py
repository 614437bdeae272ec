"""The pages: sign in and out, the meetings, a meeting's record, the action log."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.db import SessionDep
from app.models import utcnow
from app.services import identity, meetings
from app.services.approval import amendments_of
from app.services.errors import Unauthorized
from app.services.minutes import Edition, load_record, minutes_of, record_stamp
from app.services.office import get_office
from app.services.permissions import Perm
from app.services.publication import minutes_due
from app.services.schedule import holiday_of
from app.web.deps import (
    SESSION_COOKIE,
    IdPath,
    OptionalPageCaller,
    PageCaller,
    check_csrf,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
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


@router.get("/sign-in")
def sign_in_page(request: Request, caller: OptionalPageCaller,
                 next: Annotated[str | None, Query(max_length=2000)] = None):
    if caller is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "sign_in.html", {"page_title": "Sign in", "next": _safe_next(next)})


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    caller: OptionalPageCaller,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    address = request.client.host if request.client else ""
    try:
        if not email.strip() or not password:
            raise Unauthorized("Enter your email address and your password.")
        user = identity.authenticate(session, email=email, password=password, address=address)
    except Unauthorized as exc:
        return render(
            request, "sign_in.html",
            {"page_title": "Sign in", "error": exc.message, "email": email,
             "error_field": "email" if not email.strip() else "password",
             "next": _safe_next(next)},
            status_code=401,
        )
    settings = get_settings()
    started = identity.start_web_session(
        session, user=user, idle_minutes=settings.session_idle_minutes,
        max_hours=settings.session_max_hours,
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, started.raw_token, httponly=True, samesite="lax",
        secure=settings.secure_cookies, max_age=settings.session_max_hours * 3600, path="/",
    )
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
):
    check_csrf(caller, csrf_token)
    identity.end_web_session(session, request.cookies.get(SESSION_COOKIE, ""),
                             address=request.client.host if request.client else "")
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/meetings")
def meetings_page(request: Request, session: SessionDep, caller: PageCaller):
    rows = [
        {"meeting": m, "type": t, "title": meetings.meeting_title(m, t)}
        for m, t in meetings.list_meetings(session)
    ]
    due = minutes_due(session) if caller.actor.can(Perm.approve_minutes) else []
    return render(request, "meetings.html", {"page_title": "Meetings", "rows": rows,
                                             "minutes_due": due})


def _minutes_for_reader(session, meeting_id: int, actor):
    """The record and its minutes, as the public edition for readers who may not see exempt
    material."""
    edition = Edition.internal if actor.sees_exempt else Edition.public
    record = load_record(session, meeting_id=meeting_id, redact=edition == Edition.public)
    office = get_office(session)
    minutes = minutes_of(record, office_short_name=office.office_short_name,
                         office_name=office.office_name, edition=edition)
    return record, minutes, edition


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    return render(
        request,
        "meeting.html",
        {
            "page_title": record.title,
            "record": record,
            "minutes": minutes,
            "edition": edition,
            "can_export_internal": caller.actor.can(Perm.export_internal),
            "can_take_minutes": caller.actor.can(Perm.edit_record),
            "bank_holiday": holiday_of(record.meeting),
            "amendments": amendments_of(session, meeting_id=meeting_id, by=caller.actor),
        },
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
