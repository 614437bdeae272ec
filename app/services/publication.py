"""Publishing approved minutes: the public edition is rendered once and kept as published.

The bytes are stored with their SHA-256 and served from the store afterwards, checked against
it each time; nothing re-renders a published document. Publishing again after an amendment adds
the next version and keeps the earlier ones. Only the public edition is ever published.

Each version is published in three forms, made together from the same public edition: the
Word file, the minutes of the web page (read back from that Word file, app/export/
minutes_html.py) and a tagged PDF of it (app/export/tagged_pdf.py, when LibreOffice is
installed; without it the version is published without a PDF, and the public page says so).
Each form is a row of its own with its own checksum. Versions published before the web page
and the PDF existed have the Word file alone.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import cast

from sqlalchemy import func
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from app.db import begin_writing
from app.export.minutes_docx import render_minutes
from app.export.minutes_html import minutes_html
from app.export.tagged_pdf import PDF_TYPE, tagged_pdf
from app.models import (
    AuditEvent,
    Meeting,
    MeetingStatus,
    MeetingType,
    MinuteAmendment,
    PublishedDocument,
    utcnow,
)
from app.services import audit, word_template
from app.services.dates import end_of_day_utc, to_london, today
from app.services.errors import Conflict, DomainError, NotFound
from app.services.meetings import get_meeting, meeting_title
from app.services.minutes import Edition, load_record, minutes_of
from app.services.office import get_office
from app.services.paging import Page, SortKey, count_of, keyset_page
from app.services.permissions import Actor, Perm, require

log = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML_TYPE = "text/html; charset=utf-8"


class Form(StrEnum):
    """The forms a version of published minutes takes."""

    docx = "docx"  # the Word file: the published edition as the office writes it
    html = "html"  # the minutes of the web page, an HTML fragment
    pdf = "pdf"  # a tagged PDF, for printing


PUBLISHABLE = (MeetingStatus.approved, MeetingStatus.published)
# A document's bytes, as the column they are (for defer: read only when served).
_CONTENT = cast(QueryableAttribute[bytes], PublishedDocument.content)


class Tampered(DomainError):
    """A stored document no longer matches its checksum: it is not served.

    410 Gone: the document published at this address, the bytes its checksum names, is no
    longer held; asking again will not bring it back (503 would say it might), the caller can
    change nothing (409 or 422 would say they could), and nothing is broken in the handling
    of the request (a 5xx). Only the office can publish it again.
    """

    status_code = 410

    def __init__(self, document_id: int) -> None:
        super().__init__("This document failed its integrity check; the office has been told.")
        self.document_id = document_id


# One event an hour for a damaged document is enough to tell the office, however often it
# is asked for.
TAMPERED_REPORT_EVERY = timedelta(hours=1)


def sha256_of(content: bytes) -> str:
    """The hex SHA-256 of some bytes."""
    return hashlib.sha256(content).hexdigest()


def published_versions(session: Session, meeting_id: int) -> list[PublishedDocument]:
    """A meeting's published Word files, one a version, the latest first (their bytes are read
    only when served)."""
    query = select(PublishedDocument).options(defer(_CONTENT)).where(
        PublishedDocument.meeting_id == meeting_id, PublishedDocument.form == Form.docx)
    return list(session.exec(query.order_by(col(PublishedDocument.version).desc())))


def forms_of(session: Session, document: PublishedDocument) -> dict[str, PublishedDocument]:
    """Every form published of a document's version, by form ("docx", "html", "pdf")."""
    query = select(PublishedDocument).options(defer(_CONTENT)).where(
        PublishedDocument.meeting_id == document.meeting_id,
        PublishedDocument.edition == document.edition,
        PublishedDocument.version == document.version)
    return {row.form: row for row in session.exec(query)}


def latest_published(session: Session, meeting_id: int) -> PublishedDocument | None:
    """The current published document of a meeting, if it has one."""
    versions = published_versions(session, meeting_id)
    return versions[0] if versions else None


