"""The Commissioner's questions to the force, and the answers given."""

from sqlmodel import Session, select

from app.models import AgendaItem, Answer, Meeting, Question, QuestionStatus, utcnow
from app.schemas import AnswerCreate, QuestionCreate, QuestionUpdate
from app.services import audit
from app.services.actions import exempt_item_ids
from app.services.common import changes_of, get_or_404, referenced, referenced_person
from app.services.errors import InvalidInput, NotFound
from app.services.permissions import Actor, Perm, require

# The force sees a question once it has been sent to them; drafts are the Commissioner's own.
SHARED_STATUSES = {
    QuestionStatus.sent,
    QuestionStatus.asked,
    QuestionStatus.answered,
    QuestionStatus.answered_in_writing,
    QuestionStatus.carried_forward,
}


def _visible(question: Question, by: Actor, exempt_items: set[int]) -> bool:
    if by.sees_exempt:
        return True
    return question.status in SHARED_STATUSES and question.item_id not in exempt_items


def answers_of(session: Session, question_ids: list[int]) -> dict[int, list[Answer]]:
    """Each question's answers, oldest first."""
    result: dict[int, list[Answer]] = {i: [] for i in question_ids}
    if question_ids:
        query = select(Answer).where(Answer.question_id.in_(question_ids))
        for answer in session.exec(query.order_by(Answer.answered_at, Answer.id)):
            result[answer.question_id].append(answer)
    return result


def list_questions(
    session: Session, *, by: Actor, meeting_id: int | None = None, status=None
) -> list[Question]:
    """Questions the actor may see, optionally for one meeting or in one status."""
    query = select(Question)
    if meeting_id is not None:
        query = query.where(Question.meeting_id == meeting_id)
    if status is not None:
        query = query.where(Question.status == status)
    questions = list(session.exec(query.order_by(Question.id)))
    exempt = exempt_item_ids(session, {q.meeting_id for q in questions if q.meeting_id})
    return [q for q in questions if _visible(q, by, exempt)]


def get_question(session: Session, *, question_id: int, by: Actor) -> Question:
    """One question the actor may see."""
    question = get_or_404(session, Question, question_id, "question")
    exempt = exempt_item_ids(session, {question.meeting_id} if question.meeting_id else set())
    if not _visible(question, by, exempt):
        raise NotFound(f"There is no question with id {question_id}.")
    return question


def _check_links(session: Session, values: dict, question: Question | None) -> None:
    referenced_person(session, values.get("asked_by_id"), "asked_by_id")
    referenced_person(session, values.get("addressed_to_id"), "addressed_to_id")
    meeting_id = values.get("meeting_id", question.meeting_id if question else None)
    referenced(session, Meeting, values.get("meeting_id"), "meeting_id", "meeting")
    item = referenced(session, AgendaItem, values.get("item_id"), "item_id", "agenda item")
    if item is not None:
        if meeting_id is not None and item.meeting_id != meeting_id:
            raise InvalidInput({"item_id": f"item {item.id} is not on meeting {meeting_id}"})
        values["meeting_id"] = item.meeting_id


def create_question(session: Session, *, data: QuestionCreate, by: Actor) -> Question:
    """Draft a question, for a meeting and item or for the bank."""
    require(by, Perm.write_questions)
    values = data.model_dump()
    _check_links(session, values, None)
    question = Question(**values)
    session.add(question)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="question", object_id=question.id,
                 summary=question.text[:200])
    session.commit()
    return question


def update_question(
    session: Session, *, question_id: int, data: QuestionUpdate, by: Actor
) -> Question:
    """Change a question's text, links or status."""
    question = get_question(session, question_id=question_id, by=by)
    require(by, Perm.write_questions)
    changes = changes_of(
        data, nullable=("asked_by_id", "addressed_to_id", "meeting_id", "item_id")
    )
    if "meeting_id" in changes and "item_id" not in changes and question.item_id is not None:
        # Moving a question to another meeting leaves its old meeting's item behind.
        item = session.get(AgendaItem, question.item_id)
        if item is None or item.meeting_id != changes["meeting_id"]:
            changes["item_id"] = None
    _check_links(session, changes, question)
    for key, value in changes.items():
        setattr(question, key, value)
    question.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="question", object_id=question.id,
                 summary=audit.describe_changes(changes))
    session.commit()
    return question


def answer_question(
    session: Session, *, question_id: int, data: AnswerCreate, by: Actor
) -> Answer:
    """Record an answer, given in the meeting or in writing; the question is then answered."""
    question = get_question(session, question_id=question_id, by=by)
    require(by, Perm.write_questions)
    referenced_person(session, data.respondent_id, "respondent_id")
    answer = Answer(question_id=question.id, **data.model_dump())
    session.add(answer)
    question.status = (
        QuestionStatus.answered if data.in_meeting else QuestionStatus.answered_in_writing
    )
    question.updated_at = utcnow()
    session.flush()
    audit.record(session, by=by, verb="create", object_type="answer", object_id=answer.id,
                 summary=f"question {question.id}: {answer.text[:200]}")
    session.commit()
    return answer
