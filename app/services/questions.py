"""The Commissioner's questions to the force, and the answers given."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy import union_all as sa_union_all
from sqlmodel import Session, col, func, select

from app.models import (
    AgendaItem,
    Answer,
    Meeting,
    MeetingStatus,
    MeetingType,
    Question,
    QuestionSource,
    QuestionStatus,
    Screening,
    utcnow,
)
from app.schemas import AnswerCreate, QuestionCreate, QuestionUpdate
from app.services import audit, public_question_mail, visibility
from app.services.common import changes_of, get_or_404, referenced, referenced_person
from app.services.dates import long_date, to_london
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.paging import DEFAULT_LIMIT, Page, SortKey, count_of, keyset_page
from app.services.permissions import Actor, Perm, require

S = QuestionStatus
# Where a question can go from each status. Answers (answer_question) make a question answered
# or answered in writing; a question minuted in the meeting becomes asked (entries.py).
TRANSITIONS: dict[QuestionStatus, set[QuestionStatus]] = {
    S.draft: {S.ready, S.sent, S.withdrawn},
    S.ready: {S.draft, S.sent, S.withdrawn},
    S.sent: {S.ready, S.asked, S.carried_forward, S.withdrawn},
    S.asked: {S.sent, S.carried_forward},
    S.carried_forward: {S.sent, S.asked, S.withdrawn},
    S.answered: {S.carried_forward},  # a follow-up is wanted at a later meeting
    S.answered_in_writing: {S.carried_forward},
    S.withdrawn: {S.draft},
}
ANSWERABLE = {S.sent, S.asked, S.carried_forward, S.answered, S.answered_in_writing}
STATUS_WORDS = {
    S.draft: "draft", S.ready: "ready", S.sent: "sent to the force", S.asked: "asked",
    S.answered: "answered", S.answered_in_writing: "answered in writing",
    S.carried_forward: "carried forward", S.withdrawn: "withdrawn",
}

# --- where a question is taken -------------------------------------------------------------
# A question is taken at the meeting it was prepared for until it is carried forward; then at
# the next meeting of the same series after the meeting where it was carried forward that is
# not cancelled (if that one is cancelled later, at the one after). It stays there, whatever
# becomes of it (sent, asked, answered), until it is carried forward again.


def _series_meetings(meeting: Meeting):
    return select(Meeting.id).where(Meeting.meeting_type_id == meeting.meeting_type_id)


def carried_sources(session: Session, meeting: Meeting):
    """A query of the ids of the meetings whose carried-forward questions are taken at this
    one: those of its series since the last meeting before it that was not cancelled (that
    one included). A cancelled meeting takes none."""
    if meeting.status == MeetingStatus.cancelled:
        return select(Meeting.id).where(col(Meeting.id).is_(None))
    earlier = _series_meetings(meeting).where(Meeting.starts_at < meeting.starts_at)
    last_held = session.exec(
        select(Meeting.starts_at).where(
            Meeting.meeting_type_id == meeting.meeting_type_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != MeetingStatus.cancelled,
        ).order_by(col(Meeting.starts_at).desc())
    ).first()
    if last_held is not None:
        earlier = earlier.where(Meeting.starts_at >= last_held)
    return earlier


def at_meeting(session: Session, meeting: Meeting):
    """The condition on Question for the questions taken at this meeting."""
    return or_(
        and_(col(Question.meeting_id) == meeting.id,
             col(Question.carried_from_meeting_id).is_(None)),
        col(Question.carried_from_meeting_id).in_(carried_sources(session, meeting)),
    )


def next_held_after(session: Session, meeting: Meeting) -> Meeting | None:
    """The next meeting of the series after this one that is not cancelled."""
    return session.exec(
        select(Meeting).where(
            Meeting.meeting_type_id == meeting.meeting_type_id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.status != MeetingStatus.cancelled,
        ).order_by(col(Meeting.starts_at))
    ).first()


def meeting_taken_at(session: Session, question: Question) -> Meeting | None:
    """The meeting at which the question is taken now (see at_meeting), if any."""
    if question.carried_from_meeting_id is None:
        return session.get(Meeting, question.meeting_id) if question.meeting_id else None
    origin = session.get(Meeting, question.carried_from_meeting_id)
    return next_held_after(session, origin) if origin is not None else None


def questions_at(session: Session, *, meeting: Meeting, by: Actor) -> list[Question]:
    """The questions the actor may see taken at a meeting, those carried forward to it
    included, oldest first."""
    query = select(Question).where(at_meeting(session, meeting)).order_by(col(Question.id))
    return visible_to(session, list(session.exec(query)), by)


def dated_in_meeting(meeting: Meeting | None, now: datetime | None = None) -> datetime:
    """When an answer given in a meeting is dated: now, if today is the meeting's day; else the
    meeting's start (a minute-taker may type it up days later)."""
    now = now or utcnow()
    if meeting is None or to_london(now).date() == to_london(meeting.starts_at).date():
        return now
    return meeting.starts_at