def unpublished_amendments(session: Session, meeting: Meeting) -> int:
    """How many amendments were made since the minutes were last published."""
    assert meeting.id is not None  # a saved meeting
    latest = latest_published(session, meeting.id)
    if latest is None:
        return 0
    query = select(func.count()).select_from(MinuteAmendment).where(
        MinuteAmendment.meeting_id == meeting.id,
        MinuteAmendment.amended_at > latest.published_at)
    return session.exec(query).one()


def render_public_edition(session: Session, meeting_id: int) -> tuple[str, bytes]:
    """The public edition's title and .docx bytes, as they would be published now."""
    record = load_record(session, meeting_id=meeting_id, redact=True)
    office = get_office(session)
    minutes = minutes_of(record, office_short_name=office.office_short_name,
                         office_name=office.office_name, edition=Edition.public,
                         fmt=record.minutes_format)
    return minutes.title, render_minutes(minutes, word_template.template_bytes(session))


def _filename(title: str, version: int, form: Form = Form.docx) -> str:
    edition = "public" if version == 1 else f"public, version {version}"
    return f"{title} ({edition}).{form.value}"


def _forms(docx: bytes) -> list[tuple[Form, str, bytes]]:
    """The forms a version is published in, made from its Word file: the web page's minutes,
    the PDF (when LibreOffice can print it), then the Word file itself."""
    forms = [(Form.html, HTML_TYPE, minutes_html(docx).encode())]
    pdf = tagged_pdf(docx)
    if pdf is not None:
        forms.append((Form.pdf, PDF_TYPE, pdf))
    return [*forms, (Form.docx, DOCX_TYPE, docx)]


def _publishable(session: Session, meeting: Meeting) -> PublishedDocument | None:
    """Refuse minutes that are not approved or are published as they stand (Conflict); else
    their latest published version, if any."""
    assert meeting.id is not None  # loaded from the database
    if meeting.status not in PUBLISHABLE:
        raise Conflict("Only approved minutes can be published; these are "
                       f"{str(meeting.status).replace('_', ' ')}.")
    latest = latest_published(session, meeting.id)
    if latest is not None and not unpublished_amendments(session, meeting):
        raise Conflict(f"These minutes are already published (version {latest.version}) and "
                       "have not been amended since.")
    return latest


def _last_amendment(session: Session, meeting_id: int) -> tuple[int, object]:
    return cast(tuple[int, object], tuple(session.exec(
        select(func.count(), func.max(MinuteAmendment.id))
        .where(MinuteAmendment.meeting_id == meeting_id)).one()))


def publish_minutes(session: Session, *, meeting_id: int, by: Actor) -> PublishedDocument:
    """Publish the public edition of approved minutes: render it once, keep its bytes and
    checksum. After an amendment, publishing again adds the next version.

    The forms are made (LibreOffice takes seconds to print the PDF) before the use case
    begins to write (db.begin_writing), then what allowed publishing is checked again: a
    publication or an amendment in those seconds is not overwritten or left out."""
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    require(by, Perm.publish_minutes, "Only the secretariat publishes minutes.")
    _publishable(session, meeting)
    seen = _last_amendment(session, meeting.id)
    title, docx = render_public_edition(session, meeting.id)
    forms = _forms(docx)
    begin_writing(session)
    session.refresh(meeting, with_for_update=True)  # as it is now, locked until committed
    latest = _publishable(session, meeting)
    if _last_amendment(session, meeting.id) != seen:
        raise Conflict("The minutes were amended while they were being published. Publish "
                       "them again to include the amendment.")
    version = (latest.version + 1) if latest else 1
    published = [PublishedDocument(
        meeting_id=meeting.id, edition=Edition.public, version=version, form=form,
        title=title, filename=_filename(title, version, form), content_type=content_type,
        size_bytes=len(content), sha256=sha256_of(content), content=content,
        published_by_id=by.user_id,
    ) for form, content_type, content in forms]
    session.add_all(published)
    meeting.status = MeetingStatus.published
    meeting.updated_at = utcnow()
    session.flush()
    document = published[-1]  # the Word file, the published edition as the office writes it
    checksums = ", ".join(f"{d.form} sha256 {d.sha256}" for d in published)
    audit.record(session, by=by, verb="publish", object_type="meeting", object_id=meeting.id,
                 summary=f"public edition, version {version}: {checksums}")
    session.flush()
    return document


