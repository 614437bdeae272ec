"""Actions: references, owners, status, append-only updates and the derived RAG rating."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    CarriedAction,
    Meeting,
    MeetingStatus,
    Person,
    Rag,
    Side,
    utcnow,
)
from app.schemas import ActionCreate, ActionEdit, ActionUpdateCreate
from app.services import audit
from app.services.common import changes_of, get_or_404, referenced
from app.services.dates import end_of_day_utc, to_london, today
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.office import format_reference, get_office
from app.services.paging import DEFAULT_LIMIT, Page, SortKey, keyset_page
from app.services.permissions import Actor, Perm, allowed, require
from app.services.visibility import exempt_item_ids, may_see_action
from app.services.visibility import owns as _owns

AMBER_WITHIN_DAYS = 14
# What an owner may set when posting an update: progress, a pause, or a request for closure.
OWNER_STATUSES = {
    ActionStatus.open,
    ActionStatus.in_progress,
    ActionStatus.paused,
    ActionStatus.pending_signoff,
}


def rag_of(action: Action, on: date | None = None) -> Rag | None:
    """Red when overdue; amber when due within 14 days, paused or undated; else green."""
    return rag_for(status=action.status, due_date=action.due_date, on=on or today())


def rag_for(*, status: str, due_date: date | None, on: date) -> Rag | None:
    """The RAG rating of an action in this status and with this due date, on a given day."""
    if status == ActionStatus.closed:
        return None
    if due_date is not None and due_date < on:
        return Rag.red
    if (
        due_date is None
        or status == ActionStatus.paused
        or due_date <= on + timedelta(days=AMBER_WITHIN_DAYS)
    ):
        return Rag.amber
    return Rag.green


# --- reading ------------------------------------------------------------------------------


def is_exempt(action: Action, exempt_items: set[int]) -> bool:
    """An action is exempt when marked so or when raised under an exempt item."""
    return action.exempt or (action.item_id is not None and action.item_id in exempt_items)


@dataclass
class ActionView:
    """An action with what its readers need beside it, now or as it stood at a given time."""

    action: Action
    owners: list[Person]
    latest_update: ActionUpdate | None
    status: ActionStatus
    rag: Rag | None
    exempt: bool

    @property
    def owner_ids(self) -> list[int]:
        return [cast(int, p.id) for p in self.owners]  # saved people


def owners_of(session: Session, action_ids: Sequence[int | None]
              ) -> dict[int | None, list[Person]]:
    """Each action's owners, the lead first."""
    result: dict[int | None, list[Person]] = {i: [] for i in action_ids}
    if not action_ids:
        return result
    query = (
        select(ActionOwner, Person)
        .join(Person, col(Person.id) == ActionOwner.person_id)
        .where(col(ActionOwner.action_id).in_(action_ids))
        .order_by(col(ActionOwner.action_id), col(ActionOwner.position))
    )
    for owner, person in session.exec(query):
        result[owner.action_id].append(person)
    return result


def updates_of(
    session: Session, action_ids: Sequence[int | None], as_of: datetime | None = None
) -> dict[int | None, list[ActionUpdate]]:
    """Each action's updates, oldest first (only those made by a time, when given)."""
    result: dict[int | None, list[ActionUpdate]] = {i: [] for i in action_ids}
    if not action_ids:
        return result
    query = select(ActionUpdate).where(col(ActionUpdate.action_id).in_(action_ids))
    if as_of is not None:
        query = query.where(ActionUpdate.created_at <= as_of)
    for update in session.exec(query.order_by(col(ActionUpdate.created_at), col(ActionUpdate.id))):
        result[update.action_id].append(update)
    return result


def latest_updates_of(
    session: Session, action_ids: Sequence[int | None], as_of: datetime | None = None, *,
    status_changes: bool = False,
) -> dict[int | None, ActionUpdate]:
    """Each action's latest update (made by a time, when given; only those changing the
    status, with status_changes), in one query: a window numbers each action's updates from
    the latest, and only the first of each is read."""
    if not action_ids:
        return {}
    rank = func.row_number().over(
        partition_by=col(ActionUpdate.action_id),
        order_by=(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc()),
    ).label("rank")
    ranked: Any = select(col(ActionUpdate.id).label("id"), rank).where(
        col(ActionUpdate.action_id).in_(action_ids))
    if as_of is not None:
        ranked = ranked.where(ActionUpdate.created_at <= as_of)
    if status_changes:
        ranked = ranked.where(col(ActionUpdate.status_to).is_not(None))
    latest = ranked.subquery()
    query = (select(ActionUpdate).join(latest, latest.c.id == col(ActionUpdate.id))
             .where(latest.c.rank == 1))
    return {u.action_id: u for u in session.exec(query)}


