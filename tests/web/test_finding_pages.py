"""A finding's page: a question or an action about it in one step, superseding, changing its
theme, and what the rest of the product shows of it (the HMICFRS item of a meeting, a theme's
page). The first test is the issue's "done when", through the real pages and API."""

import io
from datetime import date, datetime, timedelta

import docx
import pytest
from sqlmodel import select

from app.models import (
    Action,
    Finding,
    FindingEvent,
    ItemKind,
    Question,
    QuestionStatus,
    Role,
)
from app.services import inspections
from app.services.dates import today
from app.services.inspections import FindingChange, ReviewedFinding, ReviewedReport
from app.web.deps import CSRF_HEADER
from tests.export.reading import block, rows_of
from tests.factories import (
    SYSTEM,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
)
from tests.web.signing import csrf_of
from tests.web.test_inspection_pages import fields_of
from tests.web.test_live import sign_in

ANSWER = "Two more collision investigators started in May; the backlog is down by a third."


def _inspection(session, title="Roads policing inspection", published=date(2024, 3, 14),
                texts=("Improve the collision investigation unit.",
                       "Review the use of roads policing data.")):
    return inspections.save_import(session, ReviewedReport(
        title=title, published_on=published,
        findings=[ReviewedFinding(kind="recommendation", number=str(n + 1), text=t)
                  for n, t in enumerate(texts)]), by=SYSTEM)


@pytest.fixture
def scene(session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    day = today() + timedelta(days=7)
    meeting = make_meeting(session, series, starts_at=datetime(day.year, day.month, day.day, 10),
                           chair_id=pcc.id)
    make_item(session, meeting, title="Holding to account", kind=ItemKind.holding_to_account)
    hmicfrs = make_item(session, meeting, title="HMICFRS inspection programme",
                        kind=ItemKind.hmicfrs)
    inspection = _inspection(session)
    finding = inspections.findings_of(session, inspection.id)[0]
    inspections.update_finding(session, inspection.id, finding.id,
                               FindingChange(owner_id=dcc.id, due_date=day), by=SYSTEM)
    return {"pcc": pcc, "cc": cc, "dcc": dcc, "meeting": meeting, "hmicfrs": hmicfrs,
            "inspection": inspection, "finding": finding}


def _page(inspection, finding) -> str:
    return f"/inspections/{inspection.id}/findings/{finding.id}"


def form_of(html: str, route: str) -> dict[str, str]:
    """The fields of the page's form that posts to …/{route}, as a browser would send them."""
    start = html.index(f'/{route}" novalidate>')
    return fields_of(html[start:html.index("</form>", start)])


def _events(session, finding) -> list[str]:
    session.rollback()  # end the test's read transaction: see what the app committed
    return [e.summary for e in session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.id))]


