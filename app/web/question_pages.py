"""The question bank: the Commissioner's questions, their way from draft to answer, and what
was asked before on each theme.

The routes only read the form, call app.services.questions and render; the rules (who may
see a draft, which step may follow which, what a public question needs) are the service's.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Annotated, cast

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from app.db import SessionDep
from app.models import Person, Question, QuestionSource, QuestionStatus, Screening, utcnow
from app.schemas import MAX_ID, AnswerCreate, QuestionCreate, QuestionUpdate
from app.services import agenda, meetings, people
from app.services import findings as findings_service
from app.services import questions as service
from app.services.dates import to_london
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.inspections import FORCE_STATUSES, OPCC_STATUSES
from app.services.meeting_papers import SOURCES
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    DateParts,
    domain_errors,
    error_list,
    meeting_label,
    parse_date,
    parse_id,
    people_groups,
    schema_errors,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)

S = QuestionStatus
RECENT_DAYS = 60  # the form offers meetings (and their items) from this many days ago on

SCREENING_WORDS: dict[str, str] = {
    Screening.pending: "Awaiting screening",
    Screening.accepted: "Accepted",
    Screening.declined: "Declined",
}
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
class Row:
    """A question as the bank's table shows it."""

    question: Question
    asked_by: Person | None
    addressed_to: Person | None
    meeting_id: int | None
    meeting_title: str
    item_number: str
    item_title: str
    status_words: str
    source_words: str
    screening_words: str


def _numbers(session, meeting_ids) -> dict[int | None, tuple[str, str]]:
    """Every item of these meetings: id → (number, title)."""
    numbers: dict[int | None, tuple[str, str]] = {}
    for meeting_id in meeting_ids:
        for node in agenda.flatten(agenda.agenda_tree(session, meeting_id)):
            numbers[node.item.id] = (node.number, node.item.title)
    return numbers


def _rows(session, found: list[Question]) -> list[Row]:
    everyone = {p.id: p for p in people.list_people(session)}
    titles = {m.id: meeting_label(m, t) for m, t in meetings.list_meetings(session)}
    numbers = _numbers(session, {q.meeting_id for q in found if q.meeting_id})
    rows = []
    for q in found:
        number, item_title = numbers.get(q.item_id, ("", "")) if q.item_id else ("", "")
        rows.append(Row(
            question=q,
            asked_by=everyone.get(q.asked_by_id),
            addressed_to=everyone.get(q.addressed_to_id),
            meeting_id=q.meeting_id,
            meeting_title=titles.get(q.meeting_id, "") if q.meeting_id else "",
            item_number=number,
            item_title=item_title,
            status_words=service.STATUS_WORDS[S(q.status)],
            source_words=SOURCES.get(cast(QuestionSource, q.source), str(q.source)),
            screening_words=SCREENING_WORDS.get(q.screening or Screening.pending, "")
            if q.source == QuestionSource.public else "",
        ))
    return rows


@router.get("/questions")
def questions_page(
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    theme: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=30)] = "",
    source: Annotated[str, Query(max_length=30)] = "",
    meeting: Annotated[str, Query(max_length=12)] = "",
):
    actor = caller.actor
    visible = service.list_questions(session, by=actor)
    status_value = S(status) if status in S.__members__ else None
    source_value = QuestionSource(source) if source in QuestionSource.__members__ else None
    meeting_id = int(meeting) if meeting.isdigit() and 0 < int(meeting) <= MAX_ID else None
    # Only themes of questions this reader may see: a draft's theme is the office's own.
    seen = {q.theme.strip().lower() for q in visible if q.theme.strip()}
    theme_names = [t for t in service.themes(session) if t.lower() in seen]
    chosen_theme = theme.strip()
    found = service.list_questions(session, by=actor, theme=chosen_theme or None,
                                   status=status_value, source=source_value,
                                   meeting_id=meeting_id)
    found.sort(key=lambda q: cast(int, q.id), reverse=True)  # saved questions
    titled = {m.id: (m, t) for m, t in meetings.list_meetings(session)}
    meeting_options = [
        (str(m.id), meeting_label(m, t))
        for m, t in sorted((titled[i] for i in {q.meeting_id for q in visible}
                            if i in titled), key=lambda pair: pair[0].starts_at, reverse=True)
    ]
    return render(request, "questions.html", {
        "page_title": "Questions",
        "rows": _rows(session, found),
        "themes": theme_names,
        "statuses": [(s.value, service.STATUS_WORDS[s].capitalize()) for s in S],
        "sources": [(s.value, words) for s, words in SOURCES.items()],
        "meeting_options": meeting_options,
        "selected": {"theme": chosen_theme, "status": status_value.value if status_value else "",
                     "source": source_value.value if source_value else "",
                     "meeting": str(meeting_id) if meeting_id else ""},
        "can_write": actor.can(Perm.write_questions),
    })


