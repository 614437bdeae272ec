"""Old minutes and action logs in (issue 18): upload → check what was read → save.

The uploaded file is held (app/services/record_import.py `hold_upload`) while its review page
is open; the review form carries the whole draft in its fields and the held file's id. Nothing
of it is in the record until "Save". A file whose structure was not recognised shows its text
beside an empty draft, for the items or actions to be marked by hand. The rules are in
app/services/record_import.py; this module only turns forms into drafts and back.
"""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep
from app.models import ActionStatus, AttendanceStatus
from app.services import meetings, minutes_import, people, record_import
from app.services.dates import short_date, to_london
from app.services.errors import InvalidInput
from app.services.minutes_import import ACTIONS, MINUTES, ReadAction, ReadAttendee, ReadItem
from app.services.permissions import Perm, require
from app.services.record_import import NewPerson
from app.web.deps import IdPath, PageCaller
from app.web.downloads import file_response
from app.web.forms import DateParts, date_anchors, error_list, form_date, parse_date, submit
from app.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_ROWS = 500
NOT_ALLOWED = "Only the Commissioner's office imports old minutes and action logs."
KINDS = {MINUTES: "Minutes of a meeting (.docx)", ACTIONS: "An action log (.xlsx or .docx)"}
STATUSES = {s.value: s.value.replace("_", " ").capitalize() for s in ActionStatus}
ATTENDANCE = {AttendanceStatus.present.value: "Present",
              AttendanceStatus.apologies.value: "Apologies",
              AttendanceStatus.absent.value: "Absent"}
LEVELS = {"1": "Item", "2": "Theme", "3": "Sub-theme"}


def _upload_form(request, session, *, errors=None, kind=MINUTES, series_id="",
                 status_code=200):
    errors = errors or {}
    return render(request, "import_upload.html", {
        "page_title": "Import old minutes or an action log", "errors": errors,
        "error_list": error_list(errors), "kinds": KINDS, "kind": kind,
        "series": meetings.list_meeting_types(session), "series_id": str(series_id),
    }, status_code=status_code)


@router.get("/imports")
def upload_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.edit_record, NOT_ALLOWED)
    return _upload_form(request, session)


# --- drafts: what was read, as the form carries it ----------------------------------------


def _action_row(action: ReadAction) -> dict:
    return {"text": action.text, "owners": action.owners, "due": action.due_text or (
        action.due_date.strftime("%d/%m/%Y") if action.due_date else ""),
        "reference": action.reference, "status": action.status,
        "item": "" if action.item is None else str(action.item),
        "raised": action.raised_text, "update": action.update}


def _draft_of(read, kind: str, series_id: str) -> dict:
    draft: dict = {"kind": kind, "series_id": series_id, "unrecognised": read.unrecognised,
                   "notes": read.notes, "text": read.text,
                   "actions": [_action_row(a) for a in read.actions], "people": []}
    if kind == MINUTES:
        draft.update({
            "title": read.title, "meeting_date": DateParts.of(read.meeting_date),
            "start_time": read.start_time.strftime("%H:%M") if read.start_time else "",
            "venue": read.venue, "chair": read.chair, "minute_taker": read.minute_taker,
            "items": [{"number": i.number, "title": i.title, "level": str(i.level),
                       "text": "\n\n".join(i.paragraphs)} for i in read.items],
            "attendance": [{"name": a.name, "capacity": a.capacity, "status": a.status}
                           for a in read.attendance]})
    return draft


_ITEM = ("number", "title", "level", "text")
_ACTION = ("text", "owners", "due", "reference", "status", "item", "raised", "update")
_ATTENDEE = ("name", "capacity", "status")
_PERSON = ("label", "choice", "full_name", "initials", "role_title", "role_abbreviation")


def _rows(form, prefix: str, names: tuple[str, ...]) -> list[dict]:
    value = str(form.get(f"{prefix}_count", ""))
    count = min(int(value), MAX_ROWS) if value.isdigit() else 0
    return [{k: str(form.get(f"{prefix}-{i}-{k}", ""))[:100_000 if k in ("text", "update")
                                                     else 1000] for k in names}
            for i in range(count)]


def _draft_from_form(form, kind: str) -> dict:
    draft: dict = {"kind": kind, "series_id": str(form.get("series_id", ""))[:20],
                   "unrecognised": str(form.get("unrecognised", "")) == "1", "notes": [],
                   "actions": _rows(form, "action", _ACTION),
                   "people": _rows(form, "person", _PERSON),
                   "again": str(form.get("again", "")) == "yes"}
    if kind == MINUTES:
        draft.update({k: str(form.get(k, ""))[:300] for k in
                      ("title", "start_time", "venue", "chair", "minute_taker")})
        draft["meeting_date"] = form_date(form, "meeting_date")
        draft["items"] = _rows(form, "item", _ITEM)
        draft["attendance"] = _rows(form, "attendee", _ATTENDEE)
    return draft