def views_of(
    session: Session, actions: list[Action], *, as_of: datetime | None = None,
    with_updates: bool = True,
) -> list[ActionView]:
    """Actions with their owners, latest update, status, RAG and exemption, in a few queries
    (however many actions and updates).

    With `as_of`, status, latest update and RAG are as they stood then (for approved minutes).
    Without `with_updates` no update is read (latest_update is None): for callers that do not
    show it, such as the reminder emails.
    """
    ids = [a.id for a in actions]
    owners = owners_of(session, ids)
    latest = (latest_updates_of(session, ids, as_of=as_of) if with_updates or as_of is not None
              else {})
    changes = (latest_updates_of(session, ids, as_of=as_of, status_changes=True)
               if as_of is not None else {})
    exempt_items = exempt_item_ids(session, {a.meeting_id for a in actions if a.meeting_id})
    views = []
    for action in actions:
        if as_of is None:
            status, on = ActionStatus(action.status), today()
        else:
            change = changes.get(action.id)
            status = (ActionStatus(change.status_to) if change and change.status_to
                      else ActionStatus.open)
            on = to_london(as_of).date()
        views.append(ActionView(
            action=action,
            owners=owners[action.id],
            latest_update=latest.get(action.id),
            status=status,
            rag=rag_for(status=status, due_date=action.due_date, on=on),
            exempt=is_exempt(action, exempt_items),
        ))
    return views


def _actions_query(*, owner_id: int | None, status: ActionStatus | None,
                   overdue: bool | None, meeting_id: int | None):
    query = select(Action)
    if owner_id is not None:
        owned = select(ActionOwner.action_id).where(ActionOwner.person_id == owner_id)
        query = query.where(col(Action.id).in_(owned))
    if status is not None:
        query = query.where(Action.status == status)
    if meeting_id is not None:
        query = query.where(Action.meeting_id == meeting_id)
    if overdue is not None:
        late = (col(Action.due_date) < today()) & (Action.status != ActionStatus.closed)
        query = query.where(late if overdue else ~late)
    return query


def list_actions(
    session: Session,
    *,
    by: Actor,
    owner_id: int | None = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    meeting_id: int | None = None,
    rag: Rag | None = None,
) -> list[ActionView]:
    """The action log, filtered; exempt actions only for those who may see them (the office,
    and each owner their own)."""
    query = _actions_query(owner_id=owner_id, status=status, overdue=overdue,
                           meeting_id=meeting_id)
    actions = list(session.exec(query.order_by(col(Action.year), col(Action.seq))))
    views = views_of(session, actions)
    return [
        v for v in views
        if may_see_action(by, v) and (rag is None or v.rag == rag)
    ]


ACTION_KEYS = (
    SortKey(col(Action.year), lambda a: a.year),
    SortKey(col(Action.seq), lambda a: a.seq),
    SortKey(col(Action.id), lambda a: a.id),
)


def page_actions(
    session: Session,
    *,
    by: Actor,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    owner_id: int | None = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    meeting_id: int | None = None,
) -> Page[ActionView]:
    """One page of the action log, by reference, filtered as list_actions; exempt actions only
    for those who may see them, dropped before the page is counted."""
    query = _actions_query(owner_id=owner_id, status=status, overdue=overdue,
                           meeting_id=meeting_id)
    views: dict[int, ActionView] = {}

    def keep(rows: list[Action]) -> list[Action]:
        for view in views_of(session, rows):
            if may_see_action(by, view):
                views[cast(int, view.action.id)] = view
        return [a for a in rows if a.id in views]

    filters = {"owner_id": owner_id, "status": status, "overdue": overdue,
               "meeting_id": meeting_id}
    page = keyset_page(session, query, keys=ACTION_KEYS, limit=limit, cursor=cursor,
                       scope="actions", filters=filters, keep=keep)
    return Page(rows=[views[a.id] for a in page.rows], next_cursor=page.next_cursor)


