"""Schedules: the dates a rule gives, their London times, its words and its checks."""

from datetime import UTC, date, datetime

import pytest

from app.models import MeetingType, Recurrence
from app.services.dates import to_london
from app.services.errors import InvalidInput
from app.services.recurrence import (
    Rule,
    check_rule,
    describe,
    meeting_times,
    occurrences,
    parse_skip_months,
)

MON, TUE, THU, FRI = 0, 1, 3, 4
LAST = -1
YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))


def monthly(**fields) -> Rule:
    return Rule(**{"kind": "monthly", "starts_on": date(2024, 1, 1), **fields})


def weekly(**fields) -> Rule:
    return Rule(**{"kind": "weekly", "starts_on": date(2024, 1, 1), **fields})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Monthly on a weekday of the month


def test_last_tuesday_of_each_month_of_2024():
    # April and December end on a Tuesday; July and October are 31-day months that do not.
    assert occurrences(monthly(weekday=TUE, week_of_month=LAST), *YEAR_2024) == [
        date(2024, 1, 30), date(2024, 2, 27), date(2024, 3, 26), date(2024, 4, 30),
        date(2024, 5, 28), date(2024, 6, 25), date(2024, 7, 30), date(2024, 8, 27),
        date(2024, 9, 24), date(2024, 10, 29), date(2024, 11, 26), date(2024, 12, 31),
    ]


def test_first_monday_of_each_month_of_2025():
    rule = monthly(weekday=MON, week_of_month=1, starts_on=date(2025, 1, 1))
    assert occurrences(rule, date(2025, 1, 1), date(2025, 12, 31)) == [
        date(2025, 1, 6), date(2025, 2, 3), date(2025, 3, 3), date(2025, 4, 7),
        date(2025, 5, 5), date(2025, 6, 2), date(2025, 7, 7), date(2025, 8, 4),
        date(2025, 9, 1), date(2025, 10, 6), date(2025, 11, 3), date(2025, 12, 1),
    ]


def test_a_fifth_friday_only_in_months_that_have_one():
    rule = monthly(weekday=FRI, week_of_month=5)
    assert occurrences(rule, date(2024, 1, 1), date(2025, 12, 31)) == [
        date(2024, 3, 29), date(2024, 5, 31), date(2024, 8, 30), date(2024, 11, 29),
        date(2025, 1, 31), date(2025, 5, 30), date(2025, 8, 29), date(2025, 10, 31),
    ]


# Monthly on a day of the month


def test_the_31st_moves_to_the_last_day_of_shorter_months_in_a_leap_year():
    assert occurrences(monthly(day_of_month=31), *YEAR_2024) == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30),
        date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 31), date(2024, 8, 31),
        date(2024, 9, 30), date(2024, 10, 31), date(2024, 11, 30), date(2024, 12, 31),
    ]


def test_the_31st_in_february_of_a_common_year():
    rule = monthly(day_of_month=31, starts_on=date(2023, 1, 1))
    assert occurrences(rule, date(2023, 2, 1), date(2023, 4, 30)) == [
        date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30),
    ]


@pytest.mark.parametrize(
    ("year", "february"),
    [(2024, date(2024, 2, 29)), (2023, date(2023, 2, 28)),
     (2100, date(2100, 2, 28)), (2000, date(2000, 2, 29))],
)
def test_the_29th_in_february(year, february):
    rule = monthly(day_of_month=29, starts_on=date(year, 1, 1))
    assert occurrences(rule, date(year, 1, 1), date(year, 3, 31)) == [
        date(year, 1, 29), february, date(year, 3, 29),
    ]


def test_the_15th_never_moves():
    rule = monthly(day_of_month=15)
    assert [d.day for d in occurrences(rule, *YEAR_2024)] == [15] * 12


# Intervals


