"""/search (issue 18): the form, results by meeting with their words marked, Part 2 only for
the office, paging by cursor, bad input told plainly, and a search box on every signed-in
page."""

import re
from datetime import datetime

import pytest

from app.models import ItemKind, Role
from tests.factories import make_entry, make_item, make_meeting, make_meeting_type, make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"


def sign_in(client, session, role: Role) -> None:
    user, _ = make_user(session, role, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303


@pytest.fixture
def record(session):
    board = make_meeting_type(session, name="Accountability Board")
    april = make_meeting(session, board, starts_at=datetime(2025, 4, 29, 10))
    may = make_meeting(session, board, starts_at=datetime(2025, 5, 27, 10))
    roads = make_item(session, april, title="Roads policing")
    covert = make_item(session, april, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    make_entry(session, roads, text="The force said ANPR <b>cameras</b> read 3m plates.")
    make_entry(session, covert, text="The ANPR covert unit SecretWordQzx.")
    for n in range(25):
        make_entry(session, make_item(session, may, title=f"Item {n}"),
                   text=f"ANPR note {n}.")
    return april, may


def test_results_are_grouped_by_meeting_and_marked(client, session, record):
    april, may = record
    sign_in(client, session, Role.secretariat)
    page = client.get("/search?q=cameras")
    assert page.status_code == 200
    assert "1 result for" in page.text
    assert "Accountability Board, 29 April 2025" in page.text
    assert "<mark>cameras</mark>" in page.text
    assert "<b>cameras" not in page.text  # escaped (SQLite) or left out (PostgreSQL)
    assert f'href="/meetings/{april.id}"' in page.text


def test_part_2_only_for_the_office(client, session, record):
    sign_in(client, session, Role.viewer)
    page = client.get("/search?q=covert")
    assert page.status_code == 200
    assert "SecretWordQzx" not in page.text and "0 results" in page.text


def test_pages_follow_by_cursor(client, session, record):
    sign_in(client, session, Role.secretariat)
    first = client.get("/search?q=ANPR")
    assert "27 results" in first.text
    following = re.search(r'href="(/search\?[^"]*after=[^"]+)" rel="next"', first.text)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and 'rel="first"' in second.text
    assert 'rel="next"' not in second.text


@pytest.mark.parametrize(("query", "message"), [
    ("?q=ANPR&from=2026-02-30", "Enter a real date"),
    ("?q=" + "x" * 201, "at most 200 characters"),
    ("?q=-ANPR", "not only what to leave out"),
    ("?q=ANPR&kind=widget", "not a kind of result"),
    ("?q=ANPR&after=garbage", "start again"),
    ("?q=ANPR&series=abc", "Choose a series"),
])
def test_bad_input_is_explained(client, session, record, query, message):
    sign_in(client, session, Role.viewer)
    page = client.get("/search" + query)
    assert page.status_code == 422
    assert "There is a problem" in page.text and message in page.text


def test_every_signed_in_page_has_the_search_box(client, session, record):
    sign_in(client, session, Role.force)
    for path in ("/", "/meetings", "/actions", "/account"):
        page = client.get(path)
        assert 'role="search"' in page.text and 'action="/search"' in page.text, path


def test_signed_out_no_search_box_and_sign_in_first(client):
    assert 'action="/search"' not in client.get("/sign-in").text
    assert client.get("/search?q=x", follow_redirects=False).status_code == 303
