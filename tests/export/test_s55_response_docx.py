"""The s55 response as Word reads it back: the roads-policing seed's texts entered in the app
come out in the seed's structure, in the house style, with the s55(1) statement's dates."""

import io

import docx
import pytest
from docx.text.paragraph import Paragraph

from app.export.s55_response_docx import NOT_RECEIVED, NOT_WRITTEN, render_s55_response
from app.services import inspections
from app.services.s55_response import response_of
from tests.export.reading import (
    cell_paragraphs,
    field_codes,
    furniture_text,
    is_header_row,
    pdf_pages,
    under_heading,
)
from tests.s55_seed import CC_INTRO, CC_RESPONSES, PCC_RESPONSES, enter_seed, import_roads

TITLE = "Police and Crime Commissioner's response to HMICFRS: Roads policing: not optional"


@pytest.fixture
def seeded(session):
    inspection = enter_seed(session)
    return inspection, docx.Document(io.BytesIO(render_s55_response(
        response_of(session, inspection.id))))


def _headings(document) -> list[tuple[str, str]]:
    """(style, text) of every heading of the body, outside and inside tables, in order."""
    found = []
    for block in document.iter_inner_content():
        paras = [block] if isinstance(block, Paragraph) else [
            p for row in block.rows for cell in row.cells for p in cell.paragraphs]
        found += [(p.style.name, p.text) for p in paras if p.style.name.startswith("Heading")]
    return found


def test_the_sections_come_in_the_seeds_order_as_real_headings(seeded):
    _, document = seeded
    sections = [text for style, text in _headings(document) if style in ("Heading 1",
                                                                          "Heading 2")]
    assert sections == [
        TITLE,
        "Summary of inspection",
        "Grade",
        "Recommendations",
        "Areas for improvement",
        "Police and Crime Commissioner's initial response",
        "Chief Constable's response",
        "Police and Crime Commissioner's overall comments",
    ]


def test_the_report_sits_in_a_label_column_beside_its_content(seeded):
    _, document = seeded
    table = document.tables[0]
    labels = [row.cells[0].text for row in table.rows]
    assert labels == ["Summary of inspection", "Grade", "Recommendations",
                      "Areas for improvement"]
    widths = [cell.width for cell in table.rows[0].cells]
    assert widths[0] < widths[1] / 2  # the narrow label cell
    assert not any(is_header_row(row) for row in table.rows)  # a layout, not a data table
    summary = cell_paragraphs(table.rows[0].cells[1])
    assert summary[0][0].startswith("The inspection examined how effectively the road network")
    assert ("Give clarity and guidance to the police and other bodies about their collective "
            "responsibilities", "List Bullet") in summary
    assert cell_paragraphs(table.rows[1].cells[1]) == [("Not graded", "Normal")]


def test_each_recommendation_is_followed_by_the_commissioners_response(seeded):
    _, document = seeded
    cell = cell_paragraphs(document.tables[0].rows[2].cells[1])
    assert cell[0][0].startswith("6 of the recommendations are for chief constables")
    labels = [text for text, style in cell if style == "Heading 3"]
    assert labels == ["Recommendation 4", "Recommendation 6", "Recommendation 8",
                      "Recommendation 9", "Recommendation 10", "Recommendation 12"]
    at = cell.index(("Recommendation 4", "Heading 3"))
    assert cell[at + 1][0].startswith("With immediate effect, chief constables should make "
                                      "sure that roads policing is included")
    assert cell[at + 2][0] == "The Commissioner's response"
    assert cell[at + 3][0] == PCC_RESPONSES["4"]
    # recommendation 6 keeps its own list of three; no response of the Commissioner's to it
    # (as in the seed): nothing invented
    at6 = cell.index(("Recommendation 6", "Heading 3"))
    assert cell[at6 + 1][0] == "With immediate effect, chief constables should make sure:"
    assert [style for _, style in cell[at6 + 2:at6 + 5]] == ["List Bullet"] * 3
    assert cell[at6 + 2][0].startswith("their force has enough analytical capability")
    assert cell[at6 + 5] == ("Recommendation 8", "Heading 3")


def test_the_areas_for_improvement_are_bullets(seeded):
    _, document = seeded
    cell = cell_paragraphs(document.tables[0].rows[3].cells[1])
    assert cell == [
        ("Force-level support to national roads policing operations and intelligence "
         "structure is an area for improvement.", "List Bullet"),
        ("The efficient and effective exchange of all collision data with other relevant "
         "bodies is an area for improvement.", "List Bullet"),
        ("The awareness and understanding of the changes in the Professionalising "
         "Investigation Programme within police forces is an area for improvement.",
         "List Bullet"),
    ]


def test_the_chief_constables_response_repeats_each_recommendation_then_answers(seeded):
    _, document = seeded
    section = [(p.text, p.style.name) for p in under_heading(document,
                                                              "Chief Constable's response")]
    assert section[0] == (CC_INTRO, "Normal")
    # the section runs to the overall comments: each recommendation is a Heading 3 inside it
    body = [(p.text, p.style.name) for p in document.paragraphs if p.text]
    start = body.index(("Chief Constable's response", "Heading 2"))
    end = body.index(("Police and Crime Commissioner's overall comments", "Heading 2"))
    section = body[start + 1:end]
    at = section.index(("Recommendation 4", "Heading 3"))
    assert section[at + 1][0].startswith("With immediate effect, chief constables should make "
                                         "sure that roads policing")
    assert section[at + 2] == (CC_RESPONSES["4"], "Normal")
    assert section[at + 2][0].startswith("The force already had a STRA for 2020 in place "
                                         "from January.")
    at6 = section.index(("Recommendation 6", "Heading 3"))
    first_bullet = (
        "their force has enough analytical capability (including that provided by road "
        "safety partnerships) to identify risks and threats on the road network within their "
        "force area;", "List Bullet")
    # the recommendation quoted in italics with its three "•" lines, then the Chief
    # Constable's answer to each of its bullets
    assert section[at6 + 1] == ("With immediate effect, chief constables should make sure:",
                                "Notice")
    assert section[at6 + 2] == ("• " + first_bullet[0], "Notice")
    assert section[at6 + 5] == first_bullet
    assert section[at6 + 6][0].startswith("Analytical capability is provided within")
    assert [t for t, s in section if s == "Heading 3"] == [
        f"Recommendation {n}" for n in ("4", "6", "8", "9", "10", "12")]


