"""The public action log and decisions pages, without signing in: what they list, their
filters kept in the address and the paging links, the spreadsheets of what the filters
select, and a clear 422 for a filter that is not one the form offers."""

import io
import re
from html import unescape

from openpyxl import load_workbook
from sqlmodel import select

from app.models import DecisionReference
from tests.services.test_public_record import world  # noqa: F401  (the fixture)


def _cells(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.text))


def test_anyone_reads_the_public_action_log_and_downloads_what_the_filters_select(
        client, world):  # noqa: F811
    page = client.get("/public/actions")
    assert page.status_code == 200
    text = _text(page)
    assert "3 actions" in text
    assert "Deputy Chief Constable, ACC" in text and "Amber: due within 14 days" in text
    assert "Contract review started." in text and "Red: overdue" in text
    assert "Secret" not in page.text and "Unpublished" not in page.text
    filtered = client.get("/public/actions?status=closed&q=camera")
    assert "1 action found" in _text(filtered)
    assert 'href="/public/actions.xlsx?status=closed&amp;q=camera"' in filtered.text
    sheet = client.get("/public/actions.xlsx?status=closed&q=camera")
    assert sheet.status_code == 200
    rows = _cells(sheet)
    assert rows[0][0] == "OFFICIAL" and rows[3][0] == "Reference"
    assert [r[3] for r in rows[4:]] == ["Publish the camera sites."]
    assert rows[4][7] == "None: closed" and rows[4][4] == "SN"


def test_the_action_logs_pages_keep_the_filters(client, world):  # noqa: F811
    first = client.get("/public/actions?limit=2&year=2025")
    link = re.search(r'href="(/public/actions\?[^"]+)" rel="next"', first.text)
    assert link, "a next page link"
    address = unescape(link.group(1))
    assert "year=2025" in address and "limit=2" in address
    second = client.get(address)
    assert second.status_code == 200 and "3 actions found, 1 on this page" in _text(second)


def test_a_bad_filter_is_refused_with_a_message_and_the_form(client, world):  # noqa: F811
    for address, message in [
            ("/public/actions?status=done", "Status must be one of those listed"),
            ("/public/actions?rag=purple", "RAG rating must be red, amber or green"),
            ("/public/actions?year=99", "Year must be a year such as 2019"),
            ("/public/actions?meeting=abc", "Meeting must be one whose minutes are published"),
            ("/public/actions?q=a%00b", "contains a control character"),
            ("/public/actions?after=garbage", "is not one this list gave"),
            ("/public/actions?limit=100000", "Limit must be"),
            ("/public/decisions?year=2O19", "Year must be a year such as 2019"),
            ("/public/decisions?q=" + "x" * 300, "at most 200 characters")]:
        response = client.get(address)
        assert response.status_code == 422, address
        assert message in _text(response), address
        assert "There is a problem" in response.text
    for address in ("/public/actions.xlsx?rag=purple", "/public/decisions.xlsx?year=x"):
        assert client.get(address).status_code == 422


def test_anyone_reads_the_decisions_a_page_per_decision_and_its_report(
        client, session, world):  # noqa: F811
    page = client.get("/public/decisions")
    text = _text(page)
    assert page.status_code == 200 and "2 decisions" in text
    assert "The PCC approved new cameras." in text
    assert "Covert tactics" in text and "considered in private" in text
    for secret in ("SecretDecisionWords", "SecretSubTitle", "HiddenDecisionWords",
                   "Unpublished"):
        assert secret not in page.text
    refs = {r.entry_id: r.id for r in session.exec(select(DecisionReference))}
    one = client.get(f"/public/decisions/{refs[world.decision.id]}")
    assert one.status_code == 200 and "Police and Crime Commissioner" in one.text
    report = re.search(r'href="(/public/decisions/\d+/reports/\d+)"', one.text).group(1)
    assert client.get(report).content.startswith(b"%PDF")
    private = client.get(f"/public/decisions/{refs[world.private_decision.id]}")
    assert private.status_code == 200 and "Covert tactics" in private.text
    assert "Secret" not in private.text
    assert client.get("/public/decisions/999999").status_code == 404
    sheet = _cells(client.get("/public/decisions.xlsx?q=covert"))
    assert [r[3] for r in sheet[4:]] == ["Covert tactics"]
    assert sheet[4][5] is None and "section 31" in sheet[4][7]
    assert "Secret" not in repr(_cells(client.get("/public/decisions.xlsx")))


def test_public_links_to_the_decisions_and_the_action_log(client):
    page = client.get("/public")
    assert 'href="/public/decisions"' in page.text and 'href="/public/actions"' in page.text


def test_the_office_marks_decisions_of_significant_public_interest_for_the_register(
        client, session, world):  # noqa: F811
    """The Specified Information Order asks for a record of each decision of significant
    public interest: the office marks those on its register, and the public register marks
    them, narrows to them and says so in its spreadsheet."""
    from app.models import AuditEvent, Role
    from tests.web.test_settings_page import sign_in

    refs = {r.entry_id: r.id for r in session.exec(select(DecisionReference))}
    cameras = refs[world.decision.id]
    anonymous = client.__class__(client.app)
    assert "Significant public interest" not in anonymous.get("/public/decisions").text
    token = sign_in(client, session, Role.secretariat)
    office_page = client.get("/decisions?year=2025")
    assert f'action="/decisions/{cameras}/significant"' in office_page.text
    marked = client.post(f"/decisions/{cameras}/significant", follow_redirects=False,
                         data={"csrf_token": token, "significant": "yes",
                               "back": "/decisions?year=2025&page=1"})
    assert marked.status_code == 303
    assert marked.headers["location"].startswith("/decisions?year=2025&page=1&notice=")
    assert marked.headers["location"].endswith(f"#decision-{cameras}")
    assert "is marked as of significant public interest" in _text(
        client.get(marked.headers["location"]))
    session.expire_all()
    assert session.get(DecisionReference, cameras).significant
    assert session.exec(select(AuditEvent).where(AuditEvent.verb == "mark_significant")).one()

    register = _text(anonymous.get("/public/decisions"))
    assert "2 decisions" in register and "Significant public interest" in register
    only = anonymous.get("/public/decisions?significant=yes")
    assert "1 decision found" in _text(only) and "The PCC approved new cameras." in only.text
    assert "Covert tactics" not in only.text
    assert "Significant public interest" in anonymous.get(f"/public/decisions/{cameras}").text
    sheet = _cells(anonymous.get("/public/decisions.xlsx?significant=yes"))
    assert sheet[3][-1] == "Significant public interest" and [r[-1] for r in sheet[4:]] == [
        "Yes"]
    assert anonymous.get("/public/decisions?significant=maybe").status_code == 422

    # an address elsewhere is not followed back; a wrong value and an unknown decision refused
    away = client.post(f"/decisions/{cameras}/significant", follow_redirects=False,
                       data={"csrf_token": token, "significant": "no",
                             "back": "https://evil.example/decisions?"})
    assert away.headers["location"].startswith("/decisions?notice=")
    session.expire_all()
    assert not session.get(DecisionReference, cameras).significant
    assert client.post(f"/decisions/{cameras}/significant",
                       data={"csrf_token": token, "significant": "perhaps"}).status_code == 422
    assert client.post("/decisions/987654/significant",
                       data={"csrf_token": token, "significant": "yes"}).status_code == 404
    assert "Significant public interest" not in anonymous.get("/public/decisions").text