def test_a_finding_asked_about_in_a_meeting_is_in_the_minutes_and_its_history(
        client, session, scene):
    """Done when: a finding turned into a question is asked in a meeting and appears, with
    its answer, in that meeting's exported minutes and in the finding's history."""
    inspection, finding, meeting = scene["inspection"], scene["finding"], scene["meeting"]
    sign_in(client, session, Role.secretariat)
    register = client.get(f"/inspections/{inspection.id}")
    assert f'href="{_page(inspection, finding)}"' in register.text

    page = client.get(_page(inspection, finding))
    assert page.status_code == 200
    form = form_of(page.text, "question")
    assert form["text"].startswith("What progress has the force made on recommendation 1: "
                                   "Improve the collision investigation unit?")
    asked = client.post(f"{_page(inspection, finding)}/question", follow_redirects=False,
                        data={"csrf_token": form["csrf_token"], "text": form["text"],
                              "meeting_id": str(meeting.id)})
    assert asked.status_code == 303
    session.rollback()
    [question] = session.exec(select(Question)).all()
    assert (question.finding_id, question.item_id) == (finding.id, scene["hmicfrs"].id)
    assert question.addressed_to_id == scene["dcc"].id

    # The minute-taker sees the finding and the prepared question under the HMICFRS item …
    taking = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert "Improve the collision investigation unit." in taking.text
    assert f'/inspections/{inspection.id}/findings/{finding.id}' in taking.text
    # … and minutes the question being asked and answered, as the page's script does.
    headers = {CSRF_HEADER: csrf_of(taking.text)}
    item_entries = f"/api/v1/items/{scene['hmicfrs'].id}/entries"
    for kind, speaker, text in (
            ("question", scene["pcc"], "The PCC asked the DCC what progress the force has "
             "made on the collision investigation unit."),
            ("answer", scene["dcc"], ANSWER)):
        made = client.post(item_entries, headers=headers, json={
            "kind": kind, "speaker_id": speaker.id, "question_id": question.id, "text": text})
        assert made.status_code == 201, made.text
    session.rollback()
    assert session.get(Question, question.id).status == QuestionStatus.answered

    minutes = client.get(f"/api/v1/meetings/{meeting.id}/minutes.docx")
    assert minutes.status_code == 200
    document = docx.Document(io.BytesIO(minutes.content))
    rows = rows_of(document.tables[1])[1:]
    texts = [t for row in block(rows, "HMICFRS INSPECTION PROGRAMME") for t in row.texts]
    assert ("The PCC asked the DCC what progress the force has made on the collision "
            "investigation unit.") in texts
    assert ANSWER in texts

    history = client.get(_page(inspection, finding)).text
    assert "Question asked at the Monthly Assurance Meeting" in history
    assert "Answer given in the meeting" in history and ANSWER in history
    # The question links back to the finding
    question_page = client.get(f"/questions/{question.id}").text
    assert f'href="/findings/{finding.id}"' in question_page
    back = client.get(f"/findings/{finding.id}", follow_redirects=False)
    assert back.headers["location"] == _page(inspection, finding)


def test_an_action_raised_from_the_page_has_the_findings_owner_and_due_date(
        client, session, scene):
    inspection, finding = scene["inspection"], scene["finding"]
    sign_in(client, session, Role.secretariat)
    form = form_of(client.get(_page(inspection, finding)).text, "action")
    assert form["owner_id"] == str(scene["dcc"].id)
    due = finding.due_date
    assert (form["action_due-day"], form["action_due-month"], form["action_due-year"]) == (
        str(due.day), str(due.month), str(due.year))
    raised = client.post(f"{_page(inspection, finding)}/action", data={
        "csrf_token": form["csrf_token"], "text": "The DCC to report on the unit's backlog.",
        "owner_id": str(scene["dcc"].id), "meeting_id": str(scene["meeting"].id),
        **{k: v for k, v in form.items() if k.startswith("action_due-")}})
    assert raised.status_code == 200 and "The action has been raised" in raised.text
    session.rollback()
    [action] = session.exec(select(Action)).all()
    assert action.finding_id == finding.id and action.due_date == finding.due_date
    assert action.reference in raised.text
    assert _events(session, finding)[-1].startswith(f"Action {action.reference} raised: ")
    action_page = client.get(f"/actions/{action.id}").text
    assert f'href="/findings/{finding.id}"' in action_page


def test_superseding_through_the_page(client, session, scene):
    inspection, local = scene["inspection"], scene["finding"]
    national = _inspection(session, title="National roads policing thematic",
                           published=date(2025, 1, 10),
                           texts=("Forces should adopt the national collision standard.",))
    later = inspections.findings_of(session, national.id)[0]
    sign_in(client, session, Role.secretariat)
    page = client.get(_page(inspection, local)).text
    assert "National roads policing thematic — Recommendation 1: Forces should adopt" in page
    token = fields_of(page)["csrf_token"]
    done = client.post(f"{_page(inspection, local)}/supersede",
                       data={"csrf_token": token, "later_id": str(later.id)})
    assert done.status_code == 200
    assert "Superseded by" in done.text and f"/findings/{later.id}" in done.text
    later_page = client.get(_page(national, later)).text
    assert "Supersedes Roads policing inspection — Recommendation 1" in later_page
    assert "Superseded" in client.get(f"/inspections/{inspection.id}").text
    # the other way round would be a cycle: refused, nothing changed
    before = _events(session, later)
    refused = client.post(f"{_page(national, later)}/supersede",
                          data={"csrf_token": token, "later_id": str(local.id)})
    assert refused.status_code == 422 and "cannot be replaced by one it replaces" in refused.text
    assert _events(session, later) == before
    assert session.get(Finding, later.id).superseded_by_id is None


