"""The audit log for administrators: who did what, when, to which record, with filters, and
the filtered log as CSV; and the counts of refused requests from unknown callers. Read-only:
no route changes or removes an event."""

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.models import AuditEvent, RefusalTally
from app.services import audit, refusals
from app.services.audit import AuditFilters
from app.services.dates import to_london
from app.services.errors import InvalidInput
from app.web.deps import PageCaller, client_address
from app.web.downloads import file_response
from app.web.forms import parse_day
from app.web.templating import render

router = APIRouter(include_in_schema=False)

PARAMS = ("user", "verb", "type", "record", "from", "to", "q")
# Records that have a page of their own.
RECORD_PAGES = {
    "meeting": "/meetings/{id}",
    "action": "/actions/{id}",
    "question": "/questions/{id}",
    "meeting_type": "/series/{id}",
    "inspection": "/inspections/{id}",
}
RECORD_WORDS = {
    "meeting": "Meeting", "action": "Action", "question": "Question", "meeting_type": "Series",
    "inspection": "Inspection", "finding": "Inspection finding",
    "agenda_item": "Agenda item", "minute_entry": "Minute entry", "person": "Person",
    "user": "User", "api_token": "API token", "answer": "Answer", "paper": "Paper",
    "attendance": "Attendance", "owner_link": "Owner link", "office_settings": "Office settings",
    "action_log": "Action log", "audit_event": "Audit log", "request": "Request",
}


def _whole_number(value: str, name: str, errors: dict[str, str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    errors[name] = "enter a record id as a whole number, for example 12"
    return None


def read_filters(params: dict[str, str]) -> tuple[AuditFilters, dict[str, str]]:
    """The filters from the query string, and what is wrong with any of them."""
    errors: dict[str, str] = {}
    user = params.get("user", "").strip()
    filters = AuditFilters(
        user_id=int(user) if user.isdigit() and 0 < int(user) < 2**31 else None,
        verb=params.get("verb", "").strip()[:40],
        object_type=params.get("type", "").strip()[:40],
        object_id=_whole_number(params.get("record", ""), "record", errors),
        search=params.get("q", "").strip()[:200],
    )
    for field, name in (("date_from", "from"), ("date_to", "to")):
        try:
            setattr(filters, field, parse_day(params.get(name, ""), name))
        except InvalidInput as exc:
            errors.update(exc.errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = "the end date must be on or after the start date"
    return filters, errors


@dataclass
class Row:
    """One event as the table shows it."""

    when: str
    when_iso: str
    who: str
    what: str
    record: str
    link: str | None
    summary: str
    address: str


def row_of(event: AuditEvent) -> Row:
    local = to_london(event.occurred_at)
    words = RECORD_WORDS.get(event.object_type, event.object_type.replace("_", " ").capitalize())
    record = f"{words} {event.object_id}" if event.object_id is not None else words
    page = RECORD_PAGES.get(event.object_type)
    return Row(
        when=f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M:%S}",
        when_iso=local.isoformat(timespec="seconds"),
        who=event.actor or "—",
        what=event.verb.replace("_", " "),
        record=record,
        link=page.format(id=event.object_id) if page and event.object_id else None,
        summary=event.summary,
        address=event.address or "",
    )


@dataclass
class TallyRow:
    """One address's refused requests in one hour, as the table shows them."""

    window: str
    window_iso: str
    address: str
    count: int
    last: str
    last_summary: str


def tally_row_of(tally: RefusalTally) -> TallyRow:
    start = to_london(tally.window_start)
    end = to_london(tally.window_start + refusals.WINDOW)
    last = to_london(tally.last_at)
    return TallyRow(
        window=f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}–{end:%H:%M}",
        window_iso=start.isoformat(timespec="minutes"),
        address=tally.address or "unknown",
        count=tally.count,
        last=f"{last:%H:%M:%S}",
        last_summary=tally.last_summary,
    )


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 7 else 1


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k in PARAMS and v.strip()}


@router.get("/admin/audit")
def audit_log_page(request: Request, session: SessionDep, caller: PageCaller):
    params = _params(request)
    filters, errors = read_filters(params)
    page_number = _page_number(request.query_params.get("page", "1"))
    tallies = refusals.tallies(session, by=caller.actor,
                               page=_page_number(request.query_params.get("refused", "1")))
    choices = audit.filter_choices(session, by=caller.actor)
    if errors:
        found = audit.AuditPage(events=[], total=0, page=1)
    else:
        found = audit.search_events(
            session, by=caller.actor, filters=filters, page=page_number,
            before=audit.read_cursor(request.query_params.get("before")),
            after=audit.read_cursor(request.query_params.get("after")))
    query = urlencode(params)

    def page_link(number: int, cursor: dict[str, str | None]) -> str:
        # The page number is for the caption; the cursor (the event the reader saw last)
        # says where the page starts, so that a deep page costs no more than the first.
        keys = {k: v for k, v in cursor.items() if v and number > 1}
        return "/admin/audit?" + urlencode({**params, "page": number, **keys})

    def tally_link(number: int) -> str:
        return "/admin/audit?" + urlencode({**params, "refused": number}) + "#refused"

    return render(request, "audit.html", {
        "page_title": "Audit log",
        "rows": [row_of(e) for e in found.events],
        "found": found,
        "choices": choices,
        "record_words": RECORD_WORDS,
        "params": params,
        "errors": errors,
        "filtered": bool(params),
        "csv_link": "/admin/audit.csv" + (f"?{query}" if query else ""),
        "previous_link": (page_link(found.page - 1, {"after": found.newest_key})
                          if found.page > 1 else None),
        "next_link": (page_link(found.page + 1, {"before": found.oldest_key})
                      if found.page < found.pages else None),
        "tallies": tallies,
        "tally_rows": [tally_row_of(t) for t in tallies.tallies],
        "newer_tallies": tally_link(tallies.page - 1) if tallies.page > 1 else None,
        "older_tallies": (tally_link(tallies.page + 1) if tallies.page < tallies.pages
                          else None),
    })


@router.get("/admin/audit.csv")
def audit_log_csv(request: Request, session: SessionDep, caller: PageCaller):
    filters, errors = read_filters(_params(request))
    if errors:
        raise InvalidInput(errors)
    content = audit.export_csv(session, by=caller.actor, filters=filters,
                               address=client_address(request) or None)
    return file_response(content, "audit-log.csv", "text/csv; charset=utf-8")
