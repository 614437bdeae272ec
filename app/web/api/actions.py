"""Actions, their updates, and the action log."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status

from app.db import SessionDep
from app.models import ActionStatus
from app.schemas import (
    MAX_ID,
    ActionCreate,
    ActionEdit,
    ActionRead,
    ActionUpdateCreate,
    ActionUpdateRead,
)
from app.services import actions
from app.services.paging import DEFAULT_LIMIT
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, PageOf, answer
from app.web.api.shapes import action_read
from app.web.chair_news import tell_the_chair
from app.web.deps import ActorDep, IdPath

router = APIRouter(tags=["actions"])


@router.get("/actions", response_model=PageOf[ActionRead], responses=PAGED)
def list_actions(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    meeting_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
):
    """The action log by reference, a page at a time, filtered by owner, status, lateness or
    meeting; exempt actions only for those who may see them. `next` (and the `Link` header)
    give the next page, with the same filters."""
    page = actions.page_actions(
        session, by=actor, owner_id=owner_id, status=status, overdue=overdue,
        meeting_id=meeting_id, limit=limit, cursor=cursor,
    )
    return answer(request, response, page, [action_read(v) for v in page.rows])


@router.post("/actions", response_model=ActionRead, status_code=status.HTTP_201_CREATED)
def create_action(data: ActionCreate, session: SessionDep, actor: ActorDep):
    """Raise an action with its owners (the first is the lead); it is given the next reference."""
    action = actions.create_action(session, data=data, by=actor)
    assert action.id is not None  # saved by create_action
    return action_read(actions.get_action(session, action_id=action.id, by=actor))


@router.get("/actions/{action_id}", response_model=ActionRead)
def get_action(action_id: IdPath, session: SessionDep, actor: ActorDep):
    """One action with its owners, RAG rating and latest update."""
    return action_read(actions.get_action(session, action_id=action_id, by=actor))


@router.patch("/actions/{action_id}", response_model=ActionRead)
def update_action(action_id: IdPath, data: ActionEdit, session: SessionDep, actor: ActorDep):
    """Edit an action; the chair may only close or reopen it."""
    actions.update_action(session, action_id=action_id, data=data, by=actor)
    return action_read(actions.get_action(session, action_id=action_id, by=actor))


@router.get("/actions/{action_id}/updates", response_model=PageOf[ActionUpdateRead],
            responses=PAGED)
def list_updates(
    action_id: IdPath, request: Request, response: Response, session: SessionDep,
    actor: ActorDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None,
):
    """An action's progress updates, oldest first, a page at a time."""
    page = actions.page_updates(session, action_id=action_id, by=actor, limit=limit,
                                cursor=cursor)
    return answer(request, response, page, page.rows)


@router.post("/actions/{action_id}/updates", response_model=ActionUpdateRead,
             status_code=status.HTTP_201_CREATED)
def add_update(
    action_id: IdPath, data: ActionUpdateCreate, session: SessionDep, actor: ActorDep,
    request: Request, background: BackgroundTasks,
):
    """Post a progress update, perhaps with a change of status; owners update only their own
    actions."""
    if data.status == ActionStatus.pending_signoff:
        tell_the_chair(request, background)
    return actions.add_update(session, action_id=action_id, data=data, by=actor)