def _read_actions(draft: dict) -> list[ReadAction]:
    found = []
    for row in draft["actions"]:
        found.append(ReadAction(
            text=row["text"].strip(), owners=row["owners"].strip(),
            reference=row["reference"].strip(), due_text=row["due"].strip(),
            due_date=minutes_import.parse_date(row["due"], month_end=True),
            raised_text=row.get("raised", ""), update=row.get("update", ""),
            status=row["status"] if row["status"] in STATUSES else "open",
            item=int(row["item"]) if row["item"].isdigit() else None))
    return found


def _read_attendance(draft: dict) -> list[ReadAttendee]:
    return [ReadAttendee(r["name"].strip(), r["capacity"].strip(),
                         r["status"] if r["status"] in ATTENDANCE else "present")
            for r in draft.get("attendance", []) if r["name"].strip()]


def _with_people(session, draft: dict) -> dict:
    """The draft's list of people not found, made again from its owners and attendance; the
    officer's choices for those still listed are kept."""
    chosen = {record_import._key(p["label"]): p for p in draft["people"]}
    found = record_import.unknown_people(session, attendance=_read_attendance(draft),
                                         actions_read=_read_actions(draft))
    draft["people"] = [chosen.get(record_import._key(p.label)) or {
        "label": p.label, "choice": "new", "full_name": p.full_name, "initials": p.initials,
        "role_title": p.role_title, "role_abbreviation": p.role_abbreviation} for p in found]
    return draft


def _choices(draft: dict) -> dict[str, int | NewPerson | None]:
    choices: dict[str, int | NewPerson | None] = {}
    for row in draft["people"]:
        key = record_import._key(row["label"])
        if row["choice"].isdigit():
            choices[key] = int(row["choice"])
        elif row["choice"] == "new":
            choices[key] = NewPerson(row["label"], row["full_name"].strip() or row["label"],
                                     row["initials"].strip() or "?", row["role_title"].strip(),
                                     row["role_abbreviation"].strip())
        else:
            choices[key] = None
    return choices


def _review(request, session, upload, draft: dict, *, errors=None, notice="",
            status_code=200):
    errors = errors or {}
    earlier = record_import.earlier_import(session, upload.content)
    if not draft.get("text"):
        draft["text"] = _read(upload.kind, upload.filename, upload.content).text
    return render(request, "import_review.html", {
        "page_title": "Check what was read", "draft": draft, "upload": upload,
        "earlier": earlier, "errors": errors,
        "recorded": record_import.already_recorded(
            session, [a["reference"] for a in draft["actions"]]),
        "earlier_when": short_date(to_london(earlier.imported_at).date()) if earlier else "",
        "error_list": error_list(errors, date_anchors(("meeting_date",))),
        "notice": notice, "statuses": STATUSES, "attendance_statuses": ATTENDANCE,
        "levels": LEVELS, "series": meetings.list_meeting_types(session),
        "everyone": people.list_people(session, include_inactive=False),
    }, status_code=status_code)


def _read(kind: str, filename: str, content: bytes):
    if kind == MINUTES:
        return minutes_import.read_minutes(filename, content)
    return minutes_import.read_action_log(filename, content)


@router.post("/imports")
async def upload(request: Request, session: SessionDep, caller: PageCaller,
                 file: Annotated[UploadFile | None, File()] = None,
                 kind: Annotated[str, Form(max_length=20)] = MINUTES,
                 series_id: Annotated[str, Form(max_length=20)] = ""):
    """Read the upload and show what was found, to check and correct."""
    require(caller.actor, Perm.edit_record, NOT_ALLOWED)
    kind = kind if kind in KINDS else MINUTES
    errors: dict[str, str] = {}
    if file is None or not file.filename:
        errors["file"] = "Choose the file to import"
    if kind == MINUTES and not series_id.isdigit():
        errors["series_id"] = "Choose the series the meeting belongs to"
    if errors:
        return _upload_form(request, session, errors=errors, kind=kind, series_id=series_id,
                            status_code=422)
    assert file is not None and file.filename
    content = await file.read(minutes_import.MAX_FILE_BYTES + 1)
    filename = file.filename
    try:
        read = await run_in_threadpool(_read, kind, filename, content)
    except InvalidInput as exc:
        message = next(iter(exc.errors.values()), exc.message)
        return _upload_form(request, session, errors={"file": message}, kind=kind,
                            series_id=series_id, status_code=422)
    held = record_import.hold_upload(session, kind=kind, filename=filename, content=content,
                                     by=caller.actor)
    draft = _with_people(session, _draft_of(read, kind, series_id))
    return _review(request, session, held, draft)


