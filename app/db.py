"""Engines and sessions: one engine per database URL, SQLite tuned for durability."""

import asyncio
import sqlite3
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

import anyio
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.config import get_settings, normalise_database_url
from app.files import private_dir, private_file, tighten
from app.services import search_index  # noqa: F401  (every session keeps the index in step)

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


def begin_writing(session: Session) -> None:
    """From here the session's work writes. A use case that first does slow work on what it
    has read (printing a PDF) calls this before it checks again and writes, so that on SQLite
    the write lock is taken only then: a session opened for reading (a `reads_first` route's)
    ends its read and waits its turn to write (_write_after_reading). Any other session is
    writing already, or (PostgreSQL) locks what it writes row by row: nothing to do."""
    if session.info.get("reads_first"):
        _write_after_reading(session)


Route = TypeVar("Route", bound=Callable[..., Any])


def reads_first(route: Route) -> Route:
    """Mark a route whose use case reads, does slow work and only then writes (publishing:
    LibreOffice prints the PDF). Its unit of work begins as a read, not holding SQLite's write
    lock (and with it every minute-taker's save) for the seconds the slow work takes; the use
    case calls begin_writing before it writes."""
    setattr(route, "reads_first", True)  # noqa: B010 - a mark read by unit_of_work
    return route


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


def _pool_limits() -> dict:
    settings = get_settings()
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout}


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """Build an engine for a URL, creating the SQLite file (owner-only) when needed; its pool
    is sized by ASSURE_DB_POOL_SIZE, ASSURE_DB_MAX_OVERFLOW and ASSURE_DB_POOL_TIMEOUT.

    `durable=False` skips SQLite's fsync on commit: for throwaway test databases only.
    """
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = (parsed.database in (None, "", ":memory:")
                     or parsed.query.get("mode") == "memory")
        if not in_memory and not parsed.query.get("uri"):
            assert parsed.database is not None  # a file, as not in memory
            _private_database_file(Path(parsed.database))
        # A file database gets SQLAlchemy's QueuePool, sized as for PostgreSQL; an in-memory
        # one keeps its one connection per thread.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                               **({} if in_memory else _pool_limits()))
        synchronous = "FULL" if durable else "OFF"
        event.listen(
            engine, "connect", lambda c, r: _sqlite_pragmas(c, r, synchronous=synchronous)
        )
        turn = threading.Lock()
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, turn))
        event.listen(engine, "checkin", lambda _dbapi, record: _sqlite_end_turn(record))
        event.listen(engine, "invalidate", lambda _dbapi, record, _e: _sqlite_end_turn(record))
        return engine
    return create_engine(url, pool_pre_ping=True, **_pool_limits())


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
        session.info["reads_first"] = True
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "do_orm_execute", _before_statement)
        event.listen(session, "after_transaction_end", _read_again)
    return session


class NoConnection(sa_exc.TimeoutError):
    """A request waited ASSURE_DB_POOL_TIMEOUT seconds for its turn at the database in vain
    (answered 503, as the pool's own TimeoutError is: app/web/errors.py)."""


class Turnstile:
    """At most `places` requests of a process use the database at once; the others wait, in
    the order they came (writes ahead of reads), on the event loop, holding neither a thread
    nor a connection, and give up after `timeout` seconds (NoConnection).

    Without it a burst of requests deadlocked until the pool's timeout: a request takes its
    connection in one worker thread and needs another thread to go on (the route, then closing
    the session), while every worker thread was taken by newcomers waiting for a connection.
    100 anonymous requests at once stalled the server for 30 s, then 500s. Thread-safe and
    free of any one event loop, as the engine it guards is."""

    def __init__(self, places: int, timeout: float) -> None:
        self.places, self.timeout = places, timeout
        self._free = places
        self._lock = threading.Lock()
        self._waiting: deque[asyncio.Future] = deque()
        self._first: deque[asyncio.Future] = deque()  # writes, let in before the others

    async def enter(self, *, first: bool = False) -> None:
        """Wait for a place; NoConnection after `timeout` seconds without one. `first` goes
        ahead of those waiting (a write: a minute-taker's save must not queue behind fifty
        readers of the live view)."""
        queue = self._first if first else self._waiting
        with self._lock:
            if self._free and not self._waiting and not self._first:
                self._free -= 1
                return
            turn = asyncio.get_running_loop().create_future()
            queue.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.timeout)
        except BaseException as error:
            with self._lock:
                given = turn not in queue  # the place came as the wait ended
                if not given:
                    queue.remove(turn)
            if given and isinstance(error, TimeoutError):
                return
            if given:
                self.leave()
            if isinstance(error, TimeoutError):
                raise NoConnection(f"no database connection within {self.timeout:g} s "
                                   f"({self.places} in use)") from None
            raise

    def leave(self) -> None:
        """Give the place to the first write that waits, else the first other, or back."""
        with self._lock:
            for queue in (self._first, self._waiting):
                while queue:
                    turn = queue.popleft()
                    try:
                        turn.get_loop().call_soon_threadsafe(_give, turn)
                        return
                    except RuntimeError:  # its event loop has closed
                        continue
            self._free += 1


