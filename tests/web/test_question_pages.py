"""The question bank's pages: the list, drafting and changing, one question's life, a theme.

Every test signs in through the form as a browser does and posts the page's own forms, with
the CSRF token read from the page.
"""

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from docx import Document
from fastapi.testclient import TestClient

from app.models import ItemKind, QuestionStatus, Role
from app.schemas import AnswerCreate, QuestionCreate
from app.services import identity
from app.services import questions as question_service
from app.services.dates import to_london
from app.web import question_bank, question_page
from app.web import question_form as question_form_pages
from tests.factories import (
    SYSTEM,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_top_team,
    make_user,
)
from tests.sql_counter import page_cost
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
XSS = "<script>alert('x')</script>"


@pytest.fixture
def client(app):
    if not any(getattr(r, "path", "").startswith("/questions") for r in app.routes):
        for pages in (question_form_pages, question_bank, question_page):
            app.include_router(pages.router)
    with TestClient(app, base_url="https://testserver",
                    raise_server_exceptions=False) as test_client:
        yield test_client


def sign_in(client, session, role: Role, person=None):
    user, _ = make_user(session, role, person=person, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return user


def fresh(session) -> None:
    """Forget what the test's session read, so it sees what the app has saved since."""
    session.rollback()
    session.expire_all()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def soon(days: int = 10) -> datetime:
    """A London wall-clock time a few days from now, at 10:00."""
    day = to_london(datetime.now().astimezone()).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 10, 0)


@dataclass
class Bank:
    pcc: object
    cc: object
    dcc: object
    meeting: object
    roads: object
    draft: object
    sent: object


@pytest.fixture
def bank(session) -> Bank:
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=soon(), chair_id=pcc.id)
    holding = make_item(session, meeting, title="Holding to account",
                        kind=ItemKind.holding_to_account)
    roads = make_item(session, meeting, title="Roads policing", parent=holding)
    draft = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Draft about speed cameras?", theme="Roads policing", asked_by_id=pcc.id,
        addressed_to_id=cc.id, meeting_id=meeting.id, item_id=roads.id))
    sent = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="When will the force join NAS?", theme="Roads policing", asked_by_id=pcc.id,
        addressed_to_id=cc.id, meeting_id=meeting.id, item_id=roads.id, status="sent"))
    return Bank(pcc, cc, dcc, meeting, roads, draft, sent)


def question_form(bank: Bank, **changes) -> dict:
    values = {"text": "Is regional collaboration on roads policing effective?",
              "theme": "Roads policing", "asked_by_id": str(bank.pcc.id),
              "addressed_to_id": str(bank.cc.id), "meeting_id": "",
              "item_id": str(bank.roads.id), "source": "commissioner"}
    values.update(changes)
    return values


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.admin, Role.secretariat, Role.chair])
def test_the_office_sees_every_question_and_may_draft(client, session, bank, role):
    sign_in(client, session, role)
    page = client.get("/questions")
    assert page.status_code == 200
    assert "Draft about speed cameras?" in page.text
    assert "When will the force join NAS?" in page.text
    assert 'href="/questions/new"' in page.text
    assert "Sent to the force" in page.text and "Draft" in page.text
    assert "PCC → CC" in page.text
    assert f'href="/meetings/{bank.meeting.id}"' in page.text
    assert "Item 1.1 Roads policing" in page.text


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_the_force_and_viewers_see_only_what_was_sent_and_cannot_draft(client, session, bank,
                                                                       role):
    sign_in(client, session, role)
    page = client.get("/questions")
    assert page.status_code == 200
    assert "When will the force join NAS?" in page.text
    assert "Draft about speed cameras?" not in page.text
    assert 'href="/questions/new"' not in page.text
    assert client.get("/questions/new").status_code == 403
    assert client.get(f"/questions/{bank.draft.id}").status_code == 404
    assert client.get(f"/questions/{bank.draft.id}/edit").status_code == 404
    sent = client.get(f"/questions/{bank.sent.id}")
    assert sent.status_code == 200 and "Mark as asked" not in sent.text
    assert "Record an answer" not in sent.text
    assert client.get(f"/questions/{bank.sent.id}/edit").status_code == 403


