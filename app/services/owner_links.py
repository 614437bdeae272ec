"""Links that let an action owner update their actions without an account.

The link carries a random secret; only its SHA-256 digest is stored, so a database copy does not
give the links away, an altered link matches nothing, and a link can be revoked or left to
expire. Every use is audited.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app.models import OwnerLink, Person, Role, utcnow
from app.services import audit, refusals
from app.services.common import commit_apart, get_or_404
from app.services.errors import InvalidInput, NotFound
from app.services.office import get_office
from app.services.permissions import Actor, Perm, require

TOKEN_BYTES = 32


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class NewLink:
    link: OwnerLink
    token: str  # shown once: it goes into the email and is not kept

    def path(self) -> str:
        """The link's path on the site."""
        return f"/owner/{self.token}"


def create_link(session: Session, *, person_id: int, by: Actor, days: int | None = None
                ) -> NewLink:
    """A new link for an owner, valid for the office's number of days (14 by default)."""
    require(by, Perm.edit_record)
    person = get_or_404(session, Person, person_id, "person")
    if not person.active:
        raise InvalidInput({"person_id": f"{person.full_name} is no longer active"})
    days = days if days is not None else get_office(session).owner_link_days
    if not 1 <= days <= 90:
        raise InvalidInput({"days": "a link lasts between 1 and 90 days"})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert person.id is not None  # loaded from the database
    link = OwnerLink(person_id=person.id, token_hash=_digest(token),
                     expires_at=utcnow() + timedelta(days=days), created_by_id=by.user_id)
    session.add(link)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="owner_link", object_id=link.id,
                 summary=f"link for {person.full_name}, {days} days")
    session.flush()
    return NewLink(link=link, token=token)


def links_of(session: Session, person_id: int) -> list[OwnerLink]:
    """A person's links, newest first."""
    query = select(OwnerLink).where(OwnerLink.person_id == person_id)
    return list(session.exec(query.order_by(col(OwnerLink.created_at).desc())))


def revoke_link(session: Session, *, link_id: int, by: Actor) -> OwnerLink:
    """Stop a link working at once."""
    require(by, Perm.edit_record)
    link = get_or_404(session, OwnerLink, link_id, "owner link")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record(session, by=by, verb="revoke", object_type="owner_link",
                     object_id=link.id, summary=f"person {link.person_id}")
        session.flush()
    return link


def revoke_all(session: Session, *, person_id: int, by: Actor) -> int:
    """Stop every link of a person (a lost phone, someone who left); returns how many."""
    require(by, Perm.edit_record)
    ended = end_links(session, person_id=person_id, now=utcnow())
    audit.record(session, by=by, verb="revoke", object_type="owner_link", object_id=None,
                 summary=f"{ended} links of person {person_id}")
    session.flush()
    return ended


def end_links(session: Session, *, person_id: int, now) -> int:
    """Revoke every link of a person that is not revoked yet, in the caller's transaction."""
    live = [link for link in links_of(session, person_id) if link.revoked_at is None]
    for link in live:
        link.revoked_at = now
    return len(live)


def _why_not(link: OwnerLink | None, person: Person | None, now) -> str:
    """Why a link does not work, in a word for the audit log, or "" when it works."""
    if link is None or person is None:
        return "unknown"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "" if person.active else "inactive person's"


def open_link(session: Session, raw: str, *, address: str = "") -> tuple[OwnerLink, Actor]:
    """The link behind a secret and the owner acting through it; refused (as not found, so
    nothing is given away) when unknown, altered, expired or revoked, or when its person is no
    longer active (read on every use, so a deactivation holds at once in every process).
    Every use is audited; refusals are counted (app/services/refusals.py)."""
    link = session.exec(select(OwnerLink).where(OwnerLink.token_hash == _digest(raw))).first()
    now = utcnow()
    person = session.get(Person, link.person_id) if link is not None else None
    state = _why_not(link, person, now)
    if state:
        # Whoever holds a link that does not work is nobody we know: counted per address.
        refusals.count_refusal(session, address=address, label="owner link",
                               object_type="owner_link", object_id=link.id if link else None,
                               summary=f"{state} link used from {address}")
        commit_apart(session)
        raise NotFound("This link does not work: it may have expired or been replaced. Ask "
                       "the Commissioner's office for a new one.")
    assert link is not None and person is not None  # _why_not says "unknown" otherwise
    actor = Actor(role=Role.force, person_id=person.id,
                  label=f"{person.full_name} (owner link {link.id})")
    link.last_used_at = now
    audit.record(session, by=actor, verb="use", object_type="owner_link", object_id=link.id,
                 summary=f"from {address}", address=address)
    session.flush()
    return link, actor
