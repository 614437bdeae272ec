"""Inspection findings feeding the rest of the product: a question or an action raised about a
finding in one step, a finding superseded by a later one, the finding's whole history (its own
changes, its questions' answers, its actions' updates), the findings a meeting's HMICFRS item
lists, and the findings followed under a theme.

Questions and actions are made by app/services/questions.py and actions.py, whose rules
(permissions, references, owners, audit) apply unchanged; this module links them to the finding
and writes the finding's history.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from app.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Answer,
    Finding,
    FindingEvent,
    Inspection,
    ItemKind,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinuteEntry,
    Person,
    Question,
    QuestionSource,
    QuestionStatus,
    Role,
    Side,
    utcnow,
)
from app.schemas import ActionCreate, QuestionCreate
from app.services import actions as actions_service
from app.services import audit
from app.services import questions as questions_service
from app.services.common import person_label
from app.services.dates import end_of_day_utc, to_london, today
from app.services.errors import InvalidInput, NotFound
from app.services.inspections import FORCE_STATUSES, KINDS
from app.services.minutes import update_text
from app.services.permissions import Actor, Perm, require
from app.services.visibility import (
    hidden_action_ids,
    hidden_question_ids,
    may_see_action,
    visible_events,
)

CLOSED_STATUSES = {"complete", "superseded"}
TEXT_LIMIT = 10_000


def label_of(finding: Finding) -> str:
    """"Recommendation 4", "Area for improvement" (when it has no number)."""
    kind = KINDS.get(finding.kind, finding.kind.replace("_", " ").capitalize())
    return f"{kind} {finding.number}".strip()


def short_text(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_superseded(finding: Finding) -> bool:
    """Whether a later finding replaces this one (linked, or so marked by the force)."""
    return finding.superseded_by_id is not None or finding.force_status == "superseded"


def get_finding(session: Session, inspection_id: int, finding_id: int) -> Finding:
    """A finding of this inspection, or NotFound."""
    finding = session.get(Finding, finding_id)
    if finding is None or finding.inspection_id != inspection_id:
        raise NotFound("No such finding.")
    return finding


def _finding(session: Session, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("No such finding.")
    return finding


def _event(session: Session, finding: Finding, by: Actor, summary: str, *,
           question_id: int | None = None, action_id: int | None = None) -> None:
    """A line of the finding's history; one about a question or an action names it, so that
    whoever may not see that question or action does not see the line (visibility.py)."""
    assert finding.id is not None  # a saved finding
    session.add(FindingEvent(finding_id=finding.id, at=utcnow(), by_user_id=by.user_id,
                             by_label=by.label[:320], summary=summary,
                             question_id=question_id, action_id=action_id))


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


def hmicfrs_item(session: Session, meeting_id: int) -> AgendaItem | None:
    """A meeting's HMICFRS standing item (the first, if there are several)."""
    return session.exec(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting_id, AgendaItem.kind == ItemKind.hmicfrs)
        .order_by(col(AgendaItem.parent_id).is_not(None), col(AgendaItem.position),
                  col(AgendaItem.id))).first()


def upcoming_meetings(session: Session) -> list[tuple[Meeting, str, AgendaItem | None]]:
    """Meetings from today on (not cancelled or approved), soonest first, with their HMICFRS
    item: what a question or action about a finding can be put on."""
    rows = session.exec(
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(col(Meeting.status).in_([MeetingStatus.planned, MeetingStatus.agenda_issued,
                                        MeetingStatus.in_progress, MeetingStatus.draft]))
        .order_by(col(Meeting.starts_at), col(Meeting.id))).all()
    first_day = today()
    result = []
    for meeting, meeting_type in rows:
        if to_london(meeting.starts_at).date() < first_day:
            continue
        local = to_london(meeting.starts_at)
        assert meeting.id is not None  # loaded from the database
        result.append((meeting, f"{meeting_type.name} {local.day} {local:%B %Y}",
                       hmicfrs_item(session, meeting.id)))
    return result


# --- a question or an action from a finding -------------------------------------------------


