"""A one-off meeting made in the browser goes from planned to in progress (taking minutes) to
draft minutes ready to submit, with no API call and no command line."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo
from tests.e2e.test_accessibility import serious


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("meeting-life"))
    yield live
    live.stop()


def test_add_start_and_close_a_one_off_meeting(page, server):
    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings")
    page.get_by_role("link", name="Add a meeting").click()
    expect(page.get_by_role("heading", name="Add a meeting")).to_be_visible()
    assert serious(page) == []

    page.get_by_label("Name of a one-off meeting").fill("Extraordinary Assurance Meeting")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time (optional)").fill("15:30")
    page.get_by_label("Venue (optional)").fill("Hindlip Hall")
    page.get_by_role("button", name="Add the meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date of the meeting must be a real date")
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert serious(page) == []

    page.get_by_label("Day").fill("26")
    page.get_by_label("Chair").select_option(index=1)
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_text("The meeting has been added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Stage: Planned")).to_be_visible()
    meeting_url = page.url.split("?")[0]
    assert serious(page) == []

    page.get_by_role("button", name="Start the meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/take-minutes$"))

    page.goto(meeting_url)
    expect(page.get_by_role("heading", name="Stage: In progress")).to_be_visible()
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_role("heading", name="Stage: Draft minutes")).to_be_visible()
    expect(page.get_by_role("button", name="Submit the minutes")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Draft")
