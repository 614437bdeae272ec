"""The action log as documents see it: which actions, in what order, with what words.

The .docx and .xlsx builders in app/export/ receive an ActionLog and only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, func, select

from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Meeting,
    MeetingType,
    Person,
    Rag,
    UTCDateTime,
)
from app.services import audit
from app.services.actions import AMBER_WITHIN_DAYS, ActionView, views_of
from app.services.common import person_label
from app.services.dates import end_of_day_utc, short_date, to_london, today
from app.services.errors import InvalidInput
from app.services.meetings import get_meeting, meeting_title, meeting_type_of
from app.services.minutes import update_text
from app.services.office import get_office
from app.services.paging import Page, SortKey, count_of, keyset_page, seek
from app.services.permissions import Actor
from app.services.visibility import actions_seen_where, owned_by


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


# --- the log in SQL: what the filters select, in what order, with its counts ---------------

PAGE_SIZE = 25
OPEN_STATUSES = [s.value for s in ActionStatus if s != ActionStatus.closed]


def _rag_case(status, due, on, soon=None):
    """The RAG rating as SQL, the rule of app.services.actions.rag_for: NULL once closed.
    `on` is a date, or a column of dates with `soon` the column of dates AMBER_WITHIN_DAYS
    after."""
    if soon is None:
        soon = on + timedelta(days=AMBER_WITHIN_DAYS)
    return case(
        (status == ActionStatus.closed.value, None),
        (and_(due.is_not(None), due < on), Rag.red.value),
        (or_(due.is_(None), status == ActionStatus.paused.value, due <= soon), Rag.amber.value),
        else_=Rag.green.value,
    )


@cache
def _item_themes():
    """Each agenda item's theme as a query (id, theme): the title of the level-2 item it sits
    under, or its own title at levels 1 and 2. One recursive query down every tree (one
    object, so that a statement using it twice names it once)."""
    title = sa.cast(col(AgendaItem.title), sa.Text)
    tree = (sa.select(col(AgendaItem.id).label("id"), sa.literal(1).label("level"),
                      title.label("theme"))
            .where(col(AgendaItem.parent_id).is_(None))
            .cte("item_themes", recursive=True))
    child = (sa.select(col(AgendaItem.id), tree.c.level + 1,
                       case((tree.c.level < 2, title), else_=tree.c.theme))
             .join(tree, col(AgendaItem.parent_id) == tree.c.id))
    return tree.union_all(child)


def _owned_by(person_id: int):
    return sa.select(col(ActionOwner.action_id)).where(col(ActionOwner.person_id) == person_id)


def visible_to(by: Actor | None):
    """The SQL condition for the actions the reader may see (visibility.may_see_action), or
    None when they see them all."""
    return actions_seen_where(by)


def _conditions(by: Actor, filters: LogFilters, on: date) -> list:
    """The SQL conditions for the actions the filters select and the reader may see."""
    found: list = []
    visible = visible_to(by)
    if visible is not None:
        found.append(visible)
    if filters.meeting_id is not None:
        found.append(Action.meeting_id == filters.meeting_id)
    if filters.status is not None:
        found.append(Action.status == filters.status)
    if filters.open_only:
        # IN the open statuses rather than "not closed": the index on status finds the few
        # open actions, where an inequality read every action of the record (issue 17)
        found.append(col(Action.status).in_(OPEN_STATUSES))
    if filters.due_from is not None:
        found.append(col(Action.due_date) >= filters.due_from)
    if filters.due_to is not None:
        found.append(col(Action.due_date) <= filters.due_to)
    if filters.owner_id is not None:
        found.append(col(Action.id).in_(_owned_by(filters.owner_id)))
    if filters.rag is not None:
        found.append(_rag_case(col(Action.status), col(Action.due_date), on)
                     == filters.rag.value)
    if filters.theme.strip():
        themes = _item_themes()
        wanted = filters.theme.strip().lower()
        found.append(col(Action.item_id).in_(
            sa.select(themes.c.id).where(func.lower(themes.c.theme) == wanted)))
    if filters.search.strip():
        needle = filters.search.strip().lower()
        # The latest update of each action the other conditions leave, looked up by the
        # index on (action_id, created_at, id): ranking every update ever written made a
        # search cost as much as the whole record.
        latest = (sa.select(col(ActionUpdate.text))
                  .where(col(ActionUpdate.action_id) == col(Action.id))
                  .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
                  .limit(1).correlate(Action).scalar_subquery())
        found.append(or_(
            func.lower(col(Action.text)).contains(needle, autoescape=True),
            func.lower(col(Action.reference)).contains(needle, autoescape=True),
            func.lower(func.coalesce(latest, "")).contains(needle, autoescape=True)))
    return found


def _sort_keys(sort: str, on: date) -> list:
    """The SQL sort key of the log, ending with the action's id so that every row has its
    own place (keyset paging resumes after a row's key)."""
    due = func.coalesce(col(Action.due_date), date.max)
    year, seq = col(Action.year), col(Action.seq)
    if sort == "due":
        keys = [due, year, seq]
    elif sort == "rag":
        rag = _rag_case(col(Action.status), col(Action.due_date), on)
        keys = [case((rag == Rag.red.value, 0), (rag == Rag.amber.value, 1),
                     (rag == Rag.green.value, 2), else_=3), due, seq]
    elif sort == "owner":
        lead = (sa.select(func.coalesce(func.nullif(col(Person.role_abbreviation), ""),
                                        col(Person.initials)))
                .join(ActionOwner, col(ActionOwner.person_id) == col(Person.id))
                .where(col(ActionOwner.action_id) == col(Action.id))
                .order_by(col(ActionOwner.position)).limit(1)
                .correlate(Action).scalar_subquery())
        keys = [func.coalesce(lead, ""), year, seq]
    elif sort == "status":
        words = sorted(STATUS_WORDS.items(), key=lambda pair: pair[1])
        keys = [case(*((col(Action.status) == status.value, rank)
                       for rank, (status, _) in enumerate(words)), else_=len(words)),
                year, seq]
    elif sort == "raised":
        keys = [func.coalesce(col(Meeting.starts_at), col(Action.created_at)), seq]
    else:
        keys = [year, seq]
    return [*keys, col(Action.id)]


def _ordered(by: Actor, filters: LogFilters, on: date):
    """The query of the actions selected, in the order asked, and its sort key."""
    keys = _sort_keys(filters.sort, on)
    query = (select(Action)
             .outerjoin(Meeting, col(Meeting.id) == col(Action.meeting_id))
             .where(*_conditions(by, filters, on)))
    return query, keys


def _entries_of(session: Session, actions: list[Action]) -> list[LogEntry]:
    """These actions with what the log shows beside them, in a few queries however many."""
    views = views_of(session, actions)
    item_ids = {a.item_id for a in actions if a.item_id is not None}
    themes: dict[int | None, str] = {}
    if item_ids:
        tree = _item_themes()
        themes = {i: t for i, t in session.execute(
            sa.select(tree.c.id, tree.c.theme).where(tree.c.id.in_(item_ids)))}
    meeting_ids = {a.meeting_id for a in actions if a.meeting_id is not None}
    meetings: dict[int | None, Meeting] = {}
    titles: dict[int | None, str] = {}
    if meeting_ids:
        for meeting, series in session.exec(
                select(Meeting, MeetingType)
                .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
                .where(col(Meeting.id).in_(meeting_ids))):
            meetings[meeting.id] = meeting
            titles[meeting.id] = meeting_title(meeting, series)
    return [LogEntry(view=v, theme=themes.get(v.action.item_id, ""),
                     meeting=meetings.get(v.action.meeting_id),
                     meeting_title=titles.get(v.action.meeting_id, ""))
            for v in views]


def log_entries(session: Session, *, by: Actor, filters: LogFilters) -> list[LogEntry]:
    """Every action of the log the actor may see, filtered, searched and sorted (for the
    documents, which hold everything the filters select)."""
    on = today()
    query, keys = _ordered(by, filters, on)
    order = [k.desc() for k in keys] if filters.descending else keys
    actions = list(session.execute(query.order_by(*order)).scalars())
    return _entries_of(session, actions)


@dataclass
class LogPage:
    """One page of the action log with the counts of everything the filters select."""

    entries: list[LogEntry]
    total: int
    by_status: dict[ActionStatus, int]
    by_rag: dict[Rag, int]
    by_owner: list[tuple[str, dict]]
    themes: list[str]
    next_after: int | None = None  # the id to resume after, when there are more
    previous_before: int | None = None  # the id to go back before, when there are earlier


def _cursor_key(session: Session, keys: list, action_id: int) -> tuple:
    """The sort key of the action a page link resumes from; a link to none is refused."""
    row = session.execute(
        sa.select(*keys).select_from(Action)
        .outerjoin(Meeting, col(Meeting.id) == col(Action.meeting_id))
        .where(col(Action.id) == action_id)).first()
    if row is None:
        raise InvalidInput({"page": "this page link is out of date: go back to the first page"})
    return tuple(row)


def log_page(session: Session, *, by: Actor, filters: LogFilters, after: int | None = None,
             before: int | None = None, size: int = PAGE_SIZE) -> LogPage:
    """A page of the action log: `size` actions after (or before) the one a page link names,
    in the order asked, with the totals, by status, RAG and owner, counted by the database."""
    on = today()
    query, keys = _ordered(by, filters, on)
    backwards = before is not None
    cursor = before if backwards else after
    found, more = seek(session, query, columns=keys, descending=[filters.descending] * len(keys),
                       limit=size, backwards=backwards,
                       after=_cursor_key(session, keys, cursor) if cursor is not None else None)
    entries = _entries_of(session, found)
    conditions = _conditions(by, filters, on)
    chosen = (sa.select(col(Action.id).label("id"), col(Action.status).label("status"),
                        _rag_case(col(Action.status), col(Action.due_date), on).label("rag"))
              .where(*conditions).subquery())
    by_status: dict[ActionStatus, int] = {}
    by_rag: dict[Rag, int] = {}
    for status, rating, count in session.execute(
            sa.select(chosen.c.status, chosen.c.rag, func.count())
            .group_by(chosen.c.status, chosen.c.rag)):
        by_status[ActionStatus(status)] = by_status.get(ActionStatus(status), 0) + count
        if rating is not None:
            by_rag[Rag(rating)] = by_rag.get(Rag(rating), 0) + count
    per_person = list(session.execute(
        sa.select(col(ActionOwner.person_id), chosen.c.rag, func.count())
        .join(chosen, chosen.c.id == col(ActionOwner.action_id))
        .where(chosen.c.rag.is_not(None))
        .group_by(col(ActionOwner.person_id), chosen.c.rag)))
    people = {p.id: p for p in session.exec(select(Person).where(
        col(Person.id).in_({person_id for person_id, _, _ in per_person})))}
    owners: dict[str, dict] = {}
    for person_id, rating, count in per_person:
        row_counts = owners.setdefault(person_label(people[person_id]),
                                       {Rag.red: 0, Rag.amber: 0, Rag.green: 0})
        row_counts[Rag(rating)] += count
    tree = _item_themes()
    themes = sorted(session.execute(
        sa.select(tree.c.theme).distinct().where(tree.c.id.in_(
            sa.select(col(Action.item_id)).where(*conditions)))).scalars(), key=str.lower)
    first = entries[0].view.action.id if entries else None
    last = entries[-1].view.action.id if entries else None
    if backwards:
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, after is not None and bool(entries)
    return LogPage(entries=entries, total=sum(by_status.values()), by_status=by_status,
                   by_rag=by_rag, by_owner=sorted(owners.items()),
                   themes=[t for t in themes if t],
                   next_after=last if has_next and entries else None,
                   previous_before=first if has_previous else None)


# --- an owner's open actions ("My actions", and the page an emailed link opens) -------------

OWNER_PAGE_SIZE = 25
# The soonest due first (those with no due date last), then by reference.
OWNER_KEYS = (
    SortKey(func.coalesce(col(Action.due_date), date.max), lambda a: a.due_date or date.max),
    SortKey(col(Action.year), lambda a: a.year),
    SortKey(col(Action.seq), lambda a: a.seq),
    SortKey(col(Action.id), lambda a: a.id),
)


@dataclass
class OwnerPage:
    """A page of a person's open actions, with their latest updates, how many updates each
    has, and how many open actions the person has in all."""

    views: list[ActionView]
    update_counts: dict[int, int]
    total: int
    page: Page[Action]


def owner_actions_page(session: Session, *, person_id: int, by: Actor, limit: int = OWNER_PAGE_SIZE,
               after: str | None = None, before: str | None = None,
               most: int = 100) -> OwnerPage:
    """A page of the actions a person owns that are not closed and the reader may see, the
    soonest due first: a few queries however many actions and updates (the latest update of
    each by one windowed query, their numbers by one count)."""
    # Driven by the open actions (an index on status; an office closes its actions, so
    # there are about as many after ten years as after one), each checked for its owner and,
    # when the reader may not see Part 2, its item's chain: not by every action the person
    # ever owned, nor every exempt item of the record (issue 17).
    query = select(Action).where(col(Action.status).in_(OPEN_STATUSES), owned_by(person_id))
    visible = actions_seen_where(by, few=True, owner_id=person_id)
    if visible is not None:
        query = query.where(visible)
    page = keyset_page(session, query, keys=OWNER_KEYS, limit=limit, cursor=after,
                       before=before, scope="owner_actions", filters={"person": person_id},
                       most=most)
    views = views_of(session, page.rows)
    ids = [a.id for a in page.rows]
    counts: dict[int, int] = {}
    if ids:
        counts = {action_id: count for action_id, count in session.execute(
            sa.select(col(ActionUpdate.action_id), func.count())
            .where(col(ActionUpdate.action_id).in_(ids))
            .group_by(col(ActionUpdate.action_id)))}
    return OwnerPage(views=views, update_counts=counts, total=count_of(session, query),
                     page=page)


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
    """How many actions were open at the end of each of the last weeks, by their RAG then.

    One grouped query for all the weeks (issue 17): the weeks as a small table joined to the
    actions alive at the end of each, found by the index on when actions were closed (those
    not closed, and those closed since the first week ended), not by reading every action."""
    end = today()
    days = [end - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    stamp = UTCDateTime()
    table = sa.union_all(*(
        sa.select(sa.literal(i).label("week"),
                  sa.literal(end_of_day_utc(day), stamp).label("cutoff"),
                  sa.literal(day, sa.Date).label("day"),
                  sa.literal(day + timedelta(days=AMBER_WITHIN_DAYS), sa.Date).label("soon"))
        for i, day in enumerate(days))).subquery("weeks")
    status_then = func.coalesce(
        sa.select(col(ActionUpdate.status_to))
        .where(col(ActionUpdate.action_id) == col(Action.id),
               col(ActionUpdate.status_to).is_not(None),
               col(ActionUpdate.created_at) <= table.c.cutoff)
        .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
        .limit(1).correlate(Action, table).scalar_subquery(),
        ActionStatus.open.value)
    first_cutoff, last_cutoff = end_of_day_utc(days[0]), end_of_day_utc(days[-1])
    alive = [
        # the index's part: alive at the end of one of the weeks at least
        or_(col(Action.closed_at).is_(None), col(Action.closed_at) > first_cutoff),
        col(Action.created_at) <= last_cutoff,
        # each week's
        col(Action.created_at) <= table.c.cutoff,
        or_(col(Action.closed_at).is_(None), col(Action.closed_at) > table.c.cutoff)]
    visible = visible_to(by)
    if visible is not None:
        alive.append(visible)
    if owner_id is not None:
        alive.append(col(Action.id).in_(_owned_by(owner_id)))
    then = (sa.select(table.c.week.label("week"),
                      _rag_case(status_then, col(Action.due_date), table.c.day,
                                soon=table.c.soon).label("rag"))
            .select_from(table).join(Action, and_(*alive)).subquery())
    counts = [{Rag.red: 0, Rag.amber: 0, Rag.green: 0} for _ in days]
    for week, rating, count in session.execute(
            sa.select(then.c.week, then.c.rag, func.count()).group_by(then.c.week,
                                                                        then.c.rag)):
        if rating is not None:
            counts[week][Rag(rating)] += count
    return [WeekCounts(week_ending=day, red=c[Rag.red], amber=c[Rag.amber], green=c[Rag.green])
            for day, c in zip(days, counts, strict=True)]
