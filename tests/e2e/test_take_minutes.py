"""Live minute-taking in a real browser against a real server: nothing typed is lost.

Set ASSURE_SCREENSHOTS to a folder to keep screenshots of the page's states.
"""

import io
import os
import re
import time
from datetime import date
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo
from tests.export.reading import cell_content

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
STATUS = "#save-status"
SAVED = r"^Saved \d\d:\d\d:\d\d$"
OFFLINE = "Offline – kept on this device; saved when the connection is back"
NOT_ANSWERING = re.compile(
    r"^The server is not answering – kept on this device; trying again in \d+ s$")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A demo server of these tests' own: one of them kills it."""
    live = start_demo(tmp_path_factory.mktemp("minutes"))
    yield live
    live.stop()


def person_ids(api) -> dict[str, int]:
    return {p["role_abbreviation"] or p["initials"]: p["id"]
            for p in api.get("/api/v1/people").json()["results"]}


@pytest.fixture
def meeting(api):
    """A new meeting of the demo's series with the reference agenda and no minutes yet."""
    # A series of its own, without standing items, so the agenda is exactly the one below.
    series = api.post("/api/v1/meeting-types", json={"name": "Monthly Assurance Meeting",
                                                     "default_venue": "Room 1.38"}).json()
    made = api.post("/api/v1/meetings", json={
        "meeting_type_id": series["id"], "starts_at": "2019-06-25T10:00",
        "status": "in_progress"}).json()
    meeting_id = made["id"]

    def item(title, kind="theme", parent=None):
        body = {"title": title, "kind": kind}
        if parent:
            body["parent_id"] = parent
        return api.post(f"/api/v1/meetings/{meeting_id}/items", json=body).json()["id"]

    outstanding = item("Outstanding matters / items brought forward", "outstanding_matters")
    holding = item("Holding to account", "holding_to_account")
    roads = item("Roads Policing", parent=holding)
    partnership = item("Partnership Working", parent=roads)
    item("Performance", parent=roads)
    item("AOB", "aob")
    return {"id": meeting_id, "outstanding": outstanding, "partnership": partnership}


@pytest.fixture
def page(browser, server):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, server.email, server.password)
    yield page
    context.close()
    assert errors == [], errors


def open_item(page, server, meeting_id: int, item_id: int) -> None:
    page.goto(f"{server.url}/meetings/{meeting_id}/take-minutes#item-{item_id}")
    expect(page.locator(STATUS)).to_have_text(re.compile(SAVED))


def expect_saved(page, timeout: float = 15_000) -> None:
    expect(page.locator(STATUS)).to_have_text(re.compile(SAVED), timeout=timeout)


def stored_texts(api, item_id: int) -> list[str]:
    return [e["text"] for e in api.get(f"/api/v1/items/{item_id}/entries").json()]


