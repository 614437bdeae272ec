"""The search index: one row of `search_document` for each searchable thing of the record,
written whenever the thing is (issue 18).

Every write goes through the ORM session, so one listener (`after_flush`) sees every new,
changed and deleted row of the tables that feed the index and writes their documents in the
same transaction; what is deleted takes its document with it (the document's foreign keys
cascade). A whole index is built by `rebuild` (the migration's backfill, and the scale bench,
whose builder inserts rows a table at a time).

The documents are built with Core queries on the connection, never ORM loads, because they
are written in the middle of a flush.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.models import (
    Action,
    ActionOwner,
    ActionUpdate,
    AgendaItem,
    Answer,
    EntryKind,
    Finding,
    Inspection,
    ItemKind,
    Meeting,
    MinuteEntry,
    Paper,
    Question,
    SearchDocument,
)
from app.services.dates import to_london

MAX_BODY = 100_000  # characters of one document's words that are searched (a paper's first)
BATCH = 500


class Kind(StrEnum):
    """What a search result is."""

    paragraph = "paragraph"  # a paragraph of the minutes
    decision = "decision"  # a paragraph recording a decision
    item = "item"  # an agenda item's title and commission
    paper = "paper"  # the text of a paper
    question = "question"
    answer = "answer"
    action = "action"
    update = "update"  # an action's update
    finding = "finding"  # an inspection finding


# source table -> (the document's column naming it, the kinds it makes)
_SOURCES: dict[str, tuple[str, tuple[Kind, ...]]] = {
    "entry": ("entry_id", (Kind.paragraph, Kind.decision)),
    "item": ("own_item_id", (Kind.item,)),
    "paper": ("paper_id", (Kind.paper,)),
    "question": ("question_id", (Kind.question,)),
    "answer": ("answer_id", (Kind.answer,)),
    "action": ("action_id", (Kind.action,)),
    "update": ("update_id", (Kind.update,)),
    "finding": ("finding_id", (Kind.finding,)),
}
_SOURCE_OF_KIND = {kind: source for source, (_, kinds) in _SOURCES.items() for kind in kinds}
_MODELS: dict[type, str] = {MinuteEntry: "entry", AgendaItem: "item", Paper: "paper",
                            Question: "question", Answer: "answer", Action: "action",
                            ActionUpdate: "update", Finding: "finding"}

DOC = SearchDocument.__table__  # type: ignore[attr-defined]
_ENTRY = MinuteEntry.__table__  # type: ignore[attr-defined]
_ITEM = AgendaItem.__table__  # type: ignore[attr-defined]
_MEETING = Meeting.__table__  # type: ignore[attr-defined]
_PAPER = Paper.__table__  # type: ignore[attr-defined]
_QUESTION = Question.__table__  # type: ignore[attr-defined]
_ANSWER = Answer.__table__  # type: ignore[attr-defined]
_ACTION = Action.__table__  # type: ignore[attr-defined]
_OWNER = ActionOwner.__table__  # type: ignore[attr-defined]
_UPDATE = ActionUpdate.__table__  # type: ignore[attr-defined]
_FINDING = Finding.__table__  # type: ignore[attr-defined]
_INSPECTION = Inspection.__table__  # type: ignore[attr-defined]


def _day(value: datetime | None) -> date | None:
    return to_london(value).date() if value is not None else None


def _people(*ids: int | None) -> str:
    wanted = sorted({i for i in ids if i is not None})
    return "," + ",".join(str(i) for i in wanted) + "," if wanted else ""


def _short(text: str, size: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


class _Context:
    """The meetings and items the documents of one batch sit in, read once for the batch."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.meetings: dict[int, tuple[int, date | None]] = {}
        self.items: dict[int, Any] = {}

    def load_items(self, item_ids: Iterable[int | None]) -> None:
        wanted = {i for i in item_ids if i is not None} - set(self.items)
        if not wanted:
            return
        # the whole agenda of those items' meetings: an item's theme is an ancestor's title
        meetings = sa.select(_ITEM.c.meeting_id).where(_ITEM.c.id.in_(wanted))
        rows = self.connection.execute(
            sa.select(_ITEM.c.id, _ITEM.c.meeting_id, _ITEM.c.parent_id, _ITEM.c.title,
                      _ITEM.c.kind).where(_ITEM.c.meeting_id.in_(meetings)))
        for row in rows:
            self.items[row.id] = row
        self.load_meetings(row.meeting_id for row in self.items.values())

    def load_meetings(self, meeting_ids: Iterable[int | None]) -> None:
        wanted = {i for i in meeting_ids if i is not None} - set(self.meetings)
        if wanted:
            rows = self.connection.execute(
                sa.select(_MEETING.c.id, _MEETING.c.meeting_type_id, _MEETING.c.starts_at)
                .where(_MEETING.c.id.in_(wanted)))
            for row in rows:
                self.meetings[row.id] = (row.meeting_type_id, _day(row.starts_at))

    def item_title(self, item_id: int | None) -> str:
        item = self.items.get(item_id) if item_id is not None else None
        return item.title if item is not None else ""

    def theme(self, item_id: int | None) -> str:
        """The theme an item is under: the nearest item of kind theme, itself included."""
        seen = 0
        while item_id is not None and item_id in self.items and seen < 50:
            item = self.items[item_id]
            if item.kind == ItemKind.theme:
                return item.title[:200]
            item_id, seen = item.parent_id, seen + 1
        return ""

    def place(self, meeting_id: int | None) -> dict:
        series, day = self.meetings.get(meeting_id, (None, None)) if meeting_id else (None, None)
        return {"meeting_id": meeting_id if meeting_id in self.meetings else None,
                "series_id": series, "on_date": day}

    def item_meeting(self, item_id: int | None) -> int | None:
        item = self.items.get(item_id) if item_id is not None else None
        return item.meeting_id if item is not None else None


