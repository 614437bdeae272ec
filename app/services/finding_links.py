"""A question or an action raised about an inspection finding in one step, and the questions
and actions linked to findings.

Questions and actions are made by questions.py and actions.py, whose rules (permissions,
references, owners, audit) apply unchanged; this module links them to the finding and writes
the finding's history.
"""

from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.models import (
    Action,
    Finding,
    Inspection,
    Meeting,
    Person,
    Question,
    QuestionSource,
    QuestionStatus,
    Role,
    Side,
)
from app.schemas import ActionCreate, QuestionCreate
from app.services import actions as actions_service
from app.services import audit
from app.services import questions as questions_service
from app.services.common import person_named
from app.services.errors import InvalidInput
from app.services.finding_meetings import hmicfrs_item, meeting_labels
from app.services.findings import label_of, load_finding, record_event, short_text
from app.services.permissions import Actor, Perm, require
from app.services.visibility import may_see_action

TEXT_LIMIT = 10_000


def _schema_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, error["msg"].removeprefix("Value error, "))
    return errors


# --- who and where ------------------------------------------------------------------------


def _by_role(session: Session) -> dict[str, Person]:
    active = session.exec(select(Person).where(Person.active == True)  # noqa: E712
                          .order_by(col(Person.id))).all()
    return {p.role_abbreviation: p for p in reversed(active) if p.role_abbreviation}


def default_asker(session: Session, by: Actor) -> int | None:
    """The Commissioner asks: the chair themselves, else the person whose role is PCC."""
    if by.role == Role.chair and by.person_id:
        return by.person_id
    pcc = _by_role(session).get("PCC")
    return pcc.id if pcc else None


def default_addressee(session: Session, finding: Finding) -> int | None:
    """The finding's owner when they are in the force, else the Chief Constable."""
    owner = session.get(Person, finding.owner_id) if finding.owner_id else None
    if owner is not None and owner.side == Side.force and owner.active:
        return owner.id
    cc = _by_role(session).get("CC")
    return cc.id if cc else None


def _place(session: Session, meeting_id: int | None, item_id: int | None) -> int | None:
    """The item a question or action goes on: the one chosen, else the meeting's HMICFRS
    item (None when the meeting has none: it goes on the meeting without an item)."""
    if item_id is not None or meeting_id is None:
        return item_id
    if session.get(Meeting, meeting_id) is None:
        raise InvalidInput({"meeting_id": "Choose a meeting from the list"})
    item = hmicfrs_item(session, meeting_id)
    return item.id if item else None


# --- the question or action ---------------------------------------------------------------


def default_question(finding: Finding) -> str:
    """"What progress has the force made on recommendation 4: …?" """
    what = label_of(finding)
    what = what[0].lower() + what[1:]
    text = " ".join(finding.text.split()).rstrip(".?!")
    return f"What progress has the force made on {what}: {text}?"


def default_action(session: Session, finding: Finding) -> str:
    owner = session.get(Person, finding.owner_id) if finding.owner_id else None
    who = person_named(owner, start=True) or "The force"
    what = label_of(finding)
    what = what[0].lower() + what[1:]
    return f"{who} to report on progress with {what}: {' '.join(finding.text.split())}"


