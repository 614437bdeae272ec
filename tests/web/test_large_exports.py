"""The action log's full downloads after years of actions: every action the filters select is
in the file, in the log's order, with its latest update, read in the same number of SQL
statements however many actions and updates there are, and sent whole."""

from io import BytesIO

import docx
import pytest
from openpyxl import load_workbook

from app.models import Role
from app.schemas import ActionUpdateCreate
from app.services import actions
from tests.factories import SYSTEM, make_action, make_top_team
from tests.sql_counter import sql_seen
from tests.web.test_live import sign_in

UPDATES = 3


def _raise(session, owners, start: int, count: int) -> None:
    """count actions numbered from start, each with UPDATES updates, the last the latest."""
    for n in range(start, start + count):
        action = make_action(session, owners, text=f"Exported action {n}.")
        for u in range(UPDATES):
            actions.add_update(session, action_id=action.id, by=SYSTEM,
                               data=ActionUpdateCreate(text=f"Update {u} of action {n}."))
        session.commit()


def _download(session, client, path: str) -> tuple[int, bytes]:
    """The statements the download makes and the file it sends, checked whole. A page first:
    a sign-in is touched at most once a minute (identity.touch_interval), and on a busy
    machine the test can take longer than that; the touch's statements are not the
    download's."""
    assert client.get("/account").status_code == 200
    with sql_seen(session) as seen:
        response = client.get(path)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    return len(seen.statements), response.content


def _xlsx_rows(content: bytes) -> list[tuple[str, str]]:
    """(action, latest update) of each action row, in the sheet's order."""
    sheet = load_workbook(BytesIO(content))["Action log"]
    return [(row[3], row[9]) for row in sheet.iter_rows(min_row=5, values_only=True)]


def _docx_rows(content: bytes) -> list[tuple[str, str]]:
    """(action, latest update) of each action row, in the table's order."""
    table = docx.Document(BytesIO(content)).tables[0]
    rows = []
    for tr in table._tbl.tr_lst[1:]:  # after the header row
        cells = ["\n".join("".join(t.text or "" for t in p.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
            for p in tc.p_lst) for tc in tr.tc_lst]
        rows.append((cells[2], cells[6].split("\n", 1)[1]))  # the update after its date
    return rows


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_large_log_download_holds_every_action_in_order_with_its_latest_update(
        client, session, fmt):
    _, _, dcc = make_top_team(session)
    sign_in(client, session, Role.secretariat)
    read = _xlsx_rows if fmt == "xlsx" else _docx_rows
    _raise(session, [dcc], 0, 10)
    few, content = _download(session, client, f"/actions/log.{fmt}")
    assert len(read(content)) == 10
    _raise(session, [dcc], 10, 110)
    many, content = _download(session, client, f"/actions/log.{fmt}")
    assert read(content) == [(f"Exported action {n}.", f"Update {UPDATES - 1} of action {n}.")
                             for n in range(120)]
    assert many == few  # no statement per action or per update