def _doc(kind: Kind, object_id: int, **values: Any) -> dict:
    row: dict[str, Any] = {
           "kind": kind.value, "object_id": object_id, "meeting_id": None, "series_id": None,
           "item_id": None, "on_date": None, "theme": "", "person_ids": "", "exempt": False,
           "label": "", "title": "", "body": ""}
    for column in ("entry_id", "own_item_id", "paper_id", "question_id", "answer_id",
                   "action_id", "update_id", "finding_id"):
        row[column] = None
    row.update(values)
    row["body"] = (row["body"] or "")[:MAX_BODY]
    row["title"] = (row["title"] or "")[:MAX_BODY]
    row["label"] = (row["label"] or "")[:500]
    row["theme"] = (row["theme"] or "")[:200]
    return row


def _entries(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_ENTRY.c.id, _ENTRY.c.item_id, _ENTRY.c.kind, _ENTRY.c.speaker_id,
                  _ENTRY.c.text, _ENTRY.c.exempt)
        .where(_ENTRY.c.id.in_(ids), _ENTRY.c.deleted_at.is_(None))))
    context.load_items(r.item_id for r in rows)
    return [_doc(Kind.decision if r.kind == EntryKind.decision else Kind.paragraph, r.id,
                 **context.place(context.item_meeting(r.item_id)), item_id=r.item_id,
                 theme=context.theme(r.item_id), person_ids=_people(r.speaker_id),
                 exempt=bool(r.exempt), label=context.item_title(r.item_id), body=r.text,
                 entry_id=r.id)
            for r in rows if r.text.strip()]


def _items(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_ITEM.c.id, _ITEM.c.meeting_id, _ITEM.c.title, _ITEM.c.commission,
                  _ITEM.c.presenter_id).where(_ITEM.c.id.in_(ids))))
    context.load_items(r.id for r in rows)
    return [_doc(Kind.item, r.id, **context.place(r.meeting_id), item_id=r.id,
                 theme=context.theme(r.id), person_ids=_people(r.presenter_id), label=r.title,
                 title=r.title, body=r.commission, own_item_id=r.id)
            for r in rows]


def _papers(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_PAPER.c.id, _PAPER.c.item_id, _PAPER.c.filename, _PAPER.c.text)
        .where(_PAPER.c.id.in_(ids))))
    context.load_items(r.item_id for r in rows)
    return [_doc(Kind.paper, r.id, **context.place(context.item_meeting(r.item_id)),
                 item_id=r.item_id, theme=context.theme(r.item_id), label=r.filename,
                 title=r.filename, body=r.text, paper_id=r.id)
            for r in rows]


def _questions(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_QUESTION.c.id, _QUESTION.c.meeting_id, _QUESTION.c.item_id,
                  _QUESTION.c.text, _QUESTION.c.theme, _QUESTION.c.asked_by_id,
                  _QUESTION.c.addressed_to_id, _QUESTION.c.created_at)
        .where(_QUESTION.c.id.in_(ids))))
    context.load_items(r.item_id for r in rows)
    context.load_meetings(r.meeting_id for r in rows)
    docs = []
    for r in rows:
        place = context.place(r.meeting_id)
        place["on_date"] = place["on_date"] or _day(r.created_at)
        theme = r.theme or context.theme(r.item_id)
        docs.append(_doc(Kind.question, r.id, **place, item_id=r.item_id, theme=theme,
                         person_ids=_people(r.asked_by_id, r.addressed_to_id),
                         label=_short(r.text), body=r.text, question_id=r.id))
    return docs


