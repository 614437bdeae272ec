"""Backups: a consistent snapshot of the database taken while the app keeps working, a
manifest beside it, and a restore that checks both before it replaces anything.

SQLite: the online backup API copies the database as of one moment (a read transaction; in
WAL mode the app's writers carry on meanwhile), and the copy must pass `PRAGMA
integrity_check`. PostgreSQL: `pg_dump --format=custom`, which reads one snapshot too;
`pg_restore` restores it. The manifest (`<backup>.json`) holds the schema revision, the time
and the file's SHA-256; a restore refuses a file that does not match its manifest, a file
that is not a sound backup, and a schema revision other than this version of Assure's.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from app.config import VAR_DIR, normalise_database_url
from app.db import make_engine
from app.files import FILE_MODE, private_dir, private_file, tighten, write_private
from app.migrations_config import head_revisions
from app.services import audit
from app.services.permissions import Actor

BACKUP_DIR = VAR_DIR / "backups"
MANIFEST_FORMAT = "assure-backup/1"
TIMEOUT = 3600  # seconds pg_dump or pg_restore may take


class BackupError(Exception):
    """A backup or a restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Manifest:
    """What the file beside a backup says about it."""

    format: str  # "sqlite" or "pg_dump"
    revision: str  # the schema (Alembic) revision of the database backed up
    created_at: str  # ISO 8601, UTC
    sha256: str
    size: int
    manifest: str = MANIFEST_FORMAT

    @classmethod
    def read(cls, backup: Path) -> "Manifest":
        path = manifest_path(backup)
        if not path.exists():
            raise BackupError(f"There is no manifest {path} beside the backup, so it cannot be "
                              "checked; restore only a backup made by `assure backup`.")
        try:
            values = json.loads(path.read_text())
            found = cls(**{k: values[k] for k in
                           ("format", "revision", "created_at", "sha256", "size", "manifest")})
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"The manifest {path} cannot be read ({exc}).") from None
        if found.manifest != MANIFEST_FORMAT or found.format not in ("sqlite", "pg_dump"):
            raise BackupError(f"The manifest {path} is not one this version of Assure knows.")
        return found

    def write(self, backup: Path) -> Path:
        return write_private(manifest_path(backup), (json.dumps(asdict(self), indent=2)
                                                      + "\n").encode())


def manifest_path(backup: Path) -> Path:
    """Where a backup's manifest lives: beside it, with `.json` added to its name."""
    return backup.with_name(backup.name + ".json")


def shown(url: str) -> str:
    """A database URL fit to print: without its password."""
    return make_url(normalise_database_url(url)).render_as_string(hide_password=True)


