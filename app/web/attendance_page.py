"""A meeting's attendance from the browser, without a script: who came, in what capacity,
whom a substitute came for, the items someone was in attendance for.

The series' usual attendees come first (app/services/attendance.py says who they are); anyone
else is found by name with a GET search and added to the list. The rules are the service's.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep
from app.models import AttendanceStatus, Meeting, Person
from app.schemas import AttendanceIn
from app.services import attendance as attendance_service
from app.services import meetings, people
from app.services.errors import InvalidInput
from app.services.meetings import default_capacity
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import error_list, person_option, sentence, submit, whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)

NOT_ALLOWED = "Only the secretariat and administrators record the attendance."
MAX_ROWS = 200  # more people than any meeting has; a longer form is refused
SEARCH_SHOWN = 10  # matches shown for a search; more means the search should be narrower
STATUS_CHOICES = [("", "Not recorded")] + [
    (status.value, words) for status, words in attendance_service.STATUS_WORDS.items()]


@dataclass
class TypedRow:
    """One person's line of the form, as typed (or as recorded)."""

    person: Person
    status: str = ""
    capacity: str = ""
    substitute_for: str = ""
    items: str = ""
    usual: bool = False


def _item_numbers(nodes, item_ids: list[int]) -> str:
    numbers = {node.item.id: node.number for node in nodes}
    found = [numbers[i] for i in item_ids if i in numbers]
    return " and ".join([", ".join(found[:-1]), found[-1]]) if len(found) > 1 else "".join(found)


def _recorded_rows(session, meeting: Meeting, nodes, added: list[int]) -> list[TypedRow]:
    rows = []
    for row in attendance_service.attendance_rows(session, meeting):
        a = row.attendance
        rows.append(TypedRow(
            person=row.person, status=row.status, capacity=row.capacity,
            substitute_for=str(a.substitute_for_id or "") if a else "",
            items=_item_numbers(nodes, a.items) if a else "", usual=row.usual))
    listed = {r.person.id for r in rows}
    for person_id in added:
        if person_id in listed:
            continue
        person = session.get(Person, person_id)
        if person is not None and person.active:
            listed.add(person_id)
            rows.append(TypedRow(person=person, status=AttendanceStatus.present.value,
                                 capacity=default_capacity(person)))
    return rows


def _render(request: Request, session, meeting: Meeting, rows: list[TypedRow], *,
            q: str = "", added: list[int] | None = None, errors: dict[str, str] | None = None,
            status_code: int = 200):
    errors = errors or {}
    title = meetings.meeting_title(meeting, meetings.meeting_type_of(session, meeting))
    found = None
    listed = {r.person.id for r in rows}
    if q.strip():
        found = people.search_people(session, text=q, active=True)
    added = added or []
    matches = [
        {"person": p, "href": f"/meetings/{meeting.id}/attendance?"
         + urlencode([("add", i) for i in [*added, p.id]]) + "#attendance-form"}
        for p in (found.people[:SEARCH_SHOWN] if found else []) if p.id not in listed]
    return render(request, "attendance.html", {
        "page_title": ("Error: " if errors else "") + f"Attendance – {title}",
        "meeting": meeting, "title": title, "rows": rows, "q": q, "added": added,
        "found": found, "matches": matches, "search_shown": SEARCH_SHOWN,
        "status_choices": STATUS_CHOICES,
        "substitute_choices": [(str(r.person.id), person_option(r.person)) for r in rows],
        "errors": errors, "error_list": error_list(errors, {"form": "attendance-form"}),
    }, status_code=status_code)


@router.get("/meetings/{meeting_id}/attendance")
def attendance_page(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    q: Annotated[str, Query(max_length=200)] = "",
    add: Annotated[list[str], Query(max_length=MAX_ROWS)] = [],  # noqa: B006 (FastAPI's way)
):
    meeting = meetings.get_meeting(session, meeting_id)
    require(caller.actor, Perm.edit_record, NOT_ALLOWED)
    added = [i for i in (whole_id(v) for v in add) if i is not None]
    nodes = attendance_service.numbered_items(session, meeting_id)
    return _render(request, session, meeting, _recorded_rows(session, meeting, nodes, added),
                   q=q, added=added)


