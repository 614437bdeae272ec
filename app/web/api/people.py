"""People."""

from fastapi import APIRouter, Request, Response, status

from app.db import SessionDep
from app.schemas import PersonCreate, PersonRead, PersonUpdate
from app.services import people
from app.services.paging import DEFAULT_LIMIT
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, PageOf, answer
from app.web.deps import ActorDep, IdPath

router = APIRouter()


@router.get("/people", response_model=PageOf[PersonRead], tags=["people"], responses=PAGED)
def list_people(request: Request, response: Response, session: SessionDep, actor: ActorDep,
                limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None):
    """Everyone, by name, those no longer active included, a page at a time."""
    page = people.page_people(session, limit=limit, cursor=cursor)
    return answer(request, response, page, page.rows)


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
