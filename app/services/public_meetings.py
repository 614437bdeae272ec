"""The meetings still to be held, as the public sees them: when and where, how to attend, the
public agenda once it has been issued, and the papers that are public.

What the public may see is decided here, with app/services/visibility.py: a meeting to come
that is not cancelled (planned, or with its agenda issued); its agenda only once issued, in
its public edition (an exempt item as its number, title and the exemption, nothing under it);
the papers of items that are not exempt, of meetings whose agenda has been issued or whose
minutes are published (visibility.public_paper_where). A meeting whose agenda was issued keeps
its page, agenda and papers once held, until and after its minutes are published (not once
cancelled: its papers stay readable, its page goes). Reading these pages writes nothing (no
audit event: they are public, and read by anyone, often).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.models import (
    NOT_YET_HELD,
    Meeting,
    MeetingStatus,
    MeetingType,
    Paper,
    utcnow,
)
from app.services.calendar import DEFAULT_DURATION, LOOKBACK, ical_feed
from app.services.dates import start_of_day_utc, to_london, today
from app.services.errors import NotFound
from app.services.meeting_papers import AgendaDocument, agenda_document
from app.services.minutes import Edition
from app.services.office import get_office
from app.services.paging import Page, SortKey, count_of, keyset_page
from app.services.papers import PDF
from app.services.publication import Form, forms_of, latest_published
from app.services.visibility import agenda_issued_where, agenda_was_issued, public_paper_where

# A meeting held after its agenda was issued keeps its public page (its agenda and papers),
# at any stage but cancelled. A meeting may start without its agenda ever issued
# (planned → in progress): its papers were never public, and it has no public page.
HELD = (MeetingStatus.in_progress, MeetingStatus.draft, MeetingStatus.approved,
        MeetingStatus.published)
PAGE_SIZE = 25
# How many of the meetings to come /public shows before "All forthcoming meetings".
ON_PUBLIC_PAGE = 3
# The most meetings a calendar feed holds (60 days back and what is planned ahead).
FEED_MOST = 500
# The soonest meeting first; meetings at the same time in the order they were made.
KEYS = (
    SortKey(col(Meeting.starts_at), lambda row: row[0].starts_at),
    SortKey(col(Meeting.id), lambda row: row[0].id),
)


def attendance_words(office_contact: str) -> str:
    """How the public may attend, as the office would say it, with how to get in touch."""
    words = ("The Commissioner holds this meeting in public: anyone may come and watch. "
             "Items the agenda marks as considered in private are taken without the public "
             "present.")
    if office_contact:
        words += (f" To tell the office you are coming, or to ask for help to attend (such "
                  f"as step-free access or a hearing loop), contact {office_contact}.")
    return words


def contact_words(session: Session) -> str:
    """The office's public email and telephone number in a phrase ("info@… or 01905 331545"),
    or "" when it has given neither."""
    office = get_office(session)
    return " or ".join(v for v in (office.contact_email, office.contact_phone) if v)


@dataclass
class ForthcomingMeeting:
    """A meeting to come, as the public lists it."""

    meeting: Meeting
    title: str  # "Monthly Assurance Meeting 30 April 2019"
    starts: datetime  # London time
    ends: datetime  # London time
    venue: str
    agenda_issued: bool
    to_come: bool = True  # False: held (in progress, or its minutes drafted or published)
    in_progress: bool = False


@dataclass
class ForthcomingPage:
    meetings: list[ForthcomingMeeting]
    total: int
    page: Page


def _forthcoming(meeting: Meeting, meeting_type: MeetingType) -> ForthcomingMeeting:
    local = to_london(meeting.starts_at)
    return ForthcomingMeeting(
        meeting=meeting, title=f"{meeting_type.name} {local.day} {local:%B %Y}",
        starts=local, ends=to_london(meeting.ends_at or meeting.starts_at + DEFAULT_DURATION),
        venue=meeting.venue, agenda_issued=agenda_was_issued(meeting),
        to_come=meeting.status in NOT_YET_HELD,
        in_progress=meeting.status == MeetingStatus.in_progress)


def _to_come(on: date):
    """The meetings to come from the start of `on` (London), not cancelled, with their
    series."""
    return (select(Meeting, MeetingType)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .where(col(Meeting.status).in_(NOT_YET_HELD),
                   Meeting.starts_at >= start_of_day_utc(on)))


def forthcoming_page(session: Session, *, limit: int = PAGE_SIZE, after: str | None = None,
                     before: str | None = None, most: int = 100,
                     on: date | None = None) -> ForthcomingPage:
    """A page of the meetings still to be held, the soonest first: one query for the page,
    one count."""
    query = _to_come(on or today())
    page = keyset_page(session, query, keys=KEYS, limit=limit, cursor=after, before=before,
                       scope="public meetings", filters={}, most=most)
    return ForthcomingPage(meetings=[_forthcoming(m, t) for m, t in page.rows],
                           total=count_of(session, query), page=page)


@dataclass
class PublicPaper:
    id: int
    filename: str
    size_bytes: int
    content_type: str

    @property
    def kind(self) -> str:
        """"PDF" or "Word", as a download link says what it gets."""
        return "PDF" if self.content_type == PDF else "Word"


@dataclass
class PublicMeeting:
    """Everything the public page of a meeting to come shows."""

    listing: ForthcomingMeeting
    attendance: str  # how to attend or watch
    agenda: AgendaDocument | None  # None until the agenda is issued
    papers: dict[str, list[PublicPaper]] = field(default_factory=dict)  # by item number
    minutes_page_id: int | None = None  # its published minutes as a web page, once published


def public_meeting(session: Session, meeting_id: int, *, on: date | None = None
                   ) -> PublicMeeting:
    """A meeting still to be held as the public sees it, or one held after its agenda was
    issued (its agenda and papers stay public); NotFound for any other meeting (held without
    its agenda issued, cancelled or unknown: the same answer, so nothing can be learned by
    asking)."""
    found = session.exec(_to_come(on or today()).where(Meeting.id == meeting_id)).first()
    if found is None:
        found = session.exec(
            select(Meeting, MeetingType)
            .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
            .where(Meeting.id == meeting_id, col(Meeting.status).in_(HELD),
                   agenda_issued_where())).first()
    if found is None:
        raise NotFound(f"There is no public meeting with id {meeting_id}.")
    meeting, meeting_type = found
    listing = _forthcoming(meeting, meeting_type)
    result = PublicMeeting(listing=listing, attendance=attendance_words(contact_words(session)),
                           agenda=None)
    if listing.agenda_issued:
        result.agenda = agenda_document(session, meeting, edition=Edition.public)
        result.papers = {number: [PublicPaper(p.id, p.filename, p.size_bytes, p.content_type)
                                   for p in papers]
                         for number, papers in _papers_by_number(session, result.agenda)}
    if meeting.status == MeetingStatus.published:
        latest = latest_published(session, meeting_id)
        page = forms_of(session, latest).get(Form.html) if latest is not None else None
        result.minutes_page_id = page.id if page is not None else None
    return result


def _papers_by_number(session: Session, agenda: AgendaDocument):
    """Each public item's papers, by the item's number, from the ids the agenda gives."""
    ids = [i for entry in _walk(agenda.items) for i in entry.paper_ids]
    papers = ({p.id: p for p in session.exec(
        select(Paper).where(col(Paper.id).in_(ids), public_paper_where(few=True)))} if ids else {})
    for entry in _walk(agenda.items):
        if entry.paper_ids:
            yield entry.number, [papers[i] for i in entry.paper_ids if i in papers]


def _walk(entries):
    for entry in entries:
        yield entry
        yield from _walk(entry.children)


def public_paper(session: Session, paper_id: int) -> Paper:
    """A paper the public may download (visibility.public_paper_where: of an item that is not
    exempt, nor under one, of a meeting whose agenda has been issued, whatever its stage
    since, or whose minutes are published); NotFound otherwise, whatever the reason."""
    paper = session.exec(select(Paper).where(Paper.id == paper_id, public_paper_where(few=True))
                         ).first()
    if paper is None:
        raise NotFound(f"There is no public paper with id {paper_id}.")
    return paper


def public_calendar(session: Session, *, base_url: str, now: datetime | None = None) -> bytes:
    """The iCalendar feed of public meetings: those to come and those of the last 60 days
    (cancelled ones included, so that a calendar that has them shows them cancelled), each
    linked to its public page while it is still to come."""
    since = (now or utcnow()) - LOOKBACK
    meetings = list(session.exec(
        select(Meeting).where(Meeting.starts_at >= since)
        .order_by(col(Meeting.starts_at), col(Meeting.id)).limit(FEED_MOST)))
    office = get_office(session)
    return ical_feed(session, meetings, name=f"{office.office_short_name} public meetings",
                     base_url=base_url, public=True)

