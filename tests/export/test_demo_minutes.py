"""Acceptance: the demo meeting's minutes, exported end to end, read back (DESIGN.md section 3).

The demo is the April 2019 Monthly Assurance Meeting (`app/services/demo.py`, from
`seeds/opcc-monthly-assurance-meeting-april-2019-notes.txt`). Its minutes are exported as a
user would get them (the JSON API, the command line) and read back with python-docx and, where
LibreOffice is installed, as the PDF a reader would print.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import docx
import pytest
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

import app.db
from app import cli
from app.config import get_settings
from app.models import Role
from app.services.demo import ANPR_ACTION, PARTNERSHIP_WORKING, PERFORMANCE, WORKFORCE, load_demo
from tests.export.reading import (
    Row,
    block,
    body_text,
    field_codes,
    furniture_text,
    index_of,
    is_header_row,
    pdf_pages,
    rows_of,
    table_texts,
)
from tests.factories import bearer, committed, make_user

TITLE = "Monthly Assurance Meeting April 2019 – Meeting Notes"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OUTSTANDING = "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD"
NEXT_MEETING = "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:"
HMICFRS = (
    "HMICFRS INSPECTION PROGRAMME / MATTERS ARISING FROM THE SERVICE IMPROVEMENT BOARD (SIB):"
)
ANPR_ENTRY_START = "The PCC commented that there has been a major investment in ANPR"


# --- what the demo typed, as the minutes show it ----------------------------------------------


def expected_paragraphs(text: str) -> list[str]:
    """An entry's text as paragraphs: one per line, "• " and "- " markers dropped."""
    result = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith(("• ", "- ")):
            line = line[2:]
        if line:
            result.append(line)
    return result


# --- the demo, exported -----------------------------------------------------------------------


@dataclass
class Export:
    meeting_id: int
    content: bytes
    document: Document
    headers: dict[str, str]

    @property
    def minutes(self) -> list[Row]:
        return rows_of(self.document.tables[1])


def export(client, token: str, meeting_id: int, edition: str = "internal") -> Export:
    response = client.get(
        f"/api/v1/meetings/{meeting_id}/minutes.docx",
        params={"edition": edition},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    return Export(
        meeting_id=meeting_id,
        content=response.content,
        document=docx.Document(io.BytesIO(response.content)),
        headers=dict(response.headers),
    )


@pytest.fixture
def admin_token(session) -> str:
    _user, token = make_user(session, Role.admin)
    return token


@pytest.fixture
def demo(session):
    return committed(session, load_demo(session))


@pytest.fixture
def internal(client, demo, admin_token) -> Export:
    return export(client, admin_token, demo.meeting_id)


def test_download_is_a_named_word_document(internal):
    assert internal.headers["content-type"] == DOCX_TYPE
    disposition = internal.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="Monthly-Assurance-Meeting-April-2019-Meeting-Notes-internal.docx"'
    )
    assert zipfile.is_zipfile(io.BytesIO(internal.content))


def test_title_is_a_heading(internal):
    title = internal.document.paragraphs[0]
    assert title.text == TITLE
    assert title.style.name == "Heading 1"
    # a real heading: Word and screen readers know it by its outline level
    assert title.style.element.xpath("./w:pPr/w:outlineLvl/@w:val") == ["0"]


def test_details_are_bullets(internal):
    details = internal.document.paragraphs[1:5]
    assert [p.text for p in details] == [
        "Date: Tuesday 30th April 2019 @ 10:00",
        "Chair: John Campion",
        "Minutes: Jackie Irvin, Policy Officer, OPCC",
        "Venue: Meeting Room 1.38 Hindlip",
    ]
    assert {p.style.name for p in details} == {"List Bullet"}
    assert details[0].style.element.xpath("./w:pPr/w:numPr/w:numId")  # a real list


def test_attendance_lists_the_four_present_and_no_apologies(internal):
    assert len(internal.document.tables) == 2
    table = internal.document.tables[0]
    assert table_texts(table) == [
        ["", "Name:", "Capacity:"],
        ["Attendance:", "John Campion", "Police and Crime Commissioner (PCC)"],
        ["", "Tracey Onslow", "Deputy Police and Crime Commissioner (DPCC)"],
        ["", "Anthony Bangham", "Chief Constable (CC)"],
        ["", "Amanda Blakeman", "Deputy Chief Constable (DCC)"],
        ["Apologies:", "None", ""],
    ]
    marked = [is_header_row(row) for row in table.rows]
    assert marked == [True] + [False] * 5


