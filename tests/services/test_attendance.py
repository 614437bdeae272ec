"""A meeting's attendance as the minute-taker's panel saves it: each person's capacity, whom a
substitute came for and the items someone attended for are kept when the list is saved again
without them; bad input changes nothing; the series' usual attendees are offered first."""

from datetime import datetime

import pytest
from sqlmodel import select

from app.models import Attendance, AttendanceStatus
from app.schemas import AttendanceIn
from app.services import agenda, attendance, meetings, schedule
from app.services.errors import InvalidInput
from app.services.minutes import Edition, load_record, minutes_of
from tests.factories import (
    SYSTEM,
    committed,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)


def capacities(session, meeting_id: int) -> dict[str, tuple[str, str]]:
    return {p.full_name: (a.status, a.capacity)
            for a, p in meetings.list_attendance(session, meeting_id)}


def test_saving_the_list_again_keeps_each_persons_capacity(session):
    meeting = make_meeting(session)
    dcc = make_person(session, full_name="Amanda Blakeman", role_title="Deputy Chief Constable",
                      role_abbreviation="DCC")
    cfo = make_person(session, full_name="Andy Champness", role_title="Chief Finance Officer",
                      role_abbreviation="CFO")
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.expected,
                     capacity="Acting Chief Constable"),
        AttendanceIn(person_id=cfo.id, status=AttendanceStatus.expected)])
    assert capacities(session, meeting.id) == {
        "Amanda Blakeman": ("expected", "Acting Chief Constable"),
        "Andy Champness": ("expected", "Chief Finance Officer (CFO)")}
    # The panel marks who came and sends no capacity: what was recorded stays.
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.present),
        AttendanceIn(person_id=cfo.id, status=AttendanceStatus.apologies)])
    assert capacities(session, meeting.id) == {
        "Amanda Blakeman": ("present", "Acting Chief Constable"),
        "Andy Champness": ("apologies", "Chief Finance Officer (CFO)")}
    # A capacity given replaces it; an empty one is kept as empty.
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.present,
                     capacity="Deputy Chief Constable (DCC)"),
        AttendanceIn(person_id=cfo.id, status=AttendanceStatus.apologies, capacity="")])
    assert capacities(session, meeting.id) == {
        "Amanda Blakeman": ("present", "Deputy Chief Constable (DCC)"),
        "Andy Champness": ("apologies", "")}


def test_someone_added_again_after_being_removed_gets_the_default(session):
    meeting = make_meeting(session)
    dcc = make_person(session, full_name="Amanda Blakeman", role_title="Deputy Chief Constable",
                      role_abbreviation="DCC")
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, capacity="Acting Chief Constable")])
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[])
    meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id)])
    assert capacities(session, meeting.id) == {
        "Amanda Blakeman": ("present", "Deputy Chief Constable (DCC)")}


# --- substitutes and those in attendance for some items -----------------------------------


def recorded(session, meeting_id: int) -> dict[str, tuple]:
    session.expire_all()
    return {p.full_name: (a.status, a.capacity, a.substitute_for_id, a.items)
            for a, p in meetings.list_attendance(session, meeting_id)}


@pytest.fixture
def held(session):
    """A meeting with five items; the DCC sends apologies, an ACC substitutes, the head of
    roads policing comes for items 4 and 5."""
    meeting = make_meeting(session)
    items = [make_item(session, meeting, title=f"Item {n}") for n in range(1, 6)]
    dcc = make_person(session, full_name="Amanda Blakeman", role_title="Deputy Chief Constable",
                      role_abbreviation="DCC")
    acc = make_person(session, full_name="Jane Jones", role_title="Assistant Chief Constable",
                      role_abbreviation="T/ACC")
    head = make_person(session, full_name="Sam Smith", role_title="Head of Roads Policing")
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.apologies),
        AttendanceIn(person_id=acc.id, status=AttendanceStatus.substitute,
                     substitute_for_id=dcc.id, capacity="Temporary ACC (T/ACC)"),
        AttendanceIn(person_id=head.id, status=AttendanceStatus.in_attendance,
                     item_ids=[items[4].id, items[3].id])]))
    return meeting, items, dcc, acc, head


def test_a_substitute_and_items_are_kept_when_the_list_is_saved_without_them(session, held):
    meeting, items, dcc, acc, head = held
    before = recorded(session, meeting.id)
    assert before["Jane Jones"] == ("substitute", "Temporary ACC (T/ACC)", dcc.id, [])
    # kept in agenda order, whatever order they were given in
    assert before["Sam Smith"] == ("in_attendance", "Head of Roads Policing", None,
                                   [items[3].id, items[4].id])
    # the panel sends the statuses only: what was recorded stays
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.apologies),
        AttendanceIn(person_id=acc.id, status=AttendanceStatus.substitute),
        AttendanceIn(person_id=head.id, status=AttendanceStatus.in_attendance)]))
    assert recorded(session, meeting.id) == before


def test_another_status_clears_whom_they_came_for_and_the_items(session, held):
    meeting, _items, dcc, acc, head = held
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.apologies),
        AttendanceIn(person_id=acc.id, status=AttendanceStatus.present),
        AttendanceIn(person_id=head.id, status=AttendanceStatus.present)]))
    after = recorded(session, meeting.id)
    assert after["Jane Jones"][2:] == (None, [])
    assert after["Sam Smith"][2:] == (None, [])


