"""A member of the public, not signed in and with JavaScript off, reads the agenda of the next
meeting from /public, downloads its public paper (and cannot see the private one), opens the
accessibility statement from the footer, and subscribes to the feeds.

Set ASSURE_SCREENSHOTS to a folder to keep screenshots of the pages at 1280 and 320 px."""

import os
import re
from pathlib import Path
from xml.etree import ElementTree

from icalendar import Calendar
from playwright.sync_api import expect

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
ATOM = "{http://www.w3.org/2005/Atom}"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_member_of_the_public_reads_the_next_agenda_and_the_accessibility_statement(
        demo_server, browser, public_meeting):
    server, _, _ = demo_server
    context = browser.new_context(java_script_enabled=False, accept_downloads=True,
                                  locale="en-GB", timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/public")
        shot(page, "public")
        forthcoming = page.locator("#forthcoming + ul")
        next_link = forthcoming.get_by_role("link").first
        expect(next_link).to_have_attribute("href", f"/public/meetings/{public_meeting}")
        next_link.click()

        expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"\d{4}$"))
        main = page.locator("main")
        expect(main).to_contain_text("Hindlip Hall, Worcester")
        expect(main).to_contain_text("10:00 to 12:00 (UK time)")
        expect(page.get_by_role("heading", name="How to attend")).to_be_visible()
        expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
        # after the series' standing items, numbered as the agenda numbers them
        expect(page.get_by_role("heading", name=re.compile(r"^\d+ Roads policing$"))
               ).to_be_visible()
        expect(main).to_contain_text("fatal and serious collisions")
        expect(page.get_by_role("heading", name=re.compile(r"^\d+ Covert tactics$"))
               ).to_be_visible()
        expect(main).to_contain_text("section 31 of the Freedom of Information Act 2000")
        expect(main).not_to_contain_text("Covert tactics briefing")
        shot(page, "public-meeting")
        with page.expect_download() as download:
            page.get_by_role("link", name="Roads policing report.pdf").click()
        assert download.value.suggested_filename == "Roads policing report.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

        page.locator("footer").get_by_role("link", name="Accessibility statement").click()
        expect(page).to_have_url(f"{server.url}/accessibility")
        expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
        expect(page.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Equality Advisory and Support Service")
        shot(page, "accessibility")

        # Subscribing: the calendar app and the feed reader read the links /public gives.
        page.goto(f"{server.url}/public")
        calendar_link = page.locator('link[rel="alternate"][type="text/calendar"]')
        atom_link = page.locator('link[rel="alternate"][type="application/atom+xml"]')
        ics = page.request.get(f"{server.url}{calendar_link.get_attribute('href')}")
        events = Calendar.from_ical(ics.body()).walk("VEVENT")
        assert f"{server.url}/public/meetings/{public_meeting}" in [
            str(e["url"]) for e in events]
        assert "Covert tactics briefing" not in ics.text()
        feed = ElementTree.fromstring(
            page.request.get(f"{server.url}{atom_link.get_attribute('href')}").body())
        assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}title").text
    finally:
        context.close()
