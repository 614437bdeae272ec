"""An office runs its year from the browser alone.

From an empty database with only the first administrator (made on the command line, as an
office does on its first day), and with no API call and no other command: the administrator
sets the office's settings, imports people from a CSV file and invites a chair, a member of the
secretariat and a force user, who each open their emailed link, choose a password and sign in;
the secretariat adds a series and checks its dates, builds the first meeting's agenda, writes a
question and sends the question pack; the force user uploads the paper for the item they
present; the secretariat starts the meeting, minutes it, closes it and submits the minutes; the
chair approves them; the secretariat publishes them, and anyone finds them on /public.

Set ASSURE_SCREENSHOTS to a folder to keep a screenshot of each step at 1280 and 320 px."""

import os
import re
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, LiveServer, sign_in
from tests.e2e.test_accessibility import serious

SHOTS = os.environ.get("ASSURE_SCREENSHOTS")
ADMIN, ADMIN_PASSWORD = "first.admin@opcc.example", "quarry lantern velvet"
OFFICE = "Office of the Police and Crime Commissioner for Anyshire"
PEOPLE = ("Name,Rank or role,Abbreviation,Side,Email\r\n"
          "Jo Marsh,Police and Crime Commissioner,PCC,OPCC,jo.marsh@opcc.example\r\n"
          "Sam Clerk,Governance Officer,GO,OPCC,sam.clerk@opcc.example\r\n"
          "Dana Reeve,Chief Constable,CC,Force,dana.reeve@anyshire.police.example\r\n")
# email → (name, role on the invitation form, the password they choose)
STAFF = {"jo.marsh@opcc.example": ("Jo Marsh", "Chair", "heather copper window"),
         "sam.clerk@opcc.example": ("Sam Clerk", "Secretariat", "harbour lantern meadow"),
         "dana.reeve@anyshire.police.example": ("Dana Reeve", "Force", "granite orchard tide")}
CHAIR, CLERK, FORCE = STAFF
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"year-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office-year")
    live = LiveServer(folder, env={"ASSURE_OUTBOX_DIR": str(folder / "outbox")})
    live.outbox = folder / "outbox"
    live.forked = True  # forked from a warm process, as start_demo's servers are
    live.assure("db", "upgrade")
    subprocess.run([str(BIN / "assure"), "users", "create", ADMIN, "--role", "admin",
                    "--name", "Alex Admin"], input=ADMIN_PASSWORD + "\n", text=True,
                   env=live.env, cwd=folder, check=True, capture_output=True)
    live.start()
    yield live
    live.stop()


def choose(select, words: str) -> None:
    """Choose the option of a select whose text holds `words`."""
    select.select_option(select.locator("option", has_text=words).first.get_attribute("value"))


def mails_to(server, email: str) -> list:
    """The messages sent to `email`, oldest first."""
    found = [message_from_bytes(path.read_bytes(), policy=policy.default)
             for path in sorted(server.outbox.glob("*.eml"))]
    return [mail for mail in found if mail["To"] == email]


def invitation_link(server, email: str) -> str:
    """The link in the invitation emailed to `email`."""
    for mail in mails_to(server, email):
        if mail["X-Assure-Invitation"]:
            return re.search(r"https?://\S+?(/invitation/\S+)", mail.get_content())[1]
    raise AssertionError(f"no invitation was sent to {email}")


def test_an_office_runs_its_year_from_the_browser(browser, server, tmp_path):
    contexts = {}

    def as_(email: str):
        if email not in contexts:
            contexts[email] = browser.new_context(locale="en-GB",
                                                  viewport={"width": 1280, "height": 900})
        return contexts[email].pages[0] if contexts[email].pages else contexts[email].new_page()

    try:
        _the_office_is_set_up(as_(ADMIN), server, tmp_path)
        for email, (_, _, password) in STAFF.items():
            _accept_the_invitation(as_(email), server, email, password)
        meeting = _the_secretariat_plans_the_first_meeting(as_(CLERK), server)
        _the_force_sends_its_paper(as_(FORCE), server, meeting, tmp_path)
        _the_pack_goes_and_the_meeting_is_held(as_(CLERK), server, meeting)
        _the_chair_approves(as_(CHAIR), server, meeting)
        _the_secretariat_publishes(as_(CLERK), server, meeting)
        public = browser.new_context(locale="en-GB").new_page()
        public.goto(f"{server.url}/public")
        expect(public.get_by_text("Performance and Accountability Board").first).to_be_visible()
        assert serious(public) == []
    except Exception:
        for email, context in contexts.items():  # what each person saw when it went wrong
            for page in context.pages:
                try:
                    seen = page.locator("main").inner_text(timeout=3000)[:1200]
                except Exception as error:  # noqa: BLE001 - a report, whatever the page is
                    seen = f"(unreadable: {error})"
                print(f"{email} was at {page.url}:\n{seen}")
        raise
    finally:
        for context in contexts.values():
            context.close()


def _the_office_is_set_up(page, server, tmp_path) -> None:
    sign_in(page, server, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{server.url}/account")
    page.get_by_role("link", name="Change the office's settings").click()
    page.get_by_label("Office name").fill(OFFICE)
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    shot(page, "settings")

    csv_file = tmp_path / "people.csv"
    csv_file.write_text(PEOPLE, encoding="utf-8")
    page.get_by_role("link", name="People", exact=True).first.click()
    page.get_by_role("link", name="Import people from a CSV file").click()
    page.get_by_label("The CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the people to import")).to_be_visible()
    page.get_by_role("button", name="Import 3 people").click()
    expect(page.get_by_text("3 people imported.")).to_be_visible()

    for email, (name, role, _) in STAFF.items():
        page.goto(f"{server.url}/admin/users/invite")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Full name (optional)").fill(name)
        page.get_by_role("radio", name=role, exact=True).check()
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_text("The invitation has been sent.")).to_be_visible()


