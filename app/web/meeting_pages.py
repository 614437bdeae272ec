"""A meeting's life from the browser: add a one-off meeting, change its details, move or
cancel it, start it and close it.

The rules (which stage may follow which, and who may move it on) are in
app/services/meetings.py; these routes read the forms, call the services and render.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from sqlmodel import Session, col

from app.db import SessionDep
from app.models import Meeting, MeetingStatus
from app.schemas import MeetingCreate, MeetingTypeCreate, MeetingUpdate
from app.services import invites, meetings, people
from app.services.dates import as_utc, to_london
from app.services.errors import Conflict, InvalidInput
from app.services.mail import base_url_from_settings, mailer_from_settings
from app.services.office import get_office
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    DateParts,
    error_list,
    meeting_label,
    parse_date,
    parse_id,
    people_groups,
    submit,
    validated,
)
from app.web.pages import meeting_page_response
from app.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=300)]
FormId = Annotated[str, Form(max_length=20)]
DatePart = Annotated[str, Form(max_length=20)]

NOT_ALLOWED = "Only the secretariat and administrators change meetings."
# Where the error summary links for each field.
ANCHORS = {"date": "date-day"}
# The services' and schema's field names, as the form's.
FIELD_OF = {"meeting_type_id": "series", "chair_id": "chair", "minute_taker_id": "minute_taker",
            "starts_at": "start_time", "ends_at": "end_time",
            "next_meeting_id": "next_meeting"}
FRIENDLY = {
    "series": "Choose a series from the list",
    "chair": "Choose the chair from the list",
    "minute_taker": "Choose the minute-taker from the list",
    "end_time": "The end time must be after the start time",
    "next_meeting": "Choose a later meeting from the list as the next meeting",
    "venue": "The venue must be 300 characters or fewer",
    "marking": "Enter the protective marking, like OFFICIAL (60 characters or fewer)",
    "name": "Enter a name of 200 characters or fewer, like Extraordinary Assurance Meeting",
}


def _clock(value: str, name: str, label: str, errors: dict[str, str],
           required: bool = True) -> tuple[int, int] | None:
    """"9:30", "0930" or "9.30" as (9, 30); an empty or impossible time is an error."""
    value = (value or "").strip()
    if not value:
        if required:
            errors[name] = f"Enter the {label}, like 10:00"
        return None
    match = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        errors[name] = f"Enter the {label} on the 24-hour clock, like 10:00 or 14:30"
        return None
    return int(match[1]), int(match[2])


def _at(day: date | None, clock: tuple[int, int] | None) -> datetime | None:
    """A London day and time as UTC."""
    if day is None or clock is None:
        return None
    return as_utc(datetime(day.year, day.month, day.day, *clock))


def _refused(exc: InvalidInput) -> InvalidInput:
    """A service's refusal under the form's field names, in the office's words."""
    errors: dict[str, str] = {}
    for name, message in exc.errors.items():
        name = FIELD_OF.get(name.split(".")[0], name.split(".")[0])
        errors[name] = FRIENDLY.get(name, message)
    return InvalidInput(errors)


def _manager(caller) -> None:
    require(caller.actor, Perm.edit_record, NOT_ALLOWED)


@dataclass
class MeetingForm:
    """The meeting form as typed, so nothing typed is lost on an error."""

    series: str = ""
    name: str = ""
    date: DateParts = field(default_factory=DateParts)
    start_time: str = "10:00"
    end_time: str = "12:00"
    venue: str = ""
    chair: str = ""
    minute_taker: str = ""
    marking: str = ""
    next_meeting: str = ""
    reason: str = ""

    @classmethod
    def of(cls, meeting: Meeting) -> "MeetingForm":
        start = to_london(meeting.starts_at)
        return cls(
            series=str(meeting.meeting_type_id), date=DateParts.of(start.date()),
            start_time=f"{start:%H:%M}",
            end_time=f"{to_london(meeting.ends_at):%H:%M}" if meeting.ends_at else "",
            venue=meeting.venue, chair=str(meeting.chair_id or ""),
            minute_taker=str(meeting.minute_taker_id or ""), marking=meeting.marking,
            next_meeting=str(meeting.next_meeting_id or ""))


