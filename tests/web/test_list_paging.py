"""The lists that used to load everything come a page at a time (keyset paging): walking the
"Next" links shows every row once even when rows are added between pages, the filters and sort
stay in the links, a page link made for another list (or changed by hand) is refused with 422
and a message, and so is a page size over the most allowed. The page costs the same statements
however long the list."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from app.models import Role
from app.schemas import ActionUpdateCreate
from app.services import actions
from tests.factories import SYSTEM, make_action, make_top_team, make_user
from tests.sql_counter import page_statements
from tests.web.signing import sign_in_through_form

PASSWORD = "a long passphrase here"


# --- shared: walking a paged page ----------------------------------------------------------


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def walk(client, path: str, shown, between=None) -> list[list[int]]:
    """The rows of each page, following "Next" from `path`; `between` runs after the first."""
    pages: list[list[int]] = []
    next_path: str | None = path
    while next_path:
        response = client.get(next_path)
        assert response.status_code == 200, response.text[:500]
        pages.append(shown(response.text))
        next_path = link(response.text, "next")
        if between and len(pages) == 1:
            between()
        assert len(pages) < 50
    return pages


def cursor_of(html: str) -> str:
    """The cursor of a page's "Next" link."""
    following = link(html, "next")
    assert following, "the list needs a second page for this check"
    return re.search(r"after=([^&]+)", following).group(1)


def refuses_bad_page_links(client, path: str, foreign_cursor: str) -> None:
    """A cursor from another list, a changed cursor and a too-big page are refused (422)."""
    cursor = cursor_of(client.get(path).text)
    sep = "&" if "?" in path else "?"
    for bad in (foreign_cursor, cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB"),
                "not-a-cursor", "x" * 3000):
        response = client.get(f"{path}{sep}after={bad}")
        assert response.status_code == 422, bad
        assert "page link" in response.text.lower() or "cursor" in response.text.lower()
    for too_many in ("101", "0", "-1", "lots"):
        response = client.get(f"{path}{sep}limit={too_many}")
        assert response.status_code == 422, too_many
        assert "limit must be a whole number from 1 to 100" in response.text.lower()


# --- My actions ----------------------------------------------------------------------------


def _mine(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<section class="assure-owner-action" id="action-(\d+)"',
                                       html)]


def _owner(client, session):
    _, cc, dcc = make_top_team(session)
    make_user(session, Role.force, person=dcc, email="dcc@force.example", password=PASSWORD)
    sign_in_through_form(client, session, "dcc@force.example", PASSWORD)
    return cc, dcc


def _raise(session, dcc, count, start=0, updates=1):
    made = []
    for n in range(start, start + count):
        action = make_action(session, [dcc], text=f"Mine {n}.",
                             due_date=date(2030, 1, 1) + timedelta(days=n % 9))
        for u in range(updates):
            actions.add_update(session, action_id=action.id, by=SYSTEM,
                               data=ActionUpdateCreate(text=f"Update {u} on {n}."))
        session.commit()
        made.append(action)
    return made


def test_my_actions_come_25_a_page_each_once_even_with_one_raised_between_pages(
        client, session):
    _, dcc = _owner(client, session)
    made = _raise(session, dcc, 40)
    late = []
    pages = walk(client, "/my-actions", _mine,
                 between=lambda: late.extend(_raise(session, dcc, 1, start=99)))
    seen = [i for page in pages for i in page]
    assert [len(p) for p in pages][:1] == [25]
    assert len(seen) == len(set(seen))
    assert {a.id for a in made} <= set(seen) <= {a.id for a in made + late}
    html = client.get("/my-actions").text
    assert "41 open actions, 25 on this page." in html
    # the soonest due first, then by reference
    by_due = sorted(made + late, key=lambda a: (a.due_date, a.year, a.seq))
    assert _mine(html) == [a.id for a in by_due[:25]]
    # "Previous" from the second page goes back to the first
    second = client.get(link(html, "next")).text
    assert _mine(client.get(link(second, "prev")).text) == _mine(html)


def test_my_actions_show_each_actions_latest_update_not_its_whole_history(client, session):
    _, dcc = _owner(client, session)
    _raise(session, dcc, 2, updates=4)
    html = client.get("/my-actions").text
    assert "Update 3 on 0." in html and "Update 3 on 1." in html
    assert "Update 1 on 0." not in html
    assert "(of 4 so far)" in html


