"""What waits for whom: the home page's lists and the count in the navigation.

Each role has its own sections (ROLE_SECTIONS), each the things waiting for that role to act:
- the chair: minutes submitted for approval, closures the owners asked for, the Commissioner's
  questions still in draft;
- the secretariat and administrators: approved minutes not yet published, papers late for
  meetings not yet held, inspection responses (s55) due within 14 days or overdue, overdue
  actions;
- a force officer: the actions they own that wait for them (not closed, nor waiting for the
  chair's sign-off), and the papers they owe (items they present at a meeting not yet held,
  for which a paper is asked for (a due date or a commission), with no paper yet);
- a viewer: nothing.

Every section is one SQL query: counted by the database (the navigation's count is a single
statement of scalar subqueries, whatever the role), and paged with LIMIT/OFFSET. A section
shows the role only what the role may see: a force officer sees only their own actions (an
exempt one too, as visibility.py lets an owner) and never an exempt (Part 2) item.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Inspection,
    Meeting,
    MeetingStatus,
    MeetingType,
    Paper,
    Question,
    QuestionSource,
    QuestionStatus,
    Role,
)
from app.services.dates import short_date, to_london, today
from app.services.inspections import S55_DAYS, WARN_DAYS, s55_due
from app.services.meetings import NOT_YET_HELD
from app.services.office import get_office
from app.services.permissions import Actor, Perm, Scope, scope_of
from app.services.publication import publication_due
from app.services.visibility import EXEMPT_MARK, exempt_item_ids, owned_by

SHOWN = 5  # lines a section shows on the home page
PAGE_SIZE = 25  # lines a section's own page shows at a time
TEXT_WIDTH = 140  # characters of an action's or question's text shown in a line

# An owner's actions that wait for them: not closed, and not waiting for the chair's decision.
OWNER_WAITS = (ActionStatus.open, ActionStatus.in_progress, ActionStatus.paused)
NOT_CLOSED = tuple(s for s in ActionStatus if s != ActionStatus.closed)


@dataclass
class Line:
    """One thing waiting: what it is, where it is done, and a note (a date, a lateness)."""

    text: str
    href: str
    note: str = ""
    late: bool = False


@dataclass(frozen=True)
class Rule:
    """A kind of thing that waits: its words, the permission it needs, its query and lines."""

    key: str
    heading: str  # "Minutes to approve"
    empty: str  # "No minutes are waiting for your approval."
    perm: Perm | None  # held (over any or own objects) by every role given the section
    query: Callable[[Actor, date], Select]
    lines: Callable[[Session, list, date], list[Line]]


@dataclass
class Section:
    """A rule's things for one reader: how many, and the lines of one page of them."""

    rule: Rule
    count: int
    lines: list[Line]
    page: int = 1

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def heading(self) -> str:
        return self.rule.heading

    @property
    def more(self) -> int:
        """How many there are beyond the lines shown on the home page."""
        return max(0, self.count - len(self.lines)) if self.page == 1 else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH - 1].rstrip() + "…"


def _meeting_name(meeting: Meeting, meeting_type: MeetingType) -> str:
    local = to_london(meeting.starts_at)
    return f"{meeting_type.name} {local.day} {local:%B %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _days_note(due: date, on: date) -> tuple[str, bool]:
    """"due 3 May 2019 (in 2 days)", "due today", "2 days late"; and whether it is late."""
    days = (due - on).days
    if days < 0:
        return f"due {short_date(due)}, {_plural(-days, 'day')} late", True
    if days == 0:
        return "due today", False
    return f"due {short_date(due)} (in {_plural(days, 'day')})", False


# --- the chair ------------------------------------------------------------------------------


def _minutes_to_approve(actor: Actor, on: date) -> Select:
    return (select(Meeting, MeetingType)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .where(Meeting.status == MeetingStatus.draft, col(Meeting.submitted_at).is_not(None))
            .order_by(col(Meeting.submitted_at), col(Meeting.id)))


