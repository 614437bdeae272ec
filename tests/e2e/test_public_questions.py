"""A member of the public, not signed in, puts a question to the next meeting in a real
browser (issue 19): from /public to the form, the meeting offered, the acknowledgement on the
page and by email, the question waiting for the office's screening; a meeting whose deadline
has passed is not offered, and a form sent for it from a tab opened earlier is refused in
words. The form, with a meeting offered and with its errors, passes axe and fits 320 px.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. Set ASSURE_SCREENSHOTS to a folder
to keep screenshots of the form at 320 px.
"""

import os
import time
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import BACKENDS
from tests.e2e.conftest import demo_on, serious

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
WIDTH = 320
# The server refuses a form sent back sooner than this after it was given out (a bot's); the
# tests wait a little longer before sending, as a person takes longer still.
MIN_SECONDS = 1
SERIES = "Public Accountability Board"
QUESTION = ("How many officers were taken off neighbourhood patrols to cover response "
            "shifts in the last quarter?")


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    outbox = tmp_path_factory.mktemp("public-outbox")
    env = {"ASSURE_PUBLIC_QUESTION_MIN_SECONDS": str(MIN_SECONDS),
           "ASSURE_PUBLIC_QUESTIONS_PER_HOUR": "10",
           "ASSURE_OUTBOX_DIR": str(outbox)}
    yield from demo_on(request.param, tmp_path_factory, "pubq", env)


@pytest.fixture(scope="module")
def meetings(server):
    """A series whose questions from the public close 7 days before a meeting, with a meeting
    five weeks ahead (open to questions) and one in 3 days (closed, still to be held)."""
    with server.api(server.token) as api:
        series = api.post("/api/v1/meeting-types", json={
            "name": SERIES, "default_venue": "Council Chamber", "public_question_days": 7})
        assert series.status_code == 201, series.text
        made = {}
        for key, days in (("open", 35), ("closed", 3)):
            day = london_day(days)
            meeting = api.post("/api/v1/meetings", json={
                "meeting_type_id": series.json()["id"], "starts_at": f"{day}T10:00"})
            assert meeting.status_code == 201, meeting.text
            made[key] = meeting.json()["id"]
    return made


def london_day(days_ahead: int) -> date:
    return datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=days_ahead)


def in_words(day: date) -> str:
    """"Wednesday 6 January 2027"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def public_page(browser, width: int = 1280, height: int = 900):
    """A page of a browser context of its own, never signed in."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  viewport={"width": width, "height": height})
    return context.new_page()


def offered(page) -> dict[str, str]:
    """The meetings the form's list offers: value to text, the blank choice left out."""
    return {o.get_attribute("value"): o.inner_text().strip()
            for o in page.locator("#meeting_id option").all() if o.get_attribute("value")}


def fill_in(page, meeting_id: str, name: str, email: str, question: str) -> None:
    page.get_by_label("Which meeting is your question for?").select_option(meeting_id)
    page.get_by_label("Your name", exact=True).fill(name)
    page.get_by_label("Your email address", exact=True).fill(email)
    page.get_by_label("Your question", exact=True).fill(question)


def send(page, opened: float) -> None:
    """Send the form, no sooner than a person would after it was opened at `opened`."""
    wait = MIN_SECONDS + 0.5 - (time.monotonic() - opened)
    if wait > 0:
        page.wait_for_timeout(wait * 1000)
    page.get_by_role("button", name="Send your question").click()
    page.wait_for_load_state()


def mails(server) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(Path(server.env["ASSURE_OUTBOX_DIR"]).glob("*.eml"))]


