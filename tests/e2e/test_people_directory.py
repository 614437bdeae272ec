"""The secretariat imports the force's list of officers from a CSV file through the page
(preview, then confirm), finds one of them by searching the directory, and deactivates them."""

import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BIN, sign_in, start_demo

EMAIL = "people.officer@opcc.example"
PASSWORD = "marmalade lantern orchestra"
# As Excel saves "CSV UTF-8": a byte order mark, Windows line ends, a column it does not know.
OFFICERS = ("\ufeffName,Rank,Abbreviation,Email,Collar number\r\n"
            "Priya Natarajan,Chief Inspector,CI,priya.natarajan@police.example,1234\r\n"
            "Gareth Llewellyn,Superintendent,Supt,gareth.llewellyn@police.example,5678\r\n"
            "Owen Price,Inspector,,owen price at police,9012\r\n").encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_demo(tmp_path_factory.mktemp("people"))
    subprocess.run([str(BIN / "assure"), "users", "create", EMAIL, "--role", "secretariat",
                    "--name", "Pat Officer"], input=PASSWORD + "\n", text=True, env=live.env,
                   cwd=live.folder, check=True, capture_output=True)
    yield live
    live.stop()


def test_the_secretariat_imports_officers_finds_one_and_deactivates_them(browser, server,
                                                                         tmp_path):
    csv_file = tmp_path / "officers.csv"
    csv_file.write_bytes(OFFICERS)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in(page, server, EMAIL, PASSWORD)

    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.get_by_role("link", name="Import people from a CSV file").click()
    page.get_by_label("The CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Check the people to import")).to_be_visible()
    expect(page.locator("#problem-list")).to_contain_text(
        "Row 4: the email is not an email address")
    expect(page.get_by_text("Collar number", exact=False).first).to_be_visible()
    expect(page.get_by_role("cell", name="Priya Natarajan", exact=False)).to_be_visible()
    page.get_by_role("button", name="Import 2 people").click()

    expect(page.get_by_text("2 people imported.")).to_be_visible()
    page.get_by_label("Name, initials or role").fill("supt")
    page.get_by_label("Side").select_option(label="The force")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    results = page.locator("#people tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Gareth Llewellyn")
    results.get_by_role("link", name="Gareth Llewellyn").click()

    expect(page.get_by_role("heading", name="Gareth Llewellyn")).to_be_visible()
    expect(page.get_by_text("Superintendent (Supt)")).to_be_visible()
    page.get_by_role("button", name="Deactivate Gareth Llewellyn").click()
    expect(page.get_by_text("The person is no longer active.")).to_be_visible()
    expect(page.get_by_role("button", name="Make Gareth Llewellyn active again")).to_be_visible()

    # Gone from the active directory; found among those no longer active.
    page.goto(f"{server.url}/people?q=Llewellyn")
    expect(page.get_by_text("No one matches this search.")).to_be_visible()
    page.goto(f"{server.url}/people?q=Llewellyn&active=no")
    expect(page.locator("#people tbody tr")).to_contain_text("No longer active")
    context.close()
