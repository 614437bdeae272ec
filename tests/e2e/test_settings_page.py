"""An administrator sets the office's settings in the browser, with no command line: a mistake
is shown in the error summary and on its field, the change is saved, and the office's name is
at the foot of every page.

Set ASSURE_SCREENSHOTS to a folder to keep screenshots of the page at 1280 and 320 px."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
NAME = "Office of the Police and Crime Commissioner for Anyshire"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_demo(tmp_path_factory.mktemp("settings"))
    yield served
    served.stop()


def test_an_administrator_sets_the_office_name_in_the_browser(server, page):
    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/account")
    page.get_by_role("link", name="Change the office's settings").click()
    expect(page.get_by_role("heading", name="Office settings")).to_be_visible()
    shot(page, "settings")

    page.get_by_label("Office name").fill("")
    page.get_by_label("Days after the meeting to publish its minutes").fill("soon")
    page.get_by_role("button", name="Save the settings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Days after the meeting to publish its minutes must be a "
                                    "whole number")
    expect(summary).to_contain_text("Office name must not be empty")
    expect(page).to_have_title("Error: Office settings – Assure")
    shot(page, "settings-errors")
    summary.get_by_role("link", name="Days after the meeting to publish its minutes").click()
    expect(page.get_by_label("Days after the meeting to publish its minutes")).to_be_focused()

    page.get_by_label("Days after the meeting to publish its minutes").fill("28")
    page.get_by_label("Office name").fill(NAME)
    page.get_by_label("Day of the weekly overdue actions email").select_option("Friday")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The office's settings have been saved.")
    expect(page.get_by_label("Office name")).to_have_value(NAME)
    expect(page.get_by_label("Day of the weekly overdue actions email")).to_have_value("4")
    shot(page, "settings-saved")
    page.goto(f"{server.url}/meetings")
    expect(page.locator("footer")).to_contain_text(NAME)
    assert f"Office: {NAME}" in server.assure("settings")
