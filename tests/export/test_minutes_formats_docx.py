"""The Word minutes of one meeting in each preset and with each option of the format changed,
read back: every element where the option puts it, in the style it says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.services import minutes_format as formats
from app.services.minutes_format import PRESETS, Preset
from tests.export.reading import field_codes, furniture_text, is_header_row, table_texts
from tests.format_meeting import (
    ASSURANCE,
    COMMISSION,
    DECISION,
    SPOKEN,
    FormatMeeting,
    document_of,
    make_format_meeting,
    minutes_in,
)

SEND = "Send the Commissioner the speed camera figures."
INLINE_SEND = "Action – NA to send the Commissioner the speed camera figures."


@dataclass
class Read:
    """A document read back: its body in order, and each table's texts."""

    body: list[tuple[str, str]]  # (text, style name) of each body paragraph, blank ones out
    tables: list[list[list[str]]]
    built: FormatMeeting
    document: object

    def styled(self, text: str) -> str:
        """The style of the body paragraph reading `text`; fails naming what is there."""
        for found, style in self.body:
            if found == text:
                return style
        raise AssertionError(f"no paragraph {text!r} in {[t for t, _ in self.body]}")

    def after(self, heading: str) -> list[str]:
        """The body paragraphs after the heading `heading`, to the next heading."""
        texts = [t for t, _ in self.body]
        start = texts.index(heading) + 1
        end = next((i for i in range(start, len(self.body))
                    if self.body[i][1].startswith("Heading")), len(self.body))
        return texts[start:end]

    def minutes_table(self) -> list[list[str]]:
        """The three-column minutes table (number | minutes | ACTION)."""
        for table in self.tables:
            if table[0][1:] == ["Minutes", "ACTION"]:
                return table
        raise AssertionError("no minutes table")

    def row_of(self, text: str) -> list[str]:
        """The row of the minutes table whose middle cell starts with `text`."""
        for row in self.minutes_table():
            if row[1].startswith(text):
                return row
        raise AssertionError(f"no row {text!r}")

    def everything(self) -> str:
        return "\n".join([t for t, _ in self.body]
                         + [cell for table in self.tables for row in table for cell in row])


def read(session, preset: Preset = Preset.notes, **options) -> Read:
    fmt = formats.from_options({"preset": preset.value, **options})
    built = make_format_meeting(session, fmt)
    document = document_of(minutes_in(session, built))
    body = [(block.text, block.style.name) for block in document.iter_inner_content()
            if isinstance(block, Paragraph) and block.text]
    tables = [table_texts(block) for block in document.iter_inner_content()
              if isinstance(block, Table)]
    return Read(body=body, tables=tables, built=built, document=document)


# --- the presets -------------------------------------------------------------------------------


def test_the_notes_preset_is_the_reference_layout(session):
    doc = read(session)
    assert doc.body[0] == ("Police and Crime Panel June 2025 – Meeting Notes", "Heading 1")
    assert doc.styled("Date: Tuesday 10th June 2025 @ 14:00") == "List Bullet"
    assert doc.styled("Minutes: Nadia Ahmed, Policy Officer, OPCC") == "List Bullet"
    attendance = doc.tables[0]
    assert attendance[0] == ["", "Name:", "Capacity:"]
    assert ["", "Mark Cooper (substitute for Amanda Blakeman, DCC)",
            "Assistant Chief Constable (ACC)"] in attendance
    assert ["In attendance:", "Jo Patel (for item 3)", "Head of Roads Policing"] in attendance
    assert ["Apologies:", "Amanda Blakeman", "Deputy Chief Constable (DCC)"] in attendance
    minutes = doc.minutes_table()
    assert [row[0] for row in minutes if row[0]] == ["1", "1.1", "2", "3", "4"]
    assert ["1", "MATTERS ARISING", ""] in minutes  # and no "None were discussed."
    assert ["1.1", "RESPONSE TIMES:", ""] in minutes
    assert doc.row_of("Jane Smith asked the PCC: When will the station reopen?")
    assert doc.row_of(SPOKEN)[1] == SPOKEN  # speakers are not added in the reference layout
    ref = doc.built.decision_reference
    assert doc.row_of(DECISION)[1] == f"{DECISION} (Decision {ref})"
    assert doc.row_of(ASSURANCE)[1] == ASSURANCE
    assert doc.row_of("Actions arising:")
    assert doc.row_of(SEND)[2] == "NA\nA/2025/001\nDue 31/01/2030"
    assert "ACC, JP" in doc.row_of("Report ANPR coverage")[2]
    assert ["4", "ANY OTHER BUSINESS\nNo items", ""] in minutes
    assert "Summary of actions" not in doc.everything()
    assert "Action – " not in doc.everything()


