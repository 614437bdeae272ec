"""The attendance panel of Take minutes keeps each person's capacity: marking who came does not
put back every capacity to the role's default."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, start_demo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start_demo(tmp_path_factory.mktemp("attendance"))
    yield served
    served.stop()


def test_marking_attendance_in_the_panel_keeps_the_capacities(server, page):
    with server.api(server.token) as api:
        meeting = next(m for m in api.get("/api/v1/meetings").json()
                       if api.get(f"/api/v1/meetings/{m['id']}").json()["attendance"])
        rows = api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"]
        first, second = rows[0], rows[1]
        answer = api.put(f"/api/v1/meetings/{meeting['id']}/attendance", json=[
            {"person_id": r["person_id"], "status": r["status"],
             "capacity": "Acting Chief Constable" if r is first else r["capacity"]}
            for r in rows])
        assert answer.status_code == 200, answer.text
    before = {r["person_id"]: r["capacity"] for r in answer.json()}

    sign_in(page, server, server.email, server.password)
    page.goto(f"{server.url}/meetings/{meeting['id']}/take-minutes")
    page.keyboard.press("r")
    expect(page.locator("#attendance-panel")).to_be_visible()
    page.locator(f"#attend-{second['person_id']}").select_option("apologies")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#minutes-notice")).to_contain_text("Attendance saved")

    with server.api(server.token) as api:
        after = api.get(f"/api/v1/meetings/{meeting['id']}").json()["attendance"]
    assert {r["person_id"]: r["capacity"] for r in after} == before
    assert before[first["person_id"]] == "Acting Chief Constable"
    assert next(r for r in after if r["person_id"] == second["person_id"])["status"] == \
        "apologies"
