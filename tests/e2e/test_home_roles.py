"""The home page of each role, in a browser: what waits for the chair, the secretariat (the
demo's administrator) and a force officer, with the count beside Home; each passes axe."""

import os
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, sign_in, start_demo
from tests.e2e.test_accessibility import serious

# A folder to save each page in, at 1280 and 320 px wide, to look at them.
SCREENSHOTS = os.environ.get("ASSURE_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("home"))
    api = live.api(live.token)
    people = {p["role_abbreviation"]: p["id"] for p in api.get("/api/v1/people").json()["results"]}
    for email, role, person in (("chair@opcc.example", "chair", people["PCC"]),
                                ("dcc@police.example", "force", people["DCC"]),
                                ("viewer@opcc.example", "viewer", None)):
        subprocess.run([str(BIN / "assure"), "users", "create", email, "--role", role,
                        *(["--person-id", str(person)] if person else [])],
                       input="a long passphrase here\n", text=True, env=live.env,
                       cwd=live.folder, check=True, capture_output=True)
    # Something for the chair: an action whose owner asks for closure.
    anpr = [a for a in api.get("/api/v1/actions").json()["results"]
            if a["reference"] == "A/2019/001"][0]
    api.post(f"/api/v1/actions/{anpr['id']}/updates",
             json={"text": "Done: reviewed.", "status": "pending_signoff"}).raise_for_status()
    yield live
    live.stop()


@pytest.mark.parametrize("who", ["admin", "chair", "force", "viewer"])
def test_each_roles_home_page_is_accessible(browser, server, who):
    email, password = {
        "admin": (server.email, server.password),
        "chair": ("chair@opcc.example", "a long passphrase here"),
        "force": ("dcc@police.example", "a long passphrase here"),
        "viewer": ("viewer@opcc.example", "a long passphrase here"),
    }[who]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/")
    heading = "Home" if who == "viewer" else "What needs you"
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert serious(page) == []
    if who == "chair":
        expect(page.get_by_role("link", name="A/2019/001", exact=False)).to_be_visible()
        expect(page.get_by_role("link", name="Home 1 thing waiting")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/home-{who}-1280.png", full_page=True)
        page.set_viewport_size({"width": 320, "height": 800})
        page.screenshot(path=f"{SCREENSHOTS}/home-{who}-320.png", full_page=True)
        assert serious(page) == []
    context.close()
