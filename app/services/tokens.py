"""API tokens: made for a user with a name and an expiry, checked in the database on every
request (so a revocation holds at once in every process), listed and revoked by their user or
an administrator.

A token for a user whose role needs a second factor (admin, chair, secretariat) is made only
with that user's code, or from the server's command line: a token stands in for signing in,
and must not be a way round the second factor.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.models import ApiToken, Role, User, utcnow
from app.services import audit, sign_in_limits, two_factor
from app.services.common import commit_apart, get_or_404, write_at_best
from app.services.dates import short_date, to_london
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.services.permissions import Actor, Perm

DEFAULT_DAYS = 90
MAX_DAYS = 366
NAME_MAX = 100
PREFIX = "asr_"
# last_used_at is written at most this often, so that reading through the API is not writing.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def from_the_server(by: Actor) -> bool:
    """Whether the actor is the server's own command line (Actor.system()): someone with a
    shell on the server, who could read the database anyway."""
    return by.user_id is None and by.person_id is None and by.role == Role.admin


def _check_may_manage(by: Actor, user_id: int) -> None:
    if by.user_id != user_id and not by.can(Perm.manage_users):
        raise Forbidden("You can only manage your own API tokens.")


def _check_code(session: Session, *, user: User, code: str | None, by: Actor, address: str,
                limits: sign_in_limits.Limits | None) -> None:
    """The user's own second factor, counted like a sign-in code when wrong."""
    if not two_factor.enabled(user):
        raise Conflict(f"{user.email} must set up two-step verification before an API token "
                       "can be made for them.")
    if not (code or "").strip():
        raise InvalidInput({"code": "Enter the code from the authenticator app of "
                                    f"{user.email}: a token for their role needs it"})
    assert code is not None  # an empty code is refused above
    limits = limits or sign_in_limits.Limits()
    attempt = sign_in_limits.begin_try(session, email=user.email, address=address,
                                       limits=limits)
    if two_factor.verify(session, user=user, code=code) is None:  # stays counted as failed
        audit.record(session, by=by, verb="create_refused", object_type="api_token",
                     object_id=None, summary=f"token for {user.email}: wrong or reused code",
                     address=address)
        commit_apart(session)
        raise InvalidInput({"code": "The code is not right, or it has been used already. Enter "
                                    "the code the authenticator app shows now, or a recovery "
                                    "code."})
    sign_in_limits.end_try(session, attempt, succeeded=None)  # a right code is no failure


def create_token(
    session: Session,
    *,
    user: User,
    by: Actor,
    name: str = "",
    days: int = DEFAULT_DAYS,
    code: str | None = None,
    address: str = "",
    limits: sign_in_limits.Limits | None = None,
) -> str:
    """A new API token for a user, working for `days`; only its digest is stored, so it is
    shown once. One's own, or anyone's for an administrator; for a role that needs a second
    factor, `code` is that user's code (TOTP or recovery) unless the server's command line
    asks."""
    assert user.id is not None  # a saved user
    _check_may_manage(by, user.id)
    name = (name or "").strip()
    errors = {}
    if len(name) > NAME_MAX:
        errors["name"] = f"must be at most {NAME_MAX} characters"
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"a token works for 1 to {MAX_DAYS} days"
    if errors:
        raise InvalidInput(errors)
    if not user.active:
        raise Conflict(f"The account of {user.email} has been deactivated; it cannot have "
                       "API tokens.")
    if two_factor.required(user) and not from_the_server(by):
        _check_code(session, user=user, code=code, by=by, address=address, limits=limits)
    now = utcnow()
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(raw), name=name, created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(token)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="api_token", object_id=token.id,
                 summary=f"token {name!r} for {user.email}, until {expiry_words(token)}",
                 address=address or None)
    session.flush()
    return raw


def expiry_words(token: ApiToken) -> str:
    """When the token stops working, as a London date: "3 March 2027"."""
    return short_date(to_london(token.expires_at)) if token.expires_at else "never"


def user_for_token(session: Session, raw: str) -> User:
    """The user a bearer token acts for. Unauthorized, saying why in the caller's terms, when
    the token is unknown, revoked or expired, or its user deactivated; read from the database
    on every request, so that any of these holds at once in every process."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(raw))).first()
    if token is None:
        raise Unauthorized("The API token is not valid: check that it was copied whole, or "
                           "ask for a new one.")
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise Unauthorized("The account this API token belongs to has been deactivated, so "
                           "the token no longer works.")
    if token.revoked_at is not None:
        raise Unauthorized("The API token has been revoked; ask for a new one.")
    now = utcnow()
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized(f"The API token has expired on {expiry_words(token)}; ask for a "
                           "new one.")
    # Touched at most once a minute, as web sessions are, so that reads do not mean writes.
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        _touch(session, token, now)
    return user


def _touch(session: Session, token: ApiToken, now: datetime) -> None:
    """Record the token's use, at best: a request is never refused for want of it."""
    write_at_best(session, update(ApiToken).where(
        col(ApiToken.id) == token.id,
        or_(col(ApiToken.last_used_at).is_(None),
            col(ApiToken.last_used_at) <= now - TOUCH_EVERY),
    ).values(last_used_at=now))


def is_live(token: ApiToken, now: datetime) -> bool:
    """Whether the token works now (its user aside)."""
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def live_condition(now: datetime):
    """The tokens that work now (their users aside), as a query condition."""
    return (col(ApiToken.revoked_at).is_(None)
            & or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now))


@dataclass
class TokenRow:
    """A token as the lists show it: never its secret, which is not kept."""

    token: ApiToken
    email: str

    @property
    def state(self) -> str:
        """"live", "expired" or "revoked"."""
        if self.token.revoked_at is not None:
            return "revoked"
        return "live" if is_live(self.token, utcnow()) else "expired"


def list_tokens(session: Session, *, by: Actor, user_id: int | None = None) -> list[TokenRow]:
    """Tokens, newest first: one's own, or (for an administrator) everyone's or one user's."""
    if user_id is None and not by.can(Perm.manage_users):
        user_id = by.user_id
    if user_id is not None:
        _check_may_manage(by, user_id)
    query = (select(ApiToken, User.email).join(User, col(User.id) == ApiToken.user_id)
             .order_by(col(ApiToken.id).desc()))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [TokenRow(token=token, email=email) for token, email in session.exec(query)]


def revoke_token(session: Session, *, token_id: int, by: Actor) -> ApiToken:
    """Stop a token working at once: one's own, or anyone's for an administrator."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != by.user_id and not by.can(Perm.manage_users)):
        raise NotFound(f"There is no API token with id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        user = get_or_404(session, User, token.user_id, "user")
        audit.record(session, by=by, verb="revoke", object_type="api_token", object_id=token.id,
                     summary=f"token {token.name!r} of {user.email}")
        session.flush()
    return token


def end_tokens(session: Session, *, user_id: int, now: datetime) -> int:
    """Revoke every live token of a user, in the caller's transaction; returns how many."""
    live = list(session.exec(select(ApiToken).where(ApiToken.user_id == user_id,
                                                    live_condition(now))))
    for token in live:
        token.revoked_at = now
    return len(live)
