"""The inspection register: the list, importing a report (upload or paste → review → save),
one inspection with its s55 dates and findings, and updating a finding.

Nothing of an import is saved until the officer saves the review page: the review form carries
the whole draft in its fields. The rules are in app/services/inspections.py.
"""

import re
from typing import Annotated, cast

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep
from app.services import inspections
from app.services import people as people_service
from app.services.dates import today
from app.services.errors import InvalidInput
from app.services.findings import is_superseded, visible_history
from app.services.inspection_import import (
    MAX_FILE_BYTES,
    deadline_date,
    extract_text,
    parse_report,
)
from app.services.inspections import (
    DATE_FIELDS,
    FORCE_STATUSES,
    KINDS,
    OPCC_STATUSES,
    FindingChange,
    ReviewedFinding,
    ReviewedReport,
)
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    DateParts,
    date_anchors,
    error_list,
    form_date,
    parse_date,
    parse_id,
    people_groups,
    submit,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=20_000)]
PasteText = Annotated[str, Form(max_length=2_000_000)]
MAX_ROWS = 500
CARRIED_TEXT = 500_000  # the report's text carried through the review form


PUBLISHED = date_anchors(("published_on",))
DATE_LABELS = {"published_on": "The publication date", **DATE_FIELDS}


# --- the register -------------------------------------------------------------------------


@router.get("/inspections")
def register_page(request: Request, session: SessionDep, caller: PageCaller):
    now = today()
    rows = [{"inspection": i, "due": inspections.s55_due(i.published_on),
             "days_left": inspections.days_left(i, now)}
            for i in inspections.list_inspections(session)]
    return render(request, "inspections.html", {
        "page_title": "Inspections", "rows": rows, "warn_days": inspections.WARN_DAYS,
        "can_edit": caller.actor.can(Perm.edit_record),
    })


# --- importing a report ----------------------------------------------------------------------


def _import_form(request, *, errors=None, text="", status_code=200):
    errors = errors or {}
    return render(request, "inspection_import.html", {
        "page_title": "Import an inspection report", "errors": errors,
        "error_list": error_list(errors), "text": text,
    }, status_code=status_code)


@router.get("/inspections/import")
def import_page(request: Request, caller: PageCaller):
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office imports reports.")
    return _import_form(request)


def _draft_from_report(report) -> dict:
    return {
        "title": report.title or "", "force": report.force or "", "kind": report.kind or "",
        "published_on": DateParts.of(report.published_on), "theme": "",
        "judgments": [{"area": a, "grade": g} for a, g in report.judgments],
        "findings": [{"kind": f.kind, "number": f.number or "", "text": f.text,
                      "addressee": f.addressee or "", "deadline_text": f.deadline or "",
                      "source_paragraph": f.source_paragraph or "", "area": f.area or "",
                      "theme": ""} for f in report.findings],
        "text": report.text[:CARRIED_TEXT], "unrecognised": report.unrecognised,
        "notes": report.notes,
    }


def _with_dates(draft: dict) -> dict:
    """The draft with the dates the page tells of: the s55 response's due date, from the
    publication date, and each finding's due date, from its deadline as written."""
    published = parse_date(draft["published_on"], "published_on", "", {})
    draft["s55_due"] = inspections.s55_due(published) if published else None
    for finding in draft["findings"]:
        finding["deadline_day"] = deadline_date(finding["deadline_text"])
    return draft


def _review(request, draft: dict, *, errors=None, status_code=200):
    errors = errors or {}
    _with_dates(draft)
    return render(request, "inspection_review.html", {
        "page_title": "Check what was found", "draft": draft, "kinds": KINDS,
        "errors": errors, "error_list": error_list(errors, PUBLISHED),
        "notice": draft.get("notice", ""),
        "notice_ok": draft.get("notice_ok", True),
    }, status_code=status_code)


