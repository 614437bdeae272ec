"""Actions: the action log, an action's page with its history and sign-off, "My actions", and
the page an owner reaches from an emailed link without an account.

The rules (who may update, close, send back or hand on an action) are in
app/services/actions.py; these routes read forms, call the services and render.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep
from app.export.action_log_docx import build_action_log_document
from app.export.action_log_xlsx import write_action_log_xlsx
from app.models import Action, ActionStatus, Meeting, Person, Rag
from app.schemas import ActionEdit, ActionUpdateCreate
from app.services import actions, meetings, owner_links
from app.services import people as people_service
from app.services.action_log import (
    OWNER_PAGE_SIZE,
    SORTS,
    STATUS_WORDS,
    LogFilters,
    action_log_for,
    describe_filters,
    log_page,
    open_over_time,
    owner_actions_page,
)
from app.services.common import person_label
from app.services.errors import DomainError, Forbidden, InvalidInput, NotFound
from app.services.permissions import Actor, Perm, allowed
from app.services.word_template import template_bytes
from app.web import paged
from app.web.chair_news import tell_the_chair
from app.web.deps import IdPath, OwnerLinkHolder, PageCaller
from app.web.downloads import DOCX_TYPE, XLSX_TYPE, safe_filename, written_file_response
from app.web.forms import error_list, parse_day, submit, whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

FormStr = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=20_000)]
# What an owner may do from their page: the statuses they may choose, in words.
OWNER_CHOICES = [
    ("", "Keep the status as it is"),
    (ActionStatus.in_progress, "In progress"),
    (ActionStatus.paused, "Paused"),
    (ActionStatus.pending_signoff, "Done: ask the Commissioner's office to close it"),
]


# --- the action log ----------------------------------------------------------------------


def read_filters(params: dict[str, str], *, default_status: str = ""
                 ) -> tuple[LogFilters, dict[str, str]]:
    """The log's filters from the query string; a date that does not exist is reported.
    Status "not_closed" is every status but closed, "all" (or none) every status."""
    errors: dict[str, str] = {}
    status = params.get("status", default_status)
    filters = LogFilters(
        owner_id=whole_id(params.get("owner", "")),
        status=ActionStatus(status) if status in ActionStatus.__members__ else None,
        open_only=status == "not_closed",
        rag=Rag(params["rag"]) if params.get("rag") in Rag.__members__ else None,
        meeting_id=whole_id(params.get("meeting", "")),
        theme=params.get("theme", "")[:200],
        search=params.get("q", "")[:200],
        sort=params.get("sort", "") if params.get("sort") in SORTS else "reference",
        descending=params.get("order") == "desc",
    )
    for name in ("due_from", "due_to"):
        try:
            setattr(filters, name, parse_day(params.get(name, ""), name))
        except InvalidInput as exc:
            errors.update(exc.errors)
    return filters, errors


LOG_PARAMS = ("owner", "status", "rag", "meeting", "theme", "due_from", "due_to", "q", "sort",
              "order")
# The meetings the log's filter offers (with the one chosen, if older).
MEETING_CHOICES = 36
# The log page shows the actions not yet closed unless another status (or "all") is chosen.
PAGE_DEFAULT_STATUS = "not_closed"


def _cursor(params, name: str) -> int | None:
    """A page link's action id ("after" or "before"); anything else is refused (400)."""
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput({"page": "this page link is not right: go back to the first page"})
    return int(value)


@router.get("/actions")
def action_log_page(request: Request, session: SessionDep, caller: PageCaller):
    params = {k: v for k, v in request.query_params.items() if k in LOG_PARAMS}
    after = _cursor(request.query_params, "after")
    before = _cursor(request.query_params, "before")
    return _log_page(request, session, caller, params, after=after, before=before,
                     notice=request.query_params.get("notice", "")[:300])