def test_every_two_weeks_across_a_year_end():
    rule = weekly(weekday=THU, interval=2, starts_on=date(2024, 12, 5))
    assert occurrences(rule, date(2024, 12, 1), date(2025, 2, 14)) == [
        date(2024, 12, 5), date(2024, 12, 19), date(2025, 1, 2), date(2025, 1, 16),
        date(2025, 1, 30), date(2025, 2, 13),
    ]


def test_every_two_weeks_keeps_its_cycle_when_asked_from_a_later_date():
    rule = weekly(weekday=THU, interval=2, starts_on=date(2024, 12, 5))
    assert occurrences(rule, date(2024, 12, 20), date(2025, 1, 16)) == [
        date(2025, 1, 2), date(2025, 1, 16),
    ]


def test_weekly_counts_from_the_first_weekday_on_or_after_starts_on():
    rule = weekly(weekday=THU, interval=2, starts_on=date(2024, 12, 2))  # a Monday
    assert occurrences(rule, date(2024, 11, 1), date(2024, 12, 31)) == [
        date(2024, 12, 5), date(2024, 12, 19),
    ]


def test_quarterly_from_november():
    rule = monthly(weekday=MON, week_of_month=1, interval=3, starts_on=date(2024, 11, 1))
    assert occurrences(rule, date(2024, 1, 1), date(2025, 11, 30)) == [
        date(2024, 11, 4), date(2025, 2, 3), date(2025, 5, 5), date(2025, 8, 4),
        date(2025, 11, 3),
    ]


def test_quarterly_asked_from_a_month_without_a_meeting():
    rule = monthly(weekday=MON, week_of_month=1, interval=3, starts_on=date(2024, 11, 1))
    assert occurrences(rule, date(2025, 3, 1), date(2025, 9, 30)) == [
        date(2025, 5, 5), date(2025, 8, 4),
    ]


def test_a_month_whose_meeting_falls_before_starts_on_has_none():
    # The 1st Monday of November 2024 is the 4th, before the series starts on the 20th.
    rule = monthly(weekday=MON, week_of_month=1, interval=3, starts_on=date(2024, 11, 20))
    assert occurrences(rule, date(2024, 1, 1), date(2025, 5, 31)) == [
        date(2025, 2, 3), date(2025, 5, 5),
    ]


# Skipped months


def test_no_meeting_in_august_and_the_others_do_not_move():
    rule = monthly(weekday=TUE, week_of_month=LAST, skip_months=frozenset({8}))
    assert occurrences(rule, date(2024, 6, 1), date(2024, 10, 31)) == [
        date(2024, 6, 25), date(2024, 7, 30), date(2024, 9, 24), date(2024, 10, 29),
    ]


def test_no_meeting_in_august_or_december():
    rule = monthly(weekday=TUE, week_of_month=LAST, skip_months=frozenset({8, 12}))
    assert occurrences(rule, *YEAR_2024) == [
        date(2024, 1, 30), date(2024, 2, 27), date(2024, 3, 26), date(2024, 4, 30),
        date(2024, 5, 28), date(2024, 6, 25), date(2024, 7, 30),
        date(2024, 9, 24), date(2024, 10, 29), date(2024, 11, 26),
    ]


def test_a_weekly_series_skips_a_month_too():
    rule = weekly(weekday=THU, starts_on=date(2024, 7, 1), skip_months=frozenset({8}))
    assert occurrences(rule, date(2024, 7, 20), date(2024, 9, 10)) == [
        date(2024, 7, 25), date(2024, 9, 5),
    ]


# Bounds


def test_nothing_before_starts_on_or_after_ends_on():
    rule = monthly(weekday=TUE, week_of_month=LAST,
                   starts_on=date(2024, 3, 27), ends_on=date(2024, 6, 25))
    assert occurrences(rule, *YEAR_2024) == [
        date(2024, 4, 30), date(2024, 5, 28), date(2024, 6, 25),
    ]


def test_the_asked_range_is_inclusive_at_both_ends():
    rule = monthly(weekday=TUE, week_of_month=LAST)
    assert occurrences(rule, date(2024, 4, 30), date(2024, 5, 28)) == [
        date(2024, 4, 30), date(2024, 5, 28),
    ]
    assert occurrences(rule, date(2024, 5, 1), date(2024, 5, 27)) == []


