"""Every page passes axe-core with no serious or critical findings."""

import pytest

from tests.e2e.conftest import serious, sign_in

PAGES = ["/meetings", "/meetings/2", "/meetings/2/live", "/actions",
         "/meetings/2/take-minutes", "/meetings/2/take-minutes#item-4", "/meetings/2/agenda",
         "/meetings/2/prepare", "/series", "/series/1", "/questions", "/questions/1",
         "/questions/new", "/questions/themes/Roads policing", "/actions/1", "/my-actions",
         "/admin/audit", "/admin/audit?record=abc&from=31/02/2024",
         "/meetings/2/record", "/meetings/2/redaction", "/meetings/2/public-preview",
         "/meetings/2/changes", "/meetings/2/changes?all=yes", "/entries/1/amend", "/public",
         "/account", "/account/password", "/admin/sessions", "/admin/settings", "/inspections",
         "/inspections/import", "/inspections/1", "/findings", "/imports",
         "/findings?status=in_progress&overdue=1", "/findings?kind=everything",
         "/meetings/new", "/meetings/2/edit", "/meetings/2/move", "/meetings/2/cancel",
         "/people", "/people?q=zzz&side=force&active=all", "/people/1", "/people/new",
         "/people/1/edit", "/people/import", "/people/1/mentions",
         "/people/1/mentions?from=2019-01-01&to=2019-12-31",
         "/people/1/mentions?from=2026-02-30&to=2019-01-01",
         "/admin/users", "/admin/users/invite", "/admin/users/2", "/admin/tokens",
         "/", "/waiting/overdue-actions", "/meetings/1",
         "/series/new", "/meetings?series=1&year=2019",
         "/meetings/2/attendance", "/meetings/2/attendance?q=a&add=1",
         "/decisions", "/decisions?year=2019&q=roads", "/search",
         "/search?q=ANPR+OR+roads+OR+policing", "/search?q=roads&from=2019-02-30",
         "/public/actions", "/public/actions?status=open&rag=red&q=survey",
         "/public/actions?rag=purple", "/public/decisions", "/public/decisions?year=2019&q=x",
         "/public/decisions?year=19", "/public/decisions?significant=yes",
         "/public/questions/new", "/public/questions/sent",
         "/accessibility", "/public/meetings"]
# The pages for anyone, read without signing in; {next} is a meeting to come, its agenda
# issued (the public_meeting fixture).
PUBLIC_PAGES = ["/public", "/public/meetings", "/public/meetings/{next}", "/accessibility",
                "/public/meetings/{next}#agenda"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible(demo_server, page, public_meeting, path):
    server, _, _ = demo_server
    page.goto(f"{server.url}{path.format(next=public_meeting)}")
    assert "/sign-in" not in page.url
    assert serious(page) == []


# The public pages, with published minutes on them (the `published_demo` server), read by
# someone who has not signed in.
PUBLISHED_PAGES = ["/public", "/public/minutes/1"]


@pytest.mark.parametrize("path", PUBLISHED_PAGES)
def test_published_minutes_pages_are_accessible(published_demo, page, path):
    page.goto(f"{published_demo.url}{path}")
    assert page.url.endswith(path)  # no sign-in asked for
    page.wait_for_load_state("networkidle")
    assert serious(page) == []


def test_the_sign_in_page_is_accessible(demo_server, page):
    server, _, _ = demo_server
    page.goto(f"{server.url}/sign-in")
    assert serious(page) == []
    page.get_by_role("button", name="Sign in").click()  # with its error summary
    assert serious(page) == []


@pytest.fixture(scope="module")
def signed_in(demo_server, browser):
    """The admin's cookies after one sign-in, for the pages that are only read: a sign-in per
    page cost two seconds and more (a password and a second step, each a slow hash)."""
    server, email, password = demo_server
    context = browser.new_context()
    sign_in(context.new_page(), server, email, password)
    state = context.storage_state()
    context.close()
    return state


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_pages_are_accessible(demo_server, browser, signed_in, path):
    server, _, _ = demo_server
    context = browser.new_context(storage_state=signed_in)
    try:
        page = context.new_page()
        page.goto(f"{server.url}{path}")
        assert "/sign-in" not in page.url  # still signed in
        page.wait_for_load_state("networkidle")
        assert serious(page) == []
    finally:
        context.close()


def test_the_minute_takers_panels_are_accessible(demo_server, page):
    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/meetings/2/take-minutes#item-4")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("t")  # the action form
    assert serious(page) == []
    page.keyboard.press("Escape")
    page.keyboard.press("r")  # attendance
    assert serious(page) == []
    page.get_by_label("Find someone to add").fill("a")  # with people found as you type
    assert serious(page) == []


def test_importing_an_inspection_is_accessible(demo_server, page):
    """The review page (with the report's text beside), then the saved inspection's page."""
    from pathlib import Path

    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/inspections/import")
    page.get_by_role("button", name="Read the report").click()  # nothing chosen: the error
    assert serious(page) == []
    text = (Path(__file__).parents[1] / "data" / "hmicfrs" /
            "hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt").read_text()
    page.get_by_label("Or paste the report's text").fill(text)
    page.get_by_role("button", name="Read the report").click()
    page.wait_for_load_state("networkidle")
    assert "Check what was found" in page.content()
    assert serious(page) == []
    dated = page.get_by_role("group", name="Publication date")
    for box, value in (("Day", "14"), ("Month", "3"), ("Year", "2024")):
        dated.get_by_label(box).fill(value)
    page.get_by_role("button", name="Save the inspection").first.click()
    page.wait_for_load_state("networkidle")
    assert "/inspections/" in page.url
    assert serious(page) == []
    # A finding's page, with its forms open, and after a question is put about it
    page.locator("a[href*='/findings/']").first.click()
    page.wait_for_load_state("networkidle")
    assert "/findings/" in page.url
    for summary in ("Ask a question about this finding", "Raise an action",
                    "Owner, due date, statuses and theme", "A later finding replaces this one"):
        page.get_by_text(summary, exact=True).click()
    assert serious(page) == []
    page.get_by_role("button", name="Put the question").click()
    page.wait_for_load_state("networkidle")
    assert "The question has been put" in page.content()
    assert serious(page) == []
    page.get_by_text("Raise an action", exact=True).click()
    page.get_by_role("button", name="Raise the action").click()  # no owner: the error
    page.wait_for_load_state("networkidle")
    assert serious(page) == []
    page.goto(f"{server.url}/inspections")
    assert serious(page) == []


def test_the_s55_response_page_is_accessible(demo_server, page):
    """The response page of an imported report, as written, then with an error."""
    from pathlib import Path

    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/inspections/import")
    text = (Path(__file__).parents[1] / "data" / "hmicfrs" /
            "hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt").read_text()
    page.get_by_label("Or paste the report's text").fill(text)
    page.get_by_role("button", name="Read the report").click()
    dated = page.get_by_role("group", name="Publication date")
    for box, value in (("Day", "14"), ("Month", "3"), ("Year", "2024")):
        dated.get_by_label(box).fill(value)
    page.get_by_role("button", name="Save the inspection").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="The Commissioner's s55 response").click()
    page.wait_for_load_state("networkidle")
    assert "/response" in page.url
    assert serious(page) == []
    page.get_by_label("The overall grade").fill("G" * 101)
    page.get_by_role("button", name="Save the response").click()
    page.wait_for_load_state("networkidle")
    assert "There is a problem" in page.content()
    assert serious(page) == []


