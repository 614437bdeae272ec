"""The agenda: nested items whose numbers come from their positions.

Top-level items are numbered 1, 2, 3…; their children 2.1, 2.2…; the children of those
(sub-themes) 1., 2. within their parent. Positions among siblings are kept as 1..n.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from app.models import Action, AgendaItem, Meeting, MinuteEntry, Question, utcnow
from app.schemas import ItemCreate, ItemUpdate
from app.services import audit
from app.services.common import changes_of, get_or_404, referenced_person
from app.services.errors import Conflict, InvalidInput
from app.services.meetings import ensure_minutes_editable, get_meeting
from app.services.permissions import Actor, Perm, require

MAX_DEPTH = 3


@dataclass
class ItemNode:
    """An item in its place in the tree."""

    item: AgendaItem
    level: int
    number: str  # "2", "2.1", "2.1.1"
    local_number: str  # as the minutes print it: "2", "2.1", "1."
    exempt: bool  # exempt itself or under an exempt item
    children: list["ItemNode"] = field(default_factory=list)
    # Shown as its title and reason only, to a reader who may not see Part 2
    # (app/services/visibility.py); its item is then a copy without the rest.
    redacted: bool = False

    def walk(self):
        """This node and every node below it, in agenda order."""
        yield self
        for child in self.children:
            yield from child.walk()


def items_of(session: Session, meeting_id: int) -> list[AgendaItem]:
    """Every item of a meeting, flat."""
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    return list(session.exec(query.order_by(col(AgendaItem.position), col(AgendaItem.id))))


def build_tree(items: list[AgendaItem]) -> list[ItemNode]:
    """Arrange a meeting's items as a numbered tree."""
    by_parent: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)
    for siblings in by_parent.values():
        siblings.sort(key=lambda i: (i.position, i.id))

    def grow(parent: ItemNode | None) -> list[ItemNode]:
        parent_id = parent.item.id if parent else None
        nodes = []
        for index, item in enumerate(by_parent.get(parent_id, []), start=1):
            if parent is None:
                level, number, local = 1, str(index), str(index)
            else:
                level = parent.level + 1
                number = f"{parent.number}.{index}"
                local = number if level == 2 else f"{index}."
            node = ItemNode(
                item=item,
                level=level,
                number=number,
                local_number=local,
                exempt=item.exempt or bool(parent and parent.exempt),
            )
            node.children = grow(node)
            nodes.append(node)
        return nodes

    return grow(None)


def flatten(tree: list[ItemNode]) -> list[ItemNode]:
    """Every node of a tree in agenda order."""
    return [node for root in tree for node in root.walk()]


def agenda_tree(session: Session, meeting_id: int) -> list[ItemNode]:
    """A meeting's agenda as a numbered tree."""
    return build_tree(items_of(session, meeting_id))


def node_for(session: Session, item: AgendaItem) -> ItemNode:
    """An item's place in its meeting's tree (number, level, inherited exemption)."""
    for node in flatten(agenda_tree(session, item.meeting_id)):
        if node.item.id == item.id:
            return node
    raise AssertionError("an item is always in its own meeting's tree")


def get_item(session: Session, item_id: int) -> AgendaItem:
    """One item, or NotFound."""
    return get_or_404(session, AgendaItem, item_id, "agenda item")


def _siblings(session: Session, meeting_id: int, parent_id: int | None) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    if parent_id is None:
        query = query.where(col(AgendaItem.parent_id).is_(None))
    else:
        query = query.where(AgendaItem.parent_id == parent_id)
    return list(session.exec(query.order_by(col(AgendaItem.position), col(AgendaItem.id))))


def _place(siblings: list[AgendaItem], item: AgendaItem, position: int | None) -> None:
    """Put an item among its siblings at a 1-based position (the end by default)."""
    others = [s for s in siblings if s is not item and (item.id is None or s.id != item.id)]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, item)
    for number, sibling in enumerate(others, start=1):
        sibling.position = number


def _level_and_height(session: Session, meeting_id: int, item_id: int | None, parent_id):
    nodes = {n.item.id: n for n in flatten(agenda_tree(session, meeting_id))}
    parent_level = nodes[parent_id].level if parent_id in nodes else 0

    def height(node: ItemNode) -> int:
        return 1 + max((height(c) for c in node.children), default=0)

    own_height = height(nodes[item_id]) if item_id in nodes else 1
    return parent_level, own_height, nodes


def _check_parent(
    session: Session, meeting: Meeting, parent_id: int | None, item_id: int | None
) -> None:
    if parent_id is None:
        return
    parent = session.get(AgendaItem, parent_id)
    if parent is None or parent.meeting_id != meeting.id:
        raise InvalidInput({"parent_id": f"there is no item with id {parent_id} in this meeting"})
    parent_level, own_height, nodes = _level_and_height(session, meeting.id, item_id, parent_id)
    if item_id is not None:
        ancestor = nodes.get(parent_id)
        while ancestor is not None:
            if ancestor.item.id == item_id:
                raise InvalidInput({"parent_id": "an item cannot be moved under itself"})
            ancestor = nodes.get(ancestor.item.parent_id)
    if parent_level + own_height > MAX_DEPTH:
        raise InvalidInput(
            {"parent_id": f"items nest at most {MAX_DEPTH} levels deep (item, theme, sub-theme)"}
        )