def test_my_actions_refuse_a_page_link_of_another_list_or_a_page_too_big(client, session):
    cc, dcc = _owner(client, session)
    _raise(session, dcc, 30)
    _raise(session, cc, 30, start=100)
    # the CC's list is another list: its cursor does not work on the DCC's
    client.cookies.clear()
    make_user(session, Role.force, person=cc, email="cc@force.example", password=PASSWORD)
    sign_in_through_form(client, session, "cc@force.example", PASSWORD)
    cc_cursor = cursor_of(client.get("/my-actions").text)
    client.cookies.clear()
    sign_in_through_form(client, session, "dcc@force.example", PASSWORD)
    response = client.get(f"/my-actions?after={cc_cursor}")
    assert response.status_code == 422 and "another list" in response.text
    refuses_bad_page_links(client, "/my-actions", cc_cursor)


def test_my_actions_keep_a_chosen_page_size_in_their_links(client, session):
    _, dcc = _owner(client, session)
    _raise(session, dcc, 12)
    pages = walk(client, "/my-actions?limit=5", _mine)
    assert [len(p) for p in pages] == [5, 5, 2]
    assert "limit=5" in link(client.get("/my-actions?limit=5").text, "next")


def test_an_update_sent_from_a_later_page_comes_back_to_that_page(client, session):
    """A refused update shows the same page again, with the error at that action's box (not
    page 1, where the action is not); a saved one goes back to the same page too."""
    _, dcc = _owner(client, session)
    _raise(session, dcc, 30)
    second_link = link(client.get("/my-actions").text, "next")
    second = client.get(second_link).text
    action_id = _mine(second)[0]
    form = re.search(rf'<form method="post" action="([^"]*/{action_id}/updates[^"]*)"', second)
    token = re.search(r'name="csrf_token" value="([^"]+)"', second).group(1)
    refused = client.post(unescape(form.group(1)), data={
        "csrf_token": token, "text": "", "status": ""})
    assert refused.status_code == 422
    assert _mine(refused.text) == _mine(second)
    assert f'href="#text-{action_id}"' in refused.text and f'id="text-{action_id}"' in refused.text
    saved = client.post(unescape(form.group(1)), data={
        "csrf_token": token, "text": "Half done.", "status": "in_progress"},
        follow_redirects=False)
    assert saved.status_code == 303
    back = client.get(saved.headers["location"])
    assert _mine(back.text) == _mine(second) and "Your update was saved." in back.text


# --- /public: the published minutes, for anyone ------------------------------------------


def _published(html: str) -> list[int]:
    """The current documents listed, in order."""
    # each version's Word file (its PDF is a download too), not the earlier versions'
    return [int(i) for i in re.findall(
        r'<a class="govuk-link" href="/public/documents/(\d+)" download>Download'
        r'<span class="govuk-visually-hidden"> the minutes of the [^<]*?'
        r'(?<!, version \d)(?<!, version \d\d)</span> as a Word file', html)]


def _publish(session, count, start=0, *, versions=1, internal=False):
    """Meetings with published minutes (the rows as publishing leaves them), the current
    public version of each, in the order the page lists them (the latest meeting first)."""
    from datetime import datetime

    from app.models import PublishedDocument
    from tests.factories import make_meeting

    current = []
    for n in range(start, start + count):
        meeting = make_meeting(session, starts_at=datetime(2019, 1, 1, 10) + timedelta(days=7 * n))
        editions = ["public"] + (["internal"] if internal else [])
        for edition in editions:
            for version in range(1, versions + 1):
                document = PublishedDocument(
                    meeting_id=meeting.id, edition=edition, version=version,
                    title=f"Minutes {n}", filename=f"minutes-{n}-{edition}-{version}.docx",
                    content_type="application/octet-stream", size_bytes=2048,
                    sha256=f"{n:08d}{version:02d}" + "0" * 54, content=b"minutes")
                session.add(document)
                session.commit()
                if edition == "public" and version == versions:
                    current.append((meeting.starts_at, document.id))
    return [i for _, i in sorted(current, reverse=True)]


