"""Pages and runs that show a bounded amount read a bounded amount (issue 17): as the office's
record grows tenfold, the number of SQL statements they make stays the same, and the audit
log's filters do not read every event to list the verbs and record types."""

import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col

from app.models import Action, ActionOwner, ActionStatus, Notification, Role
from app.schemas import ActionUpdateCreate
from app.services import actions, audit
from app.services.action_log import LogFilters, log_page, open_over_time
from app.services.audit import AuditFilters
from app.services.mail import OutboxMailer
from app.services.notifications import send_reminders
from app.services.permissions import Actor
from tests.factories import SYSTEM, make_action, make_person
from tests.sql_counter import sql_seen

ADMIN = Actor(role=Role.admin)


# --- the audit log --------------------------------------------------------------------------

VERBS = ["create", "update", "sign-in", "export", "refused"]
TYPES = ["person", "meeting", "action", "user_account"]


def _add_events(session: Session, count: int) -> None:
    for n in range(count):
        audit.record(session, by=SYSTEM, verb=VERBS[n % len(VERBS)],
                     object_type=TYPES[n % len(TYPES)], object_id=n, summary=f"event {n}")
    session.commit()


def _rows_read(session: Session, table: str, statement: str, parameters) -> int:
    """How many rows of the table the database reads to answer the statement (PostgreSQL:
    from EXPLAIN ANALYZE), or on SQLite 10**9 when its plan scans the whole table."""
    if session.get_bind().dialect.name == "sqlite":
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters).all()
        scans = [row[-1] for row in plan if re.match(rf"SCAN {table}\b", row[-1])]
        return 10**9 if scans else 0
    raw = session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar_one()
    plan = raw if isinstance(raw, list) else json.loads(raw)

    def rows(node: dict) -> int:
        own = (node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
               if node.get("Relation Name") == table else 0)
        return own + sum(rows(child) for child in node.get("Plans", []))

    return rows(plan[0]["Plan"])


def _audit_rows_read(session: Session, statement: str, parameters) -> int:
    return _rows_read(session, "audit_event", statement, parameters)


def test_the_audit_filters_list_verbs_and_types_without_reading_the_whole_log(session):
    _add_events(session, 600)
    with sql_seen(session) as seen:
        choices = audit.filter_choices(session, by=ADMIN)
    assert choices.verbs == sorted(VERBS) and choices.object_types == sorted(TYPES)
    on_log = [(s, p) for s, p in seen.sent if "audit_event" in s]
    assert on_log
    for statement, parameters in on_log:
        # a few rows per distinct value, not the 600 events
        assert _audit_rows_read(session, statement, parameters) < 60, statement


def test_the_audit_page_makes_as_many_statements_for_a_long_log_as_a_short_one(session):
    counts = []
    for size in (40, 400):
        _add_events(session, size)
        with sql_seen(session) as seen:
            audit.filter_choices(session, by=ADMIN)
            first = audit.search_events(session, by=ADMIN, filters=AuditFilters(), page=1)
            audit.search_events(session, by=ADMIN, filters=AuditFilters(verb="update"), page=2)
        counts.append(len(seen.statements))
        assert len(first.events) == min(first.total, audit.PER_PAGE)
    assert counts[0] == counts[1], counts


# --- the action log -------------------------------------------------------------------------


def test_the_action_log_of_open_actions_reads_the_open_ones_not_the_whole_record(session):
    """The log opens on the actions not closed: its page, totals, owners, themes and chart
    find them by the indexes on status and closing, not by reading every closed action of the
    years behind."""
    owner = make_person(session, full_name="Owner", email="owner@force.example")
    for n in range(5):
        make_action(session, [owner], text=f"Open action {n}")
    closed_on = datetime(2018, 3, 1, tzinfo=UTC)
    session.add_all([Action(reference=f"OLD{n}", year=2018, seq=1000 + n, text=f"Old {n}",
                            status=ActionStatus.closed, created_at=closed_on,
                            closed_at=closed_on) for n in range(600)])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("ANALYZE action")
    with sql_seen(session) as seen:
        page = log_page(session, by=ADMIN, filters=LogFilters(open_only=True))
        weeks = open_over_time(session, by=ADMIN)
    assert weeks[-1].total == 5
    assert page.total == 5 and len(page.entries) == 5
    on_actions = [(s, p) for s, p in seen.sent if re.search(r"\bFROM action\b", s)]
    assert on_actions
    for statement, parameters in on_actions:
        assert _rows_read(session, "action", statement, parameters) < 60, statement


# --- the reminders run ----------------------------------------------------------------------

REMIND_DAY = date(2026, 6, 2)  # a Tuesday: the weekly digest is due too


def _record_of_open_actions(session: Session, count: int, owners: list) -> None:
    """Open actions given long ago and due years ahead: nobody's email today."""
    made = []
    for n in range(count):
        action = make_action(session, [owners[n % len(owners)]], due_date=date(2031, 1, 31),
                             text=f"Long-standing action {n}")
        actions.add_update(session, action_id=action.id, by=SYSTEM,
                           data=ActionUpdateCreate(text=f"progress {n}"))
        made.append(action.id)
    session.execute(update(ActionOwner).where(col(ActionOwner.action_id).in_(made))
                    .values(assigned_at=datetime(2020, 1, 1, tzinfo=UTC)))
    session.commit()


def _reminders_run(session: Session, tmp_path, name: str) -> tuple[int, int, list]:
    """Statements made and rows loaded by one run, and the emails sent (to, subject)."""
    with Session(session.get_bind(), expire_on_commit=False) as fresh:
        with sql_seen(fresh) as seen:
            report = send_reminders(fresh, today=REMIND_DAY, base_url="https://x.example",
                                    mailer=OutboxMailer(tmp_path / name, sender="a@b.example"))
        fresh.rollback()
    return len(seen.statements), seen.loaded, sorted(report.recipients)


def test_the_reminders_run_reads_as_much_for_a_long_record_as_a_short_one(session, tmp_path):
    owners = [make_person(session, full_name=f"Owner {n}", email=f"owner{n}@force.example")
              for n in range(3)]
    _record_of_open_actions(session, 4, owners)
    # The actions that do bring emails today: due today, due soon, overdue, just given.
    for due in (REMIND_DAY, REMIND_DAY + timedelta(days=3), REMIND_DAY - timedelta(days=9)):
        make_action(session, [owners[0], owners[1]], due_date=due)
    session.execute(update(ActionOwner).where(col(ActionOwner.assigned_at).is_not(None))
                    .values(assigned_at=datetime(2020, 1, 1, tzinfo=UTC)))
    session.commit()
    make_action(session, [owners[2]], due_date=date(2031, 1, 31), text="Given this week")
    small = _reminders_run(session, tmp_path, "small")
    session.execute(delete(Notification))
    session.commit()
    _record_of_open_actions(session, 40, owners)
    large = _reminders_run(session, tmp_path, "large")
    assert small[2] == large[2], (small[2], large[2])  # the same emails
    assert {kind for kind, _, _ in small[2]} == {"assigned", "due_soon", "due_today", "digest"}
    assert large[0] == small[0], (small[0], large[0])  # statements
    assert large[1] == small[1], (small[1], large[1])  # rows loaded
