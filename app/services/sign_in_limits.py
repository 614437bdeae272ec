"""Sign-in rate limits, kept in the database so that every app process sees the same count.

After too many failed sign-ins for one account (default 5) or from one address (default 20)
within the window (default 15 minutes), further tries are refused without looking at the
password, until the oldest counted failure leaves the window. A right password (and code)
clears an account's count; an address's count only ages out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from app.models import SignInAttempt, utcnow
from app.services.dates import to_london
from app.services.errors import TooManyAttempts

# Rows older than this are of no further use to the limits.
_KEEP = timedelta(days=1)


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


def check(session: Session, *, email: str, address: str, limits: Limits,
          now: datetime | None = None) -> None:
    """Refuse a sign-in try (TooManyAttempts, 429) while the account or address is limited."""
    now = now or utcnow()
    window = timedelta(minutes=limits.window_minutes)
    since = now - window
    email = _normal(email)
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


def record(session: Session, *, email: str, address: str, succeeded: bool) -> None:
    """Add one try to the caller's transaction; a success also clears out old rows."""
    now = utcnow()
    session.add(SignInAttempt(email=_normal(email), address=(address or "")[:64],
                              attempted_at=now, succeeded=succeeded))
    if succeeded:
        session.exec(delete(SignInAttempt).where(SignInAttempt.attempted_at < now - _KEEP))
