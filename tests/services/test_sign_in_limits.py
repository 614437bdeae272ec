"""The sign-in limits hold when the tries come all at once: thirty wrong passwords (or codes)
for one account, each in its own thread with its own database connection, as thirty app
processes would send them, get the password (or code) checked at most the allowed five times.
Each try's session is a plain one, not begun for writing: the services hold the limits
themselves. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col, select

from app.models import AuditEvent, RefusalTally, Role, SignInAttempt
from app.services import identity, sign_in_limits, two_factor
from app.services.errors import InvalidInput, TooManyAttempts, Unauthorized
from app.services.permissions import Actor
from tests.factories import TOTP_SECRET, make_user

TRIES = 30
LIMITS = sign_in_limits.Limits(per_account=5, per_address=20, window_minutes=15)
PASSWORD = "tangerine velvet submarine"
ADDRESS = "203.0.113.9"
# About what one Argon2 check costs in production: long enough for the tries to overlap.
CHECK_SECONDS = 0.02


class Counted:
    """Wraps a checking function: counts the calls and takes as long as a real check."""

    def __init__(self, check) -> None:
        self.check = check
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.calls += 1
        time.sleep(CHECK_SECONDS)
        return self.check(*args, **kwargs)


class CountingHasher:
    """identity._hasher, with its verify counted."""

    def __init__(self, real) -> None:
        self.real = real
        self.verify = Counted(real.verify)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def racing(separate_connections, engine):
    """Connections for the racing tries: on PostgreSQL one of its own for each (as separate app
    processes have); on SQLite the test's engine, whose writers take turns as one process's do
    (other processes wait on SQLite's own lock)."""
    if engine.dialect.name == "sqlite":
        # The same file through a pool that lets every try wait its turn however busy the
        # machine is: the app's pool gives up after 3 s (a 503), which a loaded test machine
        # running 30 password hashes at once can reach; the rule under test is not the pool's.
        from unittest import mock

        from app.db import make_engine

        with mock.patch("app.db._pool_limits", return_value={
                "pool_size": TRIES, "max_overflow": 0, "pool_timeout": 120}):
            own = make_engine(str(engine.url), durable=False)
        yield own
        own.dispose()
        return
    own = create_engine(engine.url, poolclass=NullPool)
    yield own
    own.dispose()


def race(engine, attempt) -> Counter:
    """Run `attempt(session, n)` TRIES times at once, each in a session of its own (the user
    they sign in as was loaded before, as the page that asks for a code has); how many ended in
    each way."""
    start = threading.Barrier(TRIES)

    def one(n: int) -> str:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                attempt(session, n)
            except TooManyAttempts:
                return "refused"
            except (Unauthorized, InvalidInput):
                return "wrong"
            return "right"

    with ThreadPoolExecutor(TRIES) as pool:
        return Counter(pool.map(one, range(TRIES)))


def failures(session: Session) -> int:
    session.rollback()
    return len(session.exec(select(SignInAttempt.id).where(
        SignInAttempt.succeeded == False)).all())  # noqa: E712


def test_thirty_wrong_passwords_at_once_get_five_checks(session, racing, monkeypatch):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    hasher = CountingHasher(identity._hasher)
    monkeypatch.setattr(identity, "_hasher", hasher)

    outcome = race(racing, lambda s, n: identity.authenticate(
        s, email=user.email, password=f"wrong guess {n}", address=ADDRESS, limits=LIMITS))

    assert hasher.verify.calls <= LIMITS.per_account
    assert outcome == {"wrong": hasher.verify.calls, "refused": TRIES - hasher.verify.calls}
    assert failures(session) == hasher.verify.calls
    # Refusals are counted per address and hour, the first of them in the audit log.
    refused = session.exec(select(AuditEvent.id).where(AuditEvent.verb == "sign_in_refused"))
    assert 1 <= len(refused.all()) <= 2  # two when an hour ends during the race
    assert sum(session.exec(select(RefusalTally.count)).all()) == outcome["refused"]


def test_thirty_wrong_codes_at_once_get_five_checks(session, racing, monkeypatch):
    user, _ = make_user(session, Role.admin, password=PASSWORD)
    checked = Counted(two_factor.verify)
    monkeypatch.setattr(two_factor, "verify", checked)
    now = pyotp.TOTP(TOTP_SECRET)
    right = {now.at(time.time() + k * 30) for k in (-2, -1, 0, 1, 2)}
    wrong = next(code for code in (f"{n:06d}" for n in range(10)) if code not in right)

    def give_code(s: Session, n: int) -> None:
        identity.check_second_factor(s, user=user, code=wrong, address=ADDRESS, limits=LIMITS)

    outcome = race(racing, give_code)

    assert checked.calls <= LIMITS.per_account
    assert outcome == {"wrong": checked.calls, "refused": TRIES - checked.calls}
    assert failures(session) == checked.calls


def test_thirty_wrong_current_passwords_at_once_get_five_checks(session, racing, monkeypatch):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    hasher = CountingHasher(identity._hasher)
    monkeypatch.setattr(identity, "_hasher", hasher)

    def change(s: Session, n: int) -> None:
        identity.change_password(s, user=user, current=f"wrong guess {n}",
                                 new="quince harbour telescope", address=ADDRESS,
                                 by=Actor(role=Role.viewer, user_id=user.id, label=user.email),
                                 limits=LIMITS)

    outcome = race(racing, change)

    assert hasher.verify.calls <= LIMITS.per_account
    assert outcome["refused"] == TRIES - hasher.verify.calls


def test_one_address_trying_thirty_accounts_at_once_gets_twenty_checks(session, racing,
                                                                       monkeypatch):
    hasher = CountingHasher(identity._hasher)
    monkeypatch.setattr(identity, "_hasher", hasher)
    # Unknown emails are checked against a hash made at import, at the production cost.
    monkeypatch.setattr(identity, "_DUMMY_HASH", hasher.hash("not anyone's password"))

    outcome = race(racing, lambda s, n: identity.authenticate(
        s, email=f"nobody{n}@opcc.example", password="guessing", address=ADDRESS,
        limits=LIMITS))

    assert hasher.verify.calls <= LIMITS.per_address
    assert outcome["refused"] == TRIES - hasher.verify.calls
    session.rollback()
    assert len(session.exec(select(AuditEvent.id).where(AuditEvent.verb == "sign_in_failed")
                            .order_by(col(AuditEvent.id))).all()) == hasher.verify.calls


def test_nothing_is_held_while_a_password_is_hashed(session, racing, monkeypatch):
    """The slow check of a password holds no lock: while one try's password is being hashed,
    another try for the same account and address (another person behind the office's one
    address, or the same person in a second tab) is counted at once, and so is a write of the
    record (a minute-taker's save, on SQLite's single writer)."""
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    hashing, carried_on = threading.Event(), threading.Event()
    real = identity._hasher

    class SlowHasher:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, *args):
            hashing.set()
            assert carried_on.wait(5), "another try waited for this one's password check"
            return real.verify(*args)

    monkeypatch.setattr(identity, "_hasher", SlowHasher())

    def meanwhile() -> None:
        assert hashing.wait(5)
        with Session(racing, expire_on_commit=False) as other:
            sign_in_limits.begin_try(other, email=user.email, address=ADDRESS, limits=LIMITS)
        carried_on.set()

    helper = threading.Thread(target=meanwhile)
    helper.start()
    with Session(racing, expire_on_commit=False) as first:
        with pytest.raises(Unauthorized):
            identity.authenticate(first, email=user.email, password="wrong guess",
                                  address=ADDRESS, limits=LIMITS)
    helper.join(10)
    assert carried_on.is_set()
    assert failures(session) == 2
