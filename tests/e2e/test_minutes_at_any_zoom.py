"""The take-minutes page at any zoom and to a screen reader (issue 14).

A 1280 px screen at 400 % zoom is a 320 × 256 px page: there, nothing may cover the paragraph
being typed or any focus stop; errors are tied to their fields and announced; the live view
announces new paragraphs without re-reading the page.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set. Set ASSURE_SCREENSHOTS to a folder
to keep the screenshots there too.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import BACKENDS
from tests.e2e.conftest import demo_on, serious, sign_in, signed_in_page

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
SAVED = re.compile(r"^Saved \d\d:\d\d:\d\d$")
PARAGRAPHS = [
    "The PCC asked the CC whether the force has the officers it needs for roads policing.",
    "The CC responded that campaigns are national, but delivered regionally.",
    "The DCC added that a business case for ANPR is being written.",
]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    yield from demo_on(request.param, tmp_path_factory, "zoom")


@pytest.fixture
def meeting(api):
    """A meeting in progress with the reference agenda; its item "1. Partnership Working" has
    two prepared questions and three paragraphs."""
    people = {p["role_abbreviation"] or p["initials"]: p["id"]
              for p in api.get("/api/v1/people").json()["results"]}
    series = api.post("/api/v1/meeting-types", json={"name": "Monthly Assurance Meeting",
                                                     "default_venue": "Room 1.38"}).json()
    meeting_id = api.post("/api/v1/meetings", json={
        "meeting_type_id": series["id"], "starts_at": "2019-06-25T10:00",
        "status": "in_progress"}).json()["id"]

    def item(title, kind="theme", parent=None):
        body = {"title": title, "kind": kind} | ({"parent_id": parent} if parent else {})
        return api.post(f"/api/v1/meetings/{meeting_id}/items", json=body).json()["id"]

    item("Outstanding matters / items brought forward", "outstanding_matters")
    holding = item("Holding to account", "holding_to_account")
    roads = item("Roads Policing", parent=holding)
    partnership = item("Partnership Working", parent=roads)
    item("Performance", parent=roads)
    item("AOB", "aob")
    for text in ("Is the CC satisfied that regional collaboration is effective?",
                 "When will the force be connected to the National ANPR System?"):
        api.post("/api/v1/questions", json={
            "text": text, "asked_by_id": people["PCC"], "addressed_to_id": people["CC"],
            "meeting_id": meeting_id, "item_id": partnership, "status": "sent"})
    for text in PARAGRAPHS:
        api.post(f"/api/v1/items/{partnership}/entries", json={"text": text})
    return {"id": meeting_id, "partnership": partnership}


def minute_taker(browser, server, meeting, width: int, height: int):
    """A signed-in page of the given size on the item with the paragraphs, and the page's
    script errors (a list that must stay empty)."""
    page, errors = signed_in_page(browser, server, width, height)
    page.goto(f"{server.url}/meetings/{meeting['id']}/take-minutes#item-{meeting['partnership']}")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(page.locator(".assure-entry__text")).to_have_count(len(PARAGRAPHS))
    return page, errors


# What covers the focused element at the centre of its part on the screen: None when it is
# itself on top there, else why not.
COVERED = """() => {
  const describe = (node) => {
    if (!node) return "nothing";
    const text = (node.textContent || node.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const kind = typeof node.className === "string" && node.className
      ? "." + node.className.split(" ")[0] : "";
    return node.tagName.toLowerCase() + (node.id ? "#" + node.id : "") + kind +
      (text ? " “" + text + "”" : "");
  };
  const el = document.activeElement;
  if (!el || el === document.body) return {what: "body", covered: null};
  const what = describe(el);
  const box = el.getClientRects()[0];
  if (!box) return {what, covered: "no box"};
  const width = document.documentElement.clientWidth;
  const height = document.documentElement.clientHeight;
  const left = Math.max(box.left, 0), right = Math.min(box.right, width);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, height);
  if (right - left < 1 || bottom - top < 1) return {what, covered: "off the screen"};
  const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  if (hit && (hit === el || el.contains(hit))) return {what, covered: null};
  return {what, covered: "under " + describe(hit)};
}"""


def visit_every_focus_stop(page, key: str = "Tab") -> list[dict]:
    """Tab (or Shift+Tab) from the focused element round the whole page once; what each stop
    showed."""
    page.evaluate("() => { window.__stops = new Set(); }")
    seen = []
    for _ in range(300):
        page.keyboard.press(key)
        again = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            if (window.__stops.has(el)) return true;
            window.__stops.add(el);
            return false;
        }""")
        if again:
            return seen
        if page.evaluate("() => document.activeElement !== document.body"):
            seen.append(page.evaluate(COVERED))
    raise AssertionError("Tab never came back round")


def keep_screenshot(page, path: Path, name: str) -> None:
    page.screenshot(path=str(path))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / name)


# --- readable at 400 % zoom --------------------------------------------------------------------

