"""User accounts as an administrator manages them: the list, roles, and deactivation.

Deactivating ends everything a user holds, at once and in every process (each request reads
it from the database; nothing is cached in a process): their browser sessions, their API
tokens, and their person's owner links and calendar feed link. The person stays active, as
they may still attend meetings and own actions; deactivating the person (app/services/
people.py) deactivates their accounts as well.

A change of role also signs the user out and revokes their API tokens: rights are read from
the database on every request anyway, but a session began, and a token was made, under the
old role's rules (a second factor or none), so the user signs in again under the new one and
new tokens are made deliberately.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import ApiToken, Person, Role, User, WebSession, utcnow
from app.services import audit, calendar, identity, invitations, owner_links, tokens, two_factor
from app.services.common import get_or_404
from app.services.errors import Conflict, InvalidInput
from app.services.permissions import Actor, Perm, require

PER_PAGE = 50


def count_users(session: Session, *, by: Actor) -> int:
    """How many users there are, for the list's pages."""
    require(by, Perm.manage_users, "Only an administrator can see the list of users.")
    return session.exec(select(func.count()).select_from(User)).one()


@dataclass
class UserRow:
    """A user as the list shows them."""

    user: User
    name: str
    live_sessions: int
    live_tokens: int


def list_users(session: Session, *, by: Actor, idle_minutes: float, page: int | None = None,
               per_page: int = PER_PAGE) -> list[UserRow]:
    """Every user, by email, with their live sessions and tokens counted by the database;
    one page of them when `page` is given."""
    require(by, Perm.manage_users, "Only an administrator can see the list of users.")
    now = utcnow()
    sessions = (select(WebSession.user_id, func.count().label("n"))
                .where(*identity.live_session_conditions(now, idle_minutes))
                .group_by(col(WebSession.user_id)).subquery())
    live_tokens = (select(ApiToken.user_id, func.count().label("n"))
                   .where(tokens.live_condition(now))
                   .group_by(col(ApiToken.user_id)).subquery())
    query = (select(User, Person.full_name, sessions.c.n, live_tokens.c.n)
             .outerjoin(Person, col(Person.id) == User.person_id)
             .outerjoin(sessions, sessions.c.user_id == User.id)
             .outerjoin(live_tokens, live_tokens.c.user_id == User.id)
             .order_by(User.email))
    if page is not None:
        query = query.offset((max(page, 1) - 1) * per_page).limit(per_page)
    return [UserRow(user=user, name=name or "", live_sessions=n_sessions or 0,
                    live_tokens=n_tokens or 0)
            for user, name, n_sessions, n_tokens in session.exec(query)]


@dataclass
class Ended:
    """What a deactivation or a change of role ended."""

    sessions: int = 0
    tokens: int = 0
    owner_links: int = 0

    def words(self) -> str:
        """"2 sessions, 1 API token and 0 owner links ended"."""
        def counted(n: int, what: str) -> str:
            return f"{n} {what}{'' if n == 1 else 's'}"

        return (f"{counted(self.sessions, 'session')}, {counted(self.tokens, 'API token')} "
                f"and {counted(self.owner_links, 'owner link')} ended")


def _check_not_locking_out(session: Session, users: list[User], by: Actor,
                           demoting: bool) -> None:
    """Refuse to take away one's own access, or the last active administrator's."""
    if by.user_id is not None and any(user.id == by.user_id for user in users):
        raise Conflict("You cannot deactivate your own account or change its role: ask an "
                       "administrator.")
    admins = {user.id for user in users if user.active and user.role == Role.admin}
    if admins and demoting:
        others = session.exec(select(func.count()).select_from(User).where(
            User.role == Role.admin, User.active, col(User.id).not_in(admins))).one()
        if not others:
            raise Conflict("This is the last active administrator: make another user an "
                           "administrator first.")


def _end_access(session: Session, user: User, now: datetime) -> Ended:
    """End the user's sessions and tokens, in the caller's transaction."""
    assert user.id is not None  # a saved user
    return Ended(sessions=identity.end_sessions(session, user_id=user.id, now=now),
                 tokens=tokens.end_tokens(session, user_id=user.id, now=now))


def _end_person_links(session: Session, person: Person, now: datetime) -> int:
    """Revoke the person's owner links and renew their calendar link secret, so that neither
    old link works again even if the person is made active again."""
    calendar.renew_link_secret(person)
    assert person.id is not None  # a saved person
    return owner_links.end_links(session, person_id=person.id, now=now)


def _deactivate(session: Session, users: list[User], now: datetime) -> Ended:
    ended = Ended()
    for user in users:
        user.active = False
        done = _end_access(session, user, now)
        assert user.id is not None  # a saved user
        invitations.end_invitations(session, user_id=user.id, now=now)
        ended.sessions += done.sessions
        ended.tokens += done.tokens
    return ended


