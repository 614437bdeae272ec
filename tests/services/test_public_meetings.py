"""The meetings still to be held as the public sees them (app/services/public_meetings.py),
the Atom feed of published minutes and decisions (public_feed.py), and the office's contact
details and accessibility statement dates (office.py)."""

from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.models import AgendaItem, EntryKind, ItemKind, MinuteEntry
from app.services import public_meetings
from app.services.approval import amend_entry
from app.services.errors import InvalidInput, NotFound
from app.services.meetings import start_meeting
from app.services.office import OfficeChanges, get_office, update_office
from app.services.papers import attach_paper
from app.services.public_feed import ATOM, atom_feed
from app.services.publication import publish_minutes
from app.services.stages import issue_agenda
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    advance_meeting,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)

BASE = "https://opcc.example"
SECRET = "SecretPartTwoWordsQzx"


def _day(offset: int, hour: int = 10) -> datetime:
    return datetime.combine(date.today() + timedelta(days=offset), time(hour))


@pytest.fixture
def series(session):
    return make_meeting_type(session, name="Accountability Board")


def test_only_meetings_still_to_be_held_are_listed_the_soonest_first(session, series):
    later = make_meeting(session, series, starts_at=_day(40), venue="Room 1.38")
    sooner = make_meeting(session, series, starts_at=_day(5))
    issued = make_meeting(session, series, starts_at=_day(12))
    issue_agenda(session, meeting_id=issued.id, by=SYSTEM)
    session.commit()
    held = make_meeting(session, series, starts_at=_day(-3), status="draft")
    cancelled = make_meeting(session, series, starts_at=_day(20))
    advance_meeting(session, cancelled, "cancelled")
    page = public_meetings.forthcoming_page(session)
    assert [m.meeting.id for m in page.meetings] == [sooner.id, issued.id, later.id]
    assert page.total == 3
    assert [m.agenda_issued for m in page.meetings] == [False, True, False]
    assert page.meetings[2].venue == "Room 1.38"
    for hidden in (held, cancelled):
        with pytest.raises(NotFound):
            public_meetings.public_meeting(session, hidden.id)


def test_the_list_is_paged_and_each_meeting_comes_once(session, series):
    made = [make_meeting(session, series, starts_at=_day(3 + i)).id for i in range(7)]
    first = public_meetings.forthcoming_page(session, limit=3)
    second = public_meetings.forthcoming_page(session, limit=3, after=first.page.next_cursor)
    third = public_meetings.forthcoming_page(session, limit=3, after=second.page.next_cursor)
    seen = [m.meeting.id for p in (first, second, third) for m in p.meetings]
    assert seen == made and third.page.next_cursor is None and first.total == 7


def test_times_are_london_times(session, series):
    # 10:00 in London in summer is 09:00 UTC; the page says 10:00.
    meeting = make_meeting(session, series, starts_at=datetime(2030, 7, 2, 10))
    listing = public_meetings.public_meeting(session, meeting.id, on=date(2030, 6, 1)).listing
    assert (listing.starts.hour, listing.starts.utcoffset()) == (10, timedelta(hours=1))
    assert listing.ends - listing.starts == timedelta(hours=2)


def _meeting_with_private_item(session, series):
    meeting = make_meeting(session, series, starts_at=_day(14), venue="Hindlip Hall")
    roads = make_item(session, meeting, title="Roads policing",
                      commission="The Commissioner requires a report on speed cameras.")
    covert = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       commission=f"A report on {SECRET}.", exempt=True,
                       exempt_reason="section 31 of the FOI Act 2000")
    make_item(session, meeting, parent=covert, title=f"Sub {SECRET}")
    public = attach_paper(session, item_id=roads.id, filename="roads.pdf", content=PDF_BYTES,
                          by=SYSTEM)
    private = attach_paper(session, item_id=covert.id, filename=f"{SECRET}.pdf",
                           content=PDF_BYTES, by=SYSTEM)
    session.commit()
    return meeting, public, private