def _accept_the_invitation(page, server, email: str, password: str) -> None:
    page.goto(f"{server.url}{invitation_link(server, email)}")
    page.get_by_label("New password").fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password has been set")).to_be_visible()
    sign_in(page, server, email, password)


def _the_secretariat_plans_the_first_meeting(page, server) -> str:
    page.goto(f"{server.url}/series")
    page.get_by_role("link", name="Add a series").click()
    page.get_by_label("Name of the series").fill("Performance and Accountability Board")
    choose(page.get_by_label("Usually chaired by"), "Jo Marsh")
    choose(page.get_by_label("Minutes usually taken by"), "Sam Clerk")
    page.get_by_label("Monthly, or every few months").check()
    page.get_by_label("A date of the month, like the 15th").check()
    page.get_by_label("Day of the month", exact=True).fill("25")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_role("button", name="Preview dates").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Bank holiday: Christmas Day")
    shot(page, "series-preview")
    page.get_by_role("button", name="Save and make meetings").click()
    expect(page.get_by_text(re.compile(r"12 meetings made"))).to_be_visible()

    page.goto(f"{server.url}/meetings")
    page.locator("a", has_text="Performance and Accountability Board").first.click()
    meeting = re.search(r"/meetings/\d+", page.url)[0]
    expect(page.locator("main")).to_contain_text("Jo Marsh")
    page.get_by_role("button", name=re.compile("^Send calendar invitations")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Calendar invitations have been sent")
    [invitation] = [mail for mail in mails_to(server, CHAIR)
                    if mail.get_body(("calendar",)) is not None]
    calendar = invitation.get_body(("calendar",))
    assert calendar.get_param("method") == "REQUEST"
    assert "Performance and Accountability Board" in calendar.get_content()

    page.goto(f"{server.url}{meeting}/agenda")
    page.locator("#new-item-title").fill("Roads policing")
    page.get_by_role("button", name="Add item").click()
    item = page.locator("li[data-item-id]").filter(has_text="ROADS POLICING").first
    expect(item).to_be_visible()
    item.get_by_text(re.compile(r"^Change item")).click()
    choose(item.get_by_label("Presenter"), "Dana Reeve")
    item.get_by_role("button", name=re.compile(r"^Save item")).click()
    expect(page.locator("li[data-item-id]").filter(has_text="ROADS POLICING").first
           ).to_contain_text("Presenter: CC")
    shot(page, "agenda")

    # A question for the item, made ready for the pack.
    page.goto(f"{server.url}/questions/new")
    page.get_by_label("Question", exact=True).fill(
        "How many people were killed or seriously injured on the county's roads this year?")
    choose(page.get_by_label("Meeting"), "Performance and Accountability Board")
    page.get_by_role("button", name=re.compile(r"^Save")).first.click()
    page.get_by_role("button", name=re.compile(r"ready", re.I)).first.click()
    expect(page.locator("main")).to_contain_text("ready")
    return meeting


def _the_force_sends_its_paper(page, server, meeting: str, tmp_path) -> None:
    paper = tmp_path / "roads-policing.pdf"
    paper.write_bytes(PDF)
    page.goto(f"{server.url}{meeting}/agenda")
    page.get_by_label(re.compile("Upload your paper for item")).set_input_files(str(paper))
    page.get_by_role("button", name="Upload paper").click()
    expect(page.get_by_role("link", name="roads-policing.pdf")).to_be_visible()


def _the_pack_goes_and_the_meeting_is_held(page, server, meeting: str) -> None:
    page.goto(f"{server.url}{meeting}/agenda")
    item_id = page.locator("li[data-item-id]").first.get_attribute("data-item-id")
    page.goto(f"{server.url}{meeting}/prepare")
    expect(page.locator("main")).to_contain_text("roads-policing.pdf")
    page.get_by_role("button", name="Send the question pack to the force").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    shot(page, "prepare")

    page.goto(f"{server.url}{meeting}")
    page.get_by_role("button", name="Start the meeting").click()
    expect(page).to_have_url(re.compile(r"/take-minutes"))
    page.goto(f"{server.url}{meeting}")  # then to the item, as a link to it would
    page.goto(f"{server.url}{meeting}/take-minutes#item-{item_id}")
    saved = re.compile(r"^Saved \d\d:\d\d:\d\d$")
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved"))
    page.keyboard.press("r")  # who came, found by typing their names
    for name in ("Jo Marsh", "Dana Reeve"):
        page.locator("#attend-search").fill(name)
        page.locator("#attend-search").press("Enter")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#attendance-panel")).to_be_hidden()
    page.keyboard.press("n")
    page.keyboard.type("The Chief Constable presented the paper on roads policing.", delay=5)
    expect(page.locator("#save-status")).to_have_text(saved, timeout=15_000)
    shot(page, "take-minutes")
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.locator("#next-step")).to_contain_text("Draft minutes")
    page.get_by_role("button", name="Submit the minutes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    asked = [mail["Subject"] for mail in mails_to(server, CHAIR)
             if "Minutes to approve" in mail["Subject"]]
    assert len(asked) == 1, asked  # the chair is told once


def _the_chair_approves(page, server, meeting: str) -> None:
    page.goto(f"{server.url}/")
    waiting = page.locator("main")
    expect(waiting).to_contain_text("Performance and Accountability Board")
    shot(page, "chair-home")
    page.goto(f"{server.url}{meeting}/record")
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()


def _the_secretariat_publishes(page, server, meeting: str) -> None:
    page.goto(f"{server.url}{meeting}")
    page.get_by_role("link", name="Publish the minutes").click()
    page.get_by_role("button", name="Publish the public edition").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
