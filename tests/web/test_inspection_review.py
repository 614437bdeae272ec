"""The import review page's own buttons and boxes: each finding's area of the report, the
report's theme, merging a finding with the next and splitting one at blank lines."""

from datetime import date

from sqlmodel import select

from app.models import Finding, FindingEvent, Inspection, Role
from tests.web.test_inspection_pages import ROADS, _import_roads, fields_of
from tests.web.test_live import sign_in

PEEL = ROADS.with_name("hmicfrs-peel-2023-25-staffordshire.txt")


def _texts(form) -> list[str]:
    return [form[f"finding-{i}-text"] for i in range(int(form["finding_count"]))]


def _saved_findings(session) -> list[Finding]:
    session.rollback()
    inspection = session.exec(select(Inspection)).one()
    return list(session.exec(select(Finding).where(Finding.inspection_id == inspection.id)
                             .order_by(Finding.position)).all())


def test_areas_are_carried_and_the_theme_fills_every_finding(client, session):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    review = client.post("/inspections/import", data={"csrf_token": token},
                         files={"file": (PEEL.name, PEEL.read_bytes(), "text/plain")})
    assert review.status_code == 200
    form = fields_of(review.text)
    assert form["finding-0-area"] == "Responding to the public"
    assert form["finding-2-area"] == "Protecting vulnerable people"
    # the graded areas are offered as suggestions for the area box
    assert '<option value="Investigating crime">' in review.text
    form["theme"] = "PEEL"
    form["finding-2-theme"] = "Domestic abuse"
    form["finding-1-area"] = "Investigating crime (corrected)"
    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    findings = _saved_findings(session)
    assert [f.theme for f in findings] == ["PEEL", "PEEL", "Domestic abuse", "PEEL", "PEEL"]
    assert [f.area for f in findings][:3] == [
        "Responding to the public", "Investigating crime (corrected)",
        "Protecting vulnerable people"]


def test_a_bad_theme_is_refused_and_nothing_is_saved(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    form["title"] = "Roads policing"
    form["theme"] = "Roads\x07policing"
    form["finding-0-area"] = "x" * 301
    response = client.post("/inspections", data=form)
    assert response.status_code == 422
    assert "The theme contains a control character" in response.text
    session.rollback()
    assert session.exec(select(Inspection)).first() is None


def test_merge_with_the_next_then_split_at_the_blank_line(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    before = _texts(form)
    assert len(before) == 9

    merged = client.post("/inspections/import/review", data={**form, "op": "merge-finding:0"})
    assert merged.status_code == 200
    assert "Findings 1 and 2 were merged" in merged.text
    form = fields_of(merged.text)
    assert form["finding_count"] == "8"
    assert form["finding-0-text"] == before[0] + "\n\n" + before[1]
    assert form["finding-0-number"] == "4"  # the first finding's number is kept
    assert _texts(form)[1:] == before[2:]

    split = client.post("/inspections/import/review", data={**form, "op": "split-finding:0"})
    assert split.status_code == 200
    assert "Finding 1 was split into 2 findings" in split.text
    form = fields_of(split.text)
    assert _texts(form) == before
    assert form["finding-1-kind"] == "recommendation"
    assert form["finding-1-addressee"] == "chief constables"

    form["title"] = "Roads policing"
    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303
    findings = _saved_findings(session)
    assert [f.text for f in findings] == before
    assert all(session.exec(select(FindingEvent).where(FindingEvent.finding_id == f.id)).all()
               for f in findings)


def test_split_into_several_and_split_without_a_blank_line(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    form["finding-8-text"] = "First part.\r\n\r\nSecond part.\n   \nThird part."
    split = client.post("/inspections/import/review", data={**form, "op": "split-finding:8"})
    form = fields_of(split.text)
    assert _texts(form)[8:] == ["First part.", "Second part.", "Third part."]
    assert {form[f"finding-{i}-kind"] for i in (8, 9, 10)} == {"area_for_improvement"}

    unchanged = client.post("/inspections/import/review", data={**form, "op": "split-finding:0"})
    assert unchanged.status_code == 200
    assert "was not split: its text has no blank line" in unchanged.text
    assert fields_of(unchanged.text)["finding_count"] == "11"


def test_merge_or_split_out_of_range_changes_nothing(client, session):
    sign_in(client, session, Role.secretariat)
    form = fields_of(_import_roads(client).text)
    before = _texts(form)
    for op in ("merge-finding:8", "merge-finding:99", "split-finding:99", "merge-finding:-1",
               "split-finding:x", "merge-finding:"):
        response = client.post("/inspections/import/review", data={**form, "op": op})
        assert response.status_code == 200, op
        assert _texts(fields_of(response.text)) == before, op


def test_the_last_finding_has_no_merge_button(client, session):
    sign_in(client, session, Role.secretariat)
    page = _import_roads(client).text
    assert 'value="merge-finding:7"' in page
    assert 'value="merge-finding:8"' not in page
    assert 'value="split-finding:8"' in page


def test_viewers_cannot_use_the_review_buttons(client, session):
    sign_in(client, session, Role.viewer)
    token = fields_of(client.get("/inspections").text).get("csrf_token", "")
    response = client.post("/inspections/import/review", data={
        "csrf_token": token, "finding_count": "1", "finding-0-text": "a\n\nb",
        "op": "split-finding:0"})
    assert response.status_code == 403


FIRE = ROADS.parent.parent / "inspections" / "fire-westmoor-web.txt"


def test_a_fire_report_shows_its_date_grades_and_deadline_and_saves_the_due_date(client,
                                                                                 session):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    review = client.post("/inspections/import", data={"csrf_token": token},
                         files={"file": (FIRE.name, FIRE.read_bytes(), "text/plain")})
    assert review.status_code == 200
    form = fields_of(review.text)
    assert form["force"] == "Westmoor Fire and Rescue Service"
    assert form["kind"] == "Fire and rescue"
    assert (form["published_on-day"], form["published_on-month"], form["published_on-year"]) \
        == ("12", "6", "2024")
    assert "The s55 response is due on 6 August 2024." in review.text
    assert int(form["judgment_count"]) == 11
    assert (form["judgment-7-area"], form["judgment-7-grade"]) == (
        "Promoting the right values and culture", "Inadequate")
    assert form["finding-1-deadline_text"] == "By 31 March 2025"
    assert "Saved with the due date 31 March 2025." in review.text
    saved = client.post("/inspections", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    findings = _saved_findings(session)
    assert [f.due_date for f in findings][:3] == [None, date(2025, 3, 31), None]
    assert findings[1].deadline_text == "By 31 March 2025"
