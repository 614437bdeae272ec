"""Minute entries, their revisions, and the minutes document."""

import asyncio
import random
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.config import get_settings
from app.db import SessionDep
from app.export.minutes_docx import render_minutes
from app.schemas import (
    AmendmentCreate,
    AmendmentRead,
    EntryCreate,
    EntryRead,
    EntryUpdate,
    RevisionRead,
)
from app.services import approval, entries
from app.services.minutes import Edition, minutes_for_export
from app.services.paging import DEFAULT_LIMIT
from app.services.word_template import template_bytes
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, PageOf, answer
from app.web.deps import ActorDep, IdPath
from app.web.downloads import docx_response

router = APIRouter(tags=["minutes"])


async def _test_save_delay() -> None:
    """FOR TESTS ONLY: a slow server's saves (ASSURE_TEST_SAVE_DELAY, off by default). Waits
    before the request's turn at the database, so that it holds no connection or lock."""
    delay = get_settings().test_save_delay_range()
    if delay is not None:
        await asyncio.sleep(random.uniform(*delay))  # noqa: S311 (not for security)


TestSaveDelay = Annotated[None, Depends(_test_save_delay)]


@router.get("/items/{item_id}/entries", response_model=list[EntryRead])
def list_entries(item_id: IdPath, session: SessionDep, actor: ActorDep):
    """The minute entries (paragraphs) of an item, in order."""
    return entries.list_entries(session, item_id=item_id, by=actor)


@router.post("/items/{item_id}/entries", response_model=EntryRead,
             status_code=status.HTTP_201_CREATED)
def create_entry(_delay: TestSaveDelay, item_id: IdPath, data: EntryCreate, session: SessionDep,
                 actor: ActorDep):
    """Add a paragraph to an item's minutes; its first revision is kept too."""
    return entries.create_entry(session, item_id=item_id, data=data, by=actor)


@router.get("/entries/{entry_id}", response_model=EntryRead)
def get_entry(entry_id: IdPath, session: SessionDep, actor: ActorDep):
    """One minute entry."""
    return entries.get_entry(session, entry_id=entry_id, by=actor)


@router.patch("/entries/{entry_id}", response_model=EntryRead)
def update_entry(_delay: TestSaveDelay, entry_id: IdPath, data: EntryUpdate, session: SessionDep,
                 actor: ActorDep):
    """Save a new version of an entry; a save made from an older version is refused (409)."""
    return entries.update_entry(session, entry_id=entry_id, data=data, by=actor)


@router.delete("/entries/{entry_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_entry(entry_id: IdPath, session: SessionDep, actor: ActorDep):
    """Take an entry out of the minutes; it is kept, with its revisions, to be restored."""
    entries.delete_entry(session, entry_id=entry_id, by=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/entries/{entry_id}/restore", response_model=EntryRead)
def restore_entry(entry_id: IdPath, session: SessionDep, actor: ActorDep):
    """Put a deleted entry back where it was (or as near as the item now allows)."""
    return entries.restore_entry(session, entry_id=entry_id, by=actor)


@router.post("/entries/{entry_id}/amendments", response_model=AmendmentRead,
             status_code=status.HTTP_201_CREATED)
def amend_entry(entry_id: IdPath, data: AmendmentCreate, session: SessionDep, actor: ActorDep):
    """Amend an entry of approved minutes; the reason is required and the original is kept."""
    return approval.amend_entry(session, entry_id=entry_id, by=actor, **data.model_dump())


@router.get("/entries/{entry_id}/revisions", response_model=PageOf[RevisionRead], responses=PAGED)
def list_revisions(
    entry_id: IdPath, request: Request, response: Response, session: SessionDep,
    actor: ActorDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None,
):
    """Every saved version of an entry, the first included, oldest first, a page at a time."""
    page = entries.page_revisions(session, entry_id=entry_id, by=actor, limit=limit,
                                  cursor=cursor)
    return answer(request, response, page, page.rows)


@router.get(
    "/meetings/{meeting_id}/minutes.docx",
    response_class=Response,
    responses={200: {"content": {"application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document": {}}}},
)
def minutes_docx(
    meeting_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
    edition: Annotated[Edition, Query()] = Edition.internal,
):
    """The meeting's minutes as a Word document, in the internal or the public edition; the
    download is audited."""
    record = minutes_for_export(session, meeting_id=meeting_id, edition=edition, by=actor)
    return docx_response(render_minutes(record, template_bytes(session)), record.title, edition)
