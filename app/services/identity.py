"""Users, passwords, API tokens and signed-in browser sessions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.models import Person, Role, Side, User, WebSession, utcnow
from app.services import audit, passwords, refusals, sign_in_limits, two_factor
from app.services.common import commit_apart, write_at_best
from app.services.errors import Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from app.services.permissions import Actor, Perm

PASSWORD_MIN = passwords.MIN_LENGTH
PASSWORD_MAX = passwords.MAX_LENGTH
# A password without its second factor holds a session this long at most.
SECOND_FACTOR_MINUTES = 10
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the response time the same.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An Argon2id hash of a password that meets the length rule."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput({"password": f"must be at least {PASSWORD_MIN} characters"})
    if len(password) > PASSWORD_MAX:
        raise InvalidInput({"password": f"must be at most {PASSWORD_MAX} characters"})
    return _hasher.hash(password)


def generate_password() -> str:
    """A random password to print once; it meets the password rule."""
    return passwords.generate_password()


def initials_of(name: str) -> str:
    """"Jackie Irvin" → "JI"."""
    return "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()[:10] or "?"


def actor_for(session: Session, user: User) -> Actor:
    """The actor a user acts as."""
    return Actor(role=Role(user.role), user_id=user.id, person_id=user.person_id, label=user.email)


def display_name(session: Session, user: User) -> str:
    """The user's name, or their email when they have no person."""
    if user.person_id:
        person = session.get(Person, user.person_id)
        if person:
            return person.full_name
    return user.email


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    password: str | None,
    by: Actor,
    name: str | None = None,
    person_id: int | None = None,
) -> User:
    """A new user; with a name and no person, a person of that name is created too.

    A user without a password cannot sign in to the pages; they use API tokens only.
    """
    email = email.strip().lower()
    errors = {}
    if "@" not in email or len(email) > 320:
        errors["email"] = "must be an email address"
    elif session.exec(select(User).where(func.lower(User.email) == email)).first():
        errors["email"] = f"a user with the email {email} already exists"
    if person_id is not None and session.get(Person, person_id) is None:
        errors["person_id"] = f"no person with id {person_id}"
    if password is not None:
        person = session.get(Person, person_id) if person_id is not None else None
        found = passwords.problem(
            password, user_inputs=[email, name or "", person.full_name if person else ""])
        if found:
            errors["password"] = found
    if errors:
        raise InvalidInput(errors)
    password_hash = hash_password(password) if password is not None else None
    if person_id is None and name:
        side = Side.force if role == Role.force else Side.opcc
        person = Person(full_name=name, initials=initials_of(name), side=side, email=email)
        session.add(person)
        session.flush()
        person_id = person.id
    user = User(email=email, role=role, password_hash=password_hash, person_id=person_id)
    session.add(user)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="user", object_id=user.id,
                 summary=f"user {email} with role {role}")
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this email, whatever its case."""
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    address: str = "",
    limits: sign_in_limits.Limits | None = None,
) -> User:
    """Check a password; record the sign-in or the failure either way.

    While the account or the address has had too many failures lately, the password is not
    even checked (TooManyAttempts). A user with a second factor is not signed in yet: the
    caller asks for the code next (`check_second_factor`).
    """
    limits = limits or sign_in_limits.Limits()
    try:
        attempt = sign_in_limits.begin_try(session, email=email, address=address,
                                           limits=limits)
    except TooManyAttempts as exc:
        user = find_user(session, email)
        # Counted per address, not an event each: a flood of them stays one event an hour.
        refusals.count_refusal(session, address=address, label=email[:320] or "unknown",
                               verb="sign_in_refused", object_type="user",
                               object_id=user.id if user else None,
                               summary=f"from {address}: too many failed attempts")
        commit_apart(session)
        raise exc
    user = find_user(session, email)
    commit_apart(session)  # nothing is held while the password is hashed
    ok = False
    if user is not None and user.active and user.password_hash:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
    if not ok:  # the try stays counted as failed
        audit.record(session, by=Actor.system(label=email[:320] or "unknown"),
                     verb="sign_in_failed", object_type="user",
                     object_id=user.id if user else None, summary=f"from {address}",
                     address=address)
        commit_apart(session)
        raise Unauthorized("The email address or password is not right.")
    assert user is not None and user.password_hash is not None  # as the password matched
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    if two_factor.enabled(user):
        sign_in_limits.end_try(session, attempt, succeeded=None)
        audit.record(session, by=actor_for(session, user), verb="sign_in_password",
                     object_type="user", object_id=user.id,
                     summary=f"from {address}: password right, code next",
                     address=address)
    else:
        _signed_in(session, user, address, "", attempt)
    session.flush()
    return user


def _signed_in(session: Session, user: User, address: str, how: str, attempt: int) -> None:
    sign_in_limits.end_try(session, attempt, succeeded=True)
    user.last_sign_in_at = utcnow()
    audit.record(session, by=actor_for(session, user), verb="sign_in", object_type="user",
                 object_id=user.id, summary=f"from {address}{how}", address=address)


def check_second_factor(
    session: Session,
    *,
    user: User,
    code: str,
    address: str = "",
    limits: sign_in_limits.Limits | None = None,
) -> str:
    """The second step of signing in: a TOTP code or a recovery code.

    Wrong codes count towards the same limits as wrong passwords. Returns how the user got
    in ("totp" or "recovery").
    """
    limits = limits or sign_in_limits.Limits()
    attempt = sign_in_limits.begin_try(session, email=user.email, address=address,
                                       limits=limits)
    how = two_factor.verify(session, user=user, code=code)
    if how is None:  # the try stays counted as failed
        audit.record(session, by=actor_for(session, user), verb="sign_in_failed",
                     object_type="user", object_id=user.id,
                     summary=f"from {address}: wrong or reused code")
        commit_apart(session)
        raise Unauthorized("The code is not right, or it has been used already. Enter the "
                           "code your authenticator app shows now, or a recovery code.")
    _signed_in(session, user, address, " with a recovery code" if how == "recovery" else
               " with an authenticator code", attempt)
    session.flush()
    return how


def change_password(
    session: Session,
    *,
    user: User,
    current: str,
    new: str,
    by: Actor,
    address: str = "",
    limits: sign_in_limits.Limits | None = None,
) -> None:
    """Change one's own password: the current one first (counted like a sign-in when wrong),
    then the new one must meet the password rule."""
    limits = limits or sign_in_limits.Limits()
    attempt = sign_in_limits.begin_try(session, email=user.email, address=address,
                                       limits=limits)
    try:
        right = bool(user.password_hash and _hasher.verify(user.password_hash, current))
    except (VerificationError, InvalidHashError):
        right = False
    if not right:  # the try stays counted as failed
        audit.record(session, by=by, verb="change_password_failed", object_type="user",
                     object_id=user.id, summary=f"from {address}: wrong current password")
        commit_apart(session)
        raise InvalidInput({"current_password": "Your current password is not right."})
    sign_in_limits.end_try(session, attempt, succeeded=None)  # a right password is no try
    found = passwords.problem(new, user_inputs=[user.email, display_name(session, user)])
    if found:
        raise InvalidInput({"new_password": found})
    user.password_hash = hash_password(new)
    audit.record(session, by=by, verb="change_password", object_type="user", object_id=user.id)
    session.flush()


@dataclass
class NewWebSession:
    raw_token: str
    csrf_token: str
    session: WebSession


def start_web_session(
    session: Session,
    *,
    user: User,
    idle_minutes: float,
    max_hours: int,
    address: str = "",
    user_agent: str = "",
    second_factor_pending: bool = False,
    replaces: str | None = None,
) -> NewWebSession:
    """A new server-side session, with a new id, for a browser that just signed in (or just
    gave its second factor). The session it `replaces` (the browser's old cookie) ends."""
    if replaces:
        old = session.exec(select(WebSession).where(WebSession.token_hash == _digest(replaces))
                           ).first()
        if old is not None and old.revoked_at is None:
            old.revoked_at = utcnow()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = (timedelta(minutes=SECOND_FACTOR_MINUTES) if second_factor_pending
                else timedelta(hours=max_hours))
    assert user.id is not None  # a saved user
    web = WebSession(
        token_hash=_digest(raw),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        second_factor_pending=second_factor_pending,
        address=(address or "")[:64],
        user_agent=(user_agent or "")[:300],
    )
    session.add(web)
    session.flush()
    return NewWebSession(raw_token=raw, csrf_token=web.csrf_token, session=web)


def _live(web: WebSession, now, idle_minutes: float) -> bool:
    return (web.revoked_at is None and now < web.expires_at
            and now - web.last_seen_at <= timedelta(minutes=idle_minutes))


def touch_interval(idle_minutes: float) -> timedelta:
    """How stale a session's last-seen time may be before a request writes it again: a minute,
    so reading pages does not mean writing, or a tenth of the idle limit when that is short."""
    return min(timedelta(minutes=1), timedelta(minutes=idle_minutes) / 10)


def resume_web_session(
    session: Session, raw: str, *, idle_minutes: float, touch: bool = True
) -> tuple[WebSession, User] | None:
    """The live session behind a cookie, or None when it has been revoked, has been idle too
    long, or has passed its absolute lifetime. Read from the database on every request, so a
    revocation takes effect at once in every process. The request counts as activity (the
    session's idle time starts again) unless `touch` is off."""
    web = session.exec(select(WebSession).where(WebSession.token_hash == _digest(raw))).first()
    if web is None:
        return None
    now = utcnow()
    if not _live(web, now, idle_minutes):
        return None
    user = session.get(User, web.user_id)
    if user is None or not user.active:
        return None
    # Touch the row at most once a minute (touch_interval), so reading pages does not mean
    # writing.
    if touch and now - web.last_seen_at > touch_interval(idle_minutes):
        if write_at_best(session, update(WebSession).where(
                col(WebSession.id) == web.id, col(WebSession.last_seen_at) < now).values(
                last_seen_at=now)):
            web.last_seen_at = now
    return web, user


def keep_alive(session: Session, web: WebSession) -> None:
    """The user chose to stay signed in: the session's idle time starts again now."""
    now = utcnow()
    session.execute(update(WebSession).where(
        col(WebSession.id) == web.id, col(WebSession.last_seen_at) < now).values(
        last_seen_at=now))
    web.last_seen_at = max(web.last_seen_at, now)


def session_end(web: WebSession, idle_minutes: float) -> tuple[datetime, str]:
    """When the session ends if nothing more is done, and why: "idle" (no request for the
    idle limit) or "lifetime" (its absolute lifetime, which no activity extends)."""
    idle_end = web.last_seen_at + timedelta(minutes=idle_minutes)
    if web.expires_at < idle_end:
        return web.expires_at, "lifetime"
    return idle_end, "idle"


def end_web_session(session: Session, raw: str, *, address: str = "") -> None:
    """Sign a browser out."""
    web = session.exec(select(WebSession).where(WebSession.token_hash == _digest(raw))).first()
    if web is not None and web.revoked_at is None:
        web.revoked_at = utcnow()
        user = session.get(User, web.user_id)
        if user is not None:
            audit.record(session, by=actor_for(session, user), verb="sign_out",
                         object_type="user", object_id=user.id, address=address)
        session.flush()


def live_session_conditions(now, idle_minutes: float) -> tuple:
    """The sessions that still work (signed in, not revoked, not expired), as conditions."""
    return (col(WebSession.revoked_at).is_(None), WebSession.expires_at > now,
            WebSession.last_seen_at >= now - timedelta(minutes=idle_minutes),
            WebSession.second_factor_pending == False)  # noqa: E712


@dataclass
class SessionRow:
    """A live session as the session lists show it."""

    web: WebSession
    user: User
    name: str
    current: bool = False


def live_sessions(
    session: Session, *, idle_minutes: float, user_id: int | None = None,
    current_id: int | None = None,
) -> list[SessionRow]:
    """Sessions that still work (signed in, not revoked, not expired), newest first."""
    query = (select(WebSession, User).join(User, col(User.id) == WebSession.user_id)
             .where(*live_session_conditions(utcnow(), idle_minutes))
             .order_by(col(WebSession.last_seen_at).desc()))
    if user_id is not None:
        query = query.where(WebSession.user_id == user_id)
    return [SessionRow(web=web, user=user, name=display_name(session, user),
                       current=web.id == current_id)
            for web, user in session.exec(query)]


def revoke_session(session: Session, *, session_id: int, by: Actor) -> WebSession:
    """End one session: one's own, or anyone's for an administrator."""
    web = session.get(WebSession, session_id)
    if web is None or (web.user_id != by.user_id and not by.can(Perm.manage_users)):
        raise NotFound("There is no such session.")
    if web.revoked_at is None:
        web.revoked_at = utcnow()
        user = session.get(User, web.user_id)
        audit.record(session, by=by, verb="revoke_session", object_type="user",
                     object_id=web.user_id,
                     summary=f"session {web.id} of {user.email if user else web.user_id} "
                             f"signed out")
        session.flush()
    return web


def revoke_user_sessions(
    session: Session, *, user_id: int, by: Actor, keep_id: int | None = None
) -> int:
    """End every session of a user (but `keep_id`); an administrator's, or one's own."""
    if user_id != by.user_id and not by.can(Perm.manage_users):
        raise Forbidden("Only an administrator can sign other people out.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    ended = end_sessions(session, user_id=user_id, now=utcnow(), keep_id=keep_id)
    audit.record(session, by=by, verb="revoke_session", object_type="user", object_id=user_id,
                 summary=f"{ended} session(s) of {user.email} signed out")
    session.flush()
    return ended


def end_sessions(session: Session, *, user_id: int, now, keep_id: int | None = None) -> int:
    """End every session of a user but `keep_id`, in the caller's transaction; how many."""
    ended = 0
    for web in session.exec(select(WebSession).where(
            WebSession.user_id == user_id, col(WebSession.revoked_at).is_(None))):
        if web.id != keep_id:
            web.revoked_at = now
            ended += 1
    return ended
