"""People: everyone the minutes name, on the OPCC side, the force side or elsewhere."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from app.models import (
    Attendance,
    Meeting,
    MeetingType,
    Person,
    Question,
    SeriesAttendee,
    Side,
    utcnow,
)
from app.schemas import PersonCreate, PersonUpdate
from app.services import accounts, audit
from app.services.common import changes_of, contains, get_or_404
from app.services.paging import DEFAULT_LIMIT, Page, SortKey, keyset_page
from app.services.permissions import Actor, Perm, require


def list_people(session: Session, *, include_inactive: bool = True) -> list[Person]:
    """Everyone, by name."""
    query = select(Person).order_by(col(Person.full_name), col(Person.id))
    if not include_inactive:
        query = query.where(Person.active)
    return list(session.exec(query))


PERSON_KEYS = (
    SortKey(col(Person.full_name), lambda p: p.full_name),
    SortKey(col(Person.id), lambda p: p.id),
)


def page_people(session: Session, *, limit: int = DEFAULT_LIMIT,
                cursor: str | None = None) -> Page[Person]:
    """One page of everyone, by name, those no longer active included."""
    return keyset_page(session, select(Person), keys=PERSON_KEYS, limit=limit, cursor=cursor,
                       scope="people", filters={})


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


PAGE_SIZE = 50


@dataclass
class PeoplePage:
    """One page of the directory."""

    people: list[Person]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def search_people(session: Session, *, text: str = "", side: Side | None = None,
                  active: bool | None = None, page: int = 1) -> PeoplePage:
    """The directory, by name, a page at a time: those whose name, initials, role or role
    abbreviation hold `text` (any case), on one side, active or not."""
    query = select(Person)
    words = text.strip().lower()
    if words:
        query = query.where(or_(*(contains(column, words) for column in (
            col(Person.full_name), col(Person.initials), col(Person.role_title),
            col(Person.role_abbreviation)))))
    if side is not None:
        query = query.where(Person.side == side)
    if active is not None:
        query = query.where(Person.active == active)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = session.exec(query.order_by(col(Person.full_name), col(Person.id))
                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return PeoplePage(people=list(found), total=total, page=page)


def meetings_of(session: Session, person_id: int) -> list[tuple[Meeting, MeetingType]]:
    """The meetings a person chairs, minutes, attends or is invited to with their series,
    the latest first."""
    attending = select(Attendance.meeting_id).where(Attendance.person_id == person_id)
    series = select(SeriesAttendee.meeting_type_id).where(SeriesAttendee.person_id == person_id)
    query = (
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == col(Meeting.meeting_type_id))
        .where(or_(Meeting.chair_id == person_id, Meeting.minute_taker_id == person_id,
                   col(Meeting.id).in_(attending), col(Meeting.meeting_type_id).in_(series)))
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    )
    return [(meeting, meeting_type) for meeting, meeting_type in session.exec(query)]


def questions_of(session: Session, person_id: int) -> list[Question]:
    """The questions a person asked or was asked, the latest first (all of them: callers show
    only those their reader may see)."""
    query = (select(Question)
             .where(or_(Question.asked_by_id == person_id, Question.addressed_to_id == person_id))
             .order_by(col(Question.id).desc()))
    return list(session.exec(query))
