"""The keyboard flow of the Take minutes page as the minute-taker expects it: an answer follows
the question just above it, `p` replaces the speaker, the page keeps the prefix it wrote in step
with the speaker, a prepared question's wording is one key away, and the single-key shortcuts
can be turned off or changed (WCAG 2.1.4). SQLite always; PostgreSQL too when
TEST_DATABASE_URL is set, in a database of its own."""

import pytest
from playwright.sync_api import expect

from tests.conftest import BACKENDS
from tests.e2e import test_take_minutes as take_minutes
from tests.e2e.conftest import demo_on
from tests.e2e.test_take_minutes import expect_saved, open_item, person_ids

# The fixtures of the minute-taking tests, on this module's server.
meeting, page = take_minutes.meeting, take_minutes.page

ENTRY = ".assure-entry"
TEXT = ".assure-entry__text"
SPEAKER = ".assure-entry__speaker"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    yield from demo_on(request.param, tmp_path_factory, "keys")


def prepare(api, meeting, text: str, asked_by: str, addressed_to: str) -> int:
    people = person_ids(api)
    return api.post("/api/v1/questions", json={
        "text": text, "asked_by_id": people[asked_by], "addressed_to_id": people[addressed_to],
        "meeting_id": meeting["id"], "item_id": meeting["partnership"], "status": "sent"},
    ).json()["id"]


def stored(api, item_id: int) -> list[tuple]:
    ids = {v: k for k, v in person_ids(api).items()}
    return [(e["kind"], ids.get(e["speaker_id"]), e["question_id"], e["text"])
            for e in api.get(f"/api/v1/items/{item_id}/entries").json()]


def test_an_answer_follows_the_question_just_above_it(page, server, api, meeting):
    prepared = prepare(api, meeting, "Is the DCC content with the ANPR business case?",
                       "PCC", "DCC")
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    keys.press("1")  # the prepared question, to the DCC
    keys.type("she was content.")
    keys.press("Escape")
    keys.press("a")
    expect(page.locator(TEXT).last).to_have_value("The DCC responded that ")
    keys.type("she was.")
    keys.press("Escape")
    keys.press("q")  # a question of the PCC's own, to the CC
    keys.type("The PCC asked the CC whether speed cameras work.")
    keys.press("Escape")
    keys.press("a")
    expect(page.locator(TEXT).last).to_have_value("The CC responded that ")
    keys.type("they do.")
    keys.press("Escape")
    keys.press("q")  # a question that names no one
    keys.type("The PCC raised the matter of fog.")
    keys.press("Escape")
    keys.press("a")
    expect(page.locator(SPEAKER).last).to_have_value("")
    keys.type("Fog is rare.")
    expect_saved(page)
    assert stored(api, meeting["partnership"]) == [
        ("question", "PCC", prepared, "The PCC asked the DCC if she was content."),
        ("answer", "DCC", prepared, "The DCC responded that she was."),
        ("question", "PCC", None, "The PCC asked the CC whether speed cameras work."),
        ("answer", "CC", None, "The CC responded that they do."),
        ("question", "PCC", None, "The PCC raised the matter of fog."),
        ("answer", None, None, "Fog is rare."),
    ]


def test_p_selects_the_speaker_so_typing_replaces_it(page, server, api, meeting):
    prepare(api, meeting, "Are the cameras working?", "PCC", "CC")
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    keys.press("1")
    keys.press("Escape")
    keys.press("a")  # the CC's answer
    expect(page.locator(SPEAKER).last).to_have_value("CC")
    keys.press("Escape")
    keys.press("p")
    speaker = page.locator(SPEAKER).last
    expect(speaker).to_be_focused()
    keys.type("DCC")
    expect(speaker).to_have_value("DCC")
    keys.press("Enter")  # back into the text
    expect(page.locator(TEXT).last).to_be_focused()
    keys.type("they were.")
    expect_saved(page)
    assert stored(api, meeting["partnership"])[1][:2] == ("answer", "DCC")


def test_a_speaker_change_updates_the_prefix_only_while_it_is_as_the_page_wrote_it(
        page, server, api, meeting):
    prepared = prepare(api, meeting, "Is regional collaboration effective?", "PCC", "CC")
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    text = page.locator(TEXT)

    def change_speaker(to: str) -> None:
        keys.press("Escape")
        keys.press("p")
        keys.type(to)
        keys.press("Enter")

    keys.press("1")
    change_speaker("DPCC")  # the Deputy asked it
    expect(text.nth(0)).to_have_value("The DPCC asked the CC if ")
    keys.type("it was.")
    keys.press("Escape")
    keys.press("a")
    change_speaker("DCC")  # the Deputy Chief Constable answered
    expect(text.nth(1)).to_have_value("The DCC responded that ")
    keys.type("it was.")
    keys.press("Escape")
    keys.press("a")  # a second answer whose prefix the officer rewords
    expect(text.nth(2)).to_have_value("The CC responded that ")
    keys.press("Control+a")
    keys.type("The CC added that it was improving.")
    change_speaker("DCC")
    expect(page.locator(SPEAKER).nth(2)).to_have_value("DCC")
    expect(text.nth(2)).to_have_value("The CC added that it was improving.")
    expect_saved(page)
    assert stored(api, meeting["partnership"]) == [
        ("question", "DPCC", prepared, "The DPCC asked the CC if it was."),
        ("answer", "DCC", prepared, "The DCC responded that it was."),
        ("answer", "DCC", prepared, "The CC added that it was improving."),
    ]


