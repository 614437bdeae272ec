"""The demo's second series: a first-time user finds an Accountability Board whose minutes are
written in the board format, and its approved meeting shows everything that format prints
(time range, commissions, presenters and purposes, questions and answers, a decision with its
reference, an assurance statement with its level, inline actions with owners, a co-opted
member named by title, a substitute and someone in attendance for one item)."""

import io

import docx
import pytest
from sqlmodel import select

from app.models import (
    Action,
    AttendanceStatus,
    EntryKind,
    ItemPurpose,
    MeetingStatus,
    MeetingType,
    Question,
    QuestionStatus,
    Role,
)
from app.services import minutes_format
from app.services.dates import to_london
from app.services.demo import load_demo
from app.services.minutes import load_record
from app.services.minutes_format import PRESETS, Preset
from tests.factories import bearer, committed, make_user

BOARD = "Accountability Board"


@pytest.fixture
def demo(session):
    return load_demo(session)


@pytest.fixture
def record(session, demo):
    return load_record(session, meeting_id=demo.board_meeting_id, redact=False)


def _entries(record):
    return [(node.node.item.title, entry) for node in record.items for entry in node.entries]


def _people(record):
    return {a.person_id: (a, p) for a, p in record.attendance}


def test_the_demo_has_an_accountability_board_written_in_the_board_format(session, demo):
    series = {s.name: s for s in session.exec(select(MeetingType))}
    assert minutes_format.load(series[BOARD].minutes_format) == PRESETS[Preset.board]
    # the reference series keeps the reference notes
    assert series["Monthly Assurance Meeting"].minutes_format == ""


def test_its_meeting_was_held_from_two_until_half_past_four_and_its_minutes_approved(record):
    meeting = record.meeting
    assert record.meeting_type.name == BOARD
    assert meeting.status == MeetingStatus.approved
    assert meeting.ends_at is not None
    assert (f"{to_london(meeting.starts_at):%d %B %Y %H:%M}",
            f"{to_london(meeting.ends_at):%H:%M}") == ("19 March 2019 14:00", "16:30")


def test_its_items_open_with_a_commission_a_presenter_and_a_purpose(record):
    fmt = minutes_format.load(record.meeting_type.minutes_format)
    numbers = minutes_format.item_numbers(fmt, [i.node for i in record.items])
    assert [numbers[i.node.item.id] for i in record.items] == [
        f"{n}." for n in range(1, len(record.items) + 1)]
    themes = [i.node.item for i in record.items if i.node.item.commission]
    assert len(themes) == 3
    assert all(t.commission.startswith("The Commissioner requires a ") for t in themes)
    assert {t.purpose for t in themes} == {p.value for p in ItemPurpose}
    presenters = [record.people[t.presenter_id].role_title for t in themes if t.presenter_id]
    assert presenters == ["Head of Force Contact", "Assistant Chief Constable",
                          "Chief Executive"]


def test_questions_are_minuted_with_their_answers(session, record):
    kinds = [e.kind for _, e in _entries(record)]
    assert kinds.count(EntryKind.question) == kinds.count(EntryKind.answer) == 4
    for _, entry in _entries(record):
        if entry.kind == EntryKind.question:
            question = session.get(Question, entry.question_id)
            assert question is not None and question.status == QuestionStatus.answered
    # a question from the co-opted member, asked by her
    coopted = next(p for _, p in record.attendance if p.title == "Cllr")
    asked = [e for _, e in _entries(record)
             if e.kind == EntryKind.question and e.speaker_id == coopted.id]
    assert asked and asked[0].text.startswith("Cllr Marsh asked")


def test_a_decision_has_its_reference_and_an_assurance_statement_its_level(record):
    decisions = [e for _, e in _entries(record) if e.kind == EntryKind.decision]
    assert len(decisions) == 1
    assert decisions[0].text.startswith("The Commissioner approved option 2")
    assert record.decision_references[decisions[0].id] == "D/2019/001"
    assurances = [(title, e) for title, e in _entries(record) if e.kind == EntryKind.assurance]
    assert [(title, e.assurance_level) for title, e in assurances] == [
        ("999 and 101 call handling", "partially_assured")]


def test_actions_arise_under_the_items_with_their_owners(session, record):
    arising = {i.node.item.title: i.actions for i in record.items if i.actions}
    assert list(arising) == ["999 and 101 call handling",
                             "Violence against women and girls: delivery plan",
                             "Custody suite refurbishment: business case"]
    owners = [[o.full_name for o in a.owners] for actions in arising.values() for a in actions]
    assert owners == [["Priya Sandhu"], ["Mark Ellis"], ["Mark Ellis"], ["Claire Whitfield"]]
    # the reference meeting's action keeps the first reference of the year
    first = session.exec(select(Action).order_by(Action.id)).first()
    assert first.reference == "A/2019/001" and first.meeting_id != record.meeting.id


def test_attendance_has_a_co_opted_member_a_substitute_and_someone_for_one_item(record):
    people = _people(record)
    by_name = {p.full_name: (a, p) for a, p in people.values()}

    member, coopted = by_name["Helen Marsh"]
    assert member.status == AttendanceStatus.present
    assert (coopted.title, coopted.role_abbreviation) == ("Cllr", "")
    fmt = PRESETS[Preset.notes]  # even where people are named by role, she is "Cllr Marsh"
    assert minutes_format.person_in_minutes(fmt, coopted) == "Cllr Marsh"

    substitute, acc = by_name["Mark Ellis"]
    assert substitute.status == AttendanceStatus.substitute
    assert people[substitute.substitute_for_id][1].role_abbreviation == "DCC"
    assert by_name["Amanda Blakeman"][0].status == AttendanceStatus.apologies

    visitor, supt = by_name["Priya Sandhu"]
    assert visitor.status == AttendanceStatus.in_attendance
    titles = {i.node.item.id: i.node.item.title for i in record.items}
    assert [titles[i] for i in visitor.items] == ["999 and 101 call handling"]
    assert supt.title == "Supt"


def test_the_board_minutes_download_as_a_word_document(client, session, demo):
    committed(session, demo)
    _user, token = make_user(session, Role.admin)
    response = client.get(f"/api/v1/meetings/{demo.board_meeting_id}/minutes.docx",
                          headers=bearer(token))
    assert response.status_code == 200, response.text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert BOARD in text
