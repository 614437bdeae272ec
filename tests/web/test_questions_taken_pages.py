"""Where the office meets the questions carried forward and those on no item: the preparation
page, the question pack (.docx) and the Take minutes page."""

import io

import docx

from app.models import EntryKind, QuestionStatus, Role
from app.services import questions
from tests.factories import SYSTEM, bearer, make_user
from tests.services.test_questions_taken import ask, move, series  # noqa: F401 (a fixture)
from tests.web.signing import csrf_of
from tests.web.test_live import sign_in
from tests.web.test_take_minutes_page import state_of


def carried(session, series):  # noqa: F811
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    move(session, question, QuestionStatus.carried_forward)
    session.commit()
    return question


def test_the_preparation_page_shows_the_questions_carried_to_the_meeting(
        client, session, series):  # noqa: F811
    question = carried(session, series)
    loose = ask(session, series, "How many officers are on sick leave?")
    session.commit()
    sign_in(client, session, Role.chair)
    june = client.get(f"/meetings/{series['june'].id}/prepare").text
    block = june[june.index('id="carried-questions"'):]
    assert question.text in block
    assert "carried forward from the Monthly Assurance Meeting 28 April 2019" in block
    assert "mark its 1 ready question as sent" in june
    april = client.get(f"/meetings/{series['april'].id}/prepare").text
    assert question.text not in april
    assert loose.text in april and "under “Other questions”" in april
    july = client.get(f"/meetings/{series['july'].id}/prepare").text
    assert question.text not in july


def test_the_pack_document_has_other_questions_and_those_carried_forward(
        client, session, series):  # noqa: F811
    question = carried(session, series)
    june = series["june"]
    loose = ask(session, series, "How many officers are on sick leave?", meeting=june)
    session.commit()
    _, token = make_user(session, Role.secretariat)
    response = client.get(f"/api/v1/meetings/{june.id}/question-pack.docx",
                          headers=bearer(token))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    assert "QUESTIONS CARRIED FORWARD" in " ".join(text).upper()
    assert "OTHER QUESTIONS" in " ".join(text).upper()
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert question.text in cells and loose.text in cells
    sent = client.post(f"/api/v1/meetings/{june.id}/questions/send", headers=bearer(token))
    assert sent.json() == {"sent": 2}


def test_the_minute_taker_has_the_carried_question_under_outstanding_matters(
        client, session, series):  # noqa: F811
    question = carried(session, series)
    sign_in(client, session, Role.secretariat)
    state = state_of(client.get(f"/meetings/{series['june'].id}/take-minutes").text)
    outstanding = state["items"][0]
    assert outstanding["title"] == "Outstanding matters"
    [shown] = outstanding["questions"]
    assert shown["id"] == question.id and shown["carried_forward"] is True
    july = state_of(client.get(f"/meetings/{series['july'].id}/take-minutes").text)
    assert all(not i["questions"] for i in july["items"])
    # Minuted at June's meeting, it is asked there.
    page = client.get(f"/meetings/{series['june'].id}/take-minutes").text
    headers = {"X-CSRF-Token": csrf_of(page)}
    made = client.post(f"/api/v1/items/{outstanding['id']}/entries", headers=headers, json={
        "kind": EntryKind.question, "text": question.text, "question_id": question.id})
    assert made.status_code == 201, made.text
    session.expire_all()
    again = questions.get_question(session, question_id=question.id, by=SYSTEM)
    assert again.status == QuestionStatus.asked