def test_the_list_filters_by_theme_status_source_and_meeting(client, session, bank):
    question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many 999 calls were answered in ten seconds?", theme="999 answering"))
    sign_in(client, session, Role.secretariat)
    by_theme = client.get("/questions", params={"theme": "999 answering"}).text
    assert "999 calls" in by_theme and "NAS" not in by_theme
    assert '<option value="999 answering" selected>' in by_theme
    by_status = client.get("/questions", params={"status": "sent"}).text
    assert "NAS" in by_status and "speed cameras" not in by_status and "999 calls" not in by_status
    by_meeting = client.get("/questions", params={"meeting": str(bank.meeting.id)}).text
    assert "NAS" in by_meeting and "999 calls" not in by_meeting
    by_source = client.get("/questions", params={"source": "public"}).text
    assert "No questions match these filters" in by_source
    nonsense = client.get("/questions", params={"status": "bogus", "meeting": "x"})
    assert nonsense.status_code == 200 and "999 calls" in nonsense.text


# --- a question's whole life through the pages ------------------------------------------------


# The test's session reads across requests and then rolls back: on one shared connection
# that would undo the app's commits made meanwhile.
@pytest.mark.separate_connections
def test_a_question_goes_from_draft_to_answered_and_into_the_minutes(client, session, bank):
    sign_in(client, session, Role.chair, person=bank.pcc)
    form = client.get("/questions/new")
    assert form.status_code == 200
    assert "PCC – John Campion" in form.text
    assert f"{bank.meeting.id}" in form.text and "1.1 Roads policing" in form.text
    created = client.post("/questions/new", data={
        **question_form(bank), "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert created.status_code == 303, created.text
    path = created.headers["location"].split("?")[0]
    question_id = int(path.rsplit("/", 1)[1])

    for step, label in [("ready", "Mark as ready"), ("sent", "Send to the force"),
                        ("asked", "Mark as asked")]:
        page = client.get(path)
        assert label in page.text
        moved = client.post(f"{path}/status", data={"to": step, "csrf_token": csrf_of(page.text)},
                            follow_redirects=False)
        assert moved.status_code == 303, moved.text
        assert question_service.get_question(session, question_id=question_id,
                                             by=SYSTEM).status == step
        fresh(session)

    page = client.get(path)
    assert "Record an answer" in page.text
    answered = client.post(f"{path}/answers", data={
        "csrf_token": csrf_of(page.text), "respondent_id": str(bank.cc.id),
        "answer_text": "Regional collaboration is reviewed every quarter.", "how": "meeting",
    }, follow_redirects=False)
    assert answered.status_code == 303, answered.text
    page = client.get(answered.headers["location"])
    assert "The answer has been recorded." in page.text
    assert "Regional collaboration is reviewed every quarter." in page.text
    assert "The CC answered in the meeting" in page.text
    fresh(session)
    question = question_service.get_question(session, question_id=question_id, by=SYSTEM)
    assert question.status == QuestionStatus.answered

    minutes = client.get(f"/api/v1/meetings/{bank.meeting.id}/minutes.docx")
    assert minutes.status_code == 200
    text = docx_text(minutes.content)
    assert ("The PCC asked the CC: Is regional collaboration on roads policing effective?"
            in text)
    assert "The CC responded: Regional collaboration is reviewed every quarter." in text


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


def test_the_question_page_shows_history_and_what_was_asked_before(client, session, bank):
    question_service.answer_question(session, question_id=bank.sent.id, by=SYSTEM,
                                     data=AnswerCreate(respondent_id=bank.cc.id,
                                                       text="In March.", in_meeting=False))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/questions/{bank.draft.id}").text
    assert "Drafted" in page
    assert "Asked before on this theme" in page
    assert "When will the force join NAS?" in page
    assert 'href="/questions/themes/Roads%20policing"' in page
    answered = client.get(f"/questions/{bank.sent.id}").text
    assert "Answered in writing by the CC" in answered
    assert "Carry forward for a follow-up" in answered


def test_changing_a_question_through_its_form(client, session, bank):
    sign_in(client, session, Role.secretariat)
    form = client.get(f"/questions/{bank.draft.id}/edit")
    assert form.status_code == 200 and "Draft about speed cameras?" in form.text
    saved = client.post(f"/questions/{bank.draft.id}/edit", data={
        **question_form(bank, text="Are speed cameras working?", item_id=""),
        "meeting_id": str(bank.meeting.id), "csrf_token": csrf_of(form.text),
    }, follow_redirects=False)
    assert saved.status_code == 303
    fresh(session)
    question = question_service.get_question(session, question_id=bank.draft.id, by=SYSTEM)
    assert question.text == "Are speed cameras working?" and question.item_id is None
    assert question.meeting_id == bank.meeting.id


# --- bad input keeps what was typed ---------------------------------------------------------


def test_an_empty_question_is_refused_and_the_rest_is_kept(client, session, bank):
    sign_in(client, session, Role.chair)
    form = client.get("/questions/new")
    response = client.post("/questions/new", data={
        **question_form(bank, text="   ", theme="Kept theme 42"),
        "csrf_token": csrf_of(form.text)})
    assert response.status_code == 422
    assert "There is a problem" in response.text and "Enter the question" in response.text
    assert 'value="Kept theme 42"' in response.text
    assert f'<option value="{bank.roads.id}" selected>' in response.text


def test_a_date_that_does_not_exist_is_a_field_error(client, session, bank):
    sign_in(client, session, Role.chair)
    form = client.get("/questions/new")
    response = client.post("/questions/new", data={
        **question_form(bank, source="public", submitter_name="Jane Public",
                        text="Why was my street not patrolled?"),
        "submitted_at-day": "31", "submitted_at-month": "2", "submitted_at-year": "2026",
        "csrf_token": csrf_of(form.text)})
    assert response.status_code == 422
    assert "The date it was submitted must be a real date" in response.text
    assert 'href="#submitted_at-day"' in response.text
    assert 'value="31"' in response.text and 'value="Jane Public"' in response.text
    assert "Why was my street not patrolled?" in response.text


def test_an_item_of_another_meeting_is_explained(client, session, bank):
    other = make_meeting(session, starts_at=soon(20))
    sign_in(client, session, Role.chair)
    form = client.get("/questions/new")
    response = client.post("/questions/new", data={
        **question_form(bank, meeting_id=str(other.id)), "csrf_token": csrf_of(form.text)})
    assert response.status_code == 422
    assert "That item is on the agenda of the Monthly Assurance Meeting" in response.text


def test_a_step_that_is_not_allowed_is_refused_with_the_reason(client, session, bank):
    sign_in(client, session, Role.chair)
    page = client.get(f"/questions/{bank.draft.id}")
    assert "Mark as asked" not in page.text  # not offered from a draft
    token = csrf_of(page.text)
    refused = client.post(f"/questions/{bank.draft.id}/status", data={"to": "asked",
                                                                    "csrf_token": token})
    assert refused.status_code == 409
    assert "cannot become asked" in refused.text and "There is a problem" in refused.text
    unknown = client.post(f"/questions/{bank.draft.id}/status", data={"to": "bogus",
                                                                    "csrf_token": token})
    assert unknown.status_code == 422


def test_an_answer_needs_text_and_a_question_sent_to_the_force(client, session, bank):
    sign_in(client, session, Role.chair)
    page = client.get(f"/questions/{bank.sent.id}")
    token = csrf_of(page.text)
    empty = client.post(f"/questions/{bank.sent.id}/answers", data={
        "csrf_token": token, "respondent_id": str(bank.dcc.id), "answer_text": " ",
        "how": "writing"})
    assert empty.status_code == 422 and "Enter the answer" in empty.text
    assert f'<option value="{bank.dcc.id}" selected>' in empty.text
    assert 'id="how-writing" name="how" type="radio" value="writing" checked' in empty.text
    too_early = client.post(f"/questions/{bank.draft.id}/answers", data={
        "csrf_token": token, "respondent_id": str(bank.cc.id),
        "answer_text": "An answer typed too early", "how": "meeting"})
    assert too_early.status_code == 409
    assert "An answer typed too early" in too_early.text


def test_a_public_question_is_screened(client, session, bank):
    public = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Why are there no patrols?", source="public", submitter_name="Jane Public"))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/questions/{public.id}")
    assert "Awaiting screening" in page.text and "Jane Public" in page.text
    token = csrf_of(page.text)
    no_reason = client.post(f"/questions/{public.id}/screening",
                            data={"csrf_token": token, "decision": "declined", "reason": ""})
    assert no_reason.status_code == 422 and "Say why the question was declined" in no_reason.text
    declined = client.post(f"/questions/{public.id}/screening", data={
        "csrf_token": token, "decision": "declined", "reason": "It is about one case."},
        follow_redirects=False)
    assert declined.status_code == 303
    fresh(session)
    question = question_service.get_question(session, question_id=public.id, by=SYSTEM)
    assert question.screening == "declined" and question.status == QuestionStatus.withdrawn


# --- the theme page -------------------------------------------------------------------------


def test_the_theme_page_shows_each_meeting_with_what_was_answered(client, session, bank):
    earlier = make_meeting(session, starts_at=datetime(2019, 4, 30, 10, 0))
    old = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Is Op SNAP working?", theme="roads policing", meeting_id=earlier.id,
        asked_by_id=bank.pcc.id, addressed_to_id=bank.cc.id, status="sent"))
    question_service.answer_question(session, question_id=old.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=bank.dcc.id, text="Op SNAP had 400 submissions."))
    sign_in(client, session, Role.viewer)
    page = client.get("/questions/themes/Roads policing")
    assert page.status_code == 200
    assert "Op SNAP had 400 submissions." in page.text
    assert "The DCC responded in the meeting" in page.text
    assert page.text.index("When will the force join NAS?") < page.text.index("Is Op SNAP")
    assert "Draft about speed cameras?" not in page.text  # a viewer sees no drafts
    assert client.get("/questions/themes/Nothing asked").status_code == 404


