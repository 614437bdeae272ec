"""A series' schedule: its rule, its standing agenda and invitees, and the meetings it makes.

Meetings are made a year ahead from the rule. Each remembers the date the rule gave it
(`occurrence_on`), so moving or cancelling one meeting leaves the rest alone and the schedule
never makes a second meeting for a date it has already served.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.models import (
    Meeting,
    MeetingStatus,
    MeetingType,
    Person,
    SeriesAttendee,
    SeriesItem,
    utcnow,
)
from app.services import audit
from app.services.bank_holidays import bank_holiday
from app.services.common import get_or_404
from app.services.dates import to_london, today
from app.services.errors import InvalidInput
from app.services.meetings import furnish, meeting_title, series_attendees, series_items
from app.services.office import get_office
from app.services.permissions import Actor, Perm, require
from app.services.recurrence import WEEKDAYS, Rule, describe, meeting_times, occurrences

AHEAD_DAYS = 366


@dataclass
class StandingItem:
    title: str
    kind: str


@dataclass
class Invitee:
    person_id: int
    capacity: str = ""


def set_standing_items(
    session: Session, *, meeting_type_id: int, items: list[StandingItem], by: Actor
) -> list[SeriesItem]:
    """Replace a series' standing agenda; meetings already made keep theirs."""
    require(by, Perm.edit_record)
    meeting_type = _series(session, meeting_type_id)
    assert meeting_type.id is not None  # loaded from the database
    for old in series_items(session, meeting_type.id):
        session.delete(old)
    session.flush()
    for position, item in enumerate(items, start=1):
        session.add(SeriesItem(meeting_type_id=meeting_type.id, position=position,
                               title=item.title, kind=item.kind))
    meeting_type.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="meeting_type",
                 object_id=meeting_type.id,
                 summary="standing items: " + "; ".join(i.title for i in items))
    session.flush()
    return series_items(session, meeting_type.id)


def set_series_attendees(
    session: Session, *, meeting_type_id: int, invitees: list[Invitee], by: Actor
) -> list[tuple[SeriesAttendee, Person]]:
    """Replace who is invited to every meeting of a series."""
    require(by, Perm.edit_record)
    meeting_type = _series(session, meeting_type_id)
    assert meeting_type.id is not None  # loaded from the database
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for index, invitee in enumerate(invitees):
        if invitee.person_id in seen:
            errors[f"{index}.person_id"] = f"person {invitee.person_id} is listed twice"
        elif session.get(Person, invitee.person_id) is None:
            errors[f"{index}.person_id"] = f"there is no person with id {invitee.person_id}"
        seen.add(invitee.person_id)
    if errors:
        raise InvalidInput(errors)
    for old, _person in series_attendees(session, meeting_type.id):
        session.delete(old)
    session.flush()
    for position, invitee in enumerate(invitees):
        session.add(SeriesAttendee(meeting_type_id=meeting_type.id, person_id=invitee.person_id,
                                   capacity=invitee.capacity, position=position))
    meeting_type.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="meeting_type",
                 object_id=meeting_type.id, summary=f"{len(invitees)} invitees")
    session.flush()
    return series_attendees(session, meeting_type.id)


def _series(session: Session, meeting_type_id: int) -> MeetingType:
    return get_or_404(session, MeetingType, meeting_type_id, "series")


def check_schedule(meeting_type: MeetingType) -> None:
    """Refuse a schedule that cannot make meetings, saying what to change."""
    if meeting_type.recurrence == "none":
        return
    errors = Rule.of(meeting_type).errors()
    if errors:
        raise InvalidInput(errors)


def schedule_description(meeting_type: MeetingType) -> str:
    """The series' schedule in words: "Monthly on the last Tuesday at 10:00"."""
    if meeting_type.recurrence == "none" or meeting_type.starts_on is None:
        return "Not scheduled"
    return describe(Rule.of(meeting_type))


@dataclass
class Generated:
    made: list[Meeting]
    already: int  # dates the schedule had already served (moved or cancelled ones included)


