"""/search: find anything in the record (issue 18). The rules, and what a reader may see, are
in app/services/search.py; this page reads the form, asks, and shows the results by meeting."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from app.db import SessionDep
from app.services import meetings, people, search
from app.services.errors import InvalidInput
from app.web.deps import PageCaller
from app.web.forms import whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Query(max_length=40)]
Words = Annotated[str, Query(max_length=2000)]
PAGE_SIZE = 20
FIELDS = ("q", "kind", "series", "from", "to", "theme", "person")


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a real date, for example 2019-04-30"
        return None


@router.get("/search")
def search_page(request: Request, session: SessionDep, caller: PageCaller,
                q: Words = "", kind: Short = "", series: Short = "", theme: Words = "",
                person: Short = "", after: Words = "", to: Short = "",
                from_: Annotated[str, Query(alias="from", max_length=40)] = ""):
    params = {"q": q.strip(), "kind": kind.strip(), "series": series.strip(),
              "from": from_.strip(), "to": to.strip(), "theme": theme.strip(),
              "person": person.strip()}
    errors: dict[str, str] = {}
    found = None
    if params["q"] or any(v for k, v in params.items() if k != "q"):
        since = _day(from_, "from", errors)
        until = _day(to, "to", errors)
        if params["series"] and whole_id(params["series"]) is None:
            errors["series"] = "Choose a series from the list"
        if params["person"] and whole_id(params["person"]) is None:
            errors["person"] = "Choose a person from the list"
        if not errors:
            try:
                found = search.search(
                    session, by=caller.actor, q=params["q"],
                    kinds=[params["kind"]] if params["kind"] else None,
                    series_id=whole_id(params["series"]), from_=since, to=until,
                    theme=params["theme"][:200] or None,
                    person_id=whole_id(params["person"]), limit=PAGE_SIZE,
                    cursor=after.strip() or None)
            except InvalidInput as refused:
                errors.update({("q" if k == "limit" else k): v.capitalize()
                               for k, v in refused.errors.items()})
    kept = {k: v for k, v in params.items() if v}
    next_link = ("/search?" + urlencode({**kept, "after": found.next_cursor})
                 if found is not None and found.next_cursor else None)
    field_ids = {"kind": "kind", "cursor": "q", "to": "to", "from": "from", "q": "q",
                 "series": "series", "person": "person", "theme": "theme"}
    return render(request, "search.html", {
        "page_title": f"Search: {params['q']}" if params["q"] else "Search",
        "params": params, "found": found, "next_link": next_link,
        "first_link": "/search?" + urlencode(kept) if after.strip() else None,
        "errors": {field_ids.get(k, "q"): v for k, v in errors.items()},
        "kinds": search.kinds(),
        "series_choices": [(str(t.id), t.name) for t in meetings.list_meeting_types(session)],
        "people_choices": [(str(p.id), p.full_name)
                           for p in people.list_people(session, include_inactive=False)],
    }, status_code=422 if errors else 200)
