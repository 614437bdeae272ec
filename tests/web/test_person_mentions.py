"""Everything about a person (/people/{id}/mentions): the office searches the record between
two dates and reads the mentions with the words that name them marked, and the same rows in
a spreadsheet; force users and viewers are refused; wrong dates and unknown people are 4xx."""

import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.models import AuditEvent, ItemKind, Role
from tests.factories import make_action, make_entry, make_item, make_meeting, make_person, make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
APRIL = "from=2025-04-01&to=2025-04-30"


def sign_in(client, session, role: Role) -> None:
    user, _ = make_user(session, role, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303


@pytest.fixture
def jo(session):
    jo = make_person(session, full_name="Jo Bloggs", initials="JB", role_abbreviation="HoP",
                     role_title="Head of Policy")
    april = make_meeting(session, starts_at=datetime(2025, 4, 10, 10))
    item = make_item(session, april, title="Roads policing", presenter_id=jo.id)
    make_entry(session, item, text="JB said <b>no</b> & left.")
    make_entry(session, item, text="jb and JBX are not her.")
    secret = make_item(session, april, title="Covert", kind=ItemKind.other, exempt=True,
                       exempt_reason="section 31")
    make_entry(session, secret, text="Jo Bloggs on a covert matter.")
    make_action(session, [jo], text="Report on roads.", meeting_id=april.id)
    may = make_meeting(session, starts_at=datetime(2025, 5, 2, 10))
    make_entry(session, make_item(session, may), text="Jo Bloggs in May.")
    return jo


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]


@pytest.mark.parametrize("role", [Role.secretariat, Role.admin, Role.chair])
def test_the_office_reads_every_mention_marked_and_the_same_rows_in_a_spreadsheet(
        client, session, jo, role):
    sign_in(client, session, role)
    person = client.get(f"/people/{jo.id}")
    assert f'href="/people/{jo.id}/mentions"' in person.text
    page = client.get(f"/people/{jo.id}/mentions?{APRIL}")
    assert page.status_code == 200
    # the matched words marked, everything else escaped
    assert "<mark>JB</mark> said &lt;b&gt;no&lt;/b&gt; &amp; left." in page.text
    assert marked(page.text) == ["JB", "Jo Bloggs"]
    assert "jb and JBX" not in page.text and "in May" not in page.text
    assert "Exempt – not for publication" in page.text
    sheet = client.get(f"/people/{jo.id}/mentions.xlsx?{APRIL}")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(sheet.content)
    texts = sorted(r[5] for r in rows if r[5])
    assert texts == sorted(["Roads policing", "JB said <b>no</b> & left.",
                            "Jo Bloggs on a covert matter.", "Report on roads."])
    kinds = sorted(r[2] for r in rows)
    assert kinds == ["Action", "Agenda item", "Minutes", "Minutes"]
    assert [r[6] for r in rows if r[5] == "Jo Bloggs on a covert matter."] == ["Yes"]
    # the page shows as many mentions as the spreadsheet holds, counted by kind
    assert "4 mentions from 2025-04-01 to 2025-04-30" in page.text
    events = session.exec(select(AuditEvent).where(AuditEvent.verb == "subject_access")).all()
    assert len(events) == 2 and all(e.object_id == jo.id for e in events)


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_force_users_and_viewers_are_refused(client, session, jo, role):
    sign_in(client, session, role)
    for path in (f"/people/{jo.id}/mentions?{APRIL}", f"/people/{jo.id}/mentions.xlsx"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "Jo Bloggs on" not in answer.text


@pytest.mark.parametrize("query, field", [
    ("from=2025-05-01&to=2025-04-01", "start date must be on or before"),
    ("from=2026-02-30&to=", "must be a real date"),
    ("from=&to=30/04/2025", "must be a real date"),
])
def test_wrong_dates_are_refused_with_a_message(client, session, jo, query, field):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/people/{jo.id}/mentions?{query}")
    assert page.status_code == 422
    assert field in page.text and "There is a problem" in page.text
    assert client.get(f"/people/{jo.id}/mentions.xlsx?{query}").status_code == 422
    assert not session.exec(select(AuditEvent).where(
        AuditEvent.verb == "subject_access")).all()


def test_an_unknown_person_is_not_found(client, session, jo):
    sign_in(client, session, Role.secretariat)
    assert client.get(f"/people/{jo.id + 999}/mentions?{APRIL}").status_code == 404
    assert client.get(f"/people/{jo.id + 999}/mentions.xlsx?{APRIL}").status_code == 404
    assert client.get("/people/abc/mentions").status_code == 422


def test_the_form_alone_searches_nothing_until_asked(client, session, jo):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/people/{jo.id}/mentions")
    assert page.status_code == 200 and "<mark>" not in page.text
    assert not session.exec(select(AuditEvent).where(
        AuditEvent.verb == "subject_access")).all()
    everything = client.get(f"/people/{jo.id}/mentions?from=&to=")
    assert "<mark>Jo Bloggs</mark> in May" in everything.text


def test_a_long_list_is_paged(client, session, jo):
    june = make_meeting(session, starts_at=datetime(2025, 6, 2, 10, tzinfo=UTC))
    item = make_item(session, june, title="Many")
    for n in range(60):
        make_entry(session, item, text=f"JB point {n}.")
    sign_in(client, session, Role.secretariat)
    first = client.get(f"/people/{jo.id}/mentions?from=2025-06-01&to=2025-06-30")
    assert first.text.count("<mark>JB</mark> point") == 50
    assert "page=2" in first.text
    second = client.get(f"/people/{jo.id}/mentions?from=2025-06-01&to=2025-06-30&page=2")
    assert second.text.count("<mark>JB</mark> point") == 10
    rows = sheet_rows(client.get(
        f"/people/{jo.id}/mentions.xlsx?from=2025-06-01&to=2025-06-30").content)
    assert len(rows) == 60
