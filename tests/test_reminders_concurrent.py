"""`assure reminders send` sends each due email exactly once: when run twice in a row, and when
two processes started at the same moment race on the same database.

The processes are the real command (the venv's `assure`), on a database of the test's own: a
SQLite file, and a PostgreSQL database "<name>_reminders" when TEST_DATABASE_URL is set. Both
write to one outbox folder, so the files there are exactly the emails sent.
"""

import os
import re
import subprocess
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.db import make_engine
from app.models import Notification, Role
from app.services.office import OfficeChanges, update_office
from tests.conftest import PG_URL, own_database
from tests.e2e.conftest import BIN
from tests.factories import SYSTEM, make_action, make_person, make_user

DAY = date(2019, 5, 28)  # a Tuesday; the weekly digest goes from Monday
ACTIONS, OWNERS_EACH, PEOPLE = 20, 3, 6
# Every owner is told of each action (20 × 3); 8 actions are due today, 6 in three days and
# 6 are overdue (each owner gets one of each per action), and the six owners of the overdue
# ones and the secretariat get the weekly digest.
EXPECTED = {"assigned": 60, "due_today": 24, "due_soon": 18, "digest": 6 + 1}
TOTAL = sum(EXPECTED.values())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A database of this test's own, migrated by `assure db upgrade`."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("the PostgreSQL race needs a server: set TEST_DATABASE_URL, e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with own_database(request.param, tmp_path, "reminders") as url:
        yield url


@pytest.fixture
def env(database_url, tmp_path) -> dict[str, str]:
    values = {**os.environ, "DATABASE_URL": database_url, "ASSURE_SECRET_KEY": "race-secret",
              "ASSURE_OUTBOX_DIR": str(tmp_path / "outbox"), "ASSURE_HOME": str(tmp_path),
              "ASSURE_MAIL_FROM": "assure@opcc.example",
              "ASSURE_BASE_URL": "https://assure.opcc.example"}
    values.pop("ASSURE_SMTP_URL", None)
    assure(values, tmp_path, "db", "upgrade")
    _prepare(database_url)
    return values


def assure(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run([str(BIN / "assure"), *args], env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _prepare(database_url: str) -> None:
    """The office's actions, made through the services in this process."""
    engine = make_engine(database_url, durable=False)
    try:
        with Session(engine, expire_on_commit=False) as session:
            update_office(session, changes=OfficeChanges(), by=SYSTEM)  # the row, saved
            people = [make_person(session, full_name=f"Officer {n}", initials=f"O{n}",
                                  email=f"officer{n}@police.example") for n in range(PEOPLE)]
            make_user(session, Role.secretariat, email="policy@opcc.example")
            for n in range(ACTIONS):
                due = (DAY if n < 8 else DAY + timedelta(days=3) if n < 14
                       else DAY - timedelta(days=10))
                owners = [people[(n + k) % PEOPLE] for k in range(OWNERS_EACH)]
                make_action(session, owners, due_date=due, text=f"Action number {n}.")
    finally:
        engine.dispose()


def outbox_keys(outbox: Path) -> list[str]:
    """The notification key of every email written to the outbox."""
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes())["X-Assure-Notification"]
            for path in outbox.glob("*.eml")]


def figures(output: str) -> tuple[int, int, int]:
    """(sent, skipped, skipped because the other run took it) from the command's report."""
    sent = int(re.search(r"sent (\d+) email", output).group(1))
    skipped = re.search(r"Skipped (\d+) already sent \((\d+) of them", output)
    return sent, int(skipped.group(1)) if skipped else 0, int(skipped.group(2)) if skipped else 0


def stored(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url, durable=False)
    try:
        with Session(engine) as session:
            query = select(Notification.status, func.count()).group_by(Notification.status)
            return dict(session.exec(query).all())
    finally:
        engine.dispose()


def check_each_sent_once(outbox: Path, database_url: str) -> None:
    keys = outbox_keys(outbox)
    assert len(keys) == TOTAL, f"{len(keys)} emails in the outbox, {TOTAL} due"
    assert len(set(keys)) == TOTAL, "an email went twice"
    by_kind = {kind: sum(1 for k in keys if k.startswith(f"{kind}:")) for kind in EXPECTED}
    assert by_kind == EXPECTED
    assert stored(database_url) == {"sent": TOTAL}


def test_the_command_run_twice_on_a_day_sends_each_email_once(env, database_url, tmp_path):
    outbox = tmp_path / "outbox"
    first = assure(env, tmp_path, "reminders", "send", "--date", DAY.isoformat())
    assert figures(first) == (TOTAL, 0, 0), first
    assert "Reminders for Tuesday 28 May 2019: sent 109 emails (assigned 60, due soon 18, " \
           "due today 24, digest 7)" in first
    second = assure(env, tmp_path, "reminders", "send", "--date", DAY.isoformat())
    assert figures(second) == (0, TOTAL, 0), second
    check_each_sent_once(outbox, database_url)


def test_two_processes_at_the_same_moment_send_each_email_once(
        env, database_url, tmp_path, capsys):
    outbox = tmp_path / "outbox"
    command = [str(BIN / "assure"), "reminders", "send", "--date", DAY.isoformat()]
    runs = [subprocess.Popen(command, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, out + err
        outputs.append(out)

    check_each_sent_once(outbox, database_url)
    (sent_a, skipped_a, raced_a), (sent_b, skipped_b, raced_b) = map(figures, outputs)
    assert sent_a + sent_b == TOTAL
    assert sent_a + skipped_a == sent_b + skipped_b == TOTAL
    backend = database_url.split(":", 1)[0]
    with capsys.disabled():
        print(f"\nreminders race on {backend}: {TOTAL} emails due; one process sent {sent_a} "
              f"and skipped {skipped_a} ({raced_a} taken by the other while it ran), the other "
              f"sent {sent_b} and skipped {skipped_b} ({raced_b} while it ran)")