def visible_to(session: Session, questions: list[Question], by: Actor) -> list[Question]:
    """Those of these questions the actor may see (drafts are the Commissioner's own)."""
    return visibility.visible_questions(session, questions, by)


def answers_of(session: Session, question_ids: Sequence[int | None]
               ) -> dict[int | None, list[Answer]]:
    """Each question's answers, oldest first."""
    result: dict[int | None, list[Answer]] = {i: [] for i in question_ids}
    if question_ids:
        query = select(Answer).where(col(Answer.question_id).in_(question_ids))
        for answer in session.exec(query.order_by(col(Answer.answered_at), col(Answer.id))):
            result[answer.question_id].append(answer)
    return result


def list_questions(
    session: Session, *, by: Actor, meeting_id: int | None = None, status=None,
    theme: str | None = None, source=None,
) -> list[Question]:
    """Questions the actor may see, optionally for one meeting, status, theme or source."""
    query = _questions_query(meeting_id=meeting_id, status=status, theme=theme, source=source)
    return visible_to(session, list(session.exec(query.order_by(col(Question.id)))), by)


def _questions_query(*, meeting_id: int | None, status, theme: str | None, source):
    query = select(Question)
    if theme:
        query = query.where(func.lower(Question.theme) == theme.strip().lower())
    if source is not None:
        query = query.where(Question.source == source)
    if meeting_id is not None:
        query = query.where(Question.meeting_id == meeting_id)
    if status is not None:
        query = query.where(Question.status == status)
    return query


QUESTION_KEYS = (SortKey(col(Question.id), lambda q: q.id),)


def page_questions(
    session: Session, *, by: Actor, limit: int = DEFAULT_LIMIT, cursor: str | None = None,
    meeting_id: int | None = None, status=None, theme: str | None = None, source=None,
) -> Page[Question]:
    """One page of the questions the actor may see, in the order they were drafted; those the
    actor may not see are dropped before the page is counted."""
    query = _questions_query(meeting_id=meeting_id, status=status, theme=theme, source=source)
    filters = {"meeting_id": meeting_id, "status": status, "source": source,
               "theme": theme.strip().lower() if theme else None}
    return keyset_page(session, query, keys=QUESTION_KEYS, limit=limit, cursor=cursor,
                       scope="questions", filters=filters,
                       keep=lambda rows: visible_to(session, rows, by))


# --- the question bank page: the newest first, a page at a time -------------------------

BANK_PAGE_SIZE = 25
BANK_KEYS = (SortKey(col(Question.id), lambda q: q.id, descending=True),)


def _visible_sql(by: Actor) -> list:
    """The SQL conditions for the questions the reader may see (visibility.may_see_question):
    the office sees all; others those sent to the force and not on an exempt item."""
    if visibility.sees_exempt(by):
        return []
    exempt = visibility.exempt_items_query()
    return [col(Question.status).in_([s.value for s in visibility.SHARED_STATUSES]),
            or_(col(Question.item_id).is_(None),
                col(Question.item_id).not_in(sa_select(exempt.c.id)))]


@dataclass
class BankPage:
    """A page of the question bank, how many questions the filters select, and what the
    filters offer (the themes and meetings of the questions the reader may see)."""

    questions: list[Question]
    total: int
    page: Page[Question]
    themes: list[str]
    meeting_ids: set[int]


