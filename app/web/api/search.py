"""Find anything in the record (issue 18)."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.db import SessionDep
from app.schemas import MAX_ID
from app.services import search
from app.services.paging import DEFAULT_LIMIT, Page
from app.services.search_index import Kind
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, answer
from app.web.deps import ActorDep

router = APIRouter(tags=["search"])


class SearchResultRead(BaseModel):
    """One thing found."""

    kind: Kind = Field(description="What it is: " + ", ".join(k.value for k in Kind))
    id: int = Field(description="The id of the paragraph, item, question… it is")
    meeting_id: int | None = Field(description="The meeting it belongs to, if any")
    title: str = Field(description="What it is called: its item, reference or file name")
    snippet: str = Field(description="Where the words were found: HTML-escaped text with "
                                     "the matching words in <mark>…</mark>")
    url: str = Field(description="The page that shows it")
    date: dt.date | None = Field(description="Its meeting's date, or the day it was written")


class SearchPageRead(BaseModel):
    """One page of what was found, best first."""

    results: list[SearchResultRead]
    total: int = Field(description="How many things the caller may see were found, counted "
                                   "up to 1000: beyond that only the newest 1000 are ranked "
                                   "and paged; add words or filters to reach older ones")
    next: str | None = Field(description="The address of the next page; null on the last")


@router.get("/search", response_model=SearchPageRead, responses=PAGED)
def search_record(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=search.MAX_QUERY, description=(
        "The words to look for, as on a search engine: all of the words, \"a phrase\", "
        "OR between alternatives, -word to leave one out. Words are stemmed: policing "
        "finds police."))],
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds (repeatable)")
                    ] = None,
    series_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    from_: Annotated[dt.date | None, Query(alias="from", description="On or after this day")
                     ] = None,
    to: Annotated[dt.date | None, Query(description="On or before this day")] = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    person_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description=(
        "Only what this person said, asked, answered, owns or presents"))] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
):
    """Everything the caller may see that holds the words: minutes, agenda items, papers,
    questions and answers, actions and their updates, decisions and inspection findings;
    best first, a page at a time. What the caller may not see is neither found nor counted."""
    page = search.search(session, by=actor, q=q, kinds=[k.value for k in kind or []],
                         series_id=series_id, from_=from_, to=to, theme=theme,
                         person_id=person_id, limit=limit, cursor=cursor)
    results = [SearchResultRead(kind=r.kind, id=r.id, meeting_id=r.meeting_id, title=r.title,
                                snippet=str(r.snippet), url=r.url, date=r.date)
               for r in page.results]
    body = answer(request, response, Page(rows=results, next_cursor=page.next_cursor), results)
    return {**body, "total": page.total}
