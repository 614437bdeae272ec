"""The meetings list: those to come first, soonest first, then those held, latest first; a
page at a time; filtered by series and year, the filter kept from page to page."""

import re
from datetime import date, datetime

import pytest

from app.models import Role
from app.services import meetings as meeting_service
from app.services.meetings import MEETINGS_PAGE_SIZE
from tests.factories import SYSTEM, make_meeting, make_meeting_type, make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
TODAY = date(2026, 6, 15)


@pytest.fixture
def june(monkeypatch):
    """Today is Monday 15 June 2026."""
    monkeypatch.setattr(meeting_service, "today", lambda: TODAY)


def sign_in(client, session, role=Role.viewer):
    user, _ = make_user(session, role, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303


def shown(html: str) -> list[str]:
    """The dates of the meetings listed, in order."""
    return re.findall(r'<time datetime="[^"]+">([^<]+)</time>', html)


def links(html: str) -> dict[str, str]:
    """The paging links by their rel."""
    return {rel: href.replace("&amp;", "&") for href, rel in
            re.findall(r'href="([^"]+)" rel="(prev|next)"', html)}


def test_meetings_to_come_are_listed_first_soonest_first_then_those_held_latest_first(
        client, session, june):
    board = make_meeting_type(session, name="Board")
    for when in [datetime(2026, 3, 10, 10), datetime(2026, 9, 1, 10), datetime(2026, 6, 15, 8),
                 datetime(2025, 12, 2, 10), datetime(2026, 7, 7, 14), datetime(2026, 6, 12, 10)]:
        make_meeting(session, board, starts_at=when)
    cancelled = make_meeting(session, board, starts_at=datetime(2026, 8, 4, 10))
    meeting_service.cancel_meeting(session, meeting_id=cancelled.id, reason="No quorum",
                                   by=SYSTEM)
    session.commit()
    sign_in(client, session)
    page = client.get("/meetings")
    assert page.status_code == 200
    # Today's meeting (which has started) is still to come; the cancelled one keeps its place.
    assert shown(page.text) == [
        "Mon 15 Jun 2026, 08:00", "Tue 7 Jul 2026, 14:00", "Tue 4 Aug 2026, 10:00",
        "Tue 1 Sep 2026, 10:00",
        "Fri 12 Jun 2026, 10:00", "Tue 10 Mar 2026, 10:00", "Tue 2 Dec 2025, 10:00"]
    coming, held = page.text.split('aria-label="Meetings held, the latest first"')
    assert "Meetings to come, the soonest first" in coming
    row = re.search(r"Tue 4 Aug 2026, 10:00.*?</tr>", coming, re.S)[0]
    assert "Cancelled" in row
    assert "Planned" in re.search(r"Tue 7 Jul 2026, 14:00.*?</tr>", coming, re.S)[0]
    assert "Cancelled" not in held


def test_the_list_is_paged_in_the_same_order_across_pages(client, session, june):
    board = make_meeting_type(session, name="Board")
    # 15 weekly meetings to come and 15 held: 30 in all, over two pages.
    for week in range(-15, 15):
        make_meeting(session, board, starts_at=datetime(2026, 6, 16, 10) + week * (
            datetime(2026, 1, 8) - datetime(2026, 1, 1)))
    sign_in(client, session)
    first = client.get("/meetings")
    assert len(shown(first.text)) == MEETINGS_PAGE_SIZE
    assert "30 meetings, page 1 of 2" in first.text
    assert "prev" not in links(first.text)
    second = client.get(links(first.text)["next"])
    assert second.status_code == 200
    assert "next" not in links(second.text)
    every = shown(first.text) + shown(second.text)
    assert len(every) == 30 == len(set(every))
    assert every[0] == "Tue 16 Jun 2026, 10:00" and every[14] == "Tue 22 Sep 2026, 10:00"
    assert every[15] == "Tue 9 Jun 2026, 10:00" and every[-1] == "Tue 3 Mar 2026, 10:00"
    # A page past the last shows the last; a page that is not a number shows the first.
    assert shown(client.get("/meetings?page=99").text) == shown(second.text)
    assert shown(client.get("/meetings?page=abc").text) == shown(first.text)


def test_the_list_is_filtered_by_series_and_year_and_the_filter_is_kept_across_pages(
        client, session, june):
    board = make_meeting_type(session, name="Board")
    panel = make_meeting_type(session, name="Panel")
    for month in range(1, 13):
        make_meeting(session, board, starts_at=datetime(2025, month, 3, 10))
        make_meeting(session, board, starts_at=datetime(2026, month, 3, 10))
        make_meeting(session, board, starts_at=datetime(2024, month, 3, 10))
    make_meeting(session, panel, starts_at=datetime(2025, 5, 20, 10))
    # The small hours of New Year's Eve and of New Year's Day fall in their own years.
    make_meeting(session, panel, starts_at=datetime(2025, 12, 31, 23, 30))
    make_meeting(session, panel, starts_at=datetime(2027, 1, 1, 0, 30))
    sign_in(client, session)
    page = client.get("/meetings").text
    assert '<option value="2026">' in page and '<option value="2024">' in page
    assert f'<option value="{panel.id}">Panel</option>' in page

    panel_2025 = client.get(f"/meetings?series={panel.id}&year=2025").text
    assert shown(panel_2025) == ["Wed 31 Dec 2025, 23:30", "Tue 20 May 2025, 10:00"]
    assert f'<option value="{panel.id}" selected>' in panel_2025
    assert '<option value="2025" selected>' in panel_2025
    assert shown(client.get(f"/meetings?series={panel.id}&year=2027").text) == [
        "Fri 1 Jan 2027, 00:30"]

    board_2025 = client.get(f"/meetings?series={board.id}&year=2025")
    assert "12 meetings found" in board_2025.text and "next" not in links(board_2025.text)
    board_all = client.get(f"/meetings?series={board.id}").text
    assert "36 meetings found, page 1 of 2" in board_all
    following = links(board_all)["next"]
    assert f"series={board.id}" in following and "page=2" in following
    second = client.get(following).text
    assert len(shown(second)) == 16 and "Panel May 2025" not in second
    assert f"series={board.id}" in links(second)["prev"]

    # Choices that are not there are ignored, never an error.
    for query in ("series=999999", "series=abc", "year=1066", "year=%27"):
        response = client.get(f"/meetings?{query}")
        assert response.status_code == 200, query
        assert len(shown(response.text)) == MEETINGS_PAGE_SIZE
    assert "No meetings match" not in client.get("/meetings?year=2024").text
    assert client.get("/meetings?series=" + "9" * 40).status_code == 422


def test_every_role_reads_the_list_and_only_editors_are_offered_to_add(client, session, june):
    make_meeting(session, make_meeting_type(session), starts_at=datetime(2026, 7, 1, 10))
    for role in Role:
        client.cookies.clear()
        sign_in(client, session, role)
        page = client.get("/meetings").text
        assert shown(page) == ["Wed 1 Jul 2026, 10:00"]
        assert ('href="/series/new"' in page) == (role in (Role.admin, Role.secretariat))

