"""A meeting's attendance as the minute-taker's panel saves it: each person's capacity is kept
when the list is saved again without it, and changed only when a new one is given."""

from app.models import AttendanceStatus
from app.schemas import AttendanceIn
from app.services import meetings
from tests.factories import SYSTEM, make_meeting, make_person


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
