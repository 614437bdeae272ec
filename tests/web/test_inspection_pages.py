"""The inspection register's pages: import a report (upload → review → save), the register,
the s55 dates, updating a finding with its history, and the dashboard's warning."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Finding, FindingEvent, Inspection, Role
from app.services.dates import today
from tests.factories import make_person
from tests.web.test_live import sign_in

ROADS = Path(__file__).parents[1] / "data" / "hmicfrs" / \
    "hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt"


class _Fields(HTMLParser):
    """The named fields of the page's forms, as a browser would send them (no buttons)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._searching = False  # inside a search form (the header's): not the page's fields

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "form":
            self._searching = a.get("role") == "search"
        if self._searching:
            return
        if tag == "input" and name and a.get("type") != "file":
            self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and ("selected" in a
                                                   or not self.fields[self._select]):
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._searching = False
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def fields_of(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    # a textarea's first newline is not part of its value
    return parser.fields


def _import_roads(client):
    page = client.get("/inspections/import")
    assert page.status_code == 200
    token = fields_of(page.text)["csrf_token"]
    return client.post("/inspections/import", data={"csrf_token": token},
                       files={"file": (ROADS.name, ROADS.read_bytes(), "text/plain")})


def test_import_review_remove_add_save_then_register(client, session):
    sign_in(client, session, Role.secretariat)
    review = _import_roads(client)
    assert review.status_code == 200
    form = fields_of(review.text)
    kinds = [form[f"finding-{i}-kind"] for i in range(int(form["finding_count"]))]
    assert kinds.count("recommendation") == 6
    assert kinds.count("area_for_improvement") == 3

    removed_text = form["finding-0-text"]
    after_remove = client.post("/inspections/import/review",
                               data={**form, "op": "remove-finding:0"})
    assert after_remove.status_code == 200
    form = fields_of(after_remove.text)
    assert form["finding_count"] == "8"
    after_add = client.post("/inspections/import/review", data={**form, "op": "add-finding"})
    form = fields_of(after_add.text)
    assert form["finding_count"] == "9"
    form["finding-8-kind"] = "cause_of_concern"
    form["finding-8-text"] = "The force should fix the speed camera backlog."
    form["title"] = "Roads policing: summary"
    form.update(_boxes("published_on", 14, 3, 2024))
    assert session.exec(select(Inspection)).first() is None  # nothing saved yet

    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303
    session.rollback()
    inspection = session.exec(select(Inspection)).one()
    assert inspection.published_on == date(2024, 3, 14)
    findings = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)
                            .order_by(Finding.position)).all()
    assert len(findings) == 9
    assert removed_text.strip() not in [f.text for f in findings]
    assert findings[-1].kind == "cause_of_concern"

    register = client.get("/inspections")
    assert register.status_code == 200
    assert "Roads policing: summary" in register.text
    assert "8 May 2024" in register.text

    details = client.get(saved.headers["location"])
    assert details.status_code == 200
    assert "The force should fix the speed camera backlog." in details.text


def _boxes(name, day, month, year) -> dict[str, str]:
    """A date as typed into the three boxes of the date input `name`."""
    return {f"{name}-day": str(day), f"{name}-month": str(month), f"{name}-year": str(year)}


