"""The record's life in pages: approval, amendments, redaction, the public preview,
publication, the changes since the meeting, and the public page of published minutes.

The rules are in app/services/approval.py, redaction.py, publication.py and changes.py; these
routes read forms, call the services and render. Only `/public` and its downloads work
without signing in.
"""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from app.db import SessionDep, reads_first
from app.models import Action, AgendaItem, Meeting, MeetingStatus, MinuteEntry, User
from app.services import approval, meetings, public_meetings, publication, redaction
from app.services.agenda import agenda_tree, flatten, get_item
from app.services.changes import minutes_changes
from app.services.entries import get_entry
from app.services.errors import DomainError, Forbidden, InvalidInput, NotFound
from app.services.identity import display_name
from app.services.minutes import Edition, load_record, minutes_of, record_for
from app.services.office import get_office
from app.services.permissions import Perm, require
from app.web import forms, paged
from app.web.chair_news import tell_the_chair
from app.web.deps import IdPath, OptionalPageCaller, PageCaller
from app.web.downloads import file_response
from app.web.forms import error_list, sentence, whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=600)]
FormText = Annotated[str, Form(max_length=100_000)]


def _back(meeting_id: int, notice: str, page: str = "record", anchor: str = ""
          ) -> RedirectResponse:
    fragment = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"/meetings/{meeting_id}/{page}?notice={quote(notice)}{fragment}",
                            status_code=303)


def _notice(request: Request) -> str:
    return request.query_params.get("notice", "")[:300]