def generate_meetings(
    session: Session, *, meeting_type_id: int, by: Actor, from_date: date | None = None,
    days: int = AHEAD_DAYS,
) -> Generated:
    """Make the series' meetings for the next year that do not exist yet."""
    require(by, Perm.edit_record)
    meeting_type = _series(session, meeting_type_id)
    assert meeting_type.id is not None  # loaded from the database
    if meeting_type.recurrence == "none" or meeting_type.starts_on is None:
        raise InvalidInput({"recurrence": "set the series' schedule before making its meetings"})
    check_schedule(meeting_type)
    rule = Rule.of(meeting_type)
    start = from_date or today()
    served = set(session.exec(
        select(col(Meeting.occurrence_on)).where(Meeting.meeting_type_id == meeting_type.id,
                                            col(Meeting.occurrence_on).is_not(None))
    ))
    marking = get_office(session).default_marking
    made = []
    dates = occurrences(rule, start, start + timedelta(days=days))
    for day in dates:
        if day in served:
            continue
        starts_at, ends_at = meeting_times(rule, day)
        meeting = Meeting(meeting_type_id=meeting_type.id, starts_at=starts_at, ends_at=ends_at,
                          venue=meeting_type.default_venue, marking=marking,
                          chair_id=meeting_type.default_chair_id,
                          minute_taker_id=meeting_type.default_minute_taker_id,
                          status=MeetingStatus.planned, occurrence_on=day)
        session.add(meeting)
        session.flush()
        furnish(session, meeting)
        made.append(meeting)
    audit.record(session, by=by, verb="generate", object_type="meeting_type",
                 object_id=meeting_type.id,
                 summary=f"{len(made)} meetings made from {start} for {days} days")
    session.flush()
    return Generated(made=made, already=len(dates) - len(made))


@dataclass
class PreviewDate:
    """A date a schedule would make a meeting on, before anything is saved."""

    starts_at: datetime  # UTC
    weekend: str | None  # "Saturday" or "Sunday" when the meeting would fall on one
    bank_holiday: str | None  # the holiday's name, e.g. "Christmas Day"


def preview(rule: Rule, *, from_date: date | None = None, days: int = AHEAD_DAYS
            ) -> list[PreviewDate]:
    """The meetings a schedule would make from today for a year, as "Make the meetings" would,
    with those on a weekend or a bank holiday flagged; InvalidInput for a schedule that cannot
    make meetings."""
    start = from_date or today()
    result = []
    for day in occurrences(rule, start, start + timedelta(days=days)):
        starts_at, _ends_at = meeting_times(rule, day)
        result.append(PreviewDate(starts_at=starts_at,
                                  weekend=WEEKDAYS[day.weekday()] if day.weekday() >= 5 else None,
                                  bank_holiday=bank_holiday(day)))
    return result


@dataclass
class ScheduledMeeting:
    meeting: Meeting
    title: str
    bank_holiday: str | None  # the holiday's name when the meeting falls on one


def upcoming(session: Session, meeting_type_id: int, *, days: int = AHEAD_DAYS
             ) -> list[ScheduledMeeting]:
    """The series' meetings from today for a year, with bank holidays flagged."""
    meeting_type = _series(session, meeting_type_id)
    since = today()
    query = (
        select(Meeting)
        .where(Meeting.meeting_type_id == meeting_type.id)
        .order_by(col(Meeting.starts_at))
    )
    result = []
    for meeting in session.exec(query):
        day = to_london(meeting.starts_at).date()
        if since <= day <= since + timedelta(days=days):
            result.append(ScheduledMeeting(meeting=meeting,
                                           title=meeting_title(meeting, meeting_type),
                                           bank_holiday=bank_holiday(day)))
    return result


def holiday_of(meeting: Meeting) -> str | None:
    """The bank holiday a meeting falls on, if any."""
    return bank_holiday(to_london(meeting.starts_at).date())

