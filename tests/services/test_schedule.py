"""A series makes a year of meetings from its schedule; moving one leaves the rest alone."""

from datetime import date, datetime

import pytest

from app.models import AttendanceStatus, ItemKind, MeetingStatus, Recurrence
from app.schemas import ActionEdit, MeetingTypeUpdate, MeetingUpdate
from app.services import actions, meetings, schedule
from app.services.dates import to_london
from app.services.errors import InvalidInput
from app.services.minutes import Edition, load_record, minutes_of
from tests.factories import SYSTEM, advance_meeting, make_action, make_meeting_type, make_person


def monthly_series(session, **kw):
    series = make_meeting_type(session, name="Monthly Assurance Meeting",
                               default_venue="Meeting Room 1.38 Hindlip")
    values = dict(recurrence=Recurrence.monthly, interval=1, weekday=1, week_of_month=-1,
                  start_time="10:00", duration_minutes=120, skip_months="8",
                  starts_on=date(2019, 1, 1))
    values.update(kw)
    for key, value in values.items():
        setattr(series, key, value)
    session.commit()
    return series


def standing(session, series):
    schedule.set_standing_items(session, meeting_type_id=series.id, by=SYSTEM, items=[
        schedule.StandingItem("Apologies", ItemKind.other),
        schedule.StandingItem("Minutes of the last meeting", ItemKind.previous_minutes),
        schedule.StandingItem("Outstanding matters / items brought forward",
                              ItemKind.outstanding_matters),
        schedule.StandingItem("Holding to account", ItemKind.holding_to_account),
        schedule.StandingItem("HMICFRS", ItemKind.hmicfrs),
        schedule.StandingItem("AOB", ItemKind.aob),
        schedule.StandingItem("Confirmation of next meeting type / date / time / venue:",
                              ItemKind.next_meeting),
    ])


def test_a_year_of_last_tuesdays_without_august(session):
    series = monthly_series(session)
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2019, 1, 1), days=365)
    days = [to_london(m.starts_at).date() for m in made.made]
    assert days == [date(2019, m, d) for m, d in [
        (1, 29), (2, 26), (3, 26), (4, 30), (5, 28), (6, 25), (7, 30), (9, 24), (10, 29),
        (11, 26), (12, 31)]]
    assert {to_london(m.starts_at).hour for m in made.made} == {10}  # GMT and BST alike
    again = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                       from_date=date(2019, 1, 1), days=365)
    assert again.made == [] and again.already == 11


def test_moving_or_cancelling_one_meeting_leaves_the_rest_alone(session):
    series = monthly_series(session)
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2019, 1, 1), days=150).made
    april, may = made[3], made[4]
    meetings.update_meeting(session, meeting_id=april.id, by=SYSTEM,
                            data=MeetingUpdate(starts_at=datetime(2019, 5, 2, 14, 0),
                                               ends_at=datetime(2019, 5, 2, 16, 0)))
    advance_meeting(session, may, MeetingStatus.cancelled)
    assert april.sequence == 1 and may.sequence == 1
    again = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                       from_date=date(2019, 1, 1), days=150)
    assert again.made == []  # the moved and the cancelled dates are not made again
    # The next meeting after March is the moved April one; after April, May is cancelled.
    assert meetings.next_meeting_of(session, made[2]).id == april.id
    assert meetings.next_meeting_of(session, april) is None  # May is cancelled; June not made


def test_a_new_meeting_starts_with_the_standing_items_and_invitees(session):
    series = monthly_series(session)
    standing(session, series)
    pcc = make_person(session, full_name="John Campion", role_title="Police and Crime Commissioner",
                      role_abbreviation="PCC")
    schedule.set_series_attendees(session, meeting_type_id=series.id, by=SYSTEM,
                                  invitees=[schedule.Invitee(pcc.id)])
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2019, 4, 1), days=60).made
    record = load_record(session, meeting_id=made[0].id, redact=False)
    assert [i.node.item.title for i in record.items] == [
        "Apologies", "Minutes of the last meeting", "Outstanding matters / items brought forward",
        "Holding to account", "HMICFRS", "AOB",
        "Confirmation of next meeting type / date / time / venue:"]
    assert [(p.full_name, a.status, a.capacity) for a, p in record.attendance] == [
        ("John Campion", AttendanceStatus.expected, "Police and Crime Commissioner (PCC)")]


