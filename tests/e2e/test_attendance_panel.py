"""The attendance panel of Take minutes keeps each person's capacity: marking who came does not
put back every capacity to the role's default."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_demo(tmp_path_factory.mktemp("attendance"))
    yield served
    served.stop()


def test_marking_attendance_in_the_panel_keeps_the_capacities(server, page):
    with server.api(server.token) as api:
        meeting = next(m for m in api.get("/api/v1/meetings").json()["results"]
                       if api.get(f"/api/v1/meetings/{m['id']}").json()["attendance"])
        rows = api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"]
        first, second = rows[0], rows[1]
        answer = api.put(f"/api/v1/meetings/{meeting['id']}/attendance", json=[
            {"person_id": r["person_id"], "status": r["status"],
             "capacity": "Acting Chief Constable" if r is first else r["capacity"]}
            for r in rows])
        assert answer.status_code == 200, answer.text
    before = {r["person_id"]: r["capacity"] for r in answer.json()}

    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings/{meeting['id']}/take-minutes")
    page.keyboard.press("r")
    expect(page.locator("#attendance-panel")).to_be_visible()
    page.locator(f"#attend-{second['person_id']}").select_option("apologies")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Attendance saved")

    with server.api(server.token) as api:
        after = api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"]
    assert {r["person_id"]: r["capacity"] for r in after} == before
    assert before[first["person_id"]] == "Acting Chief Constable"
    assert next(r for r in after if r["person_id"] == second["person_id"])["status"] == \
        "apologies"


def _items_by_number(items, found=None):
    found = {} if found is None else found
    for item in items:
        found[item["number"]] = item["id"]
        _items_by_number(item.get("children", []), found)
    return found


def test_the_panel_offers_the_invitees_first_finds_others_and_keeps_substitutes_and_items(
        server, page):
    with server.api(server.token) as api:
        meeting = next(m for m in api.get("/api/v1/meetings").json()["results"]
                       if m["title"].startswith("Monthly Assurance Meeting"))
        jones = api.post("/api/v1/people", json={
            "full_name": "Jane Jones", "initials": "JJ", "side": "force",
            "role_title": "Temporary Assistant Chief Constable",
            "role_abbreviation": "T/ACC"}).json()
        smith = api.post("/api/v1/people", json={
            "full_name": "Sam Smith", "initials": "SS", "side": "force",
            "role_title": "Head of Roads Policing"}).json()
        detail = api.get(f"/api/v1/meetings/{meeting['id']}").json()
    numbers = _items_by_number(detail["items"])
    dcc = next(r for r in detail["attendance"] if r["full_name"] == "Amanda Blakeman")

    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings/{meeting['id']}/take-minutes")
    page.keyboard.press("r")
    panel = page.locator("#attendance-panel")
    expect(panel).to_be_visible()
    # the series' invitees first, in the series' order
    expect(panel.locator("#attendance-rows th")).to_have_text(
        ["John Campion", "Tracey Onslow", "Anthony Bangham", "Amanda Blakeman"])
    # anyone else by typing: results as you type, Enter adds the first
    panel.get_by_label("Find someone to add").fill("jon")
    expect(panel.locator("#attend-found button")).to_have_text(
        ["Add Jane Jones, Temporary Assistant Chief Constable"])
    panel.get_by_label("Find someone to add").press("Enter")
    expect(page.locator(f"#attend-{jones['id']}")).to_have_value("present")
    expect(panel.get_by_label("Find someone to add")).to_be_focused()  # to add more
    page.locator(f"#attend-{jones['id']}").select_option("substitute")
    page.locator(f"#attend-for-{jones['id']}").select_option(str(dcc["person_id"]))
    page.locator(f"#attend-capacity-{jones['id']}").fill("Temporary ACC (T/ACC)")
    page.locator(f"#attend-{dcc['person_id']}").select_option("apologies")
    panel.get_by_label("Find someone to add").fill("roads")
    panel.get_by_role("button", name="Add Sam Smith, Head of Roads Policing").click()
    expect(page.locator(f"#attend-{smith['id']}")).to_be_focused()
    page.locator(f"#attend-{smith['id']}").select_option("in_attendance")
    # a number not on the agenda: a plain message, nothing saved
    page.locator(f"#attend-items-{smith['id']}").fill("2 and 99")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#minutes-notice")).to_contain_text(
        "there is no item 99 on this meeting's agenda")
    with server.api(server.token) as api:
        assert all(r["person_id"] != smith["id"] for r in
                   api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"])
    page.locator(f"#attend-items-{smith['id']}").fill("3 and 2")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Attendance saved")

    def recorded():
        with server.api(server.token) as api:
            rows = api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"]
        return {r["full_name"]: (r["status"], r["capacity"], r["substitute_for_id"],
                                 r["item_ids"]) for r in rows}

    saved = recorded()
    assert saved["Jane Jones"] == ("substitute", "Temporary ACC (T/ACC)", dcc["person_id"], [])
    assert saved["Sam Smith"] == ("in_attendance", "Head of Roads Policing", None,
                                  [numbers["2"], numbers["3"]])
    assert saved["Amanda Blakeman"][0] == "apologies"

    # opened again, the panel shows what is recorded; changing someone else keeps it all
    page.keyboard.press("r")
    expect(page.locator(f"#attend-items-{smith['id']}")).to_have_value("2 and 3")
    expect(page.locator(f"#attend-for-{jones['id']}")).to_have_value(str(dcc["person_id"]))
    expect(panel.locator("#attendance-rows th")).to_have_text(
        ["John Campion", "Tracey Onslow", "Anthony Bangham", "Amanda Blakeman", "Jane Jones",
         "Sam Smith"])
    page.locator("#attendance-rows select[id^='attend-']").first.select_option("absent")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Attendance saved")
    after = recorded()
    assert after["John Campion"][0] == "absent"
    assert {k: v for k, v in after.items() if k != "John Campion"} == \
        {k: v for k, v in saved.items() if k != "John Campion"}

    # and the minutes say so
    page.goto(f"{server.url}/meetings/{meeting['id']}")
    expect(page.get_by_role("cell", name="Jane Jones (substitute for Amanda Blakeman, DCC)")
           ).to_be_visible()
    expect(page.get_by_role("cell", name="Sam Smith (for items 2 and 3)")).to_be_visible()
