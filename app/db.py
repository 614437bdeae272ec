"""Engines and sessions: one engine per database URL, SQLite tuned for durability."""

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from app.config import get_settings, normalise_database_url
from app.files import private_dir, private_file, tighten

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_connection, _record, synchronous: str = "FULL") -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while the minute-taker writes; FULL makes an acknowledged save
    # survive a power cut; foreign keys are off in SQLite unless asked for.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # savepoints work (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None


def _take_turn(connection, turn: threading.Lock) -> None:
    # The writers of this process wait their turn here, in order, rather than in SQLite's
    # busy handler, which polls with sleeps of up to 100 ms and lets newcomers overtake:
    # with eight concurrent writers some saves waited seconds (bench/bench_autosave.py).
    if not turn.acquire(timeout=10):
        raise OperationalError("BEGIN IMMEDIATE", None,
                               sqlite3.OperationalError("database is locked"))
    connection.info["write_turn"] = turn


def _sqlite_begin(connection, turn: threading.Lock) -> None:
    # A request that will write takes SQLite's write lock when it begins: a transaction that
    # read first and then tried to write could fail at once if another writer committed
    # in between. Readers are never blocked by this in WAL mode.
    connection.info["turn"] = turn  # for a read that comes to write (_write_after_reading)
    immediate = connection.get_execution_options().get("sqlite_immediate")
    if immediate:
        _take_turn(connection, turn)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _write_after_reading(session: Session) -> None:
    """Before a read's session (a GET's, on SQLite) first writes (an export's audit event, an
    owner link's use, a refusal counted): end the read's transaction and begin one for
    writing, in its turn.

    A transaction that has read cannot start writing once another connection has written
    since: SQLite refuses at once ("database is locked"), whatever the busy timeout, and the
    page would answer 503. Nothing has been written yet, so ending the read loses nothing; the
    write then waits for the write lock as any writer does."""
    if session.info.get("writing"):
        return
    connection = session.connection()
    session.info["writing"] = True
    connection.exec_driver_sql("COMMIT")
    turn = connection.info.get("turn")
    if turn is not None and "write_turn" not in connection.info:
        _take_turn(connection, turn)
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _before_flush(session: Session, _flush_context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        _write_after_reading(session)


def _before_statement(state) -> None:
    # An INSERT, UPDATE or DELETE sent through the session (not by a flush)
    if state.is_insert or state.is_update or state.is_delete:
        _write_after_reading(state.session)


def _read_again(session: Session, transaction) -> None:
    """The next transaction of a read's session begins as a read again."""
    if transaction.parent is None:
        session.info.pop("writing", None)


def _sqlite_end_turn(record) -> None:
    # The connection went back to the pool (its transaction committed or rolled back) or away.
    turn = record.info.pop("write_turn", None)
    if turn is not None:
        turn.release()


def _private_database_file(path: Path) -> None:
    """Create the SQLite file owner-only before SQLite does (it would follow the umask), and
    tighten one made before. SQLite gives its -wal and -shm files the main file's mode."""
    private_dir(path.parent)
    try:
        private_file(path, exclusive=True).close()  # an empty file is an empty database
    except FileExistsError:
        pass
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        tighten(name)


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """Build an engine for a URL, creating the SQLite file (owner-only) when needed.

    `durable=False` skips SQLite's fsync on commit: for throwaway test databases only.
    """
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            _private_database_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        synchronous = "FULL" if durable else "OFF"
        event.listen(
            engine, "connect", lambda c, r: _sqlite_pragmas(c, r, synchronous=synchronous)
        )
        turn = threading.Lock()
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, turn))
        event.listen(engine, "checkin", lambda _dbapi, record: _sqlite_end_turn(record))
        event.listen(engine, "invalidate", lambda _dbapi, record, _e: _sqlite_end_turn(record))
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for a URL (the configured one by default)."""
    url = normalise_database_url(url or get_settings().database_url)
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def open_session(engine: Engine, *, write: bool = False) -> Session:
    """A session on an engine; `write` when the work will change the database. On SQLite a
    session opened for reading may still write (what a read records): it then ends its read
    and writes in a transaction begun for writing (_write_after_reading)."""
    bind = engine.execution_options(sqlite_immediate=True) if write else engine
    session = Session(bind, expire_on_commit=False)
    if not write and engine.dialect.name == "sqlite":
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "do_orm_execute", _before_statement)
        event.listen(session, "after_transaction_end", _read_again)
    return session


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; services commit at the end of their use case."""
    with open_session(get_engine(), write=request.method in WRITE_METHODS) as session:
        yield session


def request_session(request: Request, session: Annotated[Session, Depends(get_session)]
                    ) -> Session:
    """The request's session, its database noted on the request, so that a refusal is
    recorded in that database in a transaction of its own (app/web/errors.py), whichever
    route refused it."""
    request.state.database = session.get_bind()
    return session


SessionDep = Annotated[Session, Depends(request_session)]


def render_item(type_, obj, autogen_context):
    """For Alembic: write the UTC timestamp type as a plain timezone-aware DateTime."""
    from app.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