def visible_history(session: Session, history: dict[int, list[FindingEvent]], by: Actor
                    ) -> dict[int, list[FindingEvent]]:
    """Findings' events (inspections.history_of) without those telling of a question or an
    action the reader may not see."""
    shown = {e.id for e in visible_events(
        session, [e for events in history.values() for e in events], by)}
    return {fid: [e for e in events if e.id in shown] for fid, events in history.items()}


def default_question(finding: Finding) -> str:
    """"What progress has the force made on recommendation 4: …?" """
    what = label_of(finding)
    what = what[0].lower() + what[1:]
    text = " ".join(finding.text.split()).rstrip(".?!")
    return f"What progress has the force made on {what}: {text}?"


def default_action(session: Session, finding: Finding) -> str:
    owner = session.get(Person, finding.owner_id) if finding.owner_id else None
    who = f"The {person_label(owner)}" if owner and person_label(owner) else "The force"
    what = label_of(finding)
    what = what[0].lower() + what[1:]
    return f"{who} to report on progress with {what}: {' '.join(finding.text.split())}"


def _place(session: Session, meeting_id: int | None, item_id: int | None) -> int | None:
    """The item a question or action goes on: the one chosen, else the meeting's HMICFRS
    item (None when the meeting has none: it goes on the meeting without an item)."""
    if item_id is not None or meeting_id is None:
        return item_id
    if session.get(Meeting, meeting_id) is None:
        raise InvalidInput({"meeting_id": "Choose a meeting from the list"})
    item = hmicfrs_item(session, meeting_id)
    return item.id if item else None


def question_from_finding(
    session: Session, finding_id: int, *, meeting_id: int | None = None,
    item_id: int | None = None, text: str | None = None, asked_by_id: int | None = None,
    addressed_to_id: int | None = None, by: Actor,
) -> Question:
    """Put a prepared question about a finding: from the Commissioner, to the finding's owner
    in the force (or the Chief Constable), on the theme the finding is followed under, on the
    chosen meeting's HMICFRS item. The finding's history says so."""
    require(by, Perm.write_questions, "Only the Commissioner's office puts questions.")
    finding = _finding(session, finding_id)
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
        labels = _meeting_labels(session, {question.meeting_id})
        where = f" for the {labels[question.meeting_id]}"
    _event(session, finding, by,
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
    finding = _finding(session, finding_id)
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
    _event(session, finding, by,
           f"Action {action.reference} raised: {short_text(action.text, 300)}",
           action_id=action.id)
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=f"action {action.reference} raised about {label_of(finding)}")
    session.flush()
    return action


# --- superseding ----------------------------------------------------------------------------


def describe(session: Session, finding: Finding) -> str:
    """"PEEL 2023 — Recommendation 4: Improve how…" for choosers and history."""
    inspection = session.get(Inspection, finding.inspection_id)
    assert inspection is not None  # inspection_id is a required foreign key
    return f"{inspection.title} — {label_of(finding)}: {short_text(finding.text, 80)}"


def supersede_choices(session: Session, finding: Finding) -> list[tuple[Finding, str]]:
    """The findings that could replace this one: those of other inspections (the latest
    first), and later findings of its own, never itself or one it (in)directly replaces."""
    rows = session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).order_by(
        col(Inspection.published_on).desc(), col(Inspection.id).desc(), col(Finding.position),
        col(Finding.id))).all()
    assert finding.id is not None  # a saved finding
    replaced = _replaced_by_chain(session, finding.id)
    choices = []
    for candidate, inspection in rows:
        if candidate.id == finding.id or candidate.id in replaced:
            continue
        if candidate.inspection_id == finding.inspection_id and (
                candidate.position, candidate.id) <= (finding.position, finding.id):
            continue
        choices.append((candidate, f"{inspection.title} — {label_of(candidate)}: "
                        f"{short_text(candidate.text, 80)}"))
    return choices


def _replaced_by_chain(session: Session, finding_id: int) -> set[int]:
    """Every finding that this one replaces, directly or through others."""
    found: set[int] = set()
    frontier = {finding_id}
    while frontier:
        rows = session.exec(select(Finding.id).where(
            col(Finding.superseded_by_id).in_(frontier))).all()
        frontier = {cast(int, r) for r in rows if r not in found and r != finding_id}  # ids
        found |= frontier
    return found


