"""The meeting's attendance page, without a script: the series' invitees come first, anyone else
is found by name; status, capacity, whom a substitute came for and the items someone attended
for are saved, shown again, and written in the minutes and the Word document; bad input is
named in the error summary and changes nothing."""

import io
import re
from datetime import datetime

import docx
import pytest

from app.models import Role
from app.schemas import AttendanceIn
from app.services import meetings, schedule
from tests.export.reading import table_texts
from tests.factories import (
    SYSTEM,
    CommittingClient,
    committed,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_top_team,
)
from tests.web.test_meeting_pages import csrf_of, fresh, sign_in


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


@pytest.fixture
def world(session):
    """A series inviting the PCC, the CC and the DCC; its meeting of five items; a T/ACC and
    the head of roads policing in the directory, invited to nothing."""
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    committed(session, schedule.set_series_attendees(
        session, meeting_type_id=series.id, by=SYSTEM,
        invitees=[schedule.Invitee(p.id) for p in (pcc, cc, dcc)]))
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10, 0))
    items = [make_item(session, meeting, title=f"Item {n}") for n in range(1, 6)]
    jones = make_person(session, full_name="Jane Jones", initials="JJ",
                        role_title="Temporary Assistant Chief Constable",
                        role_abbreviation="T/ACC")
    smith = make_person(session, full_name="Sam Smith", initials="SS",
                        role_title="Head of Roads Policing")
    return {"meeting": meeting, "items": items, "pcc": pcc, "cc": cc, "dcc": dcc,
            "jones": jones, "smith": smith}


def rows_of(html: str) -> list[tuple[str, str]]:
    """(index, person id) of each line of the form, in order."""
    return re.findall(r'name="person-(\d+)" value="(\d+)"', html)


def form_of(html: str) -> dict[str, str]:
    """The form as the page shows it: every field's current value."""
    values = {"csrf_token": csrf_of(html)}
    for index, _ in rows_of(html):
        values[f"person-{index}"] = re.search(
            rf'name="person-{index}" value="(\d+)"', html)[1]
        for name in ("status", "substitute_for"):
            select = re.search(rf'<select[^>]*name="{name}-{index}".*?</select>', html, re.S)[0]
            chosen = re.search(r'<option value="([^"]*)" selected', select)
            values[f"{name}-{index}"] = chosen[1] if chosen else ""
        for name in ("capacity", "items"):
            values[f"{name}-{index}"] = re.search(
                rf'name="{name}-{index}" type="text" value="([^"]*)"', html)[1]
    return values


def recorded(session, meeting_id: int) -> dict[str, tuple]:
    fresh(session)
    return {p.full_name: (a.status, a.capacity, a.substitute_for_id, a.items)
            for a, p in meetings.list_attendance(session, meeting_id)}


def index_of(html: str, person) -> str:
    return next(i for i, person_id in rows_of(html) if person_id == str(person.id))


def test_the_invitees_come_first_and_anyone_else_is_found_by_name(client, session, world):
    sign_in(client, session, Role.secretariat)
    meeting = world["meeting"]
    page = client.get(f"/meetings/{meeting.id}/attendance")
    assert page.status_code == 200
    assert [pid for _, pid in rows_of(page.text)] == [
        str(world[k].id) for k in ("pcc", "cc", "dcc")]
    found = client.get(f"/meetings/{meeting.id}/attendance", params={"q": "jones"})
    assert "Add Jane Jones, Temporary Assistant Chief Constable" in found.text
    assert "Add Sam Smith" not in found.text
    href = re.search(r'href="([^"]*add=[^"]*)"', found.text)[1].replace("&amp;", "&")
    added = client.get(href)
    assert [pid for _, pid in rows_of(added.text)] == [
        str(world[k].id) for k in ("pcc", "cc", "dcc", "jones")]
    assert form_of(added.text)[f"status-{index_of(added.text, world['jones'])}"] == "present"


