"""The agenda builder: add, edit, nest and reorder a meeting's items; attach their papers.

Every form works without JavaScript (POST, then back to the page). With JavaScript the page
(static/assure-agenda.js) sends the same forms in the background, adds keyboard shortcuts and
drag and drop, and swaps in the list the server renders again.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.models import ItemKind, ItemPurpose
from app.schemas import ItemCreate, ItemUpdate
from app.services import agenda, papers
from app.services import people as people_service
from app.services.errors import DomainError, InvalidInput, NotFound, Unauthorized
from app.services.finding_meetings import findings_by_item
from app.services.meeting_papers import series_numbers
from app.services.meetings import get_meeting, meeting_title, meeting_type_of
from app.services.minutes import exempt_notice
from app.services.papers import is_late
from app.services.permissions import Perm, require
from app.services.stages import stage_of
from app.services.visibility import agenda_as_seen, visible_papers
from app.web.deps import IdPath, PageCaller
from app.web.forms import DateParts, parse_date, submit, validated
from app.web.templating import render

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

KIND_LABELS = {
    ItemKind.theme: "Theme",
    ItemKind.other: "Other item",
    ItemKind.outstanding_matters: "Outstanding matters",
    ItemKind.previous_minutes: "Minutes of the last meeting",
    ItemKind.holding_to_account: "Holding to account",
    ItemKind.hmicfrs: "HMICFRS",
    ItemKind.aob: "AOB",
    ItemKind.next_meeting: "Confirmation of next meeting",
}
PURPOSE_LABELS = {"": "Not set", ItemPurpose.information: "For information",
                  ItemPurpose.decision: "For decision", ItemPurpose.assurance: "For assurance"}


def _wants_fragment(request: Request) -> bool:
    return request.headers.get("X-Requested-With") == "assure-agenda"


def _page(request: Request, session, caller, meeting_id: int, *, errors=None, typed=None,
          status_code: int = 200, focus: int | None = None):
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    meeting_type = meeting_type_of(session, meeting)
    tree = agenda_as_seen(session, meeting.id, by=caller.actor)
    nodes = agenda.flatten(tree)
    attached = visible_papers(session, nodes)
    people = [p for p in people_service.list_people(session) if p.active]
    # A series that numbers its items flat, running on or by reference shows those numbers.
    row_numbers = series_numbers(session, meeting)
    context = {
        "row_numbers": row_numbers,
        "item_numbers": {key: number.rstrip(".") for key, number in row_numbers.items()},
        "page_title": ("Error: " if errors else "")
        + f"Agenda: {meeting_title(meeting, meeting_type)}",
        "meeting": meeting,
        "title": meeting_title(meeting, meeting_type),
        "tree": tree,
        "nodes": nodes,
        "papers": attached,
        "late": {n.item.id: is_late(n.item, attached[n.item.id]) for n in nodes},
        # A presenter from the force uploads the papers of their own items here.
        "uploads": set() if caller.actor.can(Perm.edit_record) else {
            n.item.id for n in nodes
            if not n.redacted and papers.may_upload(session, caller.actor, n.item)},
        "uploader_id": caller.actor.user_id,
        "people": people,
        "people_by_id": {p.id: p for p in people},
        "kinds": KIND_LABELS,
        "purposes": PURPOSE_LABELS,
        "can_edit": caller.actor.can(Perm.edit_record),
        "stage_view": stage_of(meeting, caller.actor),
        # the internal agenda and the chair's preparation are the office's (Part 2 included)
        "can_export_internal": caller.actor.can(Perm.export_internal),
        "errors": errors or {},
        "typed": typed or {},
        "date_parts": DateParts.of,
        "focus": focus,
        "findings": findings_by_item(session, meeting,
                                     [n.item.id for n in nodes if not n.redacted],
                                     by=caller.actor),
        "private": {n.item.id: exempt_notice(n.item.exempt_reason, to_come=True)
                    for n in nodes if n.redacted},
    }
    block = "agenda_list" if _wants_fragment(request) else None
    return render(request, "agenda.html", context, status_code=status_code, block=block)


def _done(request: Request, session, caller, meeting_id: int, item_id: int | None = None):
    if _wants_fragment(request):
        return _page(request, session, caller, meeting_id, focus=item_id)
    anchor = f"#item-{item_id}" if item_id else ""
    return RedirectResponse(f"/meetings/{meeting_id}/agenda{anchor}", status_code=303)


def _submit(request: Request, session, caller, meeting_id: int, work: Callable[[], T], *,
            focus: Callable[[T], int | None], typed: dict | None = None):
    """Make a change to the agenda: then the page (or the list), at the item `focus(result)`;
    or, refused (a missing meeting or item and a sign-in aside), the page again with the
    refusal at its status."""
    return submit(
        session, work, refuse=(DomainError,), passes=(Unauthorized, NotFound), words=str,
        done=lambda result: _done(request, session, caller, meeting_id, focus(result)),
        again=lambda errors, status: _page(request, session, caller, meeting_id,
                                           errors=errors, typed=typed, status_code=status))


@router.get("/meetings/{meeting_id}/agenda")
def agenda_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _page(request, session, caller, meeting_id)


def _item_fields(title, kind, presenter_id, purpose, commission, paper_due, exempt,
                 exempt_reason) -> dict:
    errors: dict[str, str] = {}
    paper_due_on = parse_date(paper_due, "paper_due", "The date the paper is due", errors)
    if errors:
        raise InvalidInput(errors)
    values = {
        "title": title,
        "kind": kind or ItemKind.theme,
        "presenter_id": int(presenter_id) if presenter_id.isdigit() else None,
        "purpose": purpose or None,
        "commission": commission,
        "paper_due_on": paper_due_on,
        "exempt": bool(exempt),
        "exempt_reason": exempt_reason,
    }
    return values


@router.post("/meetings/{meeting_id}/agenda/items")
def add_item(
    meeting_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    title: Annotated[str, Form(max_length=600)] = "",
    kind: Annotated[str, Form(max_length=40)] = "theme",
    parent_id: Annotated[str, Form(max_length=12)] = "",
    after_id: Annotated[str, Form(max_length=12)] = "",
    presenter_id: Annotated[str, Form(max_length=12)] = "",
    purpose: Annotated[str, Form(max_length=20)] = "",
    commission: Annotated[str, Form(max_length=100_000)] = "",
    due_day: Annotated[str, Form(alias="paper_due-day", max_length=20)] = "",
    due_month: Annotated[str, Form(alias="paper_due-month", max_length=20)] = "",
    due_year: Annotated[str, Form(alias="paper_due-year", max_length=20)] = "",
    exempt: Annotated[str, Form(max_length=5)] = "",
    exempt_reason: Annotated[str, Form(max_length=600)] = "",
):
    """Add an item at the end of its level, or just after `after_id`."""
    paper_due = DateParts(due_day, due_month, due_year)
    typed = {"new": {"title": title, "kind": kind, "parent_id": parent_id,
                     "commission": commission, "paper_due": paper_due}}

    def add():
        require(caller.actor, Perm.edit_record)
        values = _item_fields(title, kind, presenter_id, purpose, commission, paper_due,
                              exempt, exempt_reason)
        values["parent_id"] = int(parent_id) if parent_id.isdigit() else None
        if after_id.isdigit():
            after = agenda.get_item(session, int(after_id))
            values["parent_id"], values["position"] = after.parent_id, after.position + 1
        return agenda.create_item(session, meeting_id=meeting_id,
                                  data=validated(ItemCreate, values), by=caller.actor)

    return _submit(request, session, caller, meeting_id, add, typed=typed,
                   focus=lambda item: item.id)


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}")
def edit_item(
    meeting_id: IdPath,
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    title: Annotated[str, Form(max_length=600)] = "",
    kind: Annotated[str, Form(max_length=40)] = "theme",
    presenter_id: Annotated[str, Form(max_length=12)] = "",
    purpose: Annotated[str, Form(max_length=20)] = "",
    commission: Annotated[str, Form(max_length=100_000)] = "",
    due_day: Annotated[str, Form(alias="paper_due-day", max_length=20)] = "",
    due_month: Annotated[str, Form(alias="paper_due-month", max_length=20)] = "",
    due_year: Annotated[str, Form(alias="paper_due-year", max_length=20)] = "",
    exempt: Annotated[str, Form(max_length=5)] = "",
    exempt_reason: Annotated[str, Form(max_length=600)] = "",
):
    paper_due = DateParts(due_day, due_month, due_year)
    typed = {item_id: {"title": title, "kind": kind, "presenter_id": presenter_id,
                       "purpose": purpose, "commission": commission, "paper_due": paper_due,
                       "exempt": exempt, "exempt_reason": exempt_reason}}

    def edit():
        _own_item(session, meeting_id, item_id)
        values = _item_fields(title, kind, presenter_id, purpose, commission, paper_due,
                              exempt, exempt_reason)
        agenda.update_item(session, item_id=item_id, data=validated(ItemUpdate, values),
                           by=caller.actor)

    return _submit(request, session, caller, meeting_id, edit, typed=typed,
                   focus=lambda _: item_id)


def _own_item(session, meeting_id: int, item_id: int):
    item = agenda.get_item(session, item_id)
    if item.meeting_id != meeting_id:
        raise InvalidInput({"form": "that item belongs to another meeting"})
    return item


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/move")
def move_item(
    meeting_id: IdPath,
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    direction: Annotated[str, Form(max_length=10)] = "",
    position: Annotated[str, Form(max_length=6)] = "",
):
    """Move an item up, down, in or out; or (for drag and drop) to a position among its
    siblings."""

    def move():
        _own_item(session, meeting_id, item_id)
        if position.isdigit():
            agenda.update_item(session, item_id=item_id, by=caller.actor,
                               data=ItemUpdate(position=max(1, int(position))))
        else:
            agenda.move_item(session, item_id=item_id, direction=direction, by=caller.actor)

    return _submit(request, session, caller, meeting_id, move, focus=lambda _: item_id)


@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/delete")
def delete_item(
    meeting_id: IdPath,
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
):

    def delete():
        item = _own_item(session, meeting_id, item_id)
        agenda.delete_item(session, item_id=item_id, by=caller.actor)
        return item

    return _submit(request, session, caller, meeting_id, delete,
                   focus=lambda item: item.parent_id)


# A plain def: FastAPI reads the form first, and the work below runs in a worker thread, not
# on the event loop (waiting for SQLite's write lock there stalled every other request).
@router.post("/meetings/{meeting_id}/agenda/items/{item_id}/papers")
def upload_paper(
    meeting_id: IdPath,
    item_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    replace: Annotated[str, Form(max_length=10)] = "",
):

    def attach():
        # Who may upload is checked before the file is read.
        papers.check_uploader(session, caller.actor, _own_item(session, meeting_id, item_id))
        if file is None or not file.filename:
            raise InvalidInput({f"file-{item_id}": "choose the paper to attach"})
        content = file.file.read(papers.MAX_PAPER_BYTES + 1)
        try:
            papers.attach_paper(session, item_id=item_id, filename=file.filename,
                                content=content, by=caller.actor, replace=replace == "yes")
        except InvalidInput as exc:
            raise InvalidInput({f"file-{item_id}": exc.errors.get("file", exc.message)}) from exc

    return _submit(request, session, caller, meeting_id, attach, focus=lambda _: item_id)
