"""A slow server and reloads in the middle of saves: nothing typed is lost, and a tab's own
saves that land after it was reloaded are not taken for someone else's.

The server here waits 1-3 s (random) before each save of a paragraph (ASSURE_TEST_SAVE_DELAY,
a setting for tests only). SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, in a
database of its own. RELOAD_TEST_SEED replays a run of the reload test (its seed is printed).
"""

import os
import random
import re
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import BACKENDS
from tests.e2e import test_take_minutes as take_minutes
from tests.e2e.conftest import demo_on
from tests.e2e.test_take_minutes import NOT_ANSWERING, SAVED, STATUS, open_item, stored_texts

# The fixtures of the minute-taking tests, on this module's server.
meeting, page = take_minutes.meeting, take_minutes.page

DELAY = (1.0, 3.0)
RELOADS = 26
PARAGRAPHS = 3
WORDS_PER_TURN = 3

# Set on every page of the test's browser: notes in sessionStorage (which survives a reload)
# whether the conflict screen was ever shown, and what it said.
CONFLICT_WATCH = """
new MutationObserver(() => {
  const box = document.querySelector(".assure-conflict");
  if (box && !sessionStorage.getItem("e2e-conflict")) {
    sessionStorage.setItem("e2e-conflict", box.innerText.slice(0, 200) || "shown");
  }
}).observe(document, { subtree: true, childList: true });
"""


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    """A demo server whose saves of paragraphs are slow, on each database."""
    yield from demo_on(request.param, tmp_path_factory, "slow_saves",
                       {"ASSURE_TEST_SAVE_DELAY": f"{DELAY[0]:g}-{DELAY[1]:g}"})


def _is_save(request) -> bool:
    return request.method in ("POST", "PATCH") and bool(
        re.search(r"/api/v1/(entries/\d+|items/\d+/entries)$", request.url))


def _ordered(typed: list[str], found: list[str]) -> int:
    """How many of the words found are in the order they were typed (the longest run of them
    that keeps that order)."""
    rank = {word: n for n, word in enumerate(typed)}
    tails: list[int] = []
    for word in found:
        if word not in rank:
            continue
        at = next((i for i, tail in enumerate(tails) if tail >= rank[word]), len(tails))
        tails[at:at + 1] = [rank[word]]
    return len(tails)


def _type_word(page, words: list[str], counter: int) -> int:
    """Type the next word (w001, w002, …) at the end of the paragraph; its number."""
    counter += 1
    word = f"w{counter:03d}"
    page.keyboard.type(("" if not words else " ") + word, delay=15)
    words.append(word)
    return counter


