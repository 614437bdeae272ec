"""What happened to a finding, for its page: its questions (and their answers), its actions,
and one history merged from its own changes, the questions' answers and the actions' updates."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.models import Answer, Finding, FindingEvent, MinuteEntry, Person, Question, QuestionStatus
from app.services import actions as actions_service
from app.services import questions as questions_service
from app.services.finding_links import linked_actions, linked_questions
from app.services.finding_meetings import meeting_labels
from app.services.findings import short_text
from app.services.minutes import update_text
from app.services.permissions import Actor
from app.services.visibility import visible_events


@dataclass
class HistoryLine:
    at: datetime
    who: str
    text: str
    href: str = ""


@dataclass
class LinkedQuestion:
    question: Question
    meeting_label: str
    answers: list[Answer]
    status_words: str


@dataclass
class LinkedAction:
    view: actions_service.ActionView


@dataclass
class FindingStory:
    finding: Finding
    questions: list[LinkedQuestion] = field(default_factory=list)
    actions: list[LinkedAction] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)


def story_of(session: Session, finding: Finding, *, by: Actor) -> FindingStory:
    """A finding with its questions (and their answers), its actions, and one history merged
    from its own changes, the questions being asked and answered and the actions' updates,
    the latest last."""
    people = {p.id: p for p in session.exec(select(Person))}

    def who(person_id: int | None) -> str:
        person = people.get(person_id) if person_id else None
        return person.full_name if person else ""

    questions = linked_questions(session, [finding.id], by)[finding.id]
    views = linked_actions(session, [finding.id], by)[finding.id]
    labels = meeting_labels(session, {q.meeting_id for q in questions if q.meeting_id})
    answers = questions_service.answers_of(session, [q.id for q in questions])
    story = FindingStory(finding=finding)
    events = list(session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(col(FindingEvent.at),
                                                        col(FindingEvent.id))))
    story.history = [HistoryLine(e.at, e.by_label, e.summary)
                     for e in visible_events(session, events, by)]
    asked_entries: dict[int | None, MinuteEntry] = {}
    entry: MinuteEntry | None
    if questions:
        for entry in session.exec(select(MinuteEntry).where(
                col(MinuteEntry.question_id).in_([q.id for q in questions]),
                MinuteEntry.kind == "question", col(MinuteEntry.deleted_at).is_(None))
                .order_by(col(MinuteEntry.created_at))):
            asked_entries.setdefault(entry.question_id, entry)
    for question in questions:
        where = labels.get(question.meeting_id, "")
        status = QuestionStatus(question.status)
        story.questions.append(LinkedQuestion(
            question=question, meeting_label=where, answers=answers[question.id],
            status_words=questions_service.STATUS_WORDS[status]))
        entry = asked_entries.get(question.id)
        if entry is not None:
            story.history.append(HistoryLine(
                entry.created_at, who(question.asked_by_id),
                f"Question asked{' at the ' + where if where else ''}: "
                f"{short_text(question.text, 300)}", f"/questions/{question.id}"))
        for answer in answers[question.id]:
            how = "in the meeting" + (f" ({where})" if where else "") if answer.in_meeting \
                else "in writing"
            story.history.append(HistoryLine(
                answer.answered_at, who(answer.respondent_id) or "The force",
                f"Answer given {how}: {answer.text}", f"/questions/{question.id}"))
    updates = actions_service.updates_of(session, [v.action.id for v in views])
    for view in views:
        story.actions.append(LinkedAction(view=view))
        for update in updates[view.action.id]:
            said = update_text(update) or ""
            if update.status_to and update.text.strip():
                said += f" (status: {str(update.status_to).replace('_', ' ')})"
            story.history.append(HistoryLine(
                update.created_at, who(update.author_person_id) or "",
                f"Action {view.action.reference} update: {said}",
                f"/actions/{view.action.id}"))
    story.history.sort(key=lambda line: _aware(line.at))
    return story


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
