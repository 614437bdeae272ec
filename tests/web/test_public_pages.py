"""The public pages beside /public: the accessibility statement (linked from every page's
footer, with the office's contact details and the dates it keeps in its settings), the
meetings still to be held with their public agenda and papers, and the feeds."""

import re
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree

import pytest
from icalendar import Calendar

from app.models import ItemKind, Role
from app.services.office import OfficeChanges, get_office, update_office
from app.services.papers import attach_paper
from app.services.public_feed import ATOM
from app.services.stages import issue_agenda
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    advance_meeting,
    make_item,
    make_meeting,
    make_meeting_type,
)
from tests.web.test_settings_page import GOOD, saved, sign_in

SECRET = "SecretPartTwoWordsQzx"


def _day(offset: int) -> datetime:
    return datetime.combine(date.today() + timedelta(days=offset), time(10))


def _anonymous(client):
    client.cookies.clear()
    return client


@pytest.fixture
def next_meeting(session):
    series = make_meeting_type(session, name="Accountability Board")
    meeting = make_meeting(session, series, starts_at=_day(10), venue="Hindlip Hall, Worcester")
    roads = make_item(session, meeting, title="Roads policing",
                      commission="The Commissioner requires a report on speed cameras.")
    covert = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       commission=f"A report on {SECRET}.", exempt=True,
                       exempt_reason="section 31 of the FOI Act 2000")
    public = attach_paper(session, item_id=roads.id, filename="Roads report.pdf",
                          content=PDF_BYTES, by=SYSTEM)
    private = attach_paper(session, item_id=covert.id, filename=f"{SECRET}.pdf",
                           content=PDF_BYTES, by=SYSTEM)
    issue_agenda(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()
    return meeting, public, private


# --- the accessibility statement --------------------------------------------------------------


def test_the_statement_gives_the_office_contact_and_its_dates(client, session):
    update_office(session, changes=OfficeChanges(
        office_name="Office of the Police and Crime Commissioner for Anyshire",
        contact_email="access@opcc.example", contact_phone="01905 331545",
        contact_address="Hindlip Hall, Worcester, WR3 8SP",
        accessibility_prepared_on=date(2025, 5, 1),
        accessibility_reviewed_on=date(2026, 11, 30)), by=SYSTEM)
    session.commit()
    page = _anonymous(client).get("/accessibility")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", "", page.text)
    for words in ("Office of the Police and Crime Commissioner for Anyshire",
                  "access@opcc.example", "01905 331545", "Hindlip Hall, Worcester, WR3 8SP",
                  "Equality and Human Rights Commission",
                  "Equality Advisory and Support Service",
                  "Web Content Accessibility Guidelines version 2.2",
                  "Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
                  "Accessibility Regulations 2018",
                  "This statement was prepared on 1 May 2025. It was last reviewed on "
                  "30 November 2026."):
        assert words in text, words
    assert 'href="mailto:access@opcc.example"' in page.text


def test_the_statement_without_contact_details_or_dates_still_reads(client):
    text = re.sub(r"<[^>]+>", "", _anonymous(client).get("/accessibility").text)
    assert "Contact the Office of the Police and Crime Commissioner." in text
    assert "has not been recorded" in text


def test_every_page_links_to_the_statement_in_its_footer(client, session, next_meeting):
    meeting, _, _ = next_meeting
    anonymous = _anonymous(client)
    for path in ("/public", "/public/meetings", f"/public/meetings/{meeting.id}",
                 "/accessibility", "/sign-in"):
        page = anonymous.get(path)
        footer = page.text[page.text.index('<footer class="govuk-footer">'):]
        assert 'href="/accessibility"' in footer, path
    sign_in(client, session, Role.viewer)
    for path in ("/account", "/meetings", "/actions"):
        page = client.get(path)
        assert page.status_code == 200
        footer = page.text[page.text.index('<footer class="govuk-footer">'):]
        assert '<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>' \
            in footer, path


def test_the_office_sets_the_review_date_on_the_settings_page(client, session):
    token = sign_in(client, session, Role.admin)
    page = client.get("/admin/settings").text
    assert 'id="accessibility_reviewed_on-day"' in page and 'id="contact_email"' in page
    reviewed = date.today() - timedelta(days=2)
    answer = client.post("/admin/settings", data={
        **GOOD, "csrf_token": token, "contact_email": "info@opcc.example",
        "accessibility_prepared_on-day": "1", "accessibility_prepared_on-month": "5",
        "accessibility_prepared_on-year": "2025",
        "accessibility_reviewed_on-day": str(reviewed.day),
        "accessibility_reviewed_on-month": str(reviewed.month),
        "accessibility_reviewed_on-year": str(reviewed.year)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    session.expire_all()
    office = get_office(session)
    assert (office.accessibility_prepared_on, office.accessibility_reviewed_on,
            office.contact_email) == (date(2025, 5, 1), reviewed, "info@opcc.example")
    shown = client.get("/admin/settings").text
    assert f'name="accessibility_reviewed_on-day" type="text" inputmode="numeric" ' \
           f'autocomplete="off" value="{reviewed.day}"' in shown
    statement = re.sub(r"<[^>]+>", "", client.get("/accessibility").text)
    assert f"It was last reviewed on {reviewed.day} " in statement


TOMORROW = date.today() + timedelta(days=1)
BAD_DATES = [
    (("31", "2", "2026"), "must be a real date"),
    (("1", "", "2026"), "must include a month"),
    (("x", "1", "2026"), "written in numbers"),
    ((str(TOMORROW.day), str(TOMORROW.month), str(TOMORROW.year)),
     "must be today or in the past"),
    (("1", "1", "2017"), "must be after 23 September 2018"),
]


@pytest.mark.parametrize(("parts", "message"), BAD_DATES)
def test_a_review_date_that_is_not_a_real_past_date_is_refused(client, session, parts, message):
    token = sign_in(client, session, Role.admin)
    before = saved(session)
    day, month, year = parts
    answer = client.post("/admin/settings", data={
        **GOOD, "csrf_token": token, "accessibility_reviewed_on-day": day,
        "accessibility_reviewed_on-month": month, "accessibility_reviewed_on-year": year},
        follow_redirects=False)
    assert answer.status_code == 422
    assert message in answer.text
    assert 'href="#accessibility_reviewed_on-day"' in answer.text  # the error summary
    assert 'id="accessibility_reviewed_on-error"' in answer.text
    assert f'value="{day}"' in answer.text  # what was typed is kept
    assert saved(session) == before and get_office(session).accessibility_reviewed_on is None


# --- forthcoming meetings ---------------------------------------------------------------------


def test_public_lists_the_next_meetings_and_links_the_feeds(client, session, next_meeting):
    meeting, _, _ = next_meeting
    page = _anonymous(client).get("/public").text
    assert f'href="/public/meetings/{meeting.id}"' in page
    assert "Accountability Board" in page and "Hindlip Hall, Worcester" in page
    assert '<link rel="alternate" type="application/atom+xml" href="/public/feed.atom"' in page
    assert '<link rel="alternate" type="text/calendar" href="/public/meetings.ics"' in page


def test_the_meetings_to_come_are_paged(client, session):
    series = make_meeting_type(session, name="Performance Board")
    ids = [make_meeting(session, series, starts_at=_day(3 + i)).id for i in range(5)]
    anonymous = _anonymous(client)
    seen, address = [], "/public/meetings?limit=2"
    while address:
        page = anonymous.get(address)
        assert page.status_code == 200
        seen += [int(i) for i in re.findall(r'href="/public/meetings/(\d+)"', page.text)]
        following = re.search(r'href="([^"]+)" rel="next"', page.text)
        address = following[1].replace("&amp;", "&") if following else None
    assert seen == ids
    assert anonymous.get("/public/meetings?limit=0").status_code == 422
    assert anonymous.get("/public/meetings?after=nonsense").status_code == 422


def test_a_meeting_page_shows_the_public_agenda_papers_and_how_to_attend(
        client, session, next_meeting):
    meeting, public, private = next_meeting
    update_office(session, changes=OfficeChanges(contact_email="info@opcc.example"),
                  by=SYSTEM)
    session.commit()
    anonymous = _anonymous(client)
    page = anonymous.get(f"/public/meetings/{meeting.id}")
    assert page.status_code == 200
    assert SECRET not in page.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "10:00 to 12:00 (UK time)" in text and "Hindlip Hall, Worcester" in text
    assert "How to attend" in text and "info@opcc.example" in text
    assert "1 Roads policing" in text and "speed cameras" in text
    assert "2 Covert tactics" in text and "section 31 of the FOI Act 2000" in text
    assert f'href="/public/papers/{public.id}"' in page.text
    assert f"/public/papers/{private.id}" not in page.text
    download = anonymous.get(f"/public/papers/{public.id}")
    assert download.status_code == 200 and download.content == PDF_BYTES
    assert download.headers["X-Checksum-SHA256"] == public.sha256
    assert anonymous.get(f"/public/papers/{private.id}").status_code == 404


def test_held_cancelled_and_unknown_meetings_have_no_public_page(client, session):
    series = make_meeting_type(session, name="Performance Board")
    held = make_meeting(session, series, starts_at=_day(-5), status="draft")
    anonymous = _anonymous(client)
    for path in (f"/public/meetings/{held.id}", "/public/meetings/987654",
                 "/public/papers/987654"):
        assert anonymous.get(path).status_code == 404, path
    assert anonymous.get("/public/meetings/nonsense").status_code in (404, 422)


def test_a_held_meeting_keeps_its_public_agenda_and_papers(client, session, next_meeting):
    """The papers of an issued agenda stay on the meeting's page and downloadable while the
    meeting is held and its minutes are drafted, the page saying the minutes are to come."""
    meeting, public, private = next_meeting
    anonymous = _anonymous(client)
    for stage in ("in_progress", "draft"):
        advance_meeting(session, meeting, stage)
        page = anonymous.get(f"/public/meetings/{meeting.id}")
        assert page.status_code == 200, stage
        assert SECRET not in page.text
        assert f'href="/public/papers/{public.id}"' in page.text
        assert f"/public/papers/{private.id}" not in page.text
        download = anonymous.get(f"/public/papers/{public.id}")
        assert download.status_code == 200 and download.content == PDF_BYTES, stage
        assert anonymous.get(f"/public/papers/{private.id}").status_code == 404
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "Meeting held" in text and "How to attend" not in text
    assert "The minutes of this meeting will be published here" in text


def test_a_planned_meeting_says_its_agenda_is_to_come(client, session):
    series = make_meeting_type(session, name="Performance Board")
    meeting = make_meeting(session, series, starts_at=_day(20))
    make_item(session, meeting, title="Draft item not yet issued")
    page = _anonymous(client).get(f"/public/meetings/{meeting.id}").text
    assert "The agenda will be published here when it is issued." in page
    assert "Draft item not yet issued" not in page


# --- the feeds -----------------------------------------------------------------------------


def test_the_feeds_are_served_for_subscribing(client, session, next_meeting):
    meeting, _, _ = next_meeting
    anonymous = _anonymous(client)
    atom = anonymous.get("/public/feed.atom")
    assert atom.status_code == 200
    assert atom.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(atom.content)
    assert feed.tag == f"{{{ATOM}}}feed"
    assert feed.find(f"{{{ATOM}}}link[@rel='self']").get("href") == \
        "https://testserver/public/feed.atom"
    ics = anonymous.get("/public/meetings.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert [str(e["url"]) for e in events] == [
        f"https://testserver/public/meetings/{meeting.id}"]
    assert SECRET not in ics.text and SECRET not in atom.text
    assert anonymous.head("/public/feed.atom").status_code == 200
