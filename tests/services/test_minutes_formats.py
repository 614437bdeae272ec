"""What the minutes say in each series' format: the reference notes exactly as before, the
accountability board and the police and crime panel as their presets say."""

from dataclasses import replace
from datetime import date, datetime

from app.models import ItemKind
from app.services import minutes_format as formats
from app.services.minutes import (
    NONE_DISCUSSED,
    Edition,
    MinutesAction,
    date_line,
    inline_action_text,
    minutes_for_export,
    running_start_of,
)
from app.services.minutes_format import PRESETS, Preset
from tests.factories import (
    SYSTEM,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)
from tests.format_meeting import make_format_meeting, minutes_in

NOTES, BOARD, PANEL = (PRESETS[p] for p in Preset)


def _flat(items):
    for item in items:
        yield item
        yield from _flat(item.children)


def _entries(minutes):
    return [e for item in _flat(minutes.items) for e in item.entries]


def test_running_numbers_go_on_from_the_series_earlier_held_meetings(session):
    built = make_format_meeting(session, PANEL)
    other = make_meeting(session, make_meeting_type(session, name="Another series"),
                         starts_at=datetime(2025, 5, 1, 10))
    make_item(session, other, title="Not of this series")
    # Held before: 3 and 2 items; the cancelled meeting (4) and the later one (1) do not count.
    assert running_start_of(session, built.meeting, PANEL) == 6
    assert running_start_of(session, built.meeting,
                            replace(PANEL, first_minute_number=598)) == 603
    numbers = [item.number for item in _flat(minutes_in(session, built).items)]
    assert numbers == ["6.", "7.", "8.", "9.", "10."]


def test_the_notes_preset_writes_the_minutes_as_before(session):
    built = make_format_meeting(session)  # a series that never chose a format
    minutes = minutes_in(session, built)
    assert minutes.title == "Police and Crime Panel June 2025 – Meeting Notes"
    assert minutes.date_line == "Tuesday 10th June 2025 @ 14:00"
    assert minutes.minutes_by == "Nadia Ahmed, Policy Officer, OPCC"
    assert [i.number for i in _flat(minutes.items)] == ["1", "1.1", "2", "3", "4"]
    roads = minutes.items[2]
    assert [a.owners for a in roads.actions] == [["NA"], ["ACC", "JP"]]
    assert [e.text for e in minutes.items[1].entries] == [
        "Jane Smith asked the PCC: When will the station reopen?",
        "The PCC responded: In the spring."]
    assert [e.label for e in roads.entries] == ["", "", "", ""]
    # The decision's reference, which the pages show, is now in the Word minutes too.
    assert [e.closing for e in roads.entries] == [
        "", "", f"(Decision {built.decision_reference})", ""]
    assert (roads.commission, roads.presenter, roads.purpose) == ("", "", "")
    assert [p.name_line for p in minutes.in_attendance] == ["Jo Patel (for item 3)"]


def test_the_board_preset_names_by_initials_and_labels_its_paragraphs(session):
    built = make_format_meeting(session, BOARD)
    minutes = minutes_in(session, built)
    assert minutes.title == "Police and Crime Panel – Minutes"
    assert minutes.date_line == "Tuesday 10 June 2025, 14:00 – 16:30"
    assert [i.number for i in _flat(minutes.items)] == ["1.", "2.", "3.", "4.", "5."]
    assert [p.name for p in minutes.present][:2] == ["John Campion (JC)", "Gareth Jones (GJ)"]
    assert [p.line for p in minutes.present + minutes.in_attendance + minutes.apologies] == [
        "PCC John Campion (JC)",
        "Cllr Gareth Jones (GJ) – Panel member",
        "ACC Mark Cooper (MC) for the DCC",
        "Nadia Ahmed (NA) – Policy Officer",
        "Supt Jo Patel (JP) – Head of Roads Policing (for item 4)",
        "DCC Amanda Blakeman (AB)",
    ]
    roads = minutes.items[2]
    assert roads.commission.startswith("The Commissioner requires a report")
    assert (roads.presenter, roads.purpose) == ("Presented by: AB", "Paper – For Decision")
    assert [e.text for e in minutes.items[1].entries] == [
        "JS asked JC: When will the station reopen?", "JC responded: In the spring."]
    assert [(e.label, e.closing) for e in roads.entries] == [
        ("GJ:", ""),  # the speaker, who the text does not name
        ("", ""),  # "Cllr Jones thanked the DCC." names them already
        (f"Decision ({built.decision_reference}):", ""),
        ("Assurance statement (partially assured):", ""),
    ]
    assert [a.owners for a in roads.actions] == [["NA"], ["MC", "JP"]]


def test_the_panel_preset_names_by_title_and_surname_and_resolves(session):
    built = make_format_meeting(session, PANEL)
    minutes = minutes_in(session, built)
    assert minutes.title == "Minutes of the Police and Crime Panel"
    roads = minutes.items[2]
    assert roads.number == "9."
    assert [e.label for e in roads.entries] == [
        "Cllr Jones:", "", f"Resolved ({built.decision_reference}):", ""]
    assert [a.owners for a in roads.actions] == [["Nadia Ahmed"], ["ACC", "Supt Patel"]]
    # Someone in attendance for an item is listed with its running number.
    assert minutes.in_attendance[0].note == "for item 9"


