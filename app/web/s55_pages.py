"""The Commissioner's s55 response to an inspection: the page with its texts and what is still
missing, saving the texts, and downloading the response as a Word document.

Whoever can see the inspection reads the page and downloads the draft; only those who keep the
record change its texts (the service checks). The rules are in app/services/s55_response.py.
"""

import re

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.db import SessionDep
from app.export.s55_response_docx import render_s55_response
from app.services import inspections, s55_response
from app.services.errors import InvalidInput
from app.services.inspections import KINDS
from app.services.permissions import Perm, require
from app.services.s55_response import RESPONSE_FIELDS, TEXTS, ResponseTexts
from app.services.word_template import template_bytes
from app.web.deps import IdPath, PageCaller
from app.web.downloads import docx_response
from app.web.forms import error_list, submit
from app.web.templating import render

router = APIRouter(include_in_schema=False)

_FINDING_FIELD = re.compile(r"finding-(\d{1,9})-(\w{1,20})")
KEPT = 200_000  # of a text that was too long, what the page shows again to be cut down


def _page(request, session, caller, inspection_id: int, *, typed=None, errors=None,
          status_code=200):
    response = s55_response.response_of(session, inspection_id)
    errors = errors or {}
    values = {name: getattr(response, name) for name in TEXTS}
    for finding in response.responded:
        for name in RESPONSE_FIELDS:
            values[f"finding-{finding.id}-{name}"] = getattr(finding, name)
    values.update(typed or {})
    # an error about a finding not on the page points at the responses as a whole
    anchors = {k: "responses" for k in errors if k not in values}
    return render(request, "s55_response.html", {
        "page_title": f"s55 response: {response.inspection_title}"[:100],
        "response": response, "values": values, "texts": TEXTS, "kinds": KINDS,
        "errors": errors, "error_list": error_list(errors, anchors),
        "can_edit": caller.actor.can(Perm.edit_record),
        "saved": request.query_params.get("saved") == "1" and not errors,
    }, status_code=status_code)


@router.get("/inspections/{inspection_id}/response")
def response_page(inspection_id: IdPath, request: Request, session: SessionDep,
                  caller: PageCaller):
    return _page(request, session, caller, inspection_id)


@router.post("/inspections/{inspection_id}/response")
async def save_response(inspection_id: IdPath, request: Request, session: SessionDep,
                        caller: PageCaller):
    """Save the texts; on an error the page comes back with what was typed."""
    require(caller.actor, Perm.edit_record,
            "Only the Commissioner's office writes the s55 response.")
    # The database work runs in worker threads, off the event loop (a write may wait seconds
    # for SQLite's lock, and every other request would wait with it).
    await run_in_threadpool(inspections.get_inspection, session, inspection_id)  # 404 first
    form = await request.form()
    return await run_in_threadpool(_save_texts, inspection_id, request, session, caller, form)


def _save_texts(inspection_id: int, request: Request, session, caller, form):
    """Save the texts the form carries; the page again, with what is wrong, if not."""
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    texts = ResponseTexts()
    for key, value in form.multi_items():
        if key == "csrf_token":
            continue
        if not isinstance(value, str):
            errors[key[:60]] = "Type the text in the box; files are not taken here"
            continue
        match = _FINDING_FIELD.fullmatch(key)
        if key in TEXTS:
            setattr(texts, key, value)
            typed[key] = value[:KEPT]
        elif match:
            finding_id, name = int(match.group(1)), match.group(2)
            texts.findings.setdefault(finding_id, {})[name] = value
            typed[key] = value[:KEPT]
        else:
            errors[key[:60]] = "This form has a field it does not know; reload the page"
    return submit(
        session, lambda: s55_response.update_texts(session, inspection_id, texts, by=caller.actor),
        errors=errors, refuse=(InvalidInput,), words=str,
        done=lambda _: f"/inspections/{inspection_id}/response?saved=1",
        again=lambda errors, status: _page(request, session, caller, inspection_id, typed=typed,
                                           errors=errors, status_code=status))


@router.get("/inspections/{inspection_id}/response.docx")
def response_docx(inspection_id: IdPath, session: SessionDep, caller: PageCaller):
    response = s55_response.response_for_export(session, inspection_id, by=caller.actor)
    return docx_response(render_s55_response(response, template_bytes(session)),
                         response.filename, "")
