"""How a paged page (My actions, the meetings list, /public…) is asked for and linked: `limit`,
and `after` or `before` holding a cursor of app.services.paging, kept in the address with the
list's filters and sort, so that "Previous" and "Next" show the same list."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from app.services.errors import InvalidInput
from app.services.paging import Page

# A page of a web list: as many as a reader takes in, and at most what the API gives.
PAGE_SIZE = 25
MOST = 100


@dataclass
class Asked:
    """The page asked for: how many rows, and where it starts."""

    limit: int
    after: str | None
    before: str | None


def asked(query: QueryParams, *, size: int = PAGE_SIZE) -> Asked:
    """The page the address asks for; a limit that is not a whole number from 1 to MOST, or a
    cursor far too long to be ours, is refused (422) with a message naming it."""
    limit = query.get("limit", "").strip()
    if limit and not (limit.isdigit() and len(limit) < 7 and 1 <= int(limit) <= MOST):
        raise InvalidInput({"limit": f"limit must be a whole number from 1 to {MOST}"})
    cursors = {name: query.get(name) or None for name in ("after", "before")}
    for name, value in cursors.items():
        if value is not None and len(value) > 2000:
            raise InvalidInput({name: "this page link is not one this list gave; start again "
                                      "from the first page"})
    return Asked(limit=int(limit) if limit else size, **cursors)


@dataclass
class Links:
    """The "Previous" and "Next" addresses of a page, and where its rows fall in the list."""

    previous: str | None
    next: str | None


def links(path: str, params: Mapping[str, object], page: Page, asked_for: Asked,
          *, size: int = PAGE_SIZE) -> Links:
    """The page's Previous and Next links, with the filters and sort (and a limit that is not
    the default) kept."""
    kept: dict[str, object] = {k: v for k, v in params.items() if v not in (None, "")}
    if asked_for.limit != size:
        kept["limit"] = asked_for.limit

    def to(**cursor: str) -> str:
        return f"{path}?{urlencode({**kept, **cursor})}"

    return Links(
        previous=to(before=page.previous_cursor) if page.previous_cursor else None,
        next=to(after=page.next_cursor) if page.next_cursor else None,
    )


def here(asked_for: Asked, *, size: int = PAGE_SIZE) -> dict[str, object]:
    """The address's parameters for the page being shown (its cursor, and a limit that is not
    the default): put on a form's address, a refused form comes back to the same page, and a
    saved one returns to it."""
    kept: dict[str, object] = {name: value for name, value in (
        ("after", asked_for.after), ("before", asked_for.before)) if value}
    if asked_for.limit != size:
        kept["limit"] = asked_for.limit
    return kept
