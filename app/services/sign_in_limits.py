"""Sign-in rate limits, kept in the database so that every app process sees the same count.

After too many failed sign-ins for one account (default 5) or from one address (default 20)
within the window (default 15 minutes), further tries are refused without looking at the
password, until the oldest counted failure leaves the window. A right password (and code)
clears an account's count; an address's count only ages out.

A try is counted before its password or code is checked: `begin_try` counts the tries of
the account and the address and, unless they are limited, records this one as failed, in one
short transaction that holds the account and the address (a PostgreSQL advisory lock, SQLite's
write lock) and commits at once. So thirty tries sent at once, to any number of app processes,
get no more checks than allowed, and no lock is held while the slow password hash is checked.
`end_try` then says how the try went: a success clears the account's count; a right password
with the code still to come does not count at all.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from app.models import SignInAttempt, utcnow
from app.services.common import commit_apart
from app.services.dates import to_london
from app.services.errors import TooManyAttempts

# Rows older than this are of no further use to the limits.
_KEEP = timedelta(days=1)
# The first key of PostgreSQL's two-key advisory locks, one for accounts and one for
# addresses, so that an email and an address never share a lock.
_ACCOUNT_LOCKS = 0x5349_0001
_ADDRESS_LOCKS = 0x5349_0002


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window_minutes: int = 15

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(per_account=settings.sign_in_max_failures,
                   per_address=settings.sign_in_max_failures_per_address,
                   window_minutes=settings.sign_in_window_minutes)


def _normal(email: str) -> str:
    return (email or "").strip().lower()[:320]


def _retry_at(failures: list[datetime], allowed: int, window: timedelta) -> datetime | None:
    """When the count of failures (newest first) drops below `allowed`, if it is not already."""
    if len(failures) < allowed:
        return None
    return failures[allowed - 1] + window


def _lock_key(value: str) -> int:
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


def _hold(session: Session, *, email: str, address: str) -> None:
    """Make the caller's transaction, until it ends, the only one counting and recording tries
    for this account and this address, in any process."""
    if session.get_bind().dialect.name == "postgresql":
        # Always the account before the address, so that two holders never wait for each other.
        hold = text("SELECT pg_advisory_xact_lock(:space, :key)")
        session.execute(hold, {"space": _ACCOUNT_LOCKS, "key": _lock_key(email)})
        if address:
            session.execute(hold, {"space": _ADDRESS_LOCKS, "key": _lock_key(address)})
    else:
        # SQLite has one writer at a time: a write takes its lock (at once, as the request's
        # sessions begin with BEGIN IMMEDIATE) and keeps it to the end of the transaction.
        session.execute(delete(SignInAttempt).where(text("0 = 1"))
                        .execution_options(synchronize_session=False))


def begin_try(session: Session, *, email: str, address: str, limits: Limits,
              now: datetime | None = None) -> int:
    """Count a try before its password or code is checked: refused (TooManyAttempts, 429)
    while the account or the address is limited, else recorded as failed until `end_try`
    says otherwise, and committed at once. Returns the try's id.

    On a refusal the locks are still held: the caller records the refusal and commits."""
    email = _normal(email)
    address = (address or "")[:64]
    _hold(session, email=email, address=address)
    now = now or utcnow()
    _check(session, email=email, address=address, limits=limits, now=now)
    attempt = SignInAttempt(email=email, address=address, attempted_at=now, succeeded=False)
    session.add(attempt)
    session.flush()
    assert attempt.id is not None  # set by the flush
    commit_apart(session)  # the try counts for everyone else from now, and the locks are let go
    return attempt.id


def end_try(session: Session, attempt_id: int, *, succeeded: bool | None) -> None:
    """How a try went, committed at once: failed (False: it stays counted), succeeded (True:
    the account's count starts again) or not to be counted (None: a right password whose
    code comes next, which must not clear the count the codes are limited by)."""
    attempt = session.get(SignInAttempt, attempt_id)
    if attempt is None or succeeded is False:
        return
    if succeeded:
        attempt.succeeded = True
        session.exec(delete(SignInAttempt).where(
            col(SignInAttempt.attempted_at) < utcnow() - _KEEP))
    else:
        session.delete(attempt)
    commit_apart(session)


def _check(session: Session, *, email: str, address: str, limits: Limits,
           now: datetime) -> None:
    """Refuse a try (TooManyAttempts) while the account or the address is limited."""
    window = timedelta(minutes=limits.window_minutes)
    since = now - window
    last_success = session.exec(
        select(SignInAttempt.attempted_at)
        .where(SignInAttempt.email == email, SignInAttempt.succeeded,
               SignInAttempt.attempted_at >= since)
        .order_by(col(SignInAttempt.attempted_at).desc()).limit(1)).first()
    account_since = max(since, last_success) if last_success else since
    account = list(session.exec(
        select(SignInAttempt.attempted_at)
        .where(SignInAttempt.email == email, SignInAttempt.succeeded == False,  # noqa: E712
               SignInAttempt.attempted_at > account_since)
        .order_by(col(SignInAttempt.attempted_at).desc()).limit(limits.per_account)))
    retry = _retry_at(account, limits.per_account, window)
    if address:
        by_address = list(session.exec(
            select(SignInAttempt.attempted_at)
            .where(SignInAttempt.address == address[:64],
                   SignInAttempt.succeeded == False,  # noqa: E712
                   SignInAttempt.attempted_at > since)
            .order_by(col(SignInAttempt.attempted_at).desc()).limit(limits.per_address)))
        address_retry = _retry_at(by_address, limits.per_address, window)
        if address_retry and (retry is None or address_retry > retry):
            retry = address_retry
    if retry is not None and retry > now:
        local = to_london(retry)
        raise TooManyAttempts(
            "There have been too many failed attempts to sign in to this account or from "
            f"this address. Try again after {local:%H:%M} (in about "
            f"{max(1, round((retry - now).total_seconds() / 60))} minutes).", retry_at=retry)