def owns(actor: Actor, view: ActionView) -> bool:
    """Whether the actor is one of the action's owners."""
    return _owns(actor, view.owner_ids)


def get_action(session: Session, *, action_id: int, by: Actor) -> ActionView:
    """One action the actor may see (an exempt one: the office, and its owners)."""
    action = get_or_404(session, Action, action_id, "action")
    view = views_of(session, [action])[0]
    if not may_see_action(by, view):
        raise NotFound(f"There is no action with id {action_id}.")
    return view


def list_updates(session: Session, *, action_id: int, by: Actor) -> list[ActionUpdate]:
    """An action's updates, oldest first."""
    view = get_action(session, action_id=action_id, by=by)
    query = select(ActionUpdate).where(ActionUpdate.action_id == view.action.id)
    return list(session.exec(query.order_by(col(ActionUpdate.created_at), col(ActionUpdate.id))))


UPDATE_KEYS = (
    SortKey(col(ActionUpdate.created_at), lambda u: u.created_at),
    SortKey(col(ActionUpdate.id), lambda u: u.id),
)


def page_updates(session: Session, *, action_id: int, by: Actor, limit: int = DEFAULT_LIMIT,
                 cursor: str | None = None) -> Page[ActionUpdate]:
    """One page of an action's updates, oldest first."""
    view = get_action(session, action_id=action_id, by=by)
    query = select(ActionUpdate).where(ActionUpdate.action_id == view.action.id)
    return keyset_page(session, query, keys=UPDATE_KEYS, limit=limit, cursor=cursor,
                       scope="action-updates", filters={"action_id": action_id})


# --- writing ------------------------------------------------------------------------------


def _check_owners(session: Session, owner_ids: list[int]) -> list[Person]:
    errors = {}
    if len(set(owner_ids)) != len(owner_ids):
        errors["owner_ids"] = "an owner is listed twice"
    people = []
    for index, person_id in enumerate(owner_ids):
        person = session.get(Person, person_id)
        if person is None:
            errors[f"owner_ids.{index}"] = f"there is no person with id {person_id}"
        people.append(person)
    if errors:
        raise InvalidInput(errors)
    return cast(list[Person], people)  # a missing person is an error above


def _set_owners(session: Session, action: Action, owner_ids: list[int]) -> None:
    """Make these people the owners, the first the lead; those who stay keep their
    assignment time, those added get now."""
    assert action.id is not None  # a saved action
    existing = {o.person_id: o for o in session.exec(
        select(ActionOwner).where(ActionOwner.action_id == action.id))}
    owner: ActionOwner | None
    for person_id, owner in existing.items():
        if person_id not in owner_ids:
            session.delete(owner)
    session.flush()
    now = utcnow()
    for position, person_id in enumerate(owner_ids):
        owner = existing.get(person_id)
        if owner is None:
            owner = ActionOwner(action_id=action.id, person_id=person_id, assigned_at=now)
        owner.is_lead, owner.position = position == 0, position
        session.add(owner)


def _allocate_reference(session: Session, action: Action, year: int) -> None:
    """Give the action the next reference of its year, retrying if another process took it."""
    pattern = get_office(session).action_reference_format
    for _attempt in range(10):
        seq = (session.exec(select(func.max(Action.seq)).where(Action.year == year)).one() or 0) + 1
        action.year, action.seq = year, seq
        action.reference = format_reference(pattern, year=year, seq=seq)
        try:
            with session.begin_nested():
                session.add(action)
            return
        except IntegrityError:
            continue
    raise Conflict("Could not allocate an action reference; please try again.")


_YEAR_AND_NUMBER = re.compile(r"((?:19|20)\d{2})\D+0*(\d{1,6})$")


def names_year_and_number(reference: str) -> bool:
    """Whether a reference read from an old file is one an action can keep ("A/2020/031")."""
    reference = reference.strip()
    return len(reference) <= 60 and _YEAR_AND_NUMBER.search(reference) is not None


