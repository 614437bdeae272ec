"""One finding's page: the finding with its inspection, owner and statuses, the questions
asked and actions raised about it, its whole history, and the one-step forms that put a
question, raise an action, change the finding (its theme included) or record that a later
finding supersedes it.

The rules are in app/services/findings.py and its finding_*.py siblings (and inspections.py for
the finding's own fields).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.models import Finding, Inspection
from app.services import (
    finding_links,
    finding_meetings,
    finding_story,
    finding_superseding,
    findings,
    inspections,
)
from app.services import people as people_service
from app.services import questions as questions_service
from app.services.errors import InvalidInput, NotFound
from app.services.inspections import FORCE_STATUSES, KINDS, OPCC_STATUSES, FindingChange
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.forms import (
    DateParts,
    date_anchors,
    error_list,
    parse_date,
    parse_id,
    people_groups,
    submit,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=20_000)]
ANCHORS = date_anchors(("action_due", "due_date"))
DUE = "The due date"

NOTICES = {
    "question": "The question has been put. It is in the question bank, linked to this finding.",
    "action": "The action has been raised and added to the action log.",
    "superseded": "The finding is recorded as superseded.",
    "saved": "The finding has been saved.",
}


@dataclass
class Forms:
    """What each of the page's forms shows: what was typed, or (None) the defaults."""

    question_text: str | None = None
    question_meeting: str = ""
    action_text: str | None = None
    action_owner: str | None = None
    action_due: DateParts | None = None
    action_meeting: str = ""
    later_id: str = ""
    edit: dict | None = None


def _meeting_choices(session) -> list[tuple[str, str]]:
    choices = []
    for meeting, label, item in finding_meetings.upcoming_meetings(session):
        where = f" – under {item.title}" if item else " (no HMICFRS item on its agenda)"
        choices.append((str(meeting.id), label + where))
    return choices


def _page(request, session, caller, inspection_id: int, finding_id: int, *,
          forms: Forms | None = None, errors: dict[str, str] | None = None,
          status_code: int = 200, notice: str = ""):
    actor = caller.actor
    inspection = inspections.get_inspection(session, inspection_id)
    finding = findings.get_finding(session, inspection_id, finding_id)
    assert finding.id is not None  # loaded from the database
    story = finding_story.story_of(session, finding, by=actor)
    everyone = people_service.list_people(session)
    by_id = {p.id: p for p in everyone}
    later = session.get(Finding, finding.superseded_by_id) if finding.superseded_by_id else None
    replaced = [(f, session.get(Inspection, f.inspection_id))
                for f in finding_superseding.replaced_by(session, finding.id)]
    forms = forms or Forms()
    if forms.question_text is None:
        forms.question_text = finding_links.default_question(finding)
    if forms.action_text is None:
        forms.action_text = finding_links.default_action(session, finding)
    if forms.action_owner is None:
        forms.action_owner = str(finding.owner_id or "")
    if forms.action_due is None:
        forms.action_due = DateParts.of(finding.due_date)
    if forms.edit is None:
        forms.edit = {"owner_id": str(finding.owner_id or ""),
                      "due_date": DateParts.of(finding.due_date),
                      "force_status": finding.force_status, "opcc_status": finding.opcc_status,
                      "opcc_evidence": finding.opcc_evidence, "theme": finding.theme}
    errors = errors or {}
    return render(request, "finding.html", {
        "page_title": ("Error: " if errors else "")
        + f"{findings.label_of(finding)}: {inspection.title}"[:120],
        "inspection": inspection,
        "finding": finding,
        "label": findings.label_of(finding),
        "owner": by_id.get(finding.owner_id),
        "story": story,
        "later": later,
        "later_label": findings.describe(session, later) if later else "",
        "later_inspection_id": later.inspection_id if later else None,
        "replaced": replaced,
        "describe": lambda f: findings.describe(session, f),
        "superseded": findings.is_superseded(finding),
        "kinds": KINDS, "force_statuses": FORCE_STATUSES, "opcc_statuses": OPCC_STATUSES,
        "people_by_id": by_id,
        "groups": people_groups(everyone, {finding.owner_id}),
        "meetings": _meeting_choices(session),
        "choices": [(str(f.id), label) for f, label in finding_superseding.supersede_choices(
            session, finding)] if actor.can(Perm.edit_record) else [],
        "forms": forms,
        "errors": errors,
        "error_list": error_list(errors, ANCHORS),
        "can_question": actor.can(Perm.write_questions),
        "can_edit": actor.can(Perm.edit_record),
        "notice": notice,
        "themes": sorted(set(findings.finding_themes(session))
                         | set(questions_service.themes(session)), key=str.lower),
    }, status_code=status_code)