def _common_furniture(doc: Read) -> None:
    """Every preset keeps the marking in header and footer and "Page X of Y"."""
    section = doc.document.sections[0]
    assert furniture_text(doc.document) == ["OFFICIAL", "Page 1 of 1", "OFFICIAL"]
    assert field_codes(section.footer._element)[:2] == [
        "PAGE \\* MERGEFORMAT", "NUMPAGES \\* MERGEFORMAT"]


def test_the_board_preset_writes_an_accountability_board(session):
    doc = read(session, Preset.board)
    _common_furniture(doc)
    assert doc.body[0] == ("Police and Crime Panel – Minutes", "Heading 1")
    assert doc.styled("Date: Tuesday 10 June 2025, 14:00 – 16:30") == "List Bullet"
    assert doc.after("Present:") == [
        "PCC John Campion (JC)", "Cllr Gareth Jones (GJ) – Panel member",
        "ACC Mark Cooper (MC) for the DCC", "Nadia Ahmed (NA) – Policy Officer"]
    assert doc.after("In attendance:") == [
        "Supt Jo Patel (JP) – Head of Roads Policing (for item 4)"]
    assert doc.after("Apologies:") == ["DCC Amanda Blakeman (AB)"]
    assert [(t, s) for t, s in doc.body if t[:2] in ("1.", "2.", "3.", "4.", "5.")] == [
        ("1. Matters arising", "Heading 2"), ("2. Response times", "Heading 3"),
        ("3. Public questions", "Heading 2"), ("4. Roads policing", "Heading 2"),
        ("5. Any other business", "Heading 2")]
    assert doc.after("1. Matters arising") == []
    assert doc.after("3. Public questions") == [
        "JS asked JC: When will the station reopen?", "JC responded: In the spring."]
    ref = doc.built.decision_reference
    assert doc.after("4. Roads policing") == [
        COMMISSION, "Presented by: AB", "Paper – For Decision",
        f"GJ: {SPOKEN}", "Cllr Jones thanked the DCC.",
        f"Decision ({ref}): {DECISION}",
        f"Assurance statement (partially assured): {ASSURANCE}",
        INLINE_SEND, "A/2025/001, due 31 January 2030",
        "Action – MC and JP to report ANPR coverage of the A44 to the panel.",
        "A/2025/002, due 31 January 2030"]
    assert doc.styled(INLINE_SEND) == "Action Line"
    assert doc.styled("Summary of actions") == "Heading 2"
    summary = doc.tables[-1]
    assert summary[0] == ["Reference", "Action", "Owner", "Due date"]
    assert summary[1:] == [
        ["A/2025/001", SEND, "NA", "31 January 2030"],
        ["A/2025/002", "Report ANPR coverage of the A44 to the panel.", "MC, JP",
         "31 January 2030"]]
    assert len(doc.tables) == 1  # no attendance table, no minutes table
    header = doc.document.tables[0].rows[0]
    assert is_header_row(header)


def test_the_panel_preset_writes_a_police_and_crime_panel(session):
    doc = read(session, Preset.panel)
    _common_furniture(doc)
    assert doc.body[0] == ("Minutes of the Police and Crime Panel", "Heading 1")
    assert doc.after("Present:") == [
        "PCC John Campion", "Cllr Gareth Jones – Panel member", "ACC Mark Cooper for the DCC",
        "Nadia Ahmed – Policy Officer"]
    assert doc.after("In attendance:") == ["Supt Jo Patel – Head of Roads Policing (for item 9)"]
    assert doc.styled("6. Matters arising") == "Heading 2"
    assert doc.styled("7. Response times") == "Heading 3"
    assert doc.after("7. Response times") == ["Response times in the north have improved."]
    assert doc.after("8. Public questions") == [
        "Jane Smith asked the PCC: When will the station reopen?",
        "The PCC responded: In the spring."]
    ref = doc.built.decision_reference
    assert doc.after("9. Roads policing") == [
        f"Cllr Jones: {SPOKEN}", "Cllr Jones thanked the DCC.",
        f"Resolved ({ref}): {DECISION}", ASSURANCE,
        "Action – Nadia Ahmed to send the Commissioner the speed camera figures.",
        "A/2025/001, due 31 January 2030",
        "Action – ACC and Supt Patel to report ANPR coverage of the A44 to the panel.",
        "A/2025/002, due 31 January 2030"]
    assert doc.after("10. Any other business") == ["No items"]
    assert doc.tables[-1][2][2] == "ACC, Supt Patel"


# --- each option changed -----------------------------------------------------------------------


def _check_layout_paragraphs(doc: Read) -> None:
    assert doc.styled("3 Roads policing") == "Heading 2"
    assert doc.styled("1.1 Response times") == "Heading 3"
    assert not any(table[0][1:] == ["Minutes", "ACTION"] for table in doc.tables)
    assert INLINE_SEND in doc.after("3 Roads policing")


