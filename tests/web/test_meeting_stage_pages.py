"""Every page of a meeting shows its stage, in the office's words, and offers the next step
to those who may take it: the meeting, agenda, preparation and take-minutes pages alike."""

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from app.models import Meeting, MeetingStatus, Role
from tests.factories import CommittingClient, advance_meeting, make_meeting
from tests.web.test_meeting_pages import csrf_of, sign_in

PAGES = ("", "/agenda", "/prepare", "/take-minutes")


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


class _Stage(HTMLParser):
    """The stage box of a page: its tag's text and its steps (button or link, and target)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # >0 inside the stage box
        self.found = False
        self.tag, self.steps = "", []
        self._text: list[str] | None = None
        self._target = ""
        self._in_tag = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "form":
                self._target = a["action"]
            if "govuk-tag" in classes:
                self._in_tag = True
            if tag in ("button", "a") and "govuk-button" in classes:
                self._text = []
                if tag == "a":
                    self._target = a["href"]
        elif tag == "div" and "assure-stage" in classes:
            assert not self.found, "two stage boxes on one page"
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        if tag == "strong":
            self._in_tag = False
        if tag in ("button", "a") and self._text is not None:
            self.steps.append(("".join(self._text).strip(), self._target))
            self._text = None

    def handle_data(self, data):
        if self._in_tag:
            self.tag += data.strip()
        if self._text is not None:
            self._text.append(data)


def stage_of(html: str):
    """The stage's tag and the steps offered, in order (text, where it goes)."""
    parser = _Stage()
    parser.feed(html)
    assert parser.found, "no stage on the page"
    return parser.tag, parser.steps


def test_each_stage_shows_its_tag_and_step_on_every_page(client, session):
    sign_in(client, session, Role.secretariat)
    meeting = make_meeting(session, starts_at=datetime(2026, 5, 12, 10))
    base = f"/meetings/{meeting.id}"
    expected = {
        MeetingStatus.planned: ("Planned", [("Start the meeting", f"{base}/start")]),
        MeetingStatus.in_progress: ("In progress", [("Take minutes", f"{base}/take-minutes"),
                                                    ("Close the meeting", f"{base}/close")]),
        MeetingStatus.draft: ("Draft minutes", [("Submit the minutes", f"{base}/submit")]),
        MeetingStatus.approved: ("Approved",
                                 [("Publish the minutes", f"{base}/public-preview")]),
    }
    for status, (tag, steps) in expected.items():
        advance_meeting(session, meeting, status)
        for page in PAGES:
            response = client.get(base + page)
            assert response.status_code == 200, (status, page)
            shown = stage_of(response.text)
            # a page never offers a link to itself
            wanted = [s for s in steps if s[1] != base + page]
            assert shown == (tag, wanted), (status, page)


def test_those_who_may_not_move_it_on_see_the_stage_without_a_button(client, session):
    meeting = make_meeting(session, starts_at=datetime(2026, 5, 12, 10))
    sign_in(client, session, Role.chair)
    for page in ("", "/agenda", "/prepare"):
        assert stage_of(client.get(f"/meetings/{meeting.id}{page}").text) == ("Planned", [])


def test_the_force_sees_the_stage_of_a_meeting_and_no_step(client, session):
    meeting = make_meeting(session, starts_at=datetime(2026, 5, 12, 10))
    advance_meeting(session, meeting, MeetingStatus.cancelled)
    sign_in(client, session, Role.force)
    html = client.get(f"/meetings/{meeting.id}/agenda").text
    assert stage_of(html) == ("Cancelled", [])
    assert "This meeting was cancelled: Called off" in html


def test_taking_minutes_of_a_meeting_not_started_says_so_and_starts_it(client, session):
    sign_in(client, session, Role.secretariat)
    meeting = make_meeting(session, starts_at=datetime(2026, 5, 12, 10))
    page = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert "This meeting has not started yet" in page.text
    assert stage_of(page.text) == ("Planned", [("Start the meeting",
                                                f"/meetings/{meeting.id}/start")])
    started = client.post(f"/meetings/{meeting.id}/start", data={"csrf_token": csrf_of(page.text)})
    assert started.headers["location"] == f"/meetings/{meeting.id}/take-minutes"
    page = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert "has not started yet" not in page.text
    assert stage_of(page.text) == ("In progress", [("Close the meeting",
                                                    f"/meetings/{meeting.id}/close")])
    closed = client.post(f"/meetings/{meeting.id}/close", data={"csrf_token": csrf_of(page.text)})
    assert closed.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.draft
    assert re.search(r"Stage:.*Draft minutes", client.get(f"/meetings/{meeting.id}").text,
                     re.S)