def test_minutes_table_has_a_repeating_action_header(internal):
    rows = internal.minutes
    assert rows[0].header
    assert rows[0].action == ["ACTION"]
    assert rows[0].number == ""
    assert not any(row.header for row in rows[1:])
    # three columns, the first and last narrow
    widths = [col.w for col in internal.document.tables[1]._tbl.tblGrid.gridCol_lst]
    assert len(widths) == 3
    assert widths[1] > 3 * widths[0] and widths[1] > 3 * widths[2]


def test_items_are_numbered_in_agenda_order(internal):
    titles = [(row.number, row.heading) for row in internal.minutes if row.heading]
    assert titles == [
        ("1", OUTSTANDING),
        ("2", "HOLDING TO ACCOUNT"),
        ("2.1", "ROADS POLICING:"),
        ("", "1. Partnership Working"),
        ("", "2. Performance"),
        ("", "3. Workforce"),
        ("2.2", HMICFRS),
        ("3", "AOB"),
        ("4", NEXT_MEETING),
    ]
    styles = {row.heading: row.minutes[0][1] for row in internal.minutes if row.heading}
    assert styles[OUTSTANDING] == styles["AOB"] == styles[NEXT_MEETING] == "Heading 2"
    assert styles["ROADS POLICING:"] == styles[HMICFRS] == "Heading 3"
    assert styles["1. Partnership Working"] == "Heading 4"


def test_sub_themes_are_underlined(internal):
    table = internal.document.tables[1]
    heading = next(
        p
        for row in table.rows
        for p in row.cells[1].paragraphs
        if p.text == "1. Partnership Working"
    )
    assert heading.style.font.underline is True
    assert heading.style.font.bold is True
    assert all(run.underline in (None, True) for run in heading.runs)  # nothing undoes it
    for title in ("ROADS POLICING:", "HOLDING TO ACCOUNT"):
        other = next(
            p for row in table.rows for p in row.cells[1].paragraphs if p.text == title
        )
        assert not other.style.font.underline


def test_standing_items_say_what_they_hold(internal):
    rows = internal.minutes
    expected = {
        OUTSTANDING: "None were discussed.",
        "AOB": "No items",
        NEXT_MEETING: "Performance, Tuesday 28 May 2019, 10:00am Room 1.38",
    }
    for title, after in expected.items():
        row = rows[index_of(rows, title)]
        assert row.texts == [title, after]
        assert block(rows, title) == []  # nothing else under them
    assert block(rows, "HOLDING TO ACCOUNT") == []  # the themes follow at once
    assert block(rows, "ROADS POLICING:") == []


def test_every_entry_is_minuted_under_its_sub_theme_in_order(internal):
    rows = internal.minutes
    for heading, paragraphs in (
        ("1. Partnership Working", PARTNERSHIP_WORKING),
        ("2. Performance", PERFORMANCE),
        ("3. Workforce", WORKFORCE),
    ):
        under = block(rows, heading)
        arising = [i for i, r in enumerate(under) if r.texts == ["Actions arising:"]]
        entry_rows = under[: arising[0]] if arising else under
        assert [r.texts for r in entry_rows] == [
            expected_paragraphs(text) for _speaker, _kind, text, _asked in paragraphs
        ], heading
        assert all(r.number == "" and r.action == [] for r in entry_rows)


def test_every_demo_text_is_in_the_document(internal):
    found = "\n".join(body_text(internal.document))
    for paragraphs in (PARTNERSHIP_WORKING, PERFORMANCE, WORKFORCE):
        for _speaker, _kind, text, _asked in paragraphs:
            for line in expected_paragraphs(text):
                assert line in found, line[:60]
    assert ANPR_ACTION in found


def test_anpr_entry_bullets_are_list_paragraphs(internal):
    row = next(r for r in internal.minutes if r.texts and r.texts[0].startswith(ANPR_ENTRY_START))
    assert [style for _text, style in row.minutes] == ["Normal", "List Bullet", "List Bullet"]
    assert row.texts[1].startswith("OP SNAP is being looked at centrally")
    assert row.texts[2].startswith("There was a business case for the force investment in ANPR")
    assert not any(text.startswith(("•", "-")) for text in row.texts)


def test_actions_arising_follow_the_entries_with_owner_reference_and_due_date(
    internal, client, admin_token
):
    (action,) = client.get(
        "/api/v1/actions", params={"meeting_id": internal.meeting_id}, headers=bearer(admin_token)
    ).json()["results"]
    assert action["reference"] == "A/2019/001"
    rows = internal.minutes
    under = block(rows, "1. Partnership Working")
    label = next(i for i, r in enumerate(under) if r.texts == ["Actions arising:"])
    assert label == len(PARTNERSHIP_WORKING)  # after the last entry
    assert under[label].minutes[0][1] == "Actions Arising"
    assert under[label + 1:] == [under[-1]]  # one action, the last row of the sub-theme
    assert under[-1].texts == [ANPR_ACTION]
    assert under[-1].action == ["DCC", "A/2019/001", "Due 28/05/2019"]
    assert under[-1].number == ""
    # the other sub-themes raised none
    for heading in ("2. Performance", "3. Workforce", HMICFRS):
        assert not any(r.texts == ["Actions arising:"] for r in block(rows, heading))


