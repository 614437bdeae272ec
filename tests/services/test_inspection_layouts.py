"""Importing reports in layouts the first three seeds did not show: fire and rescue services'
reports, grades as "Area: Grade" lines, table rows and sentences, publication dates written
several ways, deadlines as dates, addressees with commas, titles behind a web page's furniture.

The reports in tests/data/inspections are made up for these tests in HMICFRS's conventions (no
real report's text); the Word and PDF files are built here. The expected values were written
from reading the made-up reports, not from the parser's output.
"""

import io
from datetime import date
from pathlib import Path

import docx
import pytest

from app.services.inspection_import import (
    AREA_FOR_IMPROVEMENT,
    CAUSE_OF_CONCERN,
    RECOMMENDATION,
    deadline_date,
    extract_text,
    parse_date,
    parse_report,
)
from app.services.inspections import s55_due

DATA = Path(__file__).resolve().parent.parent / "data" / "inspections"
FIRE_AREAS = [
    "Understanding fire and other risks",
    "Preventing fires and other risks",
    "Protecting the public through fire regulation",
    "Responding to fires and other emergencies",
    "Responding to major and multi-agency incidents",
    "Making best use of resources",
    "Making the fire and rescue service affordable now and in the future",
    "Promoting the right values and culture",
    "Getting the right people with the right skills",
    "Ensuring fairness and promoting diversity",
    "Managing performance and developing leaders",
]


def _read(name: str):
    return parse_report(extract_text(name, (DATA / name).read_bytes()))


