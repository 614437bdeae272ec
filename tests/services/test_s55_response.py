"""The s55 response's rules: the statement with only the recorded dates, what is still missing,
saving the texts (all or nothing, with each finding's history) and who may."""

from datetime import date

import pytest
from sqlmodel import select

from app.models import AuditEvent, Finding, FindingEvent, Inspection, InspectionJudgment, Role
from app.services import inspections
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.services.permissions import Actor
from app.services.s55_response import (
    NOT_GRADED,
    TEXT_MAX,
    ResponseTexts,
    response_for_export,
    response_of,
    statement,
    update_texts,
)
from tests.factories import SYSTEM
from tests.s55_seed import CC_RESPONSES, OVERALL, enter_seed, import_roads


def _by_number(session, inspection_id) -> dict[str, Finding]:
    return {f.number: f for f in inspections.findings_of(session, inspection_id)}


def test_statement_names_only_the_dates_recorded():
    inspection = Inspection(title="Roads", published_on=date(2024, 3, 14))
    said = statement(inspection)
    assert said.startswith("This response is published under section 55(1) of the Police "
                           "Act 1996.")
    assert "published the report on 14 March 2024" in said
    assert "by 8 May 2024" in said  # 56 days counting the day of publication
    assert "requested" not in said and "received" not in said and "sent" not in said

    inspection.cc_comments_received_on = date(2024, 4, 19)
    inspection.response_sent_on = date(2024, 5, 3)
    said = statement(inspection)
    assert "The Chief Constable's comments were received on 19 April 2024." in said
    assert "requested" not in said
    assert "sent to HMICFRS and the Home Secretary on 3 May 2024." in said
    assert "This response was published on" not in said

    no_dates = statement(Inspection(title="Roads"))
    assert no_dates == "This response is published under section 55(1) of the Police Act 1996."


def test_a_new_import_lists_everything_missing(session):
    inspection = import_roads(session)
    warnings = response_of(session, inspection.id).warnings
    assert "There is no summary of the inspection." in warnings
    assert f'No grade is entered: the document says "{NOT_GRADED}".' in warnings
    assert ("Recommendation 4 has no response from the Commissioner or the Chief Constable."
            in warnings)
    assert sum("has no response" in w for w in warnings) == 6  # the six recommendations
    assert "There are no overall comments from the Commissioner." in warnings


def test_the_seed_entered_leaves_only_the_per_recommendation_gaps(session):
    inspection = enter_seed(session)
    response = response_of(session, inspection.id)
    assert [f.label for f in response.recommendations] == [
        "Recommendation 4", "Recommendation 6", "Recommendation 8", "Recommendation 9",
        "Recommendation 10", "Recommendation 12"]
    assert [f.label for f in response.afis] == [
        "Area for improvement 1", "Area for improvement 2", "Area for improvement 3"]
    assert response.recommendations[0].cc_response.startswith(
        "The force already had a STRA for 2020 in place from January.")
    assert response.pcc_overall_comments == OVERALL
    assert response.warnings == [
        f'No grade is entered: the document says "{NOT_GRADED}".',
        *[f"Recommendation {n} has no response from the Commissioner."
          for n in ("6", "8", "9", "10", "12")]]


def test_saving_writes_each_changed_finding_history_and_the_audit(session):
    inspection = enter_seed(session)
    rec = _by_number(session, inspection.id)
    before = len(session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == rec["6"].id)).all())
    update_texts(session, inspection.id, ResponseTexts(findings={
        rec["6"].id: {"pcc_response": "I will follow this up at the next meeting.",
                      "cc_response": CC_RESPONSES["6"]}}), by=SYSTEM)
    events = session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == rec["6"].id).order_by(FindingEvent.id)).all()
    assert len(events) == before + 1
    assert events[-1].summary == "Commissioner's response updated"  # the CC's did not change
    assert events[-1].by_label == "tests"
    audit = session.exec(select(AuditEvent).where(AuditEvent.object_type == "finding",
                                                  AuditEvent.object_id == rec["6"].id)).all()
    assert audit[-1].summary == "s55 response: Commissioner's response updated"

    # the same texts again: nothing changes, nothing is written
    count = len(session.exec(select(AuditEvent)).all())
    assert update_texts(session, inspection.id, ResponseTexts(
        pcc_overall_comments=OVERALL, findings={
            rec["6"].id: {"pcc_response": "I will follow this up at the next meeting."}}),
        by=SYSTEM) == []
    assert len(session.exec(select(AuditEvent)).all()) == count


def test_line_ends_are_tidied_and_blank_edges_trimmed(session):
    inspection = import_roads(session)
    update_texts(session, inspection.id, ResponseTexts(
        summary="\r\nFirst paragraph.\r\n- a bullet\r\n\r\n", grade="  Good  "), by=SYSTEM)
    session.refresh(inspection)
    assert inspection.summary == "First paragraph.\n- a bullet"
    assert inspection.grade == "Good"


