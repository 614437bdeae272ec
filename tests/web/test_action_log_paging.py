"""The action log after ten years: the page loads one page of 25 actions (the open ones unless
asked otherwise) in the same number of statements however many meetings and actions there
are; its next and previous links keep the filters and sort; its counts are the database's."""

import re
from collections import Counter
from datetime import date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from app.models import ActionStatus, Rag, Role
from app.schemas import ActionUpdateCreate
from app.services import actions
from app.services.action_log import open_over_time
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)
from tests.sql_counter import page_statements
from tests.web.signing import sign_in_through_form
from tests.web.test_live import sign_in


def _close(session, action):
    actions.add_update(session, action_id=action.id, by=SYSTEM,
                       data=ActionUpdateCreate(text="Done.", status=ActionStatus.closed))
    session.commit()


def _meetings_with_actions(session, series, owner, count, start=0):
    """count meetings, each with a theme, an exempt item with a sub-item, and an action
    under each (the second exempt by its item) with two updates; every third closed."""
    for n in range(start, start + count):
        meeting = make_meeting(session, series, starts_at=datetime(2019, 1, 1, 10)
                               + timedelta(days=30 * n))
        theme = make_item(session, meeting, title=f"Theme {n}")
        private = make_item(session, meeting, title="Covert tactics", exempt=True,
                            exempt_reason="section 31 of the FOI Act 2000")
        under = make_item(session, meeting, title="Informants", parent=private)
        for item, words in ((theme, "Open work"), (under, "Hidden work")):
            action = make_action(session, [owner], meeting_id=meeting.id, item_id=item.id,
                                 text=f"{words} {n}.", due_date=date(2030, 1, 1)
                                 - timedelta(days=n))
            for text in ("Started.", "Halfway."):
                actions.add_update(session, action_id=action.id, by=SYSTEM,
                                   data=ActionUpdateCreate(text=text))
            session.commit()
            if n % 3 == 0:
                _close(session, action)


def _shown(html):
    """The ids of the actions in the page's table, in order."""
    return [int(i) for i in re.findall(r'<a class="govuk-link" href="/actions/(\d+)">', html)]


def _link(html, rel):
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def test_the_log_page_costs_the_same_statements_with_3_or_30_meetings(client, session):
    _, _, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Performance")
    _meetings_with_actions(session, series, dcc, 3)
    sign_in(client, session, Role.secretariat)
    paths = ("/actions", "/actions?status=all&sort=owner", "/actions?q=work&sort=rag",
             "/actions?status=all&sort=raised&order=desc")
    few = {path: page_statements(client, session, path)[0] for path in paths}
    _meetings_with_actions(session, series, dcc, 27, start=3)
    many = {path: page_statements(client, session, path)[0] for path in paths}
    assert many == few
    _, html = page_statements(client, session, "/actions?status=all")
    assert len(_shown(html)) == 25


def test_the_log_shows_open_actions_25_a_page_unless_asked(client, session):
    _, _, dcc = make_top_team(session)
    made = [make_action(session, [dcc], text=f"Open action {n}.") for n in range(30)]
    closed = make_action(session, [dcc], text="Finished action.")
    _close(session, closed)
    sign_in(client, session, Role.viewer)
    html = client.get("/actions").text
    assert len(_shown(html)) == 25
    assert _shown(html) == [a.id for a in made[:25]]
    assert "Finished action." not in html
    assert "30 actions" in html
    every = client.get("/actions?status=all").text
    assert "31 actions" in every
    assert "Finished action." in client.get("/actions?status=closed").text


def test_walking_the_pages_shows_each_action_once_with_the_filters_kept(client, session):
    _, cc, dcc = make_top_team(session)
    wanted = set()
    for n in range(60):
        action = make_action(session, [dcc if n % 2 else cc], text=f"Patrol review {n}.",
                             due_date=date(2029, 1, 1) + timedelta(days=n % 7))
        if n % 2:
            wanted.add(action.id)
    sign_in(client, session, Role.secretariat)
    path = f"/actions?owner={dcc.id}&q=patrol&sort=due&order=desc"
    seen: list[int] = []
    pages = []
    while path:
        html = client.get(path).text
        pages.append(_shown(html))
        seen += pages[-1]
        path = _link(html, "next")
        if path:
            asked = parse_qs(urlsplit(path).query)
            assert asked["owner"] == [str(dcc.id)] and asked["q"] == ["patrol"]
            assert asked["sort"] == ["due"] and asked["order"] == ["desc"]
        if len(pages) == 1:  # someone raises an action between pages
            late = make_action(session, [dcc], text="Patrol review late.",
                               due_date=date(2029, 1, 4))
    assert len(seen) == len(set(seen))
    assert wanted <= set(seen) and len(set(seen) - wanted) <= 1
    assert len(pages[0]) == 25 and len(pages) == 2  # 30 of the DCC's (31 with the late one)
    # going back from the second page shows the 25 before it: the first page (and the late
    # action, sorted among them, so the first page's first goes to a page before)
    second = client.get(f"/actions?owner={dcc.id}&q=patrol&sort=due&order=desc"
                        f"&after={pages[0][-1]}").text
    back = _link(second, "prev")
    before = _shown(client.get(back).text)
    assert len(before) == 25 and before[-1] == pages[0][-1]
    assert set(before) <= set(pages[0]) | {late.id}


