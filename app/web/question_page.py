"""One question's page: the question with its meeting and item, the steps that move it on,
its answers, the screening of a public question, and what was asked before on its theme.

The routes only read the form, call app.services.questions and render; which step may follow
which is the service's rule.
"""

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import APIRouter, Form, Query, Request

from app.db import SessionDep
from app.models import QuestionSource, QuestionStatus, Screening
from app.schemas import AnswerCreate, QuestionUpdate
from app.services import agenda, meetings, people
from app.services import questions as service
from app.services.meeting_papers import SOURCES
from app.services.permissions import Perm
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    error_list,
    meeting_label,
    parse_id,
    people_groups,
    submit,
    validated,
)
from app.web.public_questions import tell_the_public
from app.web.question_bank import SCREENING_WORDS
from app.web.templating import render

router = APIRouter(include_in_schema=False)

S = QuestionStatus
# The buttons that move a question on, in the order a question usually travels.
STEP_ORDER = [S.ready, S.sent, S.asked, S.carried_forward, S.draft, S.withdrawn]
STEP_LABELS = {
    S.draft: "Move back to draft",
    S.ready: "Mark as ready",
    S.sent: "Send to the force",
    S.asked: "Mark as asked",
    S.carried_forward: "Carry forward",
    S.withdrawn: "Withdraw",
}
STEP_LABELS_FROM = {
    (S.sent, S.ready): "Take back from the force (ready)",
    (S.asked, S.sent): "Mark as not yet asked",
    (S.carried_forward, S.sent): "Send to the force again",
    (S.withdrawn, S.draft): "Restore as a draft",
    (S.answered, S.carried_forward): "Carry forward for a follow-up",
    (S.answered_in_writing, S.carried_forward): "Carry forward for a follow-up",
}
STEP_HINTS = {
    S.ready: "The question is finished and can go in the question pack.",
    S.sent: "The force has the question (with the question pack or by email).",
    S.asked: "The Commissioner put the question in the meeting.",
    S.carried_forward: "It comes back under outstanding matters at the next meeting.",
    S.withdrawn: "It will not be asked; it stays in the bank.",
}

FormStr = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=200_000)]


@dataclass
class Step:
    to: str
    label: str
    hint: str
    kind: str  # "primary", "secondary" or "warning"


def steps_from(status: QuestionStatus) -> list[Step]:
    """The buttons that move a question on from its status, in words."""
    allowed = service.TRANSITIONS[status]
    steps: list[Step] = []
    for target in STEP_ORDER:
        if target not in allowed:
            continue
        kind = "warning" if target == S.withdrawn else ("primary" if not steps else "secondary")
        steps.append(Step(to=target.value,
                          label=STEP_LABELS_FROM.get((status, target), STEP_LABELS[target]),
                          hint=STEP_HINTS.get(target, ""), kind=kind))
    return steps


@dataclass
class AnswerForm:
    respondent_id: str = ""
    text: str = ""
    how: str = "meeting"


@dataclass
class ScreeningForm:
    decision: str = ""
    reason: str = ""


def _question_page(request, session, caller, question_id: int, *,
                   answer_form: AnswerForm | None = None,
                   screening_form: ScreeningForm | None = None,
                   errors: dict[str, str] | None = None, status_code: int = 200,
                   notice: str = ""):
    actor = caller.actor
    question = service.get_question(session, question_id=question_id, by=actor)
    status = S(question.status)
    everyone = people.list_people(session)
    by_id = {p.id: p for p in everyone}
    answers = service.answers_of(session, [question.id])[question.id]
    meeting = meeting_type = node = None
    if question.meeting_id:
        meeting = meetings.get_meeting(session, question.meeting_id)
        meeting_type = meetings.meeting_type_of(session, meeting)
    if question.item_id:
        node = agenda.node_for(session, agenda.get_item(session, question.item_id))
    # The three latest others asked on its theme and how many there are, not the whole history.
    before = [a for a in service.theme_history(session, theme=question.theme, by=actor, limit=4)
              if a.question.id != question.id][:3] if question.theme.strip() else []
    before_count = (service.count_theme_history(session, theme=question.theme, by=actor) - 1
                    if before else 0)
    errors = errors or {}
    return render(request, "question.html", {
        "page_title": ("Error: " if errors else "") + f"Question {question.id}",
        "question": question,
        "status_words": service.STATUS_WORDS[status],
        "source_words": SOURCES.get(cast(QuestionSource, question.source), str(question.source)),
        "screening_words": SCREENING_WORDS.get(question.screening or Screening.pending, ""),
        "is_public": question.source == QuestionSource.public,
        "asked_by": by_id.get(question.asked_by_id),
        "addressed_to": by_id.get(question.addressed_to_id),
        "meeting": meeting,
        "meeting_title": meeting_label(meeting, meeting_type) if meeting else "",
        "node": node,
        "answers": [(a, by_id.get(a.respondent_id)) for a in answers],
        "steps": steps_from(status),
        "can_write": actor.can(Perm.write_questions),
        "answerable": status in service.ANSWERABLE,
        "people": people_groups(everyone, {question.addressed_to_id}),
        "answer_form": answer_form or AnswerForm(
            respondent_id=str(question.addressed_to_id or "")),
        "screening_form": screening_form or ScreeningForm(
            decision=str(question.screening or ""), reason=question.screening_reason),
        "before": before,
        "before_count": before_count,
        "meeting_labels": {i: meeting_label(m, t) for i, (m, t) in meetings.meetings_by_id(
            session, {a.meeting.id for a in before if a.meeting}).items()},
        "errors": errors,
        "error_list": error_list(errors, {"step": "steps", "screening": "screening-accepted",
                                          "how": "how-meeting"}),
        "notice": notice,
    }, status_code=status_code)