@pytest.mark.parametrize(("texts", "field", "words"), [
    (ResponseTexts(summary="A bell\x07 rings"), "summary", "control character (U+0007)"),
    (ResponseTexts(summary="x" * (TEXT_MAX + 1)), "summary", "50,000 characters or fewer"),
    (ResponseTexts(grade="Good\nand bad"), "grade", "single line"),
    (ResponseTexts(grade="G" * 101), "grade", "100 characters or fewer"),
])
def test_bad_text_is_refused_and_nothing_is_saved(session, texts, field, words):
    inspection = enter_seed(session)
    rec4 = _by_number(session, inspection.id)["4"]
    texts.pcc_overall_comments = "Changed, but must not be saved."
    texts.findings = {rec4.id: {"cc_response": "Changed, but must not be saved."}}
    with pytest.raises(InvalidInput) as refused:
        update_texts(session, inspection.id, texts, by=SYSTEM)
    assert words in refused.value.errors[field]
    session.rollback()
    session.refresh(inspection)
    session.refresh(rec4)
    assert inspection.pcc_overall_comments == OVERALL
    assert rec4.cc_response == CC_RESPONSES["4"]


def test_text_of_exactly_the_limit_is_taken(session):
    inspection = import_roads(session)
    update_texts(session, inspection.id, ResponseTexts(summary="x" * TEXT_MAX), by=SYSTEM)
    session.refresh(inspection)
    assert len(inspection.summary) == TEXT_MAX


def test_a_finding_not_of_this_inspection_or_not_answered_is_refused(session):
    inspection = import_roads(session)
    other = import_roads(session)
    theirs = _by_number(session, other.id)["4"]
    afi = next(f for f in inspections.findings_of(session, inspection.id)
               if f.kind == "area_for_improvement")
    for finding_id, words in ((theirs.id, "no finding"), (99_999, "no finding"),
                              (-3, "no finding"), (afi.id, "recommendations and causes")):
        with pytest.raises(InvalidInput) as refused:
            update_texts(session, inspection.id, ResponseTexts(
                findings={finding_id: {"pcc_response": "Noted."}}), by=SYSTEM)
        assert words in refused.value.errors[f"finding-{finding_id}"]
    rec4 = _by_number(session, inspection.id)["4"]
    with pytest.raises(InvalidInput) as refused:
        update_texts(session, inspection.id, ResponseTexts(
            findings={rec4.id: {"opcc_status": "satisfied"}}), by=SYSTEM)
    assert f"finding-{rec4.id}-opcc_status" in refused.value.errors
    session.rollback()
    assert theirs.pcc_response == "" and afi.pcc_response == ""


def test_an_unknown_inspection_is_not_found(session):
    with pytest.raises(NotFound):
        response_of(session, 424242)
    with pytest.raises(NotFound):
        update_texts(session, 424242, ResponseTexts(summary="x"), by=SYSTEM)


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_only_the_record_keepers_write_it(session, role):
    inspection = import_roads(session)
    with pytest.raises(Forbidden):
        update_texts(session, inspection.id, ResponseTexts(summary="Mine."),
                     by=Actor(role=role, user_id=None, label=str(role)))
    session.refresh(inspection)
    assert inspection.summary == ""
    # reading and downloading is for everyone who sees the inspection
    assert response_for_export(session, inspection.id,
                               by=Actor(role=role, label=str(role))).inspection_id == inspection.id


def test_the_export_is_audited(session):
    inspection = import_roads(session)
    response_for_export(session, inspection.id, by=SYSTEM)
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "export")).one()
    assert (event.object_type, event.object_id) == ("inspection", inspection.id)
    assert event.summary.startswith("s55 response (docx)")


def test_a_superseded_recommendation_is_marked_and_needs_no_response(session):
    inspection = import_roads(session)
    rec = _by_number(session, inspection.id)
    rec["9"].superseded_by_id = rec["10"].id
    session.add(rec["9"])
    session.commit()
    response = response_of(session, inspection.id)
    nine = next(f for f in response.recommendations if f.label == "Recommendation 9")
    assert nine.superseded_by == "Recommendation 10"
    assert not any(w.startswith("Recommendation 9 ") for w in response.warnings)
    assert any(w.startswith("Recommendation 10 ") for w in response.warnings)


def test_the_grade_shows_the_reports_judgments(session):
    inspection = import_roads(session)
    session.add(InspectionJudgment(inspection_id=inspection.id, area="Investigating crime",
                                   grade="Requires improvement", position=0))
    session.commit()
    response = response_of(session, inspection.id)
    assert response.judgments == [("Investigating crime", "Requires improvement")]
    assert not any("No grade" in w for w in response.warnings)