def test_a_bad_page_link_is_refused_not_a_server_error(client, session):
    _, _, dcc = make_top_team(session)
    make_action(session, [dcc])
    sign_in(client, session, Role.viewer)
    for query in ("after=abc", "after=99999", "before=-1", "after=1e9", "before=" + "9" * 40):
        response = client.get(f"/actions?{query}")
        assert 400 <= response.status_code < 500, query


def test_the_counts_are_those_of_every_action_selected(client, session):
    _, cc, dcc = make_top_team(session)
    today = date.today()
    for n in range(40):
        action = make_action(session, [dcc if n % 3 else cc], text=f"Action {n}.",
                             due_date=today + timedelta(days=n * 3 - 40))
        if n % 5 == 0:
            _close(session, action)
        elif n % 7 == 0:
            actions.add_update(session, action_id=action.id, by=SYSTEM, data=ActionUpdateCreate(
                text="On hold.", status=ActionStatus.paused))
            session.commit()
    views = actions.list_actions(session, by=Actor(role=Role.viewer))
    rags = Counter(v.rag for v in views if v.rag)
    statuses = Counter(ActionStatus(v.action.status) for v in views)
    sign_in(client, session, Role.viewer)
    html = client.get("/actions?status=all").text
    assert f"{len(views)} actions" in html
    assert f"Closed: {statuses[ActionStatus.closed]}" in html
    assert f"Paused: {statuses[ActionStatus.paused]}" in html
    for rag in Rag:
        assert f"{rag.capitalize()}: {rags[rag]}" in html
    this_week = open_over_time(session, by=Actor(role=Role.viewer))[-1]
    assert (this_week.red, this_week.amber, this_week.green) == (
        rags[Rag.red], rags[Rag.amber], rags[Rag.green])
    mine = [v for v in views if dcc.id in v.owner_ids and v.rag]
    dcc_row = re.search(r'<th scope="row" class="govuk-table__header">DCC</th>(.*?)</tr>',
                        html, re.S)
    assert dcc_row and [int(n) for n in re.findall(r">(\d+)<", dcc_row.group(1))] == [
        sum(1 for v in mine if v.rag == rag) for rag in Rag]


def test_exempt_actions_are_neither_shown_nor_counted_for_the_force_or_viewers(
        client, session):
    _, _, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Performance")
    _meetings_with_actions(session, series, dcc, 4)  # 4 open and 4 hidden, 2 of each closed
    sign_in(client, session, Role.viewer)
    html = client.get("/actions?status=all").text
    assert "Hidden work" not in html
    assert "4 actions" in html and "Closed: 2" in html
    client.cookies.clear()
    sign_in(client, session, Role.secretariat)
    html = client.get("/actions?status=all").text
    assert "Hidden work 1." in html and "8 actions" in html and "Closed: 4" in html
    client.cookies.clear()
    officer, _ = make_user(session, Role.force, email="officer@force.example",
                           password="a long passphrase here")
    sign_in_through_form(client, session, "officer@force.example", "a long passphrase here")
    html = client.get("/actions?status=all").text
    assert "Hidden work" not in html and "4 actions" in html


def test_my_actions_costs_the_same_statements_with_3_or_15_open_actions(client, session):
    _, _, dcc = make_top_team(session)
    make_user(session, Role.force, person=dcc, email="dcc@force.example",
              password="a long passphrase here")
    sign_in_through_form(client, session, "dcc@force.example", "a long passphrase here")

    def raise_actions(count):
        for n in range(count):
            action = make_action(session, [dcc], text=f"Mine {n}.")
            actions.add_update(session, action_id=action.id, by=SYSTEM,
                               data=ActionUpdateCreate(text=f"Under way {n}."))
            session.commit()

    raise_actions(3)
    few, html = page_statements(client, session, "/my-actions")
    assert "Under way 2." in html
    raise_actions(12)
    many, html = page_statements(client, session, "/my-actions")
    assert "Under way 11." in html
    assert many == few


def test_the_downloads_hold_every_action_the_filters_select_not_one_page(client, session):
    from io import BytesIO

    from openpyxl import load_workbook

    _, _, dcc = make_top_team(session)
    for n in range(30):
        make_action(session, [dcc], text=f"Exported action {n}.")
    _close(session, make_action(session, [dcc], text="Closed exported action."))
    sign_in(client, session, Role.secretariat)
    html = client.get("/actions").text
    link = unescape(re.search(r'href="(/actions/log\.xlsx[^"]*)"', html).group(1))
    assert "status=not_closed" in link  # the download is what the page shows
    cells = [c for row in load_workbook(BytesIO(client.get(link).content)).active.iter_rows(
        values_only=True) for c in row if isinstance(c, str)]
    assert sum("Exported action" in c for c in cells) == 30
    assert not any("Closed exported action." in c for c in cells)
