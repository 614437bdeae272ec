"""A member of the public browses the decisions and the public action log: after the office
publishes a meeting's minutes, someone not signed in opens /public, reads the decisions and a
decision's page, filters the action log (the filters kept in the address) and downloads the
spreadsheet of what they chose. Each page passes axe and fits a 320 px screen, filled."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo
from tests.e2e.test_accessibility import serious


@pytest.fixture
def server(tmp_path):
    served = start_demo(tmp_path)
    yield served
    served.stop()


def test_a_member_of_the_public_browses_the_decisions_and_the_action_log(server, browser):
    office = browser.new_context()
    page = office.new_page()
    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings/3")  # the demo's approved meeting
    page.get_by_role("link", name="Publish the minutes").click()
    page.get_by_role("button", name="Publish the public edition").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    office.close()

    public = browser.new_context(accept_downloads=True, java_script_enabled=False)
    page = public.new_page()
    page.goto(f"{server.url}/public")
    page.get_by_role("link", name="Decisions", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions")
    expect(page.locator("main")).to_contain_text("D/2019/001")
    page.get_by_role("link", name="D/2019/001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Custody suite refurbishment: business case")
    expect(page.locator("main")).to_contain_text("Police and Crime Commissioner")

    page.get_by_role("link", name="Action log").first.click()
    expect(page.locator("main")).to_contain_text("4 actions")
    page.get_by_label("Words").fill("survey")
    page.get_by_role("button", name="Show actions").click()
    assert "q=survey" in page.url
    expect(page.locator("main")).to_contain_text("1 action found")
    expect(page.locator("main")).to_contain_text("Assistant Chief Constable")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these actions as a spreadsheet (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()),
                          read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[3][:4] == ["Reference", "Raised", "Meeting", "Action"]
    assert len(rows) == 5 and "survey" in rows[4][3]

    page.goto(f"{server.url}/public/actions?rag=purple")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "RAG rating must be red, amber or green")

    public.close()
    # Filled, each page passes axe and fits 320 px (scripts on, as most readers have them).
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ("/public", "/public/decisions", "/public/decisions/1", "/public/actions",
                 "/public/actions?q=survey", "/public/actions?rag=purple"):
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert serious(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()
