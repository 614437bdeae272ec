"""The Atom feed of what the office publishes: each published version of the minutes, and the
decisions those minutes record (an exempt decision as its reference, its item's title and
the exemption, never its words: app/services/decisions.py published_decisions decides).

Feed readers fetch it often and anyone may: it is built from at most FEED_MOST of each, the
most recently published first, and writes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.models import Meeting, MeetingType, PublishedDocument
from app.services.dates import long_date, to_london
from app.services.decisions import published_decisions
from app.services.meetings import meeting_title
from app.services.minutes import Edition
from app.services.office import get_office
from app.services.publication import Form

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_MOST = 50
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class FeedEntry:
    id: str
    title: str
    updated: datetime  # UTC
    link: str
    link_type: str
    summary: str
    category: str  # "minutes" or "decision"


def _stamp(value: datetime) -> str:
    """An RFC 3339 time in UTC, as Atom wants it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _minutes_entries(session: Session, base_url: str) -> list[FeedEntry]:
    rows = session.exec(
        select(PublishedDocument, Meeting, MeetingType)
        .options(defer(PublishedDocument.content))  # type: ignore[arg-type]
        .join(Meeting, col(Meeting.id) == PublishedDocument.meeting_id)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        # one entry a version: its Word file (the page and the PDF are its other forms)
        .where(PublishedDocument.edition == Edition.public,
               PublishedDocument.form == Form.docx)
        .order_by(col(PublishedDocument.published_at).desc(), col(PublishedDocument.id).desc())
        .limit(FEED_MOST))
    entries = []
    for document, meeting, meeting_type in rows:
        held = long_date(to_london(meeting.starts_at))
        version = f", version {document.version} (amended)" if document.version > 1 else ""
        entries.append(FeedEntry(
            id=f"{base_url}/public/documents/{document.id}",
            title=f"Minutes: {meeting_title(meeting, meeting_type)}{version}",
            updated=document.published_at,
            link=f"{base_url}/public/documents/{document.id}", link_type=DOCX_TYPE,
            summary=(f"The public minutes of the {meeting_type.name} held on {held}, as "
                     f"published (Word, {document.size_bytes // 1024 + 1} KB; SHA-256 "
                     f"{document.sha256})."),
            category="minutes"))
    return entries


def _decision_entries(session: Session, base_url: str) -> list[FeedEntry]:
    entries = []
    for decision in published_decisions(session, most=FEED_MOST):
        held = long_date(to_london(decision.starts_at))
        where = f"{decision.meeting_type} held on {held}, under “{decision.item_title}”"
        if decision.exempt:
            summary = (f"Taken in private at the {where}; not published (exempt: "
                       f"{decision.exempt_reason}).")
        else:
            summary = f"{decision.text}\n\nMinuted at the {where}."
        entries.append(FeedEntry(
            id=f"{base_url}/public#decision-{decision.reference}",
            title=f"Decision {decision.reference}: {decision.item_title}",
            updated=decision.published_at, link=f"{base_url}/public", link_type="text/html",
            summary=summary, category="decision"))
    return entries


def atom_feed(session: Session, *, base_url: str) -> bytes:
    """The Atom document (RFC 4287) of published minutes and decisions, the latest first;
    `base_url` has no trailing slash."""
    office = get_office(session)
    entries = sorted(_minutes_entries(session, base_url) + _decision_entries(session, base_url),
                     key=lambda e: (_stamp(e.updated), e.id), reverse=True)
    ElementTree.register_namespace("", ATOM)

    def sub(parent, tag: str, text: str | None = None, **attributes: str):
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    feed = ElementTree.Element(f"{{{ATOM}}}feed",
                                {"{http://www.w3.org/XML/1998/namespace}lang": "en-GB"})
    sub(feed, "id", f"{base_url}/public/feed.atom")
    sub(feed, "title", f"{office.office_name}: published minutes and decisions")
    sub(feed, "subtitle", "The public minutes of the Commissioner's meetings with the force, "
                          "and the decisions they record, as published.")
    sub(feed, "link", rel="self", href=f"{base_url}/public/feed.atom", type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=f"{base_url}/public", type="text/html")
    author = sub(feed, "author")
    sub(author, "name", office.office_name)
    updated = max((e.updated for e in entries), default=office.updated_at)
    sub(feed, "updated", _stamp(updated))
    for entry in entries:
        element = sub(feed, "entry")
        sub(element, "id", entry.id)
        sub(element, "title", entry.title)
        sub(element, "updated", _stamp(entry.updated))
        sub(element, "link", rel="alternate", href=entry.link, type=entry.link_type)
        sub(element, "category", term=entry.category)
        sub(element, "summary", entry.summary, type="text")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
