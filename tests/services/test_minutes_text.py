"""How typed minutes text is read: paragraphs, bullets, numbered lines and tables."""

import pytest

from app.schemas import EntryCreate, EntryUpdate
from app.services.text import TextPart, minutes_lines, minutes_parts


def kinds(text: str) -> list[tuple[str, str]]:
    return [(part.kind, part.text) for part in minutes_parts(text)]


def test_bullets_are_read_from_every_mark_the_page_and_word_write():
    text = "The CC responded:\n• Typed\n- Dashed\n-\tTabbed\n\uf0b7 From Word's Symbol font\n•\n"
    assert kinds(text) == [
        ("paragraph", "The CC responded:"),
        ("bullet", "Typed"), ("bullet", "Dashed"), ("bullet", "Tabbed"),
        ("bullet", "From Word's Symbol font"),
    ]
    assert minutes_lines("\uf0b7 From Word") == [(True, "From Word")]


@pytest.mark.parametrize("line, number, body", [
    ("1. A review.", "1.", "A review."),
    ("12) An update.", "12)", "An update."),
    ("2.1. A sub-point.", "2.1.", "A sub-point."),
    ("a) At the next meeting.", "a)", "At the next meeting."),
    ("b. In the annual report.", "b.", "In the annual report."),
    ("(iv) A report.", "(iv)", "A report."),
    ("ii) A second.", "ii)", "A second."),
    ("(B) Another.", "(B)", "Another."),
    ("  3.   Indented and spaced.", "3.", "Indented and spaced."),
])
def test_a_line_starting_with_a_number_is_a_numbered_line_keeping_its_number(line, number,
                                                                            body):
    assert minutes_parts(line) == [TextPart("numbered", line.strip(), number=number, body=body)]


@pytest.mark.parametrize("line", [
    "J. Campion agreed.",  # initials
    "1.5 million calls were answered.",
    "2019. A year of change.",
    "e.g. the ANPR cameras",
    "10:00am start",
    "1.",  # a number with nothing after it
])
def test_other_lines_starting_with_digits_or_letters_are_paragraphs(line):
    assert kinds(line) == [("paragraph", line)]


def test_consecutive_rows_are_one_table_with_every_row_as_wide_as_the_widest():
    text = ("Figures:\n| Measure | 2018/19 | 2019/20 |\n|Killed or seriously injured|412|389|\n"
            "  | Speed enforcement | Mobile vans |  \nThe DCC will report again.")
    parts = minutes_parts(text)
    assert [part.kind for part in parts] == ["paragraph", "table", "paragraph"]
    assert parts[1].rows == (
        ("Measure", "2018/19", "2019/20"),
        ("Killed or seriously injured", "412", "389"),
        ("Speed enforcement", "Mobile vans", ""),
    )
    assert not parts[1].header


def test_a_row_of_dashes_under_the_first_row_makes_it_the_header_row():
    parts = minutes_parts("| Measure | Result |\n| --- | :---: |\n| KSI | 389 |")
    assert parts == [TextPart("table", "| Measure | Result |\n| --- | :---: |\n| KSI | 389 |",
                              rows=(("Measure", "Result"), ("KSI", "389")), header=True)]
    # Anywhere else a row of dashes is a row as typed.
    assert minutes_parts("| a |\n| b |\n| --- |")[0].rows == (("a",), ("b",), ("---",))


def test_a_blank_line_or_a_paragraph_ends_a_table():
    parts = minutes_parts("| Calls | 999 |\n\n| Calls | 101 |\nSaid.\n| Calls | 111 |")
    assert [(p.kind, p.rows) for p in parts] == [
        ("table", (("Calls", "999"),)), ("table", (("Calls", "101"),)), ("paragraph", ()),
        ("table", (("Calls", "111"),)),
    ]


@pytest.mark.parametrize("line", ["The vote was 5 | 3 in favour.", "| an open bar", "|"])
def test_a_bar_that_does_not_start_and_end_the_line_is_text(line):
    assert kinds(line) == [("paragraph", line)]


def test_minutes_lines_keeps_a_tables_rows_as_typed_for_documents_without_tables():
    assert minutes_lines("Figures:\n| KSI | 389 |\n| --- |\n- A bullet\n1. A number") == [
        (False, "Figures:"), (False, "| KSI | 389 |"), (False, "| --- |"),
        (True, "A bullet"), (False, "1. A number"),
    ]


def test_the_table_form_survives_saving_unchanged():
    """What the page writes for a pasted table is what the server keeps: bars, spaced cells,
    empty cells, blank lines and the bullet mark of Word's Symbol font."""
    text = ("Roads policing figures:\n\n| Measure | 2018/19 |  |\n| --- | --- | --- |\n"
            "| Op Snap (dashcam / phone) | 1,204 |  |\n\n\uf0b7 A bullet\n1. A number")
    assert EntryCreate(text=text).text == text
    assert EntryUpdate(version=1, text=text).text == text