# --- refusals and escaping ------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(client, session, bank):
    sign_in(client, session, Role.admin)
    for path, data in [
        ("/questions/new", question_form(bank)),
        (f"/questions/{bank.draft.id}/edit", question_form(bank)),
        (f"/questions/{bank.draft.id}/status", {"to": "ready"}),
        (f"/questions/{bank.sent.id}/answers", {"answer_text": "x", "how": "meeting"}),
        (f"/questions/{bank.draft.id}/screening", {"decision": "accepted"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 403, path
        assert "missing CSRF token" in response.text
    fresh(session)
    assert question_service.get_question(session, question_id=bank.draft.id,
                                         by=SYSTEM).status == QuestionStatus.draft


def test_the_force_cannot_move_or_answer_a_question(client, session, bank):
    sign_in(client, session, Role.force, person=bank.dcc)
    page = client.get(f"/questions/{bank.sent.id}")
    token = csrf_of(page.text)
    assert client.post(f"/questions/{bank.sent.id}/status",
                       data={"to": "asked", "csrf_token": token}).status_code == 403
    assert client.post(f"/questions/{bank.sent.id}/answers", data={
        "csrf_token": token, "answer_text": "Soon.", "how": "writing"}).status_code == 403
    assert client.post(f"/questions/{bank.draft.id}/status",
                       data={"to": "ready", "csrf_token": token}).status_code == 404


def test_everything_typed_is_escaped(client, session, bank):
    question = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text=XSS, theme=XSS, asked_by_id=bank.pcc.id, meeting_id=bank.meeting.id))
    sign_in(client, session, Role.chair)
    pages = [client.get("/questions"), client.get(f"/questions/{question.id}"),
             client.get(f"/questions/{question.id}/edit"),
             client.get("/questions/themes/" + XSS.replace("/", "%2F"))]
    form = client.get("/questions/new")
    pages.append(client.post("/questions/new", data={
        **question_form(bank, text="", theme=XSS), "csrf_token": csrf_of(form.text)}))
    for page in pages:
        assert page.status_code in (200, 422), page.url
        assert XSS not in page.text, page.url
        assert "&lt;script&gt;" in page.text, page.url


def test_a_panel_members_question_names_them_by_title_and_surname(client, session, bank):
    councillor = make_person(session, full_name="Gareth Jones", initials="GJ", title="Cllr")
    public = make_person(session, full_name="Jane Smith", initials="JS")
    asked = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many officers patrol the villages?", asked_by_id=councillor.id,
        addressed_to_id=bank.pcc.id, meeting_id=bank.meeting.id, item_id=bank.roads.id,
        status="sent"))
    question_service.answer_question(session, question_id=asked.id, by=SYSTEM,
                                     data=AnswerCreate(respondent_id=public.id, text="Forty."))
    session.commit()
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/questions/{asked.id}").text
    assert "Cllr Jones’s question to the PCC" in page
    assert "Jane Smith answered in the meeting" in page
    assert "The GJ" not in page and "The JS" not in page