@router.get("/questions/{question_id}")
def question_page(question_id: IdPath, request: Request, session: SessionDep,
                  caller: PageCaller,
                  saved: Annotated[str, Query(max_length=10)] = ""):
    notice = {"1": "The question has been saved.", "answer": "The answer has been recorded.",
              "screening": "The screening decision has been saved."}.get(saved, "")
    if saved.startswith("step-"):
        words = service.STATUS_WORDS.get(S(saved[5:])) if saved[5:] in S.__members__ else None
        words = "a draft" if words == "draft" else words
        notice = f"The question is now {words}." if words else ""
    return _question_page(request, session, caller, question_id, notice=notice)


@router.post("/questions/{question_id}/status")
def move_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    to: Annotated[str, Form(max_length=40)] = "",
):
    errors = {} if to in S.__members__ else {"step": "Choose one of the steps on this page"}
    return submit(
        session,
        lambda: service.update_question(session, question_id=question_id, by=caller.actor,
                                        data=QuestionUpdate(status=S(to))),
        errors=errors, field="step", rename=lambda _: "step",
        done=lambda _: f"/questions/{question_id}?saved=step-{to}",
        again=lambda errors, status: _question_page(request, session, caller, question_id,
                                                    errors=errors, status_code=status))


def _told(session, question_id: int, then: str) -> str:
    """Where to go once a member of the public who asked has been emailed, if one did."""
    tell_the_public(session, question_id)
    return then


@router.post("/questions/{question_id}/answers")
def answer_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    respondent_id: FormStr = "", answer_text: FormText = "",
    how: Annotated[str, Form(max_length=20)] = "",
):
    form = AnswerForm(respondent_id=respondent_id, text=answer_text, how=how)
    errors: dict[str, str] = {}
    respondent = parse_id(respondent_id, "respondent_id", errors,
                          "Choose who answered from the list")
    if how not in ("meeting", "writing"):
        errors["how"] = "Say whether the answer was given in the meeting or in writing"
    if not answer_text.strip():
        errors["answer_text"] = "Enter the answer"
    return submit(
        session,
        lambda: service.answer_question(session, question_id=question_id, by=caller.actor,
                                        data=validated(AnswerCreate, {
                                            "respondent_id": respondent, "text": answer_text,
                                            "in_meeting": how == "meeting"})),
        errors=errors, field="answer_text",
        rename=lambda name: "answer_text" if name == "text" else name,
        done=lambda _: _told(session, question_id, f"/questions/{question_id}?saved=answer"),
        again=lambda errors, status: _question_page(request, session, caller, question_id,
                                                    answer_form=form, errors=errors,
                                                    status_code=status))


@router.post("/questions/{question_id}/screening")
def screen_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: FormText = "",
):
    form = ScreeningForm(decision=decision, reason=reason)
    errors = {} if decision in (Screening.accepted, Screening.declined) else {
        "screening": "Choose whether the question is accepted or declined"}
    return submit(
        session,
        lambda: service.update_question(session, question_id=question_id, by=caller.actor,
                                        data=validated(QuestionUpdate, {
                                            "screening": Screening(decision),
                                            "screening_reason": reason})),
        errors=errors, field="screening",
        done=lambda _: _told(session, question_id,
                             f"/questions/{question_id}?saved=screening"),
        again=lambda errors, status: _question_page(request, session, caller, question_id,
                                                    screening_form=form, errors=errors,
                                                    status_code=status))