def bank_page(session: Session, *, by: Actor, meeting_id: int | None = None, status=None,
              theme: str | None = None, source=None, limit: int = BANK_PAGE_SIZE,
              after: str | None = None, before: str | None = None, most: int = 100
              ) -> BankPage:
    """A page of the questions the reader may see, the newest first, filtered; the count and
    the filters' choices made by the database."""
    visible = _visible_sql(by)
    query = _questions_query(meeting_id=meeting_id, status=status, theme=theme,
                             source=source).where(*visible)
    filters = {"meeting_id": meeting_id, "status": status, "source": source,
               "theme": theme.strip().lower() if theme else None}
    page = keyset_page(session, query, keys=BANK_KEYS, limit=limit, cursor=after,
                       before=before, scope="question_bank", filters=filters, most=most)
    names = session.exec(select(Question.theme).distinct()
                         .where(Question.theme != "", *visible))
    meetings = session.exec(select(Question.meeting_id).distinct()
                            .where(col(Question.meeting_id).is_not(None), *visible))
    return BankPage(questions=page.rows, total=count_of(session, query), page=page,
                    themes=sorted({n.strip() for n in names if n.strip()}, key=str.lower),
                    meeting_ids={m for m in meetings if m is not None})


def get_question(session: Session, *, question_id: int, by: Actor) -> Question:
    """One question the actor may see."""
    question = get_or_404(session, Question, question_id, "question")
    if not visible_to(session, [question], by):
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


def _check_move(question: Question, new: QuestionStatus, changes: dict) -> None:
    old = QuestionStatus(question.status)
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(sorted(STATUS_WORDS[s] for s in TRANSITIONS[old])) or "nothing else"
        raise Conflict(
            f"A question that is {STATUS_WORDS[old]} cannot become {STATUS_WORDS[new]}; "
            f"it can become: {allowed}."
        )
    screening = changes.get("screening", question.screening)
    if (question.source == QuestionSource.public and new in (S.ready, S.sent)
            and screening != Screening.accepted):
        raise Conflict("A question from the public must be accepted at screening before it "
                       "goes to the force.")


def _check_screening(question: Question, changes: dict) -> None:
    """A screening decision is for public questions; declining one needs a reason."""
    if "screening" not in changes and "screening_reason" not in changes:
        return
    source = changes.get("source", question.source)
    if source != QuestionSource.public:
        raise InvalidInput({"screening": "only questions from the public are screened"})
    decision = changes.get("screening", question.screening)
    reason = changes.get("screening_reason", question.screening_reason)
    if decision == Screening.declined:
        if not (reason or "").strip():
            raise InvalidInput({"screening_reason": "say why the question was declined; the "
                                "reason is given to the person who asked it"})
        if question.status not in (S.withdrawn,) and "status" not in changes:
            changes["status"] = S.withdrawn


def public_questions_close(session: Session, meeting: Meeting) -> date:
    """The last day on which the public may submit questions for a meeting."""
    series = session.get(MeetingType, meeting.meeting_type_id)
    assert series is not None  # meeting_type_id is a required foreign key
    return to_london(meeting.starts_at).date() - timedelta(days=series.public_question_days)


def _check_public_question(session: Session, values: dict) -> None:
    if not values["submitter_name"]:
        raise InvalidInput({"submitter_name": "give the name of the member of the public"})
    submitted = values.get("submitted_at") or utcnow()
    values["submitted_at"] = submitted
    values["screening"] = Screening.pending
    if values["status"] not in (S.draft, S.withdrawn):
        raise InvalidInput({"status": "a question from the public starts as a draft, to be "
                            "screened"})
    if values.get("meeting_id"):
        meeting = session.get(Meeting, values["meeting_id"])
        assert meeting is not None  # checked by _check_links
        closes = public_questions_close(session, meeting)
        if to_london(submitted).date() > closes:
            raise InvalidInput({"submitted_at": (
                f"questions from the public for this meeting closed on "
                f"{long_date(closes)}; put it to a later meeting")})


