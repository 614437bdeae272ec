"""The pages: sign in and out, the meetings, a meeting's record and the action log.

Every test signs in through the form like a browser does and reads the HTML it gets back.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import func, select

from app.models import (
    ActionStatus,
    AttendanceStatus,
    AuditEvent,
    ItemKind,
    Role,
    User,
    WebSession,
)
from app.schemas import ActionEdit, ActionUpdateCreate, AttendanceIn
from app.services import actions as action_service
from app.services import meetings as meeting_service
from app.services.dates import today
from app.services.permissions import Actor, Perm, allowed
from app.web.deps import SESSION_COOKIE
from tests.factories import (
    SYSTEM,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_top_team,
    make_user,
)
from tests.sql_counter import sql_seen
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XSS = "<script>alert('x')</script>"


# --- reading pages ------------------------------------------------------------------------


class _Page(HTMLParser):
    """Headings, links, hidden inputs and the visible text of a page."""

    HEADINGS = {"h1", "h2", "h3", "h4", "h5"}

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.links: list[tuple[str, str, str]] = []  # (href, text, class)
        self.inputs: dict[str, str] = {}
        self.text_parts: list[str] = []
        self._heading: tuple[str, list[str]] | None = None
        self._link: tuple[str, str, list[str]] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.HEADINGS:
            self._heading = (tag, [])
        elif tag == "a":
            self._link = (values.get("href") or "", values.get("class") or "", [])
        elif tag == "input" and values.get("name"):
            self.inputs[values["name"]] = values.get("value") or ""

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in self.HEADINGS and self._heading and self._heading[0] == tag:
            self.headings.append((tag, _squash(" ".join(self._heading[1]))))
            self._heading = None
        elif tag == "a" and self._link:
            href, classes, parts = self._link
            self.links.append((href, _squash(" ".join(parts)), classes))
            self._link = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text_parts.append(data)
        if self._heading:
            self._heading[1].append(data)
        if self._link:
            self._link[2].append(data)

    @property
    def text(self) -> str:
        return _squash(" ".join(self.text_parts))


def _squash(text: str) -> str:
    return " ".join(text.split())


def page_of(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


def headings(html: str, tag: str) -> list[str]:
    return [text for level, text in page_of(html).headings if level == tag]


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# --- a meeting with a nested agenda, exempt parts and actions -----------------------------


@dataclass
class Minuted:
    pcc: object
    dcc: object
    cc: object
    series: object
    meeting: object
    holding: object
    roads: object
    partnership: object
    exempt_item: object
    action: object
    exempt_action: object


@pytest.fixture
def minuted(session) -> Minuted:
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10, 0),
                           chair_id=pcc.id, venue="Room 1.38 Hindlip")
    meeting_service.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=pcc.id, status=AttendanceStatus.present),
        AttendanceIn(person_id=cc.id, status=AttendanceStatus.present),
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.apologies),
    ])
    make_item(session, meeting, title="Outstanding matters",
              kind=ItemKind.outstanding_matters)
    holding = make_item(session, meeting, title="Holding to account",
                        kind=ItemKind.holding_to_account)
    roads = make_item(session, meeting, title="Roads policing", parent=holding)
    partnership = make_item(session, meeting, title="Partnership Working", parent=roads)
    make_entry(session, partnership,
               text="The PCC asked about evaluation. The CC responded:\n"
                    "- OP SNAP is looked at nationally\n"
                    "• ANPR had a business case")
    make_entry(session, partnership, text="A name that must not be published.", exempt=True)
    exempt_item = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                            exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    make_entry(session, exempt_item, text="What was said in private about covert tactics.")
    make_item(session, meeting, title="AOB", kind=ItemKind.aob)
    action = make_action(session, [dcc], meeting_id=meeting.id, item_id=partnership.id,
                         text="The DCC to review the ANPR business case.",
                         due_date=date(2019, 5, 28))
    exempt_action = make_action(session, [cc], meeting_id=meeting.id, item_id=exempt_item.id,
                                text="A private follow-up on covert tactics.")
    return Minuted(pcc, dcc, cc, series, meeting, holding, roads, partnership, exempt_item, action,
                   exempt_action)


def sign_in(client, session, role: Role = Role.secretariat, person=None, next_path="/meetings"):
    """Make a user with a password and sign in through the form; the client keeps the cookie."""
    user, _ = make_user(session, role, person=person, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD, next_path)
    assert response.status_code == 303, response.text
    return user


# --- signing in and out -------------------------------------------------------------------


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client):
    response = client.get("/meetings", follow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query) == {"next": ["/meetings"]}  # "next=%2Fmeetings", decoded

    response = client.get("/actions?owner=3&rag=red", follow_redirects=False)
    location = urlsplit(response.headers["location"])
    assert parse_qs(location.query) == {"next": ["/actions?owner=3&rag=red"]}


def test_the_sign_in_page_carries_next_to_the_form(client):
    response = client.get("/sign-in?next=/actions")
    assert response.status_code == 200
    assert page_of(response.text).inputs["next"] == "/actions"


def test_a_wrong_password_shows_the_error_keeps_the_email_and_records_nothing_else(
    client, session
):
    user, _ = make_user(session, Role.secretariat, email="jackie.irvin@opcc.example",
                        password=PASSWORD)
    events_before = count(session, AuditEvent)

    response = client.post("/sign-in", data={"email": "jackie.irvin@opcc.example",
                                             "password": "wrong horse", "next": "/actions"},
                           follow_redirects=False)

    assert response.status_code == 401
    page = page_of(response.text)
    assert "The email address or password is not right." in page.text
    assert "There is a problem" in page.text
    assert page.inputs["email"] == "jackie.irvin@opcc.example"
    assert page.inputs["next"] == "/actions"
    assert "password" not in page.inputs or page.inputs["password"] == ""
    assert SESSION_COOKIE not in response.cookies
    assert SESSION_COOKIE not in client.cookies
    session.rollback()  # end the read transaction, to see what the app committed
    assert count(session, WebSession) == 0
    assert session.get(User, user.id).last_sign_in_at is None
    new_events = session.exec(select(AuditEvent.verb).order_by(AuditEvent.id)).all()
    assert new_events[events_before:] == ["sign_in_failed"]
    assert client.get("/meetings", follow_redirects=False).status_code == 303


def test_an_empty_form_says_what_is_missing(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 401
    assert "Enter your email address and your password." in page_of(response.text).text


def test_the_right_password_sets_the_cookie_and_goes_to_next(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    response = client.post("/sign-in", data={"email": user.email.upper(), "password": PASSWORD,
                                             "next": "/actions?rag=red"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/actions?rag=red"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert client.get("/actions?rag=red", follow_redirects=False).status_code == 200
    # Signed in, the sign-in page sends the browser on.
    again = client.get("/sign-in?next=/actions", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/actions"


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example",
    "//evil.example/meetings",
    "/\\evil.example",
    "javascript:alert(1)",
])
def test_an_external_next_is_ignored(client, session, target):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    shown = client.get("/sign-in", params={"next": target})
    assert page_of(shown.text).inputs["next"] == "/"

    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                             "next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_sign_out_needs_the_csrf_token_and_ends_the_session(client, session):
    sign_in(client, session)
    raw = client.cookies[SESSION_COOKIE]
    token = page_of(client.get("/meetings").text).inputs["csrf_token"]
    assert token

    refused = client.post("/sign-out", data={}, follow_redirects=False)
    assert refused.status_code == 403
    refused = client.post("/sign-out", data={"csrf_token": "not-the-token"},
                          follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/meetings", follow_redirects=False).status_code == 200

    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert SESSION_COOKIE not in client.cookies

    # The old cookie, replayed, no longer signs anyone in.
    response = client.get("/meetings", headers={"Cookie": f"{SESSION_COOKIE}={raw}"},
                          follow_redirects=False)
    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == "/sign-in"
    assert count(session, AuditEvent, AuditEvent.verb == "sign_out") == 1


# --- the meetings -------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_the_administrators_links_follow_the_permission_table(client, session, role):
    """The header's audit log link and the account page's list of everyone's sessions are
    offered to the roles the table lets in, and to no one else."""
    sign_in(client, session, role)
    actor = Actor(role=role)
    page = client.get("/account").text
    assert ('href="/admin/audit"' in page) == allowed(actor, Perm.read_audit)
    assert ('href="/admin/sessions"' in page) == allowed(actor, Perm.manage_users)


def test_the_meetings_list_shows_each_meeting_in_london_time(client, session, minuted):
    winter_series = make_meeting_type(session, name="Performance")
    winter = make_meeting(session, winter_series, starts_at=datetime(2019, 12, 3, 14, 30),
                          venue="")
    sign_in(client, session, Role.viewer)

    response = client.get("/meetings")
    assert response.status_code == 200
    page = page_of(response.text)
    assert (f"/meetings/{minuted.meeting.id}", "Monthly Assurance Meeting April 2019",
            "govuk-link") in page.links
    assert (f"/meetings/{winter.id}", "Performance December 2019", "govuk-link") in page.links
    # 10:00 in London in April is 09:00 UTC; in December London is on UTC.
    assert "Tue 30 Apr 2019, 10:00" in page.text
    assert "Tue 3 Dec 2019, 14:30" in page.text
    assert "Room 1.38 Hindlip" in page.text
    assert "Planned" in page.text
    # The latest first.
    assert page.text.index("Performance December 2019") < page.text.index(
        "Monthly Assurance Meeting April 2019")


def test_the_meetings_list_says_when_there_are_none(client, session):
    sign_in(client, session, Role.viewer)
    response = client.get("/meetings")
    assert response.status_code == 200
    assert "There are no meetings yet." in page_of(response.text).text
    assert "<table" not in response.text


def test_the_meeting_page_shows_the_record(client, session, minuted):
    sign_in(client, session, Role.secretariat)
    response = client.get(f"/meetings/{minuted.meeting.id}")
    assert response.status_code == 200
    html = response.text
    page = page_of(html)

    assert headings(html, "h1") == ["Monthly Assurance Meeting April 2019"]
    for expected in ("Tuesday 30th April 2019 @ 10:00", "Room 1.38 Hindlip", "John Campion",
                     "Protective marking OFFICIAL", "Status Planned"):
        assert expected in page.text
    # Attendance and apologies.
    assert "Anthony Bangham Chief Constable (CC)" in page.text
    apologies = page.text.split("Apologies", 1)[1]
    assert "Amanda Blakeman Deputy Chief Constable (DCC)" in apologies
    # Numbered items in the house style: h2, h3, h4 by level.
    assert [h for h in headings(html, "h2") if h[:1].isdigit()] == [
        "1 OUTSTANDING MATTERS", "2 HOLDING TO ACCOUNT", "3 COVERT TACTICS", "4 AOB"]
    assert "2.1 ROADS POLICING:" in headings(html, "h3")
    assert "1. Partnership Working" in headings(html, "h4")
    assert "None were discussed." in page.text
    assert "No items" in page.text
    # Entries as paragraphs, bullet lines as a bulleted list.
    assert "The PCC asked about evaluation. The CC responded:" in page.text
    bullets = re.search(r'<ul class="govuk-list govuk-list--bullet">(.*?)</ul>', html, re.S)
    assert bullets is not None
    assert re.findall(r"<li>(.*?)</li>", bullets.group(1)) == [
        "OP SNAP is looked at nationally", "ANPR had a business case"]
    # The internal edition marks what the public one leaves out.
    assert "A name that must not be published." in page.text
    assert "Exempt" in page.text
    assert "What was said in private about covert tactics." in page.text
    assert "not in the public edition" in page.text
    assert "You are reading the public edition" not in page.text
    # Actions arising, with owner, reference, due date, RAG and status.
    assert "Actions arising" in page.text
    assert "A/2019/001 The DCC to review the ANPR business case. DCC 28 May 2019" in page.text
    assert "A/2019/002 A private follow-up on covert tactics. CC" in page.text
    assert "Red – overdue" in page.text and "Open" in page.text


def test_an_entrys_table_and_numbered_lines_show_as_such_on_every_view_of_the_minutes(
        client, session, minuted):
    make_entry(session, minuted.partnership, text=(
        "The PCC asked for:\n1. A review of the <b>criteria</b>.\n(ii) An update.\n"
        "| Measure | 2019/20 |\n| --- | --- |\n| KSI <i>x</i> | 389 |\n| Speed | |"))
    sign_in(client, session, Role.secretariat)
    meeting = minuted.meeting.id
    for path in (f"/meetings/{meeting}", f"/meetings/{meeting}/live",
                 f"/meetings/{meeting}/live/minutes"):
        html = client.get(path).text
        table = re.search(r'<table class="govuk-table assure-typed-table">(.*?)</table>', html,
                          re.S)
        assert table is not None, path
        assert re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>',
                          table.group(1)) == ["Measure", "2019/20"]
        assert [re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row) for row in
                re.findall(r"<tbody.*?</tbody>", table.group(1), re.S)[0].split("</tr>")[:-1]
                ] == [["KSI &lt;i&gt;x&lt;/i&gt;", "389"], ["Speed", ""]]
        numbered = re.findall(r'<p class="govuk-body assure-numbered"><span class='
                              r'"assure-numbered__number">(.*?)</span> (.*?)</p>', html)
        assert numbered == [("1.", "A review of the &lt;b&gt;criteria&lt;/b&gt;."),
                            ("(ii)", "An update.")], path
        assert "| Measure" not in html


def test_the_meeting_page_offers_both_editions_to_those_allowed(client, session, minuted):
    sign_in(client, session, Role.chair)
    page = page_of(client.get(f"/meetings/{minuted.meeting.id}").text)
    buttons = {text: (href, classes) for href, text, classes in page.links
               if "govuk-button" in classes}
    base = f"/api/v1/meetings/{minuted.meeting.id}/minutes.docx"
    title = "Monthly Assurance Meeting April 2019"
    internal = [text for text in buttons if text.startswith("Download minutes (Word)")]
    public = [text for text in buttons if text.startswith("Download public minutes (Word)")]
    assert len(internal) == 1 and len(public) == 1
    assert title in internal[0] and title in public[0]  # visually hidden: which meeting
    assert buttons[internal[0]] == (f"{base}?edition=internal", "govuk-button")
    assert buttons[public[0]] == (f"{base}?edition=public",
                                  "govuk-button govuk-button--secondary")


@pytest.mark.parametrize("role", [Role.admin, Role.secretariat, Role.chair])
def test_the_internal_download_is_there_for_roles_that_may_export_it(client, session, minuted,
                                                                     role):
    sign_in(client, session, role)
    html = client.get(f"/meetings/{minuted.meeting.id}").text
    assert "minutes.docx?edition=internal" in html
    assert "minutes.docx?edition=public" in html


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_other_roles_read_the_public_edition(client, session, minuted, role):
    sign_in(client, session, role, person=minuted.dcc if role == Role.force else None)
    response = client.get(f"/meetings/{minuted.meeting.id}")
    assert response.status_code == 200
    html = response.text
    page = page_of(html)

    assert "You are reading the public edition: exempt items are summarised." in page.text
    assert "minutes.docx?edition=internal" not in html
    assert "Download minutes (Word)" not in page.text
    assert f"/api/v1/meetings/{minuted.meeting.id}/minutes.docx?edition=public" in html
    # The exempt item keeps its number, title and notice; nothing else of it is shown.
    assert "3 COVERT TACTICS" in headings(html, "h2")
    assert ("This item was considered in private (exempt under section 31 of the FOI Act "
            "2000).") in page.text
    assert "What was said in private" not in html
    assert "A private follow-up on covert tactics." not in html
    assert "A/2019/002" not in html
    # An exempt entry of an open item leaves no trace.
    assert "A name that must not be published." not in html
    assert "Exempt" not in page.text
    # The rest is there.
    assert "OP SNAP is looked at nationally" in page.text
    assert "A/2019/001" in page.text


def test_the_download_link_returns_the_word_document(client, session, minuted):
    sign_in(client, session, Role.secretariat)
    page = page_of(client.get(f"/meetings/{minuted.meeting.id}").text)
    hrefs = [href for href, _, classes in page.links
             if "govuk-button" in classes and "minutes.docx" in href]
    assert len(hrefs) == 2
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["content-type"] == DOCX_TYPE
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert ".docx" in disposition
        assert response.content[:2] == b"PK"  # a .docx is a zip file
    assert count(session, AuditEvent, AuditEvent.verb == "export") == 2


def test_a_viewer_follows_the_public_link_but_not_the_internal_one(client, session, minuted):
    sign_in(client, session, Role.viewer)
    base = f"/api/v1/meetings/{minuted.meeting.id}/minutes.docx"
    public = client.get(f"{base}?edition=public")
    assert public.status_code == 200
    assert public.headers["content-type"] == DOCX_TYPE
    assert public.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"{base}?edition=internal").status_code == 403


def test_an_unknown_meeting_is_a_404_page(client, session):
    sign_in(client, session, Role.viewer)
    response = client.get("/meetings/98765")
    assert response.status_code == 404
    assert "Page not found" in page_of(response.text).text


def test_an_error_page_offers_the_home_page_where_signing_in_lands(client, session):
    sign_in(client, session, Role.viewer)
    response = client.get("/meetings/98765")
    assert response.status_code == 404
    links = re.findall(r'<a class="govuk-link" href="([^"]*)">([^<]*)</a>', response.text)
    assert ("/", "Go to the home page") in links
    assert "Go to meetings" not in response.text


def test_a_meeting_without_agenda_or_attendance_says_so(client, session):
    meeting = make_meeting(session)
    sign_in(client, session, Role.viewer)
    page = page_of(client.get(f"/meetings/{meeting.id}").text)
    assert "Attendance None" in page.text
    assert "Apologies None" in page.text
    assert "There is no agenda for this meeting yet" in page.text


def test_actions_carried_forward_show_their_latest_update(client, session, minuted):
    action_service.add_update(session, action_id=minuted.action.id, by=SYSTEM,
                              data=ActionUpdateCreate(text="Criteria reviewed; paper in June.",
                                                      status=ActionStatus.in_progress))
    later = make_meeting(session, minuted.series, starts_at=datetime(2019, 6, 25, 10, 0))
    make_item(session, later, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    sign_in(client, session, Role.viewer)
    page = page_of(client.get(f"/meetings/{later.id}").text)
    assert "Actions carried forward" in page.text
    assert "A/2019/001 The DCC to review the ANPR business case." in page.text
    assert "Criteria reviewed; paper in June." in page.text
    assert "In progress" in page.text
    # The exempt action raised under the exempt item stays out of the public edition.
    assert "A private follow-up" not in page.text


# --- the action log -----------------------------------------------------------------------


@dataclass
class Log:
    red: object
    amber: object
    green: object
    shared: object
    lead: object
    other: object


@pytest.fixture
def log(session) -> Log:
    lead = make_person(session, full_name="Amanda Blakeman", initials="AB",
                       role_title="Deputy Chief Constable", role_abbreviation="DCC")
    other = make_person(session, full_name="Jackie Irvin", initials="JI")
    now = today()
    red = make_action(session, [lead], text="Overdue action text",
                      due_date=now - timedelta(days=3))
    amber = make_action(session, [other], text="Soon due action text",
                        due_date=now + timedelta(days=5))
    green = make_action(session, [lead], text="Far future action text",
                        due_date=now + timedelta(days=400))
    shared = make_action(session, [other, lead], text="Shared action text", due_date=None)
    action_service.update_action(session, action_id=green.id, by=SYSTEM,
                                 data=ActionEdit(status=ActionStatus.in_progress))
    action_service.add_update(session, action_id=red.id, by=SYSTEM,
                              data=ActionUpdateCreate(text="Chased by email."))
    return Log(red, amber, green, shared, lead, other)


ALL_TEXTS = ("Overdue action text", "Soon due action text", "Far future action text",
             "Shared action text")


def shown(client, query: str = "") -> tuple[set[str], str]:
    response = client.get("/actions" + query)
    assert response.status_code == 200
    text = page_of(response.text).text
    return {t for t in ALL_TEXTS if t in text}, text


def test_the_action_log_lists_every_action(client, session, log):
    sign_in(client, session, Role.viewer)
    texts, text = shown(client)
    assert texts == set(ALL_TEXTS)
    assert "4 actions" in text
    assert "Red – overdue" in text and "Amber" in text and "Green" in text
    assert "No due date" in text
    assert "Chased by email." in text
    assert log.red.reference in text
    # Owners by abbreviation or initials, the lead first, with the full name for readers.
    html = client.get("/actions").text
    row = html[html.index("Shared action text"):]
    row = row[:row.index("</tr>")]
    assert row.index(">JI<") < row.index(">DCC<")
    assert "Jackie Irvin" in row and "Amanda Blakeman" in row
    assert "(lead)" in row
    assert f"{log.green.due_date.day} {log.green.due_date:%B %Y}" in text


def test_the_action_log_filters_by_owner(client, session, log):
    sign_in(client, session, Role.viewer)
    texts, text = shown(client, f"?owner={log.other.id}")
    assert texts == {"Soon due action text", "Shared action text"}
    assert "2 actions match these filters" in text
    html = client.get(f"/actions?owner={log.other.id}").text
    assert f'<option value="{log.other.id}" selected>' in html


def test_the_action_log_filters_by_status(client, session, log):
    sign_in(client, session, Role.viewer)
    texts, text = shown(client, "?status=in_progress")
    assert texts == {"Far future action text"}
    assert "1 action matches these filters" in text
    assert shown(client, "?status=open")[0] == set(ALL_TEXTS) - {"Far future action text"}


@pytest.mark.parametrize(("rag", "expected"), [
    ("red", {"Overdue action text"}),
    ("amber", {"Soon due action text", "Shared action text"}),
    ("green", {"Far future action text"}),
])
def test_the_action_log_filters_by_rag(client, session, log, rag, expected):
    sign_in(client, session, Role.viewer)
    texts, _ = shown(client, f"?rag={rag}")
    assert texts == expected
    html = client.get(f"/actions?rag={rag}").text
    assert f'<option value="{rag}" selected>' in html


def test_the_action_log_combines_filters_and_says_when_nothing_matches(client, session, log):
    sign_in(client, session, Role.viewer)
    texts, _ = shown(client, f"?owner={log.lead.id}&rag=red")
    assert texts == {"Overdue action text"}
    texts, text = shown(client, f"?owner={log.other.id}&rag=green")
    assert texts == set()
    assert "No actions match these filters." in text


def test_the_action_log_ignores_filters_it_does_not_know(client, session, log):
    sign_in(client, session, Role.viewer)
    texts, _ = shown(client, "?owner=abc&status=nonsense&rag=purple")
    assert texts == set(ALL_TEXTS)


def test_the_action_log_says_when_there_are_no_actions(client, session):
    sign_in(client, session, Role.viewer)
    _, text = shown(client)
    assert "There are no actions yet." in text


def test_the_action_log_hides_exempt_actions_from_those_who_may_not_see_them(
    client, session, minuted
):
    sign_in(client, session, Role.viewer)
    _, text = shown(client)
    assert "The DCC to review the ANPR business case." in text
    assert "A private follow-up on covert tactics." not in text
    assert "1 action" in text


# --- escaping -----------------------------------------------------------------------------


def test_user_text_is_escaped_on_every_page(client, session):
    person = make_person(session, full_name=f"Eve {XSS}", initials="<b>E",
                         role_abbreviation="<i>X")
    series = make_meeting_type(session, name=f"Board {XSS}")
    meeting = make_meeting(session, series, venue=f"Room {XSS}", chair_id=person.id,
                           minute_taker_id=person.id)
    meeting_service.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=person.id, status=AttendanceStatus.present,
                     capacity=f"Guest {XSS}"),
    ])
    item = make_item(session, meeting, title=f"Item {XSS}")
    make_item(session, meeting, title=f"Secret {XSS}", kind=ItemKind.other, exempt=True,
              exempt_reason=f"reason {XSS}")
    make_entry(session, item, text=f"Para {XSS}\n- bullet {XSS}")
    action = make_action(session, [person], meeting_id=meeting.id, item_id=item.id,
                         text=f"Do {XSS}")
    action_service.add_update(session, action_id=action.id, by=SYSTEM,
                              data=ActionUpdateCreate(text=f"Update {XSS}"))
    for role in (Role.secretariat, Role.viewer):
        client.cookies.clear()
        sign_in(client, session, role)
        for path in ("/meetings", f"/meetings/{meeting.id}", "/actions",
                     f"/actions?owner={person.id}"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "<script>alert" not in response.text, (role, path)
            assert "<i>X" not in response.text and "<b>E" not in response.text
            assert "&lt;script&gt;alert(" in response.text, (role, path)
    wrong = client.post("/sign-in", data={"email": f"{XSS}@x.example", "password": "nope",
                                          "next": f"/{XSS}"})
    assert wrong.status_code == 401
    assert "<script>alert" not in wrong.text


def test_a_busy_database_gives_a_signed_in_reader_the_busy_page_not_a_server_error(
        client, session, monkeypatch):
    """When the database is locked, the page says so with 503 and Retry-After; the page is
    drawn after the request's transaction has been rolled back, so it must not read the
    session's row again (it did, and answered 500)."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.web import action_pages

    sign_in(client, session, Role.viewer)

    def locked(session, **kwargs):
        session.rollback()  # as a failed write does: everything it loaded is expired
        raise OperationalError("INSERT", None, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(action_pages, "action_log_for", locked)
    response = client.get("/actions/log.xlsx")
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert "busy" in response.text


def test_reading_a_page_of_a_new_office_writes_nothing(client, session, engine):
    """The office's settings are their defaults until someone saves them: a page view does
    not try to create them (on SQLite each view took the write lock, then rolled back)."""
    from app.models import OfficeSettings
    from app.services.office import OfficeChanges, update_office

    with sql_seen(engine) as seen:
        for path in ("/sign-in", "/public", "/healthz"):
            assert client.get(path).status_code == 200
    assert [s.split("(")[0] for s in seen.starting("INSERT", "UPDATE", "DELETE")] == []
    session.rollback()
    assert session.exec(select(OfficeSettings)).all() == []
    assert "Office of the Police and Crime Commissioner" in client.get("/public").text
    update_office(session, by=SYSTEM,
                  changes=OfficeChanges(office_name="Office of the PCC for Anywhere"))
    assert len(session.exec(select(OfficeSettings)).all()) == 1
    assert "Office of the PCC for Anywhere" in client.get("/public").text