def test_matters_arising_with_minuted_sub_items_does_not_say_none_were_discussed(session):
    """A reader saw "None were discussed." printed above the sub-items' minutes."""
    built = make_format_meeting(session)
    matters = minutes_in(session, built).items[0]
    assert matters.text_after_title is None
    assert matters.children[0].entries[0].text == "Response times in the north have improved."


def test_matters_arising_with_nothing_under_it_still_says_none_were_discussed(session):
    meeting = make_meeting(session)
    matters = make_item(session, meeting, title="Matters arising",
                        kind=ItemKind.outstanding_matters)
    make_item(session, meeting, parent=matters, title="Nothing minuted here")
    from tests.format_meeting import FormatMeeting

    built = FormatMeeting(meeting=meeting, series=None, people={}, items={},
                          decision_reference="", actions={})
    assert minutes_in(session, built).items[0].text_after_title == NONE_DISCUSSED


def test_the_minute_taker_is_described_as_the_format_says(session):
    """The export described the clerk as ", OPCC" whatever the series' format said."""
    panel = replace(PANEL, minute_taker_organisation="Democratic Services, Anytown Council")
    built = make_format_meeting(session, panel)
    minutes = minutes_for_export(session, meeting_id=built.meeting.id,
                                 edition=Edition.internal, by=SYSTEM)
    assert minutes.minutes_by == "Nadia Ahmed, Policy Officer, Democratic Services, Anytown Council"
    only_name = replace(NOTES, minute_taker="{name}")
    assert minutes_in(session, built, only_name).minutes_by == "Nadia Ahmed"
    built.people["taker"].role_title = ""
    session.commit()
    assert minutes_in(session, built, NOTES).minutes_by == "Nadia Ahmed, OPCC"
    clerk = replace(NOTES, minute_taker="{name} ({role}), {organisation}")
    assert minutes_in(session, built, clerk).minutes_by == "Nadia Ahmed, OPCC"


def test_the_series_format_reaches_the_export(session):
    built = make_format_meeting(session, BOARD)
    minutes = minutes_for_export(session, meeting_id=built.meeting.id,
                                 edition=Edition.public, by=SYSTEM)
    assert minutes.title == "Police and Crime Panel – Minutes"
    assert minutes.format == BOARD
    assert formats.load(built.series.minutes_format) == BOARD


def test_the_date_line_shows_the_end_only_when_known_and_asked_for():
    start, end = datetime(2019, 4, 30, 9), datetime(2019, 4, 30, 11, 30)  # UTC: BST + 1
    assert date_line(NOTES, start, end) == "Tuesday 30th April 2019 @ 10:00"
    assert date_line(replace(NOTES, show_end_time=True), start, end) == \
        "Tuesday 30th April 2019 @ 10:00 – 12:30"
    assert date_line(BOARD, start, None) == "Tuesday 30 April 2019, 10:00"
    assert date_line(BOARD, start, end) == "Tuesday 30 April 2019, 10:00 – 12:30"


def _action(text, owners):
    return MinutesAction(reference="A/2025/001", text=text, owners=owners,
                         due_date=date(2025, 7, 1), status="open")


def test_an_inline_action_reads_as_a_sentence():
    assert inline_action_text(_action("Send the Commissioner the figures.", ["NA"])) == \
        "Action – NA to send the Commissioner the figures."
    assert inline_action_text(_action("ANPR data to be shared.", ["DCC"])) == \
        "Action – DCC to ANPR data to be shared."
    assert inline_action_text(_action("To review the rota.", ["MC", "JP"])) == \
        "Action – MC and JP to review the rota."
    assert inline_action_text(_action("The DCC to review the business case.", ["DCC"])) == \
        "Action – DCC to review the business case."
    assert inline_action_text(_action("HMICFRS report to be circulated.", ["A", "B", "C"])) \
        == "Action – A, B and C to HMICFRS report to be circulated."
    assert inline_action_text(_action("circulate the report.", [])) == \
        "Action – Circulate the report."


def test_a_speaker_named_in_the_text_is_not_named_twice(session):
    councillor = make_person(session, full_name="Gareth Jones", initials="GJ", title="Cllr",
                             role_title="Panel member")
    series = make_meeting_type(session)
    series.minutes_format = formats.dump(PANEL)
    session.commit()
    meeting = make_meeting(session, series)
    item = make_item(session, meeting)
    for text in ("Cllr Jones asked about cameras.", "Gareth Jones asked again.",
                 "GJ thanked the officers.", "Asked about the villages."):
        make_entry(session, item, text=text, speaker_id=councillor.id)
    from tests.format_meeting import FormatMeeting

    built = FormatMeeting(meeting=meeting, series=series, people={}, items={},
                          decision_reference="", actions={})
    assert [e.label for e in _entries(minutes_in(session, built))] == [
        "", "", "", "Cllr Jones:"]
