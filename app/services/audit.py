"""The audit trail: every change, sign-in, refusal and export leaves an event. Events are
never edited or deleted (the database refuses it too: migration 0008); admins read them."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.models import AuditEvent, User
from app.services.common import contains
from app.services.dates import end_of_day_utc, start_of_day_utc, to_london
from app.services.paging import seek
from app.services.permissions import Actor, Perm, require
from app.services.text import hide_link_secrets, looks_like_formula

PER_PAGE = 100
CSV_COLUMNS = ["id", "when (London)", "when (UTC)", "who", "user id", "what", "record type",
               "record id", "summary", "address"]


def record(
    session: Session,
    *,
    by: Actor,
    verb: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
    address: str | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction (it is committed with the change it describes)."""
    event = AuditEvent(
        user_id=by.user_id,
        actor=by.label,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        # A refused address may carry an owner link's or a feed's secret; the log is read widely.
        summary=hide_link_secrets(summary)[:4000],
        address=(address or None) and address[:64],
    )
    session.add(event)
    return event


def describe_changes(changes: dict) -> str:
    """A short summary of changed fields for the audit trail."""
    parts = []
    for key, value in changes.items():
        text = repr(value)
        parts.append(f"{key}={text[:80] + '…' if len(text) > 80 else text}")
    return ", ".join(parts)


# --- reading the log ------------------------------------------------------------------------


@dataclass
class AuditFilters:
    """What the admin asked to see; empty means everything."""

    user_id: int | None = None
    verb: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""

    def describe(self) -> str:
        """The filters in words, for the CSV export's audit event."""
        parts = [f"{name}={value}" for name, value in vars(self).items() if value]
        return ", ".join(parts) or "everything"