def test_the_overall_comments_keep_their_bullets(seeded):
    _, document = seeded
    section = [(p.text, p.style.name) for p in under_heading(
        document, "Police and Crime Commissioner's overall comments")]
    assert section[0][0].startswith("As Commissioner I will continue to maintain roads policing")
    bullets = [text for text, style in section if style == "List Bullet"]
    assert bullets == ["314 arrests", "266 drug tests", "147 breath tests",
                       "228 vehicle seizures", "203 stop searches",
                       "2,466 traffic offence reports"]
    assert section[-1][0].startswith("The latest national figures show")


def test_the_statement_gives_the_recorded_dates_in_words(seeded):
    _, document = seeded
    statement = document.paragraphs[1].text
    assert statement == (
        "This response is published under section 55(1) of the Police Act 1996. HMICFRS "
        "published the report on 14 March 2024; the Act requires this response within 56 "
        "days, by 8 May 2024. The Chief Constable's comments were requested on 15 March 2024 "
        "and received on 19 April 2024. This response was published on 2 May 2024 and sent "
        "to HMICFRS and the Home Secretary on 3 May 2024.")


def test_house_style_marking_page_numbers_title_and_language(seeded):
    _, document = seeded
    assert furniture_text(document) == ["OFFICIAL", "Page 1 of 1", "OFFICIAL"]
    assert field_codes(document.sections[0].footer._element) == [
        "PAGE \\* MERGEFORMAT", "NUMPAGES \\* MERGEFORMAT"]
    assert document.core_properties.title == TITLE
    assert document.core_properties.language == "en-GB"
    assert document.paragraphs[0].style.name == "Heading 1"


def test_a_draft_says_what_is_not_written_yet(session):
    inspection = import_roads(session)
    document = docx.Document(io.BytesIO(render_s55_response(response_of(session,
                                                                          inspection.id))))
    assert cell_paragraphs(document.tables[0].rows[0].cells[1]) == [(NOT_WRITTEN, "Notice")]
    assert [p.text for p in under_heading(
        document, "Police and Crime Commissioner's initial response")] == [NOT_WRITTEN]
    body = [p.text for p in document.paragraphs]
    assert body.count(NOT_RECEIVED) == 6  # no Chief Constable's response to any yet
    assert document.paragraphs[1].text == (
        "This response is published under section 55(1) of the Police Act 1996. HMICFRS "
        "published the report on 14 March 2024; the Act requires this response within 56 "
        "days, by 8 May 2024.")


def test_a_superseded_recommendation_is_marked_not_answered(session):
    inspection = import_roads(session)
    rec = {f.number: f for f in inspections.findings_of(session, inspection.id)}
    rec["9"].superseded_by_id = rec["10"].id
    session.add(rec["9"])
    session.commit()
    document = docx.Document(io.BytesIO(render_s55_response(response_of(session,
                                                                          inspection.id))))
    body = [p.text for p in document.paragraphs]
    at = body.index("Recommendation 9")
    assert body[at + 2] == "Superseded by Recommendation 10."
    assert body.count(NOT_RECEIVED) == 5


def test_printed_the_report_table_starts_on_the_first_page(session, seeded, tmp_path):
    """LibreOffice keeps a table whose first paragraph is kept with the next with what follows
    it, which left the first page blank under the title; the labels must not do that."""
    inspection, _ = seeded
    pages = pdf_pages(render_s55_response(response_of(session, inspection.id)), tmp_path)
    assert "Summary of" in pages[0] and "OFFICIAL" in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "2,466 traffic offence reports" in pages[-1]


def test_causes_of_concern_and_graded_judgments_have_their_place(session):
    from app.models import Finding, InspectionJudgment

    inspection = import_roads(session)
    session.add(InspectionJudgment(inspection_id=inspection.id, area="Investigating crime",
                                   grade="Requires improvement", position=0))
    session.add(Finding(inspection_id=inspection.id, kind="cause_of_concern", number="1",
                        text="The force does not record crime accurately.", position=-1,
                        cc_response="An audit team is in place."))
    session.commit()
    document = docx.Document(io.BytesIO(render_s55_response(response_of(session,
                                                                          inspection.id))))
    rows = document.tables[0].rows
    assert [row.cells[0].text for row in rows] == [
        "Summary of inspection", "Grade", "Causes of concern", "Recommendations",
        "Areas for improvement"]
    assert cell_paragraphs(rows[1].cells[1]) == [
        ("Investigating crime: Requires improvement", "Normal")]
    assert cell_paragraphs(rows[2].cells[1])[:2] == [
        ("Cause of concern 1", "Heading 3"),
        ("The force does not record crime accurately.", "Normal")]
    body = [p.text for p in document.paragraphs]
    at = body.index("Cause of concern 1")  # answered first in the Chief Constable's section
    assert body[at + 2] == "An audit team is in place."
    assert body.index("Recommendation 4") > at
