"""Importing HMICFRS reports: the three seed reports, other layouts, odd text and files.

The expected counts and texts were taken by reading the seed reports by hand, not from the
parser's output: the 2016 report has 1 + 4 + 3 "Areas for improvement" bullets (prevention,
investigation, serious and organised crime; the vulnerability section has none); the 2023-25
report has 5 "The force should..." paragraphs standing on their own (headings that start the same
way have no full stop, and sentences inside longer paragraphs are not areas for improvement);
the roads policing summary has recommendations 4, 6, 8, 9, 10 and 12 (quoted again in the Chief
Constable's response) and 3 areas for improvement, and no grades.
"""

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.services.errors import InvalidInput
from app.services.inspection_import import (
    AREA_FOR_IMPROVEMENT,
    CAUSE_OF_CONCERN,
    MAX_TEXT_CHARS,
    RECOMMENDATION,
    extract_text,
    parse_report,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "hmicfrs"


def _seed(name: str):
    content = (DATA / name).read_bytes()
    return parse_report(extract_text(name, content))


def _of(report, kind):
    return [f for f in report.findings if f.kind == kind]


def test_peel_2016_pdf_text():
    report = _seed("hmicfrs-peel-2016-effectiveness-staffordshire.txt")
    assert report.force == "Staffordshire Police"
    assert report.kind == "PEEL"
    assert not report.unrecognised
    assert dict(report.judgments) == {
        "Overall": "Requires improvement",
        "Preventing crime and anti-social behaviour, and keeping people safe": "Good",
        "Investigating crime and managing offenders": "Requires improvement",
        "Protecting from harm those who are vulnerable, and supporting victims": "Inadequate",
        "Tackling serious and organised crime, including its arrangements for fulfilling its "
        "national policing responsibilities": "Good",
    }
    afis = _of(report, AREA_FOR_IMPROVEMENT)
    assert len(afis) == 8
    assert len(report.findings) == 8
    texts = [f.text for f in afis]
    # A bullet wrapped over four lines is joined into one text.
    assert texts[0] == (
        "The force should use evidence of ‘what works’ drawn from other forces, academics and "
        "partners to improve continually its approach to the prevention of crime and anti-social "
        "behaviour. There needs to be routine evaluation of tactics and sharing of effective "
        "practice."
    )
    assert texts[1] == (
        "The force should take steps to ensure that all available evidence is recorded at "
        "scenes of crime."
    )
    assert texts[4] == (
        "The force should ensure that there is regular and active supervision of investigations "
        "to check quality and progress."
    )
    assert texts[7] == (
        "The force needs to develop a better understanding of the impact of its activity on "
        "serious and organised crime, and ensure that it learns from experience to maximise its "
        "disruptive effect."
    )
    assert [f.position for f in report.findings] == list(range(8))
    assert "at scenes of crime." in afis[1].source_paragraph
    assert all(f.number is None for f in afis)


def test_peel_2023_25_web_text():
    report = _seed("hmicfrs-peel-2023-25-staffordshire.txt")
    assert report.force == "Staffordshire Police"
    assert report.kind == "PEEL"
    assert report.title == "PEEL 2023–2025: Staffordshire Police"
    assert report.judgments == [
        ("Police powers and treating the public fairly and respectfully", "Adequate"),
        (
            "Preventing and deterring crime and antisocial behaviour, and reducing vulnerability",
            "Good",
        ),
        ("Responding to the public", "Requires improvement"),
        ("Investigating crime", "Requires improvement"),
        ("Protecting vulnerable people", "Requires improvement"),
        ("Managing offenders and suspects", "Adequate"),
        ("Building, supporting and protecting the workforce", "Adequate"),
        ("Leadership and force management", "Adequate"),
    ]
    afis = _of(report, AREA_FOR_IMPROVEMENT)
    assert len(report.findings) == len(afis) == 5
    texts = [f.text for f in afis]
    assert texts[0] == "The force should continue to improve its 999 answering times."
    assert texts[2].startswith(
        "The force should continue to improve how it deals with domestic abuse-related incidents"
    )
    assert texts[4] == (
        "The force should make sure that its aims regarding EDI result in tangible changes for "
        "its workforce."
    )
    # Headings worded as "The force should..." are not findings.
    assert "The force should improve how promptly it answers emergency calls" not in texts


def test_roads_policing_summary():
    report = _seed("hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt")
    assert report.judgments == []  # the "Grade" box is empty
    assert report.force == "Staffordshire Police"
    recs = _of(report, RECOMMENDATION)
    assert [r.number for r in recs] == ["4", "6", "8", "9", "10", "12"]
    assert all(r.addressee == "chief constables" for r in recs)
    assert all(r.deadline == "With immediate effect" for r in recs)
    assert recs[0].text == (
        "With immediate effect, chief constables should make sure that roads policing is "
        "included in their force’s strategic threat and risk assessments, which should identify "
        "the areas of highest harm and risk and the appropriate responses."
    )
    # The bullets of recommendation 6 are part of it.
    assert recs[1].text.endswith(
        "there is evaluation of road safety initiatives to establish their effectiveness"
    )
    assert recs[1].text.split("\n") == [
        "With immediate effect, chief constables should make sure:",
        "• their force has enough analytical capability (including that provided by road safety "
        "partnerships) to identify risks and threats on the road network within their force area;",
        "• that information shared by partners relating to road safety is used effectively to "
        "reduce those risks and threats; and",
        "• there is evaluation of road safety initiatives to establish their effectiveness",
    ]
    afis = _of(report, AREA_FOR_IMPROVEMENT)
    assert [a.text for a in afis] == [
        "Force-level support to national roads policing operations and intelligence structure "
        "is an area for improvement.",
        "The efficient and effective exchange of all collision data with other relevant bodies "
        "is an area for improvement.",
        "The awareness and understanding of the changes in the Professionalising Investigation "
        "Programme within police forces is an area for improvement.",
    ]
    assert len(report.findings) == 9
    assert _of(report, CAUSE_OF_CONCERN) == []


OTHER_LAYOUT = """\
An inspection of Northshire Constabulary's custody services
Published: 14 March 2024

12

Cause of concern
Northshire Constabulary does not make sure detainees are safe while in custody.

Recommendation 1: By 30 September 2024, the chief constable should make sure that
every detainee has a risk assessment
reviewed at each shift change.

Recommendation 2: Within 6 months, the constabulary should publish its custody data.

AFI 1: The constabulary should improve how it records the use of force in custody.
AFI 2 - The constabulary should make sure that detainees can see a solicitor promptly.

13

Northshire Constabulary is good at treating detainees with respect.
"""


def test_another_layout_numbered_headings():
    report = parse_report(OTHER_LAYOUT)
    assert report.force == "Northshire Constabulary"
    assert report.published_on == date(2024, 3, 14)
    assert report.kind == "inspection"
    assert report.title.startswith("An inspection of Northshire Constabulary")
    concerns = _of(report, CAUSE_OF_CONCERN)
    assert [c.text for c in concerns] == [
        "Northshire Constabulary does not make sure detainees are safe while in custody."
    ]
    recs = _of(report, RECOMMENDATION)
    assert [(r.number, r.addressee, r.deadline) for r in recs] == [
        ("1", "the chief constable", "By 30 September 2024"),
        ("2", "the constabulary", "Within 6 months"),
    ]
    assert recs[0].text.endswith(
        "every detainee has a risk assessment reviewed at each shift change."
    )
    afis = _of(report, AREA_FOR_IMPROVEMENT)
    assert [(a.number, a.text) for a in afis] == [
        ("1", "The constabulary should improve how it records the use of force in custody."),
        ("2", "The constabulary should make sure that detainees can see a solicitor promptly."),
    ]
    assert report.judgments == [("Treating detainees with respect", "Good")]


def test_numbered_list_under_heading():
    text = (
        "Recommendations\n\n1. The force should do A.\n2) The force should do\nB properly.\n\nEnd"
    )
    recs = _of(parse_report(text), RECOMMENDATION)
    assert [(r.number, r.text) for r in recs] == [
        ("1", "The force should do A."),
        ("2", "The force should do B properly."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "Just a letter about the weather.\nNothing else here at all.",
        "\x00\x01\x02 odd \x1b[31m control \x7f characters\n" * 50,
        "Recommendation\n\n\n",
        "Areas for improvement\n•\n•\n",
        "a" * (MAX_TEXT_CHARS + 10),
    ],
)
def test_text_without_structure_is_unrecognised_not_an_error(text):
    report = parse_report(text)
    assert report.unrecognised
    assert report.findings == []
    assert report.notes


def test_huge_text_is_cut_off_with_a_note():
    report = parse_report("x\n" * (MAX_TEXT_CHARS // 2 + 100))
    assert len(report.text) <= MAX_TEXT_CHARS
    assert any("2,000,000" in note for note in report.notes)


def test_running_headers_and_page_numbers_are_stripped():
    page = "Northshire inspection 2024\nThe force is doing things.\n{n}\n"
    text = "".join(page.format(n=n) for n in range(1, 6))
    text += "Areas for improvement\n• The force should keep\nbetter records.\n"
    report = parse_report(text)
    assert "Northshire inspection 2024" not in report.text
    assert "\n3\n" not in report.text
    assert [f.text for f in report.findings] == ["The force should keep better records."]


def test_grade_variants():
    text = (
        "How effective is the force at keeping people safe?\nSummary of findings\n"
        "requires improvement\n\nAreas for improvement\n• The force should do better.\n"
    )
    assert parse_report(text).judgments == [("Keeping people safe", "Requires improvement")]


def test_txt_in_utf16_is_read():
    assert extract_text("r.txt", "Good \u2013 ok".encode("utf-16")) == "Good \u2013 ok"


def test_txt_falls_back_to_cp1252():
    content = "The force\u2019s plan \u2013 good".encode("cp1252")
    assert extract_text("report.TXT", content) == "The force\u2019s plan \u2013 good"


def test_docx_is_read():
    import docx

    document = docx.Document()
    document.add_paragraph("Areas for improvement")
    document.add_paragraph("The force should answer calls more quickly.")
    document.add_paragraph("The force should record outcomes correctly.")
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract_text("report.docx", buffer.getvalue())
    report = parse_report(text)
    assert [f.text for f in report.findings] == [
        "The force should answer calls more quickly.",
        "The force should record outcomes correctly.",
    ]


def test_pdf_is_read(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed, so no PDF can be made for the test")
    source = tmp_path / "report.txt"
    source.write_text(
        "Westshire Police inspection\n\nAreas for improvement\n\n"
        "\u2022 The force should improve how it supervises investigations.\n\n"
        "\u2022 The force should answer 999 calls within ten seconds.\n",
        encoding="utf-8",
    )
    try:
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"LibreOffice could not make a PDF here: {exc}")
    text = extract_text("report.pdf", (tmp_path / "report.pdf").read_bytes())
    report = parse_report(text)
    assert report.force == "Westshire Police"
    assert [f.text for f in report.findings] == [
        "The force should improve how it supervises investigations.",
        "The force should answer 999 calls within ten seconds.",
    ]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("report.pdf", b"%PDF-1.4\n this is not really a pdf \x00\x01"),
        ("report.pdf", b"not a pdf at all"),
        ("report.docx", b"PK\x03\x04 damaged zip"),
        ("report.docx", b"plain bytes"),
        ("report.txt", b"\x00\x01\x02\x03binary"),
        ("report.txt", b""),
        ("report.exe", b"MZ\x90\x00"),
        ("report", b"text"),
    ],
)
def test_bad_files_give_a_clear_error(filename, content):
    with pytest.raises(InvalidInput) as caught:
        extract_text(filename, content)
    assert caught.value.errors["file"]


CONCERN_LAYOUT = """\
Cause of concern
The force doesn’t always safeguard victims of domestic abuse.
Recommendations
Within six months, the force should:
- make sure officers complete a risk assessment for every victim;
- supervise those assessments; and
- check that victims are referred for support.
Main findings
The force has a new plan.
"""


def test_cause_of_concern_with_bulleted_recommendation():
    report = parse_report(CONCERN_LAYOUT)
    assert [f.kind for f in report.findings] == [CAUSE_OF_CONCERN, RECOMMENDATION]
    recommendation = report.findings[1]
    assert recommendation.deadline == "Within six months"
    assert recommendation.addressee == "the force"
    # The finding keeps its own list, so the s55 response and the register show it as one.
    assert recommendation.text == (
        "Within six months, the force should:\n"
        "• make sure officers complete a risk assessment for every victim;\n"
        "• supervise those assessments; and\n"
        "• check that victims are referred for support."
    )


def test_random_text_never_raises():
    import random
    import time

    rng = random.Random(7)
    pieces = [
        "Areas for",
        "improvement",
        "Recommendation 3",
        "•",
        "-",
        "",
        " ",
        "Good",
        "Summary of findings",
        "How effective is the force at",
        "The force should do X.",
        "Cause of concern",
        ":",
        "\x0c",
        "\x00",
        "12",
        "Staffordshire Police is good at it.",
        "\u2028",
        "é" * 50,
    ]
    started = time.monotonic()
    for _ in range(200):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 300)))
        report = parse_report(text)
        assert isinstance(report.findings, list)
    big = "\n".join(rng.choice(pieces) for _ in range(200_000))
    parse_report(big)
    assert time.monotonic() - started < 60


