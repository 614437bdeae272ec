"""A first-time user signs in to the demo and downloads its minutes, in a real browser."""

import io

import docx

from tests.e2e.conftest import second_step


def test_sign_in_and_download_the_demo_minutes(demo_server, page, tmp_path):
    server, email, password = demo_server
    page.goto(f"{server.url}/")
    assert "/sign-in" in page.url  # sent to sign in first
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("There is a problem").is_visible()
    assert page.get_by_label("Email address").input_value() == email
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # An administrator sets up two-step verification on the first sign-in, then gives a code.
    second_step(page, server, email)
    page.wait_for_url(f"{server.url}/")  # the home page: what waits for them
    assert page.get_by_role("heading", name="What needs you").is_visible()
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    page.wait_for_url(f"{server.url}/meetings")

    page.get_by_role("link", name="Monthly Assurance Meeting April 2019").click()
    assert page.get_by_role("heading", name="Monthly Assurance Meeting April 2019").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download minutes (Word)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    document = docx.Document(io.BytesIO(target.read_bytes()))
    assert document.paragraphs[0].text == "Monthly Assurance Meeting April 2019 – Meeting Notes"

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{server.url}/meetings")
    assert "/sign-in" in page.url