def _log_page(request: Request, session, caller, params: dict[str, str], *,
              after: int | None = None, before: int | None = None,
              notice: str = "", refused: dict[str, str] | None = None, status_code: int = 200):
    """A page of the action log filtered by params; refused: the take-up form's errors,
    "pick" for the ticks (linked to the first action's box).

    The same statements however long the record (issue 17; bench/bench_bounded.py): one page
    of PAGE_SIZE actions (keyset) and what its rows show of them (owners, latest update);
    the totals by status, RAG and owner as aggregate queries; the chart's twelve weeks as one
    aggregate query each (open_over_time); the people; the latest MEETING_CHOICES meetings
    and the one chosen, and the meetings still to be held."""
    params = {k: v for k, v in params.items() if v != ""}
    params.setdefault("status", PAGE_DEFAULT_STATUS)
    filters, errors = read_filters(params)
    page = log_page(session, by=caller.actor, filters=filters, after=after, before=before)
    entries = page.entries
    pick_error = (refused or {}).get("pick", "")
    for field, message in (refused or {}).items():
        if field == "pick":
            field = f"pick-{entries[0].view.action.id}" if entries else "take-up-meeting"
        errors[field] = message
    everyone = people_service.list_people(session)
    owners = [p for p in everyone if p.active or p.id == filters.owner_id]
    # The filter offers the latest meetings (those to come first) and the one chosen; taking
    # actions up offers every meeting still to be held: not every meeting of the record.
    recent = meetings.meetings_where(session, limit=MEETING_CHOICES, latest_first=True,
                                     keep=[filters.meeting_id])
    owner = next((p for p in everyone if p.id == filters.owner_id), None)
    meeting_titles = {m.id: meetings.meeting_title(m, t) for m, t in recent}
    upcoming = [(m, meetings.meeting_title(m, t)) for m, t in meetings.meetings_where(
        session, col(Meeting.status).in_(["planned", "agenda_issued"]))]
    weeks = open_over_time(session, by=caller.actor, owner_id=filters.owner_id)
    query = urlencode(params)
    return render(request, "actions.html", {
        "page_title": ("Error: " if errors else "") + "Actions",
        "entries": entries,
        "views": [e.view for e in entries],
        "total": page.total,
        # with nothing open, whether there are any actions at all (one query, then only)
        "any_actions": bool(page.total) or session.exec(select(Action.id).limit(1)).first()
        is not None,
        "by_status": page.by_status,
        "by_rag": page.by_rag,
        "next_link": (f"/actions?{urlencode({**params, 'after': page.next_after})}"
                      if page.next_after else None),
        "previous_link": (f"/actions?{urlencode({**params, 'before': page.previous_before})}"
                          if page.previous_before else None),
        "owners": owners,
        "statuses": list(ActionStatus),
        "status_words": STATUS_WORDS,
        "rags": list(Rag),
        "sorts": SORTS,
        "meetings": [(m.id, meeting_titles[m.id]) for m, _ in recent],
        "upcoming": upcoming,
        "themes": page.themes,
        "params": params,
        "filtered_now": any(v for k, v in params.items() if k not in ("sort", "order", "status")
                            ) or params["status"] not in (PAGE_DEFAULT_STATUS, "all"),
        "errors": errors,
        "description": describe_filters(filters, owner=person_label(owner) if owner else "",
                                        meeting=meeting_titles.get(filters.meeting_id, "")),
        "selected": {"owner": filters.owner_id, "status": filters.status, "rag": filters.rag},
        "weeks": weeks,
        "by_owner": page.by_owner,
        "can_edit": caller.actor.can(Perm.edit_record),
        "query": query,
        "notice": notice,
        "pick_error": pick_error,
    }, status_code=status_code)


def _log_document(request: Request, session, caller, fmt: str):
    params = {k: v for k, v in request.query_params.items() if k in LOG_PARAMS}
    filters, errors = read_filters(params)
    if errors:
        raise InvalidInput(errors)
    return action_log_for(session, by=caller.actor, filters=filters, fmt=fmt)


@router.get("/actions/log.docx")
def action_log_docx(request: Request, session: SessionDep, caller: PageCaller):
    log = _log_document(request, session, caller, "docx")
    template = template_bytes(session)
    return written_file_response(
        lambda out: build_action_log_document(log, template).save(out),
        safe_filename(log.title, "", "docx"), DOCX_TYPE)


@router.get("/actions/log.xlsx")
def action_log_xlsx(request: Request, session: SessionDep, caller: PageCaller):
    log = _log_document(request, session, caller, "xlsx")
    return written_file_response(lambda out: write_action_log_xlsx(log, out),
                                 safe_filename(log.title, "", "xlsx"), XLSX_TYPE)