def verified_content(document: PublishedDocument) -> bytes:
    """A published document's bytes, after checking them against the stored checksum."""
    content = bytes(document.content)
    if sha256_of(content) != document.sha256 or len(content) != document.size_bytes:
        assert document.id is not None  # a published (saved) document
        raise Tampered(document.id)
    return content


def report_tampered(session: Session, *, document_id: int, address: str | None = None
                    ) -> AuditEvent | None:
    """Tell the office (the audit log, and the server's log) that a published document failed
    its checksum, once an hour at most; the event, or None when one was written lately."""
    since = utcnow() - TAMPERED_REPORT_EVERY
    told = session.exec(select(AuditEvent.id).where(
        AuditEvent.verb == "integrity_failed", AuditEvent.object_type == "published_document",
        AuditEvent.object_id == document_id, AuditEvent.occurred_at >= since)).first()
    if told is not None:
        return None
    document = session.exec(select(PublishedDocument).options(defer(_CONTENT))
                            .where(PublishedDocument.id == document_id)).one()
    summary = (f"meeting {document.meeting_id}, version {document.version}: the stored bytes "
               f"no longer match the checksum recorded at publication (sha256 "
               f"{document.sha256}), so the document is not served; publish it again or "
               "restore it from a backup")
    log.error("published document %s failed its integrity check: %s", document_id, summary)
    return audit.record(session, by=Actor.system(label="integrity check"),
                        verb="integrity_failed", object_type="published_document",
                        object_id=document_id, summary=summary, address=address)


def get_published(session: Session, document_id: int) -> PublishedDocument:
    """A published document, for anyone (it is public), or NotFound."""
    document = session.get(PublishedDocument, document_id)
    if document is None or document.edition != Edition.public:
        raise NotFound(f"There is no published document with id {document_id}.")
    return document


@dataclass
class PublishedVersion:
    """A version of published minutes in the forms it was published in. It reads as its Word
    file (id, checksum, size), which every version has."""

    word: PublishedDocument
    page: PublishedDocument | None = None  # the web page's minutes (html)
    pdf: PublishedDocument | None = None

    @property
    def id(self) -> int | None:
        return self.word.id

    @property
    def version(self) -> int:
        return self.word.version

    @property
    def published_at(self):
        return self.word.published_at

    @property
    def sha256(self) -> str:
        return self.word.sha256

    @property
    def size_bytes(self) -> int:
        return self.word.size_bytes


def versions_of(documents: list[PublishedDocument]) -> list[PublishedVersion]:
    """Documents of one meeting gathered into its versions, the latest first."""
    by_version: dict[int, dict[str, PublishedDocument]] = {}
    for document in documents:
        by_version.setdefault(document.version, {})[document.form] = document
    return [PublishedVersion(word=forms[Form.docx], page=forms.get(Form.html),
                             pdf=forms.get(Form.pdf))
            for _, forms in sorted(by_version.items(), reverse=True) if Form.docx in forms]


@dataclass
class PublishedPage:
    """A version's web page: its minutes (the stored fragment), its version in every form,
    and the meeting's current version (a later one, after an amendment)."""

    page: PublishedDocument
    version: PublishedVersion
    current: PublishedVersion


def published_page(session: Session, document_id: int) -> PublishedPage:
    """The published web page with this id, with the other forms of its version, or
    NotFound (for an id of a Word file or a PDF too: they are downloads)."""
    page = get_published(session, document_id)
    if page.form != Form.html:
        raise NotFound(f"There is no published web page with id {document_id}.")
    versions = versions_of(list(session.exec(
        select(PublishedDocument).options(defer(_CONTENT)).where(
            PublishedDocument.meeting_id == page.meeting_id,
            PublishedDocument.edition == Edition.public))))
    version = next(v for v in versions if v.version == page.version)
    return PublishedPage(page=page, version=version, current=versions[0])


