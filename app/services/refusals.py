"""Refused requests from callers nobody knows (no session, no valid token, an owner link that
does not work, an address locked out of signing in): counted per address and hour in
refusal_tally, and written to the audit log once per address and hour, so that a flood of them
cannot grow the log without bound. A signed-in caller's refusals keep an event each.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.models import RefusalTally, utcnow
from app.services import audit
from app.services.permissions import Actor, Perm, require
from app.services.text import hide_link_secrets

WINDOW = timedelta(hours=1)
# Tallies older than this are dropped; the first refusal of each window stays in the audit log.
KEEP = timedelta(days=90)
PER_PAGE = 20
_TALLY: Table = RefusalTally.__table__  # type: ignore[attr-defined]  # set by SQLModel, undeclared


def window_start(at: datetime) -> datetime:
    """The start of the window (a whole UTC hour) that a moment falls in."""
    seconds = int(WINDOW.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // seconds * seconds, UTC)


def _count(session: Session, address: str, start: datetime, now: datetime,
           summary: str) -> int:
    """Add one to the address's tally for the window, atomically (two processes counting at
    once both count), and return the new count."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Either dialect's insert, then its returning form.
    statement: Any = insert(_TALLY).values(address=address, window_start=start, count=1,
                                           first_at=now, last_at=now, last_summary=summary)
    statement = statement.on_conflict_do_update(
        index_elements=[_TALLY.c.address, _TALLY.c.window_start],
        set_={"count": _TALLY.c.count + 1, "last_at": statement.excluded.last_at,
              "last_summary": statement.excluded.last_summary},
    ).returning(_TALLY.c.count)
    return session.execute(statement).scalar_one()


def count_refusal(
    session: Session,
    *,
    address: str | None,
    summary: str,
    label: str = "anonymous",
    verb: str = "refused",
    object_type: str = "request",
    object_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Count a refusal of an unknown caller; the first from its address in a window is also
    an audit event, which says the rest are counted. In the caller's transaction; whether
    an event was written."""
    now = now or utcnow()
    address = (address or "")[:64]
    summary = hide_link_secrets(summary)
    start = window_start(now)
    if _count(session, address, start, now, summary[:500]) > 1:
        return False
    # A new window: the moment to drop tallies too old to keep, without a job of its own.
    session.execute(delete(_TALLY).where(_TALLY.c.window_start < start - KEEP))
    until = start + WINDOW
    audit.record(session, by=Actor.system(label=label), verb=verb, object_type=object_type,
                 object_id=object_id, address=address or None,
                 summary=f"{summary} (further refusals from {address or 'this address'} until "
                         f"{until:%H:%M} UTC are counted, not logged one by one)")
    return True


@dataclass
class TallyPage:
    """A page of tallies, the newest window first."""

    tallies: list[RefusalTally]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def tallies(session: Session, *, by: Actor, page: int = 1,
            per_page: int = PER_PAGE) -> TallyPage:
    """The counts of refused requests from unknown callers, newest first (admins only)."""
    require(by, Perm.read_audit, "Only an administrator can read the audit log.")
    total = session.exec(select(func.count()).select_from(RefusalTally)).one()
    page = max(1, min(page, max(1, -(-total // per_page))))
    found = session.exec(select(RefusalTally).order_by(
        col(RefusalTally.window_start).desc(), col(RefusalTally.last_at).desc(),
        col(RefusalTally.id).desc())
        .offset((page - 1) * per_page).limit(per_page))
    return TallyPage(tallies=list(found), total=total, page=page, per_page=per_page)