def supersede(session: Session, inspection_id: int, finding_id: int, later_id: int, *,
              by: Actor) -> Finding:
    """Record that a later finding (of any inspection) replaces this one: it is superseded
    and no longer due. Both findings' histories say so. A finding cannot replace itself, nor
    one that it (in)directly replaces."""
    require(by, Perm.edit_record, "Only the Commissioner's office updates findings.")
    finding = get_finding(session, inspection_id, finding_id)
    later = session.get(Finding, later_id)
    if later is None:
        raise InvalidInput({"later_id": "Choose the finding that replaces this one from the "
                            "list"})
    if later.id == finding.id:
        raise InvalidInput({"later_id": "A finding cannot replace itself"})
    chain: Finding | None
    chain, seen = later, set()
    while chain is not None and chain.id not in seen:
        if chain.superseded_by_id == finding.id:
            raise InvalidInput({"later_id": "That finding is itself replaced by this one: a "
                                "finding cannot be replaced by one it replaces"})
        seen.add(chain.id)
        chain = session.get(Finding, chain.superseded_by_id) if chain.superseded_by_id else None
    if finding.superseded_by_id == later.id:
        return finding
    finding.superseded_by_id = later.id
    before = FORCE_STATUSES.get(finding.force_status, finding.force_status)
    finding.force_status = "superseded"
    session.add(finding)
    _event(session, finding, by,
           f"Superseded by {describe(session, later)} (force's status: {before} → Superseded)")
    _event(session, later, by, f"Supersedes {describe(session, finding)}")
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=f"superseded by finding {later.id}")
    session.flush()
    session.refresh(finding)
    return finding


# --- what happened to a finding -------------------------------------------------------------


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


def _meeting_labels(session: Session, meeting_ids: set[int]) -> dict[int | None, str]:
    labels = {}
    if meeting_ids:
        for meeting, meeting_type in session.exec(select(Meeting, MeetingType).join(
                MeetingType, col(MeetingType.id) == Meeting.meeting_type_id).where(
                col(Meeting.id).in_(meeting_ids))):
            local = to_london(meeting.starts_at)
            labels[meeting.id] = f"{meeting_type.name} {local.day} {local:%B %Y}"
    return labels


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
    labels = _meeting_labels(session, {q.meeting_id for q in questions if q.meeting_id})
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


# --- the HMICFRS standing item ----------------------------------------------------------------


@dataclass
class MeetingFinding:
    finding: Finding
    inspection: Inspection
    label: str
    due: bool
    changes: list[str]
    owner: Person | None

    @property
    def href(self) -> str:
        return f"/inspections/{self.inspection.id}/findings/{self.finding.id}"


def previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The meeting of the same series before this one (cancelled ones do not count)."""
    return session.exec(select(Meeting).where(
        Meeting.meeting_type_id == meeting.meeting_type_id,
        col(Meeting.starts_at) < meeting.starts_at, Meeting.id != meeting.id,
        Meeting.status != MeetingStatus.cancelled).order_by(
        col(Meeting.starts_at).desc())).first()


def findings_for_meeting(session: Session, meeting: Meeting, *, by: Actor | None = None
                         ) -> list[MeetingFinding]:
    """The findings the meeting's HMICFRS item looks at:

    - due: neither complete nor superseded, and due on or before the day of the meeting
      (overdue ones included);
    - changed since the last meeting: a change to the finding, an answer to one of its
      questions or an update to one of its actions after the previous meeting of the series
      began and by the end of this meeting's day (with no previous meeting, any change).

    Superseded findings are not listed: the finding that replaced them is.
    """
    day = to_london(meeting.starts_at).date()
    until = end_of_day_utc(day)
    previous = previous_meeting(session, meeting)
    since = previous.starts_at if previous else None

    def window(column):
        conditions = [column <= until]
        if since is not None:
            conditions.append(column > since)
        return conditions

    # With a reader, what they may not see (draft questions, exempt items and actions) is
    # left out of the changes, and does not by itself put a finding on the list.
    changed: dict[int | None, list[str]] = {}
    events = list(session.exec(select(FindingEvent).where(*window(col(FindingEvent.at)))
                               .order_by(col(FindingEvent.at), col(FindingEvent.id))))
    for event in visible_events(session, events, by):
        changed.setdefault(event.finding_id, []).append(short_text(event.summary, 200))
    answered = list(session.exec(select(Question, Answer).join(
        Answer, col(Answer.question_id) == Question.id).where(
        col(Question.finding_id).is_not(None), *window(col(Answer.answered_at)))
        .order_by(col(Answer.answered_at))))
    hidden = hidden_question_ids(session, {q.id for q, _ in answered}, by)
    for question, answer in answered:
        if question.id in hidden:
            continue
        changed.setdefault(question.finding_id, []).append(
            f"Answer: {short_text(answer.text, 200)}")
    updated = list(session.exec(select(Action, ActionUpdate).join(
        ActionUpdate, col(ActionUpdate.action_id) == Action.id).where(
        col(Action.finding_id).is_not(None), *window(col(ActionUpdate.created_at)))
        .order_by(col(ActionUpdate.created_at))).all())
    exempt_actions = hidden_action_ids(session, {a.id for a, _ in updated}, by)
    for action, update in updated:
        if action.id in exempt_actions:
            continue
        changed.setdefault(action.finding_id, []).append(
            f"Action {action.reference}: {short_text(update_text(update) or '', 200)}")

    rows = session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).where(
        col(Finding.superseded_by_id).is_(None), Finding.force_status != "superseded").where(
        (col(Finding.id).in_(list(changed) or [0]))
        | ((col(Finding.due_date) <= day) & col(Finding.force_status).not_in(
            list(CLOSED_STATUSES))))
        .order_by(col(Finding.due_date), col(Inspection.id), col(Finding.position),
                  col(Finding.id))).all()
    people = {p.id: p for p in session.exec(select(Person))}
    result = []
    for finding, inspection in rows:
        due = (finding.due_date is not None and finding.due_date <= day
               and finding.force_status not in CLOSED_STATUSES)
        result.append(MeetingFinding(finding=finding, inspection=inspection,
                                     label=label_of(finding), due=due,
                                     changes=changed.get(finding.id, []),
                                     owner=people.get(finding.owner_id)))
    # Due ones first (soonest due first), then the others that changed.
    result.sort(key=lambda r: (not r.due, r.finding.due_date or date.max, r.inspection.id,
                               r.finding.position, r.finding.id))
    return result


def findings_by_item(session: Session, meeting: Meeting, item_ids: Collection[int | None], *,
                     by: Actor | None = None) -> dict[int | None, list[MeetingFinding]]:
    """The meeting's findings under each of these items that is its HMICFRS item."""
    assert meeting.id is not None  # a saved meeting
    first = hmicfrs_item(session, meeting.id)
    if first is None or first.id not in item_ids:
        return {}
    return {first.id: findings_for_meeting(session, meeting, by=by)}


# --- themes ------------------------------------------------------------------------------------


def replaced_by(session: Session, finding_id: int) -> list[Finding]:
    """The findings this one directly supersedes."""
    return list(session.exec(select(Finding).where(
        Finding.superseded_by_id == finding_id).order_by(col(Finding.id))).all())


def findings_on_theme(session: Session, theme: str) -> list[tuple[Finding, Inspection]]:
    """The findings followed under a theme (any case), by inspection, newest first."""
    wanted = theme.strip().lower()
    if not wanted:
        return []
    return [(f, i) for f, i in session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).where(
        func.lower(Finding.theme) == wanted).order_by(
        col(Inspection.published_on).desc(), col(Inspection.id).desc(), col(Finding.position),
        col(Finding.id)))]


def finding_themes(session: Session) -> list[str]:
    names = session.exec(select(Finding.theme).where(Finding.theme != "").distinct())
    return sorted({n.strip() for n in names if n.strip()}, key=str.lower)
