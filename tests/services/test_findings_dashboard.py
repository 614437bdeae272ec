"""The findings dashboard's figures on a small register made up for the test: two inspections,
one with graded areas, a superseded finding of each kind (replaced by a later finding, marked
superseded by the force), overdue findings and a complete one past its due date.

The expected figures were counted by hand from the register below, not from the code.
"""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import AuditEvent, Finding, Inspection, InspectionJudgment
from app.services.errors import InvalidInput
from app.services.findings_dashboard import (
    NO_AREA,
    NOT_GRADED,
    DashboardFilters,
    dashboard,
    panel_report,
    read_filters,
)
from tests.factories import SYSTEM, make_person

TODAY = date(2025, 6, 20)


def make_register(session, today: date = TODAY) -> dict[str, Finding]:
    """Two inspections and seven findings; returns the findings by a short name."""
    owner = make_person(session, full_name="Detective Superintendent Jones")
    peel = Inspection(title="PEEL 2023–2025: Staffordshire Police", kind="PEEL",
                      published_on=date(2024, 9, 1))
    roads = Inspection(title="Roads policing: summary", published_on=date(2024, 3, 14))
    session.add(peel)
    session.add(roads)
    session.flush()
    for position, (area, grade) in enumerate([("Investigating crime", "Requires improvement"),
                                              ("Responding to the public", "Adequate")]):
        session.add(InspectionJudgment(inspection_id=peel.id, area=area, grade=grade,
                                       position=position))

    def finding(inspection, position, kind, **kw):
        row = Finding(inspection_id=inspection.id, position=position, kind=kind,
                      text=kw.pop("text", f"Finding {position} of {inspection.title}"), **kw)
        session.add(row)
        session.flush()
        return row

    aft = "area_for_improvement"
    rec = "recommendation"
    made = {
        "a1": finding(peel, 0, aft, area="Investigating crime", force_status="in_progress",
                      opcc_status="partly_satisfied", due_date=today - timedelta(days=10),
                      owner_id=owner.id, opcc_evidence="Action plan seen in May."),
        "a2": finding(peel, 1, aft, area="investigating CRIME", force_status="complete",
                      opcc_status="satisfied", due_date=today - timedelta(days=30)),
        "a3": finding(peel, 2, aft, area="Responding to the public",
                      due_date=today + timedelta(days=5)),
        "r1": finding(roads, 0, rec, number="4", force_status="in_progress",
                      opcc_status="not_satisfied"),
        "r2": finding(roads, 1, rec, number="6", force_status="superseded",
                      due_date=today - timedelta(days=100)),
        "r3": finding(roads, 2, "cause_of_concern", area="Roads policing",
                      due_date=today - timedelta(days=1),
                      text="=HYPERLINK(\"http://example.com\") is not a formula"),
    }
    made["a4"] = finding(peel, 3, aft, area="Leadership", force_status="in_progress",
                         superseded_by_id=made["r1"].id)
    session.commit()
    return made


def test_counts_by_status_assessment_grade_and_area(session):
    make_register(session)
    board = dashboard(session, DashboardFilters(), TODAY)
    assert len(board.rows) == 7
    assert board.current == 5
    assert board.superseded == 2  # a4 replaced by r1; r2 marked superseded by the force
    assert board.overdue == 2  # a1 by 10 days, r3 by 1; a2 is complete, r2 superseded
    assert board.by_status == [("Not started", 2), ("In progress", 2), ("Complete", 1)]
    assert board.by_assessment == [("Not assessed", 2), ("Not satisfied", 1),
                                   ("Partly satisfied", 1), ("Satisfied", 1)]
    # the grade of a finding's area, matched without regard to case; none: not graded
    assert board.by_grade == [("Adequate", 1), ("Requires improvement", 2), (NOT_GRADED, 2)]
    assert board.by_area == [("Investigating crime", 2), ("Responding to the public", 1),
                             ("Roads policing", 1), (NO_AREA, 1)]


def test_rows_say_grade_owner_and_overdue_in_words(session):
    made = make_register(session)
    rows = {r.finding.id: r for r in dashboard(session, DashboardFilters(), TODAY).rows}
    a1, a2, a3 = rows[made["a1"].id], rows[made["a2"].id], rows[made["a3"].id]
    assert (a1.grade, a1.owner, a1.due_words) == (
        "Requires improvement", "Detective Superintendent Jones", "Overdue by 10 days")
    assert (a2.area, a2.grade, a2.due_words) == ("Investigating crime", "Requires improvement",
                                                 "Complete")
    assert a3.due_words == "Due in 5 days"
    assert rows[made["r3"].id].due_words == "Overdue by 1 day"
    assert rows[made["r1"].id].label == "Recommendation 4"
    assert rows[made["a4"].id].force_status == "Superseded"
    assert rows[made["a4"].id].grade == NOT_GRADED  # "Leadership" was not graded
    # newest inspection first, each in report order
    assert [r.finding.id for r in rows.values()] == [
        made[n].id for n in ("a1", "a2", "a3", "a4", "r1", "r2", "r3")]