def _backend(url: str) -> str:
    backend = make_url(normalise_database_url(url)).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def head_revision() -> str:
    """The schema revision this version of Assure's migrations end at."""
    return ",".join(sorted(head_revisions()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def default_path(url: str, now: datetime | None = None) -> Path:
    """`var/backups/assure-YYYYMMDD-HHMMSS.db` (SQLite) or `.dump` (PostgreSQL), in UTC."""
    now = now or datetime.now(UTC)
    suffix = "db" if _backend(url) == "sqlite" else "dump"
    return BACKUP_DIR / f"assure-{now:%Y%m%d-%H%M%S}.{suffix}"


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path:
    database = make_url(normalise_database_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_problems(connection: sqlite3.Connection) -> list[str]:
    found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    problems = [] if found == ["ok"] else found[:20]
    problems += [f"row {row[1]} of {row[0]} points at a missing {row[2]}"
                 for row in connection.execute("PRAGMA foreign_key_check").fetchmany(20)]
    return problems


def _sqlite_revision(connection: sqlite3.Connection) -> str:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return ""
    return ",".join(sorted(row[0] for row in rows))


def _open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _backup_sqlite(url: str, target: Path) -> str:
    source_path = _sqlite_file(url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole database as of one read transaction.
        source.backup(copy)
        # The copy is one self-contained file, not a WAL database with a -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = _sqlite_problems(copy)
        revision = _sqlite_revision(copy)
    finally:
        copy.close()
        source.close()
    if problems:
        raise BackupError("The copy failed its integrity check: " + "; ".join(problems))
    return revision


def _check_sqlite_file(path: Path) -> str:
    """The revision inside a SQLite backup, after checking it is a sound database."""
    try:
        connection = _open_readonly(path)
        try:
            problems = _sqlite_problems(connection)
            revision = _sqlite_revision(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a sound SQLite database ({exc}).") from None
    if problems:
        raise BackupError(f"{path} is not a sound SQLite database (it fails the integrity "
                          "check: " + "; ".join(problems) + ").")
    return revision


def _restore_sqlite(path: Path, url: str) -> None:
    target = _sqlite_file(url)
    private_dir(target.parent)
    try:
        private_file(target, exclusive=True).close()  # before SQLite makes it, by the umask
    except FileExistsError:
        tighten(target)
    source = _open_readonly(path)
    destination = sqlite3.connect(target, timeout=30)
    try:
        # The backup API writes the pages under the destination's own lock, so a WAL file
        # left beside the target cannot mix old pages with the restored ones.
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
    finally:
        destination.close()
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on the PATH. Install the PostgreSQL client tools of "
                          "the server's major version (e.g. `apt-get install postgresql-client`) "
                          "and try again.")
    return found


def _pg_arguments(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options for a database URL, the password in the environment (not on the
    command line, where `ps` would show it)."""
    parsed: URL = make_url(normalise_database_url(url))
    arguments = ["--no-password", f"--dbname={parsed.database}"]
    if parsed.host:
        arguments.append(f"--host={parsed.host}")
    if parsed.port:
        arguments.append(f"--port={parsed.port}")
    if parsed.username:
        arguments.append(f"--username={parsed.username}")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return arguments, env


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(command[0]).name} took longer than {TIMEOUT} s.") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: " + " ".join(detail[-5:]))
    return done.stdout


def _pg_dump_revision(path: Path) -> str:
    """The revision inside a custom-format dump, after checking pg_restore can read it."""
    restore = _tool("pg_restore")
    try:
        _run([restore, "--list", str(path)])
        data = _run([restore, "--data-only", "--table=alembic_version", "--file=-", str(path)])
    except BackupError as exc:
        raise BackupError(f"{path} is not a readable pg_dump archive ({exc}).") from None
    revisions, copying = [], False
    for line in data.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line.strip():
            revisions.append(line.strip())
    return ",".join(sorted(revisions))


def _backup_pg(url: str, target: Path) -> str:
    arguments, env = _pg_arguments(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={target}", *arguments], env)
    return _pg_dump_revision(target)


def _restore_pg(path: Path, url: str) -> None:
    arguments, env = _pg_arguments(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", *arguments, str(path)], env)


def _pg_problems(url: str) -> list[str]:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE NOT convalidated")).all()
    finally:
        engine.dispose()
    return [f"constraint {name} on {table} is not validated" for table, name in rows]


def _audit(url: str, by: Actor, verb: str, summary: str) -> None:
    """Note the backup or the restore in the database's own audit log."""
    engine = make_engine(url)
    try:
        with Session(engine.execution_options(sqlite_immediate=True)) as session:
            audit.record(session, by=by, verb=verb, object_type="database", object_id=None,
                         summary=summary)
            session.commit()
    finally:
        engine.dispose()


# --- the use cases --------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: Manifest


def backup(url: str, target: Path | None = None, *, by: Actor | None = None) -> BackupResult:
    """Snapshot the database at `url` into `target` (default: var/backups/, timestamped),
    check the copy, and write its manifest beside it."""
    backend = _backend(url)
    target = Path(target) if target else default_path(url)
    private_dir(target.parent)
    created = datetime.now(UTC)
    # Written under a temporary name and renamed: a half-written backup never has the name.
    # The tools write into this owner-only file (SQLite and pg_dump keep an existing file's
    # mode), so the copy is never readable by others, whatever the umask.
    handle, name = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
    os.fchmod(handle, FILE_MODE)
    os.close(handle)
    partial = Path(name)
    try:
        if backend == "sqlite":
            revision = _backup_sqlite(url, partial)
        else:
            revision = _backup_pg(url, partial)
        if not revision:
            raise BackupError("The database has no schema revision; run `assure db upgrade` "
                              "first.")
        _fsync(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(format="sqlite" if backend == "sqlite" else "pg_dump",
                        revision=revision, created_at=created.isoformat(timespec="seconds"),
                        sha256=_sha256(target), size=target.stat().st_size)
    written = manifest.write(target)
    if revision == head_revision():  # an older schema has no room for this version's events
        _audit(url, by or Actor.system(), "backup",
               f"to {target} ({manifest.size} bytes, sha256 {manifest.sha256})")
    return BackupResult(path=target, manifest_path=written, manifest=manifest)


def verify(path: Path) -> Manifest:
    """Check a backup against its manifest and check it is sound; its manifest if so."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    manifest = Manifest.read(path)
    if path.stat().st_size != manifest.size or _sha256(path) != manifest.sha256:
        raise BackupError(f"{path} does not match the checksum in its manifest: it is damaged, "
                          "truncated or not the file the manifest describes. Nothing was "
                          "restored.")
    inside = _check_sqlite_file(path) if manifest.format == "sqlite" else _pg_dump_revision(path)
    if inside != manifest.revision:
        raise BackupError(f"{path} holds schema revision {inside or 'none'}, but its manifest "
                          f"says {manifest.revision}.")
    return manifest


def is_empty(url: str) -> bool:
    """Whether the database at `url` holds no tables yet (a fresh database)."""
    if _backend(url) == "sqlite" and not _sqlite_file(url).exists():
        return True
    engine = create_engine(normalise_database_url(url))
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def problems(url: str) -> list[str]:
    """What is wrong with the database at `url` (SQLite's integrity and foreign key checks;
    PostgreSQL's constraints); empty when it is sound."""
    if _backend(url) == "sqlite":
        connection = sqlite3.connect(_sqlite_file(url), timeout=30)
        try:
            return _sqlite_problems(connection)
        finally:
            connection.close()
    return _pg_problems(url)


def database_revision(url: str) -> str:
    """The schema revision of the database at `url`."""
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    return ",".join(sorted(row[0] for row in rows))


class NeedsConfirmation(BackupError):
    """The restore would replace a database that holds tables."""


def restore(path: Path, url: str, *, replace: bool = False,
            by: Actor | None = None) -> Manifest:
    """Check a backup and restore it into the database at `url`. A database that already
    holds tables is replaced only when `replace` is given."""
    path = Path(path)
    manifest = verify(path)
    expected = head_revision()
    if manifest.revision != expected:
        raise BackupError(f"The backup is at schema revision {manifest.revision}, but this "
                          f"version of Assure is at {expected}. Restore it with the version "
                          "of Assure that made it (then run `assure db upgrade`).")
    backend = _backend(url)
    if (backend == "sqlite") != (manifest.format == "sqlite"):
        raise BackupError(f"A {manifest.format} backup cannot be restored into a {backend} "
                          "database.")
    if not replace and not is_empty(url):
        raise NeedsConfirmation(f"The database {shown(url)} holds data; the restore would "
                                "replace all of it. Stop the server, then run again with --yes.")
    if manifest.format == "sqlite":
        _restore_sqlite(path, url)
    else:
        _restore_pg(path, url)
    found = problems(url)
    if found:
        raise BackupError("The restored database fails its integrity check: "
                          + "; ".join(found))
    if database_revision(url) != manifest.revision:
        raise BackupError("The restored database is not at the backup's schema revision.")
    _audit(url, by or Actor.system(), "restore",
           f"from {path} (taken {manifest.created_at}, sha256 {manifest.sha256})")
    return manifest