def test_marking_and_page_numbers_on_every_page(internal):
    section = internal.document.sections[0]
    assert len(internal.document.sections) == 1
    header = [p for p in section.header.paragraphs if p.text]
    assert [p.text for p in header] == ["OFFICIAL"]
    assert header[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    footer = [p for p in section.footer.paragraphs if p.text]
    assert [p.text for p in footer] == ["Page 1 of 1", "OFFICIAL"]  # field results till updated
    assert footer[1].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    page_p = footer[0]._p
    instructions = [i.split()[0] for i in field_codes(page_p)]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = page_p.xpath(".//w:fldChar/@w:fldCharType")
    assert kinds == ["begin", "separate", "end"] * 2
    # headers and footers are not switched off for the first page
    assert not section.different_first_page_header_footer


def test_core_properties_and_language(internal):
    props = internal.document.core_properties
    assert props.title == TITLE
    assert props.language == "en-GB"
    styles = internal.document.styles.element
    assert styles.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["en-GB"]


def test_internal_edition_of_the_demo_marks_nothing_exempt(internal):
    found = "\n".join(body_text(internal.document))
    assert "exempt" not in found.lower()
    assert "considered in private" not in found


def test_public_edition_equals_the_internal_one(client, demo, admin_token, internal):
    public = export(client, admin_token, demo.meeting_id, edition="public")
    assert public.headers["content-disposition"] == (
        'attachment; filename="Monthly-Assurance-Meeting-April-2019-Meeting-Notes-public.docx"'
    )
    assert body_text(public.document) == body_text(internal.document)
    assert [table_texts(t) for t in public.document.tables] == [
        table_texts(t) for t in internal.document.tables
    ]
    assert furniture_text(public.document) == furniture_text(internal.document)
    assert public.document.core_properties.title == TITLE


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_database(separate_connections, engine, monkeypatch):
    """Point the command line's settings and engines at the test database."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    yield
    for opened in app.db._engines.values():
        opened.dispose()
    get_settings.cache_clear()  # the next reader sees the environment monkeypatch restores


def test_cli_writes_the_same_minutes(cli_database, demo, internal, tmp_path, capsys):
    target = tmp_path / "out" / "minutes.docx"
    assert cli.main(["export", "minutes", str(demo.meeting_id), "-o", str(target)]) == 0
    assert "internal edition" in capsys.readouterr().out
    document = docx.Document(str(target))
    assert document.paragraphs[0].text == TITLE
    assert document.core_properties.title == TITLE
    assert body_text(document) == body_text(internal.document)
    assert furniture_text(document) == furniture_text(internal.document)

    public = tmp_path / "public.docx"
    argv = ["export", "minutes", str(demo.meeting_id), "--edition", "public", "-o", str(public)]
    assert cli.main(argv) == 0
    assert body_text(docx.Document(str(public))) == body_text(internal.document)


def test_cli_refuses_an_unknown_meeting(cli_database, demo, tmp_path, capsys):
    target = tmp_path / "none.docx"
    assert cli.main(["export", "minutes", "999999", "-o", str(target)]) == 1
    assert "999999" in capsys.readouterr().err
    assert not target.exists()


# --- as a reader prints it: LibreOffice to PDF ------------------------------------------------


def test_pdf_pages_carry_marking_numbers_and_the_table_header(internal, tmp_path):
    pages = pdf_pages(internal.content, tmp_path)
    count = len(pages)
    assert count >= 2, "the demo's minutes run over more than one page"
    assert TITLE in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page, number
        assert page.count("OFFICIAL") >= 2, number  # header and footer
    first = next(i for i, page in enumerate(pages) if "OUTSTANDING MATTERS" in page)
    last = next(i for i, page in enumerate(pages) if "CONFIRMATION OF NEXT MEETING" in page)
    assert last > first
    for number, page in enumerate(pages[first:last + 1], start=first + 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        # the header row repeats at the top of the page, under the marking
        heading = next((i for i, line in enumerate(lines) if "ACTION" in line), None)
        assert heading is not None, f"page {number} shows the minutes without their header row"
        assert heading <= 2 or number == first + 1, (number, lines[:4])
        assert lines[heading].split() == ["Minutes", "ACTION"], (number, lines[heading])
    # an action never parts from its owner, reference and due date, nor from its label
    (page,) = [p for p in pages if "A/2019/001" in p]
    assert "Actions arising:" in page
    assert "Due 28/05/2019" in page
    assert "DCC" in page