def test_substitutes_items_and_capacities_are_saved_shown_again_and_minuted(
        client, session, world):
    sign_in(client, session, Role.secretariat)
    meeting, dcc, jones, smith = world["meeting"], world["dcc"], world["jones"], world["smith"]
    page = client.get(f"/meetings/{meeting.id}/attendance",
                      params=[("add", jones.id), ("add", smith.id)])
    form = form_of(page.text)
    at = {k: index_of(page.text, world[k]) for k in ("pcc", "cc", "dcc", "jones", "smith")}
    form.update({
        f"status-{at['pcc']}": "present", f"status-{at['cc']}": "present",
        f"status-{at['dcc']}": "apologies",
        f"status-{at['jones']}": "substitute", f"substitute_for-{at['jones']}": str(dcc.id),
        f"capacity-{at['jones']}": "Temporary ACC (T/ACC)",
        f"status-{at['smith']}": "in_attendance", f"items-{at['smith']}": "items 5 and 4",
    })
    saved = client.post(f"/meetings/{meeting.id}/attendance", data=form)
    assert saved.status_code == 303, saved.text
    items = world["items"]
    after = recorded(session, meeting.id)
    assert after["Jane Jones"] == ("substitute", "Temporary ACC (T/ACC)", dcc.id, [])
    assert after["Sam Smith"] == ("in_attendance", "Head of Roads Policing", None,
                                  [items[3].id, items[4].id])
    assert after["Amanda Blakeman"][0] == "apologies"

    # shown again as saved; saving it unchanged changes nothing
    again = client.get(f"/meetings/{meeting.id}/attendance")
    shown = form_of(again.text)
    assert shown[f"items-{index_of(again.text, smith)}"] == "4 and 5"
    assert shown[f"substitute_for-{index_of(again.text, jones)}"] == str(dcc.id)
    assert shown[f"capacity-{index_of(again.text, jones)}"] == "Temporary ACC (T/ACC)"
    assert client.post(f"/meetings/{meeting.id}/attendance", data=shown).status_code == 303
    assert recorded(session, meeting.id) == after

    # the meeting's page
    html = client.get(f"/meetings/{meeting.id}").text
    assert "Jane Jones (substitute for Amanda Blakeman, DCC)" in html
    assert re.search(r"<h2[^>]*>In attendance</h2>", html)
    assert "Sam Smith (for items 4 and 5)" in html

    # the Word document, read back
    download = client.get(f"/api/v1/meetings/{meeting.id}/minutes.docx?edition=public")
    assert download.status_code == 200, download.text
    table = docx.Document(io.BytesIO(download.content)).tables[0]
    assert table_texts(table) == [
        ["", "Name:", "Capacity:"],
        ["Attendance:", "John Campion", "Police and Crime Commissioner (PCC)"],
        ["", "Anthony Bangham", "Chief Constable (CC)"],
        ["", "Jane Jones (substitute for Amanda Blakeman, DCC)", "Temporary ACC (T/ACC)"],
        ["In attendance:", "Sam Smith (for items 4 and 5)", "Head of Roads Policing"],
        ["Apologies:", "Amanda Blakeman", "Deputy Chief Constable (DCC)"],
    ]


@pytest.mark.parametrize("bad", ["self", "nobody", "unknown item", "unknown person",
                                 "unknown status"])
def test_bad_attendance_is_named_and_changes_nothing(client, session, world, bad):
    meeting, dcc, jones = world["meeting"], world["dcc"], world["jones"]
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=p.id, status="present")
        for p in (world["pcc"], world["cc"], dcc)]))
    before = recorded(session, meeting.id)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/attendance", params={"add": jones.id})
    form = form_of(page.text)
    j = index_of(page.text, jones)
    form.update({
        "self": {f"status-{j}": "substitute", f"substitute_for-{j}": str(jones.id)},
        "nobody": {f"status-{j}": "substitute", f"substitute_for-{j}": ""},
        "unknown item": {f"status-{j}": "in_attendance", f"items-{j}": "4 and 9"},
        "unknown person": {f"person-{j}": "99999"},
        "unknown status": {f"status-{j}": "asleep"},
    }[bad])
    refused = client.post(f"/meetings/{meeting.id}/attendance", data=form)
    assert refused.status_code == 422, refused.text
    assert "<title>Error:" in refused.text
    message = {
        "self": "Jane Jones cannot be a substitute for themselves: choose someone else",
        "nobody": "Choose whom Jane Jones is a substitute for",
        "unknown item": "Jane Jones: There is no item 9 on this meeting&#39;s agenda",
        "unknown person": "Someone on the list is not in the people directory any more",
        "unknown status": "Choose Jane Jones&#39;s attendance from the list",
    }[bad]
    assert message in refused.text
    field = {"self": f"substitute_for-{j}", "nobody": f"substitute_for-{j}",
             "unknown item": f"items-{j}", "unknown person": "attendance-form",
             "unknown status": f"status-{j}"}[bad]
    assert f'href="#{field}"' in refused.text  # the error summary links to the field
    assert recorded(session, meeting.id) == before


def test_the_meeting_page_links_to_the_attendance_for_the_secretariat_only(
        client, session, world):
    meeting = world["meeting"]
    sign_in(client, session, Role.secretariat)
    assert f'href="/meetings/{meeting.id}/attendance"' in client.get(
        f"/meetings/{meeting.id}").text
    client.cookies.clear()
    sign_in(client, session, Role.chair)
    assert f'href="/meetings/{meeting.id}/attendance"' not in client.get(
        f"/meetings/{meeting.id}").text
    assert client.get(f"/meetings/{meeting.id}/attendance").status_code == 403
