"""An owner updates their action from an emailed link and asks for closure; the chair closes
it from the action log; the next meeting no longer carries it."""

import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, sign_in, start_demo
from tests.e2e.test_accessibility import serious


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("signoff"))
    yield live
    live.stop()


def test_owner_link_update_closure_request_and_chair_sign_off(browser, server):
    api = server.api(server.token)
    series = {t["name"]: t["id"] for t in api.get("/api/v1/meeting-types").json()}
    june = api.post("/api/v1/meetings", json={
        "meeting_type_id": series["Monthly Assurance Meeting"],
        "starts_at": "2019-06-25T10:00"}).json()
    anpr = [a for a in api.get("/api/v1/actions").json()["results"]
            if a["reference"] == "A/2019/001"][0]
    people = {p["role_abbreviation"]: p["id"] for p in api.get("/api/v1/people").json()["results"]}
    subprocess.run([str(BIN / "assure"), "users", "create", "chair@opcc.example", "--role",
                    "chair", "--person-id", str(people["PCC"])], input="chair passphrase here\n",
                   text=True, env=server.env, cwd=server.folder, check=True, capture_output=True)

    # The secretariat makes the DCC's link (the reminders email it the same way).
    office = browser.new_context(locale="en-GB")
    officer = office.new_page()
    sign_in(officer, server, server.email, server.password)
    officer.goto(f"{server.url}/actions/{anpr['id']}")
    officer.get_by_role("button", name="Make a link for Amanda Blakeman").click()
    link = officer.get_by_label("The owner's link").input_value()
    assert "/owner/" in link
    page = officer.goto(f"{server.url}/meetings/{june['id']}")
    assert "The DCC to review the success criteria in the ANPR business case" in page.text()

    # The DCC, with no account, opens the link, posts an update and asks for closure.
    owner_context = browser.new_context(locale="en-GB")
    owner = owner_context.new_page()
    owner.goto(link)
    expect(owner.get_by_role("heading", name="Your actions")).to_be_visible()
    assert serious(owner) == []
    owner.get_by_label("Your update on A/2019/001").fill(
        "The success criteria have been reviewed: four of five met; report attached to the "
        "June paper.")
    owner.get_by_label("Status").select_option(label="Done: ask the Commissioner's office to "
                                                     "close it")
    owner.get_by_role("button", name="Send the update on A/2019/001").click()
    expect(owner.get_by_text("Your update was saved.")).to_be_visible()
    expect(owner.get_by_text("Awaiting sign-off", exact=True)).to_be_visible()

    # The chair sees the request on the action log and closes the action.
    chair_context = browser.new_context(locale="en-GB")
    chair = chair_context.new_page()
    sign_in(chair, server, "chair@opcc.example", "chair passphrase here")
    chair.goto(f"{server.url}/actions?status=pending_signoff")
    row = chair.locator("tr", has_text="A/2019/001")
    expect(row).to_contain_text("Awaiting sign-off")
    expect(row).to_contain_text("four of five met")
    row.get_by_role("link", name="A/2019/001").click()
    expect(chair.get_by_text("The owner has asked for this action to be closed.")).to_be_visible()
    assert serious(chair) == []
    chair.get_by_label("Close the action").fill("Criteria reviewed; satisfied.")
    chair.get_by_role("button", name="Close the action").click()
    expect(chair.locator(".govuk-summary-list")).to_contain_text("Closed")

    # June's outstanding matters no longer list it.
    june_page = officer.goto(f"{server.url}/meetings/{june['id']}").text()
    assert "The DCC to review the success criteria in the ANPR business case" not in june_page
    assert api.get(f"/api/v1/actions/{anpr['id']}").json()["status"] == "closed"
    for context in (office, owner_context, chair_context):
        context.close()