def _kinds(report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in report.findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return counts


def test_fire_service_web_page_with_area_grade_lines():
    report = _read("fire-westmoor-web.txt")
    assert report.force == "Westmoor Fire and Rescue Service"
    assert report.sector == "fire"
    assert report.kind == "Fire and rescue"
    # The breadcrumbs, "Skip to main content" and "Published on" are not the title.
    assert report.title == (
        "Westmoor Fire and Rescue Service: Effectiveness, efficiency and people 2023–25")
    assert report.published_on == date(2024, 6, 12)
    assert s55_due(report.published_on) == date(2024, 8, 6)
    assert report.judgments == list(zip(FIRE_AREAS, [
        "Good", "Adequate", "Requires improvement", "Good", "Adequate", "Adequate", "Good",
        "Inadequate", "Requires improvement", "Requires improvement", "Adequate"], strict=True))
    assert _kinds(report) == {CAUSE_OF_CONCERN: 1, RECOMMENDATION: 1, AREA_FOR_IMPROVEMENT: 5}
    concern, recommendation, *afis = report.findings
    assert concern.text == (
        "The service hasn’t done enough to make sure its staff are treated fairly and that "
        "bullying and harassment are challenged when they happen.")
    assert recommendation.text == (
        "By 31 March 2025, the service should:\n"
        "• make sure all staff understand the service’s values and how they are expected to "
        "behave;\n"
        "• make sure managers are trained to deal with bullying and harassment; and\n"
        "• give staff a confidential way to raise concerns.")
    assert (recommendation.addressee, recommendation.deadline, recommendation.deadline_date) == (
        "the service", "By 31 March 2025", date(2025, 3, 31))
    assert [(a.area, a.text) for a in afis] == [
        ("Understanding fire and other risks",
         "The service should make sure risk information about high-rise buildings is up to "
         "date and available to crews."),
        ("Protecting the public through fire regulation",
         "The service should make sure it has enough qualified fire safety inspectors to carry "
         "out its risk-based inspection programme."),
        ("Promoting the right values and culture",
         "The service should monitor the hours its staff work, so that no one works too many "
         "hours."),
        ("Promoting the right values and culture",
         "The service should make sure its wellbeing support is promoted to all staff."),
        ("Getting the right people with the right skills",
         "The service should make sure its workforce plan sets out the skills it will need in "
         "the next five years."),
    ]
    assert report.notes == []


def test_police_web_page_with_a_table_of_grades_and_a_numeric_date():
    report = _read("police-peel-northmere-web.txt")
    assert report.force == "Northmere Police"
    assert report.sector == "police"
    assert report.kind == "PEEL"
    assert report.title == "PEEL 2023–2025: Northmere Police"
    assert report.published_on == date(2024, 3, 14)  # "Published: 14/03/2024", day first
    assert report.judgments == [
        ("Police powers and treating the public fairly and respectfully", "Good"),
        ("Preventing and deterring crime and antisocial behaviour, and reducing vulnerability",
         "Adequate"),
        ("Responding to the public", "Inadequate"),
        ("Investigating crime", "Requires improvement"),
        ("Protecting vulnerable people", "Requires improvement"),
        ("Managing offenders and suspects", "Good"),
        ("Building, supporting and protecting the workforce", "Adequate"),
        ("Leadership and force management", "Adequate"),
    ]
    assert _kinds(report) == {CAUSE_OF_CONCERN: 1, RECOMMENDATION: 1, AREA_FOR_IMPROVEMENT: 4}
    recommendation = report.findings[1]
    assert recommendation.kind == RECOMMENDATION
    assert recommendation.deadline == "By the end of September 2024"
    assert recommendation.deadline_date == date(2024, 9, 30)
    assert recommendation.area == "Responding to the public"
    assert recommendation.text.count("\n• ") == 3
    assert [f.area for f in report.findings[2:]] == [
        "Responding to the public", "Investigating crime", "Investigating crime",
        "Protecting vulnerable people"]
    assert report.findings[-1].text == (
        "The force should make sure officers use body-worn video at domestic abuse incidents.")


def test_pdf_text_with_grades_in_sentences_and_a_date_under_published():
    report = _read("police-pdf-eastvale.txt")
    assert report.force == "Eastvale Constabulary"
    # The title wraps over three lines of the cover; "Contents" and "Published" are passed by.
    assert report.title == "Inspection of how well Eastvale Constabulary keeps people safe"
    assert report.published_on == date(2022, 9, 22)
    assert report.judgments == [
        ("Responding to the public", "Adequate"),  # "We found the force to be adequate at ..."
        ("Investigating crime", "Good"),  # "The force is good at investigating crime."
        ("Protecting vulnerable people", "Requires improvement"),  # "... requires improvement in"
    ]
    assert _kinds(report) == {RECOMMENDATION: 2, AREA_FOR_IMPROVEMENT: 3}
    first, second = [f for f in report.findings if f.kind == RECOMMENDATION]
    assert (first.number, first.addressee, first.deadline, first.deadline_date) == (
        "1", "the force", "Within six months", None)
    assert first.text == (
        "Within six months, the force should make sure that callers are told when officers will "
        "arrive, and are updated if there is a delay.")
    assert (second.number, second.addressee, second.deadline, second.deadline_date) == (
        "2", "chief officers at Eastvale Constabulary", "By 31 January 2023", date(2023, 1, 31))
    afis = [f for f in report.findings if f.kind == AREA_FOR_IMPROVEMENT]
    assert afis[0].text == (
        "The force should make sure that victims are updated at least every 28 days while their "
        "case is investigated.")
    assert [a.area for a in afis] == [
        "Investigating crime", "Investigating crime", "Protecting vulnerable people"]


def test_national_recommendations_with_addressees_and_deadlines():
    report = _read("thematic-retail-crime.txt")
    # The inspectorate's name heads the page; the report names the subject, so no force is added.
    assert report.title == "An inspection of how well the police respond to retail crime"
    assert report.published_on == date(2023, 12, 5)  # "Date of publication: 5 December 2023"
    assert report.judgments == []
    assert _kinds(report) == {CAUSE_OF_CONCERN: 1, RECOMMENDATION: 5, AREA_FOR_IMPROVEMENT: 1}
    recommendations = [f for f in report.findings if f.kind == RECOMMENDATION]
    assert [(r.number, r.addressee, r.deadline, r.deadline_date) for r in recommendations] == [
        ("1", "chief constables, police and crime commissioners and the College of Policing",
         "By 31 March 2025", date(2025, 3, 31)),
        ("2", "the Home Office", "By the end of March 2025", date(2025, 3, 31)),
        ("3", "chief constables", "Within six months", None),
        ("4", "chief constables", "With immediate effect", None),
        ("5", "the College of Policing", "By June 2025", date(2025, 6, 30)),
    ]
    assert recommendations[1].text == (
        "By the end of March 2025, the Home Office, working with the National Police Chiefs’ "
        "Council, should publish data on retail crime outcomes for each force.")


def _fire_docx() -> bytes:
    """A fire and rescue service's report as a Word file: its grades in a table."""
    document = docx.Document()
    document.add_paragraph("His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services")
    document.add_paragraph("Published on: 2 February 2024")
    document.add_heading("Effectiveness, efficiency and people 2023–25", level=1)
    document.add_paragraph("An inspection of Southdown Fire and Rescue Service")
    document.add_paragraph("Our judgments")
    rows = [("Area", "Grade")] + list(zip(FIRE_AREAS[:6], [
        "Outstanding", "Good", "Good", "Adequate", "Requires improvement", "Good"], strict=True))
    table = document.add_table(rows=len(rows) + 1, cols=2)
    title = table.rows[0].cells[0].merge(table.rows[0].cells[1])  # a title across the table
    title.text = "Southdown Fire and Rescue Service’s grades"
    for row, (area, grade) in zip(table.rows[1:], rows, strict=True):
        row.cells[0].text, row.cells[1].text = area, grade
    document.add_paragraph("The service is good at preventing fires, and works well with "
                           "partners to reach people at risk.")
    document.add_heading("Areas for improvement", level=2)
    document.add_paragraph("The service should make sure its crews can get up-to-date risk "
                           "information on every call.")
    document.add_paragraph("The service should evaluate its prevention work.")
    document.add_heading("Recommendation", level=2)
    document.add_paragraph("By the end of December 2024, Southdown Fire and Rescue Service "
                           "should review how it crews its on-call fire engines.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_fire_report_as_a_word_file_with_a_table_of_grades():
    report = parse_report(extract_text("southdown.docx", _fire_docx()))
    assert report.force == "Southdown Fire and Rescue Service"
    assert report.sector == "fire"
    assert report.title == "Effectiveness, efficiency and people 2023–25: Southdown Fire and " \
        "Rescue Service"
    assert report.published_on == date(2024, 2, 2)
    assert report.judgments == list(zip(FIRE_AREAS[:6], [
        "Outstanding", "Good", "Good", "Adequate", "Requires improvement", "Good"], strict=True))
    assert _kinds(report) == {AREA_FOR_IMPROVEMENT: 2, RECOMMENDATION: 1}
    recommendation = report.findings[-1]
    assert recommendation.addressee == "Southdown Fire and Rescue Service"
    assert recommendation.deadline_date == date(2024, 12, 31)


def _pdf(lines: list[list[tuple[int, str]]]) -> bytes:
    """A one-page PDF whose lines hold text at the given x positions (a table's columns), in
    Helvetica, as an office's PDF of a report holds its table."""
    ops = ["BT", "/F1 10 Tf"]
    for n, cells in enumerate(lines):
        for x, text in cells:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"1 0 0 1 {x} {800 - 14 * n} Tm ({escaped}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_of_a_table_of_grades_with_an_area_wrapped_over_two_lines():
    content = _pdf([
        [(72, "Fenland Fire and Rescue Service inspection 2023-25")],
        [(72, "Published: 09/10/2023")],
        [(72, "Question"), (400, "Grade")],
        [(72, "Understanding fire and other risks"), (400, "Adequate")],
        [(72, "Responding to fires and other emergencies"), (400, "Good")],
        [(72, "Making the fire and rescue service affordable now and in"),
         (400, "Requires improvement")],
        [(72, "the future")],
        [(72, "Promoting the right values and culture"), (400, "Inadequate")],
        [(72, "Cause of concern")],
        [(72, "Fenland Fire and Rescue Service hasn't made sure that its staff feel safe to")],
        [(72, "challenge poor behaviour.")],
        [(72, "Area for improvement")],
        [(72, "The service should make sure it reviews its response standards.")],
    ])
    text = extract_text("fenland.pdf", content)
    assert "Understanding fire and other risks Adequate" in text  # one space: PDF text
    report = parse_report(text)
    assert report.force == "Fenland Fire and Rescue Service"
    assert report.title == "Fenland Fire and Rescue Service inspection 2023-25"
    assert report.published_on == date(2023, 10, 9)
    assert report.judgments == [
        ("Understanding fire and other risks", "Adequate"),
        ("Responding to fires and other emergencies", "Good"),
        ("Making the fire and rescue service affordable now and in the future",
         "Requires improvement"),
        ("Promoting the right values and culture", "Inadequate"),
    ]
    assert [(f.kind, f.text) for f in report.findings] == [
        (CAUSE_OF_CONCERN, "Fenland Fire and Rescue Service hasn't made sure that its staff "
                           "feel safe to challenge poor behaviour."),
        (AREA_FOR_IMPROVEMENT, "The service should make sure it reviews its response "
                               "standards."),
    ]


@pytest.mark.parametrize(("line", "expected"), [
    ("Published on: 27 July 2022", date(2022, 7, 27)),
    ("Published: 27/07/2022", date(2022, 7, 27)),
    ("Published 27 July 2022", date(2022, 7, 27)),
    ("Date of publication: 27 July 2022", date(2022, 7, 27)),
    ("Publication date – 27th July 2022", date(2022, 7, 27)),
    ("First published: 27 Jul 2022", date(2022, 7, 27)),
    ("Published on 2022-07-27", date(2022, 7, 27)),
    ("Published\n\n27 July 2022", date(2022, 7, 27)),
    ("Published on:\n27 July 2022", date(2022, 7, 27)),
    ("Inspection report    Published on: 27 July 2022", date(2022, 7, 27)),
    ("This report was published on 27 July 2022.", date(2022, 7, 27)),
    ("Published: 31/02/2022", None),  # no such day
])
def test_publication_dates_as_reports_write_them(line, expected):
    text = f"A report on Northshire Police\n{line}\n\nAreas for improvement\n" \
           "The force should keep better records.\n"
    assert parse_report(text).published_on == expected


def test_a_date_in_the_body_is_not_the_publication_date():
    body = "\n".join(["The force had a plan for the year ahead."] * 80)
    text = ("An inspection of Northshire Police\n" + body
            + "\nThe force published on 3 May 2021 a plan that it last published on 1 May 2020.\n")
    report = parse_report(text)
    assert report.published_on is None
    assert any("publication date" in note for note in report.notes)


@pytest.mark.parametrize("rows", [
    "Responding to the public: Good\nInvestigating crime: Requires improvement",
    "Responding to the public  Good\nInvestigating crime  Requires improvement",
    "Responding to the public\tGood\nInvestigating crime\tRequires improvement",
    "| Responding to the public | Good |\n| Investigating crime | Requires improvement |",
    "Responding to the public – Good\nInvestigating crime – Requires improvement",
    "Responding to the public\nGood\nInvestigating crime\nRequires improvement",
    "Responding to the public\nGood\n\nInvestigating crime\nRequires improvement",
])
def test_grades_as_lines_and_rows(rows):
    text = f"Northshire Police inspection\nOur judgments\n{rows}\nThe end of the summary.\n"
    assert parse_report(text).judgments == [
        ("Responding to the public", "Good"), ("Investigating crime", "Requires improvement")]


@pytest.mark.parametrize(("sentence", "grade", "area"), [
    ("The force is good at responding to the public.", "Good", "Responding to the public"),
    ("The service is outstanding at preventing fires and other risks.", "Outstanding",
     "Preventing fires and other risks"),
    ("The service requires improvement in protecting the public through fire regulation.",
     "Requires improvement", "Protecting the public through fire regulation"),
    ("We found the force to be adequate at investigating crime.", "Adequate",
     "Investigating crime"),
    ("Northshire Fire and Rescue Service's overall effectiveness is good.", "Good",
     "Overall effectiveness"),
    ("The constabulary is rated as inadequate at protecting vulnerable people.", "Inadequate",
     "Protecting vulnerable people"),
])
def test_grades_in_sentences(sentence, grade, area):
    text = f"Summary\n\n{sentence} The rest of the paragraph says why.\n"
    assert parse_report(text).judgments == [(area, grade)]


def test_sentences_in_prose_and_past_inspections_are_not_grades():
    text = (
        "Northshire Police inspection\n"
        "Summary\n"
        "In 2019 we found that Northshire Police was good at preventing crime.\n"
        "Call handling has improved and officers told us they were proud of it. The force is "
        "good at sharing information with partners.\n"
        "Officers said that the force is good at training them in first aid.\n"
    )
    assert parse_report(text).judgments == []


@pytest.mark.parametrize(("words", "expected"), [
    ("By 31 March 2025", date(2025, 3, 31)),
    ("by 31st March 2025", date(2025, 3, 31)),
    ("by the end of March 2025", date(2025, 3, 31)),
    ("By February 2024", date(2024, 2, 29)),
    ("by the end of 2025", date(2025, 12, 31)),
    ("by 30/09/2024", date(2024, 9, 30)),
    ("No later than 1 April 2025", date(2025, 4, 1)),
    ("Within six months", None),
    ("With immediate effect", None),
    ("Immediately", None),
    ("By 31 February 2025", None),
    ("", None),
])
def test_deadlines_as_dates(words, expected):
    assert deadline_date(words) == expected


@pytest.mark.parametrize(("text", "addressee", "deadline"), [
    ("Chief constables, police and crime commissioners and the College of Policing should "
     "work together.", "Chief constables, police and crime commissioners and the College of "
     "Policing", None),
    ("By 31 March 2025, chief fire officers, fire and rescue authorities, and the Home Office "
     "should agree a standard.", "chief fire officers, fire and rescue authorities, and the "
     "Home Office", "By 31 March 2025"),
    ("In order to improve the service to victims, chief constables should act.",
     "chief constables", None),
    ("To make sure that victims are safe, and within three months, forces should act.",
     "forces", "within three months"),
    ("We recommend that, by the end of 2024, the NPCC lead for custody should act.",
     "the NPCC lead for custody", "by the end of 2024"),
])
def test_addressees_and_deadlines_of_recommendations(text, addressee, deadline):
    report = parse_report(f"Recommendations\n\n1. {text}\n")
    (finding,) = report.findings
    assert (finding.addressee, finding.deadline) == (addressee, deadline)


@pytest.mark.parametrize(("text", "expected"), [
    ("27 July 2022", date(2022, 7, 27)),
    ("July 27, 2022", date(2022, 7, 27)),
    ("27 Sept 2022", date(2022, 9, 27)),
    ("27/7/22", date(2022, 7, 27)),
    ("27 Julyish 2022", None),
    ("32 July 2022", None),
    ("not a date", None),
])
def test_dates_as_reports_write_them(text, expected):
    assert parse_date(text) == expected


def test_unseen_fire_report_with_last_inspections_grades_beside_this_ones():
    # Written after the parser, to check it on wording it was not written for: a table with a
    # column of the previous inspection's grades, a pillar grade on each pillar's row.
    report = _read("unseen-fire-kingsmoor.txt")
    assert report.force == "Kingsmoor & Dale Fire and Rescue Service"
    assert report.published_on == date(2023, 1, 17)  # "Date published: 17 January 2023"
    grades = dict(report.judgments)
    assert len(grades) == 14
    assert (grades["Effectiveness"], grades["Efficiency"], grades["People"]) == (
        "Requires improvement", "Good", "Requires improvement")
    assert grades["Making the fire and rescue service affordable now and in the future"] == "Good"
    assert grades["Ensuring fairness and promoting diversity"] == "Inadequate"
    assert _kinds(report) == {CAUSE_OF_CONCERN: 1, RECOMMENDATION: 1, AREA_FOR_IMPROVEMENT: 4}
    assert report.findings[1].deadline_date == date(2023, 6, 30)
    assert [f.area for f in report.findings[2:]] == [
        "Preventing fires and other risks", "Preventing fires and other risks",
        "Protecting the public through fire regulation",
        "Getting the right people with the right skills"]


def test_unseen_police_report_with_dashes_labels_and_a_late_deadline():
    report = _read("unseen-police-westshire.txt")
    assert report.force == "Westshire Police"
    assert report.published_on == date(2024, 5, 9)  # "Report published: 9th May 2024"
    assert report.judgments == [
        ("Overall", "Requires improvement"),
        ("Engaging with and treating the public with fairness and respect", "Good"),
        ("Preventing crime and antisocial behaviour", "Adequate"),
        ("Responding to the public", "Requires improvement"),
        ("Investigating crime", "Requires improvement"),
        ("Protecting vulnerable people", "Adequate"),
    ]
    assert [(f.kind, f.number) for f in report.findings] == [
        (AREA_FOR_IMPROVEMENT, "1"), (AREA_FOR_IMPROVEMENT, "2"), (CAUSE_OF_CONCERN, "1"),
        (RECOMMENDATION, "1"), (RECOMMENDATION, "2"), (AREA_FOR_IMPROVEMENT, "3")]
    # The heading after AFI 2, with no blank line between, is not part of it.
    assert report.findings[1].text == (
        "The force should make sure it tells callers when officers will arrive.")
    recommendations = [f for f in report.findings if f.kind == RECOMMENDATION]
    assert [(r.addressee, r.deadline, r.deadline_date) for r in recommendations] == [
        ("The chief constable", "no later than 30 November 2024", date(2024, 11, 30)),
        ("Police and crime commissioners, chief constables and fire and rescue authorities",
         None, None),
    ]


def test_unseen_fire_report_with_grades_said_under_our_judgments():
    # Written after the parser and read without changing it.
    report = _read("unseen-fire-northbrook.txt")
    assert report.title == (
        "Fire and rescue service inspection 2023–25: Northbrook Fire and Rescue Service")
    assert report.published_on == date(2025, 3, 3)  # "First published: 3 March 2025"
    assert report.judgments == [
        ("Understanding fire and other risks", "Good"),
        ("Preventing fires and other risks", "Adequate"),
        ("Responding to fires and other emergencies", "Requires improvement"),
        ("Making best use of resources", "Outstanding"),
        ("Managing performance and developing leaders", "Inadequate"),
    ]
    assert _kinds(report) == {CAUSE_OF_CONCERN: 1, RECOMMENDATION: 1, AREA_FOR_IMPROVEMENT: 3}
    recommendation = report.findings[1]
    assert (recommendation.number, recommendation.addressee, recommendation.deadline_date) == (
        "1", "the chief fire officer", date(2025, 9, 1))
    assert [f.area for f in report.findings[2:]] == [
        "Responding to fires and other emergencies", "Responding to fires and other emergencies",
        "Managing performance and developing leaders"]


def test_a_long_run_of_spaces_is_read_at_once():
    # A PDF's layout can leave thousands of spaces on a line; the table-row and date patterns
    # tried every length of the run (3.5 s a pattern for 5,000 spaces).
    import time

    started = time.monotonic()
    report = parse_report("Northshire Police" + " " * 200_000 + "Good\n" + "x" * 50)
    assert time.monotonic() - started < 2
    assert report.force == "Northshire Police"