@router.post("/inspections/import")
async def import_report(
    request: Request, caller: PageCaller,
    file: Annotated[UploadFile | None, File()] = None,
    text: PasteText = "",
):
    """Read the upload (or the pasted text) and show what was found, to check and correct."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office imports reports.")
    filename, content = "", b""
    if file is not None and file.filename:
        filename, content = file.filename, await file.read(MAX_FILE_BYTES + 1)
    try:
        # Reading a Word file or a PDF and finding the findings take seconds for a long
        # report: in a worker thread, so that the server goes on answering everyone else.
        draft = await run_in_threadpool(_read_report, filename, content, text)
    except InvalidInput as exc:
        return _import_form(request, errors={k: v[:1].upper() + v[1:]
                                             for k, v in exc.errors.items()},
                            text=text[:CARRIED_TEXT], status_code=422)
    return _review(request, draft)


def _read_report(filename: str, content: bytes, text: str) -> dict:
    """The draft of what an uploaded file (or the pasted text) holds; InvalidInput saying
    what is wrong with it."""
    if filename:
        if not content:
            raise InvalidInput({"file": "The file you chose is empty"})
        if len(content) > MAX_FILE_BYTES:
            raise InvalidInput({"file": "The file must be smaller than 50 MB"})
        try:
            report_text = extract_text(filename, content)
        except InvalidInput as exc:
            raise InvalidInput({"file": next(iter(exc.errors.values()), exc.message)}
                               ) from exc
    elif text.strip():
        report_text = text
    else:
        raise InvalidInput({"file": "Choose the report's file, or paste its text"})
    if not report_text.strip():
        raise InvalidInput({"file": "No text could be read from that file; paste the text"})
    return _draft_from_report(parse_report(report_text))


FINDING_FIELDS = ("kind", "number", "text", "addressee", "deadline_text", "source_paragraph",
                  "area", "theme")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def _blank_finding(kind: str = "recommendation") -> dict:
    return {**{k: "" for k in FINDING_FIELDS}, "kind": kind}


def _merge(findings: list[dict], i: int) -> str:
    """Finding i and the next become one: both texts, a blank line between (so "Split" undoes
    it); the other boxes keep the first finding's words, or the second's where it had none."""
    first, second = findings[i], findings.pop(i + 1)
    for name in FINDING_FIELDS:
        if name == "text":
            first["text"] = "\n\n".join(t for t in (first["text"].strip(),
                                                     second["text"].strip()) if t)
        elif not first[name].strip():
            first[name] = second[name]
    return (f"Findings {i + 1} and {i + 2} were merged into finding {i + 1}. Edit its text "
            "if it should read as one.")


def _split(findings: list[dict], i: int) -> tuple[bool, str]:
    """Finding i becomes one finding per paragraph of its text (split at blank lines); the new
    ones take its kind, area, theme and the rest, but not its number."""
    text = findings[i]["text"].replace("\r\n", "\n").replace("\r", "\n")  # as browsers send
    parts = [p.strip() for p in _BLANK_LINE.split(text.strip()) if p.strip()]
    if len(parts) < 2:
        return False, (f"Finding {i + 1} was not split: its text has no blank line. Put an "
                       "empty line where it should be split, then press the button again.")
    room = MAX_ROWS - len(findings) + 1
    if len(parts) > room:
        parts = parts[: room - 1] + ["\n\n".join(parts[room - 1:])]
    original = findings[i]
    pieces = [{**original, "text": part, "number": original["number"] if n == 0 else ""}
              for n, part in enumerate(parts)]
    findings[i:i + 1] = pieces
    return True, f"Finding {i + 1} was split into {len(pieces)} findings."


def _count(form, name: str) -> int:
    value = str(form.get(name, ""))
    return min(int(value), MAX_ROWS) if value.isdigit() else 0


def _draft_from_form(form) -> dict:
    def field(name: str, limit: int = 2000) -> str:
        return str(form.get(name, ""))[:limit]

    findings = []
    for i in range(_count(form, "finding_count")):
        findings.append({k: field(f"finding-{i}-{k}", 20_000 if k == "text" else 300)
                         for k in FINDING_FIELDS})
    judgments = [{"area": field(f"judgment-{i}-area", 300),
                  "grade": field(f"judgment-{i}-grade", 100)}
                 for i in range(_count(form, "judgment_count"))]
    return {"title": field("title", 1000), "force": field("force", 300),
            "kind": field("kind", 300), "published_on": form_date(form, "published_on"),
            "theme": field("theme", 300),
            "judgments": judgments, "findings": findings,
            "text": field("report_text", CARRIED_TEXT),
            "unrecognised": field("unrecognised", 5) == "1", "notes": []}


@router.post("/inspections/import/review")
async def review(request: Request, caller: PageCaller):
    """The review form's own buttons: remove, add, merge or split findings; remove or add
    judgments. The draft is only carried back to the page; nothing is saved."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office imports reports.")
    form = await request.form()
    # A long draft takes a while to rework and render: in a worker thread, off the event loop.
    return await run_in_threadpool(_rework, request, form)