@dataclass
class AuditPage:
    """One page of the log, newest first."""

    events: list[AuditEvent]
    total: int
    page: int
    per_page: int = PER_PAGE
    users: dict[int, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def newest_key(self) -> str | None:
        """The cursor of the page before this one (newer events): its first event."""
        return cursor_of(self.events[0]) if self.events else None

    @property
    def oldest_key(self) -> str | None:
        """The cursor of the page after this one (older events): its last event."""
        return cursor_of(self.events[-1]) if self.events else None


def cursor_of(event: AuditEvent) -> str:
    """Where an event sits in the log's order (newest first): its time and id."""
    return f"{event.occurred_at.astimezone(UTC).isoformat()}~{event.id}"


def read_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A cursor from a page's address, or None when it is missing or not one of ours."""
    if not value or len(value) > 60 or "~" not in value:
        return None
    when, _, number = value.partition("~")
    try:
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None or not number.isdigit() or len(number) > 12:
            return None
        return moment.astimezone(UTC), int(number)
    except (ValueError, OverflowError):  # not a time, or one out of range in UTC
        return None


def _conditions(filters: AuditFilters) -> list:
    where: list = []
    if filters.user_id is not None:
        where.append(AuditEvent.user_id == filters.user_id)
    if filters.verb:
        where.append(AuditEvent.verb == filters.verb)
    if filters.object_type:
        where.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        where.append(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        where.append(AuditEvent.occurred_at >= start_of_day_utc(filters.date_from))
    if filters.date_to:
        where.append(AuditEvent.occurred_at <= end_of_day_utc(filters.date_to))
    if filters.search.strip():
        words = filters.search.strip()
        where.append(or_(contains(AuditEvent.summary, words), contains(AuditEvent.actor, words)))
    return where


def _newest_first(filters: AuditFilters):
    return (select(AuditEvent).where(*_conditions(filters))
            .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc()))


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {cast(int, u.id): u.email  # saved rows: ids are set
            for u in session.exec(select(User).where(col(User.id).in_(ids)))}


def search_events(session: Session, *, by: Actor, filters: AuditFilters, page: int = 1,
                  per_page: int = PER_PAGE, before: tuple[datetime, int] | None = None,
                  after: tuple[datetime, int] | None = None) -> AuditPage:
    """A page of the events matching the filters, newest first (admins only).

    With `before` (the last event of the page the reader was on) the page is the events just
    older than it, and with `after` (the first event of that page) those just newer: keyset
    paging, which costs the same on the thousandth page as on the first and neither repeats
    nor skips events written meanwhile. Without either, `page` counts from the newest."""
    require(by, Perm.read_audit, "Only an administrator can read the audit log.")
    total = session.exec(select(func.count()).select_from(AuditEvent)
                         .where(*_conditions(filters))).one()
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    newest_first = [col(AuditEvent.occurred_at), col(AuditEvent.id)]
    events: list[AuditEvent] | None = None
    if before is not None or after is not None:
        events, _ = seek(session, select(AuditEvent).where(*_conditions(filters)),
                         columns=newest_first, descending=[True, True], limit=per_page,
                         after=before or after, backwards=before is None)
    if not events:  # no cursor, or it led past either end: count the page from the newest
        events = list(session.exec(_newest_first(filters).offset((page - 1) * per_page)
                                   .limit(per_page)))
    users = _user_names(session, {e.user_id for e in events if e.user_id})
    return AuditPage(events=events, total=total, page=page, per_page=per_page, users=users)


@dataclass
class AuditChoices:
    """What the filters offer: the users, verbs and record types found in the log."""

    users: list[tuple[int, str]]
    verbs: list[str]
    object_types: list[str]


def _distinct_values(session: Session, column: str) -> list[str]:
    """The different values of an indexed column of the log, in order, found by skipping from
    each value to the next through the index (a few index lookups per value) rather than by
    SELECT DISTINCT, which reads every event on both databases."""
    values = col(getattr(AuditEvent, column))
    found = select(func.min(values).label("value")).cte("found", recursive=True)
    following = (select(func.min(values)).where(values > found.c.value)
                 .correlate(found).scalar_subquery())
    found = found.union_all(select(following).where(found.c.value.is_not(None)))
    return [cast(str, value) for value in
            session.exec(select(found.c.value).where(found.c.value.is_not(None)))]


def filter_choices(session: Session, *, by: Actor) -> AuditChoices:
    """The options of the log's filters (admins only)."""
    require(by, Perm.read_audit, "Only an administrator can read the audit log.")
    users = [(cast(int, u.id), u.email)  # saved rows: ids are set
             for u in session.exec(select(User).order_by(User.email))]
    verbs = _distinct_values(session, "verb")
    types = _distinct_values(session, "object_type")
    return AuditChoices(users=users, verbs=verbs, object_types=types)


def _cell(value: object) -> str:
    """A value as CSV text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


def _rows(session: Session, filters: AuditFilters) -> Iterator[list[str]]:
    # In batches, newest first by id (keyset, so events written meanwhile neither repeat nor
    # shift a batch), and a long log never sits in memory whole.
    before: list[int] | None = None
    more = True
    while more:
        batch, more = seek(session, select(AuditEvent).where(*_conditions(filters)),
                           columns=[col(AuditEvent.id)], descending=[True], limit=1000,
                           after=before)
        if batch:
            before = [cast(int, batch[-1].id)]
        for event in batch:
            yield [_cell(v) for v in (
                event.id, f"{to_london(event.occurred_at):%Y-%m-%d %H:%M:%S %z}",
                event.occurred_at.isoformat(), event.actor, event.user_id, event.verb,
                event.object_type, event.object_id, event.summary, event.address)]


def export_csv(session: Session, *, by: Actor, filters: AuditFilters,
               address: str | None = None) -> bytes:
    """The events matching the filters as CSV (UTF-8 with a BOM, for Excel); audited."""
    require(by, Perm.read_audit, "Only an administrator can read the audit log.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _rows(session, filters):
        writer.writerow(row)
        count += 1
    record(session, by=by, verb="export", object_type="audit_event", object_id=None,
           summary=f"audit log (csv), {count} events: {filters.describe()}", address=address)
    session.flush()
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