def test_a_prepared_questions_own_words_are_one_key_away(page, server, api, meeting):
    prepare(api, meeting, "Is the CC satisfied that regional collaboration is effective?",
            "PCC", "CC")
    prepare(api, meeting, "When will the force join the National ANPR System?", "DPCC", "CC")
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    text = page.locator(TEXT)
    keys.press("1")
    offer = page.locator(ENTRY).nth(0).locator(".assure-wording")
    expect(offer).to_contain_text(
        "Is the CC satisfied that regional collaboration is effective?")
    expect(offer).to_contain_text("Press Tab to use it")
    keys.press("Tab")
    expect(text.nth(0)).to_have_value(
        "The PCC asked the CC: Is the CC satisfied that regional collaboration is effective?")
    expect(text.nth(0)).to_be_focused()
    expect(offer).to_have_count(0)
    keys.press("Escape")
    # Typing one's own words withdraws the offer: Tab then leaves the text as it is.
    keys.press("2")
    second = page.locator(ENTRY).nth(1).locator(".assure-wording")
    expect(second).to_contain_text("When will the force join the National ANPR System?")
    keys.type("it would be soon.")
    expect(second).to_have_count(0)
    keys.press("Tab")
    expect(text.nth(1)).to_have_value("The DPCC asked the CC if it would be soon.")
    expect_saved(page)
    assert [e[3] for e in stored(api, meeting["partnership"])] == [
        "The PCC asked the CC: Is the CC satisfied that regional collaboration is effective?",
        "The DPCC asked the CC if it would be soon.",
    ]


def test_single_key_shortcuts_can_be_turned_off_or_changed(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    shortcuts = page.locator("#shortcuts")
    expect(shortcuts).to_contain_text('Start a line with "- "')
    entries = page.locator(ENTRY)

    def settings():
        box = page.locator("#shortcut-settings")
        if not box.is_visible():
            page.get_by_text("Turn off or change these shortcuts").click()
        return box

    settings()
    page.get_by_label("Use single-key shortcuts").uncheck()
    page.get_by_role("button", name="Save shortcuts").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Shortcuts saved")
    page.reload()
    expect_saved(page)
    expect(page.get_by_label("Use single-key shortcuts")).not_to_be_checked()
    expect(shortcuts).to_contain_text("Single-key shortcuts are off")
    page.keyboard.press("n")  # does nothing now
    page.get_by_role("button", name="Paragraph").click()  # the buttons still work
    expect(entries).to_have_count(1)
    expect(page.locator(TEXT).first).to_have_value("")
    page.keyboard.type("Added with the button.")
    expect_saved(page)
    page.keyboard.press("Escape")

    settings()
    page.get_by_label("Use single-key shortcuts").check()
    page.get_by_label("New paragraph (narrative)", exact=True).fill("1")
    page.get_by_role("button", name="Save shortcuts").click()
    expect(page.locator("#shortcut-settings")).to_contain_text("numbers start prepared questions")
    page.get_by_label("New paragraph (narrative)", exact=True).fill("q")
    page.get_by_role("button", name="Save shortcuts").click()
    expect(page.locator("#shortcut-settings")).to_contain_text("q is already")
    page.get_by_label("New paragraph (narrative)", exact=True).fill("w")
    page.get_by_role("button", name="Save shortcuts").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Shortcuts saved")
    page.reload()
    expect_saved(page)
    expect(shortcuts.locator("[data-shortcut=narrative]").first).to_have_text("w")
    expect(page.get_by_role("button", name="Paragraph")).to_contain_text("w")
    page.keyboard.press("n")  # no longer a shortcut
    page.keyboard.press("w")
    expect(entries).to_have_count(2)
    page.keyboard.type("Typed after w.")
    expect_saved(page)
    assert [e[3] for e in stored(api, meeting["partnership"])] == [
        "Added with the button.", "Typed after w."]


def test_paragraphs_typed_while_an_earlier_one_is_still_being_created_keep_their_order(
        page, server, api, meeting):
    """A slow creation holds back the paragraphs typed after it, each waiting its turn: a
    question whose own creation is still waiting must not be overtaken by its answer (seen in
    CI as an answer stored above its question)."""
    held: list = []
    sent: list[str] = []
    holding = [True]

    def creations(route):
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        sent.append(request.post_data_json["text"])
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/items/*/entries", creations)
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    keys.press("n")
    keys.type("The Chief Constable introduced the report.")
    typed = ["The Chief Constable introduced the report."]
    for topic in ("speed cameras", "drones", "fog"):
        keys.press("Escape")
        keys.press("q")
        keys.type(f"The PCC asked the CC about {topic}.")
        keys.press("Escape")
        keys.press("a")
        expect(page.locator(TEXT).last).to_have_value("The CC responded that ")
        keys.type(f"{topic} are in hand.")
        typed += [f"The PCC asked the CC about {topic}.",
                  f"The CC responded that {topic} are in hand."]
    page.wait_for_timeout(1500)  # every paragraph's save is due by now
    assert sent == typed[:1], "the later paragraphs went before the first was created"
    holding[0] = False
    for route in held:
        route.continue_()
    expect_saved(page)
    assert sent == typed
    assert [text for _, _, _, text in stored(api, meeting["partnership"])] == typed
