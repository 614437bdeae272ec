"""Every test gets a fresh, migrated database: SQLite always, PostgreSQL when
TEST_DATABASE_URL is set (CI sets it). Nothing leaks from one test to the next.

On PostgreSQL a test runs inside one transaction on one connection, rolled back at its end
(see `engine`); a test that needs connections of its own (threads, other processes, a server,
the CLI) is marked `separate_connections` and gets the database itself, emptied after it."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, SQLModel

from app.config import normalise_database_url
from app.db import get_session, make_engine, unit_of_work
from app.main import create_app
from app.migrations_config import alembic_config
from tests.factories import TEST_SESSION, CommittingClient

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "separate_connections: on PostgreSQL the test gets the database itself (emptied after "
        "it), not one connection's transaction rolled back at its end: for tests whose threads, "
        "processes, servers or engines open connections of their own")


@pytest.fixture(autouse=True, scope="session")
def outbox_outside_the_checkout(tmp_path_factory):
    """Mail a page sends (an invitation) goes to a folder of the test run's, never to the
    checkout's var/outbox; a test that reads the mail points ASSURE_OUTBOX_DIR at its own."""
    from app.config import get_settings

    before = os.environ.get("ASSURE_OUTBOX_DIR")
    os.environ["ASSURE_OUTBOX_DIR"] = str(tmp_path_factory.mktemp("outbox"))
    get_settings.cache_clear()
    yield
    if before is None:
        os.environ.pop("ASSURE_OUTBOX_DIR", None)
    else:
        os.environ["ASSURE_OUTBOX_DIR"] = before
    get_settings.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Argon2 with the production cost takes a quarter of a second a hash here, and most page
    tests sign in; the tests use the same algorithm at its lowest cost."""
    from argon2 import PasswordHasher

    from app.services import identity

    real = identity._hasher
    identity._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    identity._hasher = real


def pytest_report_header(config):
    if PG_URL:
        shown = make_url(normalise_database_url(PG_URL)).render_as_string(hide_password=True)
        return f"databases: SQLite and PostgreSQL ({shown})"
    return "databases: SQLite only (set TEST_DATABASE_URL to run on PostgreSQL as well)"


def _admin():
    """An engine on the PostgreSQL server's test database, for making other databases."""
    base = make_url(normalise_database_url(PG_URL))
    return base, make_engine(base.render_as_string(hide_password=False))


def worker_pg_url() -> str:
    """This test process's PostgreSQL database: the test database itself, or, when pytest-xdist
    runs several processes, a database of each one's own (made on first use)."""
    base, admin = _admin()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        admin.dispose()
        return base.render_as_string(hide_password=False)
    name = f"{base.database}_{worker}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name}).first()
        if found is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@contextmanager
def own_database(backend: str, folder, suffix: str) -> Iterator[str]:
    """An empty database that one test has to itself: a SQLite file in `folder`, or a
    PostgreSQL database `<this process's database>_<suffix>` made for it and dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / (suffix + '.db')}"
        return
    base, admin = _admin()
    base = base.set(database=make_url(worker_pg_url()).database)
    name = f"{base.database}_{suffix}"

    def drop() -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "head")
    return str(path)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """This process's PostgreSQL database, emptied and migrated to head once per run."""
    url = worker_pg_url()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(url), "head")
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    """Empty the tables that hold rows and restart every id at 1. TRUNCATE of all 30 tables
    costs 180 ms a time here, for each of about a thousand tests; most tests write to a few
    tables only. (TRUNCATE, not DELETE: a deleted table's space is reused, so rows read
    without an ORDER BY would come back in another order than they were written.)"""
    used_sql = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
        for t in SQLModel.metadata.sorted_tables)
    serial = [t.name for t in SQLModel.metadata.sorted_tables
              if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement]
    restart = "SELECT " + ", ".join(
        f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in serial)
    with engine.begin() as connection:
        used = [row[0] for row in connection.exec_driver_sql(used_sql)]
        if used:
            tables = ", ".join(f'"{name}"' for name in used)
            connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        connection.exec_driver_sql(restart)


class TestConnection(Connection):
    """A PostgreSQL test's one connection, standing in for the engine: the test's sessions and
    the app's (open_session, unit_of_work, Session(bind)) all bind to it. It is kept inside a
    SAVEPOINT, so each Session joins with its own savepoint (join_transaction_mode
    "conservative_savepoint", SQLAlchemy's default, makes it "create_savepoint"): a commit
    releases the session's savepoint, a rollback goes back to it, and the test's transaction
    around them all is rolled back at its end."""

    __test__ = False  # not a test class for pytest

    @property
    def pool(self):
        """The engine's pool, for the request turnstile (app/db.py turnstile)."""
        return self.engine.pool

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """As `engine.connect()` for a test that reads or writes apart from its sessions: this
        connection, what is done through it undone at the end of the block, as a connection
        closed without a commit would."""
        savepoint = self.begin_nested()
        try:
            yield self
        finally:
            if savepoint.is_active:
                savepoint.rollback()


def _restart_sequences_sql() -> str:
    serial = [t.name for t in SQLModel.metadata.sorted_tables
              if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement]
    return "SELECT " + ", ".join(
        f"setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in serial)


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    """A migrated, empty database of each backend under test.

    On PostgreSQL: one connection in a transaction rolled back after the test, which costs a
    few ms where emptying the tables cost about 120 ms. Sequences are not transactional, so
    every id is restarted at 1 before the test (setval), as TRUNCATE ... RESTART IDENTITY did.
    A test marked `separate_connections` gets the engine itself, emptied before and after."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}", durable=False)
        yield engine
        engine.dispose()
        return
    pg = request.getfixturevalue("pg_engine")
    if (request.node.get_closest_marker("separate_connections")
            or "separate_connections" in request.fixturenames):
        _truncate(pg)
        yield pg
        _truncate(pg)
        return
    connection = TestConnection(pg)
    outer = connection.begin()
    try:
        connection.exec_driver_sql(_restart_sequences_sql())
        connection.begin_nested()
        yield connection  # stands in for the engine: see TestConnection
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def separate_connections() -> None:
    """Asked for by a fixture whose engines, threads or processes open connections of their
    own to the test database: on PostgreSQL the test then gets the database itself, as the
    `separate_connections` marker gives it (see `engine`)."""


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        TEST_SESSION["current"] = session
        try:
            yield session
        finally:
            TEST_SESSION.pop("current", None)


@pytest.fixture
def app(engine):
    application = create_app()

    async def session_override(request: Request):
        async with unit_of_work(request, engine) as session:
            yield session

    application.dependency_overrides[get_session] = session_override
    return application


@pytest.fixture
def client(app, session) -> Iterator[TestClient]:
    # https, as the office serves it: the session cookie is Secure, and an http client would
    # not send it back. What the test wrote through its session is committed before each
    # request (CommittingClient).
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          session=session) as test_client:
        yield test_client
