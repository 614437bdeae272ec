"""A session that ends never takes a word with it: the warning before the idle limit, "Stay
signed in", and what was typed in a form put back after signing in again.

The server's idle limit is 30 seconds here (ASSURE_TEST_SESSION_IDLE_SECONDS, a setting for
tests only), so the warning comes a fifth of it, 6 seconds, before the end.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e import test_take_minutes as take_minutes
from tests.e2e.conftest import second_step, sign_in, start_demo
from tests.e2e.test_take_minutes import expect_saved, open_item, stored_texts

# The fixtures of the minute-taking tests, on this module's server.
meeting = take_minutes.meeting

IDLE = 30  # seconds
WARNING = "You will be signed out soon"
QUESTION = ("How many of the force's ANPR cameras were working on 1 June, and when will the "
            "rest be repaired?")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("idle"),
                      env={"ASSURE_TEST_SESSION_IDLE_SECONDS": str(IDLE)})
    yield live
    live.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context, server):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, server.email, server.password)
    yield page
    assert errors == [], errors


def status(page, server) -> dict:
    """What the server says of the browser's session (asking is not activity)."""
    return page.context.request.get(f"{server.url}/session/status").json()


def wait_until_signed_out(page, server) -> None:
    deadline = time.monotonic() + IDLE + 30
    while status(page, server)["signed_in"]:
        assert time.monotonic() < deadline, "the session did not end"
        page.wait_for_timeout(500)


def sign_in_again(page, server) -> None:
    """On the sign-in page the browser was sent to: the password, then the code."""
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Email address").fill(server.email)
    page.get_by_label("Password", exact=True).fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    second_step(page, server, server.email)


def draft_a_question(page, server) -> None:
    page.goto(f"{server.url}/questions/new")
    page.locator("#text").fill(QUESTION)
    page.locator("#theme").fill("Roads policing")
    page.get_by_role("radio", name="Member of the public").check()
    page.get_by_label("Name of the member of the public").fill("Sam Okafor")


def expect_the_draft_back(page) -> None:
    expect(page.locator("#assure-put-back")).to_contain_text(
        "We put back what you had typed before you were signed out")
    expect(page.locator("#text")).to_have_value(QUESTION)
    expect(page.locator("#theme")).to_have_value("Roads policing")
    expect(page.get_by_role("radio", name="Member of the public")).to_be_checked()
    expect(page.get_by_label("Name of the member of the public")).to_have_value("Sam Okafor")


def test_typing_minutes_keeps_the_session_and_stopping_brings_the_warning(page, server, api,
                                                                          meeting):
    """The officer taking minutes is never warned while typing (the saves are activity); once
    they stop, the warning comes there too, and "Stay signed in" keeps the session."""
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    words = []
    started = time.monotonic()
    # Longer than the idle limit, no pause: were the saves not activity, the session would
    # have ended by the end of the typing (it is touched at most every IDLE/10 s).
    while time.monotonic() - started < IDLE + 5:
        words.append(f"w{len(words) + 1:03d}")
        page.keyboard.type(("" if len(words) == 1 else " ") + words[-1], delay=40)
    expect_saved(page)
    # The dialog is made only when the warning is shown: it never was.
    expect(page.locator("#assure-timeout")).to_have_count(0)
    assert status(page, server)["signed_in"]

    warning = page.get_by_role("alertdialog", name=WARNING)
    expect(warning).to_be_visible(timeout=(IDLE + 15) * 1000)
    expect(warning).to_contain_text("You will be signed out in")
    expect(warning).to_contain_text("because you have not done anything")
    assert status(page, server)["seconds_left"] <= IDLE / 5 + 1
    warned_at = time.monotonic()

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert status(page, server)["seconds_left"] >= IDLE - 5  # the idle time started again
    # Past the moment the session would have ended, it is still on, and the page still saves.
    page.wait_for_timeout(max(0, (warned_at + IDLE / 5 + 2 - time.monotonic()) * 1000))
    assert status(page, server)["signed_in"]
    page.locator(".assure-entry__text").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" end", delay=20)
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == [" ".join(words) + " end"]


def test_a_question_sent_after_the_session_ended_is_put_back_after_signing_in(context, page,
                                                                              server):
    """The laptop lid was closed (the page's timers did not run), the session ended meanwhile,
    and the officer sends the question: they sign in again and find it back in the form."""
    page.clock.install()
    draft_a_question(page, server)
    page.wait_for_timeout(500)  # what was typed is kept a quarter of a second after the typing
    page.clock.pause_at(int(time.time()) + 1)  # the lid closes: no timer of the page runs
    wait_until_signed_out(page, server)

    page.get_by_role("button", name="Save the draft").click()
    page.clock.resume()

    expect(page.locator("#assure-kept-note")).to_contain_text(
        "What you had typed is kept in this browser tab")
    sign_in_again(page, server)
    expect(page).to_have_url(f"{server.url}/questions/new")
    expect_the_draft_back(page)

    page.get_by_role("button", name="Save the draft").click()
    expect(page).to_have_url(re.compile(r"/questions/\d+\?saved=1$"))
    expect(page.locator("main")).to_contain_text(QUESTION)
    # Saved, it is forgotten: a new question starts empty.
    page.goto(f"{server.url}/questions/new")
    expect(page.locator("#text")).to_have_value("")
    expect(page.locator("#assure-put-back")).to_have_count(0)


def test_when_nobody_answers_the_warning_the_page_says_so_and_keeps_the_draft(page, server):
    draft_a_question(page, server)
    expect(page.get_by_role("alertdialog", name=WARNING)).to_be_visible(
        timeout=(IDLE + 15) * 1000)
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    expect(ended).to_be_visible(timeout=20_000)
    expect(ended).to_contain_text(f"You had not done anything for {IDLE} seconds")
    assert not status(page, server)["signed_in"]

    ended.get_by_role("link", name="Sign in again").click()
    sign_in_again(page, server)
    expect(page).to_have_url(f"{server.url}/questions/new")
    expect_the_draft_back(page)
