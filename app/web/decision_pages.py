"""The decisions register: every decision minuted, filtered by series, year and words of the
item's (or its theme's) title, a page at a time, and as a spreadsheet. The rules, and what a
reader may see, are in app/services/decisions.py."""

from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.export.decisions_xlsx import render_decisions_xlsx
from app.services import decisions, meetings
from app.services.decisions import DecisionFilters
from app.services.errors import InvalidInput
from app.services.minutes import PUBLIC_MARKING
from app.services.office import get_office
from app.services.permissions import Perm
from app.services.visibility import EXEMPT_MARK, sees_exempt
from app.web.deps import IdPath, PageCaller
from app.web.downloads import file_response, safe_filename
from app.web.forms import whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ShortQuery = Annotated[str, Query(max_length=20)]
WordsQuery = Annotated[str, Query(max_length=200)]


def _filters(session, series: str, year: str, q: str) -> tuple[DecisionFilters, dict[str, str]]:
    """The filters as chosen; a series or year that does not exist is ignored (the form only
    offers those that do)."""
    series_ids = {t.id for t in meetings.list_meeting_types(session)}
    chosen_series = whole_id(series.strip())
    chosen_year = int(year) if year.strip().isdigit() and len(year.strip()) == 4 else None
    filters = DecisionFilters(series_id=chosen_series if chosen_series in series_ids else None,
                              year=chosen_year, words=decisions.words_of(q))
    params = {k: v for k, v in (("series", filters.series_id), ("year", filters.year),
                                ("q", " ".join(filters.words))) if v}
    return filters, {k: str(v) for k, v in params.items()}


@router.get("/decisions")
def decisions_page(request: Request, session: SessionDep, caller: PageCaller,
                   series: ShortQuery = "", year: ShortQuery = "", q: WordsQuery = "",
                   page: ShortQuery = "1", notice: Annotated[str, Query(max_length=300)] = ""):
    filters, params = _filters(session, series, year, q)
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    found = decisions.decisions_page(session, by=caller.actor, filters=filters, page=number)

    def page_link(to: int) -> str:
        return "/decisions?" + urlencode({**params, "page": to})

    return render(request, "decisions.html", {
        "page_title": "Decisions", "found": found,
        "series_choices": [(str(t.id), t.name) for t in meetings.list_meeting_types(session)],
        "years": [str(y) for y in decisions.decision_years(session)],
        "params": params, "filtered": bool(params),
        "download_link": "/decisions.xlsx" + ("?" + urlencode(params) if params else ""),
        "previous_link": page_link(found.page - 1) if found.page > 1 else None,
        "next_link": page_link(found.page + 1) if found.page < found.pages else None,
        "exempt_mark": EXEMPT_MARK,
        "can_mark": caller.actor.can(Perm.edit_record),
        "here": "/decisions?" + urlencode({**params, "page": found.page}),
        "notice": notice,
    })


@router.post("/decisions/{decision_id}/significant")
def mark_significant(decision_id: IdPath, session: SessionDep, caller: PageCaller,
                     significant: Annotated[str, Form(max_length=5)] = "",
                     back: Annotated[str, Form(max_length=1000)] = ""):
    """Mark a decision as of significant public interest ("yes") or no longer ("no"), then
    back to the register where it was."""
    if significant not in ("yes", "no"):
        raise InvalidInput({"significant": "Choose yes or no"})
    decision = decisions.mark_significant(session, decision_id=decision_id,
                                          significant=significant == "yes", by=caller.actor)
    said = ("is marked as of significant public interest: the public register marks it"
            if decision.significant else "is no longer marked as of significant public "
            "interest")
    # Only back to the register itself, never elsewhere (the form is ours; the field is not).
    kept = parse_qs(urlsplit(back).query) if back.startswith("/decisions?") else {}
    query = {k: v[0] for k, v in kept.items() if k in ("series", "year", "q", "page")}
    query["notice"] = f"{decision.reference} {said}."
    return RedirectResponse(f"/decisions?{urlencode(query)}#decision-{decision.id}",
                            status_code=303)


@router.get("/decisions.xlsx")
def decisions_xlsx(session: SessionDep, caller: PageCaller, series: ShortQuery = "",
                   year: ShortQuery = "", q: WordsQuery = ""):
    filters, _params = _filters(session, series, year, q)
    rows = decisions.all_decisions(session, by=caller.actor, filters=filters)
    office = get_office(session)
    marking = office.default_marking if sees_exempt(caller.actor) else PUBLIC_MARKING
    title = "Decisions register"
    return file_response(render_decisions_xlsx(rows, title=title, marking=marking),
                         safe_filename(title, "", "xlsx"), XLSX_TYPE)
