"""Two-step verification in Chromium: enrolment, the code, recovery codes, and the cookie
Chromium keeps on http://127.0.0.1 (`__Host-`, Secure, HttpOnly, SameSite=Lax)."""

import subprocess

import pyotp

from tests.e2e.conftest import BIN
from tests.e2e.test_accessibility import serious

EMAIL = "policy.officer@opcc.example"
PASSWORD = "marmalade lantern orchestra"


def test_a_new_secretariat_user_enrols_and_signs_in_with_a_code(demo_server, browser):
    server, _, _ = demo_server
    subprocess.run([str(BIN / "assure"), "users", "create", EMAIL, "--role", "secretariat",
                    "--name", "Pat Officer"], input=PASSWORD + "\n", text=True, env=server.env,
                   cwd=server.folder, check=True, capture_output=True)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/account/two-factor")

    # The session cookie Chromium kept over plain http on 127.0.0.1.
    (cookie,) = [c for c in context.cookies() if "assure_session" in c["name"]]
    assert cookie["name"] == "__Host-assure_session"
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/" and cookie["domain"] == "127.0.0.1"
    before = cookie["value"]

    assert page.get_by_role("img", name="QR code to scan with your authenticator app"
                            ).is_visible()
    assert serious(page) == []
    page.goto(f"{server.url}/meetings")  # nothing else opens before enrolment
    assert page.url == f"{server.url}/account/two-factor"
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Turn on two-step verification").click()
    assert page.get_by_text("There is a problem").is_visible()
    assert serious(page) == []

    secret = page.locator("#totp-secret").get_attribute("data-secret")
    totp = pyotp.TOTP(secret)
    enrol_code = totp.now()
    page.get_by_label("Code from your app").fill(enrol_code)
    page.get_by_role("button", name="Turn on two-step verification").click()
    assert page.get_by_role("heading", name="Two-step verification is on").is_visible()
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    assert serious(page) == []
    (cookie,) = [c for c in context.cookies() if "assure_session" in c["name"]]
    assert cookie["value"] != before  # a new session id once the second factor is in place
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{server.url}/")  # the home page: what waits for them
    page.get_by_role("button", name="Sign out").click()

    # Next time: the password, then a code; the one used to enrol is refused, a recovery code
    # works.
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/sign-in/code**")
    assert serious(page) == []
    page.get_by_label("Enter your code").fill(enrol_code)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("used already").first.is_visible()
    page.get_by_label("Enter your code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/account")
    assert page.get_by_text("9 recovery codes left").is_visible()
    context.close()
