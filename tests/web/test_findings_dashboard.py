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