def test_a_range_wholly_after_ends_on_is_empty():
    rule = weekly(weekday=THU, ends_on=date(2024, 6, 30))
    assert occurrences(rule, date(2024, 7, 1), date(2024, 12, 31)) == []


def test_not_scheduled_has_no_dates():
    assert occurrences(Rule(), *YEAR_2024) == []


def test_an_invalid_rule_gives_no_dates_but_says_why():
    with pytest.raises(InvalidInput) as raised:
        occurrences(Rule(kind="weekly", starts_on=date(2024, 1, 1)), *YEAR_2024)
    assert raised.value.errors == {"weekday": "choose the day of the week the series meets on"}


# London times


@pytest.mark.parametrize(
    ("day", "starts_at"),
    [
        (date(2024, 3, 30), utc(2024, 3, 30, 10, 0)),  # the Saturday before the clocks go forward
        (date(2024, 3, 31), utc(2024, 3, 31, 9, 0)),  # the Sunday they do
        (date(2024, 10, 26), utc(2024, 10, 26, 9, 0)),  # the Saturday before they go back
        (date(2024, 10, 27), utc(2024, 10, 27, 10, 0)),  # the Sunday they do
        (date(2025, 3, 29), utc(2025, 3, 29, 10, 0)),
        (date(2025, 3, 30), utc(2025, 3, 30, 9, 0)),
        (date(2025, 10, 25), utc(2025, 10, 25, 9, 0)),
        (date(2025, 10, 26), utc(2025, 10, 26, 10, 0)),
        (date(2024, 1, 30), utc(2024, 1, 30, 10, 0)),
        (date(2024, 7, 30), utc(2024, 7, 30, 9, 0)),
    ],
)
def test_a_ten_oclock_meeting_in_utc(day, starts_at):
    assert meeting_times(Rule(start_time="10:00", duration_minutes=120), day) == (
        starts_at, starts_at.replace(hour=starts_at.hour + 2),
    )


def test_meeting_times_are_utc_aware():
    starts_at, ends_at = meeting_times(Rule(start_time="14:30", duration_minutes=90),
                                       date(2024, 6, 13))
    assert starts_at.tzinfo is UTC and ends_at.tzinfo is UTC
    assert (starts_at, ends_at) == (utc(2024, 6, 13, 13, 30), utc(2024, 6, 13, 15, 0))


def test_a_start_in_the_hour_the_clocks_skip_moves_an_hour_later():
    starts_at, ends_at = meeting_times(Rule(start_time="01:30", duration_minutes=60),
                                       date(2024, 3, 31))
    assert (starts_at, ends_at) == (utc(2024, 3, 31, 1, 30), utc(2024, 3, 31, 2, 30))
    assert to_london(starts_at).strftime("%H:%M %Z") == "02:30 BST"


def test_a_start_in_the_hour_that_happens_twice_is_the_first_one():
    starts_at, ends_at = meeting_times(Rule(start_time="01:30", duration_minutes=60),
                                       date(2024, 10, 27))
    assert (starts_at, ends_at) == (utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30))
    assert to_london(starts_at).strftime("%H:%M %Z") == "01:30 BST"
    assert to_london(ends_at).strftime("%H:%M %Z") == "01:30 GMT"


def test_the_length_is_elapsed_time_across_a_clock_change():
    starts_at, ends_at = meeting_times(Rule(start_time="00:30", duration_minutes=120),
                                       date(2025, 3, 30))
    assert (starts_at, ends_at) == (utc(2025, 3, 30, 0, 30), utc(2025, 3, 30, 2, 30))
    assert to_london(ends_at).strftime("%H:%M") == "03:30"


def test_meeting_times_refuse_a_bad_start_time():
    with pytest.raises(InvalidInput) as raised:
        meeting_times(Rule(start_time="25:00"), date(2024, 6, 13))
    assert set(raised.value.errors) == {"start_time"}