def _saved(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    form["title"] = "Roads policing"
    form.update(_boxes("published_on", 14, 3, 2024))
    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303
    session.rollback()
    inspection = session.exec(select(Inspection)).one()
    return inspection, saved.headers["location"]


def test_update_a_finding_writes_history(client, session):
    inspection, location = _saved(client, session)
    owner = make_person(session, full_name="Chief Superintendent Roads")
    finding = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).first()
    page = client.get(location)
    token = fields_of(page.text)["csrf_token"]
    response = client.post(f"/inspections/{inspection.id}/findings/{finding.id}", data={
        "csrf_token": token, "owner_id": str(owner.id), **_boxes("due_date", 30, 9, 2024),
        "force_status": "in_progress", "opcc_status": "partly_satisfied",
        "opcc_evidence": "Action plan seen."}, follow_redirects=False)
    assert response.status_code == 303
    session.rollback()
    events = session.exec(select(FindingEvent).where(FindingEvent.finding_id == finding.id)
                          ).all()
    assert len(events) == 2
    assert "Partly satisfied" in events[-1].summary
    page = client.get(location)
    assert "Partly satisfied" in page.text and "Chief Superintendent Roads" in page.text

    bad = client.post(f"/inspections/{inspection.id}/findings/{finding.id}", data={
        "csrf_token": token, "force_status": "finished?", "opcc_status": "satisfied"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    no_month = client.post(f"/inspections/{inspection.id}/findings/{finding.id}", data={
        "csrf_token": token, "owner_id": str(owner.id), "due_date-day": "1",
        "due_date-year": "2025", "force_status": "in_progress", "opcc_status": "satisfied",
        "opcc_evidence": "Typed before the refusal."})
    assert no_month.status_code == 422
    assert "The due date must include a month" in no_month.text
    # Everything typed in the refused form is kept, not only its date.
    assert "Typed before the refusal." in no_month.text
    assert re.search(rf'id="opcc_status-{finding.id}".*?<option value="satisfied" selected>',
                     no_month.text, re.S)
    assert f'href="#due_date-{finding.id}-day"' in no_month.text
    assert f'id="due_date-{finding.id}-day" name="due_date-day" type="text" ' \
        'inputmode="numeric" autocomplete="off" value="1"' in no_month.text
    session.rollback()
    assert len(session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id)).all()) == 2
    assert session.get(Finding, finding.id).due_date == date(2024, 9, 30)


