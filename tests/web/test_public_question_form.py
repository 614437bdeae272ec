"""The public question form as a member of the public uses it: no sign-in, the meetings still
open, an acknowledgement page and email, plain refusals (after the deadline, too fast, a
filled-in trap, too many from one address, bad input) that keep nothing."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import func, select

from app.config import get_settings
from app.models import Question, Role, utcnow
from app.services import public_questions
from app.services.office import get_office
from tests.conftest import CommittingClient
from tests.factories import make_meeting, make_meeting_type
from tests.web.test_settings_page import GOOD, sign_in


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("ASSURE_OUTBOX_DIR", str(folder))
    monkeypatch.delenv("ASSURE_SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture
def open_meeting(session):
    series = make_meeting_type(session, name="Accountability Board")
    return make_meeting(session, series, starts_at=utcnow() + timedelta(days=30))


@pytest.fixture
def closed_meeting(session):
    series = make_meeting_type(session, name="Performance Board")
    return make_meeting(session, series, starts_at=utcnow() + timedelta(days=5))


def token(seconds_ago: float = 30) -> str:
    return public_questions.form_token(get_settings().signing_key(),
                                       utcnow() - timedelta(seconds=seconds_ago))


def body(meeting, **kw):
    values = {"name": "Jane Public", "email": "jane@example.org",
              "question": "How many speed cameras work on the A49?",
              "meeting_id": str(meeting.id), "form_token": token(), "website": ""}
    values.update(kw)
    return values


def stored(session) -> int:
    session.expire_all()
    count = session.exec(select(func.count()).select_from(Question)).one()
    session.rollback()
    return count


def test_the_form_offers_open_meetings_only_and_works_without_signing_in(
        client, open_meeting, closed_meeting):
    page = client.get("/public/questions/new")
    assert page.status_code == 200
    assert f'<option value="{open_meeting.id}"' in page.text
    assert f'<option value="{closed_meeting.id}"' not in page.text
    assert 'name="form_token"' in page.text and 'name="website"' in page.text
    assert 'href="/public/questions/new"' in client.get("/public").text


def test_a_question_before_the_deadline_is_acknowledged_by_page_and_email(
        client, session, open_meeting, outbox):
    sent = client.post("/public/questions", data=body(open_meeting))
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/public/questions/sent?meeting={open_meeting.id}"
    page = client.get(sent.headers["location"])
    assert "We have your question" in page.text and "What happens next" in page.text
    assert "Accountability Board" in page.text
    assert stored(session) == 1
    [mail] = [message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in outbox.glob("*.eml")]
    assert (mail["To"], mail["Subject"]) == ("jane@example.org", "We have your question")


@pytest.mark.parametrize("change, status, words", [
    ({"form_token": 1}, 422, "too quickly"),
    ({"form_token": 2 * 86400}, 422, "more than a day ago"),
    ({"website": "http://spam.example"}, 422, "leave it empty"),
    ({"form_token": ""}, 403, "form token"),
    ({"name": "Jane\x1b[31m"}, 422, "control character"),
    ({"question": "x" * 6000}, 422, "5,000 characters or fewer"),
    ({"question": "x" * 60_000}, 422, ""),
    ({"email": "jane at example"}, 422, "correct format"),
    ({"meeting_id": "424242"}, 422, "Choose one of the meetings listed"),
    ({"meeting_id": "-1"}, 422, "Choose one of the meetings listed"),
])
def test_refusals_are_plain_and_keep_nothing(client, session, open_meeting, change, status,
                                             words, monkeypatch):
    if change.get("form_token") == 1:
        # The time trap at its longest, so that the form sent back a second after it was
        # given out is still too quick however long a loaded machine takes to send it (at the
        # 5 s default, a pause of 4 s let it through and the test failed in CI).
        longest = public_questions.Limits(min_seconds=600, per_hour=3)
        monkeypatch.setattr(public_questions.Limits, "from_settings",
                            classmethod(lambda cls, settings: longest))
    if isinstance(change.get("form_token"), int):  # a form given out that many seconds ago
        change = {"form_token": token(change["form_token"])}
    refused = client.post("/public/questions", data=body(open_meeting, **change))
    assert refused.status_code == status
    assert words in refused.text
    assert stored(session) == 0


def test_a_form_whose_token_does_not_check_out_keeps_what_was_typed(client, session,
                                                                    open_meeting):
    # A form saved from another site, or a page kept open across a change of the office's
    # key: the refusal says so and the question typed is still there to send again.
    refused = client.post("/public/questions",
                          data=body(open_meeting, form_token="123.forged",
                                    question="Why was the A49 camera off in May?"))
    assert refused.status_code == 403
    assert "did not come from our question page" in refused.text
    assert "Why was the A49 camera off in May?" in refused.text
    assert 'name="form_token"' in refused.text  # a fresh one, to send it again
    assert stored(session) == 0


def test_after_the_deadline_the_form_refuses(client, session, closed_meeting):
    refused = client.post("/public/questions", data=body(closed_meeting))
    assert refused.status_code == 422
    assert "Questions from the public for this meeting closed on" in refused.text
    assert stored(session) == 0


def test_the_fourth_question_in_an_hour_from_one_address_is_refused(client, session,
                                                                    open_meeting, outbox):
    for n in range(3):
        assert client.post("/public/questions",
                           data=body(open_meeting, question=f"Question {n}?")).status_code == 303
    refused = client.post("/public/questions", data=body(open_meeting, question="A fourth?"))
    assert refused.status_code == 429
    assert "3 questions from your address in the last hour" in refused.text
    assert "A fourth?" in refused.text  # what was typed is kept
    assert stored(session) == 3


def test_the_office_sets_how_long_submitters_details_are_kept(client, session):
    token = sign_in(client, session, Role.admin)
    assert 'id="public_question_retention_days" name="public_question_retention_days" ' \
        'type="text" value="365"' in client.get("/admin/settings").text
    for typed, status in (("0", 422), ("forever", 422), ("90", 303)):
        answer = client.post("/admin/settings", data={
            **GOOD, "public_question_retention_days": typed, "csrf_token": token})
        assert answer.status_code == status
    session.expire_all()
    assert get_office(session).public_question_retention_days == 90
    session.rollback()
    answer = client.post("/admin/settings", data={**GOOD, "csrf_token": token})  # left out
    assert answer.status_code == 303
    session.expire_all()
    assert get_office(session).public_question_retention_days == 90


def test_the_error_summary_lists_the_errors_in_the_order_of_the_page(client, open_meeting):
    refused = client.post("/public/questions", data=body(
        open_meeting, meeting_id="", name="", email="", question=""))
    assert refused.status_code == 422
    summary = refused.text.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert re.findall(r'href="#([a-z_]+)"', summary) == [
        "meeting_id", "name", "email", "question"]