# --- the theme page after years of questions (issue 17) -------------------------------------


def _ask_on_custody(session, bank, meetings: int, made: list) -> None:
    """A meeting a month, each with two custody questions sent and answered, a draft and a
    question sent on an exempt item."""
    for _ in range(meetings):
        n = len(made)
        meeting = make_meeting(session, starts_at=datetime(2015, 1, 10, 10, 0)
                               + timedelta(days=30 * n))
        made.append(meeting)
        secret = make_item(session, meeting, title="Part 2", exempt=True,
                           exempt_reason="Personal information")
        for text, status, item in ((f"Sent {n}a", "sent", None), (f"Sent {n}b", "sent", None),
                                   (f"Draft {n}", "draft", None),
                                   (f"Exempt {n}", "sent", secret)):
            asked = question_service.create_question(session, by=SYSTEM, data=QuestionCreate(
                text=text, theme="Custody", asked_by_id=bank.pcc.id,
                addressed_to_id=bank.cc.id, meeting_id=meeting.id,
                item_id=item.id if item else None, status=status))
            if status == "sent":
                question_service.answer_question(
                    session, question_id=asked.id, by=SYSTEM,
                    data=AnswerCreate(respondent_id=bank.cc.id, text=f"Answer to {text}"))
    session.commit()