def _check_layout_table(doc: Read) -> None:
    # The item's commission, presenter and purpose under its title, in the title's cell.
    assert ["4.", f"ROADS POLICING\n{COMMISSION}\nPresented by: AB\nPaper – For Decision", ""] \
        in doc.minutes_table()
    assert doc.row_of(INLINE_SEND)[1].startswith(INLINE_SEND)


def _check_inline(doc: Read) -> None:
    assert doc.row_of(INLINE_SEND)[1] == f"{INLINE_SEND}\nA/2025/001, due 31 January 2030"
    assert "Actions arising:" not in doc.everything()


def _check_summary(doc: Read) -> None:
    assert doc.styled("Summary of actions") == "Heading 2"
    assert doc.tables[-1][1] == ["A/2025/001", SEND, "NA", "31 January 2030"]
    assert "Actions arising:" not in doc.everything()


def _check_column_on_board(doc: Read) -> None:
    assert doc.row_of("Actions arising:")
    assert doc.row_of(SEND)[2] == "NA\nA/2025/001\nDue 31/01/2030"


def _check_initials(doc: Read) -> None:
    assert doc.row_of("JS asked JC: When will the station reopen?")
    assert ["Attendance:", "John Campion (JC)", "Police and Crime Commissioner (PCC)"] \
        in doc.tables[0]
    assert doc.row_of("Report ANPR")[2].startswith("MC, JP")


def _check_title_surname(doc: Read) -> None:
    # Office holders by their role, anyone else by title and surname, owners too: no initials.
    assert doc.row_of("Jane Smith asked the PCC: When will the station reopen?")
    assert doc.row_of("Report ANPR")[2].startswith("ACC, Supt Patel")
    assert doc.row_of(SEND)[2].startswith("Nadia Ahmed")


def _check_full_name(doc: Read) -> None:
    assert doc.row_of("Jane Smith asked John Campion: When will the station reopen?")
    assert doc.row_of(SEND)[2].startswith("Nadia Ahmed")


def _check_role_on_board(doc: Read) -> None:
    assert "Jane Smith asked the PCC: When will the station reopen?" in \
        doc.after("3. Public questions")
    assert "Action – ACC and JP to report ANPR coverage of the A44 to the panel." in \
        doc.after("4. Roads policing")
    assert doc.after("Present:")[0] == "PCC John Campion"


def _check_decision_label(doc: Read) -> None:
    ref = doc.built.decision_reference
    assert doc.row_of("Resolved")[1] == f"Resolved ({ref}): {DECISION}"


def _check_no_labels_on_board(doc: Read) -> None:
    body = doc.after("4. Roads policing")
    assert f"{DECISION} (Decision {doc.built.decision_reference})" in body
    assert ASSURANCE in body


def _check_assurance_label(doc: Read) -> None:
    assert doc.row_of("Assurance")[1] == f"Assurance (partially assured): {ASSURANCE}"


def _check_commission(doc: Read) -> None:
    assert ["3", f"ROADS POLICING\n{COMMISSION}", ""] in doc.minutes_table()


def _check_presenter(doc: Read) -> None:
    assert ["3", "ROADS POLICING\nPresented by: the DCC", ""] in doc.minutes_table()


def _check_purpose(doc: Read) -> None:
    assert ["3", "ROADS POLICING\nPaper – For Decision", ""] in doc.minutes_table()


def _check_speakers(doc: Read) -> None:
    assert doc.row_of("Cllr Jones")[1] == f"Cllr Jones: {SPOKEN}"
    assert doc.row_of("Cllr Jones thanked")[1] == "Cllr Jones thanked the DCC."


def _check_no_speakers_on_board(doc: Read) -> None:
    assert SPOKEN in doc.after("4. Roads policing")


def _check_grouped(doc: Read) -> None:
    assert doc.after("Present:") == [
        "PCC John Campion", "Cllr Gareth Jones – Panel member", "ACC Mark Cooper for the DCC",
        "Nadia Ahmed – Policy Officer"]
    assert doc.after("In attendance:") == ["Supt Jo Patel – Head of Roads Policing (for item 3)"]
    assert doc.after("Apologies:") == ["DCC Amanda Blakeman"]
    assert doc.styled("Present:") == "Heading 2"
    assert doc.tables[0][0] == ["", "Minutes", "ACTION"]  # no attendance table


def _check_attendance_table_on_board(doc: Read) -> None:
    assert ["", "Mark Cooper (MC) (substitute for Amanda Blakeman, DCC)",
            "Assistant Chief Constable (ACC)"] in doc.tables[0]
    assert "Present:" not in [t for t, _ in doc.body]


def _title(expected: str) -> Callable[[Read], None]:
    def check(doc: Read) -> None:
        assert doc.body[0] == (expected, "Heading 1")
    return check