def create_question(session: Session, *, data: QuestionCreate, by: Actor) -> Question:
    """Draft a question, for a meeting and item or for the bank."""
    require(by, Perm.write_questions)
    values = data.model_dump()
    _check_links(session, values, None)
    if data.source == QuestionSource.public:
        _check_public_question(session, values)
    elif data.submitter_name or data.submitted_at:
        raise InvalidInput({"submitter_name": "only a question from the public has a submitter"})
    question = Question(**values)
    session.add(question)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="question", object_id=question.id,
                 summary=question.text[:200])
    session.flush()
    return question


def update_question(
    session: Session, *, question_id: int, data: QuestionUpdate, by: Actor
) -> Question:
    """Change a question's text, links or status."""
    question = get_question(session, question_id=question_id, by=by)
    require(by, Perm.write_questions)
    changes = changes_of(
        data, nullable=("asked_by_id", "addressed_to_id", "meeting_id", "item_id", "screening")
    )
    if "meeting_id" in changes and "item_id" not in changes and question.item_id is not None:
        # Moving a question to another meeting leaves its old meeting's item behind.
        item = session.get(AgendaItem, question.item_id)
        if item is None or item.meeting_id != changes["meeting_id"]:
            changes["item_id"] = None
    _check_links(session, changes, question)
    _check_screening(question, changes)
    if "status" in changes and changes["status"] != question.status:
        _check_move(question, QuestionStatus(changes["status"]), changes)
    if "meeting_id" in changes and changes["meeting_id"] != question.meeting_id:
        question.carried_from_meeting_id = None  # put to another meeting by hand
    if changes.get("status") == S.carried_forward and question.status != S.carried_forward:
        taken_at = meeting_taken_at(session, question)
        if "meeting_id" in changes:
            taken_at = session.get(Meeting, changes["meeting_id"]) if changes["meeting_id"] \
                else None
        if taken_at is not None:
            question.carried_from_meeting_id = taken_at.id
    screened = "screening" in changes and changes["screening"] != question.screening
    for key, value in changes.items():
        setattr(question, key, value)
    question.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="question", object_id=question.id,
                 summary=audit.describe_changes(changes))
    if screened:  # the member of the public who asked is told the decision
        public_question_mail.queue_screening(session, question)
    session.flush()
    return question


def answer_question(
    session: Session, *, question_id: int, data: AnswerCreate, by: Actor
) -> Answer:
    """Record an answer, given in the meeting or in writing; the question is then answered."""
    question = get_question(session, question_id=question_id, by=by)
    require(by, Perm.write_questions)
    referenced_person(session, data.respondent_id, "respondent_id")
    if question.status not in ANSWERABLE:
        raise Conflict(
            f"This question is {STATUS_WORDS[QuestionStatus(question.status)]}: send it to the "
            "force before recording an answer."
        )
    assert question.id is not None  # loaded from the database
    answer = Answer(question_id=question.id, **data.model_dump())
    if data.in_meeting:
        answer.answered_at = dated_in_meeting(meeting_taken_at(session, question))
    session.add(answer)
    question.status = (
        QuestionStatus.answered if data.in_meeting else QuestionStatus.answered_in_writing
    )
    question.updated_at = utcnow()
    session.flush()
    audit.record(session, by=by, verb="create", object_type="answer", object_id=answer.id,
                 summary=f"question {question.id}: {answer.text[:200]}")
    public_question_mail.queue_answer(session, question, answer)
    session.flush()
    return answer


@dataclass
class AskedBefore:
    """A question on a theme, where it was asked and what the force answered."""

    question: Question
    meeting: Meeting | None
    answers: list[Answer]


def _on_theme(theme: str, by: Actor):
    """The questions on a theme (any case) the reader may see, with their meeting if any."""
    query = (select(Question, Meeting)
             .join(Meeting, col(Meeting.id) == Question.meeting_id, isouter=True)
             .where(func.lower(Question.theme) == theme.strip().lower()))
    seen = visibility.questions_seen_where(by)
    return query if seen is None else query.where(seen)