@router.post("/actions/take-up")
async def take_up(request: Request, session: SessionDep, caller: PageCaller):
    """Include the ticked actions in a meeting's outstanding matters."""
    form = await request.form()
    ids = [int(str(v)) for v in form.getlist("action_id") if str(v).isdigit()][:500]
    meeting_id = whole_id(str(form.get("meeting_id", "")))
    back = str(form.get("back", ""))[:1000]
    if not ids or meeting_id is None:
        refused = {}
        if not ids:
            refused["pick"] = "Tick at least one action to take up"
        if meeting_id is None:
            refused["take-up-meeting"] = "Choose the meeting to take them up at"
        params = {k: v for k, v in parse_qsl(back) if k in LOG_PARAMS}
        return await run_in_threadpool(_log_page, request, session, caller, params,
                                       refused=refused, status_code=422)
    # in a worker thread: a write may wait seconds for SQLite's lock, and on the event
    # loop that wait would stall every other request
    added = await run_in_threadpool(actions.take_up_at, session, action_ids=ids,
                                    meeting_id=meeting_id, by=caller.actor)
    notice = f"{added} actions will be taken up under that meeting's outstanding matters."
    separator = "&" if back else ""
    from urllib.parse import quote

    return RedirectResponse(f"/actions?{back}{separator}notice={quote(notice)}",
                            status_code=303)


# --- one action --------------------------------------------------------------------------


def _action_page(request, session, caller, action_id: int, *, errors=None, typed=None,
                 status_code: int = 200, link: str = ""):
    view = actions.get_action(session, action_id=action_id, by=caller.actor)
    updates = actions.list_updates(session, action_id=action_id, by=caller.actor)
    everyone = {p.id: p for p in people_service.list_people(session)}
    meeting = (meetings.get_meeting(session, view.action.meeting_id)
               if view.action.meeting_id else None)
    actor = caller.actor
    owns = actions.owns(actor, view)
    return render(request, "action.html", {
        "page_title": f"Action {view.action.reference}",
        "view": view,
        "updates": updates,
        "people": everyone,
        "colleagues": actions.delegates(session, excluding=view.owner_ids),
        "meeting": meeting,
        "meeting_title": (meetings.meeting_title(meeting, meetings.meeting_type_of(session,
                                                                                  meeting))
                          if meeting else ""),
        "status_words": STATUS_WORDS,
        "can_close": actor.can(Perm.close_actions),
        "can_update": allowed(actor, Perm.update_actions, owned=owns),
        "owns": owns,
        "can_manage": actor.can(Perm.edit_record),
        "owner_choices": OWNER_CHOICES,
        "errors": errors or {},
        "typed": typed or {},
        "link": link,
    }, status_code=status_code)