def test_a_generated_meeting_shows_open_actions_of_earlier_ones_and_its_next(session):
    series = monthly_series(session)
    standing(session, series)
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2019, 3, 1), days=90).made
    march, april, may = made
    owner = make_person(session, role_abbreviation="DCC")
    still_open = make_action(session, [owner], meeting_id=march.id, text="Review ANPR.")
    closed = make_action(session, [owner], meeting_id=march.id, text="Closed one.")
    actions.update_action(session, action_id=closed.id, by=SYSTEM,
                          data=ActionEdit(status="closed"))
    record = load_record(session, meeting_id=april.id, redact=False)
    minutes = minutes_of(record, office_short_name="OPCC", office_name="Office",
                         edition=Edition.internal)
    by_kind = {item.kind: item for item in minutes.items}
    assert [a.reference for a in by_kind[ItemKind.outstanding_matters].carried_forward] == [
        still_open.reference]
    assert by_kind[ItemKind.aob].text_after_title == "No items"
    assert by_kind[ItemKind.next_meeting].text_after_title == (
        "Monthly Assurance Meeting, Tuesday 28 May 2019, 10:00am Meeting Room 1.38 Hindlip")
    assert may.id != april.id


def test_bank_holidays_are_flagged(session):
    series = monthly_series(session, recurrence=Recurrence.weekly, weekday=0,
                            week_of_month=None, skip_months="", starts_on=date(2026, 4, 27))
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2026, 4, 27), days=14).made
    assert [schedule.holiday_of(m) for m in made] == [None, "Early May bank holiday", None]


def test_a_schedule_that_cannot_make_meetings_is_refused_with_reasons(session):
    series = monthly_series(session, weekday=None)
    with pytest.raises(InvalidInput) as err:
        schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM)
    assert err.value.errors
    unscheduled = make_meeting_type(session)
    with pytest.raises(InvalidInput) as err:
        schedule.generate_meetings(session, meeting_type_id=unscheduled.id, by=SYSTEM)
    assert "schedule" in err.value.errors["recurrence"]


def test_a_preview_gives_the_dates_generation_would_make_with_weekends_and_holidays(session):
    series = monthly_series(session, weekday=None, week_of_month=None, day_of_month=25,
                            skip_months="")
    rule = schedule.Rule.of(series)
    shown = schedule.preview(rule, from_date=date(2026, 4, 20))
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2026, 4, 20))
    assert [d.starts_at for d in shown] == [m.starts_at for m in made.made]
    flags = {to_london(d.starts_at).date(): (d.weekend, d.bank_holiday) for d in shown}
    assert flags[date(2026, 4, 25)] == ("Saturday", None)
    assert flags[date(2026, 5, 25)] == (None, "Spring bank holiday")
    assert flags[date(2026, 12, 25)] == (None, "Christmas Day")
    assert flags[date(2026, 6, 25)] == (None, None)
    with pytest.raises(InvalidInput):
        schedule.preview(schedule.Rule(kind="weekly", starts_on=date(2026, 1, 1)))


def test_a_series_chair_and_minute_taker_chair_and_minute_the_meetings_it_makes(session):
    chair, taker = make_person(session), make_person(session)
    series = monthly_series(session, default_chair_id=chair.id, default_minute_taker_id=taker.id)
    made = schedule.generate_meetings(session, meeting_type_id=series.id, by=SYSTEM,
                                      from_date=date(2026, 1, 1)).made
    assert {(m.chair_id, m.minute_taker_id) for m in made} == {(chair.id, taker.id)}
    for field in ("default_chair_id", "default_minute_taker_id"):
        with pytest.raises(InvalidInput) as refused:
            meetings.update_meeting_type(session, meeting_type_id=series.id, by=SYSTEM,
                                         data=MeetingTypeUpdate(**{field: 999999}))
        assert refused.value.errors == {field: "there is no person with id 999999"}
