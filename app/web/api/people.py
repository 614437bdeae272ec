"""People."""

from fastapi import APIRouter, status

from app.db import SessionDep
from app.schemas import PersonCreate, PersonRead, PersonUpdate
from app.services import people
from app.web.deps import ActorDep, IdPath

router = APIRouter()


@router.get("/people", response_model=list[PersonRead], tags=["people"])
def list_people(session: SessionDep, actor: ActorDep):
    """Everyone, by name, those no longer active included."""
    return people.list_people(session)


@router.post("/people", response_model=PersonRead, status_code=status.HTTP_201_CREATED,
             tags=["people"])
def create_person(data: PersonCreate, session: SessionDep, actor: ActorDep):
    """Add a person."""
    return people.create_person(session, data=data, by=actor)


@router.get("/people/{person_id}", response_model=PersonRead, tags=["people"])
def get_person(person_id: IdPath, session: SessionDep, actor: ActorDep):
    """One person."""
    return people.get_person(session, person_id)


@router.patch("/people/{person_id}", response_model=PersonRead, tags=["people"])
def update_person(person_id: IdPath, data: PersonUpdate, session: SessionDep, actor: ActorDep):
    """Change a person's details; deactivating them ends their accounts, owner links and calendar
    link."""
    return people.update_person(session, person_id=person_id, data=data, by=actor)