def _minutes_to_approve_lines(session: Session, rows: list, on: date) -> list[Line]:
    return [Line(text=_meeting_name(m, t), href=f"/meetings/{m.id}/record",
                 note=f"submitted {short_date(to_london(m.submitted_at).date())}")
            for m, t in rows]


def _closures(actor: Actor, on: date) -> Select:
    return (select(Action).where(Action.status == ActionStatus.pending_signoff)
            .order_by(col(Action.updated_at), col(Action.id)))


def _action_lines(session: Session, rows: list, on: date) -> list[Line]:
    actions = [row[0] if isinstance(row, tuple) else row for row in rows]
    exempt_items = exempt_item_ids(session, {a.meeting_id for a in actions})
    lines = []
    for action in actions:
        if action.due_date is None:
            note, late = "no due date", False
        else:
            note, late = _days_note(action.due_date, on)
        if action.exempt or action.item_id in exempt_items:
            note = f"{note}; {EXEMPT_MARK}"
        lines.append(Line(text=f"{action.reference}: {_clip(action.text)}",
                          href=f"/actions/{action.id}", note=note, late=late))
    return lines


def _draft_questions(actor: Actor, on: date) -> Select:
    # A question from the public is screened by the office first; the chair's own are the rest.
    return (select(Question).where(Question.status == QuestionStatus.draft,
                                   Question.source != QuestionSource.public)
            .order_by(col(Question.id)))


def _question_lines(session: Session, rows: list, on: date) -> list[Line]:
    questions = [row[0] if isinstance(row, tuple) else row for row in rows]
    meeting_ids = {q.meeting_id for q in questions if q.meeting_id}
    names = {m.id: _meeting_name(m, t) for m, t in session.exec(
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(col(Meeting.id).in_(meeting_ids)))} if meeting_ids else {}
    return [Line(text=_clip(q.text), href=f"/questions/{q.id}",
                 note=f"for {names[q.meeting_id]}" if q.meeting_id in names else "no meeting yet")
            for q in questions]


# --- the secretariat ------------------------------------------------------------------------


def _minutes_to_publish(actor: Actor, on: date) -> Select:
    return (select(Meeting, MeetingType)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .where(Meeting.status == MeetingStatus.approved)
            .order_by(col(Meeting.starts_at), col(Meeting.id)))


def _minutes_to_publish_lines(session: Session, rows: list, on: date) -> list[Line]:
    within = get_office(session).publish_within_days
    lines = []
    for meeting, meeting_type in rows:
        note, late = _days_note(publication_due(meeting, within), on)
        lines.append(Line(text=_meeting_name(meeting, meeting_type),
                          href=f"/meetings/{meeting.id}/record", note=note, late=late))
    return lines


def _no_paper():
    return ~select(Paper.id).where(Paper.item_id == AgendaItem.id).exists()


def _late_papers(actor: Actor, on: date) -> Select:
    return (select(AgendaItem, Meeting, MeetingType)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .where(col(Meeting.status).in_(NOT_YET_HELD),
                   col(AgendaItem.paper_due_on).is_not(None), col(AgendaItem.paper_due_on) < on,
                   _no_paper())
            .order_by(col(AgendaItem.paper_due_on), col(Meeting.starts_at), col(AgendaItem.id)))


def _paper_lines(session: Session, rows: list, on: date) -> list[Line]:
    lines = []
    for item, meeting, meeting_type in rows:
        if item.paper_due_on is not None:
            note, late = _days_note(item.paper_due_on, on)
        else:
            note, late = "no due date set", False
        lines.append(Line(text=f"{item.title}, {_meeting_name(meeting, meeting_type)}",
                          href=f"/meetings/{meeting.id}/agenda#item-{item.id}",
                          note=f"paper {note}", late=late))
    return lines


def _responses_due(actor: Actor, on: date) -> Select:
    # Due within WARN_DAYS or overdue: published on or before this day (s55_due is
    # publication + S55_DAYS - 1), as inspections.inspections_due says.
    latest = on + timedelta(days=WARN_DAYS - (S55_DAYS - 1))
    return (select(Inspection).where(col(Inspection.response_published_on).is_(None),
                                     col(Inspection.published_on).is_not(None),
                                     col(Inspection.published_on) <= latest)
            .order_by(col(Inspection.published_on), col(Inspection.id)))