def _back(inspection_id: int, finding_id: int, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(
        f"/inspections/{inspection_id}/findings/{finding_id}?done={done}{anchor}",
        status_code=303)


@router.get("/findings/{finding_id}")
def finding_by_id(finding_id: IdPath, session: SessionDep, caller: PageCaller):
    """A finding's page by its id alone (from the question or action raised about it)."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("No such finding.")
    return RedirectResponse(f"/inspections/{finding.inspection_id}/findings/{finding.id}",
                            status_code=303)


@router.get("/inspections/{inspection_id}/findings/{finding_id}")
def finding_page(inspection_id: IdPath, finding_id: IdPath, request: Request,
                 session: SessionDep, caller: PageCaller,
                 done: Annotated[str, Query(max_length=20)] = ""):
    return _page(request, session, caller, inspection_id, finding_id,
                 notice=NOTICES.get(done, ""))


def _again(request, session, caller, inspection_id: int, finding_id: int, forms: Forms):
    """The page again, with what was typed in one of its forms and what is wrong with it."""
    return lambda errors, status: _page(request, session, caller, inspection_id, finding_id,
                                        forms=forms, errors=errors, status_code=status)


@router.post("/inspections/{inspection_id}/findings/{finding_id}/question")
def put_question(
    inspection_id: IdPath, finding_id: IdPath, request: Request, session: SessionDep,
    caller: PageCaller, text: FormText = "", meeting_id: FormStr = "",
):
    """Put a prepared question about the finding, on the chosen meeting's HMICFRS item."""
    require(caller.actor, Perm.write_questions, "Only the Commissioner's office puts questions.")
    findings.get_finding(session, inspection_id, finding_id)
    errors: dict[str, str] = {}
    meeting = parse_id(meeting_id, "question_meeting", errors, "Choose a meeting from the list")
    if not text.strip():
        errors["question_text"] = "Enter the question"
    return submit(
        session,
        lambda: finding_links.question_from_finding(session, finding_id, meeting_id=meeting,
                                                    text=text, by=caller.actor),
        errors=errors, status=422, field="question_text",
        rename=lambda name: ("question_meeting" if name in ("meeting_id", "item_id")
                             else "question_text"),
        done=lambda _: _back(inspection_id, finding_id, "question", "#questions"),
        again=_again(request, session, caller, inspection_id, finding_id,
                     Forms(question_text=text, question_meeting=meeting_id)))


@router.post("/inspections/{inspection_id}/findings/{finding_id}/action")
def raise_action(
    inspection_id: IdPath, finding_id: IdPath, request: Request, session: SessionDep,
    caller: PageCaller, text: FormText = "", owner_id: FormStr = "",
    due_day: Annotated[str, Form(alias="action_due-day", max_length=20)] = "",
    due_month: Annotated[str, Form(alias="action_due-month", max_length=20)] = "",
    due_year: Annotated[str, Form(alias="action_due-year", max_length=20)] = "",
    meeting_id: FormStr = "",
):
    """Raise an action about the finding: its owner and due date are the finding's unless
    changed here."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office raises actions.")
    findings.get_finding(session, inspection_id, finding_id)
    errors: dict[str, str] = {}
    owner = parse_id(owner_id, "action_owner", errors, "Choose who owns the action")
    meeting = parse_id(meeting_id, "action_meeting", errors, "Choose a meeting from the list")
    due_date = DateParts(due_day, due_month, due_year)
    due = parse_date(due_date, "action_due", DUE, errors)
    if not text.strip():
        errors["action_text"] = "Enter what is to be done"
    if owner is None and "action_owner" not in errors:
        errors["action_owner"] = "Choose who owns the action"

    def raise_it():
        assert owner is not None  # else errors says so, and this is not called
        return finding_links.action_from_finding(
            session, finding_id, text=text, owner_ids=[owner], due_date=due, keep_due=False,
            meeting_id=meeting, by=caller.actor)

    names = {"owner_ids": "action_owner", "due_date": "action_due",
             "meeting_id": "action_meeting", "item_id": "action_meeting"}
    return submit(
        session, raise_it, errors=errors, status=422, field="action_text",
        rename=lambda name: names.get(name, "action_text"),
        done=lambda _: _back(inspection_id, finding_id, "action", "#actions"),
        again=_again(request, session, caller, inspection_id, finding_id,
                     Forms(action_text=text, action_owner=owner_id, action_due=due_date,
                           action_meeting=meeting_id)))


@router.post("/inspections/{inspection_id}/findings/{finding_id}/supersede")
def supersede(
    inspection_id: IdPath, finding_id: IdPath, request: Request, session: SessionDep,
    caller: PageCaller, later_id: FormStr = "",
):
    """Record that a later finding (of any inspection) replaces this one."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office updates findings.")
    findings.get_finding(session, inspection_id, finding_id)
    errors: dict[str, str] = {}
    choose = "Choose the finding that replaces this one from the list"
    later = parse_id(later_id, "later_id", errors, choose)
    if later is None and not errors:
        errors["later_id"] = choose

    def supersede_it():
        assert later is not None  # else errors says so, and this is not called
        return finding_superseding.supersede(session, inspection_id, finding_id, later,
                                             by=caller.actor)

    return submit(
        session, supersede_it, errors=errors, refuse=(InvalidInput,), field="later_id",
        rename=lambda _: "later_id",
        done=lambda _: _back(inspection_id, finding_id, "superseded"),
        again=_again(request, session, caller, inspection_id, finding_id,
                     Forms(later_id=later_id)))