@pytest.mark.parametrize("role", [Role.secretariat, Role.viewer])
def test_the_theme_page_reads_a_page_of_questions_however_long_the_record(
        client, session, bank, monkeypatch, role):
    """A theme's page counts its questions in the database and reads one page of them, so
    ten times the record makes no more statements and loads no more rows."""
    monkeypatch.setattr(question_bank, "THEME_PAGE_SIZE", 5, raising=False)
    # the sign-in's once-a-minute touch is not the page's: a slow build must not count it
    monkeypatch.setattr(identity, "touch_interval", lambda idle: timedelta(days=1))
    sign_in(client, session, role)
    made: list = []
    _ask_on_custody(session, bank, 3, made)
    small = page_cost(client, session, "/questions/themes/Custody")
    _ask_on_custody(session, bank, 27, made)
    large = page_cost(client, session, "/questions/themes/Custody")
    assert large[0] == small[0], (small[0], large[0])  # statements
    assert large[1] == small[1], (small[1], large[1])  # rows loaded
    office = role == Role.secretariat
    assert (f"{30 * 4 if office else 30 * 2} questions on Custody" in large[2])
    # the page: the five latest the reader may see
    shown = re.findall(r'">((?:Sent|Draft|Exempt) \d+[ab]?)</a>', large[2])
    assert shown == (["Exempt 29", "Draft 29", "Sent 29b", "Sent 29a", "Exempt 28"] if office
                     else ["Sent 29b", "Sent 29a", "Sent 28b", "Sent 28a", "Sent 27b"])


def test_the_theme_pages_questions_come_a_page_at_a_time_as_the_reader_may_see_them(
        client, session, bank, monkeypatch):
    """Paged in the database, a viewer's pages hold only what they may see (no draft, nothing
    on an exempt item), every one of those once, the latest meeting first."""
    monkeypatch.setattr(question_bank, "THEME_PAGE_SIZE", 4, raising=False)
    made: list = []
    _ask_on_custody(session, bank, 5, made)
    sign_in(client, session, Role.viewer)
    first = client.get("/questions/themes/Custody").text
    assert "10 questions on Custody" in first and "page 1 of 3" in first
    shown = []
    for number in (1, 2, 3):
        page = client.get(f"/questions/themes/Custody?asked={number}").text
        assert "Draft " not in page and "Exempt " not in page
        assert "Answer to Exempt" not in page
        shown += re.findall(r'">(Sent \d[ab])</a>', page)
    assert shown == [f"Sent {n}{x}" for n in range(4, -1, -1) for x in "ba"]
    assert client.get("/questions/themes/Custody?asked=99").status_code == 200  # the last
    assert client.get("/questions/themes/Custody?asked=x").status_code == 200  # the first