def _typed_rows(session, form) -> tuple[list[TypedRow], dict[str, str]]:
    """The rows of a posted form, in their order; a person who is not in the directory is an
    error on the form."""
    indexes = sorted(int(k[len("person-"):]) for k in form.keys()
                     if k.startswith("person-") and k[len("person-"):].isdigit())
    rows: list[TypedRow] = []
    errors: dict[str, str] = {}
    if len(indexes) > MAX_ROWS:
        return [], {"form": f"The list can hold at most {MAX_ROWS} people"}
    for index in indexes:
        person_id = whole_id(str(form.get(f"person-{index}", "")))
        person = session.get(Person, person_id) if person_id else None
        if person is None:
            errors["form"] = "Someone on the list is not in the people directory any more: " \
                             "reload the page and try again"
            continue
        rows.append(TypedRow(
            person=person, status=str(form.get(f"status-{index}", ""))[:20],
            capacity=str(form.get(f"capacity-{index}", ""))[:1000],
            substitute_for=str(form.get(f"substitute_for-{index}", ""))[:20],
            items=str(form.get(f"items-{index}", ""))[:500]))
    return rows, errors


def _save(request: Request, session, caller, meeting_id: int, form):
    meeting = meetings.get_meeting(session, meeting_id)
    require(caller.actor, Perm.edit_record, NOT_ALLOWED)
    nodes = attendance_service.numbered_items(session, meeting_id)
    rows, errors = _typed_rows(session, form)
    statuses = {s.value for s in AttendanceStatus}
    data: list[AttendanceIn] = []
    for index, row in enumerate(rows):
        if not row.status:
            continue  # not recorded: left off the list
        name = row.person.full_name
        if row.status not in statuses:
            errors[f"status-{index}"] = f"Choose {name}'s attendance from the list"
            continue
        substitute_for = None
        if row.status == AttendanceStatus.substitute:
            substitute_for = whole_id(row.substitute_for)
            if substitute_for is None:
                errors[f"substitute_for-{index}"] = f"Choose whom {name} is a substitute for"
            elif substitute_for == row.person.id:
                errors[f"substitute_for-{index}"] = \
                    f"{name} cannot be a substitute for themselves: choose someone else"
        item_ids: list[int] | None = None
        if row.status == AttendanceStatus.in_attendance:
            try:
                item_ids = attendance_service.item_ids_from_numbers(nodes, row.items)
            except InvalidInput as exc:
                errors[f"items-{index}"] = f"{name}: {exc.errors['items']}"
        try:
            data.append(AttendanceIn(
                person_id=row.person.id, status=AttendanceStatus(row.status),
                capacity=row.capacity.strip() or default_capacity(row.person),
                substitute_for_id=substitute_for,
                item_ids=item_ids if item_ids is not None else []))
        except ValidationError:
            errors[f"capacity-{index}"] = \
                f"{name}'s capacity must be one line of 300 characters or fewer"
    position = {r.person.id: i for i, r in enumerate(rows)}

    def where(key: str) -> str:
        # the service's "3.substitute_for_id" is the form's "substitute_for-<row>"
        number, _, field = key.partition(".")
        person_id = data[int(number)].person_id if number.isdigit() else None
        row = position.get(person_id, 0)
        return {"substitute_for_id": f"substitute_for-{row}", "item_ids": f"items-{row}",
                "capacity": f"capacity-{row}"}.get(field, "form")

    def save():
        try:
            return attendance_service.set_attendance(
                session, meeting_id=meeting_id,
                rows=data,
                by=caller.actor)
        except InvalidInput as exc:
            raise InvalidInput({where(k): sentence(v) for k, v in exc.errors.items()}) from exc

    return submit(
        session, save, errors=errors,
        done=lambda _: f"/meetings/{meeting_id}?notice=" + "The+attendance+has+been+saved.",
        again=lambda found, status: _render(request, session, meeting, rows, errors=found,
                                            status_code=status))


@router.post("/meetings/{meeting_id}/attendance")
async def save_attendance(meeting_id: IdPath, request: Request, session: SessionDep,
                          caller: PageCaller):
    form = await request.form()
    # in a worker thread: a write may wait for SQLite's lock, which would stall the event loop
    return await run_in_threadpool(_save, request, session, caller, meeting_id, form)
