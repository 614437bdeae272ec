"""A force officer uploads the paper for the item they present, late, in a real browser; the
agenda page passes axe before and after, and with a refused file's error summary."""

import subprocess
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import BIN, sign_in, start_demo
from tests.e2e.test_accessibility import serious
from tests.factories import PDF_BYTES


@pytest.fixture
def force_server(tmp_path):
    server = start_demo(tmp_path)
    yield server
    server.stop()


def test_a_presenter_uploads_their_late_paper(force_server, page, tmp_path):
    server = force_server
    api = server.api(server.token)
    dcc = next(p for p in api.get("/api/v1/people").json()["results"]
               if p["role_abbreviation"] == "DCC")
    item = next(i for i in api.get("/api/v1/meetings/2/items").json()
                if i["kind"] == "theme")
    changed = api.patch(f"/api/v1/items/{item['id']}", json={
        "presenter_id": dcc["id"],
        "paper_due_on": (date.today() - timedelta(days=2)).isoformat()})
    assert changed.status_code == 200, changed.text
    password = "a long passphrase for the DCC"
    subprocess.run([str(BIN / "assure"), "users", "create", "dcc@force.example", "--name",
                    dcc["full_name"], "--role", "force", "--person-id", str(dcc["id"])],
                   input=password + "\n", env=server.env, cwd=server.folder, text=True,
                   capture_output=True, check=True, timeout=120)
    sign_in(page, server, "dcc@force.example", password)
    page.goto(f"{server.url}/meetings/2/agenda")
    assert "You present 1 item of this meeting." in page.inner_text("main")
    assert serious(page) == []
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a paper")
    page.locator(f"#file-{item['id']}").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload paper").click()
    page.wait_for_load_state()
    assert "Error:" in page.title() and "choose a PDF or Word document" in page.content()
    assert serious(page) == []
    paper = tmp_path / "Roads policing.pdf"
    paper.write_bytes(PDF_BYTES)
    page.locator(f"#file-{item['id']}").set_input_files(str(paper))
    page.get_by_role("button", name="Upload paper").click()
    page.wait_for_load_state()
    assert "Arrived 2 days late" in page.content()
    assert page.get_by_role("button", name="Replace paper").count() == 1
    assert serious(page) == []
