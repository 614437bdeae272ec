"""Paging of long lists by keyset: the one rule every paged list of the API follows.

A page is asked for with `limit` (how many rows) and `cursor` (where the last page ended). The
cursor is opaque to the caller: urlsafe base64 of a small JSON holding the sort key of the last
row given and a fingerprint of the list and its filters, signed with the site's key. A cursor
made by another list, by the same list with other filters, or not by us at all is refused.

Rows are found by keyset, never by OFFSET: `WHERE (key…) > (last key…) ORDER BY key… LIMIT n+1`,
the id always last in the key so it is unique. So a page costs the same on the first page as on
the thousandth, and rows added between two pages neither shift nor repeat rows. Rows the reader
may not see are dropped before the page is counted, so the page size tells nothing of them.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, func, select

from app.config import get_settings
from app.services.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

T = TypeVar("T")


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order; `descending` for latest-first lists."""

    column: Any
    value: Callable[[Any], Any]  # the row's value for this column
    descending: bool = False


@dataclass
class Page(Generic[T]):
    """One page of rows, the cursor of the next page (None on the last) and, when the page
    was reached by a cursor, that of the page before it (None on the first)."""

    rows: list[T]
    next_cursor: str | None
    previous_cursor: str | None = None


def fingerprint(scope: str, filters: Mapping[str, Any]) -> str:
    """What a cursor belongs to: the list and the filters it was made with."""
    settled = {k: _plain(v) for k, v in sorted(filters.items()) if v is not None}
    text = json.dumps([scope, settled], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _signature(body: bytes) -> str:
    key = hashlib.sha256(b"assure-paging:" + get_settings().signing_key().encode()).digest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()[:24]


def encode_cursor(values: Sequence[Any], print_: str) -> str:
    """The cursor after a row with these sort-key values, for the list with this fingerprint."""
    keys = [["t", v.isoformat()] if isinstance(v, datetime) else
            ["d", v.isoformat()] if isinstance(v, date) else ["v", v] for v in values]
    body = json.dumps({"k": keys, "f": print_}, separators=(",", ":")).encode()
    signed = json.dumps({"b": body.decode(), "s": _signature(body)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, print_: str, size: int) -> list[Any]:
    """The sort-key values a cursor holds; InvalidInput naming `cursor` if it is not one of
    ours, or was made by another list or other filters."""
    garbled = InvalidInput({"cursor": "cursor is not one this list gave; start again "
                                      "without a cursor"})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        signed = json.loads(raw)
        body = signed["b"].encode()
        if not hmac.compare_digest(_signature(body), signed["s"]):
            raise garbled
        content = json.loads(body)
        keys = content["k"]
        made_for = content["f"]
    except InvalidInput:
        raise
    except (ValueError, TypeError, KeyError, AttributeError):
        raise garbled from None
    if made_for != print_:
        raise InvalidInput({"cursor": "cursor was made for another list or other filters; "
                                      "start again without a cursor"})
    if not isinstance(keys, list) or len(keys) != size:
        raise garbled
    values: list[Any] = []
    try:
        for kind, value in keys:
            if kind == "t":
                values.append(datetime.fromisoformat(value))
            elif kind == "d":
                values.append(date.fromisoformat(value))
            else:
                values.append(value)
    except (ValueError, TypeError):
        raise garbled from None
    return values


def check_limit(limit: int, most: int = MAX_LIMIT) -> int:
    """The page size asked for, if allowed."""
    if not 1 <= limit <= most:
        raise InvalidInput({"limit": f"limit must be from 1 to {most}"})
    return limit


def count_of(session: Session, query: Any) -> int:
    """How many rows the query selects, counted by the database."""
    return session.exec(select(func.count()).select_from(
        query.order_by(None).subquery())).one()


def after_key(columns: Sequence[Any], descending: Sequence[bool],
              values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after these key values in the order the columns give (each ascending
    or descending): (a > x) or (a = x and b > y)…, spelt out so that mixed directions and
    every database work alike."""
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        beyond = column < values[i] if descending[i] else column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(false(), *clauses)


def seek(
    session: Session,
    query: Any,
    *,
    columns: Sequence[Any],
    descending: Sequence[bool],
    limit: int,
    after: Sequence[Any] | None = None,
    backwards: bool = False,
) -> tuple[list[Any], bool]:
    """The keyset step every paged list takes: up to `limit` rows of the query in the
    columns' order, just after the row whose key values are `after` (or, `backwards`, just
    before it, still given in the list's order), and whether more rows lie beyond them.
    One query, `LIMIT limit+1`, however deep the page."""
    directions = [not d for d in descending] if backwards else list(descending)
    step = query if after is None else query.where(after_key(columns, directions, after))
    order = [c.desc() if d else c.asc() for c, d in zip(columns, directions, strict=True)]
    rows = list(session.exec(step.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    return rows, more


def keyset_page(
    session: Session,
    query: Any,
    *,
    keys: Sequence[SortKey],
    limit: int,
    cursor: str | None,
    scope: str,
    filters: Mapping[str, Any],
    keep: Callable[[list[Any]], list[Any]] | None = None,
    before: str | None = None,
    most: int = MAX_LIMIT,
) -> Page[Any]:
    """One page of the query's rows in key order, after the cursor's row (or, with `before`,
    the page just before that cursor's row: a "Previous" link).

    `keep` drops, from a batch of rows, those the reader may not see (keeping the order); it is
    applied before the page is counted, and more rows are read until the page is full or the
    list ends, so an exempt row neither shortens a page nor shows in where the next one starts.
    """
    check_limit(limit, most)
    print_ = fingerprint(scope, filters)
    backwards = before is not None
    mark = before if backwards else cursor
    last = decode_cursor(mark, print_, len(keys)) if mark else None
    columns = [k.column for k in keys]
    descending = [k.descending for k in keys]
    found: list[Any] = []
    batch = limit + 1
    while len(found) <= limit:
        rows, more = seek(session, query, columns=columns, descending=descending,
                          limit=batch, after=last, backwards=backwards)
        kept = keep(rows) if keep else rows
        found = kept + found if backwards else found + kept
        if not more:
            break
        last = [k.value(rows[0] if backwards else rows[-1]) for k in keys]
        batch = min(batch * 2, 4 * MAX_LIMIT)

    def cursor_at(row: Any) -> str:
        return encode_cursor([k.value(row) for k in keys], print_)

    more = len(found) > limit
    if backwards:
        rows = found[-limit:]
        return Page(rows=rows, next_cursor=cursor_at(rows[-1]) if rows else None,
                    previous_cursor=cursor_at(rows[0]) if more else None)
    rows = found[:limit]
    return Page(rows=rows, next_cursor=cursor_at(rows[-1]) if more else None,
                previous_cursor=cursor_at(rows[0]) if cursor and rows else None)
