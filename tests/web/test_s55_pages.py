"""The s55 response page: writing the texts, errors that keep what was typed, who may write,
and downloading the document."""

import io
import re

import docx
from sqlmodel import select

from app.models import AuditEvent, Finding, FindingEvent, Inspection, Role
from app.services import inspections
from tests.s55_seed import OVERALL, enter_seed, import_roads
from tests.web.test_inspection_pages import fields_of
from tests.web.test_live import sign_in


def _rec(session, inspection_id, number) -> Finding:
    return next(f for f in inspections.findings_of(session, inspection_id)
                if f.number == number)


def _form(client, inspection_id) -> dict[str, str]:
    page = client.get(f"/inspections/{inspection_id}/response")
    assert page.status_code == 200
    return fields_of(page.text)


def test_write_the_response_and_see_it_saved(client, session):
    inspection = import_roads(session)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/inspections/{inspection.id}")
    assert f'href="/inspections/{inspection.id}/response"' in page.text  # linked from it
    rec4 = _rec(session, inspection.id, "4")
    form = _form(client, inspection.id)
    assert form[f"finding-{rec4.id}-pcc_response"] == ""
    assert "There is no summary of the inspection." in client.get(
        f"/inspections/{inspection.id}/response").text
    form["summary"] = "The inspection examined roads policing.\n- in four themes"
    form[f"finding-{rec4.id}-pcc_response"] = "I will ask for the revised STRA."
    form[f"finding-{rec4.id}-cc_response"] = "The force already had a STRA for 2020."
    saved = client.post(f"/inspections/{inspection.id}/response", data=form,
                        follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/inspections/{inspection.id}/response?saved=1"
    session.rollback()
    session.refresh(inspection)
    assert inspection.summary == "The inspection examined roads policing.\n- in four themes"
    rec4 = _rec(session, inspection.id, "4")
    assert rec4.pcc_response == "I will ask for the revised STRA."
    history = session.exec(select(FindingEvent).where(FindingEvent.finding_id == rec4.id)
                           .order_by(FindingEvent.id)).all()
    assert history[-1].summary == ("Commissioner's response updated; Chief Constable's "
                                   "response updated")
    after = client.get(saved.headers["location"])
    assert "The response was saved." in after.text
    assert "There is no summary of the inspection." not in after.text
    assert "Recommendation 4 has no response" not in after.text
    assert "Recommendation 6 has no response" in after.text


def test_too_long_text_is_refused_keeping_what_was_typed(client, session):
    inspection = enter_seed(session)
    sign_in(client, session, Role.secretariat)
    form = _form(client, inspection.id)
    rec6 = _rec(session, inspection.id, "6")
    form["pcc_overall_comments"] = "Too long. " + "x" * 50_000
    form[f"finding-{rec6.id}-pcc_response"] = "A response typed beside the long text."
    refused = client.post(f"/inspections/{inspection.id}/response", data=form)
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert "must be 50,000 characters or fewer" in refused.text
    assert 'href="#pcc_overall_comments"' in refused.text
    kept = fields_of(refused.text)
    assert kept["pcc_overall_comments"] == form["pcc_overall_comments"]
    assert kept[f"finding-{rec6.id}-pcc_response"] == "A response typed beside the long text."
    session.rollback()
    session.refresh(inspection)
    assert inspection.pcc_overall_comments == OVERALL
    assert _rec(session, inspection.id, "6").pcc_response == ""


def test_control_characters_are_refused(client, session):
    inspection = import_roads(session)
    sign_in(client, session, Role.secretariat)
    form = _form(client, inspection.id)
    form["summary"] = "A summary with a bell\x07 in it"
    refused = client.post(f"/inspections/{inspection.id}/response", data=form)
    assert refused.status_code == 422
    assert "control character (U+0007)" in refused.text
    session.rollback()
    session.refresh(inspection)
    assert inspection.summary == ""


def test_a_finding_the_page_did_not_offer_is_refused(client, session):
    inspection = import_roads(session)
    other = import_roads(session)
    sign_in(client, session, Role.secretariat)
    form = _form(client, inspection.id)
    theirs = _rec(session, other.id, "4")
    afi = next(f for f in inspections.findings_of(session, inspection.id)
               if f.kind == "area_for_improvement")
    for extra in ({f"finding-{theirs.id}-pcc_response": "Not mine to answer."},
                  {"finding-999999-cc_response": "No such finding."},
                  {f"finding-{afi.id}-pcc_response": "An AFI has no response here."},
                  {"finding-x-cc_response": "Not a number."},
                  {"grade_of_everything": "Outstanding"}):
        refused = client.post(f"/inspections/{inspection.id}/response",
                              data={**form, **extra, "summary": "Changed."})
        assert refused.status_code == 422, extra
        assert "There is a problem" in refused.text
        assert 'href="#responses"' in refused.text
    session.rollback()
    session.refresh(inspection)
    assert inspection.summary == ""
    assert _rec(session, other.id, "4").pcc_response == ""


def test_an_unknown_inspection_is_not_found(client, session):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections").text)["csrf_token"]
    assert client.get("/inspections/424242/response").status_code == 404
    assert client.get("/inspections/424242/response.docx").status_code == 404
    assert client.post("/inspections/424242/response",
                       data={"csrf_token": token, "summary": "x"}).status_code == 404
    assert client.get("/inspections/99999999999999999999/response").status_code in (404, 422)


def test_a_viewer_reads_and_downloads_but_cannot_write(client, session):
    inspection = enter_seed(session)
    sign_in(client, session, Role.viewer)
    page = client.get(f"/inspections/{inspection.id}/response")
    assert page.status_code == 200
    assert "Save the response" not in page.text and "<textarea" not in page.text
    assert "The force already had a STRA for 2020 in place from January." in page.text
    assert "314 arrests" in page.text
    token = fields_of(page.text)["csrf_token"]
    refused = client.post(f"/inspections/{inspection.id}/response",
                          data={"csrf_token": token, "summary": "Mine now."})
    assert refused.status_code == 403
    session.rollback()
    session.refresh(inspection)
    assert inspection.summary.startswith("The inspection examined")
    assert client.get(f"/inspections/{inspection.id}/response.docx").status_code == 200


def test_the_force_cannot_write_the_commissioners_response(client, session):
    inspection = import_roads(session)
    sign_in(client, session, Role.force)
    token = fields_of(client.get(f"/inspections/{inspection.id}/response").text)["csrf_token"]
    rec4 = _rec(session, inspection.id, "4")
    refused = client.post(f"/inspections/{inspection.id}/response", data={
        "csrf_token": token, f"finding-{rec4.id}-pcc_response": "We are satisfied."})
    assert refused.status_code == 403
    session.rollback()
    assert _rec(session, inspection.id, "4").pcc_response == ""


def test_download_is_a_word_document_named_for_the_inspection_and_audited(client, session):
    inspection = enter_seed(session)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/inspections/{inspection.id}/response")
    assert f'href="/inspections/{inspection.id}/response.docx"' in page.text
    assert "Download the response (.docx)" in page.text
    download = client.get(f"/inspections/{inspection.id}/response.docx")
    assert download.status_code == 200
    assert download.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert re.search(r'attachment; filename="s55-response-Roads-policing-not-optional\.docx"',
                     download.headers["content-disposition"])
    document = docx.Document(io.BytesIO(download.content))
    assert document.tables[0].rows[0].cells[0].text == "Summary of inspection"
    session.rollback()
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "export",
                                                  AuditEvent.object_type == "inspection")
                         ).one()
    assert event.object_id == inspection.id
    assert session.get(Inspection, inspection.id) is not None