@pytest.mark.parametrize("bad", [
    "unknown person", "unknown substitute", "self", "no one", "foreign item", "items if present",
])
def test_bad_attendance_is_refused_with_a_plain_message_and_changes_nothing(session, held, bad):
    meeting, _items, dcc, acc, head = held
    other = make_meeting(session)
    foreign = make_item(session, other, title="Elsewhere")
    before = recorded(session, meeting.id)
    row = {
        "unknown person": AttendanceIn(person_id=99999),
        "unknown substitute": AttendanceIn(person_id=acc.id, status="substitute",
                                           substitute_for_id=99999),
        "self": AttendanceIn(person_id=acc.id, status="substitute", substitute_for_id=acc.id),
        "no one": AttendanceIn(person_id=dcc.id, status="substitute"),
        "foreign item": AttendanceIn(person_id=head.id, status="in_attendance",
                                     item_ids=[foreign.id]),
        "items if present": AttendanceIn(person_id=head.id, status="present",
                                         item_ids=[_items[0].id]),
    }[bad]
    rows = [AttendanceIn(person_id=p.id, status="present") for p in (dcc, acc, head)
            if p.id != row.person_id] + [row]
    with pytest.raises(InvalidInput) as refused:
        meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=rows)
    message = " ".join(refused.value.errors.values())
    assert {
        "unknown person": "there is no person with id 99999",
        "unknown substitute": "there is no person with id 99999",
        "self": "Jane Jones cannot be a substitute for themselves",
        "no one": "say whom Amanda Blakeman is a substitute for",
        "foreign item": f"item {foreign.id} is not on this meeting's agenda",
        "items if present": "only someone in attendance for items has items",
    }[bad] in message
    session.rollback()
    assert recorded(session, meeting.id) == before


def test_the_minutes_name_whom_a_substitute_came_for_and_the_items(session, held):
    meeting, *_ = held
    minutes = minutes_of(load_record(session, meeting_id=meeting.id, redact=False),
                         office_short_name="OPCC", office_name="OPCC", edition=Edition.internal)
    assert [(p.name_line, p.capacity) for p in minutes.present] == [
        ("Jane Jones (substitute for Amanda Blakeman, DCC)", "Temporary ACC (T/ACC)")]
    assert [(p.name_line, p.capacity) for p in minutes.in_attendance] == [
        ("Sam Smith (for items 4 and 5)", "Head of Roads Policing")]
    assert [p.name_line for p in minutes.apologies] == ["Amanda Blakeman"]


def test_an_item_deleted_since_is_left_out_of_the_minutes(session, held):
    meeting, items, *_ = held
    committed(session, agenda.delete_item(session, item_id=items[4].id, by=SYSTEM))
    minutes = minutes_of(load_record(session, meeting_id=meeting.id, redact=False),
                         office_short_name="OPCC", office_name="OPCC", edition=Edition.internal)
    assert [p.name_line for p in minutes.in_attendance] == ["Sam Smith (for item 4)"]


def test_items_are_typed_by_their_numbers(session, held):
    meeting, items, *_ = held
    nodes = attendance.numbered_items(session, meeting.id)
    assert attendance.item_ids_from_numbers(nodes, "items 5 and 4") == [items[3].id, items[4].id]
    assert attendance.item_ids_from_numbers(nodes, "1, 2.") == [items[0].id, items[1].id]
    assert attendance.item_ids_from_numbers(nodes, "") == []
    with pytest.raises(InvalidInput) as refused:
        attendance.item_ids_from_numbers(nodes, "4 and 9")
    assert "There is no item 9 on this meeting's agenda" in refused.value.errors["items"]


# --- who is offered first -----------------------------------------------------------------


def test_the_series_invitees_come_first_then_anyone_else_recorded(session):
    series = make_meeting_type(session)
    pcc = make_person(session, full_name="John Campion")
    cc = make_person(session, full_name="Anthony Bangham")
    guest = make_person(session, full_name="Aaron Guest")
    committed(session, schedule.set_series_attendees(
        session, meeting_type_id=series.id, by=SYSTEM,
        invitees=[schedule.Invitee(person_id=pcc.id), schedule.Invitee(person_id=cc.id)]))
    meeting = make_meeting(session, series)
    # the guest is recorded first, the invitees after: the invitees are still offered first
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=guest.id), AttendanceIn(person_id=cc.id)]))
    rows = attendance.attendance_rows(session, meeting)
    assert [(r.person.full_name, r.usual, r.status) for r in rows] == [
        ("John Campion", True, ""), ("Anthony Bangham", True, "present"),
        ("Aaron Guest", False, "present")]


def test_without_invitees_the_previous_meetings_people_are_the_usual_ones(session):
    series = make_meeting_type(session)
    pcc = make_person(session, full_name="John Campion")
    cc = make_person(session, full_name="Anthony Bangham")
    earlier = make_meeting(session, series, starts_at=datetime(2024, 2, 13, 10, 0))
    committed(session, meetings.set_attendance(session, meeting_id=earlier.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=cc.id), AttendanceIn(person_id=pcc.id, status="apologies")]))
    meeting = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10, 0))
    assert [p.full_name for p in attendance.usual_attendees(session, meeting)] == [
        "Anthony Bangham", "John Campion"]
    assert session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all() == []