def test_reloads_in_the_middle_of_slow_saves_lose_nothing(page, server, api, meeting):
    seed = int(os.environ.get("RELOAD_TEST_SEED") or random.SystemRandom().randrange(10**9))
    rng = random.Random(seed)
    page.add_init_script(CONFLICT_WATCH)
    in_flight: set = set()
    page.on("request", lambda r: in_flight.add(r) if _is_save(r) else None)
    page.on("requestfinished", lambda r: in_flight.discard(r))
    page.on("requestfailed", lambda r: in_flight.discard(r))

    open_item(page, server, meeting["id"], meeting["partnership"])
    typed: list[list[str]] = []
    boxes = page.locator(".assure-entry__text")
    counter = 0
    during_save = 0
    per_paragraph = -(-RELOADS // PARAGRAPHS)
    for turn in range(RELOADS):
        paragraph = turn // per_paragraph
        if paragraph == len(typed):  # a new paragraph, after the others
            page.keyboard.press("Escape")
            page.keyboard.press("n")
            typed.append([])
            expect(boxes).to_have_count(len(typed))
        else:
            boxes.nth(paragraph).click()
            page.keyboard.press("Control+End")
        # Typing goes where it is meant to (a miss here is the test's, not the page's).
        expect(boxes.nth(paragraph)).to_be_focused()
        for _ in range(WORDS_PER_TURN):
            counter = _type_word(page, typed[paragraph], counter)
        expect(boxes.nth(paragraph)).to_have_value(" ".join(typed[paragraph]))
        # Wait for a save of this typing to be on its way, then reload at a random moment of it,
        # now and then after typing a word more that the save does not have.
        deadline = time.monotonic() + 5
        while not in_flight and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        if rng.random() < 0.5:
            counter = _type_word(page, typed[paragraph], counter)
        page.wait_for_timeout(rng.uniform(0, 1500))
        during_save += bool(in_flight)
        page.reload()
        in_flight.clear()
        expect(boxes).to_have_count(len(typed))
        for n, words in enumerate(typed):
            expect(boxes.nth(n)).to_have_value(" ".join(words))

    deadline = time.monotonic() + 30
    while not re.match(SAVED, page.locator(STATUS).inner_text()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    # Every save sent before the last reload has landed by now.
    page.wait_for_timeout(DELAY[1] * 1000 + 500)
    status = page.locator(STATUS).inner_text()
    conflict = page.evaluate("sessionStorage.getItem('e2e-conflict')")
    stored = [text.split() for text in stored_texts(api, meeting["partnership"])]
    # A save that landed after a newer one of the same paragraph shows in its history as a
    # version with fewer words than the one before (the words only ever grow here).
    overtaken = 0
    for entry in api.get(f"/api/v1/items/{meeting['partnership']}/entries").json():
        revisions = api.get(f"/api/v1/entries/{entry['id']}/revisions").json()["results"]
        texts = [r["text"] for r in revisions]
        overtaken += sum(len(new.split()) < len(old.split())
                         for old, new in zip(texts, texts[1:], strict=False))
    words = sum(len(w) for w in typed)
    found = {word for text in stored for word in text}
    lost = [word for w in typed for word in w if word not in found]
    reordered = sum(len(text) - _ordered(w, text) for w, text in zip(typed, stored, strict=False))
    print(f"\n[{server.backend}] seed {seed}: {RELOADS} reloads ({during_save} with a save on "
          f"its way), {words} words typed, {len(lost)} lost {lost}, {reordered} reordered, "
          f"{overtaken} older saves landed after newer ones, "
          f"conflict screen: {conflict or 'never'}")
    assert conflict is None, conflict
    assert re.match(SAVED, status), status
    assert lost == []
    assert stored == typed
    assert during_save >= RELOADS * 0.8


def test_a_conflict_at_load_is_shown_again_after_a_reload(page, server, api, meeting):
    """A change that this page had not saved, a colleague's change meanwhile: the page shows
    the conflict when it loads; typed under, then reloaded, it shows it again and saves
    nothing over the colleague's text."""
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": "The CC responded"}).json()
    key = created["client_id"] or f"id-{created['id']}"
    url = f"{server.url}/meetings/{meeting['id']}/take-minutes#item-{meeting['partnership']}"
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.route("**/api/v1/entries/*", lambda route: route.abort())  # this page's saves fail
    page.locator(".assure-entry__text").first.click()
    page.keyboard.press("End")
    page.keyboard.type(" that resources are sufficient.", delay=5)
    expect(page.locator(STATUS)).to_have_text(NOT_ANSWERING, timeout=15_000)
    page.goto("about:blank")  # closed with the change unsaved
    page.unroute("**/api/v1/entries/*")
    theirs = "The CC responded that campaigns are national."
    assert api.patch(f"/api/v1/entries/{created['id']}",
                     json={"version": 1, "text": theirs}).status_code == 200

    page.goto(url)
    conflict = page.locator(".assure-conflict")
    expect(conflict).to_be_visible(timeout=15_000)
    expect(page.locator(f"#theirs-{key}")).to_have_value(theirs)
    box = page.locator(".assure-entry__text").first
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(" And more.", delay=5)
    mine = "The CC responded that resources are sufficient. And more."
    expect(box).to_have_value(mine)
    page.wait_for_timeout(1000)  # the page would save now, were it not for the conflict

    page.reload()
    expect(conflict).to_be_visible(timeout=15_000)
    expect(page.locator(f"#theirs-{key}")).to_have_value(theirs)
    expect(page.locator(f"#mine-{key}")).to_have_value(mine)
    page.wait_for_timeout(DELAY[1] * 1000 + 500)  # any save sent has landed
    assert api.get(f"/api/v1/entries/{created['id']}").json()["text"] == theirs
    expect(conflict).to_be_visible()


def test_a_new_paragraph_reloaded_while_its_creation_is_on_its_way_keeps_every_word(
        page, server, api, meeting):
    """The creation lands after the reload; the reloaded page sends it again with more words
    and is answered with the paragraph the first one made: the words it has since are saved."""
    posts: list = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and _is_save(r) else None)
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("alpha beta", delay=10)
    deadline = time.monotonic() + 5
    while not posts and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert posts, "the page never sent the new paragraph"
    page.keyboard.type(" gamma", delay=10)
    page.reload()
    box = page.locator(".assure-entry__text")
    expect(box).to_have_value("alpha beta gamma")
    deadline = time.monotonic() + 30
    while stored_texts(api, meeting["partnership"]) != ["alpha beta gamma"] and (
            time.monotonic() < deadline):
        page.wait_for_timeout(250)
    assert stored_texts(api, meeting["partnership"]) == ["alpha beta gamma"]
    expect(box).to_have_value("alpha beta gamma")
    expect(page.locator(STATUS)).to_have_text(re.compile(SAVED), timeout=15_000)
