"""Small helpers every service uses: loading by id, checking referenced ids."""

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from app.models import Person
from app.services.errors import InvalidInput, NotFound

T = TypeVar("T", bound=SQLModel)


def like_escaped(text: str) -> str:
    """Text to put in a LIKE pattern (with ESCAPE '\\'), its wildcards taken as written."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """An SQL condition: the column holds `text`, in any case (an empty column holds
    nothing), its % and _ taken as written."""
    return func.lower(func.coalesce(column, "")).like(f"%{like_escaped(text.lower())}%",
                                                       escape="\\")


def get_or_404(session: Session, model: type[T], object_id: int, what: str) -> T:
    """The object with this id, or NotFound naming what was looked for."""
    obj = session.get(model, object_id)
    if obj is None:
        raise NotFound(f"There is no {what} with id {object_id}.")
    return obj


def referenced(
    session: Session, model: type[T], object_id: int | None, field: str, what: str
) -> T | None:
    """An object named by id in a request body; an unknown id is the body's fault (422)."""
    if object_id is None:
        return None
    obj = session.get(model, object_id)
    if obj is None:
        raise InvalidInput({field: f"there is no {what} with id {object_id}"})
    return obj


def referenced_person(session: Session, person_id: int | None, field: str) -> Person | None:
    """A person named in a request body."""
    return referenced(session, Person, person_id, field, "person")


def person_label(person: Person | None) -> str:
    """How the minutes name an action's owner ("Action – NA to…", the action log's owners
    column): their role abbreviation, else their initials. Whoever speaks, asks or answers is
    named by speaker_label instead."""
    if person is None:
        return ""
    return person.role_abbreviation or person.initials


def speaker_label(person: Person | None) -> str:
    """How the minutes (the web record, the Word document, the take-minutes page's speaker
    box) name whoever speaks, asks or answers: their role abbreviation ("PCC"); else their
    title and surname ("Cllr Jones"); else their full name ("Jane Smith"). Never their
    initials alone: a panel member or a member of the public is known by name, not "JS"."""
    if person is None:
        return ""
    if person.role_abbreviation:
        return person.role_abbreviation
    surname = person.full_name.split()[-1] if person.full_name.split() else ""
    if person.title and surname:
        return f"{person.title} {surname}"
    return person.full_name or person.initials


def person_named(person: Person | None, *, start: bool = False) -> str:
    """A person as a sentence of the minutes names them: a role takes "the" ("The PCC asked
    the CC"), a name does not ("Cllr Jones asked the PCC"). `start`: at a sentence's start."""
    label = speaker_label(person)
    if not label or person is None or not person.role_abbreviation:
        return label
    return f"{'The' if start else 'the'} {label}"


def changes_of(data: BaseModel, *, nullable: tuple[str, ...] = ()) -> dict:
    """The fields a partial update sets; null is refused for fields that must have a value."""
    changes = data.model_dump(exclude_unset=True)
    bad = {
        key: "must not be null; leave the field out to keep its value"
        for key, value in changes.items()
        if value is None and key not in nullable
    }
    if bad:
        raise InvalidInput(bad)
    return changes


def commit_apart(session: Session) -> None:
    """Commit now, in the middle of a use case, what must be kept whatever the rest of it
    comes to: a sign-in try counted before its password is checked (and so that no lock is
    held while the slow hash runs), a failed sign-in, code or token request recorded before the
    refusal is raised, a refusal tallied, a reminder claimed before it is mailed and marked
    sent after. Each is a short transaction of its own, and this is the one place a service
    ends one (tests/test_architecture.py holds it to that).

    Everything else a service writes it adds and flushes; the unit of work commits it once at
    the boundary, or rolls it all back: a request's (app/db.py unit_of_work), a command's
    (app/cli.py), the reminder job's."""
    session.commit()


def write_at_best(session: Session, statement) -> bool:
    """Run one small bookkeeping write (a "last used" time) in a transaction of its own, and
    skip it (False) when the database is busy: a request is never refused for want of it.

    The read so far ends first: on SQLite a read transaction cannot become a write one once
    another connection has written, which would fail the request with a 503."""
    commit_apart(session)
    try:
        session.execute(statement)
        commit_apart(session)
    except OperationalError:  # busy: the next request will record it
        session.rollback()
        return False
    return True
