"""Users from the browser alone: the administrator invites a member of the secretariat, who
opens the emailed link in a browser of their own, chooses a password, sets up two-step
verification and signs in; the administrator deactivates them, and their open page's next
request goes to the sign-in page."""

import re
from email import message_from_bytes, policy
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo
from tests.e2e.test_accessibility import serious

NEW_PASSWORD = "harbour lantern meadow"
EMAIL = "sam.clerk@opcc.example"


def invitation_path(outbox: Path) -> str:
    """The link's path in the one invitation email in the outbox."""
    [mail] = [message_from_bytes(path.read_bytes(), policy=policy.default)
              for path in sorted(outbox.glob("*.eml"))
              if b"X-Assure-Invitation" in path.read_bytes()]
    assert mail["To"] == EMAIL
    return re.search(r"https?://\S+?(/invitation/\S+)", mail.get_content())[1]


def test_an_invited_user_signs_in_and_is_shut_out_when_deactivated(browser, page, tmp_path):
    outbox = tmp_path / "outbox"
    server = start_demo(tmp_path, env={"ASSURE_OUTBOX_DIR": str(outbox)})
    invited = browser.new_context()
    try:
        sign_in(page, server, server.email, server.password)
        page.get_by_role("link", name="Users").first.click()
        page.get_by_role("link", name="Invite a user").click()
        page.get_by_role("button", name="Send the invitation").click()  # nothing filled in
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the user's email")
        assert serious(page) == []
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Full name (optional)").fill("Sam Clerk")
        page.get_by_role("radio", name="Secretariat").check()
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sam Clerk")
        expect(page.get_by_text("The invitation has been sent.")).to_be_visible()
        user_page = page.url.split("?")[0]

        # The new user, in a browser of their own, opens the link from the email.
        theirs = invited.new_page()
        theirs.goto(f"{server.url}{invitation_path(outbox)}")
        expect(theirs.get_by_role("heading", name="Choose your password")).to_be_visible()
        assert serious(theirs) == []
        theirs.get_by_label("New password").fill(NEW_PASSWORD)
        theirs.get_by_label("Type the password again").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Set my password").click()
        expect(theirs.get_by_text("Your password has been set")).to_be_visible()
        sign_in(theirs, server, EMAIL, NEW_PASSWORD)  # two-step set up on the way in
        expect(theirs.get_by_role("heading", name="What needs you", level=1)).to_be_visible()

        # The link works only once.
        used = invited.new_page()
        used.goto(f"{server.url}{invitation_path(outbox)}")
        expect(used.get_by_text("used already")).to_be_visible()
        used.close()

        # The administrator sees them signed in with two-step on, and deactivates them.
        page.goto(f"{server.url}/admin/users")
        row = page.get_by_role("row").filter(has_text=EMAIL)
        expect(row).to_contain_text("Secretariat")
        expect(row).to_contain_text("On")
        page.goto(user_page)
        page.get_by_role("button", name=f"Deactivate {EMAIL}").click()
        expect(page.get_by_text("The account has been deactivated.")).to_be_visible()

        # Their open page's next request is sent to sign in.
        theirs.get_by_role("link", name="Actions").first.click()
        expect(theirs).to_have_url(re.compile(r"/sign-in"))
        theirs.get_by_label("Email address").fill(EMAIL)
        theirs.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Sign in").click()
        expect(theirs.locator(".govuk-error-summary")).to_be_visible()
        expect(theirs).to_have_url(re.compile(r"/sign-in"))
    finally:
        invited.close()
        server.stop()