@pytest.mark.parametrize(("route", "data", "message"), [
    ("question", {"text": ""}, "Enter the question"),
    ("question", {"text": "Why\x01?"}, "control character"),
    ("question", {"text": "Why?", "meeting_id": "abc"}, "Choose a meeting from the list"),
    ("question", {"text": "Why?", "meeting_id": "999999"}, "meeting"),
    ("action", {"text": "Do it.", "owner_id": "", "due_date": ""}, "Choose who owns"),
    ("action", {"text": "Do it.", "owner_id": "999999"}, "There is no person"),
    ("action", {"text": "Do it.", "owner_id": "1", "action_due-day": "31",
                "action_due-month": "2", "action_due-year": "2030"},
     "The due date must be a real date"),
    ("action", {"text": "Do it.", "owner_id": "1", "action_due-day": "3",
                "action_due-year": "2030"}, "The due date must include a month"),
    ("edit", {"due_date-day": "31", "due_date-month": "2", "due_date-year": "2030"},
     "The due date must be a real date"),
    ("edit", {"due_date-day": "30", "due_date-month": "9"}, "The due date must include a year"),
    ("supersede", {"later_id": "self"}, "cannot replace itself"),
    ("supersede", {"later_id": "999999"}, "Choose the finding"),
    ("supersede", {"later_id": "-1"}, "Choose the finding"),
    ("edit", {"theme": "x" * 201}, "200 characters"),
    ("edit", {"theme": "Roads", "force_status": "done"}, "Choose the force"),
])
def test_bad_input_is_a_clear_422_and_changes_nothing(client, session, scene, route, data,
                                                      message):
    inspection, finding = scene["inspection"], scene["finding"]
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get(_page(inspection, finding)).text)["csrf_token"]
    if data.get("later_id") == "self":
        data = {"later_id": str(finding.id)}
    before = (_events(session, finding), session.exec(select(Question)).all(),
              session.exec(select(Action)).all())
    response = client.post(f"{_page(inspection, finding)}/{route}",
                           data={"csrf_token": token, **data})
    assert response.status_code == 422
    assert message in response.text
    assert "govuk-error-summary" in response.text
    after = (_events(session, finding), session.exec(select(Question)).all(),
             session.exec(select(Action)).all())
    assert after == before


def test_a_due_date_that_does_not_exist_keeps_what_was_typed_and_links_to_the_day_box(
        client, session, scene):
    inspection, finding = scene["inspection"], scene["finding"]
    due = finding.due_date
    sign_in(client, session, Role.secretariat)
    form = form_of(client.get(_page(inspection, finding)).text, "edit")
    refused = client.post(f"{_page(inspection, finding)}/edit", data={
        **form, "due_date-day": "31", "due_date-month": "2", "due_date-year": "2030",
        "theme": "Roads"})
    assert refused.status_code == 422
    assert refused.text.count("The due date must be a real date") == 2  # summary and field
    assert 'href="#due_date-day"' in refused.text
    typed = form_of(refused.text, "edit")
    assert (typed["due_date-day"], typed["due_date-month"], typed["due_date-year"]) == (
        "31", "2", "2030")
    assert typed["theme"] == "Roads"
    session.rollback()
    assert session.get(Finding, finding.id).due_date == due
    assert session.get(Finding, finding.id).theme in (None, "")
    # the action form is the same
    refused = client.post(f"{_page(inspection, finding)}/action", data={
        "csrf_token": form["csrf_token"], "text": "Do it.", "owner_id": str(scene["dcc"].id),
        "action_due-day": "30", "action_due-month": "", "action_due-year": "2026"})
    assert refused.status_code == 422
    assert 'href="#action_due-day"' in refused.text
    typed = form_of(refused.text, "action")
    assert (typed["action_due-day"], typed["action_due-month"]) == ("30", "")
    assert session.exec(select(Action)).all() == []


