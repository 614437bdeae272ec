"""Drafting a question and changing it: the form keeps what was typed, and the service's
refusals come back on it.

The routes only read the form, call app.services.questions and render; the rules (who may
see a draft, which step may follow which, what a public question needs) are the service's.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlmodel import col

from app.db import SessionDep
from app.models import Meeting, Question, QuestionSource, utcnow
from app.schemas import QuestionCreate, QuestionUpdate
from app.services import agenda, meetings, people
from app.services import questions as service
from app.services.dates import to_london
from app.services.meeting_papers import SOURCES
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    DateParts,
    error_list,
    meeting_label,
    parse_date,
    parse_id,
    people_groups,
    submit,
    validated,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)

RECENT_DAYS = 60  # the form offers meetings (and their items) from this many days ago on

FormStr = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=200_000)]


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
    # The meetings of the last RECENT_DAYS and to come, and the question's own: read by the
    # database, not every meeting of the record.
    offered = meetings.meetings_where(session, col(Meeting.starts_at) >= since, keep=[current])
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
    return submit(
        session,
        lambda: service.create_question(session, data=validated(QuestionCreate, values, errors),
                                        by=caller.actor),
        field="text", done=lambda question: f"/questions/{question.id}?saved=1",
        again=lambda errors, status: _render_form(request, session, form=form, errors=errors,
                                                  status_code=status))


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
    return submit(
        session,
        lambda: service.update_question(session, question_id=question_id, by=caller.actor,
                                        data=validated(QuestionUpdate, values, errors)),
        field="text", done=lambda _: f"/questions/{question_id}?saved=1",
        again=lambda errors, status: _render_form(request, session, form=form,
                                                  question=question, errors=errors,
                                                  status_code=status))