def _give(turn: asyncio.Future) -> None:
    if not turn.done():
        turn.set_result(None)


_turnstiles: WeakKeyDictionary[Engine, Turnstile] = WeakKeyDictionary()
_turnstiles_lock = threading.Lock()


def turnstile(engine: Engine) -> Turnstile | None:
    """The turnstile in front of an engine's pool: as many places as the pool keeps
    connections (its overflow is left for what is written apart from a request, such as a
    refusal for the audit log), the pool's timeout as the longest wait. None for a pool without
    a limit (an in-memory SQLite database)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    with _turnstiles_lock:
        if engine not in _turnstiles:
            _turnstiles[engine] = Turnstile(pool.size(), pool.timeout())
        return _turnstiles[engine]


@asynccontextmanager
async def database_turn(engine: Engine, *, first: bool = False) -> AsyncIterator[None]:
    """Hold one of the engine's places while the body runs (see Turnstile); `first` waits
    ahead of the others."""
    gate = turnstile(engine)
    if gate is None:
        yield
        return
    await gate.enter(first=first)
    try:
        yield
    finally:
        gate.leave()


def answer_refused(request: Request) -> None:
    """Mark the request's answer as a refusal (a page re-rendered with its errors, status 400
    and above): its unit of work is rolled back, not committed. `render` calls it."""
    request.state.refused = True


@asynccontextmanager
async def unit_of_work(request: Request, engine: Engine) -> AsyncIterator[Session]:
    """The request's session and its one transaction, once it is the request's turn at the
    database. Services add, flush and raise; they never commit. When the route has made its
    answer the transaction is committed, unless the route raised or answered a refusal
    (`answer_refused`): then nothing of it is kept. A commit that fails raises here, before
    the answer is sent, so a caller is never told "saved" of what was not.

    Database work (the commit, closing the session) runs in a thread, and the closing is done
    even when the request is cancelled, so the connection always goes back."""
    write = (request.method in WRITE_METHODS
             and not getattr(request.scope.get("endpoint"), "reads_first", False))
    async with database_turn(engine, first=request.method in WRITE_METHODS):
        session = open_session(engine, write=write)
        try:
            yield session
            if not getattr(request.state, "refused", False):
                await run_in_threadpool(session.commit)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.close)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A unit of work per request (see unit_of_work) on the configured database."""
    async with unit_of_work(request, get_engine()) as session:
        yield session


def request_session(request: Request,
                    session: Annotated[Session, Depends(get_session, scope="function")]
                    ) -> Session:
    """The request's session, its database noted on the request, so that a refusal is
    recorded in that database in a transaction of its own (app/web/errors.py), whichever
    route refused it.

    The session closes when the route has made its answer, before the answer is sent
    (scope="function"): a slow client downloading a paper holds no connection."""
    request.state.database = session.get_bind()
    return session


SessionDep = Annotated[Session, Depends(request_session)]


def render_item(type_, obj, autogen_context):
    """For Alembic: write the UTC timestamp type as a plain timezone-aware DateTime."""
    from app.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name, type_, parent_names) -> bool:
    """For Alembic: what the search index has on one database only (SQLite's FTS5 tables,
    PostgreSQL's tsvector column and its index; migration 0032) is not in the models, and is
    not a difference between them and the database."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "index" and name == "ix_search_document_tsv":
        return False
    return not (type_ == "column" and name == "tsv"
                and parent_names.get("table_name") == "search_document")