def test_the_agenda_is_public_once_issued_and_exempt_items_only_as_title_and_reason(
        session, series):
    meeting, public, private = _meeting_with_private_item(session, series)
    before = public_meetings.public_meeting(session, meeting.id)
    assert before.agenda is None and before.papers == {}
    with pytest.raises(NotFound):  # not before the agenda is issued
        public_meetings.public_paper(session, public.id)

    issue_agenda(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    found = public_meetings.public_meeting(session, meeting.id)
    roads, covert = found.agenda.items
    assert roads.title == "Roads policing" and "speed cameras" in roads.commission
    assert covert.title == "Covert tactics" and covert.children == []
    assert "section 31" in covert.exempt_notice and covert.commission == ""
    assert SECRET not in repr(found)
    assert {n: [p.filename for p in ps] for n, ps in found.papers.items()} == {
        roads.number: ["roads.pdf"]}
    assert public_meetings.public_paper(session, public.id).id == public.id
    with pytest.raises(NotFound):
        public_meetings.public_paper(session, private.id)
    with pytest.raises(NotFound):
        public_meetings.public_paper(session, 987654)


def test_a_meeting_started_without_its_agenda_issued_has_no_public_papers(session, series):
    """planned → in progress is allowed: the papers of such a meeting were never public, and
    become so only with its published minutes."""
    meeting, public, _private = _meeting_with_private_item(session, series)
    start_meeting(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    with pytest.raises(NotFound):
        public_meetings.public_paper(session, public.id)


def test_a_meeting_started_without_its_agenda_issued_shows_its_papers_once_published(
        session, series):
    """Not at any stage before: held, draft or approved, its papers stay the office's; its
    page too."""
    meeting, public, _private = _meeting_with_private_item(session, series)
    for stage in ("in_progress", "draft", "approved"):
        advance_meeting(session, meeting, stage)
        with pytest.raises(NotFound):
            public_meetings.public_paper(session, public.id)
        with pytest.raises(NotFound):
            public_meetings.public_meeting(session, meeting.id)
    publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    assert public_meetings.public_paper(session, public.id).id == public.id


def test_papers_of_an_issued_agenda_stay_public_at_every_later_stage(session, series):
    """A paper read before the meeting can still be read while it is held, while its minutes
    are drafted and approved, and once they are published; an exempt item's never."""
    meeting, public, private = _meeting_with_private_item(session, series)
    covert = session.get(AgendaItem, private.item_id)
    under_covert = attach_paper(session, item_id=make_item(session, meeting, parent=covert).id,
                                filename="annex.pdf", content=PDF_BYTES, by=SYSTEM)
    issue_agenda(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    for stage in ("in_progress", "draft", "approved", "published"):
        if stage == "published":
            publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
            session.commit()
        else:
            advance_meeting(session, meeting, stage)
        assert meeting.status == stage
        assert public_meetings.public_paper(session, public.id).id == public.id, stage
        for refused in (private.id, under_covert.id):
            with pytest.raises(NotFound):
                public_meetings.public_paper(session, refused)
        # its page still gives the public agenda and the papers, saying it has been held
        found = public_meetings.public_meeting(session, meeting.id)
        assert found.agenda is not None and not found.listing.to_come, stage
        assert [p.id for ps in found.papers.values() for p in ps] == [public.id], stage
        assert SECRET not in repr(found)
        # the calendar feed links the meeting to that page still
        calendar = Calendar.from_ical(public_meetings.public_calendar(session, base_url=BASE))
        assert [str(e["url"]) for e in calendar.walk("VEVENT")] == [
            f"{BASE}/public/meetings/{meeting.id}"], stage
    assert found.minutes_page_id is not None  # published: the page links to the minutes


def test_a_meeting_made_with_its_agenda_issued_keeps_its_papers_public_once_held(
        session, series):
    """The API may make a meeting at "agenda issued": it too remembers that once started."""
    meeting = make_meeting(session, series, starts_at=_day(3), status="agenda_issued")
    paper = attach_paper(session, item_id=make_item(session, meeting).id, filename="r.pdf",
                         content=PDF_BYTES, by=SYSTEM)
    session.commit()
    advance_meeting(session, meeting, "in_progress")
    assert public_meetings.public_paper(session, paper.id).id == paper.id


def test_a_cancelled_meeting_keeps_the_papers_its_agenda_made_public(session, series):
    """Cancelled after its agenda was issued, a meeting has no public page any more, but the
    papers the public may have read stay readable (what was published stays published); a
    meeting cancelled before its agenda was issued never made any public."""
    meeting, public, private = _meeting_with_private_item(session, series)
    never, never_public, _ = _meeting_with_private_item(session, series)
    issue_agenda(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    advance_meeting(session, meeting, "cancelled")
    advance_meeting(session, never, "cancelled")
    assert public_meetings.public_paper(session, public.id).id == public.id
    for refused in (private.id, never_public.id):
        with pytest.raises(NotFound):
            public_meetings.public_paper(session, refused)
    for hidden in (meeting.id, never.id):
        with pytest.raises(NotFound):
            public_meetings.public_meeting(session, hidden)


def test_how_to_attend_names_the_office_contact(session, series):
    meeting = make_meeting(session, series, starts_at=_day(9))
    assert "contact" not in public_meetings.public_meeting(session, meeting.id).attendance
    update_office(session, changes=OfficeChanges(contact_email="info@opcc.example",
                                                 contact_phone="01905 331545"), by=SYSTEM)
    words = public_meetings.public_meeting(session, meeting.id).attendance
    assert "anyone may come" in words and "info@opcc.example or 01905 331545" in words


def test_the_public_calendar_links_to_public_pages_and_shows_cancellations(session, series):
    meeting = make_meeting(session, series, starts_at=_day(14), venue="Hindlip Hall")
    cancelled = make_meeting(session, series, starts_at=_day(21))
    advance_meeting(session, cancelled, "cancelled")
    make_meeting(session, series, starts_at=_day(-90))  # too long ago to be in the feed
    calendar = Calendar.from_ical(public_meetings.public_calendar(session, base_url=BASE))
    events = {str(e["url"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{BASE}/public/meetings/{meeting.id}", f"{BASE}/public"}
    ours = events[f"{BASE}/public/meetings/{meeting.id}"]
    assert str(ours["location"]) == "Hindlip Hall" and str(ours["status"]) == "CONFIRMED"
    assert "/meetings/" not in str(ours["description"]).replace("/public/meetings/", "")
    assert str(events[f"{BASE}/public"]["status"]) == "CANCELLED"


# --- the Atom feed --------------------------------------------------------------------------


def _published_with_decisions(session, series):
    pcc = make_person(session, full_name="Commissioner Ash", initials="CA",
                      role_abbreviation="PCC")
    meeting = make_meeting(session, series, starts_at=datetime(2026, 3, 10, 10), status="draft",
                           chair_id=pcc.id)
    roads = make_item(session, meeting, title="Roads policing")
    make_entry(session, roads, kind=EntryKind.decision,
               text="The PCC agreed to fund two more camera vans.")
    make_entry(session, roads, kind=EntryKind.decision, text=f"Agreed {SECRET} in private.",
               exempt=True, exempt_reason="section 40 of the FOI Act 2000")
    covert = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    sub = make_item(session, meeting, parent=covert, title=f"Sub {SECRET}")
    make_entry(session, sub, kind=EntryKind.decision, text=f"Approved {SECRET}.")
    advance_meeting(session, meeting, "approved")
    document = publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    return meeting, document


def _atom(session):
    return ElementTree.fromstring(atom_feed(session, base_url=BASE))


def _q(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def test_the_atom_feed_has_the_published_minutes_and_decisions_without_part_two(
        session, series):
    meeting, document = _published_with_decisions(session, series)
    # Decisions of minutes not yet published are not in the feed.
    unpublished = make_meeting(session, series, starts_at=datetime(2026, 4, 10, 10),
                               status="draft")
    make_entry(session, make_item(session, unpublished), kind=EntryKind.decision,
               text="Agreed before publication.")
    raw = atom_feed(session, base_url=BASE).decode()
    assert SECRET not in raw and "Agreed before publication" not in raw
    feed = ElementTree.fromstring(raw)
    assert feed.tag == _q("feed")
    assert feed.find(_q("id")).text == f"{BASE}/public/feed.atom"
    assert feed.find(_q("updated")).text.endswith("Z")
    entries = feed.findall(_q("entry"))
    titles = [e.find(_q("title")).text for e in entries]
    assert titles[0].startswith("Minutes: Accountability Board")
    minutes = entries[0]
    assert minutes.find(_q("link")).get("href") == f"{BASE}/public/documents/{document.id}"
    assert document.sha256 in minutes.find(_q("summary")).text
    # one entry for the published version, however many forms it has (page, PDF, Word)
    assert [e.find(_q("category")).get("term") for e in entries].count("minutes") == 1
    decisions = [e for e in entries if e.find(_q("category")).get("term") == "decision"]
    assert len(decisions) == 2
    summaries = {e.find(_q("title")).text: e.find(_q("summary")).text for e in decisions}
    said = [s for s in summaries.values() if "camera vans" in s]
    assert len(said) == 1
    # the exempt paragraph of the open item is left out without a trace, as in the public
    # edition; the decision under the exempt item is named by that item and its reason
    private = [s for s in summaries.values() if "Taken in private" in s]
    assert len(private) == 1 and "section 31" in private[0], summaries
    assert "section 40" not in raw
    assert sorted(t.split(": ", 1)[1] for t in summaries) == ["Covert tactics", "Roads policing"]
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(_q(tag)) is not None and entry.find(_q(tag)).text


def test_an_amendment_published_again_is_a_new_entry(session, series):
    meeting, first = _published_with_decisions(session, series)
    entry = session.exec(select(MinuteEntry).where(MinuteEntry.text.startswith("The PCC agreed"))
                         ).one()
    amend_entry(session, entry_id=entry.id, reason="A slip", text="The PCC agreed to fund "
                "three more camera vans.", by=SYSTEM)
    session.commit()
    second = publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    ids = [e.find(_q("id")).text for e in _atom(session).findall(_q("entry"))
           if e.find(_q("category")).get("term") == "minutes"]
    assert ids == [f"{BASE}/public/documents/{second.id}", f"{BASE}/public/documents/{first.id}"]


def test_an_empty_feed_is_still_a_valid_feed(session):
    feed = _atom(session)
    assert feed.findall(_q("entry")) == [] and feed.find(_q("title")).text


# --- the office's contact details and statement dates --------------------------------------


def test_contact_details_and_statement_dates_are_checked(session):
    with pytest.raises(InvalidInput) as refused:
        update_office(session, changes=OfficeChanges(
            contact_email="not an address", contact_phone="call me",
            accessibility_prepared_on=date.today() + timedelta(days=1),
            accessibility_reviewed_on=date(2010, 1, 1)), by=SYSTEM)
    assert set(refused.value.errors) == {"contact_email", "contact_phone",
                                         "accessibility_prepared_on",
                                         "accessibility_reviewed_on"}
    with pytest.raises(InvalidInput) as refused:
        update_office(session, changes=OfficeChanges(
            accessibility_prepared_on=date(2025, 5, 1),
            accessibility_reviewed_on=date(2025, 4, 1)), by=SYSTEM)
    assert "on or after" in refused.value.errors["accessibility_reviewed_on"]
    assert get_office(session).accessibility_reviewed_on is None
    update_office(session, changes=OfficeChanges(
        contact_email="info@opcc.example", contact_phone="+44 (0)1905 331545",
        contact_address="Hindlip Hall, Worcester, WR3 8SP",
        accessibility_prepared_on=date(2025, 5, 1), accessibility_reviewed_on=date.today()),
        by=SYSTEM)
    office = get_office(session)
    assert (office.contact_email, office.accessibility_reviewed_on) == (
        "info@opcc.example", date.today())
    update_office(session, changes=OfficeChanges(contact_email=""), by=SYSTEM)
    assert get_office(session).contact_email == ""