def question_from_finding(
    session: Session, finding_id: int, *, meeting_id: int | None = None,
    item_id: int | None = None, text: str | None = None, asked_by_id: int | None = None,
    addressed_to_id: int | None = None, by: Actor,
) -> Question:
    """Put a prepared question about a finding: from the Commissioner, to the finding's owner
    in the force (or the Chief Constable), on the theme the finding is followed under, on the
    chosen meeting's HMICFRS item. The finding's history says so."""
    require(by, Perm.write_questions, "Only the Commissioner's office puts questions.")
    finding = load_finding(session, finding_id)
    inspection = session.get(Inspection, finding.inspection_id)
    assert inspection is not None  # inspection_id is a required foreign key
    wording = default_question(finding) if text is None else text
    if len(wording) > TEXT_LIMIT:
        raise InvalidInput({"text": "The question must be 10,000 characters or fewer"})
    item_id = _place(session, meeting_id, item_id)
    theme = (finding.theme.strip() or inspection.title.strip())[:200]
    try:
        data = QuestionCreate(
            text=wording, theme=theme,
            asked_by_id=asked_by_id or default_asker(session, by),
            addressed_to_id=addressed_to_id or default_addressee(session, finding),
            meeting_id=meeting_id, item_id=item_id, source=QuestionSource.inspection,
            status=QuestionStatus.ready if (meeting_id or item_id) else QuestionStatus.draft)
    except ValidationError as exc:
        raise InvalidInput(_schema_errors(exc)) from exc

    question = questions_service.create_question(session, data=data, by=by)
    question.finding_id = finding.id
    where = ""
    if question.meeting_id:
        labels = meeting_labels(session, {question.meeting_id})
        where = f" for the {labels[question.meeting_id]}"
    record_event(session, finding, by,
                 f"Question {question.id} prepared{where}: {short_text(question.text, 300)}",
                 question_id=question.id)
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=f"question {question.id} put about {label_of(finding)}")
    session.flush()
    return question


def action_from_finding(
    session: Session, finding_id: int, *, text: str | None = None,
    owner_ids: list[int] | None = None, due_date: date | None = None, keep_due: bool = True,
    meeting_id: int | None = None, item_id: int | None = None, by: Actor,
) -> Action:
    """Raise an action about a finding: owned by the finding's owner and due when it is due
    unless told otherwise, on a meeting (its HMICFRS item) if chosen. The action gets its
    reference from the action log like any other; the finding's history says so."""
    require(by, Perm.edit_record, "Only the Commissioner's office raises actions.")
    finding = load_finding(session, finding_id)
    owners = owner_ids if owner_ids is not None else (
        [finding.owner_id] if finding.owner_id else [])
    if not owners:
        raise InvalidInput({"owner_ids": "Choose who owns the action: the finding has no "
                            "owner yet"})
    due = finding.due_date if (due_date is None and keep_due) else due_date
    wording = default_action(session, finding) if text is None else text
    item_id = _place(session, meeting_id, item_id)
    try:
        data = ActionCreate(text=wording, owner_ids=owners, due_date=due,
                            meeting_id=meeting_id, item_id=item_id)
    except ValidationError as exc:
        raise InvalidInput(_schema_errors(exc)) from exc

    action = actions_service.create_action(session, data=data, by=by)
    action.finding_id = finding.id
    record_event(session, finding, by,
                 f"Action {action.reference} raised: {short_text(action.text, 300)}",
                 action_id=action.id)
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=f"action {action.reference} raised about {label_of(finding)}")
    session.flush()
    return action


# --- what is linked to findings -----------------------------------------------------------


def linked_questions(session: Session, finding_ids: Sequence[int | None], by: Actor
                     ) -> dict[int | None, list[Question]]:
    result: dict[int | None, list[Question]] = {i: [] for i in finding_ids}
    if finding_ids:
        found = session.exec(select(Question).where(
            col(Question.finding_id).in_(finding_ids)).order_by(col(Question.id))).all()
        for question in questions_service.visible_to(session, list(found), by):
            result[question.finding_id].append(question)
    return result


def linked_actions(session: Session, finding_ids: Sequence[int | None], by: Actor
                   ) -> dict[int | None, list[actions_service.ActionView]]:
    result: dict[int | None, list[actions_service.ActionView]] = {i: [] for i in finding_ids}
    if finding_ids:
        found = list(session.exec(select(Action).where(
            col(Action.finding_id).in_(finding_ids)).order_by(col(Action.year),
                                                              col(Action.seq))).all())
        for view in actions_service.views_of(session, found):
            if may_see_action(by, view):
                result[view.action.finding_id].append(view)
    return result
