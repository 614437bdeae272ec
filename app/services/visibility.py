"""What a reader may see of the record, decided here once for every page, API answer,
document, email, feed and history.

Exempt ("Part 2") material is for those who hold Perm.see_exempt (the Commissioner's office):
an exempt item and everything under it (its commission, its papers, its sub-items, their
paragraphs, the questions put on it and the actions raised under it); an exempt paragraph of
an open item; an exempt action. Others see an exempt item as its number, title and the reason
it is exempt, and nothing of the rest.

One exception: the owner of an exempt action works on it, so they see that action and its
updates (marked "Exempt – not for publication") and may update it; nobody else on the force
side sees it. Draft questions are the Commissioner's own.

Services load records through these functions; pages, the API and documents show what they
are given and never decide for themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionOwner,
    AgendaItem,
    EntryKind,
    FindingEvent,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Paper,
    PublishedDocument,
    Question,
    QuestionStatus,
    SearchDocument,
)
from app.services.agenda import MAX_DEPTH, ItemNode, agenda_tree
from app.services.papers import papers_of
from app.services.permissions import Actor, Perm, allowed

EXEMPT_MARK = "Exempt – not for publication"

# The force sees a question once it has been sent to them; drafts are the Commissioner's own.
SHARED_STATUSES = {
    QuestionStatus.sent,
    QuestionStatus.asked,
    QuestionStatus.answered,
    QuestionStatus.answered_in_writing,
    QuestionStatus.carried_forward,
}


def sees_exempt(by: Actor | None) -> bool:
    """Whether the reader sees Part 2 material (no reader: the system itself, which does)."""
    return by is None or allowed(by, Perm.see_exempt)


# --- the agenda ---------------------------------------------------------------------------


def exempt_items_query(meeting_ids: Iterable[int] | None = None):
    """A query of the ids of exempt items, themselves or under an exempt item (in these
    meetings, or in all): one recursive query down the tree, however many meetings."""
    base: sa.Select = (sa.select(col(AgendaItem.id).label("id"))
                       .where(col(AgendaItem.exempt).is_(True)))
    if meeting_ids is not None:
        base = base.where(col(AgendaItem.meeting_id).in_(meeting_ids))
    tree = base.cte("exempt_items", recursive=True)
    child: sa.Select = sa.select(col(AgendaItem.id).label("id")).join(
        tree, col(AgendaItem.parent_id) == tree.c.id)
    return tree.union(child)


def under_exempt_item(item_id) -> sa.ColumnElement[bool]:
    """Whether the item with this id (an SQL expression, e.g. Action.item_id) is exempt,
    itself or under an exempt item, as an SQL condition (false for no item): a look-up up
    its parent chain (items nest at most agenda.MAX_DEPTH deep) for each row asked about.
    For a query whose other conditions leave few rows; exempt_items_query gathers the
    exempt items of the whole record, which grows with history."""
    chain = [sa.orm.aliased(AgendaItem) for _ in range(MAX_DEPTH)]
    walk = sa.select(sa.or_(*(col(level.exempt).is_(True) for level in chain))
                     ).select_from(chain[0])
    for child, parent in zip(chain, chain[1:], strict=False):
        walk = walk.outerjoin(parent, col(parent.id) == col(child.parent_id))
    # a scalar subquery, evaluated row by row: PostgreSQL turns an EXISTS into a join,
    # and would gather every exempt item again to hash them
    found = walk.where(col(chain[0].id) == item_id).scalar_subquery()
    return sa.func.coalesce(found, sa.false()).is_(True)


def exempt_item_ids(session: Session, meeting_ids: Iterable[int | None]) -> set[int]:
    """Items that are exempt, themselves or under an exempt item, in these meetings."""
    wanted = {m for m in meeting_ids if m is not None}
    if not wanted:
        return set()
    tree = exempt_items_query(wanted)
    return {cast(int, i) for i in session.execute(sa.select(tree.c.id)).scalars()}


def _public_part(item: AgendaItem) -> AgendaItem:
    """What anyone may know of an exempt item: where it is, its title and why it is exempt.
    A detached copy, so that nothing else of it can reach a page by mistake."""
    return AgendaItem(id=item.id, meeting_id=item.meeting_id, parent_id=item.parent_id,
                      position=item.position, title=item.title, kind=item.kind,
                      exempt=True, exempt_reason=item.exempt_reason,
                      created_at=item.created_at, updated_at=item.updated_at)


def redact_tree(tree: list[ItemNode]) -> list[ItemNode]:
    """The tree as those who may not see Part 2 see it: each exempt item as its number, title
    and reason, without its commission, presenter, papers or sub-items."""

    def visit(node: ItemNode) -> ItemNode:
        if node.exempt:
            return replace(node, item=_public_part(node.item), children=[], redacted=True)
        return replace(node, children=[visit(child) for child in node.children])

    return [visit(root) for root in tree]


def agenda_as_seen(session: Session, meeting_id: int, *, by: Actor | None = None,
                   redact: bool | None = None) -> list[ItemNode]:
    """A meeting's agenda tree as the reader may see it (`redact` forces the public view,
    for the public edition of a document, whoever asks for it)."""
    tree = agenda_tree(session, meeting_id)
    if redact is None:
        redact = not sees_exempt(by)
    return redact_tree(tree) if redact else tree


def visible_papers(session: Session, nodes: list[ItemNode]) -> dict[int | None, list[Paper]]:
    """The papers of the items shown, by item; a redacted item has none to show."""
    shown = papers_of(session, [n.item.id for n in nodes if not n.redacted])
    return {n.item.id: shown.get(n.item.id, []) for n in nodes}


def may_see_entry(by: Actor | None, *, entry_exempt: bool, item_exempt: bool) -> bool:
    """Whether the reader may see a paragraph of the minutes."""
    return not (entry_exempt or item_exempt) or sees_exempt(by)


# --- actions and questions ----------------------------------------------------------------


def owns(by: Actor | None, owner_ids: Iterable[int]) -> bool:
    """Whether the reader is one of these owners."""
    return by is not None and by.person_id is not None and by.person_id in set(owner_ids)


def may_see_action(by: Actor | None, view) -> bool:
    """Whether the reader may see an action (an ActionView): any that is not exempt; an exempt
    one if they see Part 2 or own it."""
    return not view.exempt or sees_exempt(by) or owns(by, view.owner_ids)


def actions_seen_where(by: Actor | None, *, few: bool = False, owner_id: int | None = None,
                       exempt_items=None):
    """may_see_action as an SQL condition on Action, for a query that pages or counts what
    the reader may see; None when the reader sees every action the query takes (they see
    Part 2, or the query takes only actions of owner_id and the reader is that owner).
    `few`: the query's other conditions leave few actions (a person's open ones), so each
    action's item is looked up its parent chain (under_exempt_item) rather than against the
    exempt items of the whole record. `exempt_items`: the query of exempt items to use, when
    the query has one already."""
    if sees_exempt(by):
        return None
    mine = by.person_id if by is not None else None
    if owner_id is not None and owner_id == mine:
        return None
    exempt = exempt_action_where(few=few, exempt_items=exempt_items)
    if mine is not None:
        return sa.or_(~exempt, owned_by(mine) if few else col(Action.id).in_(
            sa.select(col(ActionOwner.action_id)).where(col(ActionOwner.person_id) == mine)))
    return ~exempt


def exempt_action_where(*, few: bool = False, exempt_items=None) -> sa.ColumnElement[bool]:
    """An SQL condition on Action: it is exempt, marked so or raised under an exempt item
    (`few` and `exempt_items` as for actions_seen_where)."""
    if few:
        on_exempt_item = under_exempt_item(col(Action.item_id))
    else:
        tree = exempt_items if exempt_items is not None else exempt_items_query()
        on_exempt_item = col(Action.item_id).in_(sa.select(tree.c.id))
    return sa.or_(col(Action.exempt).is_(True),
                  sa.and_(col(Action.item_id).is_not(None), on_exempt_item))


def owned_by(person_id: int) -> sa.ColumnElement[bool]:
    """An SQL condition on Action: the person is one of its owners (looked up by the
    action's own owners, so its cost does not grow with all the person ever owned)."""
    return sa.exists().where(col(ActionOwner.action_id) == col(Action.id),
                             col(ActionOwner.person_id) == person_id)


def may_see_question(by: Actor | None, question: Question, exempt_items: set[int]) -> bool:
    """Whether the reader may see a question: the office sees all; others those sent to the
    force and not put on an exempt item."""
    if sees_exempt(by):
        return True
    return question.status in SHARED_STATUSES and question.item_id not in exempt_items


def questions_seen_where(by: Actor | None, exempt=None):
    """may_see_question as an SQL condition on Question, for a query that pages or counts
    what the reader may see (None: the reader sees every question). `exempt`: the query of
    exempt items to use, when the query has one already."""
    if sees_exempt(by):
        return None
    exempt = exempt if exempt is not None else exempt_items_query()
    return sa.and_(col(Question.status).in_([s.value for s in SHARED_STATUSES]),
                   sa.or_(col(Question.item_id).is_(None),
                          col(Question.item_id).not_in(sa.select(exempt.c.id))))


def visible_questions(session: Session, questions: list[Question], by: Actor | None
                      ) -> list[Question]:
    """Those of these questions the reader may see."""
    if sees_exempt(by):
        return list(questions)
    exempt = exempt_item_ids(session, {q.meeting_id for q in questions if q.meeting_id})
    return [q for q in questions if may_see_question(by, q, exempt)]


def hidden_action_ids(session: Session, action_ids: Iterable[int | None], by: Actor | None
                      ) -> set[int]:
    """Those of these actions the reader may not see."""
    wanted = {a for a in action_ids if a is not None}
    if not wanted or sees_exempt(by):
        return set()
    from app.services.actions import views_of  # a cycle: actions imports this module

    found = list(session.exec(select(Action).where(col(Action.id).in_(wanted))))
    return {cast(int, v.action.id)  # saved actions
            for v in views_of(session, found) if not may_see_action(by, v)}


def hidden_question_ids(session: Session, question_ids: Iterable[int | None], by: Actor | None
                        ) -> set[int]:
    """Those of these questions the reader may not see."""
    wanted = {q for q in question_ids if q is not None}
    if not wanted or sees_exempt(by):
        return set()
    found = list(session.exec(select(Question).where(col(Question.id).in_(wanted))))
    return wanted - {q.id for q in visible_questions(session, found, by)}


# --- the public record (no sign-in: /public) -----------------------------------------------
#
# What anyone may read without signing in, whoever they are (the office too sees the public
# view there): what the published minutes made public, and the agenda and papers an issued
# agenda made public, nothing else. A meeting is published once its public edition is (a
# PublishedDocument); drafts, approved but unpublished minutes and meetings still to come give
# the public nothing of their record beyond their issued agenda and its papers.


def published_meeting_ids() -> sa.Select:
    """A query of the ids of the meetings whose minutes are published (a public edition)."""
    return (sa.select(col(PublishedDocument.meeting_id))
            .where(col(PublishedDocument.edition) == "public"))


def is_published(session: Session, meeting_id: int) -> bool:
    """Whether a meeting's minutes are published (published_meeting_ids, for one meeting)."""
    return session.execute(published_meeting_ids().where(
        col(PublishedDocument.meeting_id) == meeting_id).limit(1)).first() is not None


# The agenda of a meeting is public once it has been issued, and stays so whatever the
# meeting's stage after (held, its minutes drafted, approved, published; cancelled too: what
# was published stays published). A meeting may be started without its agenda ever issued
# (planned → in progress): nothing of it is public until its minutes are published.


def agenda_issued_where() -> sa.ColumnElement[bool]:
    """Whether a meeting's agenda has been issued, as an SQL condition on Meeting."""
    return sa.or_(col(Meeting.status) == MeetingStatus.agenda_issued.value,
                  col(Meeting.agenda_issued_at).is_not(None))


def agenda_was_issued(meeting: Meeting) -> bool:
    """agenda_issued_where, for a meeting at hand."""
    return meeting.status == MeetingStatus.agenda_issued or meeting.agenda_issued_at is not None


def public_paper_meeting_ids() -> sa.Select:
    """A query of the ids of the meetings whose papers (of items that are not exempt) the
    public may read: their agenda was issued, or their minutes are published."""
    return sa.select(col(Meeting.id)).where(
        sa.or_(agenda_issued_where(), col(Meeting.id).in_(published_meeting_ids())))


def public_actions_where() -> sa.ColumnElement[bool]:
    """The actions of the public action log, as an SQL condition on Action: raised at a
    meeting whose minutes are published, and not exempt (marked so, or raised under an
    exempt item, wherever it is listed). An action raised outside a meeting was never
    published, so it is not public.

    An action's updates are public exactly when the action is: the action log is a public
    record (DESIGN.md: "the action log is a public record"), an update tells only of the work
    on its own action, and an owner writes it knowing that; an update of an exempt action is
    never shown, nor its text searched."""
    return sa.and_(col(Action.meeting_id).in_(published_meeting_ids()),
                   ~exempt_action_where())


def public_decisions_where() -> sa.ColumnElement[bool]:
    """The decisions of the public register, as an SQL condition on a query of MinuteEntry
    joined to its AgendaItem: decisions minuted (not deleted) in published minutes, except
    an exempt paragraph of an open item, which the public edition leaves out without a trace
    (DESIGN.md §3), so the register does too. A decision under an exempt item stays: the
    public edition names the item and why it was private, and so does the register
    (item_chain says which they are, by what name; their words are never shown)."""
    return sa.and_(col(MinuteEntry.kind) == EntryKind.decision.value,
                   col(MinuteEntry.deleted_at).is_(None),
                   col(MinuteEntry.exempt).is_(False),
                   col(AgendaItem.meeting_id).in_(published_meeting_ids()))


@dataclass
class ItemChain:
    """An agenda item and the items above it (agenda.MAX_DEPTH levels, outer-joined to a
    query of AgendaItem), with what the public may know of them as SQL expressions."""

    query: sa.Select
    public_title: sa.ColumnElement  # the exempt item the public edition names, or NULL
    public_reason: sa.ColumnElement  # why it is exempt, or NULL
    titles: list  # the titles of the chain: searchable only when no level is exempt

    @property
    def exempt(self) -> sa.ColumnElement[bool]:
        return self.public_title.is_not(None)


def item_chain(query: sa.Select) -> ItemChain:
    """The chain above the AgendaItem of a query: an exempt item is named by the public
    edition by its title and reason, and nothing under it is (its sub-items' titles
    included), so the public sees the topmost exempt item of the chain."""
    above: list[Any] = [sa.orm.aliased(AgendaItem) for _ in range(MAX_DEPTH - 1)]
    chain: list[Any] = [AgendaItem, *above]
    for child, parent in zip(chain, above, strict=False):
        query = query.outerjoin(parent, col(parent.id) == col(child.parent_id))
    topmost_first = list(reversed(chain))
    title = sa.case(*((col(level.exempt).is_(True), col(level.title))
                      for level in topmost_first), else_=sa.null())
    reason = sa.case(*((col(level.exempt).is_(True), col(level.exempt_reason))
                       for level in topmost_first), else_=sa.null())
    return ItemChain(query=query, public_title=title, public_reason=reason,
                     titles=[col(level.title) for level in chain])


def public_paper_where(*, few: bool = False) -> sa.ColumnElement[bool]:
    """The papers the public may download, as an SQL condition on Paper: papers of an item
    that is not exempt (nor under an exempt item) of a meeting whose agenda was issued or
    whose minutes are published (public_paper_meeting_ids). `few`: the query's other
    conditions leave few papers (one asked for by its id), so each paper's item is looked up
    its parent chain rather than against the exempt items of the whole record."""
    items = sa.select(col(AgendaItem.id)).where(
        col(AgendaItem.meeting_id).in_(public_paper_meeting_ids()))
    exempt = (under_exempt_item(col(Paper.item_id)) if few
              else col(Paper.item_id).in_(sa.select(exempt_items_query().c.id)))
    return sa.and_(col(Paper.item_id).in_(items), ~exempt)


# --- the search -------------------------------------------------------------------------


def search_seen_where(by: Actor | None):
    """Which search documents (app/services/search_index.py) the reader may see, as an SQL
    condition, so that what they may not see is neither found nor counted (None: all).

    A document under an exempt item, a paragraph marked exempt, a question (or its answer) the
    reader may not see and an action (or its update) the reader may not see are left out; an
    exempt action's owner finds it, even under an exempt item."""
    if sees_exempt(by):
        return None
    doc = SearchDocument.__table__  # type: ignore[attr-defined]
    exempt = exempt_items_query()
    questions = sa.select(col(Question.id)).where(questions_seen_where(by, exempt))
    actions = sa.select(col(Action.id)).where(actions_seen_where(by, exempt_items=exempt))
    return sa.and_(
        doc.c.exempt.is_(False),
        # an action's own rule says whether its exempt item hides it (its owner sees it)
        sa.or_(doc.c.action_id.is_not(None), doc.c.item_id.is_(None),
               doc.c.item_id.not_in(sa.select(exempt.c.id))),
        sa.or_(doc.c.question_id.is_(None), doc.c.question_id.in_(questions)),
        sa.or_(doc.c.action_id.is_(None), doc.c.action_id.in_(actions)),
    )


# --- histories ----------------------------------------------------------------------------


def visible_events(session: Session, events: list[FindingEvent], by: Actor | None
                   ) -> list[FindingEvent]:
    """A finding's events without those telling of a question or an action the reader may
    not see."""
    if sees_exempt(by):
        return list(events)
    hidden_questions = hidden_question_ids(session, (e.question_id for e in events), by)
    hidden_actions = hidden_action_ids(session, (e.action_id for e in events), by)
    return [e for e in events
            if e.question_id not in hidden_questions and e.action_id not in hidden_actions]