def adopt_reference(session: Session, *, action: Action, reference: str) -> bool:
    """Give an action read from an old log the reference it had there ("A/2020/031"), when
    that names a year and a number no other action has; False (the allocated reference kept)
    otherwise. The year and number are taken too, so later references follow on from it."""
    match = _YEAR_AND_NUMBER.search(reference.strip())
    if not match or not names_year_and_number(reference):
        return False
    year, seq = int(match.group(1)), int(match.group(2))
    taken = session.exec(select(Action).where(
        Action.id != action.id,
        (Action.reference == reference.strip()) | ((Action.year == year) & (Action.seq == seq))
    )).first()
    if taken is not None:
        return False
    action.reference, action.year, action.seq = reference.strip(), year, seq
    session.add(action)
    session.flush()
    return True


def create_action(session: Session, *, data: ActionCreate, by: Actor) -> Action:
    """Raise an action with its owners (the first is the lead) and give it a reference."""
    require(by, Perm.edit_record)
    _check_owners(session, data.owner_ids)
    meeting = referenced(session, Meeting, data.meeting_id, "meeting_id", "meeting")
    item = referenced(session, AgendaItem, data.item_id, "item_id", "agenda item")
    if item is not None:
        if meeting is not None and item.meeting_id != meeting.id:
            raise InvalidInput({"item_id": f"item {item.id} is not on meeting {meeting.id}"})
        meeting = session.get(Meeting, item.meeting_id)
    year = to_london(meeting.starts_at).year if meeting else today().year
    action = Action(
        reference="",
        year=year,
        seq=0,
        text=data.text,
        due_date=data.due_date,
        meeting_id=meeting.id if meeting else None,
        item_id=item.id if item else None,
        exempt=data.exempt,
        exempt_reason=data.exempt_reason if data.exempt else "",
    )
    _allocate_reference(session, action, year)
    _set_owners(session, action, data.owner_ids)
    audit.record(session, by=by, verb="create", object_type="action", object_id=action.id,
                 summary=f"{action.reference}: {action.text[:200]}")
    session.flush()
    return action


def _change_status(
    session: Session, action: Action, new: ActionStatus, by: Actor, text: str = ""
) -> ActionUpdate | None:
    """Move an action to a new status, recording it as an update."""
    old = ActionStatus(action.status)
    if new == ActionStatus.closed and not allowed(by, Perm.close_actions):
        raise Forbidden(
            "Only the chair or the secretariat can close an action; "
            "ask for closure instead (status pending_signoff)."
        )
    if old == ActionStatus.closed and new != ActionStatus.closed:
        if not allowed(by, Perm.close_actions):
            raise Conflict(
                "This action is closed; only the chair or the secretariat can reopen it."
            )
    if not allowed(by, Perm.update_actions) and new not in OWNER_STATUSES:
        raise Forbidden(f"An owner cannot set the status {new}.")
    if (old == ActionStatus.pending_signoff and new not in (old, ActionStatus.closed)
            and allowed(by, Perm.close_actions) and not text.strip()):
        raise InvalidInput({"text": "say why the action is sent back; the owner will read it"})
    if new == old and not text:
        return None
    assert action.id is not None  # a saved action
    update = ActionUpdate(
        action_id=action.id,
        text=text,
        status_from=old if new != old else None,
        status_to=new if new != old else None,
        author_user_id=by.user_id,
        author_person_id=by.person_id,
    )
    action.status = new
    if new == ActionStatus.closed and old != ActionStatus.closed:
        action.closed_at = utcnow()
        action.closed_by_id = by.user_id
    elif new != ActionStatus.closed:
        action.closed_at = None
        action.closed_by_id = None
    session.add(update)
    return update


def update_action(session: Session, *, action_id: int, data: ActionEdit, by: Actor) -> Action:
    """Edit an action. The chair may only close or reopen it."""
    view = get_action(session, action_id=action_id, by=by)
    action = view.action
    changes = changes_of(data, nullable=("due_date",))
    if not allowed(by, Perm.edit_record):
        if not (allowed(by, Perm.close_actions) and set(changes) <= {"status"}):
            raise Forbidden(f"Your role ({by.role}) cannot edit actions.")
    if "owner_ids" in changes:
        _check_owners(session, changes["owner_ids"])
    if "status" in changes:
        _change_status(session, action, changes["status"], by)
    for key in ("text", "due_date", "exempt", "exempt_reason"):
        if key in changes:
            setattr(action, key, changes[key])
    if "owner_ids" in changes:
        _set_owners(session, action, changes["owner_ids"])
    action.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="action", object_id=action.id,
                 summary=f"{action.reference}: {audit.describe_changes(changes)}")
    session.flush()
    return action