def test_public_lists_25_meetings_a_page_each_once_even_with_minutes_published_between(
        client, session):
    listed = _publish(session, 40, versions=2, internal=True)
    late: list[int] = []
    pages = walk(client, "/public", _published,
                 between=lambda: late.extend(_publish(session, 1, start=200)))
    seen = [i for page in pages for i in page]
    assert len(pages[0]) == 25 and len(seen) == len(set(seen))
    assert set(listed) <= set(seen) <= set(listed) | set(late)
    first = client.get("/public").text
    assert _published(first) == (late + listed)[:25]
    assert "Minutes of 41 meetings, 25 on this page." in first
    # only public editions, as before: the internal edition is never listed or linked
    assert "internal" not in first and "Version 1, published" in first
    second = client.get(link(first, "next")).text
    assert _published(client.get(link(second, "prev")).text) == _published(first)


def test_public_refuses_a_page_link_of_another_list_or_a_page_too_big(client, session):
    _publish(session, 30)
    _, dcc = _owner(client, session)
    _raise(session, dcc, 30)
    foreign = cursor_of(client.get("/my-actions").text)
    client.cookies.clear()
    refuses_bad_page_links(client, "/public", foreign)


# --- the question bank ---------------------------------------------------------------------


def _questions(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a class="govuk-link" href="/questions/(\d+)">', html)]


def _ask(session, count, start=0, *, meetings=1, status="sent", theme="Roads policing"):
    """count questions spread over `meetings` new meetings, each on an item; their ids."""
    from app.schemas import QuestionCreate
    from app.services import questions
    from tests.factories import make_item, make_meeting

    places = []
    for m in range(meetings):
        meeting = make_meeting(session)
        places.append((meeting, make_item(session, meeting, title=f"Item of {start + m}")))
    made = []
    for n in range(start, start + count):
        meeting, item = places[n % meetings]
        made.append(questions.create_question(session, by=SYSTEM, data=QuestionCreate(
            text=f"Question number {n}?", theme=theme, meeting_id=meeting.id,
            item_id=item.id, status=status)).id)
    session.commit()
    return made


def _sign_in(client, session, role):
    make_user(session, role, email=f"{role}@bank.example", password=PASSWORD)
    sign_in_through_form(client, session, f"{role}@bank.example", PASSWORD)


def test_the_bank_comes_25_a_page_newest_first_filters_kept_each_once_with_inserts(
        client, session):
    roads = _ask(session, 35, meetings=3)
    _ask(session, 10, start=100, theme="Custody")  # filtered out
    drafts = _ask(session, 10, start=200, status="draft")  # not for a viewer
    _sign_in(client, session, Role.viewer)
    late: list[int] = []
    path = "/questions?theme=Roads+policing&status=sent"
    pages = walk(client, path, _questions,
                 between=lambda: late.extend(_ask(session, 1, start=300)))
    seen = [i for page in pages for i in page]
    assert len(pages[0]) == 25 and len(seen) == len(set(seen))
    assert set(roads) <= set(seen) <= set(roads) | set(late)
    first = client.get(path).text
    assert _questions(first) == sorted(roads + late, reverse=True)[:25]
    assert "36 questions match these filters, 25 on this page" in first
    following = link(first, "next")
    assert "theme=Roads+policing" in following and "status=sent" in following
    second = client.get(following).text
    assert _questions(client.get(link(second, "prev")).text) == _questions(first)
    # a viewer neither sees nor counts the drafts
    every = client.get("/questions").text
    assert not set(drafts) & set(_questions(every))
    assert "46 questions, 25 on this page" in every


def test_the_bank_refuses_a_page_link_of_other_filters_or_a_page_too_big(client, session):
    _ask(session, 30)
    _ask(session, 30, start=100, theme="Custody")
    _sign_in(client, session, Role.secretariat)
    custody = cursor_of(client.get("/questions?theme=Custody").text)
    response = client.get(f"/questions?theme=Roads+policing&after={custody}")
    assert response.status_code == 422 and "other filters" in response.text
    refuses_bad_page_links(client, "/questions?theme=Roads+policing", custody)


# --- a list of 30 rows or of 90: the same statements ---------------------------------------


def _my_actions(client, session):
    """A DCC signed in with 30 open actions; what gives them 60 more."""
    _, dcc = _owner(client, session)
    _raise(session, dcc, 30, updates=2)
    return lambda: _raise(session, dcc, 60, start=30, updates=2)


def _minutes(client, session):
    """30 meetings' minutes published (two versions each); what publishes 60 more."""
    _publish(session, 30, versions=2)
    return lambda: _publish(session, 60, start=30, versions=2)


def _bank(client, session):
    """30 questions over 10 meetings, the secretariat signed in; what asks 60 more."""
    _ask(session, 30, meetings=10)
    _sign_in(client, session, Role.secretariat)
    return lambda: _ask(session, 60, start=30, meetings=30)


@pytest.mark.parametrize(("path", "shown", "thirty"), [
    pytest.param("/my-actions", _mine, _my_actions, id="my-actions"),
    pytest.param("/public", _published, _minutes, id="public"),
    pytest.param("/questions", _questions, _bank, id="question-bank"),
])
def test_a_list_costs_the_same_statements_with_30_or_90_rows(client, session, path, shown,
                                                             thirty):
    """The first page, its next, and the first page's next link followed once the list has
    grown, each cost as many statements with 90 rows as with 30."""
    sixty_more = thirty(client, session)
    few, html = page_statements(client, session, path)
    assert len(shown(html)) == 25
    second = link(html, "next")
    few_later, _ = page_statements(client, session, second)
    sixty_more()
    many, html = page_statements(client, session, path)
    assert len(shown(html)) == 25
    many_later, _ = page_statements(client, session, link(html, "next"))
    old_link_later, _ = page_statements(client, session, second)
    assert (many, many_later, old_link_later) == (few, few_later, few_later)


# --- the meetings list ---------------------------------------------------------------------


def _dates(html: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)">', html)


def _meetings(session, count, start=0, series=None, held=False):
    """count weekly meetings, half to come and half held (or all held)."""
    from datetime import datetime

    from tests.factories import make_meeting

    base = datetime.now().replace(hour=10, minute=0, second=0, microsecond=0)
    for n in range(start, start + count):
        weeks = n + 1 if held else n // 2 + 1
        make_meeting(session, series, starts_at=base + timedelta(days=7 * weeks * (
            1 if n % 2 and not held else -1)))


def test_the_meetings_list_keeps_its_place_when_meetings_are_added_between_pages(
        client, session):
    from tests.factories import make_meeting_type

    board = make_meeting_type(session, name="Board")
    _meetings(session, 50, series=board)
    _meetings(session, 6, start=100)  # another series, filtered out
    _sign_in(client, session, Role.viewer)
    first = client.get(f"/meetings?series={board.id}").text
    on_first = _dates(first)
    # three meetings are added to come, before any of the first page's: an OFFSET second
    # page would repeat the first page's last three
    for day in (1, 2, 3):
        from datetime import datetime

        from tests.factories import make_meeting
        make_meeting(session, board, starts_at=datetime.now().replace(
            hour=9, minute=0, second=0, microsecond=0) + timedelta(days=day))
    following = link(first, "next")
    assert f"series={board.id}" in following and "page=2" in following
    second = client.get(following).text
    assert not set(_dates(second)) & set(on_first)
    pages = [on_first, _dates(second)]
    third_link = link(second, "next")
    while third_link:
        html = client.get(third_link).text
        pages.append(_dates(html))
        third_link = link(html, "next")
    seen = [d for page in pages for d in page]
    assert len(seen) == len(set(seen)) and len(seen) == 50
    # back from the second page to the first: the list from its start, with those added
    assert _dates(client.get(link(second, "prev")).text) == _dates(
        client.get(f"/meetings?series={board.id}").text)
    # and back from the third, the 20 just before it
    third = client.get(link(second, "next")).text
    assert _dates(client.get(link(third, "prev")).text) == _dates(second)


def test_the_meetings_list_refuses_a_page_link_of_other_filters(client, session):
    from tests.factories import make_meeting_type

    board = make_meeting_type(session, name="Board")
    _meetings(session, 30, series=board)
    _meetings(session, 30, start=100)
    _sign_in(client, session, Role.viewer)
    board_cursor = cursor_of(client.get(f"/meetings?series={board.id}").text)
    response = client.get(f"/meetings?page=2&after={board_cursor}")
    assert response.status_code == 422 and "other filters" in response.text
    for bad in ("not-a-cursor", board_cursor[:-3] + "AAA", "x" * 3000):
        assert client.get(f"/meetings?series={board.id}&page=2&after={bad}").status_code == 422


def test_a_later_page_of_meetings_costs_the_same_statements_with_60_or_180(client, session):
    _meetings(session, 60, held=True)
    _sign_in(client, session, Role.viewer)
    first = client.get("/meetings").text
    few, _ = page_statements(client, session, link(first, "next"))
    _meetings(session, 120, start=60, held=True)
    first = client.get("/meetings").text
    many, html = page_statements(client, session, link(first, "next"))
    assert len(_dates(html)) == 20 and many == few