def _answers(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_ANSWER.c.id, _ANSWER.c.question_id, _ANSWER.c.text,
                  _ANSWER.c.respondent_id, _ANSWER.c.answered_at, _QUESTION.c.meeting_id,
                  _QUESTION.c.item_id, _QUESTION.c.theme,
                  _QUESTION.c.text.label("question_text"))
        .join(_QUESTION, _QUESTION.c.id == _ANSWER.c.question_id)
        .where(_ANSWER.c.id.in_(ids))))
    context.load_items(r.item_id for r in rows)
    context.load_meetings(r.meeting_id for r in rows)
    docs = []
    for r in rows:
        place = context.place(r.meeting_id)
        place["on_date"] = _day(r.answered_at) or place["on_date"]
        docs.append(_doc(Kind.answer, r.id, **place, item_id=r.item_id,
                         theme=r.theme or context.theme(r.item_id),
                         person_ids=_people(r.respondent_id),
                         label=_short(r.question_text), body=r.text,
                         question_id=r.question_id, answer_id=r.id))
    return docs


def _actions(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_ACTION.c.id, _ACTION.c.reference, _ACTION.c.text, _ACTION.c.meeting_id,
                  _ACTION.c.item_id, _ACTION.c.created_at).where(_ACTION.c.id.in_(ids))))
    owners: dict[int, list[int]] = defaultdict(list)
    for action_id, person_id in context.connection.execute(
            sa.select(_OWNER.c.action_id, _OWNER.c.person_id)
            .where(_OWNER.c.action_id.in_(ids))):
        owners[action_id].append(person_id)
    context.load_items(r.item_id for r in rows)
    context.load_meetings(r.meeting_id for r in rows)
    docs = []
    for r in rows:
        place = context.place(r.meeting_id)
        place["on_date"] = place["on_date"] or _day(r.created_at)
        docs.append(_doc(Kind.action, r.id, **place, item_id=r.item_id,
                         theme=context.theme(r.item_id), person_ids=_people(*owners[r.id]),
                         label=r.reference, title=r.reference, body=r.text, action_id=r.id))
    return docs


def _updates(context: _Context, ids: list[int]) -> list[dict]:
    rows = list(context.connection.execute(
        sa.select(_UPDATE.c.id, _UPDATE.c.action_id, _UPDATE.c.text,
                  _UPDATE.c.author_person_id, _UPDATE.c.created_at, _ACTION.c.reference,
                  _ACTION.c.meeting_id, _ACTION.c.item_id)
        .join(_ACTION, _ACTION.c.id == _UPDATE.c.action_id)
        .where(_UPDATE.c.id.in_(ids))))
    context.load_items(r.item_id for r in rows)
    context.load_meetings(r.meeting_id for r in rows)
    docs = []
    for r in rows:
        if not r.text.strip():
            continue  # a bare change of status says nothing to find
        place = context.place(r.meeting_id)
        place["on_date"] = _day(r.created_at)
        docs.append(_doc(Kind.update, r.id, **place, item_id=r.item_id,
                         theme=context.theme(r.item_id), person_ids=_people(r.author_person_id),
                         label=r.reference, body=r.text, action_id=r.action_id,
                         update_id=r.id))
    return docs


def _findings(context: _Context, ids: list[int]) -> list[dict]:
    rows = context.connection.execute(
        sa.select(_FINDING.c.id, _FINDING.c.kind, _FINDING.c.number, _FINDING.c.text,
                  _FINDING.c.theme, _FINDING.c.owner_id, _FINDING.c.opcc_evidence,
                  _FINDING.c.pcc_response, _FINDING.c.cc_response, _INSPECTION.c.title,
                  _INSPECTION.c.published_on)
        .join(_INSPECTION, _INSPECTION.c.id == _FINDING.c.inspection_id)
        .where(_FINDING.c.id.in_(ids)))
    docs = []
    for r in rows:
        name = f"{r.kind.replace('_', ' ').capitalize()} {r.number}".strip()
        body = "\n".join(t for t in (r.text, r.opcc_evidence, r.pcc_response, r.cc_response)
                         if t)
        docs.append(_doc(Kind.finding, r.id, on_date=r.published_on, theme=r.theme,
                         person_ids=_people(r.owner_id), label=f"{r.title}: {name}",
                         title=name, body=body, finding_id=r.id))
    return docs