def _line(expected: str) -> Callable[[Read], None]:
    def check(doc: Read) -> None:
        assert doc.styled(expected) == "List Bullet"
    return check


def _numbers(expected: list[str]) -> Callable[[Read], None]:
    def check(doc: Read) -> None:
        assert [row[0] for row in doc.minutes_table() if row[0]] == expected
    return check


OPTIONS: list[tuple[Preset, dict, Callable[[Read], None]]] = [
    (Preset.notes, {"layout": "paragraphs", "actions": ["inline"]}, _check_layout_paragraphs),
    (Preset.board, {"layout": "table"}, _check_layout_table),
    (Preset.notes, {"heading": "{office} {series} – {date}"},
     _title("OPCC Police and Crime Panel – 10 June 2025")),
    (Preset.notes, {"date_style": "full"}, _line("Date: Tuesday 10 June 2025, 14:00")),
    (Preset.notes, {"show_end_time": True},
     _line("Date: Tuesday 10th June 2025 @ 14:00 – 16:30")),
    (Preset.notes, {"numbering": "flat"}, _numbers(["1.", "2.", "3.", "4.", "5."])),
    (Preset.notes, {"numbering": "running"}, _numbers(["6.", "7.", "8.", "9.", "10."])),
    (Preset.notes, {"numbering": "running", "first_minute_number": 598},
     _numbers(["603.", "604.", "605.", "606.", "607."])),
    (Preset.notes, {"numbering": "reference"},
     _numbers([f"Ref {n:02d}/10/06/2025" for n in range(1, 6)])),
    (Preset.notes, {"actions": ["inline"]}, _check_inline),
    (Preset.notes, {"actions": ["summary"]}, _check_summary),
    (Preset.board, {"layout": "table", "actions": ["column"]}, _check_column_on_board),
    (Preset.notes, {"naming": "initials"}, _check_initials),
    (Preset.notes, {"naming": "title_surname"}, _check_title_surname),
    (Preset.notes, {"naming": "full_name"}, _check_full_name),
    (Preset.board, {"naming": "role"}, _check_role_on_board),
    (Preset.notes, {"decision_label": "Resolved:"}, _check_decision_label),
    (Preset.board, {"decision_label": "", "assurance_label": ""}, _check_no_labels_on_board),
    (Preset.notes, {"assurance_label": "Assurance:"}, _check_assurance_label),
    (Preset.notes, {"show_commission": True}, _check_commission),
    (Preset.notes, {"show_presenter": True}, _check_presenter),
    (Preset.notes, {"show_purpose": True}, _check_purpose),
    (Preset.notes, {"show_speakers": True}, _check_speakers),
    (Preset.board, {"show_speakers": False}, _check_no_speakers_on_board),
    (Preset.notes, {"minute_taker": "{name} ({role})"},
     _line("Minutes: Nadia Ahmed (Policy Officer)")),
    (Preset.notes, {"minute_taker_organisation": "Democratic Services, Anytown Council"},
     _line("Minutes: Nadia Ahmed, Policy Officer, Democratic Services, Anytown Council")),
    (Preset.notes, {"attendance": "grouped"}, _check_grouped),
    (Preset.board, {"attendance": "table"}, _check_attendance_table_on_board),
]


def test_every_option_is_checked():
    changed = {key for _, options, _ in OPTIONS for key in options}
    assert changed == {f for f in formats.as_dict(PRESETS[Preset.notes])} - {"preset"}


@pytest.mark.parametrize(("preset", "options", "check"), OPTIONS,
                         ids=[f"{p.value}-" + "-".join(f"{k}={v}" for k, v in o.items())
                              for p, o, _ in OPTIONS])
def test_each_option_lands_where_it_says(session, preset, options, check):
    check(read(session, preset, **options))


def test_the_public_edition_in_paragraphs_keeps_an_exempt_item_by_its_title_only(session):
    from app.services.minutes import Edition
    from tests.factories import make_action, make_entry, make_item

    built = make_format_meeting(session, PRESETS[Preset.board])
    private = make_item(session, built.meeting, title="Covert tactics", exempt=True,
                        exempt_reason="section 31")
    make_entry(session, private, text="The DCC described the tactics.")
    make_action(session, [built.people["acc"]], meeting_id=built.meeting.id,
                item_id=private.id, text="Brief the Commissioner in private.")
    document = document_of(minutes_in(session, built, edition=Edition.public))
    body = [block.text for block in document.iter_inner_content()
            if isinstance(block, Paragraph) and block.text]
    start = body.index("6. Covert tactics")
    assert body[start + 1] == "This item was considered in private (exempt under section 31)."
    assert body[start + 2] == "Summary of actions"
    words = "\n".join(body + [cell.text for table in document.tables for row in table.rows
                              for cell in row.cells])
    assert "The DCC described the tactics." not in words
    assert "Brief the Commissioner in private." not in words
