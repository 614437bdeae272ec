"""The decisions register (/decisions): every decision minuted with its reference, filtered by
series, year and title words and paged, and as a spreadsheet; readers who may not see Part 2
(force, viewer) never see an exempt decision on the page or in the spreadsheet."""

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.models import EntryKind, ItemKind, Role
from app.services import decisions
from tests.factories import make_entry, make_item, make_meeting, make_meeting_type, make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
DECISION = EntryKind.decision


def sign_in(client, session, role: Role) -> None:
    user, _ = make_user(session, role, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303


@pytest.fixture
def register(session):
    board = make_meeting_type(session, name="Accountability Board")
    meeting = make_meeting(session, board, starts_at=datetime(2025, 4, 29, 10))
    roads = make_item(session, meeting, title="Roads policing")
    exempt = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    make_entry(session, roads, kind=DECISION, text="The board agreed the speed plan.")
    make_entry(session, roads, kind=DECISION, text="A named officer's posting.", exempt=True)
    make_entry(session, exempt, kind=DECISION, text="The board agreed the covert budget.")
    return board, meeting


def rows_of(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_force_and_viewers_never_see_an_exempt_decision(client, session, register, role):
    sign_in(client, session, role)
    page = client.get("/decisions")
    assert page.status_code == 200
    assert "D/2025/001" in page.text and "The board agreed the speed plan." in page.text
    for secret in ("named officer", "covert budget", "D/2025/002", "D/2025/003"):
        assert secret not in page.text
    sheet = client.get("/decisions.xlsx")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(sheet.content)
    assert [r[0] for r in rows] == ["D/2025/001"]
    assert "covert" not in repr(rows) and "named officer" not in repr(rows)


def test_the_office_sees_every_decision_marked_exempt_and_reads_the_spreadsheet_back(
        client, session, register):
    _, meeting = register
    sign_in(client, session, Role.secretariat)
    page = client.get("/decisions")
    assert page.status_code == 200
    assert page.text.count("Exempt – not for publication") == 2
    assert f'href="/meetings/{meeting.id}"' in page.text
    assert 'href="/decisions"' in client.get("/meetings").text  # in the menu
    rows = rows_of(client.get("/decisions.xlsx").content)
    assert [(r[0], r[1].date().isoformat(), r[2], r[3], r[4], r[5]) for r in rows] == [
        ("D/2025/003", "2025-04-29", "Accountability Board", "Covert tactics",
         "The board agreed the covert budget.", "Yes"),
        ("D/2025/002", "2025-04-29", "Accountability Board", "Roads policing",
         "A named officer's posting.", "Yes"),
        ("D/2025/001", "2025-04-29", "Accountability Board", "Roads policing",
         "The board agreed the speed plan.", "No"),
    ]


def test_the_minutes_page_shows_each_decision_with_its_reference(client, session, register):
    _, meeting = register
    sign_in(client, session, Role.viewer)
    page = client.get(f"/meetings/{meeting.id}")
    assert "Decision D/2025/001" in page.text
    assert "D/2025/002" not in page.text and "D/2025/003" not in page.text


def test_filters_narrow_the_register_and_the_spreadsheet_and_paging_keeps_them(
        client, session, register, monkeypatch):
    board, _ = register
    panel = make_meeting_type(session, name="Scrutiny Panel")
    later = make_meeting(session, panel, starts_at=datetime(2026, 2, 3, 10))
    custody = make_item(session, later, title="Custody")
    for n in range(3):
        make_entry(session, custody, kind=DECISION, text=f"Custody decision {n + 1}.")
    sign_in(client, session, Role.chair)
    monkeypatch.setattr(decisions, "PAGE_SIZE", 2)
    first = client.get(f"/decisions?series={panel.id}&q=custody")
    assert "3 decisions found, page 1 of 2" in first.text
    assert "speed plan" not in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text)[1].replace("&amp;", "&")
    assert f"series={panel.id}" in following and "q=custody" in following
    assert "Custody decision 1." in client.get(following).text
    year = client.get("/decisions?year=2025")
    assert "3 decisions found" in year.text and "Custody decision" not in year.text
    rows = rows_of(client.get(f"/decisions.xlsx?series={panel.id}").content)
    assert [r[0] for r in rows] == ["D/2026/003", "D/2026/002", "D/2026/001"]
    empty = rows_of(client.get("/decisions.xlsx?q=nothing-like-this").content)
    assert empty[0][0] == "No decisions match."


@pytest.mark.parametrize("query", ["series=abc", "year=20x5", "year=99999", "page=-1",
                                   "page=abc", "series=999999999999999", "q=%25_%25"])
def test_filters_that_make_no_sense_are_ignored_plainly(client, session, register, query):
    sign_in(client, session, Role.viewer)
    page = client.get(f"/decisions?{query}")
    assert page.status_code == 200
    assert client.get(f"/decisions.xlsx?{query}").status_code == 200


def test_filters_too_long_are_refused_with_a_message(client, session, register):
    sign_in(client, session, Role.viewer)
    answer = client.get("/decisions?q=" + "x" * 201)
    assert answer.status_code == 422
    assert "Check what you entered" in answer.text


def test_signing_in_is_needed(client, session, register):
    answer = client.get("/decisions", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_an_administrator_sets_the_decision_reference_format_on_the_settings_page(
        client, session):
    from app.services.office import get_office

    user, _ = make_user(session, Role.admin, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    form = client.get("/admin/settings").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    assert 'value="D/{year}/{seq:03d}"' in form
    fields = dict(re.findall(r'<input class="govuk-input[^"]*" id="[^"]+" name="([^"]+)"'
                             r'[^>]*value="([^"]*)"', form))
    fields.setdefault("digest_weekday", "0")
    bad = client.post("/admin/settings", data={**fields, "csrf_token": token,
                                               "decision_reference_format": "D/{year}"})
    assert bad.status_code == 422
    assert "Decision reference format must contain {year} and {seq}" in bad.text
    good = client.post("/admin/settings", follow_redirects=False, data={
        **fields, "csrf_token": token, "decision_reference_format": "DEC/{year}/{seq:02d}"})
    assert good.status_code == 303
    session.expire_all()
    assert get_office(session).decision_reference_format == "DEC/{year}/{seq:02d}"
