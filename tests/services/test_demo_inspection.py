"""The demo's inspection: a first-time user finds the roads policing inspection in the
register with its s55 countdown running, and the findings dashboard filled; `assure export
findings` writes the Panel's report from it."""

import docx
import openpyxl
from sqlmodel import select

from app.cli import main
from app.models import Finding, Inspection
from app.services import inspections
from app.services.dates import today
from app.services.demo import ROADS_PUBLISHED_DAYS_AGO, load_demo
from app.services.findings_dashboard import DashboardFilters, dashboard
from tests.test_cli import fresh_db  # noqa: F401  (a fixture)


def test_demo_has_the_roads_policing_inspection_with_progress(session):
    load_demo(session)
    inspection = session.exec(select(Inspection)).one()
    assert inspection.title.startswith("Roads policing: not optional")
    assert inspections.days_left(inspection, today()) == 55 - ROADS_PUBLISHED_DAYS_AGO
    findings = session.exec(select(Finding).order_by(Finding.position)).all()
    # the report's 6 recommendations and 3 areas for improvement, read by the importer
    assert [f.number for f in findings if f.kind == "recommendation"] == [
        "4", "6", "8", "9", "10", "12"]
    assert len(findings) == 9
    assert {f.theme for f in findings} == {"Roads policing"}

    board = dashboard(session, DashboardFilters(), today())
    assert (board.current, board.overdue, board.superseded) == (8, 1, 1)
    assert dict(board.by_status) == {"Not started": 6, "In progress": 1, "Complete": 1}
    overdue = [r for r in board.rows if r.overdue_days is not None]
    assert [(r.label, r.owner, r.due_words) for r in overdue] == [
        ("Recommendation 8", "Amanda Blakeman", "Overdue by 7 days")]


def test_export_findings_from_the_command_line(fresh_db, capsys, tmp_path):  # noqa: F811
    assert main(["demo", "load"]) == 0
    capsys.readouterr()
    assert main(["export", "findings", "-o", str(tmp_path / "panel.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "9 findings: All findings." in out
    sheet = openpyxl.load_workbook(tmp_path / "panel.xlsx")["Findings"]
    assert sheet.max_row == 4 + 9

    assert main(["export", "findings", "--overdue", "--kind", "recommendation"]) == 0
    assert "1 finding: Findings with kind: recommendation, overdue only." in \
        capsys.readouterr().out
    written = list((tmp_path / "exports").glob("HMICFRS-findings-*.docx"))
    assert len(written) == 1
    document = docx.Document(str(written[0]))
    assert document.paragraphs[0].text == (
        "HMICFRS findings – report to the Police and Crime Panel")