_BUILDERS = {"entry": _entries, "item": _items, "paper": _papers, "question": _questions,
             "answer": _answers, "action": _actions, "update": _updates, "finding": _findings}


def reindex(connection: Connection, touched: dict[str, set[int]]) -> None:
    """Write again the documents of these source rows (by source table): each row's document
    is replaced by what the row says now, or removed if it says nothing to find."""
    context = _Context(connection)
    for source, ids in touched.items():
        column, kinds = _SOURCES[source]
        wanted = sorted(i for i in ids if i is not None)
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            connection.execute(sa.delete(DOC).where(DOC.c[column].in_(chunk),
                                                    DOC.c.kind.in_([k.value for k in kinds])))
            docs = _BUILDERS[source](context, chunk)
            if docs:
                connection.execute(sa.insert(DOC), docs)


def _ids(connection: Connection, table: sa.Table) -> Iterator[list[int]]:
    last = 0
    while True:
        chunk = list(connection.execute(
            sa.select(table.c.id).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).scalars())
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


_TABLES = {"entry": _ENTRY, "item": _ITEM, "paper": _PAPER, "question": _QUESTION,
           "answer": _ANSWER, "action": _ACTION, "update": _UPDATE, "finding": _FINDING}


def rebuild(connection: Connection) -> int:
    """Build the whole index again from the record; how many documents it holds."""
    connection.execute(sa.delete(DOC))
    for source, table in _TABLES.items():
        for chunk in _ids(connection, table):
            reindex(connection, {source: set(chunk)})
    return connection.execute(sa.select(sa.func.count()).select_from(DOC)).scalar_one()


# --- keeping it in step -------------------------------------------------------------------


def _changed(obj: Any, *names: str) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _documents_of(connection: Connection, condition) -> dict[str, set[int]]:
    """The sources of the documents that meet a condition (to write them again)."""
    found: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in connection.execute(sa.select(DOC.c.kind, DOC.c.object_id)
                                              .where(condition)):
        found[_SOURCE_OF_KIND[Kind(kind)]].add(object_id)
    return found


def _after_flush(session: OrmSession, _context) -> None:
    """Write the documents of what this flush wrote (see the module's docstring)."""
    touched: dict[str, set[int]] = defaultdict(set)
    items_moved: set[int] = set()
    meetings_moved: set[int] = set()
    inspections: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        source = _MODELS.get(type(obj))
        if source is not None:
            if obj in session.dirty and not session.is_modified(obj):
                continue
            touched[source].add(obj.id)
            if source == "item" and obj in session.dirty and _changed(
                    obj, "title", "kind", "parent_id", "meeting_id"):
                items_moved.add(obj.id)
        elif isinstance(obj, ActionOwner):
            touched["action"].add(obj.action_id)
        elif isinstance(obj, Meeting) and obj.id is not None and obj in session.dirty and _changed(
                obj, "starts_at", "meeting_type_id"):
            meetings_moved.add(obj.id)
        elif (isinstance(obj, Inspection) and obj.id is not None and obj in session.dirty
              and _changed(obj, "title", "published_on")):
            inspections.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, ActionOwner):
            touched["action"].add(obj.action_id)
    if not (touched or meetings_moved or inspections):
        return
    connection = session.connection()
    if touched.get("question"):
        touched["answer"] |= set(connection.execute(sa.select(_ANSWER.c.id).where(
            _ANSWER.c.question_id.in_(touched["question"]))).scalars())
    if touched.get("action"):
        touched["update"] |= set(connection.execute(sa.select(_UPDATE.c.id).where(
            _UPDATE.c.action_id.in_(touched["action"]))).scalars())
    if inspections:
        touched["finding"] |= set(connection.execute(sa.select(_FINDING.c.id).where(
            _FINDING.c.inspection_id.in_(inspections))).scalars())
    for condition in ([DOC.c.item_id.in_(items_moved)] if items_moved else []) + (
            [DOC.c.meeting_id.in_(meetings_moved)] if meetings_moved else []):
        for source, ids in _documents_of(connection, condition).items():
            touched[source] |= ids
    deleted = {(type(o), getattr(o, "id", None)) for o in session.deleted}
    reindex(connection, {source: {i for i in ids if (_model(source), i) not in deleted}
                         for source, ids in touched.items()})


def _model(source: str) -> type:
    return next(model for model, name in _MODELS.items() if name == source)


def listen() -> None:
    """Keep the index in step with every session's writes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


listen()