def _check_exempt_reason(exempt: bool, reason: str) -> None:
    if exempt and not reason.strip():
        raise InvalidInput(
            {"exempt_reason": "give the reason the item is exempt, for example "
             "\"section 31 of the Freedom of Information Act 2000\""}
        )


def create_item(session: Session, *, meeting_id: int, data: ItemCreate, by: Actor) -> AgendaItem:
    """Add an item to a meeting's agenda, at the end of its level or at a position."""
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    require(by, Perm.edit_record)
    ensure_minutes_editable(meeting)
    _check_parent(session, meeting, data.parent_id, None)
    referenced_person(session, data.presenter_id, "presenter_id")
    _check_exempt_reason(data.exempt, data.exempt_reason)
    item = AgendaItem(meeting_id=meeting.id, **data.model_dump(exclude={"position"}))
    _place(_siblings(session, meeting.id, data.parent_id), item, data.position)
    session.add(item)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="agenda_item", object_id=item.id,
                 summary=f"meeting {meeting.id}: {item.title}")
    session.flush()
    return item


def update_item(session: Session, *, item_id: int, data: ItemUpdate, by: Actor) -> AgendaItem:
    """Change an item; a new parent or position moves it and renumbers its neighbours."""
    item = get_item(session, item_id)
    meeting = get_meeting(session, item.meeting_id)
    assert meeting.id is not None  # loaded from the database
    require(by, Perm.edit_record)
    ensure_minutes_editable(meeting)
    changes = changes_of(data, nullable=("parent_id", "presenter_id", "purpose", "paper_due_on"))
    moving = "parent_id" in changes and changes["parent_id"] != item.parent_id
    if moving:
        _check_parent(session, meeting, changes["parent_id"], item.id)
    if "presenter_id" in changes:
        referenced_person(session, changes["presenter_id"], "presenter_id")
    _check_exempt_reason(
        changes.get("exempt", item.exempt), changes.get("exempt_reason", item.exempt_reason)
    )
    old_parent = item.parent_id
    for key, value in changes.items():
        if key != "position":
            setattr(item, key, value)
    if moving or "position" in changes:
        if moving:
            remaining = [s for s in _siblings(session, meeting.id, old_parent) if s.id != item.id]
            for number, sibling in enumerate(remaining, start=1):
                sibling.position = number
        _place(_siblings(session, meeting.id, item.parent_id), item, changes.get("position"))
    item.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="agenda_item", object_id=item.id,
                 summary=audit.describe_changes(changes))
    session.flush()
    return item


def delete_item(session: Session, *, item_id: int, by: Actor) -> None:
    """Remove an item and its empty sub-items; an item holding minutes is never deleted."""
    item = get_item(session, item_id)
    meeting = get_meeting(session, item.meeting_id)
    assert meeting.id is not None  # loaded from the database
    require(by, Perm.edit_record)
    ensure_minutes_editable(meeting)
    node = node_for(session, item)
    ids = [n.item.id for n in node.walk()]
    held = {
        "minute entries": session.exec(
            select(func.count()).select_from(MinuteEntry).where(col(MinuteEntry.item_id).in_(ids))
        ).one(),
        "actions": session.exec(
            select(func.count()).select_from(Action).where(col(Action.item_id).in_(ids))
        ).one(),
        "questions": session.exec(
            select(func.count()).select_from(Question).where(col(Question.item_id).in_(ids))
        ).one(),
    }
    held = {k: v for k, v in held.items() if v}
    if held:
        listed = ", ".join(f"{v} {k}" for k, v in held.items())
        raise Conflict(
            f"Item {node.number} holds {listed}; move or remove them before deleting the item."
        )
    for child in reversed(list(node.walk())):
        session.delete(child.item)
    session.flush()
    for number, sibling in enumerate(_siblings(session, meeting.id, item.parent_id), start=1):
        sibling.position = number
    audit.record(session, by=by, verb="delete", object_type="agenda_item", object_id=item_id,
                 summary=f"meeting {meeting.id}: {node.number} {item.title}")
    session.flush()


def move_item(session: Session, *, item_id: int, direction: str, by: Actor) -> AgendaItem:
    """Move an item one step: "up" or "down" among its siblings, "in" under the item above
    it (as its last child), or "out" to just after its parent."""
    item = get_item(session, item_id)
    siblings = _siblings(session, item.meeting_id, item.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    if direction == "up":
        change = ItemUpdate(position=max(1, item.position - 1))
    elif direction == "down":
        change = ItemUpdate(position=min(len(siblings), item.position + 1))
    elif direction == "in":
        if index == 0:
            raise InvalidInput({"direction": "there is no item above this one to go under"})
        change = ItemUpdate(parent_id=siblings[index - 1].id)
    elif direction == "out":
        if item.parent_id is None:
            raise InvalidInput({"direction": "a top-level item cannot move further out"})
        parent = get_item(session, item.parent_id)
        change = ItemUpdate(parent_id=parent.parent_id, position=parent.position + 1)
    else:
        raise InvalidInput({"direction": "move up, down, in or out"})
    assert item.id is not None  # loaded from the database
    return update_item(session, item_id=item.id, data=change, by=by)