def add_update(
    session: Session, *, action_id: int, data: ActionUpdateCreate, by: Actor
) -> ActionUpdate:
    """Post a progress update, perhaps with a change of status. Owners update only their own."""
    view = get_action(session, action_id=action_id, by=by)
    action = view.action
    if not allowed(by, Perm.update_actions):
        if not allowed(by, Perm.update_actions, owned=True):
            raise Forbidden(f"Your role ({by.role}) cannot update actions.")
        require(by, Perm.update_actions, "You can only update actions you own.",
                owned=owns(by, view))
        if action.status == ActionStatus.closed:
            raise Conflict("This action is closed; it takes no more updates.")
    if not data.text.strip() and data.status is None:
        raise InvalidInput({"text": "write the update, or give a new status"})
    new = data.status or ActionStatus(action.status)
    update = _change_status(session, action, new, by, text=data.text)
    if update is None:  # same status and no text: nothing to record
        raise InvalidInput({"status": f"the action is already {new}; write the update"})
    action.updated_at = utcnow()
    session.flush()
    moved = f", status {update.status_from} → {update.status_to}" if update.status_to else ""
    audit.record(session, by=by, verb="update", object_type="action", object_id=action.id,
                 summary=f"{action.reference}: update {update.id}{moved}")
    session.flush()
    return update


def send_back(session: Session, *, action_id: int, text: str, by: Actor) -> ActionUpdate:
    """Refuse an owner's request for closure: the action goes back to them, in progress, with
    the reason (the chair and the secretariat decide)."""
    require(by, Perm.close_actions,
            "Only the chair or the secretariat decide on a request for closure.")
    return add_update(session, action_id=action_id, by=by,
                      data=ActionUpdateCreate(text=text, status=ActionStatus.in_progress))


def record_cutoff(meeting: Meeting) -> datetime | None:
    """For approved minutes, the end of the meeting's day: their actions show as they were
    then. None while the minutes are still open, when actions show as they are now."""
    if meeting.status in (MeetingStatus.approved, MeetingStatus.published):
        return end_of_day_utc(to_london(meeting.starts_at).date())
    return None


def _carried_query(meeting: Meeting):
    """The query of the actions outstanding at this meeting, and the time they are seen as of
    (None: now).

    The actions are found by the index on their status (those not closed) or on when they were
    closed (not closed, or closed after the cutoff), so the query reads the outstanding actions
    and not every action of the series (issue 17); whether each is of an earlier meeting of the
    series, or chosen to be carried to this one, is then asked of it alone (EXISTS)."""
    earlier = select(Meeting.id).where(
        Meeting.id == Action.meeting_id,
        Meeting.meeting_type_id == meeting.meeting_type_id,
        Meeting.starts_at < meeting.starts_at,
        Meeting.id != meeting.id,
    ).correlate(Action)
    chosen = select(CarriedAction.action_id).where(
        CarriedAction.action_id == Action.id, CarriedAction.meeting_id == meeting.id,
    ).correlate(Action)
    query = select(Action).where(earlier.exists() | chosen.exists())
    cutoff = record_cutoff(meeting)
    if cutoff is not None:
        query = query.where((col(Action.closed_at).is_(None)) | (col(Action.closed_at) > cutoff))
    else:
        query = query.where(col(Action.status).in_(
            [s.value for s in ActionStatus if s != ActionStatus.closed]))
    return query, cutoff


def carried_forward(session: Session, meeting: Meeting, *,
                    limit: int | None = None) -> list[ActionView]:
    """Actions of earlier meetings of the series that are outstanding at this meeting, by
    reference (the first `limit` of them, when given).

    Until its minutes are approved a meeting shows the actions open now, with their latest
    update. Approved minutes show what was open on the day, as of the end of that day.
    """
    query, cutoff = _carried_query(meeting)
    # by reference; "year + 0" so that neither database walks the (year, seq) index from the
    # oldest action looking for outstanding ones, but sorts the few the status index finds
    query = query.order_by(col(Action.year) + 0, col(Action.seq), col(Action.id))
    if limit is not None:
        query = query.limit(limit)
    return views_of(session, list(session.exec(query)), as_of=cutoff)


