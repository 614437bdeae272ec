"""The Commissioner's questions and their answers."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.db import SessionDep
from app.models import QuestionSource, QuestionStatus
from app.schemas import (
    MAX_ID,
    AnswerCreate,
    AnswerRead,
    QuestionCreate,
    QuestionRead,
    QuestionUpdate,
)
from app.services import questions
from app.services.paging import DEFAULT_LIMIT
from app.web.api.paging import PAGED, CursorQuery, LimitQuery, PageOf, answer
from app.web.api.shapes import question_reads
from app.web.deps import ActorDep, IdPath

router = APIRouter(tags=["questions"])


@router.get("/questions", response_model=PageOf[QuestionRead], responses=PAGED)
def list_questions(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    meeting_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: QuestionStatus | None = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    source: QuestionSource | None = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
):
    """Questions the caller may see, in the order they were drafted, a page at a time;
    optionally for one meeting, status, theme or source."""
    page = questions.page_questions(session, by=actor, meeting_id=meeting_id, status=status,
                                    theme=theme, source=source, limit=limit, cursor=cursor)
    return answer(request, response, page, question_reads(session, page.rows))


@router.post("/questions", response_model=QuestionRead, status_code=status.HTTP_201_CREATED)
def create_question(data: QuestionCreate, session: SessionDep, actor: ActorDep):
    """Draft a question, for a meeting and item or for the bank."""
    question = questions.create_question(session, data=data, by=actor)
    return question_reads(session, [question])[0]


@router.get("/questions/{question_id}", response_model=QuestionRead)
def get_question(question_id: IdPath, session: SessionDep, actor: ActorDep):
    """One question with its answers."""
    question = questions.get_question(session, question_id=question_id, by=actor)
    return question_reads(session, [question])[0]


@router.patch("/questions/{question_id}", response_model=QuestionRead)
def update_question(
    question_id: IdPath, data: QuestionUpdate, session: SessionDep, actor: ActorDep
):
    """Change a question's text, links or status."""
    question = questions.update_question(session, question_id=question_id, data=data, by=actor)
    return question_reads(session, [question])[0]


@router.post("/questions/{question_id}/answers", response_model=AnswerRead,
             status_code=status.HTTP_201_CREATED)
def answer_question(question_id: IdPath, data: AnswerCreate, session: SessionDep, actor: ActorDep):
    """Record an answer, given in the meeting or in writing; the question is then answered."""
    return questions.answer_question(session, question_id=question_id, data=data, by=actor)