def _response_lines(session: Session, rows: list, on: date) -> list[Line]:
    lines = []
    for row in rows:
        inspection = row[0] if isinstance(row, tuple) else row
        due = s55_due(inspection.published_on)
        assert due is not None  # the query takes only published reports
        note, late = _days_note(due, on)
        lines.append(Line(text=_clip(inspection.title),
                          href=f"/inspections/{inspection.id}/response",
                          note=f"s55 response {note}", late=late))
    return lines


def _overdue_actions(actor: Actor, on: date) -> Select:
    # the statuses not closed, named, so that the index on (status, due date) reads only the
    # overdue actions, not every action ever closed
    return (select(Action).where(col(Action.status).in_(NOT_CLOSED),
                                 col(Action.due_date).is_not(None), col(Action.due_date) < on)
            .order_by(col(Action.due_date), col(Action.year), col(Action.seq)))


# --- a force officer ------------------------------------------------------------------------


def _my_actions(actor: Actor, on: date) -> Select:
    if actor.person_id is None:
        return select(Action).where(false())
    # driven by the actions waiting (an index on status), each checked for its owner: not by
    # every action the person ever owned, which grows with history (issue 17)
    return (select(Action).where(col(Action.status).in_(OWNER_WAITS),
                                 owned_by(actor.person_id))
            .order_by(col(Action.due_date).is_(None), col(Action.due_date), col(Action.year),
                      col(Action.seq)))


def _my_action_lines(session: Session, rows: list, on: date) -> list[Line]:
    lines = _action_lines(session, rows, on)
    for line, row in zip(lines, rows, strict=True):
        action = row[0] if isinstance(row, tuple) else row
        line.href = f"/my-actions#action-{action.id}"
    return lines


def _papers_owed(actor: Actor, on: date) -> Select:
    # Items nest three deep (agenda.MAX_DEPTH): an item is exempt when it, its parent or its
    # grandparent is; the force never sees an exempt item's detail, nor owes it here.
    parent, grandparent = aliased(AgendaItem), aliased(AgendaItem)
    return (select(AgendaItem, Meeting, MeetingType)
            .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .outerjoin(parent, col(parent.id) == AgendaItem.parent_id)
            .outerjoin(grandparent, col(grandparent.id) == parent.parent_id)
            .where(AgendaItem.presenter_id == actor.person_id if actor.person_id else false(),
                   col(Meeting.status).in_(NOT_YET_HELD),
                   col(AgendaItem.exempt).is_(False),
                   or_(col(parent.id).is_(None), col(parent.exempt).is_(False)),
                   or_(col(grandparent.id).is_(None), col(grandparent.exempt).is_(False)),
                   or_(col(AgendaItem.paper_due_on).is_not(None),
                       and_(col(AgendaItem.commission).is_not(None),
                            col(AgendaItem.commission) != "")),
                   _no_paper())
            .order_by(col(AgendaItem.paper_due_on).is_(None), col(AgendaItem.paper_due_on),
                      col(Meeting.starts_at), col(AgendaItem.id)))


def _owed_lines(session: Session, rows: list, on: date) -> list[Line]:
    lines = _paper_lines(session, rows, on)
    for line, (item, meeting, _) in zip(lines, rows, strict=True):
        line.href = f"/meetings/{meeting.id}#item-{item.id}"
    return lines


# --- who gets what --------------------------------------------------------------------------

MINUTES_TO_APPROVE = Rule("minutes-to-approve", "Minutes to approve",
                          "No minutes are waiting for your approval.", Perm.approve_minutes,
                          _minutes_to_approve, _minutes_to_approve_lines)
CLOSURES = Rule("closures", "Closures asked for",
                "No owner is waiting for an action to be closed.", Perm.close_actions,
                _closures, _action_lines)
DRAFT_QUESTIONS = Rule("draft-questions", "Questions still in draft",
                       "No questions are in draft.", Perm.write_questions,
                       _draft_questions, _question_lines)