def _later_meetings(session: Session, meeting: Meeting) -> list[tuple[str, str]]:
    """The meetings after this one, soonest first, that may be named as its next meeting."""
    return [(str(m.id), meeting_label(m, t)) for m, t in meetings.meetings_where(
        session, col(Meeting.starts_at) > meeting.starts_at,
        col(Meeting.status) != MeetingStatus.cancelled)]


# Lengths are shown on the move form: "2 hours 30 minutes".
def length_words(length: timedelta | None) -> str:
    if length is None:
        return ""
    minutes = int(length.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if rest:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts) or "0 minutes"


def _render(request: Request, session: Session, mode: str, form: MeetingForm, *,
            meeting: Meeting | None = None, errors: dict[str, str] | None = None,
            status_code: int = 200):
    errors = errors or {}
    title = ""
    if meeting is not None:
        title = meetings.meeting_title(meeting, meetings.meeting_type_of(session, meeting))
    headings = {"new": "Add a meeting", "edit": "Change the meeting's details",
                "move": "Move the meeting", "cancel": "Cancel the meeting"}
    chosen = {int(i) for i in (form.chair, form.minute_taker) if i.isdigit()}
    return render(request, "meeting_form.html", {
        "page_title": ("Error: " if errors else "") + headings[mode]
        + (f" – {title}" if title else ""),
        "heading": headings[mode], "mode": mode, "form": form, "meeting": meeting,
        "title": title,
        "stage": meetings.stage_words(meeting) if meeting else "",
        "not_yet_held": meeting is None or meeting.status in meetings.NOT_YET_HELD,
        "series_options": [(str(t.id), t.name) for t in meetings.list_meeting_types(session)],
        "people": people_groups(people.list_people(session), chosen),
        "later": _later_meetings(session, meeting) if meeting else [],
        "length": length_words(meeting.ends_at - meeting.starts_at)
        if meeting and meeting.ends_at else "",
        "invitations_sent": meeting is not None and invites.were_sent(session, meeting.id),
        "errors": errors, "error_list": error_list(errors, ANCHORS),
    }, status_code=status_code)


def _back(meeting_id: int | None, notice: str) -> str:
    return f"/meetings/{meeting_id}?notice={quote(notice)}"


def _send_now(session: Session, meeting_id: int) -> str:
    """Send the calendar invitations the change recorded (it is committed first), and say
    what went; a mail server that is down never fails the page: they wait for it."""
    try:
        report = invites.deliver(session, mailer=mailer_from_settings(),
                                 base_url=base_url_from_settings(), meeting_id=meeting_id)
    except Exception:
        log.exception("Calendar invitations to meeting %s not sent now", meeting_id)
        session.rollback()
        return " Calendar invitations will be sent when the mail server answers."
    words = invites.delivery_words(report)
    return f" {words}" if words else ""


# --- a new meeting ---------------------------------------------------------------------------


@router.get("/meetings/new")
def new_meeting_page(request: Request, session: SessionDep, caller: PageCaller):
    _manager(caller)
    return _render(request, session, "new",
                   MeetingForm(marking=get_office(session).default_marking or "OFFICIAL"))