def test_at_320_by_256_the_paragraph_being_typed_is_on_top(browser, server, meeting, tmp_path):
    page, errors = minute_taker(browser, server, meeting, 320, 256)
    page.keyboard.press("n")
    typed = "The CC replied that a pilot starts in May"
    page.keyboard.type(typed, delay=5)
    box = page.locator(".assure-entry__text").nth(len(PARAGRAPHS))
    expect(box).to_be_focused()
    expect(box).to_have_value(typed)
    # The whole of the box is on the screen and nothing lies over it.
    where = page.evaluate("""() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                width: document.documentElement.clientWidth,
                height: document.documentElement.clientHeight,
                onTop: document.elementFromPoint(x, y) === el,
                bottomOnTop: document.elementFromPoint(x, r.bottom - 8) === el};
    }""")
    assert where["onTop"] and where["bottomOnTop"], where
    assert 0 <= where["top"] and where["bottom"] <= where["height"], where
    assert 0 <= where["left"] and where["right"] <= where["width"], where
    keep_screenshot(page, tmp_path / "narrow-320x256.png", "narrow-320x256.png")
    page.context.close()
    assert errors == []


@pytest.mark.parametrize("key", ["Tab", "Shift+Tab"])
def test_at_320_by_256_every_focus_stop_is_uncovered(browser, server, meeting, key):
    page, errors = minute_taker(browser, server, meeting, 320, 256)
    page.keyboard.press("n")
    page.keyboard.type("The PCC thanked the CC.", delay=5)
    stops = visit_every_focus_stop(page, key)
    hidden = [f"{s['what']}: {s['covered']}" for s in stops if s["covered"]]
    # The page has its paragraphs' fields, the agenda, the buttons and the footer: if fewer
    # stops than that were found, the walk went wrong rather than the page being right.
    assert len(stops) >= 4 * (len(PARAGRAPHS) + 1), stops
    assert hidden == [], f"{len(hidden)} of {len(stops)} focus stops hidden: {hidden}"
    page.context.close()
    assert errors == []


@pytest.mark.parametrize("key", ["Tab", "Shift+Tab"])
def test_at_1280_wide_every_focus_stop_is_uncovered(browser, server, meeting, key):
    """Here the save bar and the agenda stay in sight: nothing focused goes under them."""
    page, errors = minute_taker(browser, server, meeting, 1280, 720)
    stops = visit_every_focus_stop(page, key)
    hidden = [f"{s['what']}: {s['covered']}" for s in stops if s["covered"]]
    assert len(stops) >= 4 * len(PARAGRAPHS), stops
    assert hidden == [], f"{len(hidden)} of {len(stops)} focus stops hidden: {hidden}"
    # Up the paragraphs by the keyboard: each comes into sight below the bar.
    page.locator(".assure-entry__text").last.focus()
    page.keyboard.press("Escape")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    for _ in PARAGRAPHS:
        page.keyboard.press("ArrowUp")
        assert page.evaluate(COVERED)["covered"] is None, page.evaluate(COVERED)
    page.context.close()
    assert errors == []


def test_at_320_wide_the_agenda_folds_away_above_the_item(browser, server, meeting):
    page, errors = minute_taker(browser, server, meeting, 320, 256)
    agenda = page.get_by_role("navigation", name="Agenda")
    links = agenda.locator(".assure-agenda__link")
    expect(links.first).to_be_hidden()
    agenda.get_by_text("Agenda", exact=True).click()
    expect(links.first).to_be_visible()
    links.filter(has_text="AOB").click()
    expect(page.locator("#item-heading")).to_contain_text("AOB")
    page.context.close()
    assert errors == []


@pytest.mark.parametrize("width, height", [(1280, 900), (320, 256)])
def test_the_page_with_its_errors_showing_passes_axe(browser, server, meeting, width, height):
    page, errors = minute_taker(browser, server, meeting, width, height)
    speaker = page.locator(".assure-entry__speaker").first
    speaker.fill("ZZ")
    speaker.press("Enter")
    expect(page.locator(".assure-entry__who").first).to_contain_text("No one is known")
    page.get_by_role("button", name="Action t").click()
    page.get_by_role("button", name="Raise action (Ctrl+Enter)").click()
    expect(page.locator(".assure-action-form [role=alert]")).to_contain_text("Write the action")
    expect(page.locator(".assure-questions-box")).to_contain_text("Prepared questions")
    assert serious(page) == []
    page.context.close()
    assert errors == []


# --- errors tied to their fields and announced -------------------------------------------------

def described_by(page, selector: str) -> str:
    """The text of the elements named by the field's aria-describedby."""
    return page.evaluate("""(selector) => {
        const field = document.querySelector(selector);
        return (field.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
          .map((id) => document.getElementById(id)).filter(Boolean)
          .map((node) => node.textContent.trim()).join(" | ");
    }""", selector)