def deactivate_user(session: Session, *, user_id: int, by: Actor) -> Ended:
    """Deactivate a user: they cannot sign in, and everything they hold stops at once."""
    require(by, Perm.manage_users, "Only an administrator can deactivate a user.")
    user = get_or_404(session, User, user_id, "user")
    _check_not_locking_out(session, [user], by, demoting=True)
    now = utcnow()
    ended = _deactivate(session, [user], now)
    person = session.get(Person, user.person_id) if user.person_id else None
    if person is not None:
        ended.owner_links = _end_person_links(session, person, now)
    renewed = ", calendar link renewed" if person is not None else ""
    audit.record(session, by=by, verb="deactivate", object_type="user", object_id=user.id,
                 summary=f"{user.email}: {ended.words()}{renewed}")
    session.flush()
    return ended


def end_person_access(session: Session, *, person: Person, by: Actor) -> Ended:
    """What deactivating a person ends, in the caller's transaction: their user accounts
    (deactivated too), owner links and calendar link."""
    users = list(session.exec(select(User).where(User.person_id == person.id, User.active)))
    if any(user.role == Role.admin for user in users):
        # The secretariat keeps the directory of people, but only an administrator may take
        # away an administrator's access.
        require(by, Perm.manage_users, f"{person.full_name} is an administrator of Assure: "
                                       "only an administrator can deactivate them.")
    _check_not_locking_out(session, users, by, demoting=True)
    now = utcnow()
    ended = _deactivate(session, users, now)
    ended.owner_links = _end_person_links(session, person, now)
    for user in users:
        audit.record(session, by=by, verb="deactivate", object_type="user", object_id=user.id,
                     summary=f"{user.email}, with their person {person.full_name}")
    audit.record(session, by=by, verb="end_access", object_type="person", object_id=person.id,
                 summary=f"{person.full_name} deactivated: {ended.words()}, calendar link "
                         "renewed")
    return ended


def activate_user(session: Session, *, user_id: int, by: Actor) -> bool:
    """Let a deactivated user sign in again (a deactivation made in error, someone back from
    leave), with their person if that was deactivated too. Nothing that was ended comes back:
    they sign in afresh, get new tokens, and are sent new owner and calendar links. False when
    they were active already."""
    require(by, Perm.manage_users, "Only an administrator can reactivate a user.")
    user = get_or_404(session, User, user_id, "user")
    if user.active:
        return False
    user.active = True
    person = session.get(Person, user.person_id) if user.person_id else None
    again = ""
    if person is not None and not person.active:
        person.active = True
        person.updated_at = utcnow()
        again = f", with their person {person.full_name}"
    audit.record(session, by=by, verb="activate", object_type="user", object_id=user.id,
                 summary=f"{user.email} active again{again}")
    session.flush()
    return True


def set_role(session: Session, *, user_id: int, role: str, by: Actor) -> Ended:
    """Give a user another role; they are signed out and their API tokens revoked (see the
    module's docstring). The same role again changes nothing."""
    require(by, Perm.manage_users, "Only an administrator can change a user's role.")
    user = get_or_404(session, User, user_id, "user")
    if role not in Role.__members__:
        raise InvalidInput({"role": "must be one of " + ", ".join(r.value for r in Role)})
    if user.role == role:
        return Ended()
    _check_not_locking_out(session, [user], by, demoting=user.role == Role.admin)
    before = user.role
    user.role = Role(role)
    ended = _end_access(session, user, utcnow())
    audit.record(session, by=by, verb="set_role", object_type="user", object_id=user.id,
                 summary=f"{user.email}: role {before} → {role}; {ended.words()}")
    session.flush()
    return ended


def reset_two_factor(session: Session, *, user_id: int, by: Actor) -> int:
    """Forget a user's authenticator app and recovery codes (a lost or new phone): they are
    signed out everywhere and set two-step verification up again when they next sign in.
    Returns how many sessions ended. Not one's own: another administrator does it, so that a
    browser left signed in cannot take the second factor off its own account."""
    require(by, Perm.manage_users, "Only an administrator can reset two-step verification.")
    user = get_or_404(session, User, user_id, "user")
    if by.user_id is not None and user.id == by.user_id:
        raise Conflict("You cannot reset your own two-step verification: ask another "
                       "administrator.")
    if not two_factor.enabled(user) and not user.totp_secret:
        raise Conflict(f"{user.email} has not set up two-step verification: there is nothing "
                       "to reset.")
    two_factor.reset(session, user=user, by=by)
    assert user.id is not None  # a saved user
    ended = identity.end_sessions(session, user_id=user.id, now=utcnow())
    session.flush()
    return ended
