"""The chair's preparation page: items with papers and questions, what the force last said on
each theme, the actions still open, and sending the question pack."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from app.models import ItemKind, QuestionStatus, Role
from app.schemas import AnswerCreate, QuestionCreate
from app.services import identity
from app.services import questions as question_service
from app.services.papers import attach_paper
from app.web import prepare_page
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    CommittingClient,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)
from tests.sql_counter import page_cost
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
XSS = "<script>alert('x')</script>"


@pytest.fixture
def client(app, session):
    if not any(getattr(r, "path", "").endswith("/prepare") for r in app.routes):
        app.include_router(prepare_page.router)
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          session=session) as test_client:
        yield test_client


def sign_in(client, session, role: Role, person=None):
    user, _ = make_user(session, role, person=person, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return user


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def ask(session, meeting, item, text, status="draft", theme="Roads policing", **kw):
    pcc, cc = kw.pop("people")
    return question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text=text, theme=theme, asked_by_id=pcc.id, addressed_to_id=cc.id,
        meeting_id=meeting.id, item_id=item.id if item else None, status=status))


@dataclass
class Prepared:
    meeting: object
    roads: object
    workforce: object
    ready: object
    draft: object
    action: object
    paper: object


@pytest.fixture
def prepared(session) -> Prepared:
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    team = (pcc, cc)

    earlier = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10, 0))
    earlier_roads = make_item(session, earlier, title="Roads policing")
    old = ask(session, earlier, earlier_roads, "When will the force join NAS?", "sent",
              people=team)
    question_service.answer_question(session, question_id=old.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=cc.id, text="The force will join NAS in March 2020."))
    action = make_action(session, [dcc], meeting_id=earlier.id, item_id=earlier_roads.id,
                         text="The DCC to review the ANPR business case.",
                         due_date=date(2019, 5, 28))

    meeting = make_meeting(session, series, starts_at=datetime(2030, 5, 28, 10, 0))
    holding = make_item(session, meeting, title="Holding to account",
                        kind=ItemKind.holding_to_account)
    roads = make_item(session, meeting, title="Roads policing", parent=holding,
                      paper_due_on=date(2020, 1, 10), commission="A report on ANPR coverage.")
    workforce = make_item(session, meeting, title="Workforce", parent=holding,
                          paper_due_on=date(2020, 1, 10))
    paper = attach_paper(session, item_id=workforce.id, filename="workforce.pdf",
                         content=PDF_BYTES, by=SYSTEM)
    ready = ask(session, meeting, roads, "Is the force now connected to NAS?", "ready",
                people=team)
    draft = ask(session, meeting, roads, "How many collisions were there?", people=team)

    later = make_meeting(session, series, starts_at=datetime(2031, 1, 28, 10, 0))
    future = ask(session, later, None, "A later question", "sent", people=team)
    question_service.answer_question(session, question_id=future.id, by=SYSTEM,
                                     data=AnswerCreate(respondent_id=cc.id,
                                                       text="An answer from a later meeting."))
    return Prepared(meeting, roads, workforce, ready, draft, action, paper)


@pytest.mark.parametrize("role", [Role.admin, Role.secretariat, Role.chair])
def test_the_office_prepares(client, session, prepared, role):
    sign_in(client, session, role)
    page = client.get(f"/meetings/{prepared.meeting.id}/prepare")
    assert page.status_code == 200
    assert "Monthly Assurance Meeting 28 May 2030" in page.text
    assert "Send the question pack to the force" in page.text
    assert f"/api/v1/meetings/{prepared.meeting.id}/question-pack.docx" in page.text
    assert f"/api/v1/meetings/{prepared.meeting.id}/agenda.docx" in page.text


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_the_force_and_viewers_are_refused(client, session, prepared, role):
    sign_in(client, session, role)
    page = client.get(f"/meetings/{prepared.meeting.id}/prepare")
    assert page.status_code == 403
    assert "Only the Commissioner&#39;s office prepares for a meeting" in page.text
    assert client.post(f"/meetings/{prepared.meeting.id}/prepare/send",
                       data={"csrf_token": "x"}).status_code == 403


def test_items_show_papers_questions_and_what_the_force_last_said(client, session, prepared):
    sign_in(client, session, Role.chair)
    page = client.get(f"/meetings/{prepared.meeting.id}/prepare").text
    roads = page[page.index(f'id="item-{prepared.roads.id}"'):
                 page.index(f'id="item-{prepared.workforce.id}"')]
    assert "1.1</span> Roads policing" in roads
    assert "Paper late" in roads and "Due 10 January 2020" in roads
    assert "A report on ANPR coverage." in roads
    assert "Is the force now connected to NAS?" in roads and ">Ready<" in roads
    assert "How many collisions were there?" in roads and ">Draft<" in roads
    assert "What the force last said on this theme" in roads
    assert "The force will join NAS in March 2020." in roads
    assert "Monthly Assurance Meeting 30 April 2019" in roads
    assert "An answer from a later meeting." not in page
    workforce = page[page.index(f'id="item-{prepared.workforce.id}"'):]
    assert f'href="/api/v1/papers/{prepared.paper.id}"' in workforce
    assert "workforce.pdf" in workforce
    assert "Paper late" not in workforce.split("</section>")[0]
    actions = page[page.index('id="actions"'):]
    assert prepared.action.reference in actions
    assert "The DCC to review the ANPR business case." in actions
    assert "Red – overdue" in actions


def test_sending_the_pack_marks_the_ready_questions_as_sent(client, session, prepared):
    sign_in(client, session, Role.chair)
    page = client.get(f"/meetings/{prepared.meeting.id}/prepare")
    path = f"/meetings/{prepared.meeting.id}/prepare/send"
    assert client.post(path).status_code == 403  # no CSRF token
    sent = client.post(path, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert sent.status_code == 303
    page = client.get(sent.headers["location"])
    assert "1 question was marked as sent to the force." in page.text
    assert "No questions are ready to send." in page.text
    session.rollback()
    session.expire_all()
    ready = question_service.get_question(session, question_id=prepared.ready.id, by=SYSTEM)
    draft = question_service.get_question(session, question_id=prepared.draft.id, by=SYSTEM)
    assert ready.status == QuestionStatus.sent and draft.status == QuestionStatus.draft


def test_a_missing_meeting_is_not_found(client, session):
    sign_in(client, session, Role.chair)
    assert client.get("/meetings/999999/prepare").status_code == 404


def test_everything_typed_is_escaped(client, session):
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    item = make_item(session, meeting, title=XSS, commission=XSS)
    ask(session, meeting, item, XSS, "ready", theme=XSS, people=(pcc, cc))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/prepare")
    assert page.status_code == 200
    assert XSS not in page.text and "&lt;script&gt;" in page.text


def _page_cost(client, session, meeting_id: int) -> tuple[int, int, str]:
    """Statements made and rows loaded by one view of the page, and what it says the force
    last said."""
    seen, loaded, html = page_cost(client, session, f"/meetings/{meeting_id}/prepare")
    said = html.split("What the force last said", 1)[1].split("</h4>", 1)[1]
    return seen, loaded, re.sub(r"\s+", " ", said.split("<h4", 1)[0])


def test_the_page_reads_as_much_after_ten_years_as_after_one(client, session, prepared):
    """Only the latest earlier answer on each theme is read, in one query for all themes: a
    longer history, or more themes on the page, makes no more statements and loads no more."""
    sign_in(client, session, Role.chair)
    pcc, cc = make_top_team(session)[:2]
    series = make_meeting_type(session, name="Earlier Board")
    themes = [f"Theme {n}" for n in range(10)]
    made = 0

    def history(meetings: int, page_themes: int) -> None:
        nonlocal made
        for _ in range(meetings):
            made += 1
            earlier = make_meeting(session, series,
                                   starts_at=datetime(2010, 1, 1, 10, 0).replace(
                                       year=2010 + made // 12, month=1 + made % 12))
            for theme in themes:
                old = ask(session, earlier, None, f"{theme} question {made}", "sent",
                          theme=theme, people=(pcc, cc))
                question_service.answer_question(
                    session, question_id=old.id, by=SYSTEM,
                    data=AnswerCreate(respondent_id=cc.id, text=f"{theme} answer {made}"))
        for theme in themes[:page_themes]:
            if not question_service.list_questions(session, by=SYSTEM, theme=theme,
                                                   meeting_id=prepared.meeting.id):
                ask(session, prepared.meeting, prepared.roads, f"On {theme}?", "ready",
                    theme=theme, people=(pcc, cc))
        session.commit()

    history(2, 1)
    small = _page_cost(client, session, prepared.meeting.id)
    assert "Theme 0 answer 2" in small[2] and "Theme 0 answer 1" not in small[2]
    history(18, 10)
    large = _page_cost(client, session, prepared.meeting.id)
    for theme in themes:
        assert f"{theme} answer 20" in large[2], theme
    assert "answer 19" not in large[2] and "An answer from a later meeting" not in large[2]
    assert "The force will join NAS in March 2020." in large[2]  # its own theme, unchanged
    assert large[0] == small[0], (small[0], large[0])  # statements
    # rows: the ten themes' latest answers (question, answer, meeting, its series) at most
    assert large[1] <= small[1] + 9 * 4, (small[1], large[1])


def test_the_actions_still_open_are_counted_by_the_database_and_a_few_are_listed(
        client, session, prepared, monkeypatch):
    """However many actions are still open from earlier meetings, the page loads the same
    number of rows: it lists the oldest few and says how many there are (issue 17)."""
    monkeypatch.setattr(prepare_page, "CARRIED_SHOWN", 5, raising=False)
    # the sign-in's once-a-minute touch is not the page's: a slow build must not count it
    monkeypatch.setattr(identity, "touch_interval", lambda idle: timedelta(days=1))
    sign_in(client, session, Role.chair)
    dcc = make_top_team(session)[2]
    earlier = make_meeting(session, _series(session, prepared.meeting),
                           starts_at=datetime(2019, 6, 30, 10, 0))

    def raise_actions(count: int) -> None:
        for n in range(count):
            make_action(session, [dcc], meeting_id=earlier.id, text=f"Open action {n}",
                        due_date=date(2031, 1, 31))

    raise_actions(6)  # 7 open with the fixture's
    small = _page_cost(client, session, prepared.meeting.id)
    raise_actions(40)  # 47 open
    page = client.get(f"/meetings/{prepared.meeting.id}/prepare").text
    large = _page_cost(client, session, prepared.meeting.id)
    assert large[0] == small[0], (small[0], large[0])
    assert large[1] == small[1], (small[1], large[1])  # rows loaded
    assert 'href="#actions">47</a>' in page
    assert "The first 5 of 47, oldest first." in page
    assert "The DCC to review the ANPR business case." in page  # the oldest reference
    assert "Open action 3" in page and "Open action 4" not in page


def _series(session, meeting):
    from app.models import MeetingType
    return session.get(MeetingType, meeting.meeting_type_id)