# --- drafting and editing -------------------------------------------------------------------


@dataclass
class QuestionForm:
    """What the question form shows: the values as typed (strings), so nothing is lost."""

    text: str = ""
    theme: str = ""
    asked_by_id: str = ""
    addressed_to_id: str = ""
    meeting_id: str = ""
    item_id: str = ""
    source: str = QuestionSource.commissioner.value
    submitter_name: str = ""
    submitted_at: DateParts = field(default_factory=DateParts)

    @classmethod
    def of(cls, question: Question) -> "QuestionForm":
        submitted = to_london(question.submitted_at).date() if question.submitted_at else None
        return cls(
            text=question.text, theme=question.theme,
            asked_by_id=str(question.asked_by_id or ""),
            addressed_to_id=str(question.addressed_to_id or ""),
            meeting_id=str(question.meeting_id or ""), item_id=str(question.item_id or ""),
            source=str(question.source), submitter_name=question.submitter_name,
            submitted_at=DateParts.of(submitted),
        )


@dataclass
class FormChoices:
    """The choices the question form offers."""

    people: list = field(default_factory=list)  # select groups
    meetings: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)
    item_meeting: dict[int | None, int] = field(default_factory=dict)  # item id → meeting id
    meeting_titles: dict[int, str] = field(default_factory=dict)


def _choices(session, question: Question | None = None) -> FormChoices:
    everyone = people.list_people(session)
    keep = {question.asked_by_id, question.addressed_to_id} if question else set()
    since = utcnow() - timedelta(days=RECENT_DAYS)
    current = question.meeting_id if question else None
    offered = sorted(
        ((m, t) for m, t in meetings.list_meetings(session)
         if m.starts_at >= since or m.id == current),
        key=lambda pair: pair[0].starts_at,
    )
    choices = FormChoices(people=people_groups(everyone, keep))
    for m, t in offered:
        assert m.id is not None  # loaded from the database
        label = meeting_label(m, t)
        choices.meetings.append((str(m.id), label))
        choices.meeting_titles[m.id] = label
        for node in agenda.flatten(agenda.agenda_tree(session, m.id)):
            choices.items.append((str(node.item.id), f"{label} – {node.number} {node.item.title}"))
            choices.item_meeting[node.item.id] = m.id
    return choices


def _default_form(session, caller, meeting_id: str, item_id: str) -> QuestionForm:
    """A new question: from the Commissioner to the Chief Constable, unless told otherwise."""
    form = QuestionForm(meeting_id=meeting_id, item_id=item_id)
    active = people.list_people(session, include_inactive=False)
    by_role = {p.role_abbreviation: p for p in reversed(active) if p.role_abbreviation}
    own = caller.user.person_id if caller.user.role == "chair" else None
    asker = own or (by_role["PCC"].id if "PCC" in by_role else None)
    form.asked_by_id = str(asker or "")
    form.addressed_to_id = str(by_role["CC"].id) if "CC" in by_role else ""
    return form


def _render_form(request, session, *, form: QuestionForm, question: Question | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200,
                 choices: FormChoices | None = None):
    errors = errors or {}
    editing = question is not None
    return render(request, "question_form.html", {
        "page_title": ("Error: " if errors else "")
        + ("Change the question" if editing else "Draft a question"),
        "question": question,
        "form": form,
        "choices": choices or _choices(session, question),
        "themes": service.themes(session),
        "sources": [(s.value, words) for s, words in SOURCES.items()],
        "errors": errors,
        "error_list": error_list(errors, {"submitted_at": "submitted_at-day",
                                          "source": "source-commissioner"}),
        "action": f"/questions/{question.id}/edit" if question is not None else "/questions/new",
    }, status_code=status_code)