def test_unknown_or_mismatched_ids_are_404(client, session, scene):
    inspection, finding = scene["inspection"], scene["finding"]
    other = _inspection(session, title="Another report")
    sign_in(client, session, Role.secretariat)
    assert client.get(f"/inspections/{inspection.id}/findings/999999").status_code == 404
    assert client.get(f"/inspections/{other.id}/findings/{finding.id}").status_code == 404
    assert client.get("/findings/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_viewers_and_the_force_read_the_page_but_cannot_act(client, session, scene, role):
    inspection, finding = scene["inspection"], scene["finding"]
    sign_in(client, session, role)
    page = client.get(_page(inspection, finding))
    assert page.status_code == 200 and "Improve the collision investigation unit." in page.text
    assert "Ask a question about this finding" not in page.text
    assert "Raise an action" not in page.text
    token = csrf_of(page.text)
    for route, data in (("question", {"text": "Why?"}),
                        ("action", {"text": "Do it.", "owner_id": str(scene["dcc"].id)}),
                        ("edit", {"theme": "Roads"})):
        response = client.post(f"{_page(inspection, finding)}/{route}",
                               data={"csrf_token": token, **data})
        assert response.status_code == 403
    session.rollback()
    assert session.exec(select(Question)).all() == []
    assert session.exec(select(Action)).all() == []


def test_a_draft_question_about_a_finding_is_not_shown_to_a_viewer(client, session, scene):
    from app.services.finding_links import question_from_finding
    from app.services.permissions import Actor

    inspection, finding = scene["inspection"], scene["finding"]
    question_from_finding(session, finding.id, text="Is the unit short of staff?",
                          by=Actor(role=Role.secretariat, label="officer"))
    sign_in(client, session, Role.viewer)
    for path in (_page(inspection, finding), f"/inspections/{inspection.id}"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Is the unit short of staff?" not in page.text


def test_the_theme_page_lists_findings_even_without_questions(client, session, scene):
    inspection, finding = scene["inspection"], scene["finding"]
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get(_page(inspection, finding)).text)["csrf_token"]
    saved = client.post(f"{_page(inspection, finding)}/edit", data={
        "csrf_token": token, "owner_id": str(scene["dcc"].id),
        "due_date-day": str(finding.due_date.day), "due_date-month": str(finding.due_date.month),
        "due_date-year": str(finding.due_date.year), "force_status": "in_progress",
        "opcc_status": "not_assessed", "theme": "Collision investigation"})
    assert saved.status_code == 200 and "The finding has been saved." in saved.text
    assert _events(session, finding)[-1].endswith("theme: (none) → Collision investigation")
    theme = client.get("/questions/themes/collision INVESTIGATION")
    assert theme.status_code == 200
    assert "Inspection findings on this theme" in theme.text
    assert f'href="{_page(inspection, finding)}"' in theme.text
    assert "Roads policing inspection" in theme.text
    assert "No question has been asked on" in theme.text
    assert client.get("/questions/themes/Burglary").status_code == 404


def test_the_agenda_lists_findings_due_by_the_meeting_under_its_hmicfrs_item(
        client, session, scene):
    meeting, finding = scene["meeting"], scene["finding"]
    sign_in(client, session, Role.secretariat)
    agenda = client.get(f"/meetings/{meeting.id}/agenda").text
    assert "Inspection findings due or changed since the last meeting" in agenda
    hmicfrs_part = agenda.split('id="item-' + str(scene["hmicfrs"].id) + '"')[1]
    assert "Improve the collision investigation unit." in hmicfrs_part
    assert f"findings/{finding.id}" in hmicfrs_part
    prepare = client.get(f"/meetings/{meeting.id}/prepare").text
    assert f"findings/{finding.id}" in prepare