MINUTES_TO_PUBLISH = Rule("minutes-to-publish", "Minutes to publish",
                          "No approved minutes are waiting to be published.",
                          Perm.publish_minutes, _minutes_to_publish, _minutes_to_publish_lines)
LATE_PAPERS = Rule("late-papers", "Late papers",
                   "No papers are late for the meetings to come.", Perm.edit_record,
                   _late_papers, _paper_lines)
RESPONSES_DUE = Rule("responses-due", "Inspection responses due",
                     "No s55 response is due within 14 days.", Perm.edit_record,
                     _responses_due, _response_lines)
OVERDUE_ACTIONS = Rule("overdue-actions", "Overdue actions", "No actions are overdue.",
                       Perm.edit_record, _overdue_actions, _action_lines)
MY_ACTIONS = Rule("my-actions", "Your actions", "No actions are waiting for you.",
                  Perm.update_actions, _my_actions, _my_action_lines)
PAPERS_OWED = Rule("papers-owed", "Papers you owe",
                   "You owe no papers for the meetings to come.", None,
                   _papers_owed, _owed_lines)

_OFFICE = (MINUTES_TO_PUBLISH, LATE_PAPERS, RESPONSES_DUE, OVERDUE_ACTIONS)
ROLE_SECTIONS: dict[Role, tuple[Rule, ...]] = {
    Role.chair: (MINUTES_TO_APPROVE, CLOSURES, DRAFT_QUESTIONS),
    Role.secretariat: _OFFICE,
    Role.admin: _OFFICE,
    Role.force: (MY_ACTIONS, PAPERS_OWED),
    Role.viewer: (),
}
assert set(ROLE_SECTIONS) == set(Role), "every role needs its sections"
assert all(rule.perm is None or scope_of(role, rule.perm) != Scope.none
           for role, rules in ROLE_SECTIONS.items() for rule in rules), \
    "a role is given only the sections its permissions allow"


def rules_for(actor: Actor) -> tuple[Rule, ...]:
    """The sections of the actor's role."""
    return ROLE_SECTIONS[Role(actor.role)]


def _count_of(query: Select):
    return select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()


def counts(session: Session, actor: Actor, *, on: date | None = None) -> dict[str, int]:
    """How many things wait in each of the actor's sections: one query."""
    rules = rules_for(actor)
    if not rules:
        return {}
    on = on or today()
    row = session.execute(select(*[_count_of(rule.query(actor, on)) for rule in rules])).one()
    return {rule.key: int(n or 0) for rule, n in zip(rules, row, strict=True)}


def waiting_count(session: Session, actor: Actor, *, on: date | None = None) -> int:
    """Everything waiting for the actor, for the navigation: one query."""
    return sum(counts(session, actor, on=on).values())


def _rows(session: Session, rule: Rule, actor: Actor, on: date, *, limit: int, offset: int):
    query = rule.query(actor, on).limit(limit).offset(offset)
    return [tuple(row) if len(row) > 1 else row[0] for row in session.execute(query)]


def home_sections(session: Session, actor: Actor, *, on: date | None = None) -> list[Section]:
    """The actor's sections with their counts and first few lines, for the home page."""
    on = on or today()
    found = counts(session, actor, on=on)
    sections = []
    for rule in rules_for(actor):
        count = found[rule.key]
        rows = _rows(session, rule, actor, on, limit=SHOWN, offset=0) if count else []
        sections.append(Section(rule=rule, count=count, lines=rule.lines(session, rows, on)))
    return sections


def rule_for(actor: Actor, key: str) -> Rule | None:
    """One of the actor's sections by its key; None when the role has no such section."""
    return next((rule for rule in rules_for(actor) if rule.key == key), None)


def section_page(session: Session, actor: Actor, rule: Rule, *, page: int,
                 on: date | None = None) -> Section:
    """One page of a section's lines, PAGE_SIZE at a time."""
    on = on or today()
    count = counts(session, actor, on=on)[rule.key]
    rows = _rows(session, rule, actor, on, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return Section(rule=rule, count=count, lines=rule.lines(session, rows, on), page=page)