@router.get("/questions/new")
def new_question_page(
    request: Request, session: SessionDep, caller: PageCaller,
    meeting: Annotated[str, Query(max_length=12)] = "",
    item: Annotated[str, Query(max_length=12)] = "",
):
    require(caller.actor, Perm.write_questions,
            "Only the Commissioner's office drafts questions.")
    form = _default_form(session, caller, meeting if meeting.isdigit() else "",
                         item if item.isdigit() else "")
    choices = _choices(session)
    if form.item_id and not form.meeting_id:
        # Coming from an agenda item ("Draft a question for this item"): its meeting too.
        form.meeting_id = str(choices.item_meeting.get(int(form.item_id)) or "")
    return _render_form(request, session, form=form, choices=choices)


def _read_form(session, form: QuestionForm, choices: FormChoices, *, public_dates: bool
               ) -> tuple[dict, dict[str, str]]:
    """The form's values for the schema, and what is wrong with them."""
    errors: dict[str, str] = {}
    pick = "Choose someone from the list"
    values: dict = {
        "text": form.text,
        "theme": form.theme,
        "asked_by_id": parse_id(form.asked_by_id, "asked_by_id", errors, pick),
        "addressed_to_id": parse_id(form.addressed_to_id, "addressed_to_id", errors, pick),
        "meeting_id": parse_id(form.meeting_id, "meeting_id", errors,
                               "Choose a meeting from the list"),
        "item_id": parse_id(form.item_id, "item_id", errors, "Choose an item from the list"),
    }
    if not form.text.strip():
        errors["text"] = "Enter the question"
    if form.source not in QuestionSource.__members__:
        errors["source"] = "Choose where the question comes from"
    else:
        values["source"] = QuestionSource(form.source)
    item_id, meeting_id = values["item_id"], values["meeting_id"]
    if item_id is not None and item_id in choices.item_meeting:
        item_meeting = choices.item_meeting[item_id]
        if meeting_id is not None and meeting_id != item_meeting:
            errors["item_id"] = (
                f"That item is on the agenda of the {choices.meeting_titles[item_meeting]}, "
                "not of the meeting you chose: choose that meeting, or “Not yet on an agenda”")
        values["meeting_id"] = item_meeting
    if values.get("source") == QuestionSource.public:
        values["submitter_name"] = form.submitter_name
        if public_dates:
            day = parse_date(form.submitted_at, "submitted_at", "The date it was submitted",
                             errors)
            if day is not None:
                # Midday London time: the day is what matters, and midday is never ambiguous.
                values["submitted_at"] = datetime.combine(day, time(12))
    return values, errors


def _form_from(text, theme, asked_by_id, addressed_to_id, meeting_id, item_id, source,
               submitter_name, day, month, year) -> QuestionForm:
    return QuestionForm(text=text, theme=theme, asked_by_id=asked_by_id,
                        addressed_to_id=addressed_to_id, meeting_id=meeting_id, item_id=item_id,
                        source=source, submitter_name=submitter_name,
                        submitted_at=DateParts(day, month, year))


@router.post("/questions/new")
def create_question(
    request: Request, session: SessionDep, caller: PageCaller,
    text: FormText = "", theme: FormStr = "",
    asked_by_id: FormStr = "", addressed_to_id: FormStr = "", meeting_id: FormStr = "",
    item_id: FormStr = "", source: FormStr = "commissioner", submitter_name: FormStr = "",
    submitted_day: Annotated[str, Form(alias="submitted_at-day", max_length=20)] = "",
    submitted_month: Annotated[str, Form(alias="submitted_at-month", max_length=20)] = "",
    submitted_year: Annotated[str, Form(alias="submitted_at-year", max_length=20)] = "",
):
    require(caller.actor, Perm.write_questions,
            "Only the Commissioner's office drafts questions.")
    form = _form_from(text, theme, asked_by_id, addressed_to_id, meeting_id, item_id, source,
                      submitter_name, submitted_day, submitted_month, submitted_year)
    values, errors = _read_form(session, form, _choices(session), public_dates=True)
    data = None
    try:
        data = QuestionCreate(**values)
    except ValidationError as exc:
        errors = {**schema_errors(exc), **errors}
    if errors or data is None:
        return _render_form(request, session, form=form, errors=errors, status_code=422)
    try:
        question = service.create_question(session, data=data, by=caller.actor)
    except InvalidInput as exc:
        session.rollback()
        return _render_form(request, session, form=form, errors=domain_errors(exc),
                            status_code=422)
    except Conflict as exc:
        session.rollback()
        return _render_form(request, session, form=form, errors={"text": exc.message},
                            status_code=409)
    return RedirectResponse(f"/questions/{question.id}?saved=1", status_code=303)


