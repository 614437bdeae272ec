"""How the API's paged lists are asked for and answered; the rule itself is
app.services.paging."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from app.services.paging import DEFAULT_LIMIT, MAX_LIMIT, Page

T = TypeVar("T")

LimitQuery = Annotated[int, Query(
    ge=1, le=MAX_LIMIT,
    description=f"How many rows to give, from 1 to {MAX_LIMIT}; {DEFAULT_LIMIT} if not given.",
)]
CursorQuery = Annotated[str | None, Query(
    max_length=2000,
    description="Where the page starts: the `cursor` of the previous answer's `next` link. "
                "Opaque; it only works with the list and the filters it was made for.",
)]


class PageOf(BaseModel, Generic[T]):
    """One page of a list."""

    results: list[T]
    next: str | None = Field(
        description="The address of the next page, with the same filters; null on the last "
                    "page. The same address is in the `Link` header with rel=\"next\".")


def answer(request: Request, response: Response, page: Page, results: list) -> dict:
    """The body of a paged answer, with the next page's address also in the Link header."""
    following = None
    if page.next_cursor is not None:
        following = str(request.url.include_query_params(cursor=page.next_cursor))
        response.headers["Link"] = f'<{following}>; rel="next"'
    return {"results": results, "next": following}


PAGED: dict[int | str, dict] = {200: {"headers": {"Link": {
    "description": 'The next page\'s address, `<URL>; rel="next"`; absent on the last page.',
    "schema": {"type": "string"},
}}}}
