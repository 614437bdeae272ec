"""Users, passwords, API tokens and signed-in browser sessions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from app.models import ApiToken, Person, Role, Side, User, WebSession, utcnow
from app.services import audit
from app.services.errors import InvalidInput, Unauthorized
from app.services.permissions import Actor

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
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
    """A random password to print once."""
    return secrets.token_urlsafe(15)


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
    session.commit()
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this email, whatever its case."""
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def authenticate(session: Session, *, email: str, password: str, address: str = "") -> User:
    """Check a password; record the sign-in or the failure either way."""
    user = find_user(session, email)
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
    if not ok:
        audit.record(session, by=Actor.system(label=email[:320] or "unknown"),
                     verb="sign_in_failed", object_type="user",
                     object_id=user.id if user else None, summary=f"from {address}",
                     address=address)
        session.commit()
        raise Unauthorized("The email address or password is not right.")
    user.last_sign_in_at = utcnow()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, by=actor_for(session, user), verb="sign_in", object_type="user",
                 object_id=user.id, summary=f"from {address}", address=address)
    session.commit()
    return user


def create_token(session: Session, *, user: User, by: Actor) -> str:
    """A new API token for a user; only its digest is stored, so it is shown once."""
    raw = "asr_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(raw))
    session.add(token)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="api_token", object_id=token.id,
                 summary=f"token for {user.email}")
    session.commit()
    return raw


def user_for_token(session: Session, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(raw))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return user


@dataclass
class NewWebSession:
    raw_token: str
    csrf_token: str
    session: WebSession


def start_web_session(
    session: Session, *, user: User, idle_minutes: int, max_hours: int
) -> NewWebSession:
    """A new server-side session for a browser that just signed in."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    web = WebSession(
        token_hash=_digest(raw),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=max_hours),
    )
    session.add(web)
    session.commit()
    return NewWebSession(raw_token=raw, csrf_token=web.csrf_token, session=web)


def resume_web_session(
    session: Session, raw: str, *, idle_minutes: int
) -> tuple[WebSession, User] | None:
    """The live session behind a cookie, or None when it has ended or expired."""
    web = session.exec(select(WebSession).where(WebSession.token_hash == _digest(raw))).first()
    if web is None or web.revoked_at is not None:
        return None
    now = utcnow()
    if now >= web.expires_at or now - web.last_seen_at > timedelta(minutes=idle_minutes):
        return None
    user = session.get(User, web.user_id)
    if user is None or not user.active:
        return None
    # Touch the row at most once a minute, so reading pages does not mean writing.
    if now - web.last_seen_at > timedelta(minutes=1):
        web.last_seen_at = now
        session.commit()
    return web, user


def end_web_session(session: Session, raw: str, *, address: str = "") -> None:
    """Sign a browser out."""
    web = session.exec(select(WebSession).where(WebSession.token_hash == _digest(raw))).first()
    if web is not None and web.revoked_at is None:
        web.revoked_at = utcnow()
        user = session.get(User, web.user_id)
        if user is not None:
            audit.record(session, by=actor_for(session, user), verb="sign_out",
                         object_type="user", object_id=user.id, address=address)
        session.commit()