def test_bad_dates_are_refused_with_a_message(client, session):
    inspection, location = _saved(client, session)
    token = fields_of(client.get(location).text)["csrf_token"]
    bad = client.post(f"/inspections/{inspection.id}/dates", data={
        "csrf_token": token, **_boxes("published_on", 31, 2, 2024),
        **_boxes("response_sent_on", "soon", 5, 2024),
        "cc_comments_received_on-day": "2", "cc_comments_received_on-year": "2024"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    assert "The publication date must be a real date" in bad.text
    assert 'href="#published_on-day"' in bad.text
    assert "must include a month" in bad.text and 'href="#cc_comments_received_on-day"' in bad.text
    assert 'href="#response_sent_on-day"' in bad.text
    typed = fields_of(bad.text.split('/dates" novalidate>')[1].split("</form>")[0])
    assert (typed["published_on-day"], typed["published_on-month"]) == ("31", "2")
    assert typed["response_sent_on-day"] == "soon"
    session.rollback()
    session.refresh(inspection)
    assert inspection.published_on == date(2024, 3, 14)
    good = client.post(f"/inspections/{inspection.id}/dates", data={
        "csrf_token": token, **_boxes("published_on", 14, 3, 2024),
        **_boxes("cc_comments_requested_on", 15, 3, 2024),
        **_boxes("response_published_on", 1, 5, 2024)},
        follow_redirects=False)
    assert good.status_code == 303
    session.rollback()
    session.refresh(inspection)
    assert inspection.response_published_on == date(2024, 5, 1)


def test_bad_publication_date_on_save(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    form.update(_boxes("published_on", 31, 2, 2024))
    form["title"] = ""
    response = client.post("/inspections", data=form)
    assert response.status_code == 422
    session.rollback()
    assert "Enter the report&#39;s title" in response.text or "Enter the report's title" in \
        response.text
    assert "The publication date must be a real date" in response.text
    assert 'href="#published_on-day"' in response.text
    typed = fields_of(response.text)
    assert (typed["published_on-day"], typed["published_on-month"],
            typed["published_on-year"]) == ("31", "2", "2024")
    assert session.exec(select(Inspection)).first() is None


def test_empty_upload_is_a_clear_error(client, session):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    empty = client.post("/inspections/import", data={"csrf_token": token},
                        files={"file": ("empty.txt", b"", "text/plain")})
    assert empty.status_code == 422
    assert "The file you chose is empty" in empty.text
    nothing = client.post("/inspections/import", data={"csrf_token": token, "text": " "})
    assert nothing.status_code == 422
    assert "Choose the report" in nothing.text


def test_a_report_over_the_ordinary_body_limit_reaches_the_importer(client, session):
    """Reports run to tens of megabytes: a 3 MB upload is read (and here found not to be a
    PDF), not refused as too large for an ordinary form."""
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    big = client.post("/inspections/import", data={"csrf_token": token},
                      files={"file": ("report.pdf", b"x" * (3 * 1024 * 1024), "application/pdf")})
    assert big.status_code == 422, big.status_code
    assert "Too large" not in big.text


def test_unrecognised_text_asks_for_the_findings_by_hand(client, session):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    page = client.post("/inspections/import", data={"csrf_token": token,
                                                    "text": "Some words with no structure."})
    assert page.status_code == 200
    assert "Here is the text, mark the findings" in page.text
    assert "Some words with no structure." in page.text


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_viewer_and_force_cannot_import_but_read(client, session, role):
    sign_in(client, session, role)
    assert client.get("/inspections").status_code == 200
    assert client.get("/inspections/import").status_code == 403
    token = fields_of(client.get("/inspections").text).get("csrf_token", "")
    if token:
        refused = client.post("/inspections/import", data={"csrf_token": token, "text": "x"})
        assert refused.status_code == 403


def test_dashboard_warns_14_days_ahead(client, session):
    now = today()
    session.add(Inspection(title="Custody inspection",
                           published_on=now + timedelta(days=9) - timedelta(days=55)))
    session.add(Inspection(title="Far off", published_on=now + timedelta(days=15)
                           - timedelta(days=55)))
    session.commit()
    sign_in(client, session, Role.chair)
    page = client.get("/meetings")
    assert "The response to" in page.text and "Custody inspection" in page.text
    assert "9 days left" in page.text
    assert "Far off" not in page.text


def test_overdue_response_is_said_and_viewers_get_no_warning(client, session):
    session.add(Inspection(title="Late inspection",
                           published_on=today() - timedelta(days=58)))
    session.commit()
    sign_in(client, session, Role.viewer)
    assert "Late inspection" not in client.get("/meetings").text
    client.cookies.clear()
    sign_in(client, session, Role.secretariat)
    page = client.get("/meetings")
    assert "Late inspection" in page.text and "overdue</strong> by 3 days" in page.text
    register = client.get("/inspections")
    assert "Overdue by 3 days" in register.text


def test_an_unknown_finding_or_inspection_is_404(client, session):
    inspection, location = _saved(client, session)
    token = fields_of(client.get(location).text)["csrf_token"]
    assert client.get("/inspections/999999").status_code == 404
    response = client.post(f"/inspections/{inspection.id}/findings/999999", data={
        "csrf_token": token, "force_status": "in_progress", "opcc_status": "satisfied"})
    assert response.status_code == 404


def test_a_peel_report_with_judgments_saves_as_read(client, session):
    peel = ROADS.with_name("hmicfrs-peel-2023-25-staffordshire.txt")
    sign_in(client, session, Role.admin)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    review = client.post("/inspections/import", data={"csrf_token": token},
                         files={"file": (peel.name, peel.read_bytes(), "text/plain")})
    assert review.status_code == 200
    form = fields_of(review.text)
    assert int(form["judgment_count"]) > 0
    if not form["title"]:
        form["title"] = "PEEL 2023-25"
    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    assert client.get(saved.headers["location"]).status_code == 200


def test_the_register_tags_the_findings_a_later_one_replaces(client, session):
    inspection = Inspection(title="Roads policing", published_on=date(2024, 3, 14))
    session.add(inspection)
    session.flush()
    later = Finding(inspection_id=inspection.id, kind="recommendation", text="Do more.")
    session.add(later)
    session.flush()
    session.add_all([
        Finding(inspection_id=inspection.id, kind="recommendation", text="Linked.",
                superseded_by_id=later.id, position=1),
        Finding(inspection_id=inspection.id, kind="recommendation", text="Marked.",
                force_status="superseded", position=2),
    ])
    session.commit()
    sign_in(client, session, Role.viewer)
    page = client.get(f"/inspections/{inspection.id}").text
    rows = page.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    tagged = [row.count(">Superseded</strong>") for row in rows.split("</tr>")[:3]]
    assert tagged == [0, 1, 1]
