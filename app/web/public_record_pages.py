"""The public action log and the public register of decisions, for anyone without signing in:
their pages, filtered and paged with GET forms (no JavaScript needed), a page per decision,
its reports, and spreadsheets of what the filters select.

What the public may see and how it is worded are in app/services/public_record.py and
app/services/visibility.py; these routes read the address, call them and render. A filter
that is not one the form offers is refused (422) with the page and a message saying which.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.export.public_record_xlsx import (
    render_public_actions_xlsx,
    render_public_decisions_xlsx,
)
from app.models import ActionStatus
from app.services import public_record
from app.services.action_log import STATUS_WORDS
from app.services.errors import InvalidInput
from app.services.minutes import PUBLIC_MARKING
from app.services.office import get_office
from app.services.public_record import RAG_WORDS
from app.web import paged
from app.web.deps import IdPath
from app.web.downloads import XLSX_TYPE, file_response, safe_filename
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# The order the filters' fields come in on the page, for the error summary's links.
_FIELDS = ("q", "status", "rag", "year", "meeting", "significant")


def _errors(error: InvalidInput) -> list[tuple[str, str]]:
    """Each refused value's message, linked to its field (a page link's, which has none on
    the form, to the page's start)."""
    found = error.errors if isinstance(error.errors, dict) else {}
    ordered = [n for n in _FIELDS if n in found] + [n for n in found if n not in _FIELDS]
    return [(name if name in _FIELDS else "main-content",
             str(found[name])[:1].upper() + str(found[name])[1:]) for name in ordered]


def _typed(request: Request) -> dict[str, str]:
    """What the address asked for, cut short, to show in the form again after a refusal."""
    return {name: request.query_params.get(name, "")[:200] for name in _FIELDS}


def _download(path: str, params: dict[str, str]) -> str:
    return path + ("?" + urlencode(params) if params else "")


# --- the public action log -------------------------------------------------------------------


@router.get("/public/actions")
def public_actions(request: Request, session: SessionDep):
    office = get_office(session)
    context = {
        "page_title": "Action log", "office": office,
        "statuses": [(s.value, STATUS_WORDS[s]) for s in ActionStatus],
        "rags": [(r.value, words) for r, words in RAG_WORDS.items()],
        "year_choices": [(str(y), str(y)) for y in public_record.action_years(session)],
    }
    try:
        filters = public_record.action_filters(session, request.query_params)
        wanted = paged.asked(request.query_params, size=public_record.PAGE_SIZE)
        found = public_record.actions_page(session, filters=filters, limit=wanted.limit,
                                           after=wanted.after, before=wanted.before,
                                           most=paged.MOST)
    except InvalidInput as error:
        return render(request, "public_actions.html", {
            **context, "errors": _errors(error), "chosen": _typed(request), "found": None,
            "meetings": public_record.published_meetings(session, None)}, status_code=422)
    params = filters.params()
    links = paged.links("/public/actions", params, found.page, wanted,
                        size=public_record.PAGE_SIZE)
    return render(request, "public_actions.html", {
        **context, "errors": [], "chosen": params, "found": found,
        "meetings": public_record.published_meetings(session, filters.year),
        "filtered": bool(params),
        "previous_link": links.previous, "next_link": links.next,
        "download_link": _download("/public/actions.xlsx", params),
    })


@router.get("/public/actions.xlsx")
def public_actions_xlsx(request: Request, session: SessionDep):
    filters = public_record.action_filters(session, request.query_params)
    office = get_office(session)
    title = f"Action log – {office.office_name}"
    rows = public_record.all_actions(session, filters=filters)
    return file_response(render_public_actions_xlsx(rows, title=title, marking=PUBLIC_MARKING),
                         safe_filename("Action log", "public", "xlsx"), XLSX_TYPE)


# --- the public register of decisions ------------------------------------------------------


@router.get("/public/decisions")
def public_decisions(request: Request, session: SessionDep):
    context = {"page_title": "Decisions", "office": get_office(session),
               "year_choices": [(str(y), str(y))
                                for y in public_record.decision_years(session)]}
    try:
        filters = public_record.decision_filters(request.query_params)
        wanted = paged.asked(request.query_params, size=public_record.PAGE_SIZE)
        found = public_record.decisions_page(session, filters=filters, limit=wanted.limit,
                                             after=wanted.after, before=wanted.before,
                                             most=paged.MOST)
    except InvalidInput as error:
        return render(request, "public_decisions.html", {
            **context, "errors": _errors(error), "chosen": _typed(request), "found": None},
            status_code=422)
    params = filters.params()
    links = paged.links("/public/decisions", params, found.page, wanted,
                        size=public_record.PAGE_SIZE)
    return render(request, "public_decisions.html", {
        **context, "errors": [], "chosen": params, "found": found, "filtered": bool(params),
        "previous_link": links.previous, "next_link": links.next,
        "download_link": _download("/public/decisions.xlsx", params),
    })


@router.get("/public/decisions.xlsx")
def public_decisions_xlsx(request: Request, session: SessionDep):
    filters = public_record.decision_filters(request.query_params)
    office = get_office(session)
    title = f"Decisions register – {office.office_name}"
    rows = public_record.all_decisions(session, filters=filters)
    return file_response(
        render_public_decisions_xlsx(rows, title=title, marking=PUBLIC_MARKING),
        safe_filename("Decisions register", "public", "xlsx"), XLSX_TYPE)


@router.get("/public/decisions/{decision_id}")
def public_decision(decision_id: IdPath, request: Request, session: SessionDep):
    decision = public_record.get_decision(session, decision_id)
    return render(request, "public_decision.html", {
        "page_title": f"Decision {decision.reference}", "office": get_office(session),
        "decision": decision})


@router.get("/public/decisions/{decision_id}/reports/{paper_id}")
def public_decision_report(decision_id: IdPath, paper_id: IdPath, session: SessionDep):
    paper = public_record.decision_paper(session, decision_id=decision_id, paper_id=paper_id)
    response = file_response(paper.content, paper.filename, paper.content_type)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
