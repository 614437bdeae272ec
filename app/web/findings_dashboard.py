"""The findings dashboard (/findings) and its report to the Police and Crime Panel as .docx and
.xlsx, with the same filters. The figures and the rules are in
app/services/findings_dashboard.py; these routes read the query string, call it and render.
The list is paged: `cursor` (from the page's Next link) says where a page starts, and the
filters stay in the address.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.export.findings_docx import build_findings_document
from app.export.findings_xlsx import write_findings_xlsx
from app.services import findings_dashboard as service
from app.services.dates import today
from app.services.errors import InvalidInput
from app.services.inspections import FORCE_STATUSES, KINDS, OPCC_STATUSES
from app.services.word_template import template_bytes
from app.web.deps import PageCaller
from app.web.downloads import DOCX_TYPE, XLSX_TYPE, safe_filename, written_file_response
from app.web.forms import error_list
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _params(request: Request) -> dict[str, str]:
    return {k: v[:200] for k, v in request.query_params.items() if k in service.FILTER_PARAMS}


@router.get("/findings")
def findings_page(request: Request, session: SessionDep, caller: PageCaller):
    params = _params(request)
    errors: dict[str, str] = {}
    try:
        filters = service.read_filters(params)
    except InvalidInput as exc:
        errors = exc.errors
        filters = service.DashboardFilters()
    # a cursor made by another list or other filters, or garbled: a clear 422
    cursor = request.query_params.get("cursor", "")[:2000] if not errors else ""
    board = service.dashboard(session, filters, today(), cursor=cursor or None)
    kept = {k: v for k, v in params.items() if v}
    return render(request, "findings.html", {
        "page_title": "Inspection findings", "board": board, "params": params,
        "first_link": f"/findings?{urlencode(kept)}#list" if cursor else None,
        "next_link": (f"/findings?{urlencode({**kept, 'cursor': board.next_cursor})}#list"
                      if board.next_cursor else None),
        "filtered": any(params.values()) and not errors,
        "kinds": KINDS, "force_statuses": FORCE_STATUSES, "opcc_statuses": OPCC_STATUSES,
        "errors": errors, "error_list": error_list(errors), "no_area": service.NO_AREA,
        "export_query": urlencode(kept) if not errors else "",
    }, status_code=422 if errors else 200)


def _report(request: Request, session, caller, fmt: str) -> service.PanelReport:
    filters = service.read_filters(_params(request))  # a bad value: a clear 422
    return service.panel_report(session, by=caller.actor, filters=filters, today=today(),
                                fmt=fmt)


@router.get("/findings/panel.docx")
def panel_docx(request: Request, session: SessionDep, caller: PageCaller):
    report = _report(request, session, caller, "docx")
    template = template_bytes(session)
    return written_file_response(
        lambda out: build_findings_document(report, template).save(out),
        safe_filename(f"{report.title} {today()}", "", "docx"), DOCX_TYPE)


@router.get("/findings/panel.xlsx")
def panel_xlsx(request: Request, session: SessionDep, caller: PageCaller):
    report = _report(request, session, caller, "xlsx")
    return written_file_response(lambda out: write_findings_xlsx(report, out),
                                 safe_filename(f"{report.title} {today()}", "", "xlsx"),
                                 XLSX_TYPE)