# Words


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (Rule(), "Not scheduled"),
        (monthly(weekday=TUE, week_of_month=LAST, skip_months=frozenset({8})),
         "Monthly on the last Tuesday at 10:00, no meeting in August"),
        (monthly(weekday=TUE, week_of_month=LAST, skip_months=frozenset({12, 8})),
         "Monthly on the last Tuesday at 10:00, no meeting in August or December"),
        (monthly(weekday=TUE, week_of_month=2, skip_months=frozenset({4, 8, 12})),
         "Monthly on the 2nd Tuesday at 10:00, no meeting in April, August or December"),
        (weekly(weekday=THU, interval=2, start_time="14:00"),
         "Every 2 weeks on Thursday at 14:00"),
        (weekly(weekday=MON), "Weekly on Monday at 10:00"),
        (monthly(weekday=MON, week_of_month=1, interval=3, start_time="09:30"),
         "Quarterly on the 1st Monday at 09:30"),
        (monthly(weekday=FRI, week_of_month=5),
         "Monthly on the 5th Friday at 10:00 (only in months that have one)"),
        (monthly(day_of_month=15), "Monthly on the 15th at 10:00"),
        (monthly(day_of_month=31), "Monthly on the 31st at 10:00 (the last day of shorter months)"),
        (monthly(day_of_month=22, interval=2), "Every 2 months on the 22nd at 10:00"),
        (monthly(day_of_month=1, interval=12, starts_on=date(2024, 11, 1)),
         "Every year in November on the 1st at 10:00"),
        (monthly(day_of_month=3, ends_on=date(2025, 3, 31)),
         "Monthly on the 3rd at 10:00, until 31 March 2025"),
    ],
)
def test_describe(rule, words):
    assert describe(rule) == words


# Checks


def test_valid_rules_have_no_errors():
    assert Rule().errors() == {}
    assert weekly(weekday=THU, interval=52).errors() == {}
    assert monthly(weekday=TUE, week_of_month=LAST, interval=12).errors() == {}
    assert monthly(day_of_month=31, skip_months=frozenset({8, 12}),
                   ends_on=date(2024, 1, 2)).errors() == {}


