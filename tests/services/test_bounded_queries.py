"""Pages and runs that show a bounded amount read a bounded amount (issue 17): as the office's
record grows tenfold, the number of SQL statements they make stays the same, and the audit
log's filters do not read every event to list the verbs and record types."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlmodel import Session

from app.models import Role
from app.services import audit
from app.services.audit import AuditFilters
from app.services.permissions import Actor
from tests.factories import SYSTEM

ADMIN = Actor(role=Role.admin)


@contextmanager
def statements(session: Session) -> Iterator[list[tuple[str, object]]]:
    """The statements (and their parameters) sent to the database inside the block."""
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


# --- the audit log --------------------------------------------------------------------------

VERBS = ["create", "update", "sign-in", "export", "refused"]
TYPES = ["person", "meeting", "action", "user_account"]


def _add_events(session: Session, count: int) -> None:
    for n in range(count):
        audit.record(session, by=SYSTEM, verb=VERBS[n % len(VERBS)],
                     object_type=TYPES[n % len(TYPES)], object_id=n, summary=f"event {n}")
    session.commit()


def _audit_rows_read(session: Session, statement: str, parameters) -> int:
    """How many audit events the database reads to answer the statement (PostgreSQL: from
    EXPLAIN ANALYZE), or on SQLite 10**9 when its plan scans the whole table."""
    if session.get_bind().dialect.name == "sqlite":
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters).all()
        scans = [row[-1] for row in plan if re.match(r"SCAN audit_event\b", row[-1])]
        return 10**9 if scans else 0
    raw = session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar_one()
    plan = raw if isinstance(raw, list) else json.loads(raw)

    def rows(node: dict) -> int:
        own = (node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
               if node.get("Relation Name") == "audit_event" else 0)
        return own + sum(rows(child) for child in node.get("Plans", []))

    return rows(plan[0]["Plan"])


def test_the_audit_filters_list_verbs_and_types_without_reading_the_whole_log(session):
    _add_events(session, 600)
    with statements(session) as seen:
        choices = audit.filter_choices(session, by=ADMIN)
    assert choices.verbs == sorted(VERBS) and choices.object_types == sorted(TYPES)
    on_log = [(s, p) for s, p in seen if "audit_event" in s]
    assert on_log
    for statement, parameters in on_log:
        # a few rows per distinct value, not the 600 events
        assert _audit_rows_read(session, statement, parameters) < 60, statement


def test_the_audit_page_makes_as_many_statements_for_a_long_log_as_a_short_one(session):
    counts = []
    for size in (40, 400):
        _add_events(session, size)
        with statements(session) as seen:
            audit.filter_choices(session, by=ADMIN)
            first = audit.search_events(session, by=ADMIN, filters=AuditFilters(), page=1)
            audit.search_events(session, by=ADMIN, filters=AuditFilters(verb="update"), page=2)
        counts.append(len(seen))
        assert len(first.events) == min(first.total, audit.PER_PAGE)
    assert counts[0] == counts[1], counts