@pytest.mark.parametrize(("filters", "expected"), [
    (DashboardFilters(kind="recommendation"), ["r1", "r2"]),
    (DashboardFilters(status="superseded"), ["a4", "r2"]),
    (DashboardFilters(status="in_progress"), ["a1", "r1"]),  # a4 is superseded
    (DashboardFilters(assessment="satisfied"), ["a2"]),
    (DashboardFilters(overdue=True), ["a1", "r3"]),
    (DashboardFilters(kind="area_for_improvement", overdue=True), ["a1"]),
])
def test_filters(session, filters, expected):
    made = make_register(session)
    board = dashboard(session, filters, TODAY)
    assert [r.finding.id for r in board.rows] == [made[n].id for n in expected]


def test_filter_by_inspection_counts_only_its_findings(session):
    made = make_register(session)
    board = dashboard(session, DashboardFilters(inspection_id=made["r1"].inspection_id), TODAY)
    assert (board.current, board.superseded, board.overdue) == (2, 1, 1)
    assert board.by_grade == [(NOT_GRADED, 2)]
    assert len(board.inspections) == 2  # the filter still offers every inspection


def test_an_empty_register_counts_zero(session):
    board = dashboard(session, DashboardFilters(), TODAY)
    assert board.rows == [] and board.current == 0 and board.by_grade == []
    assert board.by_status == [("Not started", 0), ("In progress", 0), ("Complete", 0)]


@pytest.mark.parametrize(("params", "field"), [
    ({"inspection": "abc"}, "inspection"),
    ({"inspection": "-1"}, "inspection"),
    ({"inspection": "99999999999"}, "inspection"),
    ({"kind": "everything"}, "kind"),
    ({"status": "done\x00"}, "status"),
    ({"assessment": "happy"}, "assessment"),
    ({"overdue": "perhaps"}, "overdue"),
])
def test_bad_filter_values_are_refused(params, field):
    with pytest.raises(InvalidInput) as caught:
        read_filters(params)
    assert field in caught.value.errors


def test_good_filter_values_are_read():
    filters = read_filters({"inspection": "3", "kind": "recommendation", "status": "complete",
                            "assessment": "not_satisfied", "overdue": "1"})
    assert filters == DashboardFilters(inspection_id=3, kind="recommendation",
                                       status="complete", assessment="not_satisfied",
                                       overdue=True)
    assert read_filters({}) == DashboardFilters()


def test_panel_report_groups_by_inspection_and_is_audited(session):
    make_register(session)
    report = panel_report(session, by=SYSTEM, filters=DashboardFilters(overdue=True),
                          today=TODAY, fmt="xlsx")
    assert [s.title for s in report.sections] == ["PEEL 2023–2025: Staffordshire Police",
                                                  "Roads policing: summary"]
    assert [r.label for s in report.sections for r in s.rows] == [
        "Area for improvement", "Cause of concern"]
    assert report.sections[0].rows[0].evidence == "Action plan seen in May."
    assert report.overdue == 2
    assert "overdue only" in report.description
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "export")).one()
    assert event.object_type == "findings" and "(xlsx), 2 findings" in event.summary


# --- the database's counts against the counting in Python they replaced (issue 17) ----------