@router.post("/imports/{upload_id}/review")
async def rework(upload_id: IdPath, request: Request, session: SessionDep,
                 caller: PageCaller):
    """The review form's own buttons: add or remove items, actions and attendees, and look
    for the people again. Nothing is saved."""
    form = await request.form()
    kind = str(form.get("kind", MINUTES))
    upload = record_import.held_upload(session, upload_id, kind=kind, by=caller.actor)
    draft = _draft_from_form(form, upload.kind)
    op, _, index = str(form.get("op", "")).partition(":")
    rows = {"item": draft.get("items"), "action": draft["actions"],
            "attendee": draft.get("attendance")}
    what, _, verb = op.partition("-")
    notice = "The people were looked for again."
    target = rows.get(what)
    if target is not None and verb == "add" and len(target) < MAX_ROWS:
        blank = {"item": dict.fromkeys(_ITEM, ""), "action": dict.fromkeys(_ACTION, ""),
                 "attendee": dict.fromkeys(_ATTENDEE, "")}[what]
        blank.update({"level": "1"} if what == "item" else {"status": "open"} if
                     what == "action" else {"status": "present"})
        target.append(blank)
        notice = f"A blank {what} was added at the end."
    elif target is not None and verb == "remove" and index.isdigit() and \
            int(index) < len(target):
        target.pop(int(index))
        notice = f"{what.capitalize()} {int(index) + 1} was removed."
    return _review(request, session, upload, _with_people(session, draft), notice=notice)


def _minutes_draft(draft: dict, errors: dict[str, str]) -> record_import.MinutesDraft:
    day = parse_date(draft["meeting_date"], "meeting_date", "The meeting's date", errors)
    start = None
    if draft["start_time"].strip():
        start = minutes_import.parse_time(draft["start_time"])
        if start is None:
            errors["start_time"] = "Enter the start time like 10:00"
    items = [ReadItem(r["number"], r["title"].strip(), int(r["level"]) if r["level"] in LEVELS
                      else 1, [p.strip() for p in r["text"].replace("\r\n", "\n").split("\n\n")
                               if p.strip()]) for r in draft["items"]]
    if not draft["series_id"].isdigit():
        errors["series_id"] = "Choose the series the meeting belongs to"
    return record_import.MinutesDraft(
        series_id=int(draft["series_id"]) if draft["series_id"].isdigit() else 0,
        meeting_date=day, start_time=start,
        venue=draft["venue"], chair=draft["chair"], minute_taker=draft["minute_taker"],
        attendance=_read_attendance(draft), items=items, actions=_read_actions(draft),
        people=_choices(draft))


@router.post("/imports/{upload_id}")
async def save(upload_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    """Save the checked draft: the first time anything of it is in the record."""
    form = await request.form()
    kind = str(form.get("kind", MINUTES))
    upload = record_import.held_upload(session, upload_id, kind=kind, by=caller.actor)
    draft = _draft_from_form(form, upload.kind)
    return await run_in_threadpool(_save, request, session, caller, upload, draft)


def _save(request, session, caller, upload, draft: dict) -> Response:
    errors: dict[str, str] = {}
    if upload.kind == MINUTES:
        data = _minutes_draft(draft, errors)

        def work():
            return record_import.save_minutes(
                session, draft=data, filename=upload.filename, content=upload.content,
                by=caller.actor, again=draft["again"], held=upload)
    else:
        log = record_import.ActionLogDraft(actions=_read_actions(draft),
                                           people=_choices(draft))

        def work():
            return record_import.save_action_log(
                session, draft=log, filename=upload.filename, content=upload.content,
                by=caller.actor, again=draft["again"], held=upload)

    def again(errors: dict[str, str], status: int) -> Response:
        if any(k.startswith("form") for k in errors) and \
                record_import.earlier_import(session, upload.content):
            errors = {"again": "This file was imported before: tick “Import it again” to "
                               "import it once more"}
        return _review(request, session, upload, _with_people(session, draft), errors=errors,
                       status_code=status)

    def done(saved) -> str:
        if saved.meeting_id:
            return f"/meetings/{saved.meeting_id}"
        return "/actions"

    return submit(session, work, errors=errors, refuse=(InvalidInput,
                                                        record_import.AlreadyImported),
                  words=str, again=again, done=done)


@router.get("/imports/{import_id}/file")
def original_file(import_id: IdPath, session: SessionDep, caller: PageCaller):
    """The file an imported meeting or log came from, exactly as it was uploaded."""
    row = record_import.get_import(session, import_id, by=caller.actor)
    return file_response(row.content, row.filename, row.content_type)