def test_importing_people_and_the_person_form_errors_are_accessible(demo_server, page,
                                                                     tmp_path):
    """The import's error, its preview (with rows left out), and the person form's errors."""
    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/people/import")
    page.get_by_role("button", name="Check the file").click()  # nothing chosen: the error
    page.wait_for_load_state("networkidle")
    assert "Choose the CSV file to import" in page.content()
    assert serious(page) == []
    officers = tmp_path / "officers.csv"
    officers.write_text("Name,Email,Shoe size\nPriya Natarajan,priya@police.example,5\n"
                        ",nobody@police.example,6\n", encoding="utf-8")
    page.get_by_label("The CSV file").set_input_files(str(officers))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("networkidle")
    assert "Row 3: no name" in page.content()
    assert serious(page) == []
    page.goto(f"{server.url}/people/new")
    page.get_by_role("button", name="Add the person").click()  # empty: the errors
    page.wait_for_load_state("networkidle")
    assert "Enter the person" in page.content()
    assert serious(page) == []


def test_adding_a_series_is_accessible_with_its_preview_and_its_errors(demo_server, page):
    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/series/new")
    page.get_by_label("Name of the series").fill("Performance and Accountability Board")
    page.get_by_label("A date of the month, like the 15th").check()
    page.get_by_label("Day of the month", exact=True).fill("25")
    page.get_by_role("button", name="Preview dates").click()
    page.wait_for_load_state("networkidle")
    assert "The dates this schedule makes" in page.content()
    assert serious(page) == []
    page.get_by_label("Name of the series").fill("")
    page.get_by_role("button", name="Save and make meetings").click()
    page.wait_for_load_state("networkidle")
    assert "There is a problem" in page.content()
    assert serious(page) == []


def test_the_attendance_page_with_its_errors_is_accessible(demo_server, page):
    server, email, password = demo_server
    sign_in(page, server, email, password)
    page.goto(f"{server.url}/meetings/2/attendance")
    page.locator("#status-0").select_option("in_attendance")
    page.locator("#items-0").fill("99")
    page.get_by_role("button", name="Save the attendance").click()
    assert page.title().startswith("Error:")
    assert serious(page) == []


def test_the_minutes_format_its_preview_and_its_errors_are_accessible(
        demo_server, browser, signed_in):
    server, _, _ = demo_server
    context = browser.new_context(storage_state=signed_in)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/series/1")
        page.check("#format-preset-panel")
        page.get_by_role("button", name="Use this preset").click()
        page.get_by_role("button", name="Preview the minutes").click()
        assert "in the choices above, not yet saved" in page.content()
        assert serious(page) == []
        page.fill("#format-heading", "Minutes {when}")
        page.get_by_role("button", name="Preview the minutes").click()
        assert page.locator(".govuk-error-summary").is_visible()
        assert serious(page) == []
    finally:
        context.close()
