"""An agenda is built with the keyboard alone, in a real browser against a real server."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("agenda"))
    yield live
    live.stop()


def test_build_an_agenda_with_the_keyboard_alone(browser, server):
    api = server.api(server.token)
    series = {t["name"]: t["id"]
              for t in api.get("/api/v1/meeting-types").json()}["Monthly Assurance Meeting"]
    api.put(f"/api/v1/meeting-types/{series}/standing-items", json=[
        {"title": "Apologies"}, {"title": "Outstanding matters / items brought forward",
                                 "kind": "outstanding_matters"},
        {"title": "Holding to account", "kind": "holding_to_account"},
        {"title": "AOB", "kind": "aob"}])
    meeting = api.post("/api/v1/meetings", json={"meeting_type_id": series,
                                                 "starts_at": "2019-07-30T10:00"}).json()
    people = {p["role_abbreviation"]: p["id"] for p in api.get("/api/v1/people").json()["results"]}

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings/{meeting['id']}/agenda")
    keys = page.keyboard
    # The standing items came from the series; go to "Holding to account" (the third).
    for _ in range(3):
        keys.press("ArrowDown")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Item 3: Holding to account")
    keys.press("c")  # a theme under it
    keys.type("Roads policing")
    keys.press("Enter")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Item 3.1: Roads policing")
    for key, title, label in (("c", "Performance", "Item 3.1.1: Performance"),
                              ("n", "Partnership Working", "Item 3.1.2: Partnership Working")):
        keys.press(key)
        keys.type(title)
        keys.press("Enter")
        expect(page.locator(":focus")).to_have_attribute("aria-label", label)
    expect(page.locator(":focus")).to_have_attribute("aria-label",
                                                     "Item 3.1.2: Partnership Working")
    keys.press("Shift+ArrowUp")  # Partnership Working before Performance
    expect(page.locator(":focus")).to_have_attribute("aria-label",
                                                     "Item 3.1.1: Partnership Working")
    keys.press("ArrowUp")  # to the theme, and fill in what the force must bring
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Item 3.1: Roads policing")
    keys.press("e")
    keys.press("Tab")  # kind
    keys.press("Tab")  # presenter: the DCC
    keys.type("DCC")
    keys.press("Tab")  # purpose
    keys.type("For assurance")
    keys.press("Tab")
    keys.type("The Commissioner requires a report on how the force works with the Safer "
              "Roads Partnership.")
    for part in ("23", "4", "2019"):  # the day, month and year boxes of the paper's due date
        keys.press("Tab")
        keys.type(part)
    keys.press("Enter")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Item 3.1: Roads policing")
    expect(page.locator("#item-" + page.locator(":focus").get_attribute("data-item-id"))
           ).to_contain_text("Paper late")
    # A mistaken item, made and taken away again.
    keys.press("n")
    keys.type("Mistake")
    keys.press("Enter")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Item 3.2: Mistake")
    keys.press("Delete")
    expect(page.locator("#agenda-notice")).to_contain_text("again to delete")
    keys.press("Delete")
    expect(page.get_by_text("Mistake")).to_have_count(0)

    items = api.get(f"/api/v1/meetings/{meeting['id']}/items").json()
    assert [(i["number"], i["title"]) for i in items] == [
        ("1", "Apologies"), ("2", "Outstanding matters / items brought forward"),
        ("3", "Holding to account"), ("3.1", "Roads policing"),
        ("3.1.1", "Partnership Working"), ("3.1.2", "Performance"), ("4", "AOB")]
    roads = items[3]
    assert (roads["presenter_id"], roads["purpose"], roads["paper_due_on"]) == (
        people["DCC"], "assurance", "2019-04-23")
    assert roads["commission"].startswith("The Commissioner requires a report")
    context.close()