def count_carried_forward(session: Session, meeting: Meeting) -> int:
    """How many actions carried_forward would give, counted by the database."""
    query, _ = _carried_query(meeting)
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def why_not_delegate(person: Person) -> str:
    """Why an action cannot be handed on to this person, or "": it goes only to someone
    active on the force side (the force answers for its actions to the Commissioner)."""
    if not person.active:
        return f"{person.full_name} is no longer active"
    if person.side != Side.force:
        return (f"{person.full_name} is not in the force: an action is handed on only to an "
                "active colleague in the force")
    return ""


def delegates(session: Session, *, excluding: Collection[int] = ()) -> list[Person]:
    """Who an action can be handed on to (see why_not_delegate), by name."""
    query = select(Person).where(Person.active, Person.side == Side.force)
    if excluding:
        query = query.where(col(Person.id).not_in(list(excluding)))
    return list(session.exec(query.order_by(col(Person.full_name), col(Person.id))))


def delegate_action(
    session: Session, *, action_id: int, to_person_id: int, by: Actor,
    from_person_id: int | None = None, note: str = "",
) -> ActionUpdate:
    """Hand an action from one owner to a colleague, recorded as an update. An owner hands on
    their own share; the secretariat may hand on anyone's (from_person_id)."""
    view = get_action(session, action_id=action_id, by=by)
    action = view.action
    giver = from_person_id if from_person_id is not None else by.person_id
    if not allowed(by, Perm.update_actions):
        require(by, Perm.update_actions, "You can only hand on actions you own.",
                owned=owns(by, view))
        giver = by.person_id
    if action.status == ActionStatus.closed:
        raise Conflict("This action is closed; it cannot be handed on.")
    if giver not in view.owner_ids:
        raise InvalidInput({"from_person_id": "that person does not own this action"})
    receiver = referenced(session, Person, to_person_id, "to_person_id", "person")
    assert receiver is not None and receiver.id is not None  # to_person_id is given
    assert action.id is not None  # loaded from the database
    if receiver.id in view.owner_ids:
        raise InvalidInput({"to_person_id": f"{receiver.full_name} already owns this action"})
    refusal = why_not_delegate(receiver)
    if refusal:
        raise InvalidInput({"to_person_id": refusal})
    owners = [receiver.id if pid == giver else pid for pid in view.owner_ids]
    _set_owners(session, action, owners)
    giver_person = session.get(Person, giver)
    assert giver_person is not None  # an owner, checked above
    words = f"Handed on from {giver_person.full_name} to {receiver.full_name}."
    update = ActionUpdate(action_id=action.id, text=f"{words} {note}".strip(),
                          author_user_id=by.user_id, author_person_id=by.person_id)
    session.add(update)
    action.updated_at = utcnow()
    session.flush()
    audit.record(session, by=by, verb="delegate", object_type="action", object_id=action.id,
                 summary=f"{action.reference}: person {giver} → {receiver.id}")
    session.flush()
    return update


def take_up_at(session: Session, *, action_ids: list[int], meeting_id: int, by: Actor) -> int:
    """Include actions in a meeting's outstanding matters (beyond its own series' open ones);
    returns how many were newly included."""
    require(by, Perm.edit_record)
    meeting = get_or_404(session, Meeting, meeting_id, "meeting")
    already = set(session.exec(select(CarriedAction.action_id).where(
        CarriedAction.meeting_id == meeting.id)))
    added = 0
    assert meeting.id is not None  # loaded from the database
    for action_id in dict.fromkeys(action_ids):
        action = get_or_404(session, Action, action_id, "action")
        assert action.id is not None  # loaded from the database
        if action.id in already or action.meeting_id == meeting.id:
            continue
        session.add(CarriedAction(action_id=action.id, meeting_id=meeting.id,
                                  added_by_id=by.user_id))
        added += 1
    audit.record(session, by=by, verb="update", object_type="meeting", object_id=meeting.id,
                 summary=f"{added} actions taken up under outstanding matters")
    session.flush()
    return added