@router.get("/questions/{question_id}/edit")
def edit_question_page(question_id: IdPath, request: Request, session: SessionDep,
                       caller: PageCaller):
    question = service.get_question(session, question_id=question_id, by=caller.actor)
    require(caller.actor, Perm.write_questions,
            "Only the Commissioner's office changes questions.")
    return _render_form(request, session, form=QuestionForm.of(question), question=question)


@router.post("/questions/{question_id}/edit")
def update_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    text: FormText = "", theme: FormStr = "",
    asked_by_id: FormStr = "", addressed_to_id: FormStr = "", meeting_id: FormStr = "",
    item_id: FormStr = "", source: FormStr = "commissioner", submitter_name: FormStr = "",
):
    question = service.get_question(session, question_id=question_id, by=caller.actor)
    require(caller.actor, Perm.write_questions,
            "Only the Commissioner's office changes questions.")
    form = _form_from(text, theme, asked_by_id, addressed_to_id, meeting_id, item_id, source,
                      submitter_name, "", "", "")
    form.submitted_at = QuestionForm.of(question).submitted_at
    values, errors = _read_form(session, form, _choices(session, question), public_dates=False)
    data = None
    try:
        data = QuestionUpdate(**values)
    except ValidationError as exc:
        errors = {**schema_errors(exc), **errors}
    if errors or data is None:
        return _render_form(request, session, form=form, question=question, errors=errors,
                            status_code=422)
    assert question.id is not None  # loaded from the database
    try:
        service.update_question(session, question_id=question.id, data=data, by=caller.actor)
    except InvalidInput as exc:
        session.rollback()
        return _render_form(request, session, form=form, question=question,
                            errors=domain_errors(exc), status_code=422)
    except Conflict as exc:
        session.rollback()
        return _render_form(request, session, form=form, question=question,
                            errors={"text": exc.message}, status_code=409)
    return RedirectResponse(f"/questions/{question.id}?saved=1", status_code=303)


# --- one question ---------------------------------------------------------------------------


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
    before = [a for a in service.theme_history(session, theme=question.theme, by=actor)
              if a.question.id != question.id] if question.theme.strip() else []
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
        "before": before[:3],
        "before_count": len(before),
        "meeting_labels": {m.id: meeting_label(m, t) for m, t in meetings.list_meetings(session)}
        if before else {},
        "errors": errors,
        "error_list": error_list(errors, {"step": "steps", "screening": "screening-accepted",
                                          "how": "how-meeting"}),
        "notice": notice,
    }, status_code=status_code)