def _counted_before(session, filters: DashboardFilters, today: date) -> tuple:
    """The figures as the dashboard counted them before the database did: every finding loaded
    and counted in Python (the code as it was, kept here as the reference)."""
    from collections import Counter

    from app.services.findings_dashboard import FORCE_STATUSES, OPCC_STATUSES, _grade_key
    from app.services.inspections import KINDS  # noqa: F401  (as the old module read it)

    pairs = list(session.exec(select(Finding, Inspection).join(
        Inspection, Finding.inspection_id == Inspection.id)).all())
    judged: dict = {}
    for judgment in session.exec(select(InspectionJudgment).order_by(
            InspectionJudgment.position, InspectionJudgment.id)).all():
        judged.setdefault((judgment.inspection_id, judgment.area.strip().lower()), judgment)
    rows = []
    for finding, inspection in pairs:
        if filters.inspection_id is not None and finding.inspection_id != filters.inspection_id:
            continue
        if filters.kind and finding.kind != filters.kind:
            continue
        if filters.assessment and finding.opcc_status != filters.assessment:
            continue
        superseded = finding.superseded_by_id is not None or finding.force_status == "superseded"
        if filters.status == "superseded" and not superseded:
            continue
        if filters.status and filters.status != "superseded" and (
                superseded or finding.force_status != filters.status):
            continue
        overdue = (not superseded and finding.force_status != "complete"
                   and finding.due_date is not None and finding.due_date < today)
        if filters.overdue and not overdue:
            continue
        area = finding.area.strip()
        judgment = judged.get((inspection.id, area.lower())) if area else None
        rows.append({
            "superseded": superseded, "overdue": overdue,
            "area": (judgment.area.strip() if judgment else area) or NO_AREA,
            "grade": (judgment.grade.strip() if judgment else "") or NOT_GRADED,
            "status": FORCE_STATUSES.get(finding.force_status, finding.force_status),
            "assessment": OPCC_STATUSES.get(finding.opcc_status, finding.opcc_status)})
    current = [r for r in rows if not r["superseded"]]

    def counted(counter, order):
        return [(label, counter.get(label, 0)) for label in order] + sorted(
            ((label, n) for label, n in counter.items() if label not in order),
            key=lambda pair: (-pair[1], pair[0].lower()))

    grades = sorted({r["grade"] for r in current}, key=_grade_key)
    return (
        counted(Counter(r["status"] for r in current),
                [w for k, w in FORCE_STATUSES.items() if k != "superseded"]),
        counted(Counter(r["assessment"] for r in current), list(OPCC_STATUSES.values())),
        [(g, sum(1 for r in current if r["grade"] == g)) for g in grades],
        sorted(Counter(r["area"] for r in current).items(),
               key=lambda pair: (pair[0] == NO_AREA, -pair[1], pair[0].lower())),
        len(current), len(rows) - len(current), sum(1 for r in rows if r["overdue"]))


def make_mixed_register(session, today: date = TODAY) -> None:
    """Six inspections and 240 findings mixing every case the counts tell apart: areas in
    another case or with spaces around, an area graded twice (the first judgment counts),
    graded and ungraded areas, no area, grades outside HMICFRS's words, a status the app does
    not know, both kinds of superseded, and due dates on either side of today."""
    import random

    chance = random.Random(17)
    areas = ["Investigating crime", "investigating CRIME", "  Leadership ", "Leadership",
             "Protecting vulnerable people", "", "Roads", "Custody"]
    inspections = []
    for i in range(6):
        inspection = Inspection(title=f"Inspection {i}",
                                published_on=None if i == 3 else date(2020 + i, 3, 1))
        session.add(inspection)
        session.flush()
        inspections.append(inspection)
        for position, (area, grade) in enumerate([
                ("Investigating crime", ["Good", "Adequate", "Inadequate"][i % 3]),
                ("LEADERSHIP", "Requires improvement"), ("Leadership", "Outstanding"),
                ("Custody", "Very good indeed" if i % 2 else " "),
                ("Protecting vulnerable people", "Adequate")][:2 + i % 4]):
            session.add(InspectionJudgment(inspection_id=inspection.id, area=area,
                                           grade=grade, position=position))
    findings = []
    for n in range(240):
        finding = Finding(
            inspection_id=chance.choice(inspections).id, position=n % 40,
            kind=chance.choice(["recommendation", "area_for_improvement", "cause_of_concern"]),
            text=f"Finding {n}", area=chance.choice(areas),
            force_status=chance.choice(["not_started", "in_progress", "complete",
                                        "superseded", "on_hold"]),
            opcc_status=chance.choice(["not_assessed", "partly_satisfied", "satisfied",
                                       "not_satisfied", "under_review"]),
            due_date=chance.choice([None, today, today - timedelta(days=1),
                                    today + timedelta(days=3), today - timedelta(days=400)]))
        session.add(finding)
        findings.append(finding)
    session.flush()
    for finding in findings[::9]:
        finding.superseded_by_id = findings[-1].id
    session.commit()


@pytest.mark.parametrize("filters", [
    DashboardFilters(), DashboardFilters(kind="recommendation"),
    DashboardFilters(status="superseded"), DashboardFilters(status="in_progress"),
    DashboardFilters(assessment="satisfied"), DashboardFilters(overdue=True),
    DashboardFilters(kind="cause_of_concern", status="complete", overdue=True),
    DashboardFilters(inspection_id=2), DashboardFilters(inspection_id=4, overdue=True),
])
def test_the_databases_counts_are_those_python_counted(session, filters):
    make_mixed_register(session)
    board = dashboard(session, filters, TODAY)
    assert (board.by_status, board.by_assessment, board.by_grade, board.by_area, board.current,
            board.superseded, board.overdue) == _counted_before(session, filters, TODAY)
