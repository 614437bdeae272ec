"""Backups taken while people keep working restore to a sound database that holds every
write acknowledged before the backup began; restore refuses a damaged or mismatched file.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, each in databases of the
test's own ("<name>_bsrc", "<name>_bdst"; made and dropped here).
"""

import json
import threading
import time
from itertools import count

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

import app.db
from app.cli import main
from app.config import get_settings
from app.db import make_engine, open_session
from app.migrations_config import alembic_config
from app.models import AuditEvent, Person
from app.schemas import PersonCreate
from app.services import backup as backups
from app.services import people
from tests.conftest import BACKENDS
from tests.conftest import own_database as own
from tests.factories import SYSTEM

WRITERS = 4
BEFORE = 40  # writes acknowledged before the backup begins, at least
AFTER = 40  # writes acknowledged after it ends, at least


@pytest.fixture(params=BACKENDS)
def databases(request, tmp_path):
    """A migrated source database and an empty one to restore into, of each backend."""
    with own(request.param, tmp_path, "bsrc") as source, \
            own(request.param, tmp_path, "bdst") as target:
        command.upgrade(alembic_config(source), "head")
        yield source, target


class Writer(threading.Thread):
    """Adds people through the service, one transaction each, until told to stop; a name
    is acknowledged once create_person has committed and returned."""

    def __init__(self, engine, number: int, acknowledged: list, lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.engine, self.number = engine, number
        self.acknowledged, self.lock = acknowledged, lock
        self.stop = threading.Event()
        self.attempted: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for n in count():
                if self.stop.is_set():
                    return
                name = f"Writer {self.number} person {n}"
                self.attempted.append(name)
                with open_session(self.engine, write=True) as session:
                    people.create_person(session, by=SYSTEM, data=PersonCreate(
                        full_name=name, initials=f"W{self.number}"))
                    session.commit()
                with self.lock:
                    self.acknowledged.append(name)
        except BaseException as exc:  # reported by the test
            self.error = exc


def _add_person(engine, name: str) -> None:
    with open_session(engine, write=True) as session:
        people.create_person(session, by=SYSTEM, data=PersonCreate(
            full_name=name, initials="".join(w[0] for w in name.split())))
        session.commit()


def _wait_for(acknowledged: list, lock: threading.Lock, at_least: int, writers) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with lock:
            if len(acknowledged) >= at_least:
                return
        assert all(w.error is None for w in writers), [w.error for w in writers]
        time.sleep(0.01)
    raise AssertionError(f"the writers acknowledged only {len(acknowledged)} writes")


def _names(url: str) -> tuple[list[str], int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            names = list(session.exec(select(Person.full_name)))
            created = session.exec(select(AuditEvent).where(
                AuditEvent.verb == "create", AuditEvent.object_type == "person")).all()
            return names, len(created)
    finally:
        engine.dispose()


def test_a_backup_taken_while_writes_continue_restores_every_acknowledged_write(
        databases, tmp_path, capsys):
    source, target = databases
    engine = make_engine(source)
    acknowledged: list[str] = []
    lock = threading.Lock()
    writers = [Writer(engine, n, acknowledged, lock) for n in range(WRITERS)]
    try:
        for writer in writers:
            writer.start()
        _wait_for(acknowledged, lock, BEFORE, writers)
        with lock:
            before = set(acknowledged)
        result = backups.backup(source, tmp_path / "during.bak")
        with lock:
            by_the_end = len(acknowledged)
        _wait_for(acknowledged, lock, by_the_end + AFTER, writers)
    finally:
        for writer in writers:
            writer.stop.set()
        for writer in writers:
            writer.join(timeout=60)
        engine.dispose()
    assert all(w.error is None for w in writers), [w.error for w in writers]
    assert result.manifest.revision == backups.head_revision()

    manifest = backups.restore(result.path, target)
    assert manifest == result.manifest
    assert backups.problems(target) == []
    restored, created_events = _names(target)
    # Every write acknowledged before the backup began is there, once.
    assert before <= set(restored)
    assert len(restored) == len(set(restored))
    # Nothing that was never written, and no more than was written by the backup's end
    # (acknowledged by then, or committed and on its way back to a writer).
    attempted = {name for w in writers for name in w.attempted}
    assert set(restored) <= attempted
    assert len(before) <= len(restored) <= by_the_end + WRITERS
    # One snapshot: each person came with the audit event of its own transaction.
    assert created_events == len(restored)
    # The restored audit log is still append-only.
    restored_engine = make_engine(target)
    try:
        with restored_engine.connect() as connection, pytest.raises(DBAPIError):
            connection.execute(text("DELETE FROM audit_event"))
    finally:
        restored_engine.dispose()
    # The writers went on after the backup, and the source holds everything acknowledged.
    assert len(acknowledged) >= by_the_end + AFTER
    assert set(acknowledged) <= set(_names(source)[0])
    with capsys.disabled():
        print(f"\nbackup on {make_url(source).get_backend_name()}: {len(before)} writes "
              f"acknowledged before it began, {by_the_end - len(before)} during it, "
              f"{len(restored)} restored, {len(acknowledged)} acknowledged in all")


@pytest.fixture
def made(tmp_path):
    """A SQLite database with records, and a backup of it."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    _add_person(engine, "John Campion")
    engine.dispose()
    return url, backups.backup(url, tmp_path / "good.bak")


def _rewrite_manifest(path, **changes) -> None:
    manifest = json.loads(backups.manifest_path(path).read_text())
    manifest.update(changes)
    backups.manifest_path(path).write_text(json.dumps(manifest))


def _refused(path, url, words: str) -> None:
    with pytest.raises(backups.BackupError) as refused:
        backups.restore(path, url)
    assert words in str(refused.value)


def test_restore_refuses_a_truncated_file_and_a_wrong_checksum(made, tmp_path):
    _, result = made
    target = f"sqlite:///{tmp_path / 'target.db'}"
    truncated = tmp_path / "truncated.bak"
    truncated.write_bytes(result.path.read_bytes()[:8192])
    backups.manifest_path(truncated).write_text(result.manifest_path.read_text())
    _refused(truncated, target, "does not match the checksum")

    _rewrite_manifest(result.path, sha256="0" * 64)
    _refused(result.path, target, "does not match the checksum")
    assert not (tmp_path / "target.db").exists()


def test_restore_refuses_a_damaged_file_even_with_a_matching_checksum(made, tmp_path):
    _, result = made
    target = f"sqlite:///{tmp_path / 'target.db'}"
    damaged = bytearray(result.path.read_bytes())
    damaged[4096:4196] = b"\xff" * 100  # the header of the second page: no longer a b-tree page
    result.path.write_bytes(bytes(damaged))
    _rewrite_manifest(result.path, sha256=backups._sha256(result.path))
    _refused(result.path, target, "is not a sound SQLite database")

    result.path.write_bytes(b"not a database at all" * 100)
    _rewrite_manifest(result.path, sha256=backups._sha256(result.path),
                      size=result.path.stat().st_size)
    _refused(result.path, target, "is not a sound SQLite database")


def test_restore_refuses_a_missing_manifest_and_another_schema_revision(made, tmp_path):
    _, result = made
    target = f"sqlite:///{tmp_path / 'target.db'}"
    _rewrite_manifest(result.path, revision="0001")
    _refused(result.path, target, f"holds schema revision {backups.head_revision()}, but its "
                                  "manifest says 0001")
    backups.manifest_path(result.path).unlink()
    _refused(result.path, target, "There is no manifest")

    old = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(old), "0005")
    older = backups.backup(old, tmp_path / "old.bak")
    _refused(older.path, target, "The backup is at schema revision 0005, but this version "
                                 f"of Assure is at {backups.head_revision()}")


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(backups, "BACKUP_DIR", tmp_path / "var" / "backups")
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    assert main(["db", "upgrade"]) == 0
    yield url
    for engine in app.db._engines.values():
        engine.dispose()
    get_settings.cache_clear()


def test_the_commands_back_up_to_var_backups_and_restore_only_with_yes(cli_database, tmp_path,
                                                                       capsys, monkeypatch):
    engine = make_engine(cli_database)
    _add_person(engine, "Kept Person")
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    [made] = list((tmp_path / "var" / "backups").glob("assure-*.db"))
    assert str(made.relative_to(tmp_path)) in out and "schema revision" in out
    assert backups.manifest_path(made).exists()

    _add_person(engine, "Added Later")
    assert main(["restore", str(made)]) == 2
    assert "run again with --yes" in capsys.readouterr().err
    assert main(["restore", str(made), "--yes"]) == 0
    assert "passed its integrity check" in capsys.readouterr().out
    with Session(engine) as session:
        assert list(session.exec(select(Person.full_name))) == ["Kept Person"]
        verbs = list(session.exec(select(AuditEvent.verb).order_by(AuditEvent.id)))
        assert verbs[-1] == "restore"
    engine.dispose()

    made.write_bytes(made.read_bytes()[:-10])
    assert main(["restore", str(made), "--yes"]) == 1
    assert "Nothing restored" in capsys.readouterr().err


def test_a_clear_error_when_pg_dump_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError) as refused:
        backups.backup("postgresql+psycopg://postgres@127.0.0.1/nowhere", tmp_path / "x.dump")
    assert "pg_dump is not on the PATH" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL is not set")
def test_postgresql_restore_refuses_a_damaged_dump(tmp_path):
    with own("postgresql", tmp_path, "bbad") as url, own("postgresql", tmp_path, "bbad2") as into:
        command.upgrade(alembic_config(url), "head")
        result = backups.backup(url, tmp_path / "pg.dump")
        assert backups.verify(result.path).format == "pg_dump"
        result.path.write_bytes(result.path.read_bytes()[: result.manifest.size // 2])
        _refused(result.path, into, "does not match the checksum")
        _rewrite_manifest(result.path, sha256=backups._sha256(result.path),
                          size=result.path.stat().st_size)
        _refused(result.path, into, "is not a readable pg_dump archive")
        engine = make_engine(into)
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
        engine.dispose()
        assert tables == 0
        assert make_url(into).database.endswith("_bbad2")