@router.post("/inspections/{inspection_id}/findings/{finding_id}/edit")
def edit_finding(
    inspection_id: IdPath, finding_id: IdPath, request: Request, session: SessionDep,
    caller: PageCaller, owner_id: FormStr = "",
    due_day: Annotated[str, Form(alias="due_date-day", max_length=20)] = "",
    due_month: Annotated[str, Form(alias="due_date-month", max_length=20)] = "",
    due_year: Annotated[str, Form(alias="due_date-year", max_length=20)] = "",
    force_status: FormStr = "not_started", opcc_status: FormStr = "not_assessed",
    opcc_evidence: FormText = "", theme: FormStr = "",
):
    """Change the finding's owner, due date, statuses, evidence and theme."""
    require(caller.actor, Perm.edit_record, "Only the Commissioner's office updates findings.")
    findings.get_finding(session, inspection_id, finding_id)
    errors: dict[str, str] = {}
    owner = parse_id(owner_id, "owner_id", errors, "Choose the owner from the list")
    due_date = DateParts(due_day, due_month, due_year)
    due = parse_date(due_date, "due_date", DUE, errors)
    typed = {"owner_id": owner_id, "due_date": due_date, "force_status": force_status,
             "opcc_status": opcc_status, "opcc_evidence": opcc_evidence, "theme": theme}
    return submit(
        session,
        lambda: inspections.update_finding(
            session, inspection_id, finding_id,
            FindingChange(owner_id=owner, due_date=due, force_status=force_status,
                          opcc_status=opcc_status, opcc_evidence=opcc_evidence, theme=theme),
            by=caller.actor),
        errors=errors, refuse=(InvalidInput,), words=str,
        done=lambda _: _back(inspection_id, finding_id, "saved"),
        again=_again(request, session, caller, inspection_id, finding_id, Forms(edit=typed)))