def _user_name(session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return display_name(session, user) if user else ""


# --- approval and amendments -----------------------------------------------------------------


def _record_page(request: Request, session, caller, meeting_id: int, *, errors=None,
                 status_code: int = 200):
    meeting = meetings.get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    meeting_type = meetings.meeting_type_of(session, meeting)
    actor = caller.actor
    later = meetings.meetings_where(
        session, col(Meeting.starts_at) > meeting.starts_at,
        col(Meeting.status).not_in([*meetings.LOCKED_STATUSES, MeetingStatus.cancelled]))
    agreed_at = (session.get(Meeting, meeting.approved_at_meeting_id)
                 if meeting.approved_at_meeting_id else None)
    locked = meeting.status in meetings.LOCKED_STATUSES
    record = record_for(session, meeting_id=meeting.id, by=actor)
    return render(request, "record.html", {
        "page_title": ("Error: " if errors else "")
        + f"Approval and publication – {meetings.meeting_title(meeting, meeting_type)}",
        "meeting": meeting,
        "title": meetings.meeting_title(meeting, meeting_type),
        "submitted_by": _user_name(session, meeting.submitted_by_id),
        "approved_by": _user_name(session, meeting.approved_by_id),
        "agreed_at": agreed_at,
        "agreed_at_title": (meetings.meeting_title(agreed_at, meetings.meeting_type_of(
            session, agreed_at)) if agreed_at else ""),
        "later_meetings": [(m.id, meetings.meeting_title(m, t)) for m, t in later],
        "amendments": approval.amendments_of(session, meeting_id=meeting.id, by=actor),
        "versions": publication.published_versions(session, meeting.id),
        "unpublished": publication.unpublished_amendments(session, meeting),
        "locked": locked,
        "open": meeting.status in approval.OPEN_STATUSES,
        "awaiting": approval.awaiting_approval(meeting),
        "not_submitted": approval.NOT_SUBMITTED,
        "items": flatten_record(record) if locked and actor.can(Perm.edit_record) else [],
        "can_edit": actor.can(Perm.edit_record),
        "can_approve": actor.can(Perm.approve_minutes),
        "can_publish": actor.can(Perm.publish_minutes),
        "sees_exempt": actor.sees_exempt,
        "errors": errors or {},
        # a refusal of a button (submit, approve) links to its part of the page
        "error_list": error_list(errors or {}, {"form": "approve" if meeting.status in
                                                approval.OPEN_STATUSES else "record-status"}),
        "notice": _notice(request),
    }, status_code=status_code)


def flatten_record(record) -> list:
    """The record's items in agenda order, each with its entries, for the amend links."""
    rows = []

    def walk(item):
        rows.append(item)
        for child in item.children:
            walk(child)

    for item in record.items:
        walk(item)
    return rows


@router.get("/meetings/{meeting_id}/record")
def record_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _record_page(request, session, caller, meeting_id)


def _submit(request, session, caller, meeting_id: int, work: Callable[[], object],
            notice: str):
    """Move the minutes on: then back to the record with the notice; or, refused (unless
    forbidden), the record again with the refusal at its status."""
    return forms.submit(
        session, work, refuse=(DomainError,), passes=(Forbidden,),
        done=lambda _: _back(meeting_id, notice),
        again=lambda errors, status: _record_page(request, session, caller, meeting_id,
                                                  errors=errors, status_code=status))


@router.post("/meetings/{meeting_id}/submit")
def submit(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
           background: BackgroundTasks):
    tell_the_chair(request, background)
    return _submit(request, session, caller, meeting_id,
                   lambda: approval.submit_to_chair(session, meeting_id=meeting_id,
                                                    by=caller.actor),
                   "The draft minutes were submitted to the chair for approval.")


@router.post("/meetings/{meeting_id}/approve")
def approve(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _submit(request, session, caller, meeting_id,
                   lambda: approval.approve_by_chair(session, meeting_id=meeting_id,
                                                     by=caller.actor),
                   "The minutes are approved. From now on they change only by amendment.")


@router.post("/meetings/{meeting_id}/approve-at-meeting")
def approve_at_meeting(meeting_id: IdPath, request: Request, session: SessionDep,
                       caller: PageCaller,
                       at_meeting_id: Annotated[str, Form(max_length=12)] = ""):
    def approve_it():
        later = whole_id(at_meeting_id)
        if later is None:
            raise InvalidInput({"at_meeting_id": "choose the meeting that agreed the minutes"})
        approval.approve_at_meeting(session, meeting_id=meeting_id, at_meeting_id=later,
                                    by=caller.actor)

    return _submit(request, session, caller, meeting_id, approve_it,
                   "The minutes are approved, and the later meeting's minutes say they were "
                   "agreed as an accurate record.")


def _amend_page(request, session, caller, entry_id: int, *, typed=None, errors=None,
                status_code: int = 200):
    entry = get_entry(session, entry_id=entry_id, by=caller.actor)
    require(caller.actor, Perm.edit_record, "Only the secretariat amends approved minutes.")
    item = get_item(session, entry.item_id)
    meeting = meetings.get_meeting(session, item.meeting_id)
    assert meeting.id is not None  # loaded from the database
    node = next(n for n in flatten(agenda_tree(session, meeting.id)) if n.item.id == item.id)
    choice, other = redaction.choice_of(entry.exempt_reason)
    values = {"text": entry.text, "reason": "", "exempt": "yes" if entry.exempt else "",
              "exempt_choice": choice, "exempt_other": other, **(typed or {})}
    return render(request, "amend.html", {
        "page_title": "Amend the approved minutes",
        "entry": entry, "item": item, "node": node, "meeting": meeting,
        "title": meetings.meeting_title(meeting, meetings.meeting_type_of(session, meeting)),
        "locked": meeting.status in meetings.LOCKED_STATUSES,
        "typed": values, "errors": errors or {}, "error_list": error_list(errors or {}, {
            "exempt_reason": "exempt-choice", "exempt_reason_other": "exempt-other"}),
        "exemptions": redaction.EXEMPTIONS,
    }, status_code=status_code)


@router.get("/entries/{entry_id}/amend")
def amend_page(entry_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    return _amend_page(request, session, caller, entry_id)


@router.post("/entries/{entry_id}/amend")
def amend(entry_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
          text: FormText = "",
          reason: Annotated[str, Form(max_length=5000)] = "",
          exempt: Annotated[str, Form(max_length=5)] = "",
          exempt_choice: Annotated[str, Form(max_length=20)] = "",
          exempt_other: FormStr = ""):
    typed = {"text": text, "reason": reason, "exempt": exempt, "exempt_choice": exempt_choice,
             "exempt_other": exempt_other}

    def amend_it():
        entry = get_entry(session, entry_id=entry_id, by=caller.actor)
        making_exempt = bool(exempt) and not entry.exempt
        exempt_reason = (redaction.reason_for(exempt_choice, exempt_other)
                         if making_exempt else None)
        return approval.amend_entry(
            session, entry_id=entry_id, reason=reason, text=text, exempt=bool(exempt),
            exempt_reason=exempt_reason, by=caller.actor)

    return forms.submit(
        session, amend_it, refuse=(InvalidInput,),
        done=lambda amendment: _back(amendment.meeting_id,
                                     "The amendment was recorded; the original is kept."),
        again=lambda errors, status: _amend_page(request, session, caller, entry_id,
                                                 typed=typed, errors=errors,
                                                 status_code=status))


# --- redaction ---------------------------------------------------------------------------------


def _redaction_page(request, session, caller, meeting_id: int, *, errors=None, anchors=None,
                    status_code: int = 200):
    require(caller.actor, Perm.edit_record, "Only the secretariat marks what is exempt.")
    meeting = meetings.get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    nodes = flatten(agenda_tree(session, meeting.id))
    item_ids = [n.item.id for n in nodes]
    entries: dict[int | None, list[MinuteEntry]] = {i: [] for i in item_ids}
    if item_ids:
        for entry in session.exec(select(MinuteEntry).where(
                col(MinuteEntry.item_id).in_(item_ids), col(MinuteEntry.deleted_at).is_(None))
                .order_by(col(MinuteEntry.position), col(MinuteEntry.id))):
            entries[entry.item_id].append(entry)
    raised = list(session.exec(select(Action).where(Action.meeting_id == meeting.id)
                               .order_by(col(Action.year), col(Action.seq))))
    return render(request, "redaction.html", {
        "page_title": ("Error: " if errors else "") + "What the public edition leaves out",
        "meeting": meeting,
        "title": meetings.meeting_title(meeting, meetings.meeting_type_of(session, meeting)),
        "nodes": nodes, "entries": entries, "actions": raised,
        "exempt_items": {n.item.id for n in nodes if n.exempt},
        "locked": meeting.status in meetings.LOCKED_STATUSES,
        "exemptions": redaction.EXEMPTIONS,
        "choice_of": redaction.choice_of,
        "errors": errors or {}, "error_list": error_list(errors or {}, anchors),
        "notice": _notice(request),
    }, status_code=status_code)


@router.get("/meetings/{meeting_id}/redaction")
def redaction_page(meeting_id: IdPath, request: Request, session: SessionDep,
                   caller: PageCaller):
    return _redaction_page(request, session, caller, meeting_id)


KINDS = ("item", "entry", "action")


@router.post("/meetings/{meeting_id}/redaction")
def redact(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
           kind: Annotated[str, Form(max_length=10)] = "",
           target_id: Annotated[str, Form(max_length=12)] = "",
           exempt: Annotated[str, Form(max_length=5)] = "",
           exempt_choice: Annotated[str, Form(max_length=20)] = "",
           exempt_other: FormStr = ""):
    key = f"{kind}-{target_id}"
    try:
        if kind not in KINDS or not target_id.isdigit() or not 0 < int(target_id) < 2**31:
            raise InvalidInput({"form": "choose an item, an entry or an action"})
        target = int(target_id)
        _belongs(session, meeting_id, kind, target)
        making = exempt == "yes"
        reason = redaction.reason_for(exempt_choice, exempt_other) if making else ""
        setters: dict[str, Callable[..., object]] = {  # each takes its own id keyword
            "item": redaction.set_item_exemption, "entry": redaction.set_entry_exemption,
            "action": redaction.set_action_exemption}
        setter = setters[kind]
        setter(session, **{f"{kind}_id": target}, exempt=making, reason=reason,
               by=caller.actor)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        message = ("; ".join(sentence(v) for v in exc.errors.values())
                   if isinstance(exc, InvalidInput) else sentence(exc.message))
        return _redaction_page(request, session, caller, meeting_id, errors={key: message},
                               anchors={key: _field_of(session, kind, target_id, key)},
                               status_code=exc.status_code)
    words = "is now exempt" if exempt == "yes" else "is public again"
    return _back(meeting_id, f"The {kind} {words}.", page="redaction", anchor=key)


def _field_of(session, kind: str, target_id: str, key: str) -> str:
    """The field a refusal links to: the exemption to choose, for something not yet exempt;
    else its form (a "Make public" button alone)."""
    model = {"item": AgendaItem, "entry": MinuteEntry, "action": Action}.get(kind)
    if model is None or not target_id.isdigit() or not 0 < int(target_id) < 2**31:
        return key
    thing = session.get(model, int(target_id))
    return f"{key}-choice" if thing is not None and not thing.exempt else key


def _belongs(session, meeting_id: int, kind: str, target: int) -> None:
    """Refuse a form that names something of another meeting."""
    meeting_of = None
    if kind == "item":
        item = session.get(AgendaItem, target)
        meeting_of = item.meeting_id if item else None
    elif kind == "entry":
        entry = session.get(MinuteEntry, target)
        if entry is not None:
            meeting_of = get_item(session, entry.item_id).meeting_id
    else:
        action = session.get(Action, target)
        meeting_of = action.meeting_id if action else None
    if meeting_of != meeting_id:
        raise NotFound(f"This meeting has no {kind} with id {target}.")


# --- the public preview and publication ------------------------------------------------------


def _preview_page(request, session, caller, meeting_id: int, *, error: str = "",
                  status_code: int = 200):
    require(caller.actor, Perm.see_exempt,
            "The preview shows exempt material; your role cannot see it.")
    meeting = meetings.get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    office = get_office(session)
    editions = {}
    for edition in Edition:
        record = load_record(session, meeting_id=meeting.id, redact=edition == Edition.public)
        editions[edition.value] = minutes_of(
            record, office_short_name=office.office_short_name,
            office_name=office.office_name, edition=edition, fmt=record.minutes_format)
    latest = publication.latest_published(session, meeting.id)
    unpublished = publication.unpublished_amendments(session, meeting)
    publishable = meeting.status in publication.PUBLISHABLE and (latest is None or unpublished)
    return render(request, "public_preview.html", {
        "page_title": f"Public preview – {editions['public'].title}",
        "meeting": meeting,
        "title": meetings.meeting_title(meeting, meetings.meeting_type_of(session, meeting)),
        "internal": editions["internal"], "public": editions["public"],
        "latest": latest, "unpublished": unpublished, "publishable": publishable,
        "can_publish": caller.actor.can(Perm.publish_minutes),
        "error": error, "notice": _notice(request),
    }, status_code=status_code)


@router.get("/meetings/{meeting_id}/public-preview")
def public_preview(meeting_id: IdPath, request: Request, session: SessionDep,
                   caller: PageCaller):
    return _preview_page(request, session, caller, meeting_id)


@router.post("/meetings/{meeting_id}/publish")
@reads_first  # the PDF is printed before the write lock is taken
def publish(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    try:
        document = publication.publish_minutes(session, meeting_id=meeting_id, by=caller.actor)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        return _preview_page(request, session, caller, meeting_id,
                             error=sentence(exc.message), status_code=exc.status_code)
    return _back(meeting_id, f"Published (version {document.version}). The public page lists "
                             f"it with its checksum, SHA-256 {document.sha256}.")


# --- what changed since the meeting ------------------------------------------------------------


@router.get("/meetings/{meeting_id}/changes")
def changes_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    changes = minutes_changes(session, meeting_id=meeting_id, by=caller.actor)
    return render(request, "changes.html", {
        "page_title": f"Changes since the meeting – {changes.title}",
        "meeting_id": meeting_id, "changes": changes,
        "only_changed": request.query_params.get("all") != "yes",
    })


# --- the public page: no sign-in ------------------------------------------------------------


@router.get("/public")
def public_page(request: Request, session: SessionDep, caller: OptionalPageCaller):
    wanted = paged.asked(request.query_params, size=publication.PUBLIC_PAGE_SIZE)
    found = publication.public_listing(session, limit=wanted.limit, after=wanted.after,
                                       before=wanted.before, most=paged.MOST)
    links = paged.links("/public", {}, found.page, wanted, size=publication.PUBLIC_PAGE_SIZE)
    return render(request, "public.html", {
        "page_title": "Published minutes",
        "listings": found.listings,
        "total": found.total,
        "previous_link": links.previous,
        "next_link": links.next,
        "office": get_office(session),
        "forthcoming": public_meetings.forthcoming_page(
            session, limit=public_meetings.ON_PUBLIC_PAGE),
    })


# Where the published minutes go in their page: the stored bytes, as they were published.
MINUTES_HERE = b"<!-- the published minutes -->"


@router.get("/public/minutes/{document_id}")
def public_minutes(document_id: IdPath, request: Request, session: SessionDep,
                   caller: OptionalPageCaller):
    found = publication.published_page(session, document_id)
    minutes = publication.verified_content(found.page)
    frame = render(request, "public_minutes.html", {
        "page_title": found.page.title, "found": found, "office": get_office(session),
    })
    # The minutes were escaped when they were published and have been checked against their
    # checksum just now: they go into the page as stored, not through a template again.
    body = bytes(frame.body).replace(MINUTES_HERE, minutes, 1)
    response = Response(content=body, media_type="text/html; charset=utf-8")
    response.headers["X-Checksum-SHA256"] = found.page.sha256
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@router.get("/public/documents/{document_id}")
def public_document(document_id: IdPath, session: SessionDep):
    document = publication.get_published(session, document_id)
    if document.form == publication.Form.html:  # a web page is read, not downloaded
        return RedirectResponse(f"/public/minutes/{document.id}", status_code=303)
    content = publication.verified_content(document)
    response = file_response(content, document.filename, document.content_type)
    response.headers["X-Checksum-SHA256"] = document.sha256
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