def public_questions(server, meeting_id: int) -> list[dict]:
    with server.api(server.token) as api:
        answer = api.get("/api/v1/questions",
                         params={"source": "public", "meeting_id": meeting_id})
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_member_of_the_public_asks_a_question_for_the_next_meeting(browser, server,
                                                                     meetings):
    page = public_page(browser)
    page.goto(f"{server.url}/public")
    page.get_by_role("link", name="Ask a question at a public meeting").click()
    page.wait_for_url(f"{server.url}/public/questions/new")
    opened = time.monotonic()
    # The next meeting open to questions is offered; the one whose deadline has passed is not.
    choices = offered(page)
    assert str(meetings["open"]) in choices and SERIES in choices[str(meetings["open"])]
    assert str(meetings["closed"]) not in choices
    closes = london_day(35 - 7)
    assert f"questions close on {closes.day} {closes:%B %Y}" in page.inner_text("main")
    fill_in(page, str(meetings["open"]), "Jane Doe", "jane.doe@example.org", QUESTION)
    send(page, opened)

    assert page.url == f"{server.url}/public/questions/sent?meeting={meetings['open']}"
    assert page.get_by_role("heading", level=1).inner_text() == "We have your question"
    assert f"For the {choices[str(meetings['open'])]}" in page.inner_text("main")
    assert "We have sent you an email" in page.inner_text("main")
    assert serious(page) == []
    # The office has it, waiting to be screened.
    [kept] = public_questions(server, meetings["open"])
    assert (kept["text"], kept["submitter_name"], kept["status"], kept["screening"]) == (
        QUESTION, "Jane Doe", "draft", "pending")
    # And the person who asked has the acknowledgement.
    [mail] = [m for m in mails(server) if m["To"] == "jane.doe@example.org"]
    assert mail["Subject"] == "We have your question"
    body = mail.get_content()
    assert body.startswith("Dear Jane Doe,") and QUESTION in body
    assert (f"Questions from the public for this meeting close on {in_words(closes)}."
            in " ".join(body.split()))


def test_after_the_deadline_a_form_for_the_meeting_is_refused(browser, server, meetings):
    page = public_page(browser)
    page.goto(f"{server.url}/public/questions/new")
    opened = time.monotonic()
    assert str(meetings["closed"]) not in offered(page)
    # A tab opened before the deadline still lists the meeting: put it back in the list.
    page.eval_on_selector("#meeting_id", """(select, id) => {
        select.add(new Option("Public Accountability Board, in 3 days", id)); }""",
                          str(meetings["closed"]))
    before = len(mails(server))
    fill_in(page, str(meetings["closed"]), "John Smith", "john.smith@example.org",
            "Will the closed meeting hear my question?")
    send(page, opened)

    assert page.url == f"{server.url}/public/questions"
    assert page.title().startswith("Error: Ask a question")
    words = (f"Questions from the public for this meeting closed on "
             f"{in_words(london_day(3 - 7))}; choose a later meeting")
    assert words in page.locator(".govuk-error-summary").inner_text()
    assert words in page.locator("#meeting_id-error").inner_text()
    assert serious(page) == []
    # What was typed is kept, to be sent for a later meeting; nothing was kept or sent.
    assert page.get_by_label("Your question", exact=True).input_value() == (
        "Will the closed meeting hear my question?")
    assert page.get_by_label("Your email address", exact=True).input_value() == (
        "john.smith@example.org")
    assert public_questions(server, meetings["closed"]) == []
    assert len(mails(server)) == before


@pytest.mark.usefixtures("meetings")
def test_the_form_and_its_errors_pass_axe_and_fit_a_320px_screen(browser, server):
    page = public_page(browser, WIDTH, 640)
    page.goto(f"{server.url}/public/questions/new")
    opened = time.monotonic()
    assert offered(page), "the form offers a meeting"
    assert serious(page) == []
    assert fits(page), "the form is wider than 320 px"
    shot(page, f"public-question-form-{server.backend}")
    # Sent empty: an error for each field, in the summary and by the field.
    send(page, opened)
    assert page.locator(".govuk-error-summary__list li").all_inner_texts() == [
        "Choose the meeting your question is for", "Enter your name",
        "Enter your email address", "Enter your question"]  # in the order of the page
    assert serious(page) == []
    assert fits(page), "the form with its errors is wider than 320 px"
    shot(page, f"public-question-form-errors-{server.backend}")
    # A very long address and question, and the field people leave empty filled in, as a
    # bot would: the refusal for the whole form, above it.
    opened = time.monotonic()
    page.get_by_label("Your name", exact=True).fill("Anne " + "Onymous" * 40)
    page.get_by_label("Your email address", exact=True).fill(
        "someone." + "x" * 60 + "@example.org")
    page.get_by_label("Your question", exact=True).fill("Why? " * 1200)
    page.eval_on_selector("#website", "box => { box.value = 'https://spam.example'; }")
    send(page, opened)
    assert "leave it empty" in page.locator("#form-error").inner_text()
    assert serious(page) == []
    assert fits(page), "the form refused as a bot's is wider than 320 px"
    shot(page, f"public-question-form-refused-{server.backend}")