@router.post("/meetings/new")
def add_meeting(
    request: Request, session: SessionDep, caller: PageCaller,
    series: FormId = "", name: FormStr = "",
    day: Annotated[str, Form(alias="date-day", max_length=20)] = "",
    month: Annotated[str, Form(alias="date-month", max_length=20)] = "",
    year: Annotated[str, Form(alias="date-year", max_length=20)] = "",
    start_time: FormStr = "", end_time: FormStr = "", venue: FormStr = "",
    chair: FormId = "", minute_taker: FormId = "", marking: FormStr = "",
):
    _manager(caller)
    form = MeetingForm(series=series, name=name, date=DateParts(day, month, year),
                       start_time=start_time, end_time=end_time, venue=venue, chair=chair,
                       minute_taker=minute_taker, marking=marking)
    errors: dict[str, str] = {}
    series_id = parse_id(series, "series", errors, FRIENDLY["series"])
    if series_id is None and not name.strip() and "series" not in errors:
        errors["name"] = "Choose a series, or give the one-off meeting a name"
    on = parse_date(form.date, "date", "The date of the meeting", errors)
    if on is None and "date" not in errors:
        errors["date"] = "Enter the date of the meeting"
    starts_at = _at(on, _clock(start_time, "start_time", "start time", errors))
    ends_at = _at(on, _clock(end_time, "end_time", "end time", errors, required=False))
    chair_id = parse_id(chair, "chair", errors, FRIENDLY["chair"])
    taker_id = parse_id(minute_taker, "minute_taker", errors, FRIENDLY["minute_taker"])

    def add() -> Meeting:
        try:
            type_id = series_id
            if type_id is None:
                one_off = validated(MeetingTypeCreate, {"name": name, "default_venue": venue},
                                    friendly=FRIENDLY)
                type_id = meetings.create_meeting_type(session, data=one_off,
                                                       by=caller.actor).id
            data = validated(MeetingCreate, {
                "meeting_type_id": type_id, "starts_at": starts_at, "ends_at": ends_at,
                "venue": venue or None, "chair_id": chair_id, "minute_taker_id": taker_id,
                "marking": marking or None}, friendly=FRIENDLY)
            return meetings.create_meeting(session, data=data, by=caller.actor)
        except InvalidInput as exc:
            raise _refused(exc) from exc

    return submit(
        session, add, errors=errors,
        done=lambda meeting: _back(meeting.id, "The meeting has been added."),
        again=lambda found, status: _render(request, session, "new", form, errors=found,
                                            status_code=status))


# --- a meeting's details ---------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/edit")
def edit_meeting_page(meeting_id: IdPath, request: Request, session: SessionDep,
                      caller: PageCaller):
    meeting = meetings.get_meeting(session, meeting_id)
    _manager(caller)
    return _render(request, session, "edit", MeetingForm.of(meeting), meeting=meeting)


@router.post("/meetings/{meeting_id}/edit")
def edit_meeting(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    start_time: FormStr = "", end_time: FormStr = "", venue: FormStr = "",
    chair: FormId = "", minute_taker: FormId = "", marking: FormStr = "",
    next_meeting: FormId = "",
):
    meeting = meetings.get_meeting(session, meeting_id)
    _manager(caller)
    form = MeetingForm(start_time=start_time, end_time=end_time, venue=venue, chair=chair,
                       minute_taker=minute_taker, marking=marking, next_meeting=next_meeting)
    errors: dict[str, str] = {}
    on = to_london(meeting.starts_at).date()
    starts_at = _at(on, _clock(start_time, "start_time", "start time", errors))
    ends_at = _at(on, _clock(end_time, "end_time", "end time", errors, required=False))
    values = {
        "starts_at": starts_at, "ends_at": ends_at, "venue": venue,
        "chair_id": parse_id(chair, "chair", errors, FRIENDLY["chair"]),
        "minute_taker_id": parse_id(minute_taker, "minute_taker", errors,
                                    FRIENDLY["minute_taker"]),
        "marking": marking,
        "next_meeting_id": parse_id(next_meeting, "next_meeting", errors,
                                    FRIENDLY["next_meeting"]),
    }

    def change() -> Meeting:
        try:
            data = validated(MeetingUpdate, values, friendly=FRIENDLY)
            return meetings.update_meeting(session, meeting_id=meeting_id, data=data,
                                           by=caller.actor)
        except InvalidInput as exc:
            raise _refused(exc) from exc

    def again(found: dict[str, str], status: int):
        return _render(request, session, "edit", form,
                       meeting=meetings.get_meeting(session, meeting_id), errors=found,
                       status_code=status)

    return submit(session, change, errors=errors,
                  done=lambda _: _back(meeting_id, "The meeting's details have been saved."
                                       + _send_now(session, meeting_id)),
                  again=again)


# --- moving and cancelling -------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/move")
def move_meeting_page(meeting_id: IdPath, request: Request, session: SessionDep,
                      caller: PageCaller):
    meeting = meetings.get_meeting(session, meeting_id)
    _manager(caller)
    return _render(request, session, "move", MeetingForm.of(meeting), meeting=meeting)


