"""What code asks of the database while it runs: the SQL statements sent (with their
parameters) and the rows the ORM loads, noted by SQLAlchemy event listeners. For the tests
that prove a page or a job costs the same however large the record, or writes nothing."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


@dataclass
class Seen:
    sent: list[tuple[str, object]] = field(default_factory=list)  # (statement, parameters)
    loaded: int = 0  # rows loaded into objects, by any session

    @property
    def statements(self) -> list[str]:
        return [statement for statement, _ in self.sent]

    def starting(self, *words: str) -> list[str]:
        """The statements that start with one of the words (upper case), e.g. "SELECT"."""
        return [s for s in self.statements if s.lstrip().upper().startswith(words)]

    @property
    def asked(self) -> list[str]:
        """The statements but the test's own savepoints, which the test client (on PostgreSQL)
        makes and releases as the app commits."""
        return [s for s in self.statements
                if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@contextmanager
def sql_seen(on: Session | Engine | Connection) -> Iterator[Seen]:
    """Every statement sent through the engine of `on` (a session's, or an engine or
    connection), and every row any session loads, while in the block."""
    bind = on.get_bind() if isinstance(on, Session) else on
    engine = getattr(bind, "engine", bind)
    seen = Seen()

    def statement(conn, cursor, text, parameters, *args) -> None:
        seen.sent.append((text, parameters))

    def row(*args) -> None:
        seen.loaded += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(Session, "loaded_as_persistent", row)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(Session, "loaded_as_persistent", row)


def page_cost(client, session, path: str) -> tuple[int, int, str]:
    """Statements made (but the test's savepoints) and rows loaded by one view of a page, and
    its HTML; the page must be served."""
    with sql_seen(session) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return len(seen.asked), seen.loaded, response.text


def page_statements(client, session, path: str) -> tuple[int, str]:
    """Every statement one view of a page makes, the test's savepoints too, and its HTML; the
    page must be served."""
    with sql_seen(session) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return len(seen.statements), response.text
