"""The findings dashboard page: its figures, chart and list, the filters, bad filter values,
who may see it, and the Panel's report downloads with the same filters."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from app.models import AuditEvent, Role
from app.services.dates import today
from tests.services.test_findings_dashboard import make_register
from tests.web.test_live import sign_in


def _cell(html: str, table_id: str, label: str) -> str:
    """The number beside `label` in one of the count tables."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf">{re.escape(label)}</th>\s*<td[^>]*>(\d+)</td>", table)
    assert match, f"{label} not in {table_id}"
    return match.group(1)


def test_the_page_shows_the_figures_chart_and_list(client, session):
    made = make_register(session, today())
    sign_in(client, session, Role.viewer)
    page = client.get("/findings")
    assert page.status_code == 200
    html = page.text
    assert _cell(html, "by-status", "Not started") == "2"
    assert _cell(html, "by-status", "In progress") == "2"
    assert _cell(html, "by-assessment", "Satisfied") == "1"
    assert _cell(html, "by-grade", "Requires improvement") == "2"
    assert _cell(html, "by-grade", "Not graded") == "2"
    assert _cell(html, "by-area", "Investigating crime") == "2"
    assert "superseded (counted separately)" in html
    # the chart: SVG with a title and its figures in words
    assert '<svg class="assure-chart__svg"' in html
    assert "<desc id=\"chart-status-desc\">Not started: 2. In progress: 2. Complete: 1." in html
    assert "style=" not in html.split('<section class="assure-chart"')[1].split("</section>")[0]
    # the list links to each finding on its inspection's page, and says overdue in words
    a1 = made["a1"]
    assert f'href="/inspections/{a1.inspection_id}#finding-{a1.id}"' in html
    assert "Overdue by 10 days" in html and "Overdue by 1 day<" in html
    assert "Detective Superintendent Jones" in html
    # the register links here, and the navigation shows the reader is under Inspections
    assert 'href="/inspections" aria-current="true"' in html
    assert '<a class="govuk-link" href="/findings">See every inspection' in \
        client.get("/inspections").text


def test_filters_narrow_the_list_and_the_exports_keep_them(client, session):
    made = make_register(session, today())
    sign_in(client, session, Role.secretariat)
    page = client.get("/findings", params={"kind": "recommendation"})
    assert page.status_code == 200
    assert f"#finding-{made['r1'].id}\"" in page.text
    assert f"#finding-{made['a1'].id}\"" not in page.text
    assert "/findings/panel.xlsx?kind=recommendation" in page.text
    assert '<option value="recommendation" selected>' in page.text

    overdue = client.get("/findings", params={"overdue": "1"})
    links = re.findall(r"#finding-(\d+)\"", overdue.text)
    assert links == [str(made["a1"].id), str(made["r3"].id)]

    xlsx = client.get("/findings/panel.xlsx", params={"overdue": "1"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["Findings"]
    assert sheet.max_row == 4 + 2  # the heading rows, then the two overdue findings


@pytest.mark.parametrize("query", [
    {"kind": "everything"}, {"status": "done"}, {"assessment": "<script>"},
    {"inspection": "abc"}, {"inspection": "0"}, {"overdue": "perhaps"},
    {"status": "x" * 5000},
])
def test_bad_filter_values_get_a_clear_4xx(client, session, query):
    make_register(session, today())
    sign_in(client, session, Role.chair)
    page = client.get("/findings", params=query)
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert "<script>" not in page.text
    for path in ("/findings/panel.docx", "/findings/panel.xlsx"):
        response = client.get(path, params=query)
        assert response.status_code == 422, path
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.verb == "export")).first() is None


def test_an_unknown_inspection_shows_nothing_rather_than_failing(client, session):
    make_register(session, today())
    sign_in(client, session, Role.viewer)
    page = client.get("/findings", params={"inspection": "999999"})
    assert page.status_code == 200
    assert "No findings match these filters." in page.text


@pytest.mark.parametrize("role", [Role.viewer, Role.force, Role.chair, Role.secretariat,
                                  Role.admin])