def _rework(request, form):
    """The review page again, after the button the form was sent with."""
    draft = _draft_from_form(form)
    op = str(form.get("op", ""))
    kind, _, index = op.partition(":")
    if kind == "remove-finding" and index.isdigit() and int(index) < len(draft["findings"]):
        removed = draft["findings"].pop(int(index))
        draft["notice"] = f"Finding removed: {removed['text'][:80]}"
    elif kind == "add-finding" and len(draft["findings"]) < MAX_ROWS:
        draft["findings"].append(_blank_finding())
        draft["notice"] = "A blank finding was added at the end."
    elif (kind == "merge-finding" and index.isdigit()
          and int(index) + 1 < len(draft["findings"])):
        draft["notice"] = _merge(draft["findings"], int(index))
    elif kind == "split-finding" and index.isdigit() and int(index) < len(draft["findings"]):
        draft["notice_ok"], draft["notice"] = _split(draft["findings"], int(index))
    elif kind == "remove-judgment" and index.isdigit() and int(index) < len(draft["judgments"]):
        draft["judgments"].pop(int(index))
    elif kind == "add-judgment" and len(draft["judgments"]) < MAX_ROWS:
        draft["judgments"].append({"area": "", "grade": ""})
    return _review(request, draft)


@router.post("/inspections")
async def save(request: Request, session: SessionDep, caller: PageCaller):
    """Save the reviewed report: the first time anything of it is stored."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office imports reports.")
    form = await request.form()
    # Saving waits for the database (seconds, for SQLite's write lock): in a worker thread, so
    # that the event loop goes on serving everyone else.
    return await run_in_threadpool(_save_reviewed, request, session, caller, form)


def _save_reviewed(request, session, caller, form) -> Response:
    """Save the draft the form carries; the review page again, with what is wrong, if not."""
    draft = _draft_from_form(form)
    errors: dict[str, str] = {}
    published = parse_date(draft["published_on"], "published_on", "The publication date",
                           errors)
    data = ReviewedReport(
        title=draft["title"], force=draft["force"], kind=draft["kind"], published_on=published,
        theme=draft["theme"],
        judgments=[(j["area"], j["grade"]) for j in draft["judgments"]],
        findings=[ReviewedFinding(**f) for f in draft["findings"]])
    errors.update(inspections.check_report(data))

    def again(errors: dict[str, str], status: int) -> Response:
        # a judgment's error is about its pair of fields: link to the first
        anchors = {k: f"{k}-area" for k in errors if k.startswith("judgment-")} | PUBLISHED
        return render(request, "inspection_review.html", {
            "page_title": "Check what was found", "draft": _with_dates(draft), "kinds": KINDS,
            "errors": errors, "error_list": error_list(errors, anchors), "notice": "",
        }, status_code=status)

    return submit(session, lambda: inspections.save_import(session, data, by=caller.actor),
                  errors=errors, refuse=(InvalidInput,), words=str, again=again,
                  done=lambda inspection: f"/inspections/{inspection.id}")


# --- one inspection ------------------------------------------------------------------------


def _inspection_page(request, session, caller, inspection_id: int, *, errors=None,
                     typed=None, status_code=200, finding_errors=None, finding_typed=None):
    inspection = inspections.get_inspection(session, inspection_id)
    findings = inspections.findings_of(session, inspection_id)
    everyone = people_service.list_people(session)
    names = {p.id: p.full_name for p in everyone}
    errors = errors or {}
    finding_errors = finding_errors or {}
    all_errors = {**errors, **{f"{k}-{fid}": v for fid, errs in finding_errors.items()
                               for k, v in errs.items()}}
    dates = {name: DateParts.of(getattr(inspection, name)) for name in DATE_LABELS}
    dates.update(typed or {})
    anchors = date_anchors(DATE_LABELS) | date_anchors(
        f"due_date-{fid}" for fid in finding_errors)
    return render(request, "inspection.html", {
        "page_title": inspection.title[:100],
        "inspection": inspection,
        "due": inspections.s55_due(inspection.published_on),
        "days_left": inspections.days_left(inspection, today()),
        "judgments": inspections.judgments_of(session, inspection_id),
        "findings": findings,
        "superseded": {f.id for f in findings if is_superseded(f)},
        "history": visible_history(
            session, inspections.history_of(session, [cast(int, f.id) for f in findings]),
            caller.actor),  # saved findings
        "names": names,
        "groups": people_groups(everyone, {f.owner_id for f in findings}),
        "kinds": KINDS, "force_statuses": FORCE_STATUSES, "opcc_statuses": OPCC_STATUSES,
        "date_fields": DATE_FIELDS, "dates": dates,
        "errors": errors, "finding_errors": finding_errors,
        "error_list": error_list(all_errors, anchors),
        "finding_typed": finding_typed or {},
        "can_edit": caller.actor.can(Perm.edit_record),
        "parts": DateParts.of,
    }, status_code=status_code)


@router.get("/inspections/{inspection_id}")
def inspection_page(inspection_id: IdPath, request: Request, session: SessionDep,
                    caller: PageCaller):
    return _inspection_page(request, session, caller, inspection_id)


@router.post("/inspections/{inspection_id}/dates")
async def post_dates(inspection_id: IdPath, request: Request, session: SessionDep,
                     caller: PageCaller):
    """Record the inspection's dates: each typed in its own three boxes."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office records dates.")
    form = await request.form()
    typed = {name: form_date(form, name) for name in DATE_LABELS}
    # Saving waits for the database: in a worker thread, as the other forms' work is.
    return await run_in_threadpool(_save_dates, request, session, caller, inspection_id, typed)


