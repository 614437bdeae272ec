"""Inviting a user from the browser: an administrator gives an email address and a role, and
the new user gets an email with a one-time link to set their password.

The link carries a random secret; only its SHA-256 digest is kept, so a copy of the database
does not give the links away. A link works once, for DAYS days, and stops working when a newer
invitation is sent to the same user or the user is deactivated. The user signs in afterwards
as anyone does, setting up two-step verification then if their role needs it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Invitation, Person, Role, User, utcnow
from app.services import audit, dates, identity, passwords
from app.services.common import get_or_404
from app.services.errors import Conflict, Gone, InvalidInput, NotFound
from app.services.mail import Mailer, MailError, compose
from app.services.office import get_office
from app.services.permissions import Actor, Perm, require

DAYS = 3
TOKEN_BYTES = 32
ROLE_WORDS = {
    Role.admin: "an administrator", Role.secretariat: "a member of the secretariat",
    Role.chair: "the chair", Role.force: "a force user", Role.viewer: "a viewer",
}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def path_of(raw: str) -> str:
    """Where the link opens on the site."""
    return f"/invitation/{raw}"


@dataclass
class Invited:
    user: User
    invitation: Invitation
    token: str  # only in the email: not kept


def _new_invitation(session: Session, user: User, by: Actor, now: datetime) -> tuple[
        Invitation, str]:
    assert user.id is not None  # a saved user
    end_invitations(session, user_id=user.id, now=now)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(user_id=user.id, token_hash=_digest(raw), created_at=now,
                            expires_at=now + timedelta(days=DAYS), created_by_id=by.user_id)
    session.add(invitation)
    session.flush()
    return invitation, raw


def _send(session: Session, *, user: User, invitation: Invitation, raw: str, mailer: Mailer,
          base_url: str) -> None:
    office = get_office(session)
    office_name = office.office_name or "the Commissioner's office"
    until = dates.to_london(invitation.expires_at)
    body = (f"You have been given an account on Assure, the meetings and actions record of "
            f"{office_name}, as {ROLE_WORDS.get(Role(user.role), user.role)}.\n\n"
            f"To choose your password, open this link:\n"
            f"{base_url.rstrip('/')}{path_of(raw)}\n\n"
            f"The link works once, until {dates.clock_12h(until)} on {dates.long_date(until)}. "
            "It is for you alone: please do not forward it. If it has run out, ask an "
            "administrator to send you a new one.\n")
    message = compose(sender=mailer.sender, to=user.email,
                      subject="Your Assure account: choose your password", body=body,
                      headers={"X-Assure-Invitation": str(invitation.id)})
    try:
        mailer.send(message)
    except MailError as exc:
        raise Conflict(f"The invitation email to {user.email} could not be sent ({exc}); "
                       "nothing was saved. Try again, or ask whoever runs the mail server."
                       ) from exc


def invite_user(session: Session, *, email: str, role: str, name: str = "", by: Actor,
                mailer: Mailer, base_url: str) -> Invited:
    """A new user without a password, and the email with their link. A name with no person
    of theirs yet makes their person too (identity.create_user)."""
    require(by, Perm.manage_users, "Only an administrator can invite a user.")
    errors: dict[str, str] = {}
    if role not in Role.__members__:
        errors["role"] = "Choose the user's role"
    name = " ".join((name or "").split())
    if len(name) > 200:
        errors["name"] = "The name must be at most 200 characters"
    email = (email or "").strip()
    if not email:
        errors["email"] = "Enter the user's email address"
    if errors:
        raise InvalidInput(errors)
    # Someone already in the directory under that name (a person who attends meetings, or
    # owns actions) becomes the user's person; otherwise a person of that name is made.
    same = list(session.exec(select(Person).where(
        func.lower(Person.full_name) == name.lower(), Person.active))) if name else []
    person_id = same[0].id if len(same) == 1 else None
    user = identity.create_user(session, email=email, role=Role(role), password=None, by=by,
                                name=name or None, person_id=person_id)
    now = utcnow()
    invitation, raw = _new_invitation(session, user, by, now)
    audit.record(session, by=by, verb="invite", object_type="user", object_id=user.id,
                 summary=f"{user.email} invited as {role}, link until "
                         f"{dates.long_date(dates.to_london(invitation.expires_at))}")
    session.flush()
    _send(session, user=user, invitation=invitation, raw=raw, mailer=mailer, base_url=base_url)
    return Invited(user=user, invitation=invitation, token=raw)


def invite_again(session: Session, *, user_id: int, by: Actor, mailer: Mailer,
                 base_url: str) -> Invited:
    """A new link for a user who has not chosen a password yet; earlier links stop working."""
    require(by, Perm.manage_users, "Only an administrator can invite a user.")
    user = get_or_404(session, User, user_id, "user")
    if not user.active:
        raise Conflict(f"The account of {user.email} has been deactivated: reactivate it "
                       "before inviting them again.")
    if user.password_hash:
        raise Conflict(f"{user.email} has chosen a password already; they can sign in.")
    invitation, raw = _new_invitation(session, user, by, utcnow())
    audit.record(session, by=by, verb="invite", object_type="user", object_id=user.id,
                 summary=f"{user.email} invited again")
    session.flush()
    _send(session, user=user, invitation=invitation, raw=raw, mailer=mailer, base_url=base_url)
    return Invited(user=user, invitation=invitation, token=raw)


def open_invitation(session: Session, raw: str) -> tuple[Invitation, User]:
    """The invitation behind a link, and its user; NotFound or Gone, saying why in the
    invited person's words, when the link does not work."""
    invitation = session.exec(select(Invitation).where(
        Invitation.token_hash == _digest((raw or "")[:200]))).first()
    if invitation is None:
        raise NotFound("This invitation link is not right: check that it was copied whole "
                       "from the email, or ask an administrator for a new one.")
    user = session.get(User, invitation.user_id)
    if invitation.used_at is not None:
        raise Gone("This invitation link has been used already: it works only once. If you "
                   "chose your password, sign in; if you did not, ask an administrator for a "
                   "new invitation.")
    if user is None or not user.active:
        raise Gone("The account this invitation was for has been closed. Ask an "
                   "administrator if you think that is a mistake.")
    if invitation.revoked_at is not None:
        raise Gone("A newer invitation has been sent to you since this one: use the link in "
                   "the latest email, or ask an administrator for a new one.")
    if invitation.expires_at <= utcnow():
        until = dates.to_london(invitation.expires_at)
        raise Gone(f"This invitation link ran out on {dates.long_date(until)}. Ask an "
                   "administrator to send you a new one.")
    return invitation, user


