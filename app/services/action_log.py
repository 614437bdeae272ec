"""The action log as documents see it: which actions, in what order, with what words.

The .docx and .xlsx builders in app/export/ receive an ActionLog and only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.models import Action, ActionStatus, Meeting, Person, Rag
from app.services import audit
from app.services.actions import ActionView, views_of
from app.services.agenda import agenda_tree, flatten
from app.services.common import person_label
from app.services.dates import end_of_day_utc, short_date, to_london, today
from app.services.meetings import get_meeting, meeting_title, meeting_type_of
from app.services.minutes import update_text
from app.services.office import get_office
from app.services.permissions import Actor
from app.services.visibility import may_see_action


@dataclass
class LogRow:
    """One action in the log."""

    reference: str  # "A/2019/001"
    raised_on: date | None  # the date of the meeting that raised it (or of its creation)
    meeting: str  # "Monthly Assurance Meeting April 2019", or "" when raised outside a meeting
    text: str
    owners: list[str]  # labels, lead first: ["DCC", "NA"]
    due_date: date | None
    status: str  # in words: "Open", "In progress", "Awaiting sign-off", "Closed", "Paused"
    rag: str | None  # "Red", "Amber", "Green", or None once closed
    latest_update: str = ""  # its text, or "" when there is none
    latest_update_on: date | None = None
    exempt: bool = False  # only in the internal log, which marks it


@dataclass
class ActionLog:
    """The rows of the action log with what the document says about them."""

    title: str  # "Action log – 22 November 2026"
    office_name: str
    marking: str  # "OFFICIAL"
    description: str  # what was chosen: "Open actions, owner DCC, sorted by due date"
    generated_on: date
    rows: list[LogRow] = field(default_factory=list)
    language: str = "en-GB"


# --- choosing and ordering the actions ---------------------------------------------------

STATUS_WORDS = {
    ActionStatus.open: "Open", ActionStatus.in_progress: "In progress",
    ActionStatus.pending_signoff: "Awaiting sign-off", ActionStatus.closed: "Closed",
    ActionStatus.paused: "Paused",
}
RAG_ORDER = {Rag.red: 0, Rag.amber: 1, Rag.green: 2, None: 3}
SORTS = {
    "reference": "Reference", "due": "Due date", "rag": "RAG", "owner": "Owner",
    "status": "Status", "raised": "Date raised",
}


@dataclass
class LogFilters:
    """What the action log shows. Empty values leave a filter off."""

    owner_id: int | None = None
    status: ActionStatus | None = None
    open_only: bool = False  # every status but closed
    rag: Rag | None = None
    meeting_id: int | None = None
    theme: str = ""
    due_from: date | None = None
    due_to: date | None = None
    search: str = ""
    sort: str = "reference"
    descending: bool = False


@dataclass
class LogEntry:
    """An action with what the log shows beside it."""

    view: ActionView
    theme: str
    meeting: Meeting | None
    meeting_title: str


def _themes(session: Session, actions: list[Action]) -> dict[int | None, str]:
    """Each action's theme: the title of the theme its item sits under (or the item's own)."""
    themes: dict[int | None, str] = {}
    by_item: dict[int | None, str] = {}
    for meeting_id in {a.meeting_id for a in actions if a.meeting_id}:
        nodes = flatten(agenda_tree(session, meeting_id))
        parents = {n.item.id: n for n in nodes}
        for node in nodes:
            theme = node
            while theme.level > 2 and theme.item.parent_id in parents:
                theme = parents[theme.item.parent_id]
            by_item[node.item.id] = theme.item.title
    for action in actions:
        themes[action.id] = by_item.get(action.item_id, "")
    return themes


def log_entries(session: Session, *, by: Actor, filters: LogFilters) -> list[LogEntry]:
    """The action log the actor may see, filtered, searched and sorted."""
    query = select(Action)
    if filters.meeting_id is not None:
        query = query.where(Action.meeting_id == filters.meeting_id)
    if filters.status is not None:
        query = query.where(Action.status == filters.status)
    if filters.open_only:
        query = query.where(Action.status != ActionStatus.closed)
    if filters.due_from is not None:
        query = query.where(col(Action.due_date) >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(col(Action.due_date) <= filters.due_to)
    actions = list(session.exec(query))
    views = [v for v in views_of(session, actions) if may_see_action(by, v)]
    if filters.owner_id is not None:
        views = [v for v in views if filters.owner_id in v.owner_ids]
    if filters.rag is not None:
        views = [v for v in views if v.rag == filters.rag]
    themes = _themes(session, [v.action for v in views])
    if filters.theme.strip():
        wanted = filters.theme.strip().lower()
        views = [v for v in views if themes[v.action.id].lower() == wanted]
    if filters.search.strip():
        needle = filters.search.strip().lower()
        views = [v for v in views if needle in v.action.text.lower()
                 or needle in v.action.reference.lower()
                 or (v.latest_update and needle in v.latest_update.text.lower())]
    meetings = {m.id: m for m in session.exec(
        select(Meeting).where(col(Meeting.id).in_({v.action.meeting_id for v in views
                                                   if v.action.meeting_id})))}
    titles = {mid: meeting_title(m, meeting_type_of(session, m)) for mid, m in meetings.items()}
    entries = [LogEntry(view=v, theme=themes[v.action.id],
                        meeting=meetings.get(v.action.meeting_id),
                        meeting_title=titles.get(v.action.meeting_id, ""))
               for v in views]
    far = date.max

    def key(entry: LogEntry):
        action = entry.view.action
        raised = entry.meeting.starts_at if entry.meeting else action.created_at
        return {
            "reference": (action.year, action.seq),
            "due": (action.due_date or far, action.year, action.seq),
            "rag": (RAG_ORDER[entry.view.rag], action.due_date or far, action.seq),
            "owner": ([person_label(p) for p in entry.view.owners], action.year, action.seq),
            "status": (STATUS_WORDS[ActionStatus(action.status)], action.year, action.seq),
            "raised": (raised, action.seq),
        }[filters.sort if filters.sort in SORTS else "reference"]

    return sorted(entries, key=key, reverse=filters.descending)


def describe_filters(filters: LogFilters, *, owner: str = "", meeting: str = "") -> str:
    """What the log was asked for, in words: "Open actions, owner DCC, sorted by due date"."""
    what = ("Open actions" if filters.open_only
            else f"{STATUS_WORDS[filters.status]} actions" if filters.status else "All actions")
    parts = [what]
    if owner:
        parts.append(f"owner {owner}")
    if filters.rag:
        parts.append(f"RAG {filters.rag}")
    if meeting:
        parts.append(f"raised at {meeting}")
    if filters.theme.strip():
        parts.append(f"theme {filters.theme.strip()}")
    if filters.due_from or filters.due_to:
        start = short_date(filters.due_from) if filters.due_from else "any date"
        end = short_date(filters.due_to) if filters.due_to else "any date"
        parts.append(f"due from {start} to {end}")
    if filters.search.strip():
        parts.append(f"containing “{filters.search.strip()}”")
    parts.append(f"sorted by {SORTS.get(filters.sort, 'Reference').lower()}"
                 + (" (descending)" if filters.descending else ""))
    return ", ".join(parts)


def action_log(session: Session, *, by: Actor, filters: LogFilters, description: str
               ) -> ActionLog:
    """The action log as a document: the rows the actor may see, in the order asked."""
    office = get_office(session)
    rows = []
    for entry in log_entries(session, by=by, filters=filters):
        view = entry.view
        action = view.action
        raised = entry.meeting.starts_at if entry.meeting else action.created_at
        latest = view.latest_update
        rows.append(LogRow(
            reference=action.reference,
            raised_on=to_london(raised).date(),
            meeting=entry.meeting_title,
            text=action.text,
            owners=[person_label(p) for p in view.owners],
            due_date=action.due_date,
            status=STATUS_WORDS[ActionStatus(action.status)],
            rag=view.rag.capitalize() if view.rag else None,
            latest_update=(update_text(latest) or "") if latest else "",
            latest_update_on=to_london(latest.created_at).date() if latest else None,
            exempt=view.exempt,
        ))
    now = today()
    return ActionLog(title=f"Action log – {short_date(now)}", office_name=office.office_name,
                     marking=office.default_marking, description=description,
                     generated_on=now, rows=rows)


def action_log_for(session: Session, *, by: Actor, filters: LogFilters,
                   fmt: str = "docx") -> ActionLog:
    """The action log for these filters, described in words with the owner's and meeting's
    names (the page's exports and `assure export actions`); the export is audited."""
    owner = session.get(Person, filters.owner_id) if filters.owner_id else None
    meeting = get_meeting(session, filters.meeting_id) if filters.meeting_id else None
    title = meeting_title(meeting, meeting_type_of(session, meeting)) if meeting else ""
    description = describe_filters(filters, owner=person_label(owner) if owner else "",
                                   meeting=title)
    log = action_log(session, by=by, filters=filters, description=description)
    audit.record(session, by=by, verb="export", object_type="action_log", object_id=None,
                 summary=f"action log ({fmt}), {len(log.rows)} actions: {description}")
    session.flush()
    return log


@dataclass
class WeekCounts:
    """Open actions at the end of a week, by RAG as they stood then."""

    week_ending: date
    red: int
    amber: int
    green: int

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green


def open_over_time(session: Session, *, by: Actor, weeks: int = 12,
                   owner_id: int | None = None) -> list[WeekCounts]:
    """How many actions were open at the end of each of the last weeks, by their RAG then."""
    actions = list(session.exec(select(Action)))
    result = []
    end = today()
    for back in range(weeks - 1, -1, -1):
        day = end - timedelta(days=7 * back)
        cutoff = end_of_day_utc(day)
        alive = [a for a in actions if a.created_at <= cutoff
                 and (a.closed_at is None or a.closed_at > cutoff)]
        views = [v for v in views_of(session, alive, as_of=cutoff)
                 if may_see_action(by, v)
                 and (owner_id is None or owner_id in v.owner_ids)]
        counts = {Rag.red: 0, Rag.amber: 0, Rag.green: 0}
        for view in views:
            if view.rag is not None:
                counts[view.rag] += 1
        result.append(WeekCounts(week_ending=day, red=counts[Rag.red],
                                 amber=counts[Rag.amber], green=counts[Rag.green]))
    return result


def open_by_owner(entries: list[LogEntry]) -> list[tuple[str, dict]]:
    """Open actions per owner (the lead and the others), by RAG: [("DCC", {red: 1, …}), …]."""
    table: dict[str, dict] = {}
    for entry in entries:
        if entry.view.rag is None:
            continue
        for person in entry.view.owners:
            row = table.setdefault(person_label(person), {Rag.red: 0, Rag.amber: 0,
                                                          Rag.green: 0})
            row[entry.view.rag] += 1
    return sorted(table.items())
