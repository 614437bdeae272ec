"""The audit log: refusals and exports leave events, admins read and filter them on
/admin/audit and download them as CSV, and nobody (not even the database's own users)
can change or delete an event."""

import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from app.models import AuditEvent, Role
from app.services import audit
from app.services.permissions import Actor
from tests.factories import SYSTEM, bearer, make_person
from tests.web.test_pages import PASSWORD, count, page_of, sign_in


class _Cells(HTMLParser):
    """The text of each body row's cells of a page's tables."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows_of(html: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(html)
    return [row for row in parser.rows if row]


def _events(session, **where) -> list[AuditEvent]:
    session.rollback()  # a new read transaction sees what the app committed
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(session.exec(query))


# --- the database refuses changes to events ------------------------------------------------


def test_the_database_refuses_to_update_or_delete_an_event(engine):
    with Session(engine) as session:
        audit.record(session, by=SYSTEM, verb="create", object_type="person", object_id=1,
                     summary="as written")
        session.commit()
    for statement in ("UPDATE audit_event SET summary = 'rewritten'",
                      "DELETE FROM audit_event"):
        with engine.connect() as connection, pytest.raises(DBAPIError) as refused:
            connection.execute(text(statement))
        assert "audit events cannot be changed or deleted" in str(refused.value)
    with Session(engine) as session:
        assert [e.summary for e in session.exec(select(AuditEvent))] == ["as written"]


def test_no_route_changes_or_deletes_events(client, session):
    sign_in(client, session, Role.admin)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, "/admin/audit").status_code == 405
    assert not any(route.path.startswith("/admin/audit") and route.methods - {"GET", "HEAD"}
                   for route in client.app.routes if hasattr(route, "methods"))


# --- refusals are recorded, in a transaction of their own ---------------------------------


def test_a_refused_api_change_is_recorded_though_the_change_is_rolled_back(client, world,
                                                                          session):
    response = client.patch(f"/api/v1/people/{world.cc.id}", headers=bearer(world.tokens["viewer"]),
                            json={"full_name": "Someone Else"})
    assert response.status_code == 403
    [event] = _events(session, verb="refused")
    assert (event.object_type, event.object_id) == ("person", world.cc.id)
    assert event.actor.startswith("viewer") and event.user_id is not None
    assert event.summary.startswith(f"403 PATCH /api/v1/people/{world.cc.id}")
    assert event.address  # the test client's address
    session.expire_all()
    assert session.get(type(world.cc), world.cc.id).full_name == "Anthony Bangham"


def test_a_hidden_record_and_a_bad_token_are_recorded_but_anonymous_misses_are_not(
        client, world, session):
    hidden = f"/api/v1/actions/{world.exempt_action.id}"  # the viewer may not see it
    assert client.get(hidden, headers=bearer(world.tokens["viewer"])).status_code == 404
    assert client.get(hidden, headers=bearer("asr_not-a-token")).status_code == 401
    assert client.get(hidden).status_code == 401  # no credentials at all: not recorded
    assert client.get("/api/v1/nothing-here").status_code == 404
    refused = _events(session, verb="refused")
    assert [(e.object_type, e.object_id, e.summary[:3]) for e in refused] == [
        ("action", world.exempt_action.id, "404"), ("action", world.exempt_action.id, "401")]
    assert refused[0].actor.startswith("viewer") and refused[1].actor == "invalid API token"


def test_a_refused_page_and_a_missing_csrf_token_are_recorded(client, session):
    user = sign_in(client, session, Role.secretariat)
    assert client.get("/admin/audit").status_code == 403
    assert client.post("/sign-out", data={}).status_code == 403  # no CSRF token
    refused = _events(session, verb="refused")
    assert [e.summary.split(":")[0] for e in refused] == ["403 GET /admin/audit",
                                                          "403 POST /sign-out"]
    assert {e.user_id for e in refused} == {user.id}


# --- exports -------------------------------------------------------------------------------


def test_the_action_log_exports_are_recorded(client, world, session):
    sign_in(client, session, Role.secretariat)
    assert client.get("/actions/log.docx?status=open").status_code == 200
    assert client.get("/actions/log.xlsx").status_code == 200
    exports = _events(session, verb="export", object_type="action_log")
    assert [e.summary.split(",")[0] for e in exports] == ["action log (docx)",
                                                          "action log (xlsx)"]
    assert "open" in exports[0].summary.lower()


# --- the page ------------------------------------------------------------------------------


def test_only_admins_see_the_log_and_its_link(client, session):
    assert client.get("/admin/audit", follow_redirects=False).headers["location"] \
        == "/sign-in?next=%2Fadmin%2Faudit"
    sign_in(client, session, Role.chair)
    assert "/admin/audit" not in client.get("/meetings").text
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    client.cookies.clear()
    sign_in(client, session, Role.admin)
    assert 'href="/admin/audit"' in client.get("/meetings").text


def test_the_log_shows_events_newest_first_with_links_in_london_time(client, session, world):
    admin = sign_in(client, session, Role.admin)
    event = audit.record(session, by=Actor(role=Role.admin, user_id=admin.id, label="a@x"),
                         verb="update", object_type="meeting", object_id=world.meeting.id,
                         summary="status='approved'", address="192.0.2.7")
    event.occurred_at = datetime(2030, 7, 1, 9, 5, 3, tzinfo=UTC)  # 10:05:03 in London (BST)
    session.commit()
    page = client.get("/admin/audit")
    assert page.status_code == 200
    rows = rows_of(page.text)
    first = rows[0]
    assert first[:4] == ["Mon 1 Jul 2030, 10:05:03", "a@x", "update",
                         f"Meeting {world.meeting.id}"]
    assert first[4:] == ["status='approved'", "192.0.2.7"]
    assert f'<a class="govuk-link" href="/meetings/{world.meeting.id}">' in page.text
    assert "sign in" in {row[2] for row in rows}


def test_the_filters_narrow_the_log_and_bad_ones_are_explained(client, session, world):
    sign_in(client, session, Role.admin)
    person = make_person(session, full_name="Zebedee Filtered")
    page = client.get(f"/admin/audit?type=person&record={person.id}&verb=create&q=zebedee")
    rows = rows_of(page.text)
    assert [(r[2], r[3]) for r in rows] == [("create", f"Person {person.id}")]
    today = datetime.now(UTC).strftime("%d/%m/%Y")
    assert client.get(f"/admin/audit?from={today}&to={today}&type=person").status_code == 200
    assert "No events match" in client.get("/admin/audit?from=01/01/2000&to=02/01/2000").text
    bad = client.get("/admin/audit?record=abc&from=31/02/2024")
    assert bad.status_code == 200
    assert "Enter a record id as a whole number" in bad.text
    assert "Enter a real date" in bad.text
    assert client.get("/admin/audit.csv?record=abc").status_code == 422


def test_the_log_is_paged_a_hundred_at_a_time(client, session):
    sign_in(client, session, Role.admin)
    for n in range(130):
        audit.record(session, by=SYSTEM, verb="generate", object_type="meeting_type",
                     object_id=n + 1, summary=f"event {n}")
    session.commit()
    first = client.get("/admin/audit?verb=generate")
    rows = rows_of(first.text)
    assert len(rows) == 100 and rows[0][4] == "event 129"
    assert "page 1 of 2" in first.text and "/admin/audit?verb=generate&amp;page=2" in first.text
    second = rows_of(client.get("/admin/audit?verb=generate&page=2").text)
    assert len(second) == 30 and second[-1][4] == "event 0"
    assert len(rows_of(client.get("/admin/audit?verb=generate&page=999").text)) == 30


def test_the_csv_is_filtered_formula_safe_and_its_export_recorded(client, session):
    admin = sign_in(client, session, Role.admin)
    audit.record(session, by=SYSTEM, verb="update", object_type="person", object_id=7,
                 summary='=HYPERLINK("http://evil.example","click")')
    audit.record(session, by=SYSTEM, verb="update", object_type="person", object_id=8,
                 summary="+44 1905 331545")
    session.commit()
    response = client.get("/admin/audit.csv?type=person&verb=update")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "when (London)", "when (UTC)", "who"]
    assert [r[8] for r in rows[1:]] == ["'+44 1905 331545",
                                        "'=HYPERLINK(\"http://evil.example\",\"click\")"]
    [export] = _events(session, verb="export", object_type="audit_event")
    assert export.user_id == admin.id and "2 events" in export.summary


def test_sign_in_failures_and_sign_out_keep_the_address(client, session):
    user = sign_in(client, session, Role.viewer)
    client.post("/sign-in", data={"email": user.email, "password": "wrong", "next": "/"})
    page = client.get("/meetings")
    token = page_of(page.text).inputs.get("csrf_token")
    client.post("/sign-out", data={"csrf_token": token})
    verbs = [(e.verb, bool(e.address)) for e in _events(session, object_type="user")
             if e.verb.startswith("sign")]
    assert verbs == [("sign_in", True), ("sign_in_failed", True), ("sign_out", True)]
    assert count(session, AuditEvent, AuditEvent.verb == "sign_out") == 1
    assert PASSWORD not in " ".join(e.summary for e in _events(session))


def test_a_refusal_names_the_innermost_record_of_its_path():
    from app.web.errors import _record_of

    assert _record_of("/api/v1/items/12/entries") == ("agenda_item", 12)
    assert _record_of("/meetings/3/agenda/items/5/delete") == ("agenda_item", 5)
    assert _record_of("/actions/7/close") == ("action", 7)
    assert _record_of("/admin/audit") == ("request", None)


def test_the_older_page_follows_on_from_the_one_read_even_after_new_events(client, session):
    sign_in(client, session, Role.admin)
    for n in range(130):
        audit.record(session, by=SYSTEM, verb="generate", object_type="meeting_type",
                     object_id=n + 1, summary=f"event {n}")
    session.commit()
    first = client.get("/admin/audit?verb=generate")
    older = re.search(r'href="([^"]*)" rel="next"', first.text)
    assert older and "before=" in older.group(1) and "verb=generate" in older.group(1)
    for n in range(5):  # written while the admin reads the first page
        audit.record(session, by=SYSTEM, verb="generate", object_type="meeting_type",
                     object_id=500 + n, summary=f"late event {n}")
    session.commit()
    second = client.get(older.group(1).replace("&amp;", "&"))
    rows = rows_of(second.text)
    assert [r[4] for r in rows] == [f"event {n}" for n in range(29, -1, -1)]
    newer = re.search(r'href="([^"]*)" rel="prev"', second.text)
    assert newer and "verb=generate" in newer.group(1)
    back = rows_of(client.get(newer.group(1).replace("&amp;", "&")).text)
    assert len(back) == 100
    for bad in ("before=nonsense", "before=2024-01-01T00:00:00~x", "after=" + "9" * 80,
                "before=0001-01-01T00:00:00%2B01:00~5"):
        assert len(rows_of(client.get(f"/admin/audit?verb=generate&page=2&{bad}").text)) == 35