def accept_invitation(session: Session, *, raw: str, password: str, confirm: str,
                      address: str = "") -> User:
    """Set the invited user's password; the link does not work again."""
    invitation, user = open_invitation(session, raw)
    errors: dict[str, str] = {}
    if not password:
        errors["password"] = "Enter a password"  # noqa: S105 - a message  # noqa: S105 - a message, not a password
    else:
        found = passwords.problem(password, user_inputs=[
            user.email, identity.display_name(session, user)])
        if found:
            errors["password"] = found
        elif password != confirm:
            errors["confirm"] = "The two passwords are not the same: type it again"
    if errors:
        raise InvalidInput(errors)
    user.password_hash = identity.hash_password(password)
    invitation.used_at = utcnow()
    audit.record(session, by=identity.actor_for(session, user), verb="accept_invitation",
                 object_type="user", object_id=user.id, summary=f"from {address}: password set",
                 address=address or None)
    session.flush()
    return user


def end_invitations(session: Session, *, user_id: int, now: datetime) -> int:
    """Stop every unused invitation of a user working, in the caller's transaction."""
    live = list(session.exec(select(Invitation).where(
        Invitation.user_id == user_id, col(Invitation.used_at).is_(None),
        col(Invitation.revoked_at).is_(None))))
    for invitation in live:
        invitation.revoked_at = now
    return len(live)


def pending(session: Session, user_id: int) -> Invitation | None:
    """The user's latest invitation that still works, if any."""
    return session.exec(select(Invitation).where(
        Invitation.user_id == user_id, col(Invitation.used_at).is_(None),
        col(Invitation.revoked_at).is_(None), Invitation.expires_at > utcnow())
        .order_by(col(Invitation.id).desc())).first()