# --- The area of the report each finding falls under ---------------------------------------------


def test_peel_2016_findings_carry_the_area_of_their_question():
    report = _seed("hmicfrs-peel-2016-effectiveness-staffordshire.txt")
    areas = [f.area for f in report.findings]
    # read by hand: 1 AFI under prevention, 4 under investigation, 3 under serious and
    # organised crime (the vulnerability section has none)
    prevention = "Preventing crime and anti-social behaviour, and keeping people safe"
    investigation = "Investigating crime and managing offenders"
    organised = (
        "Tackling serious and organised crime, including its arrangements for fulfilling its "
        "national policing responsibilities"
    )
    assert areas == [prevention] + [investigation] * 4 + [organised] * 3
    # each area is one of the graded areas, so the finding's grade can be looked up
    assert set(areas) <= set(dict(report.judgments))


def test_peel_2023_25_findings_carry_their_section_heading():
    report = _seed("hmicfrs-peel-2023-25-staffordshire.txt")
    assert [f.area for f in report.findings] == [
        "Responding to the public",
        "Investigating crime",
        "Protecting vulnerable people",
        "Building, supporting and protecting the workforce",
        "Building, supporting and protecting the workforce",
    ]


def test_a_report_without_graded_areas_gives_no_area():
    report = _seed("hmicfrs-roads-policing-summary-with-pcc-and-cc-responses.txt")
    assert report.findings
    assert {f.area for f in report.findings} == {None}


def test_findings_before_the_first_area_heading_have_none():
    text = (
        "Recommendations\n1. The force should do A.\n\n\n\n"
        "Responding to the public\nWestshire Police is good at responding to the public.\n"
        "The force should answer calls more quickly than it does now.\n"
    )
    report = parse_report(text)
    assert report.judgments == [("Responding to the public", "Good")]
    assert [(f.text[:20], f.area) for f in report.findings] == [
        ("The force should do ", None),
        ("The force should ans", "Responding to the public"),
    ]
