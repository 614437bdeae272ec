"""What holds secrets on disk is the service account's alone: the database (and SQLite's -wal
and -shm), backups and their manifests, the outbox and the secret key are files 0600 in
folders 0700, even under a umask that would let everyone read them."""

import os
import stat
from contextlib import contextmanager

import pytest
from alembic import command

from app import config
from app.db import make_engine
from app.migrations_config import alembic_config
from app.services import backup as backups
from app.services.mail import OutboxMailer, compose
from tests.conftest import BACKENDS
from tests.conftest import own_database as own


@contextmanager
def open_umask():
    """A umask that takes nothing away: whatever is private is so by Assure's doing."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path):
    path = tmp_path / "var" / "assure.db"
    with open_umask():
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE note (text TEXT)")
            connection.exec_driver_sql("INSERT INTO note VALUES ('secret')")
            connection.commit()
            assert {p.name for p in path.parent.iterdir()} == {
                "assure.db", "assure.db-wal", "assure.db-shm"}
            for name in ("assure.db", "assure.db-wal", "assure.db-shm"):
                assert mode(path.parent / name) == 0o600, name
        engine.dispose()
    assert mode(path.parent) == 0o700


def test_a_database_made_readable_by_an_earlier_version_is_tightened(tmp_path):
    path = tmp_path / "assure.db"
    make_engine(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


@pytest.fixture(params=BACKENDS)
def source(request, tmp_path):
    with own(request.param, tmp_path, "psrc") as url:
        command.upgrade(alembic_config(url), "head")
        yield url


def test_backups_their_manifests_and_restored_databases_are_owner_only(source, tmp_path):
    with open_umask():
        made = backups.backup(source, tmp_path / "backups" / "nightly" / "assure.bak")
        assert mode(made.path) == 0o600 and mode(made.manifest_path) == 0o600
        assert mode(tmp_path / "backups") == 0o700
        assert mode(tmp_path / "backups" / "nightly") == 0o700
        if source.startswith("sqlite"):
            restored = tmp_path / "restored" / "assure.db"
            backups.restore(made.path, f"sqlite:///{restored}")
            assert mode(restored) == 0o600 and mode(restored.parent) == 0o700


def test_outbox_messages_and_their_folder_are_owner_only(tmp_path):
    outbox = tmp_path / "var" / "outbox"
    with open_umask():
        mailer = OutboxMailer(outbox, sender="assure@opcc.example")
        mailer.send(compose(sender=mailer.sender, to="dcc@force.example", subject="Your link",
                            body="https://assure.example/owner/secret"))
    [message] = list(outbox.iterdir())
    assert mode(message) == 0o600
    assert mode(outbox) == 0o700 and mode(outbox.parent) == 0o700


def test_the_generated_secret_key_is_owner_only_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    with open_umask():
        key = config._persistent_secret()
    assert (tmp_path / "var" / "secret_key").read_text() == key
    assert mode(tmp_path / "var" / "secret_key") == 0o600 and mode(tmp_path / "var") == 0o700
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["secret_key"]