@router.get("/questions/themes/{theme:path}")
def theme_page(theme: str, request: Request, session: SessionDep, caller: PageCaller):
    history = service.theme_history(session, theme=theme[:200], by=caller.actor)
    on_theme = findings_service.findings_on_theme(session, theme[:200])
    if not history and not on_theme:
        raise NotFound("No question you can see has been asked on this theme, and no "
                       "inspection finding is followed under it.")
    everyone = {p.id: p for p in people.list_people(session)}
    titles = {m.id: (meeting_label(m, t), m) for m, t in meetings.list_meetings(session)}
    groups: list[dict] = []
    for asked in history:
        key = asked.meeting.id if asked.meeting else None
        if not groups or groups[-1]["meeting_id"] != key:
            groups.append({"meeting_id": key, "meeting": asked.meeting,
                           "title": titles[key][0] if key in titles else "", "questions": []})
        groups[-1]["questions"].append({
            "question": asked.question,
            "status_words": service.STATUS_WORDS[S(asked.question.status)],
            "asked_by": everyone.get(asked.question.asked_by_id),
            "addressed_to": everyone.get(asked.question.addressed_to_id),
            "answers": [(a, everyone.get(a.respondent_id)) for a in asked.answers],
        })
    # Questions not yet on a meeting come last, whatever order the database gives nulls.
    groups.sort(key=lambda g: g["meeting_id"] is None)
    name = (history[0].question.theme.strip() if history else on_theme[0][0].theme.strip()
            ) or theme
    return render(request, "theme.html", {
        "page_title": f"Asked before: {name}", "theme": name, "groups": groups,
        "count": len(history), "can_write": caller.actor.can(Perm.write_questions),
        "findings": [{"finding": f, "inspection": i, "label": findings_service.label_of(f),
                      "superseded": findings_service.is_superseded(f),
                      "force_status": FORCE_STATUSES.get(f.force_status, f.force_status),
                      "opcc_status": OPCC_STATUSES.get(f.opcc_status, f.opcc_status)}
                     for f, i in on_theme]})


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
    if to not in S.__members__:
        return _question_page(request, session, caller, question_id, status_code=422,
                              errors={"step": "Choose one of the steps on this page"})
    try:
        service.update_question(session, question_id=question_id, by=caller.actor,
                                data=QuestionUpdate(status=S(to)))
    except Conflict as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, status_code=409,
                              errors={"step": exc.message})
    except InvalidInput as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, status_code=422,
                              errors={"step": " ".join(domain_errors(exc).values())})
    return RedirectResponse(f"/questions/{question_id}?saved=step-{to}", status_code=303)


@router.post("/questions/{question_id}/answers")
def answer_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    respondent_id: FormStr = "", answer_text: FormText = "",
    how: Annotated[str, Form(max_length=20)] = "",
):
    text = answer_text
    form = AnswerForm(respondent_id=respondent_id, text=text, how=how)
    errors: dict[str, str] = {}
    respondent = parse_id(respondent_id, "respondent_id", errors,
                          "Choose who answered from the list")
    if how not in ("meeting", "writing"):
        errors["how"] = "Say whether the answer was given in the meeting or in writing"
    if not text.strip():
        errors["answer_text"] = "Enter the answer"
    data = None
    if not errors:
        try:
            data = AnswerCreate(respondent_id=respondent, text=text, in_meeting=how == "meeting")
        except ValidationError as exc:
            errors = {("answer_text" if k == "text" else k): v
                      for k, v in schema_errors(exc).items()}
    if errors or data is None:
        return _question_page(request, session, caller, question_id, answer_form=form,
                              errors=errors, status_code=422)
    try:
        service.answer_question(session, question_id=question_id, data=data, by=caller.actor)
    except InvalidInput as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, answer_form=form,
                              errors=domain_errors(exc), status_code=422)
    except Conflict as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, answer_form=form,
                              errors={"answer_text": exc.message}, status_code=409)
    return RedirectResponse(f"/questions/{question_id}?saved=answer", status_code=303)


@router.post("/questions/{question_id}/screening")
def screen_question(
    question_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: FormText = "",
):
    form = ScreeningForm(decision=decision, reason=reason)
    if decision not in (Screening.accepted, Screening.declined):
        return _question_page(request, session, caller, question_id, screening_form=form,
                              status_code=422,
                              errors={"screening": "Choose whether the question is accepted "
                                                   "or declined"})
    try:
        data = QuestionUpdate(screening=Screening(decision), screening_reason=reason)
        service.update_question(session, question_id=question_id, data=data, by=caller.actor)
    except ValidationError as exc:
        return _question_page(request, session, caller, question_id, screening_form=form,
                              status_code=422, errors=schema_errors(exc))
    except InvalidInput as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, screening_form=form,
                              status_code=422, errors=domain_errors(exc))
    except Conflict as exc:
        session.rollback()
        return _question_page(request, session, caller, question_id, screening_form=form,
                              status_code=409, errors={"screening": exc.message})
    return RedirectResponse(f"/questions/{question_id}?saved=screening", status_code=303)