def test_everyone_signed_in_reads_the_dashboard_and_exports_are_audited(client, session,
                                                                        role):
    make_register(session, today())
    sign_in(client, session, role)
    assert client.get("/findings").status_code == 200
    docx = client.get("/findings/panel.docx")
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    session.rollback()
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "export",
                                                  AuditEvent.object_type == "findings")).one()
    assert "(docx), 7 findings" in event.summary


def test_signed_out_callers_are_sent_to_sign_in(client):
    for path in ("/findings", "/findings/panel.docx", "/findings/panel.xlsx"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")


def test_an_empty_register_says_so(client, session):
    sign_in(client, session, Role.viewer)
    page = client.get("/findings")
    assert page.status_code == 200
    assert "No findings are recorded yet." in page.text


# --- a bounded page however large the register (issue 17) -----------------------------------


def _add_inspections(session, count: int, first: int = 0) -> None:
    """Inspections of thirty findings each, two a year, graded by area."""
    from datetime import date, timedelta

    from app.models import Finding, Inspection, InspectionJudgment

    for i in range(first, first + count):
        inspection = Inspection(title=f"Inspection {i}",
                                published_on=date(2016, 1, 1) + timedelta(days=180 * i))
        session.add(inspection)
        session.flush()
        session.add_all([InspectionJudgment(inspection_id=inspection.id, area=f"Area {a}",
                                            grade=["Good", "Adequate"][a % 2], position=a)
                         for a in range(3)])
        session.add_all([Finding(inspection_id=inspection.id, kind="recommendation",
                                 number=str(f + 1), text=f"Finding {i}.{f}", position=f,
                                 area=f"Area {f % 4}", due_date=today() + timedelta(days=f - 15),
                                 force_status=["not_started", "in_progress", "complete"][f % 3])
                         for f in range(30)])
    session.commit()


def test_the_dashboard_loads_a_page_however_large_the_register(client, session, monkeypatch):
    """A year's register (two inspections, 60 findings) and ten years' (20, 600): the same
    statements, and no more rows loaded but the inspections the filter offers."""
    from datetime import timedelta

    from app.services import identity
    from tests.sql_counter import page_cost

    monkeypatch.setattr(identity, "touch_interval", lambda idle: timedelta(days=1))
    sign_in(client, session, Role.force)
    _add_inspections(session, 2)
    small = page_cost(client, session, "/findings")
    _add_inspections(session, 18, first=2)
    large = page_cost(client, session, "/findings")
    assert large[0] == small[0], (small[0], large[0])  # statements
    assert large[1] <= small[1] + 18, (small[1], large[1])  # rows loaded
    assert "600 findings, 50 on this page" in large[2]
    # the counts are of every finding, not the page's
    assert _cell(large[2], "by-status", "Complete") == "200"


def test_the_list_pages_through_every_finding_once_keeping_the_filters(client, session):
    _add_inspections(session, 6)  # 60 findings in progress: two pages of them
    sign_in(client, session, Role.viewer)
    seen: list[str] = []
    path = "/findings?status=in_progress"
    pages = 0
    while path:
        page = client.get(path)
        assert page.status_code == 200
        seen += re.findall(r"#finding-(\d+)\"", page.text)
        if pages == 0:  # a newer inspection added between two pages shifts nothing
            _add_inspections(session, 1, first=9)
        following = re.search(r'href="(/findings\?[^"]*)" rel="next"', page.text)
        path = following.group(1).replace("&amp;", "&") if following else ""
        if path:
            assert "status=in_progress" in path and "cursor=" in path
        pages += 1
    assert pages == 2
    assert len(seen) == 60 and len(set(seen)) == 60
    assert 'rel="prev"' in page.text and "First page" in page.text


def test_a_cursor_from_other_filters_or_garbled_is_refused(client, session):
    _add_inspections(session, 4)
    sign_in(client, session, Role.viewer)
    page = client.get("/findings")
    cursor = re.search(r'cursor=([^"&#]+)', page.text).group(1)
    assert client.get("/findings", params={"cursor": cursor}).status_code == 200
    assert client.get("/findings", params={"cursor": cursor, "kind": "recommendation"}
                      ).status_code == 422
    assert client.get("/findings", params={"cursor": "nonsense"}).status_code == 422