@dataclass
class PublicListing:
    """A meeting's published minutes as the public page lists them."""

    meeting: Meeting
    title: str
    held_on: date
    current: PublishedVersion
    earlier: list[PublishedVersion] = field(default_factory=list)


PUBLIC_PAGE_SIZE = 25
# The latest meeting first; meetings at the same time in the order they were made.
PUBLIC_KEYS = (
    SortKey(col(Meeting.starts_at), lambda row: row[0].starts_at, descending=True),
    SortKey(col(Meeting.id), lambda row: row[0].id),
)


@dataclass
class PublicPage:
    """A page of the public listing, and how many meetings have published minutes."""

    listings: list[PublicListing]
    total: int
    page: Page


def public_listing(session: Session, *, limit: int = PUBLIC_PAGE_SIZE, after: str | None = None,
                   before: str | None = None, most: int = 100) -> PublicPage:
    """A page of the meetings with published minutes, the latest meeting first, each with its
    current published version and the earlier ones: one query for the page's meetings, one
    for their documents (their public editions only), one count."""
    published = select(PublishedDocument.meeting_id).where(
        PublishedDocument.edition == Edition.public)
    query = (select(Meeting, MeetingType)
             .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
             .where(col(Meeting.id).in_(published)))
    page = keyset_page(session, query, keys=PUBLIC_KEYS, limit=limit, cursor=after,
                       before=before, scope="public", filters={}, most=most)
    documents: dict[int | None, list[PublishedDocument]] = {}
    ids = [meeting.id for meeting, _ in page.rows]
    if ids:
        for document in session.exec(
                select(PublishedDocument).options(defer(_CONTENT))
                .where(col(PublishedDocument.meeting_id).in_(ids),
                       PublishedDocument.edition == Edition.public)
                .order_by(col(PublishedDocument.version).desc())):
            documents.setdefault(document.meeting_id, []).append(document)
    listings = []
    for meeting, meeting_type in page.rows:
        current, *earlier = versions_of(documents[meeting.id])
        listings.append(PublicListing(
            meeting=meeting, title=meeting_title(meeting, meeting_type),
            held_on=to_london(meeting.starts_at).date(), current=current, earlier=earlier))
    return PublicPage(listings=listings, total=count_of(session, query), page=page)


# --- the publication deadline ---------------------------------------------------------------

DUE_SOON_DAYS = 3


@dataclass
class LateMinutes:
    """Minutes not yet published, late or due soon."""

    meeting: Meeting
    title: str
    due_on: date
    days_left: int  # negative when late

    @property
    def late(self) -> bool:
        return self.days_left < 0


def publication_due(meeting: Meeting, within_days: int) -> date:
    """The day by which a meeting's minutes should be published."""
    return to_london(meeting.starts_at).date() + timedelta(days=within_days)


def minutes_due(session: Session, *, on: date | None = None) -> list[LateMinutes]:
    """Meetings held whose minutes are not published and are late or due within three days,
    the most overdue first."""
    on = on or today()
    within = get_office(session).publish_within_days
    # A meeting held after `on` is not due; one held long ago and never published still is.
    query = (
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(col(Meeting.status).not_in([MeetingStatus.published, MeetingStatus.cancelled,
                                           MeetingStatus.planned, MeetingStatus.agenda_issued]),
               Meeting.starts_at <= end_of_day_utc(on))
    )
    due = []
    for meeting, meeting_type in session.exec(query):
        due_on = publication_due(meeting, within)
        days_left = (due_on - on).days
        if days_left <= DUE_SOON_DAYS:
            # Named by its day, as the agenda is, so it reads apart from the meetings list.
            local = to_london(meeting.starts_at)
            due.append(LateMinutes(meeting=meeting,
                                   title=f"{meeting_type.name} {local.day} {local:%B %Y}",
                                   due_on=due_on, days_left=days_left))
    return sorted(due, key=lambda d: (d.days_left, d.meeting.id))
