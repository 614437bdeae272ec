"""The inspection register: the s55 due date, the dashboard's warning, saving an import and a
finding's history."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import Finding, FindingEvent, Inspection, Role
from app.services import inspections
from app.services.errors import Forbidden, InvalidInput
from app.services.inspections import (
    FindingChange,
    ReviewedFinding,
    ReviewedReport,
    inspections_due,
    s55_due,
)
from app.services.permissions import Actor
from tests.factories import SYSTEM, make_person


@pytest.mark.parametrize(("published", "due"), [
    (date(2024, 3, 14), date(2024, 5, 8)),
    (date(2023, 11, 20), date(2024, 1, 14)),   # across the year end
    (date(2024, 1, 5), date(2024, 2, 29)),     # leap day
    (date(2023, 1, 5), date(2023, 3, 1)),      # no leap day
    (date(2023, 12, 31), date(2024, 2, 24)),
    (date(2024, 1, 31), date(2024, 3, 26)),    # from a month's last day
])
def test_s55_due_counts_56_days_including_publication_day(published, due):
    assert s55_due(published) == due
    # 56 days counting the day of publication
    assert (due - published).days + 1 == 56


def test_s55_due_without_publication_date_is_none():
    assert s55_due(None) is None


def _inspection(session, title="Report", published=None, **kw):
    inspection = Inspection(title=title, published_on=published, **kw)
    session.add(inspection)
    session.commit()
    return inspection


def test_warning_starts_exactly_14_days_ahead(session):
    today = date(2024, 6, 10)
    in_14 = _inspection(session, "Fourteen", today + timedelta(days=14) - timedelta(days=55))
    _inspection(session, "Fifteen", today + timedelta(days=15) - timedelta(days=55))
    due = inspections_due(session, today)
    assert [d.inspection.title for d in due] == ["Fourteen"]
    assert due[0].days_left == 14
    assert due[0].due == today + timedelta(days=14)
    assert in_14.id == due[0].inspection.id


def test_overdue_listed_and_responded_ones_not(session):
    today = date(2024, 6, 10)
    _inspection(session, "Overdue", date(2024, 3, 1))
    _inspection(session, "Answered", date(2024, 4, 20), response_published_on=date(2024, 6, 1))
    _inspection(session, "No date")
    due = inspections_due(session, today)
    assert [d.inspection.title for d in due] == ["Overdue"]
    assert due[0].days_left < 0


def _report(**kw):
    return ReviewedReport(
        title="Roads policing", force="Staffordshire", kind="Thematic",
        published_on=date(2024, 3, 14), judgments=[("Effectiveness", "Good")],
        findings=[ReviewedFinding(kind="recommendation", number="1", text="Do better."),
                  ReviewedFinding(kind="area_for_improvement", text="Improve.")], **kw)


def test_save_import_and_history(session):
    inspection = inspections.save_import(session, _report(), by=SYSTEM)
    findings = inspections.findings_of(session, inspection.id)
    assert [f.kind for f in findings] == ["recommendation", "area_for_improvement"]
    assert len(inspections.judgments_of(session, inspection.id)) == 1
    owner = make_person(session)
    inspections.update_finding(
        session, inspection.id, findings[0].id,
        FindingChange(owner_id=owner.id, due_date=date(2024, 9, 1), force_status="in_progress",
                      opcc_status="partly_satisfied", opcc_evidence="Plan seen."), by=SYSTEM)
    history = inspections.history_of(session, [findings[0].id])[findings[0].id]
    assert len(history) == 2
    assert "In progress" in history[-1].summary and "Partly satisfied" in history[-1].summary
    assert history[-1].by_label == "tests"
    # nothing changed: no new row
    inspections.update_finding(
        session, inspection.id, findings[0].id,
        FindingChange(owner_id=owner.id, due_date=date(2024, 9, 1), force_status="in_progress",
                      opcc_status="partly_satisfied", opcc_evidence="Plan seen."), by=SYSTEM)
    assert len(session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == findings[0].id)).all()) == 2


def test_bad_import_and_bad_status_refused(session):
    with pytest.raises(InvalidInput) as raised:
        inspections.save_import(session, ReviewedReport(
            title=" ", findings=[ReviewedFinding(kind="odd", text="")]), by=SYSTEM)
    assert {"title", "finding-0-kind", "finding-0-text"} <= set(raised.value.errors)
    inspection = inspections.save_import(session, _report(), by=SYSTEM)
    finding = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).first()
    with pytest.raises(InvalidInput):
        inspections.update_finding(session, inspection.id, finding.id,
                                   FindingChange(force_status="done?"), by=SYSTEM)


@pytest.mark.parametrize("role", [Role.viewer, Role.force, Role.chair])
def test_only_the_office_edits(session, role):
    actor = Actor(role=role, label="someone")
    with pytest.raises(Forbidden):
        inspections.save_import(session, _report(), by=actor)
    inspection = inspections.save_import(session, _report(), by=SYSTEM)
    with pytest.raises(Forbidden):
        inspections.update_register_dates(session, inspection.id,
                                          {"response_sent_on": date(2024, 5, 1)}, by=actor)


def test_register_dates(session):
    inspection = inspections.save_import(session, _report(), by=SYSTEM)
    inspections.update_register_dates(session, inspection.id, {
        "cc_comments_requested_on": date(2024, 3, 15),
        "response_published_on": date(2024, 5, 1)}, by=SYSTEM)
    assert inspections_due(session, date(2024, 5, 1)) == []