def test_twenty_seconds_of_typing_without_a_pause_is_saved_as_it_goes(page, server, api,
                                                                     meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    sentence = "The PCC asked the CC whether roads policing has the resources it needs. "
    text = (sentence * 8)[:400]
    typed = ""
    started = time.monotonic()
    for chunk in range(4):  # 4 × 100 characters at 20 a second: 20 seconds, no pause
        part = text[chunk * 100:(chunk + 1) * 100]
        page.keyboard.type(part, delay=50)
        typed += part
        if chunk == 0:
            shot(page, "saving")
        # A debounce alone would not have saved anything yet; the page must save as it goes,
        # at most a few seconds behind the typing.
        stored = stored_texts(api, meeting["partnership"])
        assert stored and typed.startswith(stored[0]), stored
        assert len(stored[0]) >= len(typed) - 80, (len(stored[0]), len(typed))
    assert time.monotonic() - started >= 19
    expect_saved(page)
    shot(page, "saved")
    assert stored_texts(api, meeting["partnership"]) == [text]


def test_a_reload_mid_sentence_loses_nothing(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("The DCC replied that the benefits of NAS are expected", delay=5)
    page.reload()  # before the page had a chance to save
    box = page.locator(".assure-entry__text").first
    expect(box).to_have_value("The DCC replied that the benefits of NAS are expected")
    expect(page.locator("#minutes-notice")).to_contain_text("Put back 1 paragraph")
    expect_saved(page)
    # Carry on typing in the same paragraph, and reload again mid-save.
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(" in around year two.", delay=5)
    page.reload()
    expect(page.locator(".assure-entry__text").first).to_have_value(
        "The DCC replied that the benefits of NAS are expected in around year two.")
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == [
        "The DCC replied that the benefits of NAS are expected in around year two."]


def test_a_paragraph_stays_after_one_whose_first_save_is_slow(page, server, api, meeting):
    """A fast typist: the first paragraph's creation is still on its way when the second is
    saved; the second must still come after it in the minutes."""
    delayed = []

    def slow_first_create(route):
        if route.request.method == "POST" and not delayed:
            delayed.append(route.request.url)
            time.sleep(1.5)
        route.continue_()

    open_item(page, server, meeting["id"], meeting["partnership"])
    page.route("**/api/v1/items/*/entries", slow_first_create)
    page.keyboard.press("n")
    page.keyboard.type("First said.", delay=5)
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.keyboard.type("Then this.", delay=5)
    page.keyboard.press("Escape")
    expect_saved(page)
    assert delayed
    assert stored_texts(api, meeting["partnership"]) == ["First said.", "Then this."]


def test_typing_while_the_network_is_cut_is_kept_and_saved_when_it_returns(page, server, api,
                                                                          meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("Typed online. ", delay=5)
    expect_saved(page)
    page.context.set_offline(True)
    page.keyboard.type("Typed with the Wi-Fi down.", delay=5)
    expect(page.locator(STATUS)).to_have_text(OFFLINE, timeout=10_000)
    shot(page, "offline")
    assert stored_texts(api, meeting["partnership"]) == ["Typed online. "]
    page.context.set_offline(False)
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == ["Typed online. Typed with the Wi-Fi down."]


def test_a_server_killed_mid_typing_loses_nothing_shown_as_saved(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("Before the crash. ", delay=5)
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == ["Before the crash. "]
    page.keyboard.type("Typed while it", delay=5)
    server.kill()
    page.keyboard.type(" was down.", delay=5)
    expect(page.locator(STATUS)).to_have_text(NOT_ANSWERING, timeout=15_000)
    server.start()
    assert stored_texts(api, meeting["partnership"])[0].startswith("Before the crash. ")
    expect_saved(page, timeout=30_000)
    assert stored_texts(api, meeting["partnership"]) == [
        "Before the crash. Typed while it was down."]


def test_the_reference_meetings_first_item_with_the_keyboard_alone(page, server, api, meeting):
    people = person_ids(api)
    for text in ("Is the CC satisfied that regional collaboration is effective?",
                 "When will the force be connected to the National ANPR System?"):
        api.post("/api/v1/questions", json={
            "text": text, "asked_by_id": people["PCC"], "addressed_to_id": people["CC"],
            "meeting_id": meeting["id"], "item_id": meeting["partnership"], "status": "sent"})
    page.goto(f"{server.url}/meetings/{meeting['id']}/take-minutes")
    expect_saved(page)
    keys = page.keyboard

    # Attendance: the Commissioner, the Deputy, the Chief Constable and the DCC are present.
    # A new series invites nobody yet: each is found by typing their name, and Enter adds them.
    keys.press("r")
    expect(page.locator("#attendance-panel")).to_be_visible()
    expect(page.get_by_label("Find someone to add")).to_be_focused()
    names = ["John Campion", "Tracey Onslow", "Anthony Bangham", "Amanda Blakeman"]
    for name in names:
        keys.type(name.split()[1])
        expect(page.locator("#attend-found button").first).to_contain_text(name)
        keys.press("Enter")
    expect(page.locator("#attendance-rows th")).to_have_text(names)
    save = page.get_by_role("button", name="Save attendance")
    for _ in range(12):  # through each person's attendance and capacity
        if save.evaluate("b => b === document.activeElement"):
            break
        keys.press("Tab")
    keys.press("Enter")
    expect(page.locator("#minutes-notice")).to_contain_text("Attendance saved: 4 present")
    assert "null" not in page.locator("#item-panel").inner_text()

    # To the first themed item, 2.1 Roads policing, sub-theme 1. Partnership Working.
    for _ in range(3):
        keys.press("]")
    expect(page.locator("#item-heading")).to_have_text("1. Partnership Working")
    expect(page.locator("#item-parents")).to_have_text("2 HOLDING TO ACCOUNT › 2.1 ROADS POLICING:")

    keys.press("1")  # the first prepared question is asked
    keys.type("he was satisfied that regional collaboration is effective.")
    keys.press("Escape")
    keys.press("a")  # the CC's answer, linked to that question
    keys.type("campaigns are national, but delivered regionally.")
    keys.press("Escape")
    keys.press("n")
    keys.type("The PCC commented that there has been a major investment in ANPR. "
              "The CC and DCC responded:")
    keys.press("Enter")
    keys.type("• OP SNAP is being looked at centrally on a national level.")
    keys.press("Enter")
    keys.type("- There was a business case for the force investment in ANPR.")
    keys.press("Escape")
    keys.press("p")
    keys.type("PCC")
    keys.press("Enter")
    keys.press("Escape")
    keys.press("t")
    keys.type("The DCC to review the success criteria in the ANPR business case.")
    keys.press("Tab")
    keys.type("DCC")
    keys.press("Tab")
    keys.type("28/05/2019")
    keys.press("Control+Enter")
    expect(page.locator("#minutes-notice")).to_contain_text("raised for DCC")
    expect_saved(page)
    shot(page, "keyboard-minuted-item")

    stored = api.get(f"/api/v1/items/{meeting['partnership']}/entries").json()
    assert [(e["kind"], e["speaker_id"]) for e in stored] == [
        ("question", people["PCC"]), ("answer", people["CC"]), ("narrative", people["PCC"])]
    assert stored[0]["text"] == (
        "The PCC asked the CC if he was satisfied that regional collaboration is effective.")
    assert stored[1]["text"] == (
        "The CC responded that campaigns are national, but delivered regionally.")
    assert stored[1]["question_id"] == stored[0]["question_id"] is not None
    question = api.get(f"/api/v1/questions/{stored[0]['question_id']}").json()
    assert question["status"] == "answered"
    assert question["answers"][0]["text"] == stored[1]["text"]
    actions = api.get("/api/v1/actions", params={"meeting_id": meeting["id"]}).json()["results"]
    assert [(a["text"], a["owner_ids"], a["due_date"]) for a in actions] == [(
        "The DCC to review the success criteria in the ANPR business case.", [people["DCC"]],
        date(2019, 5, 28).isoformat())]
    record = api.get(f"/api/v1/meetings/{meeting['id']}").json()
    assert sorted(a["full_name"] for a in record["attendance"] if a["status"] == "present") == [
        "Amanda Blakeman", "Anthony Bangham", "John Campion", "Tracey Onslow"]


def test_delete_undo_and_reorder_by_keyboard(page, server, api, meeting):
    for text in ("First.", "Second.", "Third."):
        api.post(f"/api/v1/items/{meeting['partnership']}/entries", json={"text": text})
    open_item(page, server, meeting["id"], meeting["partnership"])
    keys = page.keyboard
    keys.press("ArrowUp")  # from "Third." to "Second."
    keys.press("Delete")
    expect(page.locator("#minutes-notice")).to_contain_text("Press u to undo")
    assert stored_texts(api, meeting["partnership"]) == ["First.", "Third."]
    keys.press("u")
    expect(page.locator("#minutes-notice")).to_contain_text("restored")
    assert stored_texts(api, meeting["partnership"]) == ["First.", "Second.", "Third."]
    keys.press("Shift+ArrowUp")  # "Second." above "First."
    expect(page.locator(".assure-entry__text").first).to_have_value("Second.")
    expect_saved(page)
    deadline = time.monotonic() + 5
    while stored_texts(api, meeting["partnership"])[0] != "Second." and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored_texts(api, meeting["partnership"]) == ["Second.", "First.", "Third."]


def test_pasting_from_word_keeps_paragraphs_and_bullets_only(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    word = ("The CC and DCC responded:\r\n·\tOP SNAP is looked at nationally.\r\n"
            "o\tANPR had a business case.\x07\r\n\r\n\r\nA closing\u00a0line.\x0b")
    page.evaluate("""(text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        data.setData("text/html", "<p class=MsoNormal><b>The CC</b> and DCC responded:</p>");
        document.activeElement.dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", word)
    expected = ("The CC and DCC responded:\n• OP SNAP is looked at nationally.\n"
                "• ANPR had a business case.\n\nA closing line.")
    expect(page.locator(".assure-entry__text").last).to_have_value(expected)
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == [expected]


WORD_CLIPBOARD = Path(__file__).resolve().parents[1] / "data" / "word-clipboard"
PASTE = """(clipboard) => {
    const data = new DataTransfer();
    for (const [type, value] of Object.entries(clipboard)) data.setData(type, value);
    document.activeElement.dispatchEvent(
        new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""
# What Word puts on the clipboard when a minute-taker copies a briefing with a Symbol-font
# bulleted list, a numbered list with a lettered level, and a table, as the textarea keeps it.
FROM_WORD = (
    "The CC and DCC responded:\n"
    "• OP SNAP is being looked at centrally on a national level.\n"
    "• There was a business case for the force investment in ANPR.\n"
    "The PCC asked the DCC for:\n"
    "1. A review of the success criteria in the ANPR business case.\n"
    "2. An update on the benefits of NAS:\n"
    "a) at the next meeting, and\n"
    "b) in the annual report.\n"
    "3. A report on Op Snap submissions.\n"
    "Roads policing figures:\n"
    "\n"
    "| Measure | 2018/19 | 2019/20 |\n"
    "| Killed or seriously injured | 412 | 389 |\n"
    "| Op Snap submissions (dashcam / phone) | 1,204 | 2,310 |\n"
    "| Speed enforcement | Mobile vans Fixed cameras |  |\n"
    "\n"
    "The PCC thanked the DCC.")


def test_pasting_lists_and_a_table_from_word_keeps_them_in_the_page_and_the_export(
        page, server, api, meeting):
    html = (WORD_CLIPBOARD / "minutes-paste.html").read_text(encoding="utf-8")
    plain = (WORD_CLIPBOARD / "minutes-paste.txt").read_bytes().decode("utf-8")
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.evaluate(PASTE, {"text/plain": plain, "text/html": html})
    expect(page.locator(".assure-entry__text").last).to_have_value(FROM_WORD)
    # Only the plain text (as some programs copy): the bullets, numbers and rows survive too,
    # though a cell of two paragraphs comes out as two lines there.
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.evaluate(PASTE, {"text/plain": plain})
    from_plain = FROM_WORD.replace("\n\n|", "\n|").replace(
        "| Speed enforcement | Mobile vans Fixed cameras |  |",
        "| Speed enforcement | Mobile vans |\nFixed cameras")
    expect(page.locator(".assure-entry__text").last).to_have_value(from_plain)
    expect_saved(page)
    assert stored_texts(api, meeting["partnership"]) == [FROM_WORD, from_plain]

    exported = api.get(f"/api/v1/meetings/{meeting['id']}/minutes.docx")
    assert exported.status_code == 200
    minutes = docx.Document(io.BytesIO(exported.content)).tables[1]
    entry = next(row.cells[1] for row in minutes.rows
                 if row.cells[1].paragraphs[0].text == "The CC and DCC responded:")
    bullet, numbered = "List Bullet", "Numbered Line"
    assert cell_content(entry) == [
        ("The CC and DCC responded:", "Normal"),
        ("OP SNAP is being looked at centrally on a national level.", bullet),
        ("There was a business case for the force investment in ANPR.", bullet),
        ("The PCC asked the DCC for:", "Normal"),
        # The typed number, once, hanging before its text (the style numbers nothing itself).
        ("1.\tA review of the success criteria in the ANPR business case.", numbered),
        ("2.\tAn update on the benefits of NAS:", numbered),
        ("a)\tat the next meeting, and", numbered),
        ("b)\tin the annual report.", numbered),
        ("3.\tA report on Op Snap submissions.", numbered),
        ("Roads policing figures:", "Normal"),
        [["Measure", "2018/19", "2019/20"],
         ["Killed or seriously injured", "412", "389"],
         ["Op Snap submissions (dashcam / phone)", "1,204", "2,310"],
         ["Speed enforcement", "Mobile vans Fixed cameras", ""]],
        ("The PCC thanked the DCC.", "Normal"),
    ]
    assert not minutes._tbl.xpath(".//w:numPr")  # no automatic numbers to double the typed ones

    # The record page shows the same table.
    page.goto(f"{server.url}/meetings/{meeting['id']}")
    table = page.locator("table.assure-typed-table").first
    expect(table.locator("tr")).to_have_count(4)
    expect(table.locator("tr").nth(2).locator("td")).to_have_text(
        ["Op Snap submissions (dashcam / phone)", "1,204", "2,310"])


def test_pasting_a_table_and_lists_from_a_web_page_keeps_headers_spans_and_numbers(
        page, server, meeting):
    web_page = """<meta charset="utf-8">
        <table><thead><tr><th>Force</th><th colspan="2">Collisions</th></tr></thead>
        <tbody><tr><td rowspan="2">West Mercia</td><td>2019</td><td>1,020</td></tr>
        <tr><td>2020</td><td><p>812</p><p>(provisional)</p></td></tr></tbody></table>
        <h3>Roads policing</h3>
        <ol type="a" start="2"><li>First <b>point</b><ul><li>Under it</li></ul></li>
        <li>Second</li></ol>"""
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("Figures:", delay=5)
    page.evaluate(PASTE, {"text/plain": "Force\tCollisions\nWest Mercia", "text/html": web_page})
    # The table starts a line of its own, or its first row would not be a row.
    expect(page.locator(".assure-entry__text").last).to_have_value(
        "Figures:\n| Force | Collisions |  |\n| --- | --- | --- |\n| West Mercia | 2019 | 1,020 |\n"
        "|  | 2020 | 812 (provisional) |\n\nRoads policing\nb. First point\n• Under it\n"
        "c. Second")


def test_the_live_view_follows_the_minutes_within_three_seconds(browser, server, api, meeting):
    created = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                       json={"text": "The PCC asked the CC about speed cameras."}).json()
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    watcher = context.new_page()
    sign_in(watcher, server, server.email, server.password)
    watcher.goto(f"{server.url}/meetings/{meeting['id']}/live")
    expect(watcher.get_by_text("The PCC asked the CC about speed cameras.")).to_be_visible()
    api.patch(f"/api/v1/entries/{created['id']}", json={
        "version": created["version"], "text": "The PCC asked the CC about average speed cameras."})
    api.post(f"/api/v1/items/{meeting['partnership']}/entries",
             json={"text": "The CC replied that a pilot starts in May."})
    changed = time.monotonic()
    expect(watcher.get_by_text("The CC replied that a pilot starts in May.")).to_be_visible(
        timeout=3_000)
    expect(watcher.get_by_text("The PCC asked the CC about average speed cameras.")
           ).to_be_visible(timeout=3_000)
    assert time.monotonic() - changed < 3
    shot(watcher, "live-view")
    context.close()


def test_the_live_view_shows_a_typed_paragraph_its_edit_and_its_deletion(
        browser, server, api, meeting):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    watcher = context.new_page()
    sign_in(watcher, server, server.email, server.password)
    watcher.goto(f"{server.url}/meetings/{meeting['id']}/live")
    live = watcher.locator("#live-minutes")
    expect(live).to_be_visible()
    typed = api.post(f"/api/v1/items/{meeting['partnership']}/entries",
                     json={"text": "The PCC asked about the new cameras."}).json()
    expect(live.get_by_text("The PCC asked about the new cameras.")).to_be_visible(
        timeout=3_000)
    # An edit comes as the paragraph alone: the minutes around it stay the same elements.
    watcher.evaluate("window.liveBefore = document.getElementById('live-minutes')")
    api.patch(f"/api/v1/entries/{typed['id']}", json={
        "version": typed["version"],
        "text": "The PCC asked about the new cameras on the A49."})
    expect(live.get_by_text("The PCC asked about the new cameras on the A49.")).to_be_visible(
        timeout=3_000)
    assert watcher.evaluate(
        "window.liveBefore === document.getElementById('live-minutes')")
    expect(live.locator(f'[data-entry="{typed["id"]}"]')).to_have_count(1)
    # A screen reader hears the new words once the paragraph has settled.
    expect(watcher.locator("#live-announcements")).to_contain_text(
        "new cameras on the A49", timeout=8_000)
    shot(watcher, "live-view-edited")
    watcher.set_viewport_size({"width": 320, "height": 900})
    shot(watcher, "live-view-edited-320")
    api.delete(f"/api/v1/entries/{typed['id']}")
    expect(live.get_by_text("The PCC asked about the new cameras on the A49.")).to_have_count(
        0, timeout=3_000)
    context.close()


def test_any_saved_version_can_be_restored(page, server, api, meeting):
    open_item(page, server, meeting["id"], meeting["partnership"])
    page.keyboard.press("n")
    page.keyboard.type("The first wording.", delay=5)
    expect_saved(page)
    page.keyboard.press("Control+a")
    page.keyboard.type("A second wording that the chair did not like.", delay=5)
    expect_saved(page)
    page.keyboard.press("Escape")
    page.keyboard.press("h")
    history = page.locator(".assure-history-box")
    expect(history).to_contain_text("The first wording.")
    page.get_by_role("button", name="Restore version 1").press("Enter")
    expect(page.locator(".assure-entry__text").last).to_have_value("The first wording.")
    expect_saved(page)
    entry_id = api.get(f"/api/v1/items/{meeting['partnership']}/entries").json()[0]["id"]
    texts = [r["text"] for r in api.get(f"/api/v1/entries/{entry_id}/revisions").json()["results"]]
    assert texts[-1] == "The first wording."
    assert "A second wording that the chair did not like." in texts