def _save_dates(request, session, caller, inspection_id: int,
                typed: dict[str, DateParts]) -> Response:
    inspections.get_inspection(session, inspection_id)
    errors: dict[str, str] = {}
    values = {name: parse_date(parts, name, DATE_LABELS[name], errors)
              for name, parts in typed.items()}
    published = values.pop("published_on")
    return submit(
        session,
        lambda: inspections.update_register_dates(session, inspection_id, values,
                                                  by=caller.actor, published_on=published,
                                                  change_published=True),
        errors=errors, refuse=(InvalidInput,), words=str,
        done=lambda _: f"/inspections/{inspection_id}#dates",
        again=lambda errors, status: _inspection_page(request, session, caller, inspection_id,
                                                      errors=errors, typed=typed,
                                                      status_code=status))


@router.post("/inspections/{inspection_id}/findings/{finding_id}")
def post_finding(
    inspection_id: IdPath, finding_id: IdPath, request: Request, session: SessionDep,
    caller: PageCaller, owner_id: FormStr = "",
    due_day: Annotated[str, Form(alias="due_date-day", max_length=20)] = "",
    due_month: Annotated[str, Form(alias="due_date-month", max_length=20)] = "",
    due_year: Annotated[str, Form(alias="due_date-year", max_length=20)] = "",
    force_status: FormStr = "not_started", opcc_status: FormStr = "not_assessed",
    opcc_evidence: FormText = "",
):
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office updates findings.")
    errors: dict[str, str] = {}
    typed = DateParts(due_day, due_month, due_year)
    due = parse_date(typed, "due_date", "The due date", errors)
    owner = parse_id(owner_id, "owner_id", errors, "Choose the owner from the list")
    return submit(
        session,
        lambda: inspections.update_finding(
            session, inspection_id, finding_id,
            FindingChange(owner_id=owner, due_date=due, force_status=force_status,
                          opcc_status=opcc_status, opcc_evidence=opcc_evidence),
            by=caller.actor),
        errors=errors, refuse=(InvalidInput,), words=str,
        done=lambda _: f"/inspections/{inspection_id}#finding-{finding_id}",
        again=lambda errors, status: _inspection_page(request, session, caller, inspection_id,
                                                      finding_errors={finding_id: errors},
                                                      finding_typed={finding_id: {
                                                          "due_date": typed,
                                                          "owner_id": owner_id,
                                                          "force_status": force_status,
                                                          "opcc_status": opcc_status,
                                                          "opcc_evidence": opcc_evidence}},
                                                      status_code=status))