def test_the_action_forms_errors_are_tied_to_their_fields_and_announced(browser, server,
                                                                        meeting):
    page, errors = minute_taker(browser, server, meeting, 1280, 900)
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    expect(page.locator("#action-text")).to_be_focused()
    page.keyboard.press("Control+Enter")  # nothing written: two errors
    summary = page.locator(".assure-action-form .govuk-error-summary")
    alert = summary.locator("[role=alert]")
    expect(alert).to_contain_text("Write the action.")
    expect(alert).to_contain_text("Give at least one owner.")
    expect(summary).to_be_focused()
    assert "Write the action." in described_by(page, "#action-text")
    assert "Give at least one owner." in described_by(page, "#action-owners")
    assert "For example: DCC, NA" in described_by(page, "#action-owners")  # the hint stays
    expect(page.locator("#action-text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#action-text")).to_have_class(re.compile("govuk-textarea--error"))
    expect(page.locator("#action-owners")).to_have_class(re.compile("govuk-input--error"))
    expect(page.locator("#action-due")).not_to_have_attribute("aria-invalid", "true")
    assert page.locator(".assure-action-form .govuk-form-group--error").count() == 2
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name="Write the action.").press("Enter")
    expect(page.locator("#action-text")).to_be_focused()

    # Written, but for someone nobody is known as, with an impossible date.
    page.keyboard.type("The DCC to review the ANPR business case.")
    page.locator("#action-owners").fill("ZZ")
    page.locator("#action-due").fill("31/02/2019")
    page.locator("#action-due").press("Enter")
    expect(alert).to_contain_text("No one is known as “ZZ”.")
    expect(alert).not_to_contain_text("Write the action.")
    assert "No one is known as “ZZ”." in described_by(page, "#action-owners")
    assert "real date" in described_by(page, "#action-due")
    assert "Write the action." not in described_by(page, "#action-text")
    expect(page.locator("#action-text")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#action-owners")).to_have_attribute("aria-invalid", "true")

    page.locator("#action-owners").fill("DCC")
    page.locator("#action-due").fill("28/05/2019")
    page.locator("#action-due").press("Enter")
    expect(page.locator("#minutes-notice")).to_contain_text("raised for DCC")
    expect(page.locator(".assure-action-form")).to_have_count(0)
    page.context.close()
    assert errors == []


def test_speaker_not_recognised_is_tied_to_the_field_and_announced(browser, server, meeting):
    page, errors = minute_taker(browser, server, meeting, 1280, 900)
    page.keyboard.press("p")  # the last paragraph's speaker
    speaker = page.locator(".assure-entry__speaker").last
    expect(speaker).to_be_focused()
    page.keyboard.type("ZZ")
    page.keyboard.press("Enter")
    who = page.locator(".assure-entry__who").last
    expect(who).to_contain_text("No one is known as “ZZ”.")
    expect(speaker).to_be_focused()
    expect(speaker).to_have_attribute("aria-invalid", "true")
    expect(speaker).to_have_class(re.compile("govuk-input--error"))
    assert "No one is known as “ZZ”." in described_by(page, f"#{speaker.get_attribute('id')}")
    live = who.evaluate("""(node) => {
        for (let up = node; up; up = up.parentElement) {
          if (up.getAttribute("role") === "alert") return "assertive";
          const politeness = up.getAttribute("aria-live");
          if (politeness && politeness !== "off") return politeness;
        }
        return null;
    }""")
    assert live in ("polite", "assertive")
    # Put right, the error goes and the field says who it is.
    speaker.fill("PCC")
    speaker.press("Enter")
    expect(speaker).not_to_have_attribute("aria-invalid", "true")
    expect(who).not_to_contain_text("No one is known")
    expect(who).to_contain_text("Police and Crime Commissioner")
    page.context.close()
    assert errors == []


# --- the live view -----------------------------------------------------------------------------

def test_the_live_view_announces_a_new_paragraph_politely(browser, server, api, meeting):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    watcher = context.new_page()
    sign_in(watcher, server, server.email, server.password)
    watcher.goto(f"{server.url}/meetings/{meeting['id']}/live")
    expect(watcher.get_by_text(PARAGRAPHS[0])).to_be_visible()
    region = watcher.locator("[aria-live=polite]#live-announcements")
    expect(region).to_have_count(1)
    region.evaluate("(node) => { node.dataset.first = 'yes'; }")
    assert PARAGRAPHS[0] not in region.inner_text()  # what was there at the start is not read
    # The minutes swapped in every few seconds are not a live region: not re-read as a whole.
    assert watcher.locator("#live-minutes[aria-live], #live-minutes [aria-live=polite]"
                           ).count() == 0
    api.post(f"/api/v1/items/{meeting['partnership']}/entries",
             json={"text": "The CC replied that a pilot starts in May."})
    expect(watcher.get_by_text("The CC replied that a pilot starts in May.")).to_be_visible(
        timeout=10_000)
    # Read out once it has stopped changing for a few seconds (a busy machine may take longer).
    expect(region).to_contain_text("The CC replied that a pilot starts in May.", timeout=15_000)
    expect(region).to_contain_text("Partnership Working")
    expect(region).to_have_attribute("data-first", "yes")  # the same region, not a new one
    assert PARAGRAPHS[1] not in region.inner_text()
    context.close()