@router.post("/meetings/{meeting_id}/move")
def move_meeting(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    day: Annotated[str, Form(alias="date-day", max_length=20)] = "",
    month: Annotated[str, Form(alias="date-month", max_length=20)] = "",
    year: Annotated[str, Form(alias="date-year", max_length=20)] = "",
    start_time: FormStr = "",
):
    meetings.get_meeting(session, meeting_id)
    _manager(caller)
    form = MeetingForm(date=DateParts(day, month, year), start_time=start_time)
    errors: dict[str, str] = {}
    on = parse_date(form.date, "date", "The new date", errors)
    if on is None and "date" not in errors:
        errors["date"] = "Enter the new date of the meeting"
    clock = _clock(start_time, "start_time", "new start time", errors)
    starts_at = None
    if not errors:
        try:
            starts_at = _at(on, clock)
        except ValueError as exc:  # a year the record does not hold
            errors["date"] = f"The new date: {exc}"

    def move() -> Meeting:
        assert starts_at is not None  # checked above
        try:
            return meetings.move_meeting(session, meeting_id=meeting_id, starts_at=starts_at,
                                         by=caller.actor)
        except InvalidInput as exc:
            raise _refused(exc) from exc

    return submit(session, move, errors=errors,
                  done=lambda moved: _back(meeting_id, "The meeting has been moved to "
                                           f"{to_london(moved.starts_at):%-d %B %Y at %H:%M}."
                                           + _send_now(session, meeting_id)),
                  again=lambda found, status: _render(
                      request, session, "move", form,
                      meeting=meetings.get_meeting(session, meeting_id), errors=found,
                      status_code=status))


@router.get("/meetings/{meeting_id}/cancel")
def cancel_meeting_page(meeting_id: IdPath, request: Request, session: SessionDep,
                        caller: PageCaller):
    meeting = meetings.get_meeting(session, meeting_id)
    _manager(caller)
    return _render(request, session, "cancel", MeetingForm(), meeting=meeting)


@router.post("/meetings/{meeting_id}/cancel")
def cancel_meeting(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    reason: Annotated[str, Form(max_length=5000)] = "",
):
    meetings.get_meeting(session, meeting_id)
    _manager(caller)
    form = MeetingForm(reason=reason)
    return submit(
        session,
        lambda: meetings.cancel_meeting(session, meeting_id=meeting_id, reason=reason,
                                        by=caller.actor),
        done=lambda _: _back(meeting_id, "The meeting has been cancelled."
                             + _send_now(session, meeting_id)),
        again=lambda found, status: _render(
            request, session, "cancel", form, meeting=meetings.get_meeting(session, meeting_id),
            errors=found, status_code=status))


# --- starting and closing --------------------------------------------------------------------


def _meeting_again(request, session, caller, meeting_id: int):
    return lambda found, status: meeting_page_response(
        request, session, caller, meeting_id, errors=found, status_code=status)


@router.post("/meetings/{meeting_id}/start")
def start_meeting(meeting_id: IdPath, request: Request, session: SessionDep,
                  caller: PageCaller):
    return submit(
        session, lambda: meetings.start_meeting(session, meeting_id=meeting_id, by=caller.actor),
        refuse=(Conflict,), field="stage",
        done=lambda _: f"/meetings/{meeting_id}/take-minutes",
        again=_meeting_again(request, session, caller, meeting_id))


@router.post("/meetings/{meeting_id}/close")
def close_meeting(meeting_id: IdPath, request: Request, session: SessionDep,
                  caller: PageCaller):
    return submit(
        session, lambda: meetings.close_meeting(session, meeting_id=meeting_id, by=caller.actor),
        refuse=(Conflict,), field="stage",
        done=lambda _: _back(meeting_id, "The meeting is closed. Check the draft minutes, "
                                         "then submit them to the chair."),
        again=_meeting_again(request, session, caller, meeting_id))


# --- calendar invitations --------------------------------------------------------------------


@router.post("/meetings/{meeting_id}/invitations")
def send_invitations(meeting_id: IdPath, request: Request, session: SessionDep,
                     caller: PageCaller):
    def done(added: int) -> str:
        sent = _send_now(session, meeting_id)
        if not added and not sent:
            return _back(meeting_id, "Everyone invited with an email address has already "
                                     "been sent the meeting's current details.")
        return _back(meeting_id, sent.strip())

    return submit(
        session,
        lambda: invites.request_invitations(session, meeting_id=meeting_id, by=caller.actor),
        refuse=(Conflict,), field="invitations", done=done,
        again=_meeting_again(request, session, caller, meeting_id))