def theme_history(session: Session, *, theme: str, by: Actor, limit: int | None = None,
                  offset: int = 0) -> list[AskedBefore]:
    """What was asked on a theme, newest meeting first (those on no meeting last), and what
    the force answered: the `limit` questions from `offset` when given, in two queries (the
    reader's visibility decided in the first, by the database)."""
    if not theme.strip():
        return []
    query = _on_theme(theme, by).order_by(
        col(Meeting.starts_at).is_(None), col(Meeting.starts_at).desc(),
        col(Question.id).desc())
    if limit is not None:
        query = query.offset(offset).limit(limit)
    rows = session.exec(query).all()
    answers = answers_of(session, [q.id for q, _ in rows])
    return [AskedBefore(question=q, meeting=m, answers=answers[q.id]) for q, m in rows]


def count_theme_history(session: Session, *, theme: str, by: Actor) -> int:
    """How many questions theme_history would give, counted by the database."""
    if not theme.strip():
        return 0
    query = _on_theme(theme, by).with_only_columns(col(Question.id))
    return session.exec(select(func.count()).select_from(query.subquery())).one()


@dataclass
class LatestAnswer:
    """The newest answer the force gave on a theme at an earlier meeting, and where."""

    question: Question
    answer: Answer
    meeting: Meeting
    meeting_type: MeetingType


def latest_answers_before(session: Session, *, themes: Sequence[str], meeting: Meeting,
                          by: Actor) -> dict[str, LatestAnswer]:
    """For each of these themes, the newest answer given on it at a meeting before this one
    (by the meeting's start, then the answer's time), keyed by the theme in lower case: one
    query for all the themes, which loads one answer per theme however long the record and
    ranks only the answers of the latest meeting that had one (issue 17). For readers who see
    Part 2, as everyone preparing a meeting does."""
    require(by, Perm.see_exempt, "Only the Commissioner's office sees every earlier answer.")
    wanted = sorted({t.strip().lower() for t in themes if t.strip()})
    if not wanted:
        return {}
    theme = func.lower(Question.theme)

    def last_asked(wanted_theme: str):
        """When the latest earlier meeting that had an answer on the theme began: meetings
        walked back from this one by the index on their start, stopping at the first."""
        answered = (select(col(Question.id))
                    .join(Answer, col(Answer.question_id) == Question.id)
                    .where(Question.meeting_id == Meeting.id, theme == wanted_theme)
                    .correlate(Meeting))
        return (select(col(Meeting.starts_at))
                .where(col(Meeting.starts_at) < meeting.starts_at, col(Meeting.id) != meeting.id,
                       answered.exists())
                .order_by(col(Meeting.starts_at).desc()).limit(1).scalar_subquery())

    latest = sa_union_all(*(
        sa_select(literal(t).label("theme"), last_asked(t).label("starts_at"))
        for t in wanted)).subquery("latest")
    rank = func.row_number().over(
        partition_by=latest.c.theme,
        # ties as theme_history's reader took them: the later question, its first answer
        order_by=(col(Meeting.starts_at).desc(), col(Answer.answered_at).desc(),
                  col(Question.id).desc(), col(Answer.id).asc()))
    # only the answers given at the meetings that began then: one meeting's, not the record's
    ranked = (
        sa_select(latest.c.theme.label("theme"), col(Question.id).label("question_id"),
                  col(Answer.id).label("answer_id"), rank.label("rank"))
        .select_from(latest)
        .join(Meeting, and_(col(Meeting.starts_at) == latest.c.starts_at,
                            col(Meeting.id) != meeting.id))
        .join(Question, and_(col(Question.meeting_id) == Meeting.id,
                             theme == latest.c.theme))
        .join(Answer, col(Answer.question_id) == Question.id)
        .subquery())
    rows = session.execute(  # five columns: more than sqlmodel's select types
        sa_select(ranked.c.theme, Question, Answer, Meeting, MeetingType)
        .join(Question, col(Question.id) == ranked.c.question_id)
        .join(Answer, col(Answer.id) == ranked.c.answer_id)
        .join(Meeting, col(Meeting.id) == Question.meeting_id)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(ranked.c.rank == 1))
    return {key: LatestAnswer(question=q, answer=a, meeting=m, meeting_type=t)
            for key, q, a, m, t in rows}


def themes(session: Session) -> list[str]:
    """Every theme questions have been asked on, by name."""
    names = session.exec(select(Question.theme).where(Question.theme != "").distinct())
    return sorted({n.strip() for n in names if n.strip()}, key=str.lower)
