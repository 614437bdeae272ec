"""The query plans of the reads issue 17 wants bounded, on an office built by
bench/bench_bounded.py: the preparation page's actions carried forward (and their count), the
action log's chart (open_over_time), a theme page's questions and their count, and the last
answers on the preparation page's themes.

    PYTHONPATH=. python bench/explain_bounded.py --url sqlite:////tmp/.../bench.db
    PYTHONPATH=. python bench/explain_bounded.py --url postgresql+psycopg://...

Each statement the calls make is printed with its plan (SQLite's EXPLAIN QUERY PLAN,
PostgreSQL's EXPLAIN), so whether an index is used, or a table read whole, shows."""

import argparse
import sys

from sqlalchemy import event
from sqlmodel import Session, col, select

from app.db import make_engine
from app.models import Meeting, Role
from app.services import actions, questions
from app.services.action_log import open_over_time
from app.services.permissions import Actor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.url, durable=False)
    office = Actor(role=Role.secretariat)
    with Session(engine) as session:
        meeting = session.exec(select(Meeting).order_by(col(Meeting.starts_at).desc())).first()
        assert meeting is not None
        calls = {
            "carried_forward": lambda: actions.carried_forward(session, meeting, limit=25),
            "count_carried_forward": lambda: actions.count_carried_forward(session, meeting),
            "open_over_time": lambda: open_over_time(session, by=office),
            "theme_history": lambda: questions.theme_history(session, theme="Theme 1",
                                                             by=office, limit=20),
            "count_theme_history": lambda: questions.count_theme_history(
                session, theme="Theme 1", by=office),
            "latest_answers_before": lambda: questions.latest_answers_before(
                session, themes=["Theme 1", "theme 2", "Theme 3"], meeting=meeting, by=office),
        }
        postgres = engine.dialect.name == "postgresql"
        for name, call in calls.items():
            seen: list[tuple[str, object]] = []

            def note(conn, cursor, statement, parameters, context, executemany,
                     seen=seen):
                seen.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", note)
            try:
                call()
            finally:
                event.remove(engine, "before_cursor_execute", note)
            print(f"=== {name}: {len(seen)} statement(s)")
            connection = session.connection().connection.driver_connection
            for statement, parameters in seen:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                print(" ".join(statement.split())[:600])
                cursor = connection.cursor()
                cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ")
                               + statement, parameters)
                for row in cursor.fetchall():
                    print("   ", " | ".join(str(v) for v in (row[1:] if not postgres
                                                            else row)))
                print()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
