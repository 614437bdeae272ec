"""People: everyone the minutes name, on the OPCC side, the force side or elsewhere."""

from sqlmodel import Session, col, select

from app.models import Person, utcnow
from app.schemas import PersonCreate, PersonUpdate
from app.services import accounts, audit
from app.services.common import changes_of, get_or_404
from app.services.permissions import Actor, Perm, require


def list_people(session: Session, *, include_inactive: bool = True) -> list[Person]:
    """Everyone, by name."""
    query = select(Person).order_by(col(Person.full_name), col(Person.id))
    if not include_inactive:
        query = query.where(Person.active)
    return list(session.exec(query))


def get_person(session: Session, person_id: int) -> Person:
    """One person, or NotFound."""
    return get_or_404(session, Person, person_id, "person")


def create_person(session: Session, *, data: PersonCreate, by: Actor) -> Person:
    """Add a person."""
    require(by, Perm.edit_record)
    person = Person(**data.model_dump())
    session.add(person)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="person", object_id=person.id,
                 summary=audit.describe_changes(data.model_dump()))
    session.flush()
    return person


def update_person(session: Session, *, person_id: int, data: PersonUpdate, by: Actor) -> Person:
    """Change a person's details. Deactivating a person ends everything they hold: their user
    accounts are deactivated, their owner links revoked and their calendar link renewed."""
    person = get_person(session, person_id)
    require(by, Perm.edit_record)
    changes = changes_of(data, nullable=("email",))
    leaving = person.active and changes.get("active") is False
    for key, value in changes.items():
        setattr(person, key, value)
    person.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="person", object_id=person.id,
                 summary=audit.describe_changes(changes))
    if leaving:
        accounts.end_person_access(session, person=person, by=by)
    session.flush()
    return person
