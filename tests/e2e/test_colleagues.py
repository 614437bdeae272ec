"""Two officers in one paragraph, and a server that cannot be reached: the take-minutes page
merges a colleague's change to other words, shows both texts (with kind and speaker) only
where the two changed the same words while typing goes on, offers back a paragraph a colleague
deleted, shows colleagues' changes within 3 seconds, never saves the same text in a loop, and
tries again a bounded number of times during an outage."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e import test_take_minutes as take_minutes
from tests.e2e.test_take_minutes import STATUS, expect_saved, open_item, person_ids, stored_texts

# The fixtures of the minute-taking tests, on this module's server.
server, meeting, page = take_minutes.server, take_minutes.meeting, take_minutes.page

SAVES = re.compile(r"/api/v1/(entries/\d+|items/\d+/entries)$")


@pytest.fixture(scope="module")
def colleague(server):
    """Tom Reid, another officer of the office, saving through the API."""
    server.assure("users", "create", "tom.reid@opcc.example", "--name", "Tom Reid",
                  "--role", "secretariat")
    token = server.assure("tokens", "create", "tom.reid@opcc.example").strip()
    with server.api(token) as client:
        yield client


def _key(entry: dict) -> str:
    return entry["client_id"] or f"id-{entry['id']}"


def _before_the_pages_next_save(page, action) -> list:
    """Run `action` (a colleague's change) once, just before the page's next save of a
    paragraph reaches the server: the page's save is then made from the version before it."""
    done: list = []

    def hold(route):
        if not done and route.request.method in ("PATCH", "POST"):
            done.append(action())
        route.continue_()

    page.route(SAVES, hold)
    return done


def test_a_colleagues_change_shows_within_three_seconds(page, server, api, meeting, colleague):
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": "The PCC opened the item."}).json()
    open_item(page, server, meeting["id"], meeting["partnership"])
    box = page.locator(f"#text-{_key(created)}")
    expect(box).to_have_value("The PCC opened the item.")
    assert colleague.patch(f"/api/v1/entries/{created['id']}", json={
        "version": 1, "text": "The PCC opened the item at 10:05.", "kind": "decision",
    }).status_code == 200
    expect(box).to_have_value("The PCC opened the item at 10:05.", timeout=3000)
    expect(page.locator(f"#kind-{_key(created)}")).to_have_value("decision")
    added = colleague.post(f"/api/v1/items/{meeting['partnership']}/entries",
                           json={"text": "Tom's new paragraph."}).json()
    expect(page.locator(f"#text-{_key(added)}")).to_have_value("Tom's new paragraph.",
                                                                timeout=3000)
    expect(page.locator("#minutes-announce")).to_contain_text("Tom's new paragraph.")
    assert colleague.delete(f"/api/v1/entries/{added['id']}").status_code == 204
    expect(page.locator(f"#text-{_key(added)}")).to_have_count(0, timeout=3000)
    expect(page.locator(STATUS)).to_have_text(re.compile(take_minutes.SAVED))


def test_a_colleagues_edit_to_other_words_is_merged_with_nothing_lost(page, server, api,
                                                                      meeting, colleague):
    base = "The CC said that resources are sufficient. The PCC thanked him."
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": base}).json()
    open_item(page, server, meeting["id"], meeting["partnership"])
    done = _before_the_pages_next_save(page, lambda: colleague.patch(
        f"/api/v1/entries/{created['id']}",
        json={"version": 1, "text": base.replace("thanked", "praised")}).status_code)
    box = page.locator(f"#text-{_key(created)}")
    box.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Opening the item, ", delay=10)
    merged = "Opening the item, The CC said that resources are sufficient. The PCC praised him."
    expect(box).to_have_value(merged, timeout=10_000)
    expect_saved(page)
    assert done == [200]
    assert stored_texts(api, meeting["partnership"]) == [merged]
    expect(page.locator(".assure-conflict")).to_have_count(0)


def test_an_overlapping_edit_shows_both_texts_kind_and_speaker_while_typing_goes_on(
        page, server, api, meeting, colleague):
    people = person_ids(api)
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": "The CC responded"}).json()
    key = _key(created)
    open_item(page, server, meeting["id"], meeting["partnership"])
    theirs = "The CC responded that campaigns are national."
    done = _before_the_pages_next_save(page, lambda: colleague.patch(
        f"/api/v1/entries/{created['id']}", json={
            "version": 1, "text": theirs, "kind": "decision",
            "speaker_id": people["DCC"]}).status_code)
    page.locator(f"#kind-{key}").select_option("answer")
    box = page.locator(f"#text-{key}")
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(" that resources are sufficient.", delay=10)
    conflict = page.locator(".assure-conflict")
    expect(conflict).to_be_visible(timeout=10_000)
    assert done == [200]
    expect(conflict).to_contain_text("Tom Reid changed this paragraph while you were typing")
    expect(page.locator(f"#theirs-{key}")).to_have_value(theirs)
    expect(page.locator(f"#mine-kind-{key}")).to_have_text("Answer")
    expect(page.locator(f"#theirs-kind-{key}")).to_have_text("Decision")
    expect(page.locator(f"#theirs-speaker-{key}")).to_contain_text("Deputy Chief Constable")
    expect(page.locator(f"#diff-{key} ins")).to_contain_text(["resources are sufficient"])
    expect(page.locator(STATUS)).to_have_text(re.compile("^A colleague changed this paragraph"))
    # Typing goes on in the paragraph, and "Your text" follows it.
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(" And more.", delay=10)
    mine = "The CC responded that resources are sufficient. And more."
    expect(page.locator(f"#mine-{key}")).to_have_value(mine)
    assert api.get(f"/api/v1/entries/{created['id']}").json()["text"] == theirs
    take_minutes.shot(page, "conflict")
    page.get_by_role("button", name="Keep both (nothing is lost)").click()
    expect_saved(page)
    kept = api.get(f"/api/v1/entries/{created['id']}").json()
    assert kept["text"] == ("The CC responded that resources are sufficient. And more. "
                            "that campaigns are national.")
    assert kept["text"].count("The CC responded") == 1
    assert (kept["kind"], kept["speaker_id"]) == ("answer", people["DCC"])
    expect(conflict).to_have_count(0)


def test_a_paragraph_deleted_by_a_colleague_is_offered_back(page, server, api, meeting,
                                                            colleague):
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": "The DCC said"}).json()
    open_item(page, server, meeting["id"], meeting["partnership"])
    done = _before_the_pages_next_save(page, lambda: colleague.delete(
        f"/api/v1/entries/{created['id']}").status_code)
    page.locator(f"#text-{_key(created)}").click()
    page.keyboard.press("End")
    page.keyboard.type(" that the review is complete.", delay=10)
    box = page.locator(".assure-conflict")
    expect(box).to_contain_text("Tom Reid deleted this paragraph", timeout=10_000)
    assert done == [204]
    expect(page.locator(STATUS)).to_have_text(re.compile("^Deleted by Tom Reid"))
    page.get_by_role("button", name="Put my text back as a new paragraph").click()
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == [
        "The DCC said that the review is complete."]


def test_decomposed_accents_are_saved_once(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    saves: list = []
    page.on("request", lambda r: saves.append(r.url) if SAVES.search(r.url)
            and r.method in ("POST", "PATCH") else None)
    page.keyboard.press("n")
    # As copied from a Mac or a PDF: each accent a separate combining mark (NFD).
    page.keyboard.insert_text("Cafe\u0301 re\u0301sume\u0301: the Ho\u0302tel de\u0301cor.")
    expect_saved(page)
    page.wait_for_timeout(4000)  # a page that loops would have saved again several times
    assert len(saves) == 1, saves
    assert stored_texts(api, meeting["partnership"]) == ["Café résumé: the Hôtel décor."]
    expect(page.locator(STATUS)).to_have_text(re.compile(take_minutes.SAVED))


def test_an_outage_makes_a_bounded_number_of_retries(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("Before the outage. ", delay=5)
    expect_saved(page)
    tries: list = []

    def refuse(route):
        tries.append(time.monotonic())
        route.abort()

    page.route(SAVES, refuse)
    started = time.monotonic()
    words = 0
    while time.monotonic() - started < 12:  # 12 seconds of steady typing, two paragraphs
        page.keyboard.type(f"word{words} ", delay=20)
        words += 1
        if words == 15:
            page.keyboard.press("Escape")
            page.keyboard.press("n")
    status = page.locator(STATUS)
    expect(status).to_have_text(re.compile(
        r"^The server is not answering – kept on this device; trying again in \d+ s$"))
    # A wait that doubles from 1 s: about 4 tries in 12 s, whatever the keystrokes.
    assert 2 <= len(tries) <= 7, len(tries)
    page.unroute(SAVES)
    expect_saved(page, timeout=40_000)
    stored = " ".join(stored_texts(api, meeting["partnership"]))
    assert all(f"word{n} " in stored + " " for n in range(words)), stored
