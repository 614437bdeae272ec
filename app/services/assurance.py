"""Assurance as data: the level the Commissioner concluded on an item (assured, partially
assured, not assured), kept on an assurance statement and followed on a theme's page across
meetings.

The rules:
- Only an assurance statement (entry kind "assurance") has a level. A level sent with any
  other kind is refused (422) and nothing is saved. A paragraph whose kind changes away from
  "assurance" loses its level; the saved versions keep it, so it can be read back.
- A level may be left out (not yet given) or taken away (null).
- A theme's history lists the assurance statements of the items on that theme (an item whose
  title is the theme, or on which a question of that theme was put, and their sub-items),
  newest meeting first, a page at a time; readers who may not see exempt material never see
  (or count) a statement in an exempt paragraph or under an exempt item.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    AssuranceLevel,
    EntryKind,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinuteEntry,
    Question,
)
from app.services.errors import InvalidInput
from app.services.permissions import Actor
from app.services.visibility import sees_exempt

PAGE_SIZE = 20

# The level in the users' words, as the pages and the minutes print it.
LEVEL_WORDS: dict[str, str] = {
    AssuranceLevel.assured: "Assured",
    AssuranceLevel.partially_assured: "Partially assured",
    AssuranceLevel.not_assured: "Not assured",
}
# A tag beside the words (never the colour alone).
LEVEL_TAGS: dict[str, str] = {
    AssuranceLevel.assured: "govuk-tag--green",
    AssuranceLevel.partially_assured: "govuk-tag--yellow",
    AssuranceLevel.not_assured: "govuk-tag--red",
}


def level_words(level: str | None) -> str:
    """"Partially assured", or "" when no level was given."""
    return LEVEL_WORDS.get(level or "", "")


def settle_level(kind: str, changes: dict, current_level: str | None) -> None:
    """Check and settle the level a save leaves on a paragraph that will be of kind `kind`: a
    level on another kind than an assurance statement is refused; a paragraph that stops being
    one loses its level. `changes` (the fields the save sets) is updated in place."""
    if kind == EntryKind.assurance:
        return
    if changes.get("assurance_level") is not None:
        raise InvalidInput({"assurance_level": (
            "only an assurance statement has an assurance level: make the paragraph an "
            "assurance statement (kind \"assurance\"), or leave the level out")})
    if current_level is not None or "assurance_level" in changes:
        changes["assurance_level"] = None


# --- a theme's assurance over time ---------------------------------------------------------


@dataclass
class AssuranceRow:
    entry_id: int
    starts_at: datetime  # the meeting's start, UTC
    meeting_id: int
    meeting_type: str
    item_title: str
    level: str | None
    text: str
    exempt: bool  # the paragraph or its item is exempt (shown only to those who may see it)


@dataclass
class AssurancePage:
    rows: list[AssuranceRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


_PARENT = aliased(AgendaItem, name="parent_item")
_GRANDPARENT = aliased(AgendaItem, name="grandparent_item")


def _query(theme: str, by: Actor):
    wanted = theme.strip().lower()
    parent, grandparent = _PARENT, _GRANDPARENT
    on_theme = select(Question.item_id).where(
        func.lower(func.trim(Question.theme)) == wanted, col(Question.item_id).is_not(None))
    query = (
        select(MinuteEntry, AgendaItem, Meeting,
               # whether an item above is exempt (exemption is inherited)
               or_(func.coalesce(parent.exempt, False), func.coalesce(grandparent.exempt, False)))
        .join(AgendaItem, col(AgendaItem.id) == MinuteEntry.item_id)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .outerjoin(parent, col(parent.id) == AgendaItem.parent_id)
        .outerjoin(grandparent, col(grandparent.id) == parent.parent_id)
        .where(MinuteEntry.kind == EntryKind.assurance, col(MinuteEntry.deleted_at).is_(None),
               Meeting.status != MeetingStatus.cancelled,
               or_(func.lower(func.trim(AgendaItem.title)) == wanted,
                   func.lower(func.trim(parent.title)) == wanted,
                   col(AgendaItem.id).in_(on_theme),
                   col(parent.id).in_(on_theme)))
    )
    if not sees_exempt(by):
        # Exemption is inherited from the item above (an agenda nests three deep at most).
        query = query.where(
            col(MinuteEntry.exempt).is_(False), col(AgendaItem.exempt).is_(False),
            or_(col(parent.id).is_(None), col(parent.exempt).is_(False)),
            or_(col(grandparent.id).is_(None), col(grandparent.exempt).is_(False)))
    return query


def theme_assurance(session: Session, *, theme: str, by: Actor, page: int = 1) -> AssurancePage:
    """One page of the assurance statements minuted on a theme, newest meeting first, as this
    reader may see them; the total counts only those."""
    if not theme.strip():
        return AssurancePage(rows=[], total=0, page=1)
    query = _query(theme, by)
    total = session.exec(select(func.count()).select_from(
        query.with_only_columns(col(MinuteEntry.id)).subquery())).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    parent, grandparent = _PARENT, _GRANDPARENT
    # Within a meeting, in agenda order: an item's place under its parents, then the
    # paragraph's place in the item.
    first = func.coalesce(grandparent.position, parent.position, AgendaItem.position)
    second = case((col(grandparent.id).is_not(None), parent.position),
                  (col(parent.id).is_not(None), AgendaItem.position), else_=0)
    third = case((col(grandparent.id).is_not(None), AgendaItem.position), else_=0)
    found = session.exec(query.order_by(
        col(Meeting.starts_at).desc(), col(Meeting.id).desc(), first, second, third,
        col(MinuteEntry.position), col(MinuteEntry.id))
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    series = {t.id: t.name for t in session.exec(select(MeetingType).where(
        col(MeetingType.id).in_({m.meeting_type_id for _, _, m, _ in found})))}
    rows = []
    for entry, item, meeting, above in found:
        exempt = bool(entry.exempt or item.exempt or above)
        rows.append(AssuranceRow(
            entry_id=entry.id, starts_at=meeting.starts_at, meeting_id=meeting.id,
            meeting_type=series.get(meeting.meeting_type_id, ""), item_title=item.title,
            level=entry.assurance_level, text=entry.text, exempt=exempt))
    return AssurancePage(rows=rows, total=total, page=page)