@pytest.mark.parametrize(
    ("rule", "errors"),
    [
        (Rule(kind="fortnightly"),
         {"recurrence": "choose how often the series meets: weekly, monthly or not at all"}),
        (weekly(), {"weekday": "choose the day of the week the series meets on"}),
        (weekly(weekday=7), {"weekday": "choose a day of the week from Monday to Sunday"}),
        (weekly(weekday=THU, day_of_month=3),
         {"recurrence": "a weekly series meets on a day of the week: clear the week of the "
                        "month and the day of the month, or choose monthly"}),
        (weekly(weekday=THU, interval=53),
         {"interval": "give the number of weeks between meetings, from 1 (every week) to 52"}),
        (weekly(weekday=THU, interval=0),
         {"interval": "give the number of weeks between meetings, from 1 (every week) to 52"}),
        (monthly(),
         {"weekday": "choose a weekday of the month (e.g. the last Tuesday) "
                     "or a day of the month (e.g. the 15th)"}),
        (monthly(weekday=TUE, week_of_month=LAST, day_of_month=15),
         {"day_of_month": "choose either a day of the month (e.g. the 15th) or a weekday of "
                          "the month (e.g. the last Tuesday), not both"}),
        (monthly(weekday=TUE),
         {"week_of_month": "choose which Tuesday of the month the series meets on: "
                           "the 1st, 2nd, 3rd, 4th, 5th or last"}),
        (monthly(week_of_month=2),
         {"weekday": "choose the day of the week the series meets on"}),
        (monthly(weekday=TUE, week_of_month=6),
         {"week_of_month": "choose the 1st, 2nd, 3rd, 4th, 5th or last week of the month"}),
        (monthly(day_of_month=32), {"day_of_month": "give a day of the month from 1 to 31"}),
        (monthly(day_of_month=15, interval=13),
         {"interval": "give the number of months between meetings, from 1 (every month) to 12 "
                      "(3 is quarterly)"}),
        (monthly(day_of_month=15, start_time="9:30"),
         {"start_time": "give the start time as hours and minutes on the 24-hour clock, "
                        "e.g. 10:00 or 14:30"}),
        (monthly(day_of_month=15, start_time="10:60"),
         {"start_time": "give the start time as hours and minutes on the 24-hour clock, "
                        "e.g. 10:00 or 14:30"}),
        (monthly(day_of_month=15, duration_minutes=4),
         {"duration_minutes": "give a length from 5 minutes to 12 hours (720 minutes)"}),
        (monthly(day_of_month=15, duration_minutes=721),
         {"duration_minutes": "give a length from 5 minutes to 12 hours (720 minutes)"}),
        (monthly(day_of_month=15, skip_months=frozenset({8, 13})),
         {"skip_months": "list the months with no meeting as numbers from 1 to 12, "
                         "e.g. 8 for August"}),
        (weekly(weekday=THU, skip_months=frozenset(range(1, 13))),
         {"skip_months": "these months are all the months the series would meet in, so it "
                         "would never meet; skip fewer months"}),
        (monthly(day_of_month=1, interval=6, starts_on=date(2024, 2, 1),
                 skip_months=frozenset({2, 8})),
         {"skip_months": "these months are all the months the series would meet in, so it "
                         "would never meet; skip fewer months"}),
        (monthly(day_of_month=15, starts_on=None),
         {"starts_on": "give the date the series starts from"}),
        (monthly(day_of_month=15, ends_on=date(2024, 1, 1)),
         {"ends_on": "give an end date after the start date (1 January 2024), "
                     "or leave it empty if the series has no end"}),
        (Rule(start_time="noon"),
         {"start_time": "give the start time as hours and minutes on the 24-hour clock, "
                        "e.g. 10:00 or 14:30"}),
    ],
)
def test_invalid_rules_say_what_to_do(rule, errors):
    assert rule.errors() == errors
    assert check_rule(rule) == errors


def test_not_scheduled_ignores_the_schedule_fields():
    assert Rule(weekday=9, day_of_month=40, interval=0).errors() == {}


# Reading a MeetingType row


def test_rule_of_a_meeting_type():
    row = MeetingType(
        name="Monthly Assurance Meeting", recurrence=Recurrence.monthly, weekday=TUE,
        week_of_month=LAST, start_time="10:00", duration_minutes=150, skip_months="8, 12",
        starts_on=date(2024, 1, 1),
    )
    assert Rule.of(row) == Rule(
        kind="monthly", interval=1, weekday=TUE, week_of_month=LAST, start_time="10:00",
        duration_minutes=150, skip_months=frozenset({8, 12}), starts_on=date(2024, 1, 1),
    )
    assert describe(Rule.of(row)) == (
        "Monthly on the last Tuesday at 10:00, no meeting in August or December"
    )


def test_rule_of_an_unscheduled_meeting_type():
    rule = Rule.of(MeetingType(name="Ad hoc"))
    assert rule.kind == "none" and rule.starts_on is None and rule.skip_months == frozenset()
    assert rule.errors() == {}


@pytest.mark.parametrize(
    ("text", "months"),
    [("", frozenset()), (None, frozenset()), ("8", frozenset({8})),
     ("8,12", frozenset({8, 12})), (" 12 , 8 ", frozenset({8, 12}))],
)
def test_parse_skip_months(text, months):
    assert parse_skip_months(text) == months


@pytest.mark.parametrize("text", ["Aug", "8;12", "8,,12", "-1"])
def test_parse_skip_months_refuses_what_is_not_a_list_of_numbers(text):
    with pytest.raises(InvalidInput) as raised:
        parse_skip_months(text)
    assert raised.value.errors == {
        "skip_months": "list the months with no meeting as numbers from 1 to 12, e.g. 8 for August"
    }