@router.get("/actions/{action_id}")
def action_page(action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _action_page(request, session, caller, action_id)


def _submit(request, session, caller, action_id: int, work: Callable[[], T], *,
            typed: dict | None = None, done: Callable[[T], Response | str] | None = None):
    """Make a change to the action: then `done` (by default, back to its page); or, refused
    (a missing action aside), its page again with the refusal at its status."""
    return submit(
        session, work, refuse=(DomainError,), passes=(NotFound,), words=str,
        done=done or (lambda _: f"/actions/{action_id}"),
        again=lambda errors, status: _action_page(request, session, caller, action_id,
                                                  errors=errors, typed=typed,
                                                  status_code=status))


@router.post("/actions/{action_id}/updates")
def post_update(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    background: BackgroundTasks, text: FormText = "", status: FormStr = "",
):
    new = ActionStatus(status) if status in ActionStatus.__members__ else None
    if new == ActionStatus.pending_signoff:
        tell_the_chair(request, background)
    return _submit(request, session, caller, action_id,
                   lambda: actions.add_update(session, action_id=action_id, by=caller.actor,
                                              data=ActionUpdateCreate(text=text, status=new)),
                   typed={"text": text, "status": status},
                   done=lambda _: f"/actions/{action_id}#history")


@router.post("/actions/{action_id}/close")
def close_action(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    text: FormText = "",
):
    return _submit(request, session, caller, action_id,
                   lambda: actions.add_update(session, action_id=action_id, by=caller.actor,
                                              data=ActionUpdateCreate(
                                                  text=text, status=ActionStatus.closed)),
                   typed={"close_text": text})


@router.post("/actions/{action_id}/send-back")
def send_back(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    text: FormText = "",
):
    """Refuse a request for closure: the action goes back to the owner with the reason."""
    return _submit(request, session, caller, action_id,
                   lambda: actions.send_back(session, action_id=action_id, text=text,
                                             by=caller.actor),
                   typed={"back_text": text})


@router.post("/actions/{action_id}/reopen")
def reopen(action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _submit(request, session, caller, action_id,
                   lambda: actions.update_action(session, action_id=action_id, by=caller.actor,
                                                 data=ActionEdit(status=ActionStatus.open)))


@router.post("/actions/{action_id}/delegate")
def delegate(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    to_person_id: FormStr = "", from_person_id: FormStr = "",
    note: FormText = "",
):

    def hand_on():
        target = whole_id(to_person_id)
        if target is None:
            raise InvalidInput({"to_person_id": "choose the colleague who takes it on"})
        actions.delegate_action(session, action_id=action_id, to_person_id=target,
                                from_person_id=whole_id(from_person_id), note=note,
                                by=caller.actor)

    return _submit(request, session, caller, action_id, hand_on, typed={"note": note},
                   done=lambda _: f"/actions/{action_id}#history")


@router.post("/actions/{action_id}/links")
def make_link(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    person_id: FormStr = "",
):
    """Make a link for one of the action's owners, shown once to be sent on."""

    def make():
        owner = _owner_of(session, caller, action_id, person_id)
        return owner_links.create_link(session, person_id=owner, by=caller.actor)

    base = str(request.base_url).rstrip("/")
    return _submit(request, session, caller, action_id, make,
                   done=lambda new: _action_page(request, session, caller, action_id,
                                                 link=f"{base}{new.path()}"))


@router.post("/actions/{action_id}/links/revoke")
def revoke_links(
    action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    person_id: FormStr = "",
):
    return _submit(request, session, caller, action_id,
                   lambda: owner_links.revoke_all(
                       session, person_id=_owner_of(session, caller, action_id, person_id),
                       by=caller.actor))


def _owner_of(session, caller, action_id: int, person_id: str) -> int:
    """The chosen owner of the action, or InvalidInput."""
    view = actions.get_action(session, action_id=action_id, by=caller.actor)
    owner = whole_id(person_id)
    if owner is None or owner not in view.owner_ids:
        raise InvalidInput({"person_id": "choose one of this action's owners"})
    return owner


# --- an owner's own actions: with an account, or from an emailed link ---------------------


def _owner_page(request, session, *, person: Person, actor: Actor, base: str, link=None,
                csrf: str | None, errors=None, typed=None, status_code=200, notice=""):
    assert person.id is not None  # a saved person
    wanted = paged.asked(request.query_params, size=OWNER_PAGE_SIZE)
    found = owner_actions_page(session, person_id=person.id, by=actor, limit=wanted.limit,
                       after=wanted.after, before=wanted.before, most=paged.MOST)
    links = paged.links(base, {}, found.page, wanted, size=OWNER_PAGE_SIZE)
    colleagues = actions.delegates(session, excluding=[person.id])
    errors = errors or {}
    # a refused status or update shows, and is linked, at the update's text box
    anchors = {name: "text-" + name.split("-", 1)[1] for name in errors
               if name.startswith(("status-", "form-"))}
    return render(request, "owner_actions.html", {
        "page_title": ("Error: " if errors else "") + "Your actions",
        "person": person,
        "views": found.views,
        "update_counts": found.update_counts,
        "total": found.total,
        "previous_link": links.previous,
        "next_link": links.next,
        "colleagues": colleagues,
        "choices": OWNER_CHOICES,
        "status_words": STATUS_WORDS,
        "base": base,
        "on_this_page": ("?" + urlencode(place)) if (place := paged.here(
            wanted, size=OWNER_PAGE_SIZE)) else "",
        "link": link,
        "form_csrf": csrf,
        "errors": errors,
        "error_list": error_list({k: v.capitalize() for k, v in errors.items()}, anchors),
        "typed": typed or {},
        "notice": notice,
    }, status_code=status_code)


@router.get("/my-actions")
def my_actions(request: Request, session: SessionDep, caller: PageCaller,
               notice: Annotated[str, Query(max_length=300)] = ""):
    if caller.actor.person_id is None:
        raise Forbidden("Your sign-in is not linked to a person, so no actions are yours. "
                        "The Commissioner's office can link it.")
    person = session.get(Person, caller.actor.person_id)
    assert person is not None  # person_id is a foreign key
    return _owner_page(request, session, person=person, actor=caller.actor, base="/my-actions",
                       csrf=caller.csrf_token, notice=notice)


def _owner_post(request, session, *, person, actor, base, link, csrf, action_id, work):
    # back to the page the form was on (its address carries the page's cursor)
    place = paged.here(paged.asked(request.query_params, size=OWNER_PAGE_SIZE),
                       size=OWNER_PAGE_SIZE)
    back = urlencode({**place, "notice": "Your update was saved."})
    return submit(
        session, work, refuse=(DomainError,), passes=(NotFound,), words=str,
        field=f"form-{action_id}", rename=lambda name: f"{name}-{action_id}",
        done=lambda _: f"{base}?{back}#action-{action_id}",
        again=lambda errors, status: _owner_page(request, session, person=person, actor=actor,
                                                 base=base, link=link, csrf=csrf,
                                                 errors=errors, status_code=status))


@router.post("/my-actions/{action_id}/updates")
def my_update(action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
              background: BackgroundTasks, text: FormText = "", status: FormStr = ""):
    if status == ActionStatus.pending_signoff:
        tell_the_chair(request, background)
    person = session.get(Person, caller.actor.person_id) if caller.actor.person_id else None
    if person is None:
        raise Forbidden("Your sign-in is not linked to a person.")
    return _owner_post(request, session, person=person, actor=caller.actor, base="/my-actions",
                       link=None, csrf=caller.csrf_token, action_id=action_id,
                       work=lambda: _owner_update(session, caller.actor, action_id, text,
                                                  status))


def _owner_update(session, actor, action_id: int, text: str, status: str) -> None:
    new = ActionStatus(status) if status in ActionStatus.__members__ else None
    actions.add_update(session, action_id=action_id, by=actor,
                       data=ActionUpdateCreate(text=text, status=new))


def _owner_delegate(session, actor, action_id: int, to_person_id: str, note: str) -> None:
    target = whole_id(to_person_id)
    if target is None:
        raise InvalidInput({"to_person_id": "choose the colleague who takes it on"})
    actions.delegate_action(session, action_id=action_id, to_person_id=target, note=note,
                            by=actor)


@router.post("/my-actions/{action_id}/delegate")
def my_delegate(action_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                to_person_id: FormStr = "", note: FormText = ""):
    person = session.get(Person, caller.actor.person_id) if caller.actor.person_id else None
    if person is None:
        raise Forbidden("Your sign-in is not linked to a person.")
    return _owner_post(request, session, person=person, actor=caller.actor, base="/my-actions",
                       link=None, csrf=caller.csrf_token, action_id=action_id,
                       work=lambda: _owner_delegate(session, caller.actor, action_id,
                                                    to_person_id, note))


@router.get("/owner/{token}")
def owner_page(request: Request, session: SessionDep, holder: OwnerLinkHolder,
               notice: Annotated[str, Query(max_length=300)] = ""):
    return _owner_page(request, session, person=holder.person, actor=holder.actor,
                       base=f"/owner/{holder.token}", link=holder.link,
                       csrf=holder.form_token, notice=notice)


@router.post("/owner/{token}/actions/{action_id}/updates")
def owner_update(action_id: IdPath, request: Request, session: SessionDep,
                 holder: OwnerLinkHolder, background: BackgroundTasks, text: FormText = "",
                 status: FormStr = ""):
    if status == ActionStatus.pending_signoff:
        tell_the_chair(request, background)
    return _owner_post(request, session, person=holder.person, actor=holder.actor,
                       base=f"/owner/{holder.token}", link=holder.link,
                       csrf=holder.form_token, action_id=action_id,
                       work=lambda: _owner_update(session, holder.actor, action_id, text,
                                                  status))


@router.post("/owner/{token}/actions/{action_id}/delegate")
def owner_delegate(action_id: IdPath, request: Request, session: SessionDep,
                   holder: OwnerLinkHolder, to_person_id: FormStr = "", note: FormText = ""):
    return _owner_post(request, session, person=holder.person, actor=holder.actor,
                       base=f"/owner/{holder.token}", link=holder.link,
                       csrf=holder.form_token, action_id=action_id,
                       work=lambda: _owner_delegate(session, holder.actor, action_id,
                                                    to_person_id, note))
